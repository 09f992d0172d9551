import Benchmark
import Crypto
import NIOCore
import SouverainKeys

/// A plaintext cut into 64 KiB pieces as a request body arrives, and the same blob sealed once and
/// cut into 64 KiB reads as a location returns it.
struct BlobFixture {
    let dataKey: SymmetricKey
    let identity: BlobIdentity
    let size: Int
    let plaintextPieces: [ByteBuffer]
    let sealedReads: [ByteBuffer]

    static let pieceSize = 64 * Size.kibibyte

    init(size: Int) throws {
        dataKey = SymmetricKey(size: .bits256)
        identity = BlobIdentity.random()
        self.size = size
        plaintextPieces = pieces(of: ByteBuffer(bytes: patternBytes(count: size)), size: Self.pieceSize)
        var sealer = try BlobSealer(dataKey: dataKey, identity: identity)
        var blob = ByteBuffer()
        for piece in plaintextPieces {
            if var sealed = try sealer.seal(piece) { blob.writeBuffer(&sealed) }
        }
        var last = try sealer.finish()
        blob.writeBuffer(&last)
        sealedReads = pieces(of: blob, size: Self.pieceSize)
    }

    /// Seals the plaintext as a new blob (new identity, as every upload draws one); returns the
    /// blob's size. The sealer reuses its output buffer, so nothing is kept.
    func seal() throws -> Int {
        var sealer = try BlobSealer(dataKey: dataKey, identity: BlobIdentity.random())
        var sealedBytes = 0
        for piece in plaintextPieces {
            if let sealed = try sealer.seal(piece) { sealedBytes += sealed.readableBytes }
        }
        sealedBytes += try sealer.finish().readableBytes
        return sealedBytes
    }

    /// Opens and authenticates the whole blob; returns the plaintext byte count.
    func open() throws -> Int {
        var opener = try BlobOpener.wholeBlob(dataKey: dataKey, expectedIdentity: identity, plaintextSize: Int64(size))
        var opened = 0
        for read in sealedReads { opened += try opener.open(read).readableBytes }
        try opener.finish()
        return opened
    }
}

/// Sealing and opening a blob in the chunked AES-256-GCM format (64 KiB chunks): one iteration
/// is one whole blob, so throughput in iterations per second times the size is MiB/s.
func blobBenchmarks() {
    for mebibytes in [1, 8] {
        let size = mebibytes * Size.mebibyte
        Benchmark("Blob seal, \(mebibytes) MiB in 64 KiB pieces") { _, fixture in
            do {
                blackHole(try fixture.seal())
            } catch {
                fatalError("sealing failed: \(error)")
            }
        } setup: {
            try BlobFixture(size: size)
        }

        Benchmark("Blob open, \(mebibytes) MiB in 64 KiB reads") { _, fixture in
            do {
                let opened = try fixture.open()
                precondition(opened == size, "opened \(opened) bytes")
            } catch {
                fatalError("opening failed: \(error)")
            }
        } setup: {
            try BlobFixture(size: size)
        }
    }
}
