/// The Signature Version 4 of a browser-form upload (PostObject): the string to sign is the
/// base64 policy document itself, signed with the key of the credential's scope
/// (`x-amz-credential = KEY/DATE/REGION/s3/aws4_request`).
public struct PostPolicySignature: Sendable, Equatable {
    public let accessKeyID: String
    public let date: String
    public let region: String
    public let service: String

    /// Parses `x-amz-credential`; nil when it is not `KEY/YYYYMMDD/REGION/SERVICE/aws4_request`.
    public init?(credential: String) {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, !parts[0].isEmpty, parts[1].count == 8, parts[1].allSatisfy(\.isNumber), !parts[2].isEmpty,
              parts[4] == "aws4_request" else { return nil }
        (accessKeyID, date, region, service) = (parts[0], parts[1], parts[2], parts[3])
    }

    /// The hex signature of `policy` under `secretAccessKey`.
    public func signature(policy: String, secretAccessKey: String) -> String {
        SigningKey(secretAccessKey: secretAccessKey, scope: CredentialScope(date: date, region: region, service: service))
            .signature(policy)
    }

    /// Whether `provided` is the signature of `policy`, compared in constant time.
    public func verify(_ provided: String, policy: String, secretAccessKey: String) -> Bool {
        Hex.constantTimeEqual(
            Array(signature(policy: policy, secretAccessKey: secretAccessKey).utf8), Array(provided.lowercased().utf8))
    }
}
