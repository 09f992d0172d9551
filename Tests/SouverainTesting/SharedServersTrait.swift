public import Testing

/// Starts one server of each available kind for a whole suite, and stops them (by PID) after the
/// suite's last test: how parameterised suites reach moto and a second Souverain without paying a
/// start per test case. Kinds whose binary is not installed are skipped; their tests are then not
/// generated (see `TestServer.isAvailable`).
public struct SharedServersTrait: SuiteTrait, TestScoping {
    public let kinds: [TestServer.Kind]

    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        var started: [TestServer.Kind: TestServer] = [:]
        do {
            for kind in kinds where TestServer.isAvailable(kind) { started[kind] = try await TestServer.start(kind) }
            try await TestServer.$running.withValue(started) { try await function() }
        } catch {
            for server in started.values { await server.stop() }
            throw error
        }
        for server in started.values { await server.stop() }
    }
}

extension TestServer {
    /// The servers a `.sharedServers` suite trait started, by kind.
    @TaskLocal public static var running: [Kind: TestServer] = [:]

    /// The shared server of `kind`, or an error naming the missing trait.
    public static func shared(_ kind: Kind) throws -> TestServer {
        guard let server = running[kind] else {
            throw TestServerError("no \(kind) server: run the suite with .sharedServers([.\(kind)]) and \(kind) installed")
        }
        return server
    }
}

extension Trait where Self == SharedServersTrait {
    /// One server of each of `kinds` (those installed) for the whole suite.
    public static func sharedServers(_ kinds: [TestServer.Kind]) -> Self { SharedServersTrait(kinds: kinds) }
}
