import Foundation
public import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway PostgreSQL for the tests (../shared/TOOLING.md): `initdb` into a temporary
/// directory (owned by `postgres` when the tests run as root), `pg_ctl start` on a free loopback
/// port, with trust authentication and `fsync=off`. One server serves every suite that runs at the
/// same time (`.sharedPostgres`), each test taking a fresh database of its own
/// (`createDatabase()`), so tests stay independent and parallel; the last suite out stops it
/// (`pg_ctl -m immediate stop`, by its data directory) and removes the directory.
///
/// Without PostgreSQL installed, the tests that need it are skipped, unless
/// `SOUVERAIN_REQUIRE_POSTGRES=1` (what scripts/test.sh sets): then they fail.
public actor TestPostgres {
    public static let shared = TestPostgres()

    /// A server of one's own (the tests of this type); suites share `shared`.
    public init() {}

    /// Where a running server listens.
    public struct Server: Sendable {
        public let host = "127.0.0.1"
        public let port: Int
        public let username = "postgres"
        let directory: URL
    }

    private var server: Server?
    /// The start under way, which every suite arriving meanwhile waits for: `start()` suspends
    /// (initdb, readiness), and the actor lets others in while it does, so a second suite must
    /// not see "no server" and start one of its own (whose release would then stop the other's).
    private var starting: Task<Server, any Error>?
    /// The suites holding the server (or waiting for its start): the last one out stops it.
    private var users = 0
    private var process: Process?

    /// The directory of `initdb`, `pg_ctl` and `createdb`: Debian's newest, or the PATH's.
    public static let binDirectory: String? = {
        let debian = "/usr/lib/postgresql"
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: debian) {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                let bin = "\(debian)/\(version)/bin"
                if FileManager.default.isExecutableFile(atPath: bin + "/initdb") { return bin }
            }
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") { return String(directory) }
        }
        return nil
    }()

    public static var isAvailable: Bool { binDirectory != nil }

    /// Set by scripts/test.sh: a missing PostgreSQL fails the tests instead of skipping them.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["SOUVERAIN_REQUIRE_POSTGRES"] == "1" }

    /// Whether tests that need PostgreSQL run: it is installed, or required (and then they fail).
    public static var shouldRun: Bool { isAvailable || isRequired }

    /// The server of the suites running now: started by the first, shared by the others, also
    /// by those that arrive while it is starting. Each successful call is paired with one
    /// `release()`; a failed one needs none.
    public func acquire() async throws -> Server {
        users += 1
        if let server { return server }
        let start: Task<Server, any Error>
        if let starting {
            start = starting
        } else {
            start = Task { try await self.start() }
            starting = start
        }
        do {
            let started = try await start.value
            if starting == start {
                starting = nil
                server = started
            }
            return started
        } catch {
            if starting == start { starting = nil }
            users -= 1
            throw error
        }
    }

    /// The last suite out stops the server; the next `acquire()` starts another.
    public func release() async {
        users -= 1
        guard users == 0, let server else { return }
        self.server = nil
        await stop(server)
    }

    /// How many suites hold the server now (for the tests of this type).
    public var holders: Int { users }

    /// The running server; an error outside a `.sharedPostgres` suite.
    public func running() throws -> Server {
        guard let server else { throw TestServerError("no PostgreSQL running: run the suite with .sharedPostgres") }
        return server
    }

    /// A new, empty database on the running server; its name.
    public func createDatabase() async throws -> String {
        guard let server else { throw TestServerError("no PostgreSQL running: run the suite with .sharedPostgres") }
        let name = "souverain_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await Self.runOffThePool(Self.tool("createdb"), ["-h", server.host, "-p", String(server.port), "-U", server.username, name])
        return name
    }

    // MARK: - Starting and stopping

    private static func tool(_ name: String) throws -> String {
        guard let bin = binDirectory else {
            throw TestServerError("PostgreSQL is not installed (no initdb): install Debian's postgresql, or unset SOUVERAIN_REQUIRE_POSTGRES")
        }
        return "\(bin)/\(name)"
    }

    /// Runs the postmaster itself as the child process (not `pg_ctl start`, whose daemon would
    /// inherit Foundation's descriptor that tells a child has exited, and keep `Process` waiting
    /// forever), and waits until it accepts connections.
    private func start() async throws -> Server {
        let initdb = try Self.tool("initdb"), postgres = try Self.tool("postgres"), isReady = try Self.tool("pg_isready")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("souverain-postgres-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try await Self.runOffThePool("/usr/bin/chown", ["postgres:postgres", directory.path]) }
        let data = directory.appendingPathComponent("data").path
        let log = directory.appendingPathComponent("server.log")
        do {
            try await Self.runOffThePool(initdb, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"],
                                         asPostgres: true)
            let port = try TestServer.freePort()
            let server = Server(port: port, directory: directory)
            let arguments = ["-D", data, "-p", String(port), "-k", directory.path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                             "-c", "max_connections=200"]
            let process = Process()
            if getuid() == 0 {
                process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
                process.arguments = ["-u", "postgres", "--", postgres] + arguments
            } else {
                process.executableURL = URL(fileURLWithPath: postgres)
                process.arguments = arguments
            }
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? output.close()
            self.process = process
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                guard process.isRunning else { break }
                if (try? await Self.runOffThePool(isReady, ["-h", server.host, "-p", String(port), "-U", server.username])) != nil {
                    return server
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestServerError("not ready within 60 s")
        } catch {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            await stop(Server(port: 0, directory: directory))
            throw TestServerError("PostgreSQL did not start: \(error) \(text.suffix(1500))")
        }
    }

    /// Immediate shutdown (SIGQUIT through `pg_ctl`, by the data directory), then removal.
    private func stop(_ server: Server) async {
        if let process, process.isRunning, let pgctl = try? Self.tool("pg_ctl") {
            try? await Self.runOffThePool(pgctl, ["-D", server.directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "-t", "30", "stop"],
                                          asPostgres: true)
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process = nil
        await TestDirectories.remove(server.directory.path)
    }

    /// `run` off the shared threads: on 2 cores, two blocked waits stall every PostgreSQL client.
    private static func runOffThePool(_ executable: String, _ arguments: [String], asPostgres: Bool = false) async throws {
        try await offThePool { try run(executable, arguments, asPostgres: asPostgres) }
    }

    /// Runs a PostgreSQL tool to its end (as `postgres` when root: the server refuses to run as root).
    private static func run(_ executable: String, _ arguments: [String], asPostgres: Bool) throws {
        let process = Process()
        if asPostgres, getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        // A file, not a pipe: the server that `pg_ctl start` leaves running inherits the
        // descriptors, and a pipe would then never reach its end.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("souverain-pg-tool-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputPath.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputPath) }
        let output = try FileHandle(forWritingTo: outputPath)
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw TestServerError("\((executable as NSString).lastPathComponent) failed (\(process.terminationStatus)): \(text.suffix(1500))")
        }
    }
}

/// Starts (or shares) the test PostgreSQL around a suite, stopped after the last suite using it.
public struct SharedPostgresTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        _ = try await TestPostgres.shared.acquire()
        do {
            try await function()
        } catch {
            await TestPostgres.shared.release()
            throw error
        }
        await TestPostgres.shared.release()
    }
}

extension Trait where Self == SharedPostgresTrait {
    /// The test PostgreSQL for the whole suite (`TestPostgres.shared`).
    public static var sharedPostgres: Self { SharedPostgresTrait() }
}
