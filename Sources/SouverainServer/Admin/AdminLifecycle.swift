import Foundation
import Hummingbird
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// `POST /_souverain/lifecycle/run`: the buckets examined and every action taken.
public struct LifecycleRunAnswer: Codable, Sendable {
    public struct Action: Codable, Sendable {
        public var action: String
        public var bucket: String
        public var key: String
        public var rule: String
        public var outcome: String
        public var version: String?
        public var uploadId: String?
    }

    public var buckets: [String]
    public var examined: Int
    public var actions: [Action]
}

extension S3Server {
    /// `POST /_souverain/lifecycle/run[?bucket=B]`, for admins: runs one lifecycle pass now, over
    /// one bucket or every bucket with a configuration, without the background pass's pace, and
    /// answers what it did (`souverain lifecycle run`). Each action is in the audit trail as the
    /// background pass records it.
    func runLifecycle(_ call: inout S3Call) async throws -> Response {
        call.operationName = "RunLifecycle"
        let bucket = call.adminBucket
        if let bucket, try await store.catalogueStore.bucket(named: bucket) == nil {
            throw S3Error(.noSuchBucket, "The specified bucket does not exist", resource: bucket, extra: [("BucketName", bucket)])
        }
        let report = try await store.runLifecycle(bucket: bucket, now: Date(), days: lifecycleDays)
        let actions = report.entries.map { entry in
            LifecycleRunAnswer.Action(
                action: entry.action.description, bucket: entry.bucket, key: entry.key, rule: entry.rule,
                outcome: entry.outcome.rawValue, version: entry.version, uploadId: entry.uploadID)
        }
        return try AdminJSON.response(LifecycleRunAnswer(buckets: report.buckets, examined: report.examined, actions: actions), call: &call)
    }
}
