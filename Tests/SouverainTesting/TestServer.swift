import Foundation
public import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An S3 server run for a test as a child process, on loopback, stopped by its PID.
public final class TestServer: @unchecked Sendable {
    // @unchecked: `process` is only touched by start and stop, which a test calls in sequence.
    public enum Kind: String, Sendable, CustomTestStringConvertible {
        case souverain, moto
        public var testDescription: String { rawValue }
    }

    /// The server a `.sharedServer` suite trait started for the tests inside it.
    @TaskLocal public static var current: TestServer?

    public let kind: Kind
    public let endpoint: String
    public let accessKey: String
    public let secretKey: String
    public let region = "us-east-1"
    private let process: Process
    private let directory: URL

    /// The souverain binary: `SOUVERAIN_BINARY`, or the package's own debug build.
    public static var souverainBinary: String? {
        if let path = ProcessInfo.processInfo.environment["SOUVERAIN_BINARY"], !path.isEmpty {
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        var root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let path = root.appendingPathComponent(".build/debug/souverain").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// moto's server, when installed.
    public static var motoBinary: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static func isAvailable(_ kind: Kind) -> Bool {
        switch kind {
        case .souverain: return souverainBinary != nil
        case .moto: return motoBinary != nil
        }
    }

    /// Starts a server of `kind` and waits (at most 120 s: a loaded machine runs many test servers at once) until it is ready.
    public static func start(_ kind: Kind) async throws -> TestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("souverain-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try freePort()
        let process = Process()
        let accessKey = "TESTACCESSKEY\(Int.random(in: 1000...9999))"
        let secretKey = "test-secret-\(UUID().uuidString)"
        var environment = ProcessInfo.processInfo.environment
        switch kind {
        case .souverain:
            guard let binary = souverainBinary else { throw TestServerError("souverain binary not found") }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--data", directory.appendingPathComponent("data").path,
                                 "--address", "127.0.0.1:\(port)", "--log-level", "warning"]
            environment["SOUVERAIN_ADMIN_ACCESS_KEY"] = accessKey
            environment["SOUVERAIN_ADMIN_SECRET_KEY"] = secretKey
        case .moto:
            guard let binary = motoBinary else { throw TestServerError("moto_server not found") }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        }
        process.environment = environment
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let server = TestServer(kind: kind, endpoint: "http://127.0.0.1:\(port)", accessKey: accessKey,
                                secretKey: secretKey, process: process, directory: directory)
        let readyPath = kind == .souverain ? "/health/ready" : "/moto-api/"
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if !process.isRunning { break }
            if let status = httpStatus(port: port, path: readyPath), status == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        await server.stop()
        throw TestServerError("\(kind) did not become ready within 120 s: \(output.suffix(2000))")
    }

    private init(kind: Kind, endpoint: String, accessKey: String, secretKey: String, process: Process, directory: URL) {
        self.kind = kind
        self.endpoint = endpoint
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.process = process
        self.directory = directory
    }

    /// SIGTERM, then SIGKILL after 10 s; then removes the data directory.
    public func stop() async {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        await TestDirectories.remove(directory.path)
    }

    /// A loopback port that was free a moment ago.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestServerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestServerError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The status of `GET path` on 127.0.0.1:`port`, or nil when nothing answers (1 s timeout).
    public static func httpStatus(port: Int, path: String) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 12 else { return nil }
        let line = String(decoding: buffer[0..<count], as: UTF8.self)
        let parts = line.split(separator: " ")
        return parts.count > 1 ? Int(parts[1]) : nil
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Starts one server of a kind for a whole suite and stops it after the suite's last test.
public struct SharedServerTrait: SuiteTrait, TestScoping {
    public let kind: TestServer.Kind

    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await TestServer.start(kind)
        do {
            try await TestServer.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

extension Trait where Self == SharedServerTrait {
    /// One server of `kind` for the whole suite, reached in tests through `TestServer.current`.
    public static func sharedServer(_ kind: TestServer.Kind) -> Self { SharedServerTrait(kind: kind) }
}
