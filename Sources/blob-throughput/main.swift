// Seals and opens 1 GiB fed in 64 KiB pieces and prints GB/s for each direction, next to bare
// AES-256-GCM and a plain 64 KiB copy on the same machine for reference.
// Run in release: `swift run -c release blob-throughput`.
//
// Rates are given per wall-clock second and per second of this thread's CPU time: on a shared
// machine the second one is what the code costs, the first what it got.
import Crypto
import NIOCore
import SouverainKeys

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let totalBytes = 1 << 30
let pieceSize = 65_536

/// Wall-clock and thread CPU time spent inside `measure`, summed over calls.
struct Stopwatch {
    private(set) var wall: Duration = .zero
    private(set) var cpu: Duration = .zero
    private let clock = ContinuousClock()

    static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    mutating func measure<Result>(_ body: () throws -> Result) rethrows -> Result {
        let wallStart = clock.now
        let cpuStart = Self.threadCPUTime()
        defer {
            cpu += Self.threadCPUTime() - cpuStart
            wall += clock.now - wallStart
        }
        return try body()
    }

    func report(_ bytes: Int) -> String {
        "\(rate(bytes, wall)) GB/s wall, \(rate(bytes, cpu)) GB/s CPU"
    }

    private func rate(_ bytes: Int, _ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let hundredths = Int((Double(bytes) / seconds / 1e9 * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

func samplePiece() -> ByteBuffer {
    var piece = ByteBuffer()
    piece.writeBytes((0..<pieceSize).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    return piece
}

/// Seals 16 MiB batches of pieces, then opens each batch, timing each batch as a whole (reading
/// the clocks per piece would cost more than the work), so nothing holds the whole blob.
func measureBlob() throws -> (seal: Stopwatch, open: Stopwatch) {
    let dataKey = SymmetricKey(size: .bits256)
    let identity = BlobIdentity.random()
    let piece = samplePiece()
    let piecesPerBatch = 256
    var sealer = try BlobSealer(dataKey: dataKey, identity: identity)
    var opener = try BlobOpener.wholeBlob(dataKey: dataKey, expectedIdentity: identity, plaintextSize: Int64(totalBytes))
    var seal = Stopwatch()
    var open = Stopwatch()
    var opened = 0
    var batch: [ByteBuffer] = []
    batch.reserveCapacity(piecesPerBatch + 1)
    for batchIndex in 0..<(totalBytes / pieceSize / piecesPerBatch) {
        try seal.measure {
            for _ in 0..<piecesPerBatch {
                if let sealed = try sealer.seal(piece) { batch.append(sealed) }
            }
            if batchIndex == totalBytes / pieceSize / piecesPerBatch - 1 {
                batch.append(try sealer.finish())
            }
        }
        opened += try open.measure {
            var count = 0
            for sealed in batch { count += try opener.open(sealed).readableBytes }
            return count
        }
        batch.removeAll(keepingCapacity: true)
    }
    try open.measure { try opener.finish() }
    precondition(opened == totalBytes, "opened \(opened) bytes, expected \(totalBytes)")
    return (seal, open)
}

/// Bare AES-256-GCM through swift-crypto on 64 KiB chunks, batched the same way: the ceiling.
/// (One nonce reused under a throwaway key: acceptable for timing only, never for data.)
func measureBareAESGCM() throws -> (seal: Stopwatch, open: Stopwatch) {
    let key = SymmetricKey(size: .bits256)
    let plaintext = Data(samplePiece().readableBytesView)
    let associatedData = Data(count: 37)
    let nonce = AES.GCM.Nonce()
    let piecesPerBatch = 256
    var seal = Stopwatch()
    var open = Stopwatch()
    var boxes: [AES.GCM.SealedBox] = []
    boxes.reserveCapacity(piecesPerBatch)
    for _ in 0..<(totalBytes / pieceSize / piecesPerBatch) {
        try seal.measure {
            for _ in 0..<piecesPerBatch {
                boxes.append(try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: associatedData))
            }
        }
        let opened = try open.measure {
            var count = 0
            for box in boxes { count += try AES.GCM.open(box, using: key, authenticating: associatedData).count }
            return count
        }
        precondition(opened == piecesPerBatch * pieceSize)
        boxes.removeAll(keepingCapacity: true)
    }
    return (seal, open)
}

/// Copying 64 KiB into a reused ByteBuffer: what each copy the API forces costs here.
func measureCopy() -> Stopwatch {
    let piece = samplePiece()
    var target = ByteBuffer()
    target.reserveCapacity(pieceSize)
    var copy = Stopwatch()
    copy.measure {
        for _ in 0..<(totalBytes / pieceSize) {
            target.clear()
            target.writeImmutableBuffer(piece)
        }
    }
    precondition(target.readableBytes == pieceSize)
    return copy
}

let copy = measureCopy()
let bare = try measureBareAESGCM()
let blob = try measureBlob()
print("64 KiB copy:                 \(copy.report(totalBytes))")
print("bare AES-256-GCM, 64 KiB:    seal \(bare.seal.report(totalBytes)); open \(bare.open.report(totalBytes))")
print("blob format v1, 1 GiB in 64 KiB pieces:")
print("                             seal \(blob.seal.report(totalBytes)); open \(blob.open.report(totalBytes))")
