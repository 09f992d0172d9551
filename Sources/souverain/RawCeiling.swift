import ArgumentParser
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import NIOPosix
import SouverainServer
import SouverainStorage
import Synchronization

/// `souverain raw-ceiling`: the benchmark's raw ceiling. The same HTTP stack (Hummingbird), the
/// same durable blob writes (`LocalLocation`: temp file, fdatasync, rename, directory fsync, or for
/// small blobs one shared syncfs) and the same I/O pool as the server, and nothing else: no
/// signature check, no hashing, no catalogue, no audit trail. Keys map to blobs in memory. For
/// measurement only.
struct RawCeiling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-ceiling",
        abstract: "A do-almost-nothing endpoint that streams bodies to durable files: the ceiling benchmarks compare with.",
        shouldDisplay: false)

    @Option(help: "Directory for the blobs.") var directory: String
    @Option(help: "HOST:PORT to listen on.") var address = "127.0.0.1:0"

    func run() async throws {
        NIOSingletons.blockingPoolThreadCountSuggestion = LocalLocation.ioThreads
        var settings = Settings()
        try settings.set("address", address)
        let (host, port) = try settings.hostAndPort()
        let location = try await LocalLocation(id: "raw", root: directory)
        let app = Application(
            responder: RawResponder(location: location, blobs: RawBlobs()),
            server: .http1WithLargeReads(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()], idleTimeout: .seconds(300))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "raw-ceiling"),
            onServerRunning: { channel in
                FileHandle.standardOutput.write(Data("raw ceiling on http://\(host):\(channel.localAddress?.port ?? port)\n".utf8))
            },
            logger: Logger(label: "raw-ceiling"))
        try await app.runService()
    }
}

final class RawBlobs: Sendable {
    let byKey = Mutex<[String: (locator: String, size: Int64)]>([:])
}

struct RawResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let location: LocalLocation
    let blobs: RawBlobs

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let path = request.uri.path
        let isObject = path.dropFirst().contains("/")
        switch (request.method, isObject) {
        case (.put, true):
            let writer = try await location.makeBlobWriter()
            do {
                for try await buffer in request.body { try await writer.write(buffer) }
                let size = try await writer.commit()
                let old = blobs.byKey.withLock { $0.updateValue((writer.locator, size), forKey: path) }
                if let old { try? await location.delete(locator: old.locator) }
            } catch {
                await writer.abort()
                throw error
            }
            return Response(status: .ok, headers: [.eTag: "\"d41d8cd98f00b204e9800998ecf8427e\""])
        case (.get, true), (.head, true):
            guard let blob = blobs.byKey.withLock({ $0[path] }) else { return Response(status: .notFound) }
            var headers: HTTPFields = [.contentLength: String(blob.size), .eTag: "\"d41d8cd98f00b204e9800998ecf8427e\""]
            headers[.contentType] = "binary/octet-stream"
            if request.method == .head { return Response(status: .ok, headers: headers) }
            let location = self.location
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: Int(blob.size)) { writer in
                try await location.read(locator: blob.locator, range: nil, chunkSize: 256 * 1024) { try await writer.write($0) }
                try await writer.finish(nil)
            })
        case (.delete, true):
            if let old = blobs.byKey.withLock({ $0.removeValue(forKey: path) }) { try? await location.delete(locator: old.locator) }
            return Response(status: .noContent)
        default:
            // Bucket creation and the rest: accepted, nothing done.
            for try await _ in request.body {}
            return Response(status: .ok)
        }
    }
}
