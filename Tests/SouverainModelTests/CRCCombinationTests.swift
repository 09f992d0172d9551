import Foundation
import Testing
@testable import SouverainModel

struct CRCCombinationTests {
    private func direct(_ algorithm: ChecksumAlgorithm, _ bytes: ArraySlice<UInt8>) -> [UInt8] {
        algorithm.checksum(of: Array(bytes))
    }

    /// The combination of the pieces' CRCs equals the CRC of their concatenation, for random
    /// data cut at random places (empty pieces included), for every CRC algorithm.
    @Test(arguments: [ChecksumAlgorithm.crc32, .crc32c, .crc64nvme])
    func combiningPieceCRCsGivesTheCRCOfTheWhole(_ algorithm: ChecksumAlgorithm) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let size = Int.random(in: 0...70_000, using: &generator)
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var cuts = (0..<Int.random(in: 0...6, using: &generator)).map { _ in Int.random(in: 0...size, using: &generator) }
            cuts = ([0] + cuts + [size]).sorted()
            let pieces = zip(cuts, cuts.dropFirst()).map { start, end in
                (checksum: direct(algorithm, bytes[start..<end]), length: Int64(end - start))
            }
            #expect(algorithm.combined(pieces) == direct(algorithm, bytes[...]), "size \(size), cuts \(cuts)")
        }
    }

    @Test func combiningTwoKnownPiecesMatchesTheCheckValue() {
        // "123456789" split after "1234": the combination gives the well-known check values.
        let whole = Array("123456789".utf8)
        for (algorithm, check) in [(ChecksumAlgorithm.crc32, "cbf43926"), (.crc32c, "e3069283"), (.crc64nvme, "ae8b14860a799888")] {
            let pieces = [(direct(algorithm, whole[0..<4]), Int64(4)), (direct(algorithm, whole[4...]), Int64(5))]
            #expect(algorithm.combined(pieces.map { (checksum: $0.0, length: $0.1) }).map { Hex.encode($0) } == check)
        }
    }

    @Test func aPieceOfSeveralGiBIsCarriedByItsLengthAlone() {
        // crc(A ‖ B) with |B| = 5 GiB + 3: the same whether B is combined at once or as five
        // pieces of 1 GiB and one of 3 bytes, all of them zeros (crc of zeros combined from one byte).
        let combination = CRCCombination.crc32c
        let zeroByte = UInt64(ChecksumAlgorithm.crc32c.checksum(of: [0]).reduce(0 as UInt32) { $0 << 8 | UInt32($1) })
        func zeros(_ length: Int64) -> UInt64 {
            var result: UInt64 = 0
            var piece = zeroByte, pieceLength: Int64 = 1, remaining = length
            while remaining > 0 {
                if remaining & 1 == 1 { result = combination.combine(result, piece, secondLength: pieceLength) }
                piece = combination.combine(piece, piece, secondLength: pieceLength)
                pieceLength *= 2
                remaining >>= 1
            }
            return result
        }
        #expect(zeros(3) == UInt64(ChecksumAlgorithm.crc32c.checksum(of: [0, 0, 0]).reduce(0 as UInt32) { $0 << 8 | UInt32($1) }))
        let gib: Int64 = 1 << 30
        let head: UInt64 = 0xE306_9283
        let once = combination.combine(head, zeros(5 * gib + 3), secondLength: 5 * gib + 3)
        var stepped = head
        for _ in 0..<5 { stepped = combination.combine(stepped, zeros(gib), secondLength: gib) }
        stepped = combination.combine(stepped, zeros(3), secondLength: 3)
        #expect(once == stepped)
    }

    @Test func checksumTypesFollowAWSRules() {
        #expect(ChecksumType.defaultType(for: .crc64nvme) == .fullObject)
        #expect(ChecksumType.defaultType(for: .crc32) == .composite)
        #expect(ChecksumType.fullObject.supports(.crc32c))
        #expect(!ChecksumType.fullObject.supports(.sha256))
        #expect(!ChecksumType.composite.supports(.crc64nvme))
        #expect(ChecksumType.composite.supports(.sha1))
    }
}
