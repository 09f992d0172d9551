public import Crypto
import _CryptoExtras
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded key store: master key versions in a keyring file on the gateway's disk.
///
/// The file is JSON (see `docs/keys.md`), created with mode 0600 and refused at open if group or
/// others have any permission on it. Every change is written atomically: a temporary file in the
/// same directory, `fsync`, `rename`, then `fsync` of the directory.
///
/// With a passphrase, each version's key material is sealed with AES-256-GCM under a key derived
/// by scrypt (salt and cost in the file); without one, the file mode and the machine's security
/// are the only protection.
///
/// The actor serialises all access. One process owns a keyring file: changes made to the file by
/// another process while it is open are not seen, and would be overwritten by the next rotation.
public actor KeyringKeyStore: KeyStore {
    /// `"keyring"`.
    public nonisolated let kind = "keyring"
    /// The keyring file.
    public nonisolated let path: String
    /// The keyring's random id (`kr-` and 16 hex digits), written in every wrapped key.
    public nonisolated let keyID: String
    /// Whether the key material is sealed by a passphrase.
    public nonisolated let isSealed: Bool

    /// The kind, path, key id and whether the file is sealed.
    public nonisolated var description: String {
        "keyring \(path) (key id \(keyID), \(isSealed ? "sealed by a passphrase" : "not sealed, protected by file mode 0600"))"
    }

    private var versions: [Version]
    private let sealing: Sealing?

    private struct Version {
        var number: UInt32
        var created: Date
        var state: MasterKeyInfo.State
        var key: SymmetricKey
    }

    private struct Sealing {
        var parameters: KeyringFile.Sealing
        var key: SymmetricKey
    }

    private init(path: String, keyID: String, versions: [Version], sealing: Sealing?) {
        self.path = path
        self.keyID = keyID
        self.isSealed = sealing != nil
        self.versions = versions
        self.sealing = sealing
    }

    /// The scrypt cost of new keyrings: N = 2^17, r = 8, p = 1 (128 MiB, a fraction of a second).
    static let defaultScryptLog2N = 17

    /// Creates a keyring file with a first master key version, and opens it.
    ///
    /// - Parameters:
    ///   - path: the file to create; it must not exist, its directory must.
    ///   - passphrase: if given (non-empty), the key material is sealed under it; it is then
    ///     needed at every open.
    /// - Throws: ``KeysError`` `.invalidArgument` if the file exists or the passphrase is empty,
    ///   `.io` if it cannot be written.
    public static func create(path: String, passphrase: String? = nil) async throws -> KeyringKeyStore {
        try await create(path: path, passphrase: passphrase, scryptLog2N: defaultScryptLog2N)
    }

    /// ``create(path:passphrase:)`` with a chosen scrypt cost (tests use a low one).
    static func create(path: String, passphrase: String?, scryptLog2N: Int) async throws -> KeyringKeyStore {
        var sealing: Sealing?
        if let passphrase {
            guard !passphrase.isEmpty else {
                throw KeysError(.invalidArgument, "the keyring passphrase is empty; give a passphrase, or none for an unsealed keyring")
            }
            let parameters = KeyringFile.Sealing(
                kdf: KeyringFile.Sealing.scrypt,
                salt: Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString(),
                log2N: scryptLog2N, r: 8, p: 1,
                cipher: KeyringFile.Sealing.aesGCM)
            sealing = Sealing(parameters: parameters, key: try await deriveSealingKey(passphrase: passphrase, parameters: parameters))
        }
        let keyID = "kr-" + SymmetricKey(size: SymmetricKeySize(bitCount: 64)).withUnsafeBytes { $0.map { hexDigits($0) }.joined() }
        let first = Version(number: 1, created: wholeSecondsNow(), state: .active, key: SymmetricKey(size: .bits256))
        try KeyringFileIO.store(try fileContents(path: path, keyID: keyID, versions: [first], sealing: sealing), to: path, exclusive: true)
        return KeyringKeyStore(path: path, keyID: keyID, versions: [first], sealing: sealing)
    }

    /// Opens an existing keyring file.
    ///
    /// - Parameters:
    ///   - path: the keyring file; group and others must have no permission on it.
    ///   - passphrase: required if, and only if, the keyring is sealed.
    /// - Throws: ``KeysError`` `.invalidArgument` for a file group or others may access, a
    ///   missing or unexpected passphrase, or a wrong passphrase; `.unsupportedFormat` for a file
    ///   that is not a keyring of a format this build knows; `.io` if it cannot be read.
    public static func open(path: String, passphrase: String? = nil) async throws -> KeyringKeyStore {
        let data = try KeyringFileIO.load(path)
        let file: KeyringFile
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            file = try decoder.decode(KeyringFile.self, from: data)
        } catch {
            throw KeysError(.unsupportedFormat, "\(path) is not a Souverain keyring (not the expected JSON)")
        }
        guard file.format == KeyringFile.formatName else {
            throw KeysError(.unsupportedFormat, "\(path) is not a Souverain keyring (format \"\(file.format)\")")
        }
        guard file.formatVersion == KeyringFile.currentFormatVersion else {
            throw KeysError(.unsupportedFormat, "keyring \(path) has format version \(file.formatVersion); this build reads 1")
        }
        guard WrappedKey.isValidKeyID(file.keyID), !file.versions.isEmpty,
            Set(file.versions.map(\.version)).count == file.versions.count,
            file.versions.allSatisfy({ $0.version >= 1 })
        else {
            throw KeysError(.invalidArgument, "keyring \(path) is malformed (key id or versions)")
        }

        var sealing: Sealing?
        switch (file.sealing, passphrase) {
        case (nil, nil):
            break
        case (nil, .some):
            throw KeysError(.invalidArgument, "keyring \(path) is not sealed by a passphrase; open it without one")
        case (.some, nil):
            throw KeysError(.invalidArgument, "keyring \(path) is sealed by a passphrase; give the passphrase to open it")
        case (.some(let parameters), .some(let passphrase)):
            sealing = Sealing(parameters: parameters, key: try await deriveSealingKey(passphrase: passphrase, parameters: parameters))
        }

        var versions: [Version] = []
        for entry in file.versions.sorted(by: { $0.version < $1.version }) {
            guard let state = MasterKeyInfo.State(rawValue: entry.state), let stored = Data(base64Encoded: entry.key) else {
                throw KeysError(.invalidArgument, "keyring \(path) is malformed (version \(entry.version))")
            }
            let key: SymmetricKey
            if let sealing {
                do {
                    let box = try AES.GCM.SealedBox(combined: stored)
                    key = SymmetricKey(data: try AES.GCM.open(box, using: sealing.key, authenticating: aad(keyID: file.keyID, version: entry.version, state: state)))
                } catch {
                    throw KeysError(.invalidArgument, "wrong passphrase for keyring \(path) (or the file was altered): its key material does not open")
                }
            } else {
                key = SymmetricKey(data: stored)
            }
            guard key.bitCount == 256 else {
                throw KeysError(.invalidArgument, "keyring \(path) is malformed (version \(entry.version) is not a 32-byte key)")
            }
            versions.append(Version(number: entry.version, created: entry.created, state: state, key: key))
        }
        guard versions.last?.state == .active else {
            throw KeysError(.invalidArgument, "keyring \(path) is malformed (its newest version, the current one, is retired)")
        }
        return KeyringKeyStore(path: path, keyID: file.keyID, versions: versions, sealing: sealing)
    }

    // MARK: KeyStore

    /// Every version in the file, oldest first.
    public func masterKeys() async throws -> [MasterKeyInfo] {
        let current = versions.last?.number
        return versions.map {
            MasterKeyInfo(reference: reference($0.number), created: $0.created, state: $0.state, isCurrent: $0.number == current)
        }
    }

    /// The newest version, which wraps new keys.
    public func currentMasterKey() async throws -> MasterKeyReference {
        reference(currentVersion.number)
    }

    /// Wraps a 32-byte key with AES-KW under the current version.
    public func wrap(_ key: SymmetricKey) async throws -> WrappedKey {
        try requireDataKeySize(key)
        let current = currentVersion
        let bytes: Data
        do {
            bytes = try AES.KeyWrap.wrap(key, using: current.key)
        } catch {
            throw KeysError(.keyStoreUnavailable, "AES key wrap failed in keyring \(path)")
        }
        return WrappedKey(master: reference(current.number), algorithm: .aesKeyWrap, bytes: Array(bytes))
    }

    /// Unwraps a key wrapped under any version of this keyring that is not retired.
    public func unwrap(_ wrapped: WrappedKey) async throws -> SymmetricKey {
        try checkOwnership(of: wrapped, keyID: keyID)
        guard let version = versions.first(where: { $0.number == wrapped.master.version }) else {
            throw KeysError(.unknownKey, "\(wrapped.master) is not in keyring \(path)")
        }
        guard version.state == .active else {
            throw KeysError(.retiredKey, "\(wrapped.master) was retired: keys wrapped under it no longer unwrap")
        }
        let key: SymmetricKey
        do {
            key = try AES.KeyWrap.unwrap(wrapped.bytes, using: version.key)
        } catch {
            throw KeysError(.integrity, "the key wrapped under \(wrapped.master) failed authentication (altered, or wrapped by another key)")
        }
        guard key.bitCount == 256 else {
            throw KeysError(.integrity, "the key wrapped under \(wrapped.master) is not 32 bytes")
        }
        return key
    }

    /// Adds a version with a fresh random key, makes it current and writes the file.
    public func rotateMaster() async throws -> MasterKeyReference {
        let next = Version(number: currentVersion.number + 1, created: Self.wholeSecondsNow(), state: .active, key: SymmetricKey(size: .bits256))
        var updated = versions
        updated.append(next)
        try KeyringFileIO.store(try Self.fileContents(path: path, keyID: keyID, versions: updated, sealing: sealing), to: path, exclusive: false)
        versions = updated
        return reference(next.number)
    }

    /// Marks a version retired and writes the file. The current version cannot be retired.
    public func retire(_ reference: MasterKeyReference) async throws {
        guard reference.storeKind == kind, reference.keyID == keyID,
            let index = versions.firstIndex(where: { $0.number == reference.version })
        else {
            throw KeysError(.unknownKey, "\(reference) is not in keyring \(path)")
        }
        guard versions[index].number != currentVersion.number else {
            throw KeysError(.invalidArgument, "\(reference) is the current master key version; rotate before retiring it")
        }
        guard versions[index].state != .retired else { return }
        var updated = versions
        updated[index].state = .retired
        try KeyringFileIO.store(try Self.fileContents(path: path, keyID: keyID, versions: updated, sealing: sealing), to: path, exclusive: false)
        versions = updated
    }

    /// Nothing to release: every change is already on disk.
    public func close() async {}

    // MARK: Internals

    /// The key material of a version, for tests that search the file for it. Never public.
    func keyMaterialForTesting(version: UInt32) -> [UInt8]? {
        versions.first { $0.number == version }?.key.withUnsafeBytes { Array($0) }
    }

    private var currentVersion: Version {
        // `open` and `create` guarantee at least one version, the newest being active.
        versions[versions.count - 1]
    }

    private func reference(_ version: UInt32) -> MasterKeyReference {
        MasterKeyReference(storeKind: kind, keyID: keyID, version: version)
    }

    private static func fileContents(path: String, keyID: String, versions: [Version], sealing: Sealing?) throws -> Data {
        var entries: [KeyringFile.Version] = []
        for version in versions {
            let stored: Data
            if let sealing {
                let aad = aad(keyID: keyID, version: version.number, state: version.state)
                guard let combined = try AES.GCM.seal(version.key.withUnsafeBytes { Data($0) }, using: sealing.key, authenticating: aad).combined else {
                    throw KeysError(.keyStoreUnavailable, "AES-GCM sealing of keyring \(path) failed")
                }
                stored = combined
            } else {
                stored = version.key.withUnsafeBytes { Data($0) }
            }
            entries.append(KeyringFile.Version(version: version.number, created: version.created, state: version.state.rawValue, key: stored.base64EncodedString()))
        }
        let file = KeyringFile(
            format: KeyringFile.formatName, formatVersion: KeyringFile.currentFormatVersion,
            keyID: keyID, sealing: sealing?.parameters, versions: entries)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(file)
    }

    /// Binds sealed material to its keyring, version and state, so none can be moved or edited.
    private static func aad(keyID: String, version: UInt32, state: MasterKeyInfo.State) -> Data {
        Data("souverain-keyring/1/\(keyID)/v\(version)/\(state.rawValue)".utf8)
    }

    /// The key that seals the keyring, derived by scrypt. The derivation (128 MiB and a fraction
    /// of a second by default, seconds on a loaded machine) runs on a thread of its own, never on
    /// one of the few threads that every task of the process shares.
    private static func deriveSealingKey(passphrase: String, parameters: KeyringFile.Sealing) async throws -> SymmetricKey {
        guard parameters.kdf == KeyringFile.Sealing.scrypt, parameters.cipher == KeyringFile.Sealing.aesGCM else {
            throw KeysError(.unsupportedFormat, "keyring sealing \(parameters.kdf)/\(parameters.cipher) is not supported by this build")
        }
        guard (10...22).contains(parameters.log2N), (1...32).contains(parameters.r), (1...16).contains(parameters.p),
            let salt = Data(base64Encoded: parameters.salt), salt.count >= 16
        else {
            throw KeysError(.invalidArgument, "keyring scrypt parameters are out of range")
        }
        guard !passphrase.isEmpty else {
            throw KeysError(.invalidArgument, "the keyring passphrase is empty")
        }
        let rounds = 1 << parameters.log2N
        let (r, p) = (parameters.r, parameters.p)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SymmetricKey, any Error>) in
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    continuation.resume(returning: try KDF.Scrypt.deriveKey(
                        from: Array(passphrase.utf8), salt: salt, outputByteCount: 32, rounds: rounds, blockSize: r,
                        parallelism: p, maxMemory: 128 * rounds * r * p + 16 * 1024 * 1024))
                } catch {
                    continuation.resume(throwing: KeysError(.keyStoreUnavailable, "scrypt key derivation failed", cause: error))
                }
            }
        }
    }

    private static func wholeSecondsNow() -> Date {
        Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}

/// The keyring file, format 1. Fields are only ever added in a new format version.
private struct KeyringFile: Codable {
    static let formatName = "souverain-keyring"
    static let currentFormatVersion = 1

    struct Sealing: Codable {
        static let scrypt = "scrypt"
        static let aesGCM = "AES-256-GCM"
        /// `scrypt`.
        var kdf: String
        /// base64, 32 random bytes.
        var salt: String
        /// scrypt N = 2^log2N.
        var log2N: Int
        var r: Int
        var p: Int
        /// `AES-256-GCM`: each version's `key` is base64(nonce ‖ ciphertext ‖ tag).
        var cipher: String
    }

    struct Version: Codable {
        var version: UInt32
        var created: Date
        /// `active` or `retired`.
        var state: String
        /// base64: the raw 32-byte key, or its AES-GCM seal when the keyring is sealed.
        var key: String
    }

    var format: String
    var formatVersion: Int
    var keyID: String
    var sealing: Sealing?
    var versions: [Version]
}

/// File access for the keyring: permission checks on read, atomic durable writes.
private enum KeyringFileIO {
    static func load(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open keyring \(path)") }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("cannot stat keyring \(path)") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw KeysError(.invalidArgument, "keyring \(path) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw KeysError(
                .invalidArgument,
                "keyring \(path) has mode \(String(mode, radix: 8)): group or others may access it; run `chmod 600 \(path)` and check who could have copied it")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot read keyring \(path)")
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            guard data.count <= 16 * 1024 * 1024 else {
                throw KeysError(.invalidArgument, "keyring \(path) is larger than 16 MiB: not a keyring")
            }
        }
        return data
    }

    /// Writes `data` to a 0600 temporary file beside `path`, fsyncs it, moves it into place
    /// (`link` when `exclusive`, so an existing file is never replaced; `rename` otherwise), and
    /// fsyncs the directory.
    static func store(_ data: Data, to path: String, exclusive: Bool) throws {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = "\(directory)/.\((path as NSString).lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("cannot create \(temporary)") }
        var moved = false
        defer { if !moved { _ = unlink(temporary) } }
        do {
            defer { _ = close(fd) }
            guard fchmod(fd, 0o600) == 0 else { throw ioError("cannot chmod \(temporary)") }
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw ioError("cannot write \(temporary)")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw ioError("cannot fsync \(temporary)") }
        }
        if exclusive {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST {
                    throw KeysError(.invalidArgument, "keyring \(path) already exists; open it, or choose another path")
                }
                throw ioError("cannot create keyring \(path)")
            }
            _ = unlink(temporary)
        } else {
            guard rename(temporary, path) == 0 else { throw ioError("cannot replace keyring \(path)") }
        }
        moved = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw ioError("cannot open directory \(directory) to fsync it") }
        defer { _ = close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw ioError("cannot fsync directory \(directory)") }
    }

    private static func ioError(_ what: String) -> KeysError {
        let code = errno
        return KeysError(.io, "\(what): \(String(cString: strerror(code))) (errno \(code))")
    }
}
