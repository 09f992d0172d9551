import Foundation
import Hummingbird
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

extension S3Server {
    /// Location health and the repair of replicas, for admins (docs/replicas.md):
    /// - `GET /_souverain/locations`: every configured location, whether it answers (`up`,
    ///   `down`, `probing`), its failures in a row and the last error;
    /// - `GET /_souverain/repair`: how many objects lack a good copy;
    /// - `POST /_souverain/repair`: runs a repair pass now and reports it;
    /// - `POST /_souverain/scrub`: reads every copy of every replicated object and authenticates
    ///   it now, marking damaged copies for the repair.
    func manageReplicas(_ call: inout S3Call, user: User) async throws -> Response {
        guard user.role == .admin else { throw S3Error(.accessDenied, "Location health and repair need the admin role.") }
        var answer: [String: Any] = [:]
        switch (call.path.dropFirst(Self.adminPrefix.count), call.request.method) {
        case ("locations", .get):
            call.operationName = "ListLocationHealth"
            answer["locations"] = store.health.statuses(of: store.locations.byID.keys.sorted()).map { status in
                var item: [String: Any] = [
                    "location": status.location, "state": status.state.rawValue, "consecutiveFailures": status.consecutiveFailures,
                ]
                if let date = status.lastFailure { item["lastFailure"] = S3Date.iso8601(date) }
                if let error = status.lastError { item["lastError"] = error }
                return item
            }
        case ("repair", .get):
            call.operationName = "RepairStatus"
            answer["backlog"] = try await store.repairBacklog()
        case ("repair", .post):
            call.operationName = "Repair"
            let report = try await store.repair(limit: 10_000)
            answer = ["repaired": report.repaired, "deferred": report.deferred, "changed": report.changed,
                      "backlog": try await store.repairBacklog()]
        case ("scrub", .post):
            call.operationName = "Scrub"
            let report = try await store.scrub()
            answer = ["verified": report.verified, "damaged": report.damaged, "skipped": report.skipped,
                      "backlog": try await store.repairBacklog()]
        default:
            throw S3Error(.notImplemented, "No admin API at \(call.request.method.rawValue) \(call.path).")
        }
        return try Self.jsonResponse(answer, call: &call)
    }

    /// Sets the gauges of location health and the repair backlog, just before `/metrics` is read.
    func refreshReplicaMetrics() async {
        for status in store.health.statuses(of: store.locations.byID.keys.sorted()) {
            metrics.locationUp(status.location, status.state != .down)
        }
        if let backlog = try? await store.repairBacklog() { metrics.repairBacklog(backlog) }
    }
}
