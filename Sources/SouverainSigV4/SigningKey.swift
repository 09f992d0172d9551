import Crypto

/// The Signature V4 signing key: HMAC chain "AWS4"+secret → date → region → service → "aws4_request".
struct SigningKey: Sendable {
    private let key: SymmetricKey

    init(secretAccessKey: String, scope: CredentialScope) {
        var bytes = Self.mac(Array(("AWS4" + secretAccessKey).utf8), scope.date)
        bytes = Self.mac(bytes, scope.region)
        bytes = Self.mac(bytes, scope.service)
        bytes = Self.mac(bytes, "aws4_request")
        key = SymmetricKey(data: bytes)
    }

    /// HMAC-SHA256 of `message` under this key.
    func authenticate(_ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
    }

    /// HMAC-SHA256 of `message` under this key, lowercase hex.
    func signature(_ message: String) -> String {
        Hex.encode(authenticate(message))
    }

    private static func mac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }
}

/// The credential scope `date/region/service/aws4_request`.
struct CredentialScope: Sendable, Equatable {
    var date: String
    var region: String
    var service: String

    var string: String { "\(date)/\(region)/\(service)/aws4_request" }
}

/// SHA-256 helpers, lowercase hex.
enum Digest {
    /// hex(SHA256("")).
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func hex(_ string: String) -> String {
        Hex.encode(SHA256.hash(data: Array(string.utf8)))
    }

    static func hex(bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}
