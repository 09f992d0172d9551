import Hummingbird
import HTTPTypes
import SouverainModel

/// The admin API under `/_souverain/` (docs/admin-api.md) as a Hummingbird router: one
/// authenticator for every route, then a role gate per group of routes, then a handler that reads
/// and answers typed JSON (`Admin*.swift`). `S3Server.respond` hands it every request under the
/// reserved prefix, and writes the call's audit record from what the router left in the exchange,
/// before the answer leaves, as for every S3 request. Errors are S3 errors (XML), rendered there.
enum AdminRouter {
    /// Built once: routes hold no state; the server serving a request comes in its context.
    static let responder: RouterResponder<AdminRequestContext> = build()

    static func build() -> RouterResponder<AdminRequestContext> {
        let router = Router(context: AdminRequestContext.self)
        router.add(middleware: AdminUnknownRoute())
        router.add(middleware: AdminAuthenticator())
        let api = router.group("_souverain")

        // Anyone signed: who am I, and where would a classification's bytes go.
        api.get("whoami") { _, context in try await context.serve { server, call, caller in try server.whoAmI(&call, caller: caller) } }
        api.get("placement/explain") { _, context in try await context.serve { server, call, _ in try server.explainPlacement(&call) } }

        // Admins and auditors: the trail and the compliance report.
        let auditors = api.group().add(middleware: AdminRoleGate(.admin, .auditor, audience: "the admin or auditor role"))
        auditors.get("audit/records") { _, context in try await context.serve { server, call, _ in try await server.readAuditTrail(&call) } }
        auditors.get("audit/verify") { _, context in try await context.serve { server, call, _ in try await server.verifyAuditTrail(&call) } }
        auditors.get("report") { _, context in try await context.serve { server, call, _ in try await server.serveReport(&call) } }

        // Admins only: everything that changes the server's state or shows its secrets' custody.
        let admins = api.group().add(middleware: AdminRoleGate(.admin, audience: "the admin role"))
        admins.get("users") { _, context in try await context.serve { server, call, _ in try await server.listUsers(&call) } }
        admins.post("users") { _, context in try await context.serve { server, call, _ in try await server.createUser(&call) } }
        admins.delete("users") { _, context in try await context.serve { server, call, caller in try await server.deleteUser(&call, caller: caller) } }
        admins.get("buckets") { _, context in try await context.serve { server, call, _ in try await server.listBucketGrants(&call) } }
        admins.post("buckets/grant") { _, context in try await context.serve { server, call, _ in try await server.grantBucket(&call) } }
        admins.post("buckets/revoke") { _, context in try await context.serve { server, call, _ in try await server.revokeBucket(&call) } }
        admins.post("buckets/shred") { _, context in try await context.serve { server, call, caller in try await server.shredBucket(&call, caller: caller) } }
        admins.get("roles") { _, context in try await context.serve { server, call, _ in try await server.listRoles(&call) } }
        admins.post("roles") { _, context in try await context.serve { server, call, _ in try await server.createRole(&call) } }
        admins.delete("roles") { _, context in try await context.serve { server, call, _ in try await server.deleteRole(&call) } }
        admins.get("keys") { _, context in try await context.serve { server, call, _ in try await server.listKeys(&call) } }
        for action in KeyAction.allCases {
            admins.post(RouterPath("keys/" + action.rawValue)) { _, context in
                try await context.serve { server, call, caller in try await server.administerKey(action, &call, caller: caller) }
            }
        }
        admins.get("locations") { _, context in try await context.serve { server, call, _ in try server.listLocationHealth(&call) } }
        admins.get("repair") { _, context in try await context.serve { server, call, _ in try await server.repairStatus(&call) } }
        admins.post("repair") { _, context in try await context.serve { server, call, _ in try await server.repair(&call) } }
        admins.post("scrub") { _, context in try await context.serve { server, call, _ in try await server.scrub(&call) } }
        admins.post("placement/enforce") { _, context in try await context.serve { server, call, caller in try await server.enforcePlacement(&call, caller: caller) } }
        admins.get("migrate") { _, context in try await context.serve { server, call, _ in try await server.migrationPlan(&call) } }
        admins.post("migrate") { _, context in try await context.serve { server, call, caller in try await server.migrate(&call, caller: caller) } }
        admins.post("portability/record") { _, context in try await context.serve { server, call, caller in try await server.recordPortability(&call, caller: caller) } }
        admins.post("lifecycle/run") { _, context in try await context.serve { server, call, _ in try await server.runLifecycle(&call) } }
        return router.buildResponder()
    }

    /// The action a request asks for, named before authentication so that a refused call is
    /// recorded as what it tried (`ShredBucket`, `Migrate`, `Repair`, ...), not as a bare
    /// `AdminAPI`; a role session's permission policy is asked about `souverain:<Action>`. Some
    /// handlers refine it from the query (named keys, export or import records).
    static func action(path: String, method: HTTPRequest.Method) -> String {
        switch (path.dropFirst(S3Server.adminPrefix.count), method) {
        case ("placement/enforce", .post): "EnforcePlacement"
        case ("migrate", .get): "MigrationPlan"
        case ("migrate", .post): "Migrate"
        case ("buckets/shred", .post): "ShredBucket"
        case ("locations", .get): "ListLocationHealth"
        case ("repair", .get): "RepairStatus"
        case ("repair", .post): "Repair"
        case ("scrub", .post): "Scrub"
        case ("keys", .get): "ListKeys"
        case ("keys/rotate", .post): "RotateKeys"
        case ("keys/retire", .post): "RetireKey"
        case ("keys/create", .post): "CreateKey"
        case ("keys/shred", .post): "ShredKey"
        case ("keys/grant", .post): "GrantKey"
        case ("keys/revoke", .post): "RevokeKey"
        case ("audit/records", .get): "ReadAuditTrail"
        case ("lifecycle/run", .post): "RunLifecycle"
        case ("report", .get): "GetComplianceReport"
        case ("roles", .get): "ListRoles"
        case ("roles", .post): "CreateRole"
        case ("roles", .delete): "DeleteRole"
        case ("whoami", .get): "WhoAmI"
        case ("users", .get): "ListUsers"
        case ("users", .post): "CreateUser"
        case ("users", .delete): "DeleteUser"
        case ("buckets", .get): "ListBucketGrants"
        case ("buckets/grant", .post): "GrantBucket"
        case ("buckets/revoke", .post): "RevokeBucket"
        case ("placement/explain", .get): "ExplainPlacement"
        case ("audit/verify", .get): "VerifyAuditTrail"
        default: "AdminAPI"
        }
    }
}

extension S3Server {
    /// Serves one admin API call through `AdminRouter`, leaving in `call` what the trail records.
    func handleAdmin(_ call: inout S3Call) async throws -> Response {
        call.operationName = AdminRouter.action(path: call.path, method: call.request.method)
        call.adminBucket = call.queryParameters["bucket"].flatMap { $0.isEmpty ? nil : $0 }
        let exchange = AdminExchange(call)
        defer { call = exchange.call }
        let context = AdminRequestContext(source: AdminRequestSource(logger: call.logger, server: self, exchange: exchange))
        return try await AdminRouter.responder.respond(to: call.request, context: context)
    }
}
