/// The body of PutBucketEncryption and GetBucketEncryption: a bucket's default encryption.
///
/// ```xml
/// <ServerSideEncryptionConfiguration>
///   <Rule>
///     <ApplyServerSideEncryptionByDefault>
///       <SSEAlgorithm>aws:kms</SSEAlgorithm>
///       <KMSMasterKeyID>alias/app-key</KMSMasterKeyID>
///     </ApplyServerSideEncryptionByDefault>
///     <BucketKeyEnabled>true</BucketKeyEnabled>
///   </Rule>
/// </ServerSideEncryptionConfiguration>
/// ```
public struct ServerSideEncryptionConfiguration: Sendable, Equatable {
    /// `AES256` or `aws:kms` (`aws:kms:dsse` is refused: there is no second layer to add here).
    public var algorithm: String
    /// The key id, alias or ARN as written; nil for SSE-S3 or `aws:kms` with the bucket's key.
    public var kmsMasterKeyID: String?
    public var bucketKeyEnabled: Bool

    public init(algorithm: String, kmsMasterKeyID: String? = nil, bucketKeyEnabled: Bool = false) {
        self.algorithm = algorithm
        self.kmsMasterKeyID = kmsMasterKeyID
        self.bucketKeyEnabled = bucketKeyEnabled
    }

    /// Reads a PutBucketEncryption body: exactly one rule, with a default algorithm.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> ServerSideEncryptionConfiguration {
        let document = try XMLNode.parse(data, root: "ServerSideEncryptionConfiguration")
        let rules = document.all("Rule")
        guard rules.count == 1, let rule = rules.first else {
            throw S3Error(.malformedXML, "A ServerSideEncryptionConfiguration holds exactly one Rule.")
        }
        guard let apply = rule.first("ApplyServerSideEncryptionByDefault"),
              let algorithm = apply.first("SSEAlgorithm")?.trimmedText else {
            throw S3Error(.malformedXML, "The Rule needs ApplyServerSideEncryptionByDefault with an SSEAlgorithm.")
        }
        var keyID = apply.first("KMSMasterKeyID")?.trimmedText
        if keyID?.isEmpty == true { keyID = nil }
        switch algorithm {
        case "AES256":
            if keyID != nil {
                throw S3Error(.invalidArgument, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
            }
        case "aws:kms":
            break
        default:
            throw S3Error(.invalidArgument, "The SSEAlgorithm \(algorithm) is not supported: use AES256 or aws:kms.")
        }
        var bucketKeyEnabled = false
        if let text = rule.first("BucketKeyEnabled")?.trimmedText {
            switch text {
            case "true": bucketKeyEnabled = true
            case "false": bucketKeyEnabled = false
            default: throw S3Error(.malformedXML, "BucketKeyEnabled is true or false.")
            }
        }
        return ServerSideEncryptionConfiguration(algorithm: algorithm, kmsMasterKeyID: keyID, bucketKeyEnabled: bucketKeyEnabled)
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "ServerSideEncryptionConfiguration")
        writer.open("Rule")
        writer.open("ApplyServerSideEncryptionByDefault")
        writer.element("SSEAlgorithm", algorithm)
        writer.element("KMSMasterKeyID", ifPresent: kmsMasterKeyID)
        writer.close("ApplyServerSideEncryptionByDefault")
        writer.element("BucketKeyEnabled", bucketKeyEnabled)
        writer.close("Rule")
        return writer.finish(closing: "ServerSideEncryptionConfiguration")
    }
}
