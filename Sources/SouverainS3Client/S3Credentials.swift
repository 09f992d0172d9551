/// An access key and its secret. The secret never appears in a description, a mirror or an error.
public struct S3Credentials: Sendable, Equatable {
    /// The access key ID, sent in every request's credential scope.
    public var accessKeyID: String
    /// The secret access key, used only to derive signing keys.
    public var secretAccessKey: String

    /// Creates credentials from an access key ID and its secret.
    public init(accessKeyID: String, secretAccessKey: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }
}

extension S3Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "S3Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["accessKeyID": accessKeyID]) }
}
