import CMD5Lanes
import Testing
import SouverainTesting
@testable import SouverainModel

/// The ETag MD5 hashed in lanes must be the MD5 of the body, whatever the streams running beside
/// it, the sizes their bytes come in, and the streams that give up half-way.
@Suite struct MD5LanesTests {
    /// The reference: the same bytes through swift-crypto's MD5, with no lanes.
    private func md5Alone(_ bytes: [UInt8]) -> [UInt8] {
        var digest = ObjectDigest(checksums: [])
        bytes.withUnsafeBytes { digest.update($0) }
        return digest.finalize().md5
    }

    /// A piece of a body in memory of its own, as a received buffer is: lent to the lanes, which
    /// hash it where it lies and keep it alive until then.
    final class LentPiece {
        let bytes: UnsafeMutableRawBufferPointer

        init(_ source: ArraySlice<UInt8>) {
            bytes = .allocate(byteCount: source.count, alignment: 1)
            source.withUnsafeBytes { bytes.copyMemory(from: $0) }
        }

        deinit {
            // Scribbled over first: a lane that hashed these bytes after letting go would be wrong.
            bytes.initializeMemory(as: UInt8.self, repeating: 0xA5)
            bytes.deallocate()
        }
    }

    /// Feeds `bytes` in pieces of the sizes `pieces` draws, handing off whenever it must; about
    /// half the pieces are lent (hashed where they lie), the others copied by the lanes.
    private func feed(
        _ digest: inout ObjectDigest, _ bytes: [UInt8], pieces generator: inout SeededGenerator, largest: Int
    ) async {
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + Int.random(in: 1...largest, using: &generator))
            let lent = Bool.random(using: &generator) ? LentPiece(bytes[index..<end]) : nil
            var offset = index
            while offset < end {
                if let lent {
                    let rest = UnsafeRawBufferPointer(rebasing: lent.bytes[(offset - index)...])
                    offset += digest.absorb(rest, owner: lent)
                } else {
                    offset += bytes[offset..<end].withUnsafeBytes { digest.absorb($0) }
                }
                if digest.mustHandOff { await digest.handOff() }
            }
            index = end
            if Int.random(in: 0..<8, using: &generator) == 0 { await Task.yield() }
        }
    }

    @Test func fourLanesGiveEachLaneItsOwnMD5() throws {
        try #require(souverain_md5_lanes_available() == 1, "lanes are built on BoringSSL (Linux)")
        var generator = SeededGenerator(seed: 18)
        for blocks in [1, 2, 7, 64] {
            // Four streams already part-way (different states), and an idle lane in each position.
            for idle in [-1, 0, 1, 2, 3] {
                var scalar = [souverain_md5](repeating: souverain_md5(), count: 4)
                var laned = [souverain_md5](repeating: souverain_md5(), count: 4)
                let prefixes = (0..<4).map { lane in generator.bytes(count: 64 * lane) }
                let data = (0..<4).map { _ in generator.bytes(count: 64 * blocks) }
                for lane in 0..<4 {
                    souverain_md5_init(&scalar[lane])
                    prefixes[lane].withUnsafeBytes { souverain_md5_update(&scalar[lane], $0.baseAddress, $0.count) }
                    laned[lane] = scalar[lane]
                }
                laned.withUnsafeMutableBufferPointer { states in
                    let pointers: [UnsafeMutablePointer<souverain_md5>?] = (0..<4).map { $0 == idle ? nil : states.baseAddress! + $0 }
                    let inputs: [UnsafePointer<UInt8>?] = data.map { $0.withUnsafeBufferPointer { $0.baseAddress } }
                    withExtendedLifetime(data) {
                        pointers.withUnsafeBufferPointer { md5 in
                            inputs.withUnsafeBufferPointer { souverain_md5_x4(md5.baseAddress, $0.baseAddress, blocks) }
                        }
                    }
                }
                for lane in 0..<4 where lane != idle {
                    data[lane].withUnsafeBytes { souverain_md5_update(&scalar[lane], $0.baseAddress, $0.count) }
                    var expected = [UInt8](repeating: 0, count: 16)
                    var got = [UInt8](repeating: 0, count: 16)
                    souverain_md5_final(&scalar[lane], &expected)
                    souverain_md5_final(&laned[lane], &got)
                    #expect(got == expected, "lane \(lane), \(blocks) blocks, idle lane \(idle), \(MD5Lanes.variant)")
                }
                if idle >= 0 {
                    var untouched = souverain_md5()
                    souverain_md5_init(&untouched)
                    prefixes[idle].withUnsafeBytes { souverain_md5_update(&untouched, $0.baseAddress, $0.count) }
                    #expect(laned[idle].h == untouched.h, "an idle lane's stream is not changed")
                }
            }
        }
    }

    /// Each lane's bytes in pieces of any size (empty, a few bytes, many blocks, a block spread
    /// over several pieces), an idle lane in each position: every lane's MD5 is its bytes' MD5.
    @Test func fourLanesHashBytesInPiecesWhereTheyLie() throws {
        try #require(souverain_md5_lanes_available() == 1, "lanes are built on BoringSSL (Linux)")
        var generator = SeededGenerator(seed: 31)
        for blocks in [1, 3, 17, 64] {
            for idle in [-1, 0, 1, 2, 3] {
                let data = (0..<4).map { _ in generator.bytes(count: 64 * blocks) }
                // Cut points: a few random ones, and some just around block edges.
                let pieces: [[ArraySlice<UInt8>]] = data.map { bytes in
                    var cuts = Set((0..<Int.random(in: 0...6, using: &generator)).map { _ in Int.random(in: 0...bytes.count, using: &generator) })
                    cuts.formUnion([1, 63, 64, 65, 130].filter { $0 < bytes.count && Bool.random(using: &generator) })
                    let edges = [0] + cuts.sorted() + [bytes.count]
                    var slices = zip(edges, edges.dropFirst()).map { bytes[$0..<$1] }
                    slices.insert(bytes[0..<0], at: Int.random(in: 0...slices.count, using: &generator))
                    return slices
                }
                var states = [souverain_md5](repeating: souverain_md5(), count: 4)
                for lane in 0..<4 { souverain_md5_init(&states[lane]) }
                let lent = pieces.map { $0.map { LentPiece($0) } }
                // Every lane's pieces in two lists, lane 0's first; an idle lane has none.
                let active = (0..<4).filter { $0 != idle }
                let bases = active.flatMap { lent[$0].map { UnsafePointer($0.bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)) } }
                let lengths = active.flatMap { lent[$0].map(\.bytes.count) }
                let counts = (0..<4).map { $0 == idle ? 0 : lent[$0].count }
                states.withUnsafeMutableBufferPointer { states in
                    let md5: [UnsafeMutablePointer<souverain_md5>?] = (0..<4).map { $0 == idle ? nil : states.baseAddress! + $0 }
                    withExtendedLifetime(lent) { souverain_md5_x4_pieces(md5, bases, lengths, counts, blocks) }
                }
                for lane in 0..<4 where lane != idle {
                    var got = [UInt8](repeating: 0, count: 16)
                    souverain_md5_final(&states[lane], &got)
                    #expect(got == md5Alone(data[lane]), "lane \(lane) in \(pieces[lane].count) pieces, \(blocks) blocks, idle lane \(idle)")
                }
            }
        }
    }

    /// Twelve bodies at once (so full batches of four form, and partial ones at the ends), of
    /// sizes on and around every boundary: the direct part, the block, the job, the ring.
    @Test func concurrentBodiesGetTheirOwnMD5() async throws {
        let lanes = MD5Lanes()
        let job = MD5Lanes.jobSize
        let direct = MD5Lanes.directBytes
        let sizes = [
            0, 1, 63, 64, 65, direct - 1, direct, direct + 1, direct + 63, direct + 64, direct + job, direct + job + 1,
            direct + 3 * job - 5, direct + MD5Lanes.depth * job, direct + (MD5Lanes.depth + 1) * job + 17, 3 << 20,
            5 * job + 12_345, 9 << 20,
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, size) in sizes.enumerated() {
                group.addTask {
                    var generator = SeededGenerator(seed: UInt64(index) + 100)
                    let body = generator.bytes(count: size)
                    var digest = ObjectDigest(checksums: [.crc32c], lanes: lanes)
                    await self.feed(&digest, body, pieces: &generator, largest: [1_000, 70_000, 300_000][index % 3])
                    let result = await digest.finish()
                    var reference = ObjectDigest(checksums: [.crc32c])
                    body.withUnsafeBytes { reference.update($0) }
                    let expected = reference.finalize()
                    #expect(result.md5 == self.md5Alone(body), "body \(index) of \(size) bytes")
                    #expect(result.md5 == expected.md5)
                    #expect(result.checksums == expected.checksums)
                    #expect(result.byteCount == Int64(size))
                }
            }
            try await group.waitForAll()
        }
        try await waitUntilReleased(lanes)
    }

    /// Two or three streams never fill the four lanes when they hand in: each batch is formed by a
    /// stream that needs its job, with the one or two others pending (partly filled lanes) or alone
    /// (scalar MD5). Either way each body gets its own MD5.
    @Test(arguments: [2, 3])
    func fewerStreamsThanLanesGetTheirOwnMD5(streams: Int) async throws {
        let lanes = MD5Lanes()
        let size = MD5Lanes.directBytes + (3 * MD5Lanes.depth + 1) * MD5Lanes.jobSize + 4_321
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<streams {
                group.addTask {
                    var generator = SeededGenerator(seed: UInt64(index) + 200)
                    let body = generator.bytes(count: size - index * 1_000)
                    var digest = ObjectDigest(checksums: [], lanes: lanes)
                    await self.feed(&digest, body, pieces: &generator, largest: 70_000)
                    let result = await digest.finish()
                    #expect(result.md5 == self.md5Alone(body), "stream \(index) of \(streams)")
                }
            }
            try await group.waitForAll()
        }
        try await waitUntilReleased(lanes)
    }

    /// Streams that give up with jobs in the lanes leave nothing behind, and the lanes go on.
    @Test func abandonedStreamsLeaveNoJobOrReservationBehind() async throws {
        let lanes = MD5Lanes()
        var generator = SeededGenerator(seed: 7)
        let body = generator.bytes(count: MD5Lanes.directBytes + 5 * MD5Lanes.jobSize)
        for _ in 0..<3 {
            // Three streams: never a full batch, so their jobs stay pending until abandoned.
            var digests = (0..<3).map { _ in ObjectDigest(checksums: [], lanes: lanes) }
            for index in digests.indices { await feed(&digests[index], body, pieces: &generator, largest: 100_000) }
            #expect(lanes.jobsReserved == 3 * MD5Lanes.depth)
            for digest in digests { digest.abandon() }
        }
        try await waitUntilReleased(lanes)
        var digest = ObjectDigest(checksums: [], lanes: lanes)
        await feed(&digest, body, pieces: &generator, largest: 100_000)
        #expect(await digest.finish().md5 == md5Alone(body))
    }

    /// Past the budget, a new stream holds two jobs; every reservation returns at the end.
    @Test func heldJobsAreBoundedByTheBudget() async throws {
        let lanes = MD5Lanes()
        let deep = MD5Lanes.jobBudget / MD5Lanes.depth
        var generator = SeededGenerator(seed: 3)
        let body = generator.bytes(count: MD5Lanes.directBytes + 1)
        var digests = (0..<(deep + 4)).map { _ in ObjectDigest(checksums: [], lanes: lanes) }
        for index in digests.indices { await feed(&digests[index], body, pieces: &generator, largest: body.count) }
        #expect(lanes.jobsReserved == MD5Lanes.jobBudget + 4 * 2)
        for digest in digests { #expect(await digest.finish().md5 == md5Alone(body)) }
        digests.removeAll()
        try await waitUntilReleased(lanes)
    }

    private func waitUntilReleased(_ lanes: MD5Lanes) async throws {
        // A batch hashed by a task of its own holds its streams' memory until it ends.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while lanes.jobsReserved != 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(lanes.jobsReserved == 0)
    }
}
