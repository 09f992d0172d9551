import Hummingbird
import Logging
import NIOConcurrencyHelpers
import SouverainModel
import SouverainS3

/// The admin router's request context: Hummingbird's core storage, the server serving the
/// request, the call being served (shared with `S3Server.respond`, which writes the call's audit
/// record once the router has answered), and the caller's verified identity, which only
/// `AdminAuthenticator` sets and `AdminRoleGate` may narrow (hummingbird-auth's pattern: the
/// identity travels in the context, never re-derived by a handler).
struct AdminRequestContext: RequestContext {
    typealias Source = AdminRequestSource

    var coreContext: CoreRequestContextStorage
    let server: S3Server
    let exchange: AdminExchange
    /// The verified caller; nil until the authenticator has run. For a role session that its
    /// permission policy lets through a role gate, the caller acts as an admin for this call alone.
    var caller: User?

    init(source: AdminRequestSource) {
        coreContext = .init(source: source)
        server = source.server
        exchange = source.exchange
    }

    /// Admin answers and bodies are small JSON documents, read with `AdminJSON`'s own limit.
    var maxUploadSize: Int { AdminJSON.maximumBodyBytes }

    /// Runs a handler on the call, with the caller the middlewares verified.
    func serve(_ handler: (S3Server, inout S3Call, User) async throws -> Response) async throws -> Response {
        guard let caller else { throw S3Error(.accessDenied, "Anonymous access is not allowed: sign the request with an access key.") }
        let server = self.server
        return try await exchange.update { call in try await handler(server, &call, caller) }
    }
}

/// What `S3Server.respond` hands the admin router for one request.
struct AdminRequestSource: RequestContextSource {
    let logger: Logger
    let server: S3Server
    let exchange: AdminExchange
}

/// The call one admin request is served as, passed from `S3Server.respond` through the router's
/// middlewares and handler and back, each step updating it in turn (the operation's name, the
/// verified user, bytes in and out, what the trail should say). The steps follow one another in
/// the request's task, so the lock is only ever taken uncontended; a step works on its own copy
/// and puts it back when it ends, thrown out or not, so a refusal is recorded with what was known.
final class AdminExchange: Sendable {
    private let state: NIOLockedValueBox<S3Call>

    init(_ call: S3Call) {
        state = NIOLockedValueBox(call)
    }

    var call: S3Call { state.withLockedValue { $0 } }

    func update<T>(_ step: (inout S3Call) async throws -> T) async throws -> T {
        var call = state.withLockedValue { $0 }
        defer { state.withLockedValue { $0 = call } }
        return try await step(&call)
    }
}
