import Foundation
import NIOCore
import SouverainSigV4
import Testing

/// The credentials and time of AWS's published Signature V4 examples.
enum Example {
    static let accessKeyID = "AKIAIOSFODNN7EXAMPLE"
    static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    /// 20130524T000000Z
    static let date = Date(timeIntervalSince1970: 1_369_353_600)
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let verifier = SigV4Verifier(region: "us-east-1")
    static let signer = SigV4Signer(
        accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, region: "us-east-1")

    static func authorization(signedHeaders: String, signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/20130524/us-east-1/s3/aws4_request,SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    /// The PUT of 65 KiB of 'a' in chunks of 64 KiB, 1 KiB and 0 (sigv4-streaming).
    static let chunkedSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    static let chunkSignatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]

    /// The same PUT with a CRC32C trailer (sigv4-streaming-trailers).
    static let trailerSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
    static let trailerChunkSignatures = [
        "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
        "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
        "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    ]
    static let trailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"

    static func chunkedHeaders(trailer: Bool) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", "66824"),
        ]
        if trailer {
            headers.append(("x-amz-trailer", "x-amz-checksum-crc32c"))
            headers.append(("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"))
            headers.append(
                (
                    "Authorization",
                    authorization(
                        signedHeaders:
                            "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
                        signature: trailerSeed)
                ))
        } else {
            headers.append(("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))
            headers.append(
                (
                    "Authorization",
                    authorization(
                        signedHeaders:
                            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
                        signature: chunkedSeed)
                ))
        }
        return headers
    }

    static func chunkedRequest(trailer: Bool) -> SigV4Request {
        SigV4Request(
            method: "PUT", path: "/examplebucket/chunkObject.txt", query: "", headers: chunkedHeaders(trailer: trailer))
    }

    /// The body of the chunked example, as bytes on the wire.
    static func chunkedBody(trailer: Bool) -> [UInt8] {
        let signatures = trailer ? trailerChunkSignatures : chunkSignatures
        var body: [UInt8] = []
        body += Array("10000;chunk-signature=\(signatures[0])\r\n".utf8)
        body += [UInt8](repeating: UInt8(ascii: "a"), count: 65_536)
        body += Array("\r\n400;chunk-signature=\(signatures[1])\r\n".utf8)
        body += [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        body += Array("\r\n0;chunk-signature=\(signatures[2])\r\n".utf8)
        if trailer {
            body += Array("x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:\(trailerSignature)\r\n".utf8)
        }
        body += Array("\r\n".utf8)
        return body
    }

    /// The chunk-signing context of the chunked example, built from its parts.
    static func chunkSigning(trailer: Bool) -> ChunkSigningContext {
        ChunkSigningContext(
            secretAccessKey: secretAccessKey, date: date, region: "us-east-1",
            seedSignature: trailer ? trailerSeed : chunkedSeed)
    }
}

/// The SigV4Error `body` throws, or nil when it throws none; any other error is an issue.
func sigV4Error(_ body: () throws -> Void) -> SigV4Error? {
    do {
        try body()
        return nil
    } catch let error as SigV4Error {
        return error
    } catch {
        Issue.record("Unexpected error \(error)")
        return nil
    }
}

/// A small deterministic random number generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// `text` after 1 to `edits.upperBound` random edits (at least `edits.lowerBound`), each one
    /// character removed, one of `alphabet` inserted or put in place of one, or the text cut
    /// there; with `mayKeep`, an edit may also leave the text as it is.
    mutating func mutate(_ text: String, alphabet: [Character], edits: ClosedRange<Int>, mayKeep: Bool = false) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: edits, using: &self) {
            let index = Int.random(in: 0..<max(1, characters.count), using: &self)
            switch Int.random(in: 0..<(mayKeep ? 5 : 4), using: &self) {
            case 0 where !characters.isEmpty: characters.remove(at: index)
            case 1: characters.insert(alphabet.randomElement(using: &self)!, at: index)
            case 2 where !characters.isEmpty: characters[index] = alphabet.randomElement(using: &self)!
            case 4: break
            default: characters = Array(characters.prefix(index))
            }
        }
        return String(characters)
    }
}

extension ByteBuffer {
    init(testBytes bytes: some Sequence<UInt8>) {
        self.init()
        writeBytes(Array(bytes))
    }

    var bytes: [UInt8] { Array(readableBytesView) }
}

/// Feeds `body` to `decoder` in pieces of the given sizes (the rest in one piece), then finishes.
func decodeChunked(
    _ body: [UInt8], with decoder: AWSChunkedDecoder, splits: [Int] = []
) throws(SigV4Error) -> (payload: [UInt8], trailers: [String: String], decodedLength: Int) {
    var decoder = decoder
    var payload: [UInt8] = []
    var offset = 0
    for size in splits where offset < body.count {
        let end = min(body.count, offset + size)
        for piece in try decoder.feed(ByteBuffer(testBytes: body[offset..<end])) {
            payload += piece.bytes
        }
        offset = end
    }
    if offset < body.count {
        for piece in try decoder.feed(ByteBuffer(testBytes: body[offset...])) {
            payload += piece.bytes
        }
    }
    let trailers = try decoder.finish()
    return (payload, trailers, decoder.decodedLength)
}
