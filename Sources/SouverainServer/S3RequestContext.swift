public import Hummingbird


/// The Hummingbird request context: the core storage plus the peer's address, for the logs and
/// the audit trail.
public struct S3RequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies stream to storage; nothing is collected whole except small XML documents, each with
    /// its own limit.
    public var maxUploadSize: Int { 1 << 20 }
}
