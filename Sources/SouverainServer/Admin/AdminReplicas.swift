import Foundation
import Hummingbird
import SouverainEngine
import SouverainS3

/// `GET /_souverain/locations`: every configured location and whether it answers.
struct LocationHealthAnswer: Codable {
    struct Location: Codable {
        var location: String
        /// `up`, `down` or `probing`.
        var state: String
        var consecutiveFailures: Int
        var lastFailure: String?
        var lastError: String?
    }

    var locations: [Location]
}

/// `GET /_souverain/repair`, and the end of every repair and scrub answer: objects lacking a good copy.
struct RepairBacklogAnswer: Codable {
    var backlog: Int
}

/// `POST /_souverain/repair`.
struct RepairAnswer: Codable {
    var repaired: Int
    var deferred: Int
    var changed: Int
    var backlog: Int
}

/// `POST /_souverain/scrub`.
struct ScrubAnswer: Codable {
    var verified: Int
    var damaged: Int
    var skipped: Int
    var backlog: Int
}

/// Location health and the repair of replicas, for admins (docs/replicas.md):
/// - `GET /_souverain/locations`: every configured location, whether it answers (`up`,
///   `down`, `probing`), its failures in a row and the last error;
/// - `GET /_souverain/repair`: how many objects lack a good copy;
/// - `POST /_souverain/repair`: runs a repair pass now and reports it;
/// - `POST /_souverain/scrub`: reads every copy of every replicated object and authenticates
///   it now, marking damaged copies for the repair.
extension S3Server {
    func listLocationHealth(_ call: inout S3Call) throws -> Response {
        let locations = store.health.statuses(of: store.locations.byID.keys.sorted()).map { status in
            LocationHealthAnswer.Location(
                location: status.location, state: status.state.rawValue, consecutiveFailures: status.consecutiveFailures,
                lastFailure: status.lastFailure.map(S3Date.iso8601), lastError: status.lastError)
        }
        return try AdminJSON.response(LocationHealthAnswer(locations: locations), call: &call)
    }

    func repairStatus(_ call: inout S3Call) async throws -> Response {
        try AdminJSON.response(RepairBacklogAnswer(backlog: try await store.repairBacklog()), call: &call)
    }

    func repair(_ call: inout S3Call) async throws -> Response {
        let report = try await store.repair(limit: 10_000)
        let answer = RepairAnswer(
            repaired: report.repaired, deferred: report.deferred, changed: report.changed, backlog: try await store.repairBacklog())
        return try AdminJSON.response(answer, call: &call)
    }

    func scrub(_ call: inout S3Call) async throws -> Response {
        let report = try await store.scrub()
        let answer = ScrubAnswer(verified: report.verified, damaged: report.damaged, skipped: report.skipped, backlog: try await store.repairBacklog())
        return try AdminJSON.response(answer, call: &call)
    }
}
