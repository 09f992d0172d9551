import SouverainAudit
import SouverainCatalogue
import SouverainModel

extension S3Server {
    /// One record per multipart upload a DeleteBucket aborted (its parts destroyed), under the
    /// DeleteBucket's request id, before the DeleteBucket's own record.
    func recordAbortsByDeleteBucket(_ uploads: [UploadRecord], _ call: S3Call) async throws {
        guard let audit else { return }
        let user = call.user.map { "\($0.name) (\($0.accessKeyID), id \($0.id))" }
        for upload in uploads {
            try await audit.record(AuditEvent(
                requestID: call.requestID, user: user, sourceAddress: call.remoteAddress,
                operation: AuditOperation("AbortMultipartUpload"), bucket: upload.bucket, key: upload.key,
                locations: [audit.access(upload.location, .delete)], status: 204,
                detail: "upload \(upload.uploadID) aborted by DeleteBucket"))
        }
    }
}
