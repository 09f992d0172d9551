import Crypto
import Synchronization

/// The Signature V4 signing key: HMAC chain "AWS4"+secret → date → region → service → "aws4_request".
struct SigningKey: Sendable {
    /// The HMAC with the key already absorbed: each signature copies it and hashes only its
    /// message (setting the key up, two hash blocks, was a sixth of a verification's CPU).
    private let keyed: HMAC<SHA256>

    init(secretAccessKey: String, scope: CredentialScope) {
        var bytes = Self.mac(Array(("AWS4" + secretAccessKey).utf8), scope.date)
        bytes = Self.mac(bytes, scope.region)
        bytes = Self.mac(bytes, scope.service)
        bytes = Self.mac(bytes, "aws4_request")
        keyed = HMAC<SHA256>(key: SymmetricKey(data: bytes))
    }

    /// HMAC-SHA256 of `message` under this key.
    func authenticate(_ message: String) -> [UInt8] {
        var hmac = keyed
        var message = message
        message.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
        return Array(hmac.finalize())
    }

    /// HMAC-SHA256 of `message` under this key, lowercase hex.
    func signature(_ message: String) -> String {
        Hex.encode(authenticate(message))
    }

    private static func mac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }
}

/// Signing keys already derived, by secret and scope. Deriving one is four HMACs (4% of a small
/// HEAD's CPU, docs/profiles/small-head.txt), and a client signs every request of a day in a region
/// with the same key. Bounded: when full it starts again empty, which costs one derivation per
/// client and scope. Holds secrets the catalogue already returned to this process; never logged.
final class SigningKeyCache: Sendable {
    private struct Entry: Hashable {
        let secretAccessKey: String
        let scope: CredentialScope
    }

    private let keys = Mutex<[Entry: SigningKey]>([:])
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func key(secretAccessKey: String, scope: CredentialScope) -> SigningKey {
        let entry = Entry(secretAccessKey: secretAccessKey, scope: scope)
        if let key = keys.withLock({ $0[entry] }) { return key }
        let key = SigningKey(secretAccessKey: secretAccessKey, scope: scope)
        keys.withLock { keys in
            if keys.count >= capacity { keys.removeAll(keepingCapacity: true) }
            keys[entry] = key
        }
        return key
    }

    var count: Int { keys.withLock { $0.count } }
}

/// The credential scope `date/region/service/aws4_request`.
struct CredentialScope: Sendable, Hashable {
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
