import Foundation
import Hummingbird
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// `POST /_souverain/portability/record`'s answer.
struct PortabilityRecordedAnswer: Codable {
    var recorded: Bool
}

extension S3Server {
    /// `POST /_souverain/portability/record?operation=export|import&bucket=B&objects=N&bytes=N&complete=true|false&place=WHERE&seconds=S`
    /// (and `&versions=N&deleteMarkers=N` for a versioned bucket)
    /// (admins): the record `souverain export` and `souverain import` leave of a bucket's exit to
    /// plain files or its entry from elsewhere, once they have run. Each object they read or wrote
    /// is a request of its own in the trail; this record says where the bucket went or came from,
    /// and how much of it. Recorded as `export` or `import`.
    func recordPortability(_ call: inout S3Call, caller user: User) async throws -> Response {
        let query = call.queryParameters
        let operation: AuditOperation
        switch query["operation"] {
        case "export": operation = .export
        case "import": operation = .import
        default: throw S3Error(.invalidArgument, "Name the movement: ?operation=export or ?operation=import.")
        }
        call.operationName = operation == .export ? "RecordExport" : "RecordImport"
        guard let bucket = query["bucket"], !bucket.isEmpty else { throw S3Error(.invalidArgument, "Name the bucket: ?bucket=NAME.") }
        guard try await store.catalogueStore.bucket(named: bucket) != nil else {
            throw S3Error(.noSuchBucket, "The specified bucket does not exist")
        }
        guard let objects = query["objects"].flatMap(UInt64.init), let bytes = query["bytes"].flatMap(UInt64.init) else {
            throw S3Error(.invalidArgument, "Give the counts: &objects=N&bytes=N.")
        }
        let place = String((query["place"] ?? "unknown").prefix(1024))
        let complete = query["complete"] != "false"
        guard let audit else { throw S3Error(.serviceUnavailable, "The audit trail is not enabled on this server.") }
        // A versioned bucket's export or import says how many versions and delete markers it carried.
        var versions = ""
        if let count = query["versions"].flatMap(UInt64.init) {
            versions = ", \(count) versions and \(query["deleteMarkers"].flatMap(UInt64.init) ?? 0) delete markers"
        }
        let verb = operation == .export ? "exported to" : "imported from"
        // How long it took (measured by the command), so that exit plans can estimate the time a
        // move takes (`souverain report`): the detail then ends with " in SECONDS s".
        var took = ""
        if let text = query["seconds"] {
            guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e9 else {
                throw S3Error(.invalidArgument, "&seconds= takes the seconds the movement took, a number.")
            }
            took = " in \(String(format: "%.3f", seconds)) s"
        }
        let event = AuditEvent(
            requestID: call.requestID, user: "\(user.name) (\(user.accessKeyID))", sourceAddress: call.remoteAddress,
            operation: operation, bucket: bucket, bytesIn: operation == .import ? bytes : 0, bytesOut: operation == .export ? bytes : 0,
            status: 200, errorCode: complete ? nil : "Incomplete",
            detail: "\(objects) objects (\(bytes) bytes\(versions)) \(verb) \(place)\(took)\(complete ? "" : "; incomplete, to be resumed")")
        try await audit.record(event)
        return try AdminJSON.response(PortabilityRecordedAnswer(recorded: true), call: &call)
    }
}
