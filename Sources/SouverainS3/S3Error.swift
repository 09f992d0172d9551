/// An S3 error as it goes back to the client: a code, a message saying what happened and what
/// to do, the resource it concerns, and any extra elements (`BucketName`, `Key`, `UploadId`...).
///
/// Messages never contain secrets. The request id is added when the body is rendered.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    public var code: S3ErrorCode
    public var message: String
    /// The `<Resource>` element, e.g. "/bucket/key"; omitted when nil.
    public var resource: String?
    /// Extra elements after `<RequestId>`, in order. Names must be valid XML names.
    public var extra: [(String, String)]
    /// Response headers the error answer carries besides the usual ones (`x-amz-delete-marker`,
    /// `x-amz-version-id`).
    public var headers: [(String, String)] = []

    public init(_ code: S3ErrorCode, _ message: String? = nil, resource: String? = nil, extra: [(String, String)] = []) {
        self.code = code
        self.message = message ?? code.defaultMessage
        self.resource = resource
        self.extra = extra
    }

    /// The HTTP status of the code.
    public var status: Int { code.status }

    public var description: String { "\(code.name): \(message)" }

    /// The S3 `<Error>` document, every text XML-escaped.
    public func xmlBody(requestID: String) -> String {
        var writer = XMLWriter(root: "Error", namespace: nil)
        writer.element("Code", code.name)
        writer.element("Message", message)
        writer.element("Resource", ifPresent: resource)
        writer.element("RequestId", requestID)
        for (name, value) in extra { writer.element(name, value) }
        return writer.finish(closing: "Error")
    }
}
