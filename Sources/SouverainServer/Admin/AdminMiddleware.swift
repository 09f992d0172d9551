import Hummingbird
import SouverainModel
import SouverainS3

/// The one authentication of the admin API: Signature V4 (header or query, long-lived keys or
/// session credentials) through the S3 path's own `authenticate`, its user put in the context.
/// Nothing after it re-checks a signature; an unsigned or badly signed call ends here.
struct AdminAuthenticator: RouterMiddleware {
    typealias Context = AdminRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let server = context.server
        context.caller = try await context.exchange.update { call in try await server.authenticate(&call) }
        return try await next(request, context)
    }
}

/// The role check of a group of routes: the caller's role must be one of `roles`. A role session
/// (AssumeRole, web identity) passes only where its permission policy allows
/// `souverain:<Action>`, and then acts as an admin for this call alone (`S3Server.adminCaller`);
/// a GetSessionToken session has its user's role, never more.
struct AdminRoleGate: RouterMiddleware {
    typealias Context = AdminRequestContext

    let roles: Set<Role>
    /// Who the group is for, as a refusal says it ("the admin role").
    let audience: String

    init(_ roles: Role..., audience: String) {
        self.roles = Set(roles)
        self.audience = audience
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let caller = context.caller else {
            throw S3Error(.accessDenied, "Anonymous access is not allowed: sign the request with an access key.")
        }
        let call = context.exchange.call
        let effective = try context.server.adminCaller(caller, call)
        guard roles.contains(effective.role) else {
            throw S3Error(.accessDenied, "\(call.operationName ?? "This call") needs \(audience).")
        }
        var context = context
        context.caller = effective
        return try await next(request, context)
    }
}

/// Turns the router's "no such route" into the admin API's answer to it, as an S3 error:
/// `MethodNotAllowed` (405) for a route asked with the wrong method, else `NotImplemented` (501)
/// naming the method and path. Outermost, so that it sees the not-found of
/// a path and of a method alike; the authenticator runs inside it, so an unsigned call to an
/// unknown path is refused as unsigned first.
struct AdminUnknownRoute: RouterMiddleware {
    typealias Context = AdminRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = context.exchange.call.path
            // A route that exists, asked with another method: 405, as S3 answers it.
            let methods: [HTTPRequest.Method] = [.get, .post, .delete, .put]
            if let allowed = methods.first(where: { AdminRouter.action(path: path, method: $0) != "AdminAPI" }) {
                throw S3Error(.methodNotAllowed, "The method \(request.method.rawValue) is not allowed against \(path) (\(allowed.rawValue) is).")
            }
            throw S3Error(.notImplemented, "No admin API at \(request.method.rawValue) \(path).")
        }
    }
}
