import NIOCore
public import SouverainStorage
public import Testing

/// The promises of the `Location` protocol, one case each, checked the same way on every
/// implementation: a test target runs `@Test(arguments: LocationSubject.available,
/// LocationContract.allCases)`. An implementation-specific behaviour (a directory layout, a
/// remote listing) stays in that implementation's own tests.
public enum LocationContract: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case committedBlobReadsBackWholeAndByRanges
    case readsComeInChunksOfAtMostTheAskedSize
    case anEmptyBlobIsABlob
    case anEmptyRangeReadsNothing
    case aBlobIsInvisibleBeforeCommit
    case abortLeavesNothing
    case aDeletedBlobIsGone
    case deletingAnAbsentBlobIsFine
    case aMissingBlobIsNotFound
    case locatorsAreRandomAndValid
    case locatorsThatCouldNamePathsAreRefused
    case aLargeBlobReadsBack
    case concurrentWritersKeepTheirOwnBytes

    public var testDescription: String { rawValue }

    /// Checks the promise on `location` (fresh and empty).
    public func check(on location: any Location) async throws {
        switch self {
        case .committedBlobReadsBackWholeAndByRanges:
            let data = Self.bytes(3 * 1024 * 1024 + 17, seed: 1)
            let locator = try await Self.write(data, to: location, in: 65_536)
            #expect(try await Self.read(location, locator) == data)
            let ranges: [Range<Int64>] = [0..<1, 0..<100, 1_000_000..<1_000_100, 65_530..<65_542, Int64(data.count - 10)..<Int64(data.count)]
            for range in ranges {
                let expected = Array(data[Int(range.lowerBound)..<Int(range.upperBound)])
                #expect(try await Self.read(location, locator, range: range) == expected, "range \(range)")
            }
        case .readsComeInChunksOfAtMostTheAskedSize:
            let data = Self.bytes(300_000, seed: 2)
            let locator = try await Self.write(data, to: location, in: 100_000)
            for chunkSize in [1000, 4096, 65_536] {
                var out: [UInt8] = []
                try await location.read(locator: locator, range: nil, chunkSize: chunkSize) { buffer in
                    #expect(buffer.readableBytes <= chunkSize && buffer.readableBytes > 0)
                    out += buffer.readableBytesView
                }
                #expect(out == data)
            }
        case .anEmptyBlobIsABlob:
            let writer = try await location.makeBlobWriter()
            #expect(try await writer.commit() == 0)
            #expect(try await Self.read(location, writer.locator).isEmpty)
        case .anEmptyRangeReadsNothing:
            let locator = try await Self.write(Self.bytes(1000, seed: 3), to: location, in: 1000)
            #expect(try await Self.read(location, locator, range: 10..<10).isEmpty)
        case .aBlobIsInvisibleBeforeCommit:
            for size in [100, 6 * 1024 * 1024] {
                let writer = try await location.makeBlobWriter()
                try await writer.write(ByteBuffer(bytes: Self.bytes(size, seed: 4)))
                try await Self.expectNotFound(location, writer.locator)
                #expect(try await writer.commit() == Int64(size))
                #expect(try await Self.read(location, writer.locator).count == size)
            }
        case .abortLeavesNothing:
            for size in [0, 100, 6 * 1024 * 1024] {
                let writer = try await location.makeBlobWriter()
                if size > 0 { try await writer.write(ByteBuffer(bytes: Self.bytes(size, seed: 5))) }
                await writer.abort()
                try await Self.expectNotFound(location, writer.locator)
            }
        case .aDeletedBlobIsGone:
            let locator = try await Self.write(Self.bytes(10_000, seed: 6), to: location, in: 4096)
            try await location.delete(locator: locator)
            try await Self.expectNotFound(location, locator)
            try await location.delete(locator: locator)
        case .deletingAnAbsentBlobIsFine:
            try await location.delete(locator: BlobLocator.random())
        case .aMissingBlobIsNotFound:
            try await Self.expectNotFound(location, BlobLocator.random())
        case .locatorsAreRandomAndValid:
            var seen: Set<String> = []
            for _ in 0..<20 {
                let writer = try await location.makeBlobWriter()
                #expect(BlobLocator.isValid(writer.locator), "locator \(writer.locator)")
                seen.insert(writer.locator)
                await writer.abort()
            }
            #expect(seen.count == 20)
        case .locatorsThatCouldNamePathsAreRefused:
            for locator in ["../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789", "0123456789abcdef0123456789abcde/", "a/b"] {
                await #expect { try await location.delete(locator: locator) } throws: {
                    ($0 as? StorageError)?.code == .invalidLocator
                }
                await #expect { _ = try await Self.read(location, locator) } throws: {
                    ($0 as? StorageError)?.code == .invalidLocator
                }
            }
        case .aLargeBlobReadsBack:
            let data = Self.bytes(12 * 1024 * 1024 + 123, seed: 7)
            let locator = try await Self.write(data, to: location, in: 1_000_000)
            #expect(try await Self.read(location, locator, chunkSize: 256 * 1024) == data)
            let tail = Int64(data.count - 10)..<Int64(data.count)
            #expect(try await Self.read(location, locator, range: tail) == Array(data[data.count - 10..<data.count]))
        case .concurrentWritersKeepTheirOwnBytes:
            let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let locator = try await Self.write(Self.bytes(200_000 + index * 7919, seed: UInt8(index)), to: location, in: 16_384)
                        return (index, locator)
                    }
                }
                var results: [(Int, String)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(Set(results.map(\.1)).count == 8)
            for (index, locator) in results {
                #expect(try await Self.read(location, locator) == Self.bytes(200_000 + index * 7919, seed: UInt8(index)))
            }
        }
    }

    // MARK: - Helpers

    /// Deterministic bytes that differ with `seed` and along the blob.
    public static func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
        var generator = SeededGenerator(seed: UInt64(seed))
        return generator.bytes(count: count)
    }

    /// Writes `data` as a new blob in pieces of `piece` bytes; returns its locator.
    public static func write(_ data: [UInt8], to location: any Location, in piece: Int) async throws -> String {
        let writer = try await location.makeBlobWriter()
        var offset = 0
        while offset < data.count {
            let end = min(offset + piece, data.count)
            try await writer.write(ByteBuffer(bytes: data[offset..<end]))
            offset = end
        }
        #expect(try await writer.commit() == Int64(data.count))
        return writer.locator
    }

    public static func read(_ location: any Location, _ locator: String, range: Range<Int64>? = nil, chunkSize: Int = 64 * 1024)
        async throws -> [UInt8]
    {
        var out: [UInt8] = []
        try await location.read(locator: locator, range: range, chunkSize: chunkSize) { out += $0.readableBytesView }
        return out
    }

    static func expectNotFound(_ location: any Location, _ locator: String) async throws {
        await #expect { _ = try await read(location, locator) } throws: { ($0 as? StorageError)?.code == .notFound }
    }
}
