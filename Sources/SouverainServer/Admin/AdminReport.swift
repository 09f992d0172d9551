import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SouverainModel
import SouverainS3

/// The compliance report as the admin API serves it: report.json's exact bytes, and the Ed25519
/// signature over them by the audit trail's key (docs/report-format.md).
public struct SignedComplianceReport: Sendable {
    public var json: [UInt8]
    /// Base64 of the 64-byte signature.
    public var signature: String
    /// Base64 of the signer's raw 32-byte public key: the audit trail's key.
    public var publicKey: String

    public init(json: [UInt8], signature: String, publicKey: String) {
        self.json = json
        self.signature = signature
        self.publicKey = publicKey
    }
}

extension S3Server {
    static let reportSignature = HTTPField.Name("x-souverain-report-signature")!
    static let reportPublicKey = HTTPField.Name("x-souverain-report-public-key")!

    /// `GET /_souverain/report` (admins and auditors): the compliance report, made now from the
    /// server's own state. The body is report.json; the signature and the signer's public key are
    /// in the `x-souverain-report-signature` and `x-souverain-report-public-key` headers. Plain
    /// users are refused (403 AccessDenied); every call is a record of the trail.
    func serveReport(_ call: inout S3Call) async throws -> Response {
        call.operationName = "GetComplianceReport"
        guard let complianceReport else {
            throw S3Error(.notImplemented, "This server makes no compliance report; run `souverain report` on its data directory.")
        }
        let report: SignedComplianceReport
        do {
            report = try await complianceReport()
        } catch {
            logger.error("the compliance report could not be made", metadata: ["s3.request_id": "\(call.requestID)", "error": "\(error)"])
            throw S3Error(.internalError, "The compliance report could not be made.")
        }
        call.bytesOut = Int64(report.json.count)
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[Self.reportSignature] = report.signature
        headers[Self.reportPublicKey] = report.publicKey
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: report.json)))
    }
}
