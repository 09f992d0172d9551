import Foundation
import Hummingbird
import SouverainEngine
import SouverainS3

/// `GET /_souverain/locations`: every configured location and whether it answers.
public struct LocationHealthAnswer: Codable, Sendable {
    public struct Location: Codable, Sendable {
        public var location: String
        /// `up`, `down` or `probing`.
        public var state: String
        public var consecutiveFailures: Int
        public var lastFailure: String?
        public var lastError: String?
    }

    public var locations: [Location]
}

/// `GET /_souverain/repair`, and the end of every repair and scrub answer: objects lacking a good copy.
public struct RepairBacklogAnswer: Codable, Sendable {
    public var backlog: Int
}

/// `POST /_souverain/repair`.
public struct RepairAnswer: Codable, Sendable {
    public var repaired: Int
    public var deferred: Int
    public var changed: Int
    public var backlog: Int
}

/// `POST /_souverain/scrub`.
public struct ScrubAnswer: Codable, Sendable {
    public var verified: Int
    public var damaged: Int
    public var skipped: Int
    public var backlog: Int
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
