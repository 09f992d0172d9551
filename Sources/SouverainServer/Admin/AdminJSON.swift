import Foundation
import Hummingbird
import NIOCore
import SouverainS3

/// The admin API's JSON on the wire: answers are one object with sorted keys and a newline (as
/// the API answered when it built dictionaries, so scripts that compare answers keep working),
/// bodies are small JSON objects read with a limit.
enum AdminJSON {
    /// The largest request body an admin call reads (roles, users and grants are small).
    static let maximumBodyBytes = 64 * 1024

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A 200 answer holding `value`, counted in the call's bytes out.
    static func response(_ value: some Encodable, call: inout S3Call) throws -> Response {
        let body = String(decoding: try encoder().encode(value), as: UTF8.self) + "\n"
        call.bytesOut = Int64(body.utf8.count)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A 204 answer: the call did what it was asked and has nothing to say.
    static func noContent() -> Response {
        Response(status: .noContent)
    }

    /// The request's body decoded as `T`; InvalidArgument naming `expected` when it is not JSON of
    /// that shape or is larger than `maximumBodyBytes`.
    static func body<T: Decodable>(_ type: T.Type, _ call: inout S3Call, expected: String) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await call.request.body.collect(upTo: maximumBodyBytes)
        } catch {
            throw S3Error(.invalidArgument, "The request body is larger than \(maximumBodyBytes / 1024) KiB.")
        }
        call.bytesIn = Int64(buffer.readableBytes)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw S3Error(.invalidArgument, "The body must be a JSON object \(expected).")
        }
    }

    /// A required, non-empty query parameter; InvalidArgument naming it otherwise.
    static func required(_ name: String, _ call: S3Call) throws -> String {
        guard let value = call.queryParameters[name], !value.isEmpty else {
            throw S3Error(.invalidArgument, "Give ?\(name)=….")
        }
        return value
    }
}
