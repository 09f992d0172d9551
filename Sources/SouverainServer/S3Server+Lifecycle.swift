import Foundation
import Hummingbird
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

extension S3Server {
    /// `POST /_souverain/lifecycle/run[?bucket=B]`, for admins: runs one lifecycle pass now, over
    /// one bucket or every bucket with a configuration, without the background pass's pace, and
    /// answers what it did (`souverain lifecycle run`). Each action is in the audit trail as the
    /// background pass records it.
    func runLifecycle(_ call: inout S3Call, user: User) async throws -> Response {
        call.operationName = "RunLifecycle"
        guard user.role == .admin else { throw S3Error(.accessDenied, "Running lifecycle needs the admin role.") }
        guard call.request.method == .post else {
            throw S3Error(.methodNotAllowed, "Run a lifecycle pass with POST \(Self.adminPrefix)lifecycle/run.")
        }
        let bucket = call.adminBucket
        if let bucket, try await store.catalogueStore.bucket(named: bucket) == nil {
            throw S3Error(.noSuchBucket, "The specified bucket does not exist", resource: bucket, extra: [("BucketName", bucket)])
        }
        let report = try await store.runLifecycle(bucket: bucket, now: Date(), days: lifecycleDays)
        let actions: [[String: Any]] = report.entries.map { entry in
            var item: [String: Any] = [
                "action": entry.action.description, "bucket": entry.bucket, "key": entry.key, "rule": entry.rule,
                "outcome": entry.outcome.rawValue,
            ]
            if let version = entry.version { item["version"] = version }
            if let uploadID = entry.uploadID { item["uploadId"] = uploadID }
            return item
        }
        return try Self.jsonResponse(
            ["buckets": report.buckets, "examined": report.examined, "actions": actions], call: &call)
    }
}
