import Foundation
import NIOCore
import SouverainSigV4
import Testing

/// The aws-chunked decoder: framing, signatures, trailers, limits and every way to split the input.
@Suite struct AWSChunkedDecoderTests {
    static let example = Example.chunkedBody(trailer: false)
    static let expectedPayload = [UInt8](repeating: UInt8(ascii: "a"), count: 66_560)

    static func signedDecoder(trailer: Bool = false) -> AWSChunkedDecoder {
        AWSChunkedDecoder(signing: Example.chunkSigning(trailer: trailer), expectsTrailer: trailer)
    }

    /// A small signed body of three chunks and, optionally, a trailer, from the encoder.
    static func smallBody(trailer: Bool) -> [UInt8] {
        var encoder = AWSChunkedEncoder(signing: Example.chunkSigning(trailer: trailer))
        var body = encoder.encode(chunk: ByteBuffer(string: "Hello, ")).bytes
        body += encoder.encode(chunk: ByteBuffer(string: "chunked ")).bytes
        body += encoder.encode(chunk: ByteBuffer(string: "world!")).bytes
        body += encoder.finish(trailers: trailer ? [("x-amz-checksum-crc32", "Yj5kMw==")] : nil).bytes
        return body
    }

    @Test func exampleByteByByte() throws {
        let result = try decodeChunked(
            Self.example, with: Self.signedDecoder(), splits: Array(repeating: 1, count: Self.example.count))
        #expect(result.payload == Self.expectedPayload)
        #expect(result.decodedLength == 66_560)
    }

    @Test(arguments: 0..<20)
    func exampleRandomSplits(seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        var splits: [Int] = []
        var total = 0
        while total < Self.example.count {
            let size = Int.random(in: 1...(seed % 2 == 0 ? 200 : 20_000), using: &generator)
            splits.append(size)
            total += size
        }
        for trailer in [false, true] {
            let result = try decodeChunked(
                Example.chunkedBody(trailer: trailer), with: Self.signedDecoder(trailer: trailer), splits: splits)
            #expect(result.payload == Self.expectedPayload)
            #expect(result.trailers == (trailer ? ["x-amz-checksum-crc32c": "sOO8/Q=="] : [:]))
        }
    }

    @Test func smallBodyEverySplitPoint() throws {
        for trailer in [false, true] {
            let body = Self.smallBody(trailer: trailer)
            for first in 0...body.count {
                let result = try decodeChunked(body, with: Self.signedDecoder(trailer: trailer), splits: [first])
                #expect(result.payload == Array("Hello, chunked world!".utf8))
            }
        }
    }

    @Test func decodedBytesAreSlicesOfTheInput() throws {
        var decoder = Self.signedDecoder()
        let input = ByteBuffer(testBytes: Self.example)
        let pieces = try decoder.feed(input)
        _ = try decoder.finish()
        #expect(pieces.map(\.readableBytes) == [65_536, 1024])
        input.withUnsafeReadableBytes { whole in
            for piece in pieces {
                piece.withUnsafeReadableBytes { slice in
                    let start = slice.baseAddress! - whole.baseAddress!
                    #expect(start > 0 && start + slice.count <= whole.count)
                }
            }
        }
    }

    @Test func tamperedChunkData() {
        for offset in [88, 100, 65_623, 65_712, 66_000, 66_735] {
            var body = Self.example
            #expect(body[offset] == UInt8(ascii: "a"))
            body[offset] = UInt8(ascii: "b")
            let error = sigV4Error { _ = try decodeChunked(body, with: Self.signedDecoder(), splits: [4096, 4096]) }
            #expect(error?.code == .chunkSignatureMismatch)
            #expect(error?.code.s3Code == "SignatureDoesNotMatch")
        }
    }

    @Test func tamperedChunkSignatures() {
        for signature in Example.chunkSignatures {
            let text = String(decoding: Self.example, as: UTF8.self)
            let replacement = String(signature.dropLast()) + (signature.last == "0" ? "1" : "0")
            let body = Array(text.replacingOccurrences(of: signature, with: replacement).utf8)
            let error = sigV4Error { _ = try decodeChunked(body, with: Self.signedDecoder()) }
            #expect(error?.code == .chunkSignatureMismatch)
        }
    }

    @Test func wrongSeedOrSwappedChunks() {
        let otherSeed = AWSChunkedDecoder(signing: Example.chunkSigning(trailer: true), expectsTrailer: false)
        #expect(sigV4Error { _ = try decodeChunked(Self.example, with: otherSeed) }?.code == .chunkSignatureMismatch)
        // Unsigned decoding of a signed body still works (extensions are ignored), but signed
        // decoding of an unsigned body does not.
        let unsigned = Array("5\r\nhello\r\n0\r\n\r\n".utf8)
        #expect(sigV4Error { _ = try decodeChunked(unsigned, with: Self.signedDecoder()) }?.code == .invalidChunk)
    }

    @Test func truncatedAtEveryOffset() throws {
        for trailer in [false, true] {
            let body = Self.smallBody(trailer: trailer)
            for length in 0..<body.count {
                let error = sigV4Error {
                    _ = try decodeChunked(
                        Array(body[..<length]), with: Self.signedDecoder(trailer: trailer), splits: [length / 2])
                }
                #expect(error?.code == .incompleteBody, "truncated at \(length) of \(body.count)")
            }
        }
    }

    @Test func exampleTruncatedNearBoundaries() {
        var lengths = Array(0..<200) + Array(65_500..<65_800) + Array((Self.example.count - 200)..<Self.example.count)
        lengths += stride(from: 200, to: 65_500, by: 997)
        for length in lengths {
            let error = sigV4Error { _ = try decodeChunked(Array(Self.example[..<length]), with: Self.signedDecoder()) }
            #expect(error?.code == .incompleteBody, "truncated at \(length)")
        }
    }

    @Test func signedTrailer() throws {
        let result = try decodeChunked(
            Self.smallBody(trailer: true), with: Self.signedDecoder(trailer: true), splits: [3, 5, 7])
        #expect(result.trailers == ["x-amz-checksum-crc32": "Yj5kMw=="])
    }

    @Test func tamperedSignedTrailer() {
        let text = String(decoding: Example.chunkedBody(trailer: true), as: UTF8.self)
        for (original, replacement) in [
            ("sOO8/Q==", "sOO8/R=="), ("x-amz-checksum-crc32c:", "x-amz-checksum-crc32:"),
            (Example.trailerSignature, String(repeating: "0", count: 64)),
        ] {
            let body = Array(text.replacingOccurrences(of: original, with: replacement).utf8)
            #expect(
                sigV4Error { _ = try decodeChunked(body, with: Self.signedDecoder(trailer: true)) }?.code
                    == .chunkSignatureMismatch)
        }
        let unsignedTrailer = text.replacingOccurrences(
            of: "x-amz-trailer-signature:\(Example.trailerSignature)\r\n", with: "")
        #expect(
            sigV4Error { _ = try decodeChunked(Array(unsignedTrailer.utf8), with: Self.signedDecoder(trailer: true)) }?
                .code
                == .chunkSignatureMismatch)
        let headerAfterSignature = text.replacingOccurrences(of: "\r\n\r\n", with: "\r\nx-amz-meta:1\r\n\r\n")
        #expect(
            sigV4Error {
                _ = try decodeChunked(Array(headerAfterSignature.utf8), with: Self.signedDecoder(trailer: true))
            }?.code
                == .invalidChunk)
    }

    @Test func unsignedTrailers() throws {
        let decoder = AWSChunkedDecoder(signing: nil, expectsTrailer: true)
        let body = Array(
            "3\r\nabc\r\n0\r\nX-Amz-Checksum-CRC32:  NSRBwg== \r\nx-amz-checksum-crc64nvme:AAAAAAAAAAA=\r\n\r\n".utf8)
        let result = try decodeChunked(body, with: decoder, splits: Array(repeating: 2, count: 40))
        #expect(result.payload == Array("abc".utf8))
        #expect(result.trailers == ["x-amz-checksum-crc32": "NSRBwg==", "x-amz-checksum-crc64nvme": "AAAAAAAAAAA="])
        let none = try decodeChunked(Array("0\r\n\r\n".utf8), with: decoder)
        #expect(none.trailers.isEmpty && none.payload.isEmpty)
    }

    @Test func unsignedChunkExtensionsAreIgnored() throws {
        let body = Array("3;name=value\r\nabc\r\n0\r\n\r\n".utf8)
        let result = try decodeChunked(body, with: AWSChunkedDecoder(signing: nil, expectsTrailer: false))
        #expect(result.payload == Array("abc".utf8))
    }

    @Test(arguments: [
        "zz\r\nabc\r\n0\r\n\r\n",  // not hex
        "\r\n0\r\n\r\n",  // empty size
        "3\r\nabcX\r\n0\r\n\r\n",  // no CRLF after data
        "3\r\nabc\rX0\r\n\r\n",  // CR without LF
        "3\nabc\r\n0\r\n\r\n",  // bare LF
        "-3\r\nabc\r\n0\r\n\r\n",
        " 3\r\nabc\r\n0\r\n\r\n",
        "11111111111111111\r\n",  // 17 digits
        "8000000000000000\r\n",  // past Int.max
        "0\r\n\r\nX",  // garbage after the final chunk
        "0\r\n\r\n\r\n",
        "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",  // trailer not expected
        "0\r\nno colon\r\n\r\n",
    ])
    func malformedFraming(_ body: String) {
        let error = sigV4Error {
            _ = try decodeChunked(Array(body.utf8), with: AWSChunkedDecoder(signing: nil, expectsTrailer: false))
        }
        #expect(error?.code == .invalidChunk)
        #expect(error?.code.s3Code == "InvalidRequest")
    }

    @Test(arguments: [
        "0\r\n:value\r\n\r\n",
        "0\r\na:1\r\na:2\r\n\r\n",
        "0\r\nx-amz-trailer-signature:\(String(repeating: "a", count: 64))\r\n\r\n",
    ])
    func malformedTrailer(_ body: String) {
        let error = sigV4Error {
            _ = try decodeChunked(Array(body.utf8), with: AWSChunkedDecoder(signing: nil, expectsTrailer: true))
        }
        #expect(error?.code == .invalidChunk)
    }

    @Test func missingFinalCRLFAfterTrailer() {
        for body in ["0\r\nx-amz-checksum-crc32:AAAAAA==\r\n", "0\r\n", "0\r\nx-amz-checksum-crc32:AAAAAA=="] {
            let error = sigV4Error {
                _ = try decodeChunked(Array(body.utf8), with: AWSChunkedDecoder(signing: nil, expectsTrailer: true))
            }
            #expect(error?.code == .incompleteBody)
        }
    }

    @Test func chunkHeaderLineLimit() throws {
        let decoder = AWSChunkedDecoder(signing: nil, expectsTrailer: false)
        let limit = AWSChunkedDecoder.maximumChunkHeaderLength
        let longest = "3;" + String(repeating: "x", count: limit - 2)
        _ = try decodeChunked(
            Array("\(longest)\r\nabc\r\n0\r\n\r\n".utf8), with: decoder, splits: [1000, 1000, 1000, 1000, 1000])
        let tooLong = "3;" + String(repeating: "x", count: limit - 1)
        #expect(
            sigV4Error { _ = try decodeChunked(Array("\(tooLong)\r\nabc\r\n0\r\n\r\n".utf8), with: decoder) }?.code
                == .invalidChunk)
        // Rejected as soon as the line is too long, even before its end arrives.
        var streaming = decoder
        let error = sigV4Error {
            for _ in 0..<10 { _ = try streaming.feed(ByteBuffer(string: String(repeating: "1", count: 1000))) }
        }
        #expect(error?.code == .invalidChunk)
        #expect(sigV4Error { _ = try streaming.finish() }?.code == .invalidChunk)
    }

    @Test func trailerSectionLimit() throws {
        let decoder = AWSChunkedDecoder(signing: nil, expectsTrailer: true)
        var lines = ""
        for index in 0..<400 { lines += "x-amz-meta-\(index):\(String(repeating: "v", count: 40))\r\n" }
        let error = sigV4Error {
            _ = try decodeChunked(Array("0\r\n\(lines)\r\n".utf8), with: decoder, splits: [500, 500])
        }
        #expect(error?.code == .invalidChunk)
        let fits =
            "x-amz-checksum-crc32:" + String(repeating: "A", count: AWSChunkedDecoder.maximumTrailerLength - 25)
            + "\r\n"
        _ = try decodeChunked(Array("0\r\n\(fits)\r\n".utf8), with: decoder)
    }

    @Test func errorsAreSticky() {
        var decoder = AWSChunkedDecoder(signing: nil, expectsTrailer: false)
        let first = sigV4Error { _ = try decoder.feed(ByteBuffer(string: "zz\r\n")) }
        #expect(first?.code == .invalidChunk)
        #expect(sigV4Error { _ = try decoder.feed(ByteBuffer(string: "0\r\n\r\n")) } == first)
        #expect(sigV4Error { _ = try decoder.finish() } == first)
    }

    @Test func emptyFeedsAndFinishTwice() throws {
        var decoder = AWSChunkedDecoder(signing: nil, expectsTrailer: false)
        #expect(try decoder.feed(ByteBuffer()).isEmpty)
        _ = try decoder.feed(ByteBuffer(string: "2\r\nhi\r\n0\r\n\r\n"))
        #expect(try decoder.feed(ByteBuffer()).isEmpty)
        #expect(try decoder.finish().isEmpty)
        #expect(try decoder.finish().isEmpty)
        #expect(decoder.decodedLength == 2)
    }
}
