/// The small bucket configurations whose only setting Souverain honours is "off" or "the owner":
/// server access logging, event notifications, request payment and transfer acceleration
/// (BucketConfigurationOperation). Each body is read strictly (MalformedXML for what S3 would
/// refuse), and this type says whether it asks for more than the server does.
public enum FixedBucketConfigurations {
    /// Whether a PutBucketLogging body enables logging (`<LoggingEnabled>`); an empty
    /// `<BucketLoggingStatus/>` turns it off.
    public static func enablesLogging(_ data: [UInt8]) throws(S3Error) -> Bool {
        let document = try XMLNode.parse(data, root: "BucketLoggingStatus")
        try document.requireChildren(in: ["LoggingEnabled"])
        return !document.children.isEmpty
    }

    /// GetBucketLogging: logging is off.
    public static func loggingStatus() -> String { XMLWriter.emptyDocument(root: "BucketLoggingStatus") }

    /// The kinds of destination a PutBucketNotificationConfiguration body names; empty for a
    /// configuration without any (which removes notifications).
    public static func notificationDestinations(_ data: [UInt8]) throws(S3Error) -> [String] {
        let document = try XMLNode.parse(data, root: "NotificationConfiguration")
        try document.requireChildren(in: ["TopicConfiguration", "QueueConfiguration", "CloudFunctionConfiguration",
                  "LambdaFunctionConfiguration", "EventBridgeConfiguration"])
        return document.children.map(\.name)
    }

    /// GetBucketNotificationConfiguration: no notifications.
    public static func notificationConfiguration() -> String { XMLWriter.emptyDocument(root: "NotificationConfiguration") }

    /// Who pays for requests and transfers.
    public enum Payer: String, Sendable {
        case bucketOwner = "BucketOwner"
        case requester = "Requester"
    }

    /// The Payer of a PutBucketRequestPayment body.
    public static func payer(_ data: [UInt8]) throws(S3Error) -> Payer {
        let document = try XMLNode.parse(data, root: "RequestPaymentConfiguration")
        try document.requireChildren(in: ["Payer"])
        guard document.children.count == 1, let payer = Payer(rawValue: document.children[0].trimmedText) else {
            throw S3Error(.malformedXML, "RequestPaymentConfiguration needs one Payer: BucketOwner or Requester.")
        }
        return payer
    }

    /// GetBucketRequestPayment.
    public static func requestPayment(_ payer: Payer) -> String {
        var writer = XMLWriter(root: "RequestPaymentConfiguration")
        writer.element("Payer", payer.rawValue)
        return writer.finish(closing: "RequestPaymentConfiguration")
    }

    /// The transfer acceleration status of a bucket.
    public enum AccelerateStatus: String, Sendable {
        case enabled = "Enabled"
        case suspended = "Suspended"
    }

    /// The Status of a PutBucketAccelerateConfiguration body.
    public static func accelerateStatus(_ data: [UInt8]) throws(S3Error) -> AccelerateStatus {
        let document = try XMLNode.parse(data, root: "AccelerateConfiguration")
        try document.requireChildren(in: ["Status"])
        guard document.children.count == 1, let status = AccelerateStatus(rawValue: document.children[0].trimmedText) else {
            throw S3Error(.malformedXML, "AccelerateConfiguration needs one Status: Enabled or Suspended.")
        }
        return status
    }

    /// GetBucketAccelerateConfiguration: empty for a bucket never configured, as S3 answers.
    public static func accelerateConfiguration(_ status: AccelerateStatus?) -> String {
        guard let status else { return XMLWriter.emptyDocument(root: "AccelerateConfiguration") }
        var writer = XMLWriter(root: "AccelerateConfiguration")
        writer.element("Status", status.rawValue)
        return writer.finish(closing: "AccelerateConfiguration")
    }
}
