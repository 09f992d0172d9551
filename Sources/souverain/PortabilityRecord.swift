import Foundation
import SouverainS3Client

/// The record `souverain export` and `souverain import` leave in the trail of the server they ran
/// against (`POST /_souverain/portability/record`): which bucket went where, or came from where,
/// and how much of it. Only for the server running on --data: another endpoint keeps no trail of
/// ours.
enum PortabilityRecord {
    /// `seconds`: how long the export or import ran, when it moved every byte it counts (what
    /// `souverain report` estimates exits from; nil for a resumed run, which skipped bytes);
    /// `versions` and `deleteMarkers`: of a versioned bucket's export or import (nil otherwise).
    static func send(
        _ client: S3Client, operation: String, bucket: String, objects: Int, bytes: Int64, complete: Bool, place: String,
        seconds: Double?, versions: Int? = nil, deleteMarkers: Int? = nil
    ) async throws {
        var query: [(name: String, value: String?)] = [
            ("operation", operation), ("bucket", bucket), ("objects", "\(objects)"), ("bytes", "\(max(0, bytes))"),
            ("complete", complete ? "true" : "false"), ("place", place),
        ]
        if let seconds { query.append(("seconds", String(format: "%.3f", max(0, seconds)))) }
        if let versions { query.append(("versions", "\(versions)")) }
        if let deleteMarkers { query.append(("deleteMarkers", "\(deleteMarkers)")) }
        _ = try await client.adminRequest(method: "POST", path: "portability/record", query: query)
    }

    /// A directory as the trail names it: its absolute path on this machine.
    static func directory(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return "\(absolute) on \(ProcessInfo.processInfo.hostName)"
    }
}
