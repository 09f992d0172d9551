public import Crypto
public import Foundation

/// A place that holds master keys and wraps bucket keys under them: a keyring file, an HSM over
/// PKCS#11, and later a KMIP server or another external KMS.
///
/// The data path only ever calls ``wrap(_:)`` and ``unwrap(_:)``, and stores the returned
/// ``WrappedKey`` through its stable ``WrappedKey/encoded()`` form; a new store kind plugs in by
/// implementing this protocol. Master key material never leaves the store through this API.
///
/// Versions: a store holds one or more versions of its master key. Exactly one, the newest, is
/// *current* and wraps new keys. ``rotateMaster()`` adds a version and makes it current; earlier
/// versions keep unwrapping until ``retire(_:)`` marks them retired.
///
/// Implementations are `Sendable` and safe to call concurrently; each documents how it
/// serialises access to its backing store.
public protocol KeyStore: Sendable, CustomStringConvertible {
    /// The kind of store, as written in every ``MasterKeyReference/storeKind``: `"keyring"`,
    /// `"pkcs11"`, and for instance `"kmip"` later.
    var kind: String { get }

    /// A human description (kind, path or token, key id), without any secret.
    var description: String { get }

    /// Every version of the master key this store knows, oldest first.
    func masterKeys() async throws -> [MasterKeyInfo]

    /// The version used for new wraps.
    func currentMasterKey() async throws -> MasterKeyReference

    /// Wraps a 32-byte key under the current master key version with ``WrapAlgorithm/aesKeyWrap``.
    ///
    /// - Throws: ``KeysError`` `.invalidArgument` if the key is not 32 bytes,
    ///   `.keyStoreUnavailable` if the store refuses.
    func wrap(_ key: SymmetricKey) async throws -> WrappedKey

    /// Unwraps a key wrapped by this store under any version that is not retired.
    ///
    /// - Throws: ``KeysError`` `.unknownKey` (another store, key id or version),
    ///   `.retiredKey` (the version was retired), `.integrity` (the wrapped bytes were altered or
    ///   belong to another master key), `.unsupportedFormat` (unknown algorithm).
    func unwrap(_ wrapped: WrappedKey) async throws -> SymmetricKey

    /// Creates a new master key version and makes it current. Earlier versions keep unwrapping.
    func rotateMaster() async throws -> MasterKeyReference

    /// Retires a version: it no longer unwraps. Retiring a retired version does nothing.
    ///
    /// - Throws: ``KeysError`` `.invalidArgument` for the current version (rotate first),
    ///   `.unknownKey` for a version this store does not hold.
    func retire(_ reference: MasterKeyReference) async throws

    /// Releases what the store holds open (a session, a connection). The store is unusable after.
    func close() async
}

/// Names one version of one master key in one store. It is not secret.
public struct MasterKeyReference: Hashable, Sendable, CustomStringConvertible {
    /// The store kind (``KeyStore/kind``): `"keyring"`, `"pkcs11"`.
    public var storeKind: String
    /// The master key's id inside its store: a keyring's random id, a PKCS#11 key label.
    public var keyID: String
    /// The version, from 1.
    public var version: UInt32

    /// Creates a reference. Fields are checked when a ``WrappedKey`` is encoded or decoded.
    public init(storeKind: String, keyID: String, version: UInt32) {
        self.storeKind = storeKind
        self.keyID = keyID
        self.version = version
    }

    /// `kind:keyID#vN`, for messages and logs.
    public var description: String { "\(storeKind):\(keyID)#v\(version)" }
}

/// What a store says about one master key version. Never the key itself.
public struct MasterKeyInfo: Hashable, Sendable, CustomStringConvertible {
    /// Whether a version may still unwrap.
    public enum State: String, Hashable, Sendable {
        /// Unwraps; if it is also current, wraps.
        case active
        /// No longer unwraps.
        case retired
    }

    /// Which version this is.
    public var reference: MasterKeyReference
    /// When the version was created.
    public var created: Date
    /// Active or retired.
    public var state: State
    /// Whether this version wraps new keys.
    public var isCurrent: Bool

    /// Creates a description of a master key version.
    public init(reference: MasterKeyReference, created: Date, state: State, isCurrent: Bool) {
        self.reference = reference
        self.created = created
        self.state = state
        self.isCurrent = isCurrent
    }

    /// `kind:keyID#vN state[, current]`.
    public var description: String { "\(reference) \(state.rawValue)\(isCurrent ? ", current" : "")" }
}

/// The algorithm that wrapped a key.
public struct WrapAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The byte that names the algorithm in ``WrappedKey/encoded()``.
    public let rawValue: UInt8

    private init(rawValue: UInt8) { self.rawValue = rawValue }

    /// AES key wrap (RFC 3394, default IV) under an AES-256 master key: 40 bytes for a 32-byte key.
    /// Both built-in stores use it, so a wrapped key has one shape whatever the store.
    public static let aesKeyWrap = WrapAlgorithm(rawValue: 1)

    /// The algorithm with this byte, or nil if this build does not know it.
    public init?(encoded rawValue: UInt8) {
        guard rawValue == Self.aesKeyWrap.rawValue else { return nil }
        self.rawValue = rawValue
    }

    /// A name for messages: `AES-KW (RFC 3394)`.
    public var description: String {
        switch rawValue {
        case Self.aesKeyWrap.rawValue: "AES-KW (RFC 3394)"
        default: "algorithm \(rawValue)"
        }
    }
}

/// A key wrapped under a master key version, as the catalogue stores it.
///
/// Binary encoding, version 1 (all integers big-endian), never changed in place; a new layout
/// gets a new format byte:
///
/// | bytes | field |
/// |---|---|
/// | 4 | magic `SVWK` |
/// | 1 | format, `1` |
/// | 1 | algorithm (``WrapAlgorithm/rawValue``), `1` = AES-KW |
/// | 1 + n | store kind: length, then `[a-z0-9-]`, 1–32 bytes |
/// | 1 + n | key id: length, then `[A-Za-z0-9._-]`, 1–64 bytes |
/// | 4 | master key version, ≥ 1 |
/// | 2 + n | wrapped bytes: length, then the bytes (AES-KW: 24–1032, a multiple of 8) |
///
/// Nothing may follow. The string form is `swk1.` followed by the binary form in unpadded
/// base64url. The description never shows the wrapped bytes.
public struct WrappedKey: Hashable, Sendable, CustomStringConvertible {
    /// The master key version that wrapped the key.
    public var master: MasterKeyReference
    /// How it was wrapped.
    public var algorithm: WrapAlgorithm
    /// The wrapped bytes (40 for a 32-byte key under AES-KW).
    public var bytes: [UInt8]

    /// Creates a wrapped key from its parts.
    public init(master: MasterKeyReference, algorithm: WrapAlgorithm, bytes: [UInt8]) {
        self.master = master
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// The master reference, algorithm and length, never the bytes.
    public var description: String { "WrappedKey(\(master), \(algorithm), \(bytes.count) bytes)" }

    static let magic: [UInt8] = Array("SVWK".utf8)
    static let formatVersion: UInt8 = 1
    static let stringPrefix = "swk1."

    /// The binary encoding described above.
    ///
    /// - Throws: ``KeysError`` `.invalidArgument` if a field is out of range (a store kind or key
    ///   id with other characters, version 0, wrapped bytes of a length AES-KW cannot produce).
    public func encoded() throws -> [UInt8] {
        try Self.validate(master: master, algorithm: algorithm, count: bytes.count)
        var out: [UInt8] = Self.magic
        out.append(Self.formatVersion)
        out.append(algorithm.rawValue)
        out.append(UInt8(master.storeKind.utf8.count))
        out.append(contentsOf: master.storeKind.utf8)
        out.append(UInt8(master.keyID.utf8.count))
        out.append(contentsOf: master.keyID.utf8)
        withUnsafeBytes(of: master.version.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt16(bytes.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: bytes)
        return out
    }

    /// Decodes the binary encoding.
    ///
    /// - Throws: ``KeysError`` `.unsupportedFormat` for another magic, format version or
    ///   algorithm; `.invalidArgument` for a truncated, overlong or out-of-range encoding.
    public init(encoded: some Collection<UInt8>) throws {
        var reader = Reader(bytes: Array(encoded))
        guard try reader.take(4) == Self.magic else {
            throw KeysError(.unsupportedFormat, "not a wrapped key (bad magic)")
        }
        let format = try reader.byte()
        guard format == Self.formatVersion else {
            throw KeysError(.unsupportedFormat, "wrapped key format \(format) is not supported by this build (knows 1)")
        }
        let algorithmByte = try reader.byte()
        guard let algorithm = WrapAlgorithm(encoded: algorithmByte) else {
            throw KeysError(.unsupportedFormat, "wrapped key algorithm \(algorithmByte) is not supported by this build")
        }
        let kind = try reader.string(Int(try reader.byte()))
        let keyID = try reader.string(Int(try reader.byte()))
        let version = try reader.take(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let count = try reader.take(2).reduce(0) { $0 << 8 | Int($1) }
        let bytes = try reader.take(count)
        guard reader.isAtEnd else {
            throw KeysError(.invalidArgument, "wrapped key encoding has trailing bytes")
        }
        let master = MasterKeyReference(storeKind: kind, keyID: keyID, version: version)
        try Self.validate(master: master, algorithm: algorithm, count: bytes.count)
        self.init(master: master, algorithm: algorithm, bytes: bytes)
    }

    /// The string form: `swk1.` and the binary encoding in unpadded base64url.
    public func encodedString() throws -> String {
        let base64 = Data(try encoded()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Self.stringPrefix + base64
    }

    /// Decodes the string form.
    ///
    /// - Throws: ``KeysError`` `.unsupportedFormat` for another `swkN.` prefix,
    ///   `.invalidArgument` for anything else that is not a wrapped key.
    public init(encodedString string: String) throws {
        guard string.hasPrefix(Self.stringPrefix) else {
            if string.hasPrefix("swk"), string.contains(".") {
                throw KeysError(.unsupportedFormat, "wrapped key string form is not swk1")
            }
            throw KeysError(.invalidArgument, "not a wrapped key string (expected the swk1. prefix)")
        }
        var body = String(string.dropFirst(Self.stringPrefix.count))
        guard !body.contains(where: { $0 == "+" || $0 == "/" || $0 == "=" }) else {
            throw KeysError(.invalidArgument, "wrapped key string is not unpadded base64url")
        }
        body = body.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        body += String(repeating: "=", count: (4 - body.count % 4) % 4)
        guard let data = Data(base64Encoded: body) else {
            throw KeysError(.invalidArgument, "wrapped key string is not valid base64url")
        }
        try self.init(encoded: data)
    }

    private static func validate(master: MasterKeyReference, algorithm: WrapAlgorithm, count: Int) throws {
        guard isValidStoreKind(master.storeKind) else {
            throw KeysError(.invalidArgument, "store kind must be 1–32 characters of a-z, 0-9 and -")
        }
        guard isValidKeyID(master.keyID) else {
            throw KeysError(.invalidArgument, "key id must be 1–64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")
        }
        guard master.version >= 1 else {
            throw KeysError(.invalidArgument, "master key version must be 1 or more")
        }
        guard algorithm == .aesKeyWrap, count >= 24, count <= 1032, count % 8 == 0 else {
            throw KeysError(.invalidArgument, "wrapped key length \(count) is not one AES-KW produces")
        }
    }

    static func isValidStoreKind(_ kind: String) -> Bool {
        (1...32).contains(kind.utf8.count)
            && kind.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }

    static func isValidKeyID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, bytes.count - offset >= count else {
                throw KeysError(.invalidArgument, "wrapped key encoding is truncated")
            }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func byte() throws -> UInt8 { try take(1)[0] }

        mutating func string(_ count: Int) throws -> String {
            let raw = try take(count)
            guard let string = String(validating: raw, as: UTF8.self) else {
                throw KeysError(.invalidArgument, "wrapped key encoding has a field that is not UTF-8")
            }
            return string
        }
    }
}

extension KeyStore {
    /// Checks that a wrapped key names this store and a supported algorithm and length, before
    /// any key is touched.
    func checkOwnership(of wrapped: WrappedKey, keyID: String) throws {
        guard wrapped.master.storeKind == kind, wrapped.master.keyID == keyID else {
            throw KeysError(.unknownKey, "\(wrapped.master) was not wrapped by this key store (\(kind):\(keyID))")
        }
        guard wrapped.algorithm == .aesKeyWrap else {
            throw KeysError(.unsupportedFormat, "\(wrapped.algorithm) is not supported by this key store")
        }
        guard wrapped.bytes.count == 40 else {
            throw KeysError(.invalidArgument, "a wrapped 32-byte key is 40 bytes under AES-KW, not \(wrapped.bytes.count)")
        }
    }
}

/// Refuses keys that are not 32 bytes, the only size the stores wrap.
func requireDataKeySize(_ key: SymmetricKey) throws {
    guard key.bitCount == 256 else {
        throw KeysError(.invalidArgument, "only 32-byte keys are wrapped, not \(key.bitCount / 8) bytes")
    }
}
