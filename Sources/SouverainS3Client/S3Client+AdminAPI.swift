import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1

extension S3Client {
    /// A signed request to a Souverain server's admin API, `/_souverain/PATH`, with an empty
    /// body; returns the whole answer (up to `limit` bytes). Sent once: an admin action may not
    /// be safe to repeat.
    public func adminRequest(
        method: String, path: String, query: [(name: String, value: String?)] = [], limit: Int = 64 * 1024 * 1024,
        timeout: Duration = .seconds(3600)
    ) async throws -> ByteBuffer {
        let request = S3Request(
            operation: "Admin \(path)", method: HTTPMethod(rawValue: method), bucket: "_souverain", key: path, query: query)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(prepare(request, date: Date()), deadline: .now() + .nanoseconds(timeout.nanoseconds))
        } catch {
            throw Self.transportError(error, request: request)
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw await Self.responseError(response, request: request)
        }
        return try await response.body.collect(upTo: limit)
    }
}
