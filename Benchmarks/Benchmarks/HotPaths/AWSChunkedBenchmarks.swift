import Benchmark
import Foundation
import NIOCore
import SouverainModel
import SouverainSigV4

/// A 1 MiB body encoded as aws-chunked in 64 KiB chunks, cut into 64 KiB network reads (which do
/// not line up with the chunks), and what decodes it.
struct ChunkedBody {
    var reads: [ByteBuffer]
    var signing: ChunkSigningContext?
    var expectsTrailer: Bool

    static let payloadSize = Size.mebibyte
    static let chunkSize = 64 * Size.kibibyte
    static let readSize = 64 * Size.kibibyte

    /// STREAMING-AWS4-HMAC-SHA256-PAYLOAD: every chunk signed, no trailer.
    static func signed() -> ChunkedBody {
        var headers: [(name: String, value: String)] = [
            ("host", Credentials.host), ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", String(payloadSize)),
        ]
        let signing = Credentials.signer.signStreaming(
            method: "PUT", path: "/photos/big.bin", query: "", headers: &headers, date: Credentials.signingDate)
        return ChunkedBody(reads: encode(AWSChunkedEncoder(signing: signing), trailers: nil), signing: signing, expectsTrailer: false)
    }

    /// STREAMING-UNSIGNED-PAYLOAD-TRAILER with x-amz-checksum-crc32, what current AWS SDKs send.
    static func unsignedWithTrailer() -> ChunkedBody {
        let payload = patternBytes(count: payloadSize)
        var crc = CRC32()
        payload.withUnsafeBytes { crc.update($0) }
        let checksum = Data(crc.bigEndianBytes).base64EncodedString()
        return ChunkedBody(
            reads: encode(AWSChunkedEncoder(signing: nil), trailers: [("x-amz-checksum-crc32", checksum)]),
            signing: nil, expectsTrailer: true)
    }

    private static func encode(_ encoder: AWSChunkedEncoder, trailers: [(name: String, value: String)]?) -> [ByteBuffer] {
        var encoder = encoder
        let payload = ByteBuffer(bytes: patternBytes(count: payloadSize))
        var wire = ByteBuffer()
        for chunk in pieces(of: payload, size: chunkSize) {
            var encoded = encoder.encode(chunk: chunk)
            wire.writeBuffer(&encoded)
        }
        var end = encoder.finish(trailers: trailers)
        wire.writeBuffer(&end)
        return pieces(of: wire, size: readSize)
    }

    /// Decodes the whole body; returns the payload byte count.
    func decode() throws -> Int {
        var decoder = AWSChunkedDecoder(signing: signing, expectsTrailer: expectsTrailer)
        var decoded = 0
        for read in reads {
            for slice in try decoder.feed(read) { decoded += slice.readableBytes }
        }
        blackHole(try decoder.finish())
        return decoded
    }
}

/// Decoding a 1 MiB aws-chunked upload: one iteration is one whole body (so throughput in
/// iterations per second is MiB/s).
func awsChunkedBenchmarks() {
    for (name, makeBody) in [
        ("aws-chunked decode, signed chunks, 1 MiB in 64 KiB chunks", ChunkedBody.signed),
        ("aws-chunked decode, unsigned + CRC32 trailer, 1 MiB in 64 KiB chunks", ChunkedBody.unsignedWithTrailer),
    ] {
        Benchmark(name) { benchmark, body in
            do {
                let decoded = try body.decode()
                precondition(decoded == ChunkedBody.payloadSize, "decoded \(decoded) bytes")
            } catch {
                fatalError("decoding failed: \(error)")
            }
        } setup: {
            makeBody()
        }
    }
}
