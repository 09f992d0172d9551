/// What happened: one S3 request or one internal movement of bytes.
public struct AuditEvent: Hashable, Sendable {
    /// The request id returned to the client (`x-amz-request-id`); nil for internal movements.
    public var requestID: String?
    /// The access key id that signed the request, never a secret; nil if anonymous or internal.
    public var user: String?
    /// The client's address (`203.0.113.7:51234`, `[2001:db8::1]:443`); nil for internal movements.
    public var sourceAddress: String?
    public var operation: AuditOperation
    public var bucket: String?
    public var key: String?
    public var version: String?
    /// Payload bytes received (request body) or moved in.
    public var bytesIn: UInt64
    /// Payload bytes sent (response body) or moved out.
    public var bytesOut: UInt64
    /// Every storage location read, written or deleted from, in the order they were touched.
    public var locations: [AuditLocationAccess]
    /// The HTTP status answered; nil when there was no HTTP answer (internal movements).
    public var status: UInt16?
    /// The S3 error code (`NoSuchKey`, `PlacementViolation`, ...) when the request failed.
    public var errorCode: String?
    /// Free text for internal movements and recoveries; never a secret.
    public var detail: String?

    public init(
        requestID: String? = nil,
        user: String? = nil,
        sourceAddress: String? = nil,
        operation: AuditOperation,
        bucket: String? = nil,
        key: String? = nil,
        version: String? = nil,
        bytesIn: UInt64 = 0,
        bytesOut: UInt64 = 0,
        locations: [AuditLocationAccess] = [],
        status: UInt16? = nil,
        errorCode: String? = nil,
        detail: String? = nil
    ) {
        self.requestID = requestID
        self.user = user
        self.sourceAddress = sourceAddress
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.version = version
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.locations = locations
        self.status = status
        self.errorCode = errorCode
        self.detail = detail
    }
}
