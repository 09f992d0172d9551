import CPKCS11
public import Crypto
import Foundation

/// Master keys held in an HSM (or SoftHSM2) over PKCS#11: they are generated on the token and
/// never leave it; wrapping and unwrapping run inside the token with `CKM_AES_KEY_WRAP`.
///
/// Layout on the token, for a key label `L` (default `souverain-master`): each version `N` is one
/// AES-256 secret key object with `CKA_LABEL` = `L-vN`, `CKA_TOKEN`, `CKA_PRIVATE`,
/// `CKA_SENSITIVE`, `CKA_WRAP` and `CKA_UNWRAP` true, `CKA_EXTRACTABLE`, `CKA_ENCRYPT`,
/// `CKA_DECRYPT` false, and `CKA_ID` = `souverain;v=N;created=<unix seconds>`. The current
/// version is the highest `N`. Retiring sets `CKA_UNWRAP` and `CKA_WRAP` to false, so the token
/// itself refuses to unwrap with it. All state is on the token and survives restarts; nothing is
/// kept elsewhere.
///
/// Concurrency: one store holds one logged-in session, and a PKCS#11 session must not be used by
/// two threads at once; the actor serialises every call on it. Open several stores for
/// parallelism. PKCS#11 login is per application and token: a second store on the same token in
/// the same process joins the existing login (`CKR_USER_ALREADY_LOGGED_IN`), and the login ends
/// when the last session closes. The module is initialised once per process and never finalised.
public actor PKCS11KeyStore: KeyStore {
    /// `"pkcs11"`.
    public nonisolated let kind = "pkcs11"
    /// The PKCS#11 module (`.so`) path.
    public nonisolated let modulePath: String
    /// The token's label.
    public nonisolated let tokenLabel: String
    /// The master key's label prefix, also its key id in wrapped keys.
    public nonisolated let keyLabel: String
    /// The slot the token was found in at open (slot ids change when tokens are initialised: the
    /// label is what identifies the token; the slot is reported, as by the compliance report).
    public nonisolated let slotID: UInt

    /// The module, token and key label; never the PIN.
    public nonisolated var description: String {
        "pkcs11 token \"\(tokenLabel)\" via \(modulePath) (master key label \(keyLabel))"
    }

    private var session: PKCS11Session?
    private var versions: [UInt32: VersionObject] = [:]

    private struct VersionObject {
        var handle: CK_OBJECT_HANDLE
        var created: Date
        var retired: Bool
    }

    private init(modulePath: String, tokenLabel: String, keyLabel: String, session: PKCS11Session) {
        self.modulePath = modulePath
        self.tokenLabel = tokenLabel
        self.keyLabel = keyLabel
        self.slotID = UInt(session.slot)
        self.session = session
    }

    deinit {
        session?.close()
    }

    /// Loads the module, finds the token by label, logs in as user, and loads the master key
    /// versions; if the token holds none for `keyLabel`, generates version 1 on it.
    ///
    /// - Parameters:
    ///   - module: path of the PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    ///   - tokenLabel: the token's label (slot ids change when tokens are initialised).
    ///   - pin: the user PIN; used to log in, not kept.
    ///   - keyLabel: label prefix of the master key objects, 1–64 of `A-Za-z0-9._-`.
    /// - Throws: ``KeysError`` `.keyStoreUnavailable` naming the `CKR_…` code (a wrong PIN says
    ///   so), `.invalidArgument` for a bad key label.
    public static func open(module: String, tokenLabel: String, pin: String, keyLabel: String = "souverain-master") async throws -> PKCS11KeyStore {
        guard WrappedKey.isValidKeyID(keyLabel) else {
            throw KeysError(.invalidArgument, "key label must be 1–64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")
        }
        let session = try PKCS11Session.open(modulePath: module, tokenLabel: tokenLabel, pin: pin)
        let store = PKCS11KeyStore(modulePath: module, tokenLabel: tokenLabel, keyLabel: keyLabel, session: session)
        do {
            try await store.prepare()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    private func prepare() throws {
        try refresh()
        if versions.isEmpty { try generate(version: 1) }
    }

    // MARK: KeyStore

    /// Every version found on the token, oldest first (re-read from the token).
    public func masterKeys() async throws -> [MasterKeyInfo] {
        try refresh()
        let current = versions.keys.max()
        return versions.keys.sorted().map { number in
            let object = versions[number]!
            return MasterKeyInfo(reference: reference(number), created: object.created, state: object.retired ? .retired : .active, isCurrent: number == current)
        }
    }

    /// The highest version on the token (re-read from the token).
    public func currentMasterKey() async throws -> MasterKeyReference {
        try refresh()
        return reference(try current().number)
    }

    /// Wraps a 32-byte key inside the token: imports it as a temporary session object
    /// (`CKA_TOKEN` false), `C_WrapKey` with `CKM_AES_KEY_WRAP` under the current version, then
    /// destroys the session object.
    public func wrap(_ key: SymmetricKey) async throws -> WrappedKey {
        try requireDataKeySize(key)
        let session = try openSession()
        let current = try current()
        var template = Self.sessionKeyTemplate.with(UInt(CKA_VALUE), bytes: key.withUnsafeBytes { Array($0) })
        defer { template.wipe() }
        let dataKey = try session.createObject(template)
        defer { session.destroy(dataKey) }
        let (rv, bytes) = session.wrap(dataKey, with: current.object.handle)
        switch rv {
        case CK_RV(CKR_OK) where bytes.count == 40:
            return WrappedKey(master: reference(current.number), algorithm: .aesKeyWrap, bytes: bytes)
        case CK_RV(CKR_OK):
            throw KeysError(.keyStoreUnavailable, "the token returned \(bytes.count) bytes for an AES-KW wrap of a 32-byte key, not 40")
        case CK_RV(CKR_KEY_FUNCTION_NOT_PERMITTED):
            throw KeysError(.keyStoreUnavailable, "\(reference(current.number)) refuses to wrap (CKR_KEY_FUNCTION_NOT_PERMITTED): it was retired on the token; rotate")
        default:
            throw KeysError(.keyStoreUnavailable, "wrapping under \(reference(current.number)) failed: \(PKCS11Session.name(rv))")
        }
    }

    /// Unwraps inside the token with `C_UnwrapKey` (`CKM_AES_KEY_WRAP`) into a temporary session
    /// object, reads its value and destroys it.
    public func unwrap(_ wrapped: WrappedKey) async throws -> SymmetricKey {
        try checkOwnership(of: wrapped, keyID: keyLabel)
        let session = try openSession()
        let number = wrapped.master.version
        if versions[number] == nil { try refresh() }
        guard let object = versions[number] else {
            throw KeysError(.unknownKey, "\(wrapped.master) is not on token \"\(tokenLabel)\"")
        }
        guard !object.retired else {
            throw KeysError(.retiredKey, "\(wrapped.master) was retired: keys wrapped under it no longer unwrap")
        }
        let (rv, handle) = session.unwrap(wrapped.bytes, with: object.handle, template: Self.sessionKeyTemplate)
        switch rv {
        case CK_RV(CKR_OK):
            defer { session.destroy(handle) }
            var (valueRV, value) = session.value32(of: handle)
            defer { zeroize(&value) }
            guard valueRV == CK_RV(CKR_OK) else {
                throw KeysError(.integrity, "the key wrapped under \(wrapped.master) did not unwrap to 32 readable bytes: \(PKCS11Session.name(valueRV))")
            }
            return SymmetricKey(data: value)
        case CK_RV(CKR_KEY_FUNCTION_NOT_PERMITTED):
            versions[number]?.retired = true
            throw KeysError(.retiredKey, "\(wrapped.master) was retired on the token: keys wrapped under it no longer unwrap")
        case CK_RV(CKR_WRAPPED_KEY_INVALID), CK_RV(CKR_WRAPPED_KEY_LEN_RANGE), CK_RV(CKR_ENCRYPTED_DATA_INVALID),
            CK_RV(CKR_ENCRYPTED_DATA_LEN_RANGE), CK_RV(CKR_DATA_INVALID):
            throw KeysError(
                .integrity,
                "the key wrapped under \(wrapped.master) failed authentication (\(PKCS11Session.name(rv))): altered, or wrapped by another key")
        case let rv where (rv == CK_RV(CKR_GENERAL_ERROR) || rv == CK_RV(CKR_FUNCTION_FAILED)) && session.isResponsive(object.handle):
            // SoftHSM2 answers a failed AES-KW integrity check with CKR_GENERAL_ERROR. The token
            // still answers about the master key, so it is not down: the wrapped bytes are bad.
            throw KeysError(
                .integrity,
                "the key wrapped under \(wrapped.master) failed to unwrap (\(PKCS11Session.name(rv)), token otherwise healthy): altered, or wrapped by another key")
        default:
            throw KeysError(.keyStoreUnavailable, "unwrapping under \(wrapped.master) failed: \(PKCS11Session.name(rv))")
        }
    }

    /// Generates the next version on the token with `C_GenerateKey`; being the highest, it is
    /// current at once.
    ///
    /// Rotate from one place at a time: two processes rotating at the same instant could both
    /// create the same version, which the store then refuses to use until one object is removed.
    public func rotateMaster() async throws -> MasterKeyReference {
        try refresh()
        let next = (versions.keys.max() ?? 0) + 1
        try generate(version: next)
        return reference(next)
    }

    /// Sets `CKA_UNWRAP` and `CKA_WRAP` to false on the version's object; the token then refuses
    /// it. The object is not destroyed. The current version cannot be retired.
    public func retire(_ reference: MasterKeyReference) async throws {
        let session = try openSession()
        try refresh()
        guard reference.storeKind == kind, reference.keyID == keyLabel, let object = versions[reference.version] else {
            throw KeysError(.unknownKey, "\(reference) is not on token \"\(tokenLabel)\"")
        }
        guard reference.version != versions.keys.max() else {
            throw KeysError(.invalidArgument, "\(reference) is the current master key version; rotate before retiring it")
        }
        guard !object.retired else { return }
        let template = Template().with(UInt(CKA_UNWRAP), false).with(UInt(CKA_WRAP), false)
        try session.setAttributes(template, on: object.handle, "retiring \(reference)")
        versions[reference.version]?.retired = true
    }

    /// Closes the session. Later calls throw `.keyStoreUnavailable`.
    public func close() async {
        session?.close()
        session = nil
        versions = [:]
    }

    // MARK: Internals

    /// The template of a data key as a temporary session object: readable, so it can be
    /// imported for wrapping and read back after unwrapping, and gone when the session closes.
    private static let sessionKeyTemplate = Template()
        .with(UInt(CKA_CLASS), ulong: UInt(CKO_SECRET_KEY))
        .with(UInt(CKA_KEY_TYPE), ulong: UInt(CKK_AES))
        .with(UInt(CKA_TOKEN), false)
        .with(UInt(CKA_PRIVATE), false)
        .with(UInt(CKA_SENSITIVE), false)
        .with(UInt(CKA_EXTRACTABLE), true)
        .with(UInt(CKA_ENCRYPT), false)
        .with(UInt(CKA_DECRYPT), false)
        .with(UInt(CKA_WRAP), false)
        .with(UInt(CKA_UNWRAP), false)

    private func openSession() throws -> PKCS11Session {
        guard let session else {
            throw KeysError(.keyStoreUnavailable, "the PKCS#11 key store for token \"\(tokenLabel)\" was closed")
        }
        return session
    }

    private func reference(_ version: UInt32) -> MasterKeyReference {
        MasterKeyReference(storeKind: kind, keyID: keyLabel, version: version)
    }

    private func current() throws -> (number: UInt32, object: VersionObject) {
        guard let number = versions.keys.max(), let object = versions[number] else {
            throw KeysError(.keyStoreUnavailable, "token \"\(tokenLabel)\" holds no master key labelled \(keyLabel)-v…")
        }
        guard !object.retired else {
            throw KeysError(.keyStoreUnavailable, "\(reference(number)), the newest version, was retired on the token; rotate to create a new one")
        }
        return (number, object)
    }

    /// Re-reads the versions from the token: AES key objects labelled `<keyLabel>-v<N>`.
    private func refresh() throws {
        let session = try openSession()
        let search = Template()
            .with(UInt(CKA_CLASS), ulong: UInt(CKO_SECRET_KEY))
            .with(UInt(CKA_KEY_TYPE), ulong: UInt(CKK_AES))
            .with(UInt(CKA_TOKEN), true)
        var found: [UInt32: VersionObject] = [:]
        let prefix = keyLabel + "-v"
        for handle in try session.findObjects(search) {
            guard let labelBytes = try session.attribute(CK_ATTRIBUTE_TYPE(CKA_LABEL), of: handle),
                let label = String(validating: labelBytes, as: UTF8.self), label.hasPrefix(prefix),
                let number = UInt32(label.dropFirst(prefix.count)), number >= 1, label == "\(prefix)\(number)"
            else { continue }
            guard found[number] == nil else {
                throw KeysError(
                    .keyStoreUnavailable,
                    "token \"\(tokenLabel)\" holds two objects labelled \(label); remove the one that wrapped nothing (an interrupted concurrent rotation)")
            }
            let id = try session.attribute(CK_ATTRIBUTE_TYPE(CKA_ID), of: handle) ?? []
            let unwrap = try session.attribute(CK_ATTRIBUTE_TYPE(CKA_UNWRAP), of: handle) ?? [0]
            found[number] = VersionObject(handle: handle, created: Self.created(fromID: id), retired: unwrap.first == 0)
        }
        versions = found
    }

    private func generate(version: UInt32) throws {
        let session = try openSession()
        let created = Date().timeIntervalSince1970.rounded(.down)
        let template = Template()
            .with(UInt(CKA_CLASS), ulong: UInt(CKO_SECRET_KEY))
            .with(UInt(CKA_KEY_TYPE), ulong: UInt(CKK_AES))
            .with(UInt(CKA_VALUE_LEN), ulong: 32)
            .with(UInt(CKA_TOKEN), true)
            .with(UInt(CKA_PRIVATE), true)
            .with(UInt(CKA_SENSITIVE), true)
            .with(UInt(CKA_EXTRACTABLE), false)
            .with(UInt(CKA_MODIFIABLE), true)
            .with(UInt(CKA_WRAP), true)
            .with(UInt(CKA_UNWRAP), true)
            .with(UInt(CKA_ENCRYPT), false)
            .with(UInt(CKA_DECRYPT), false)
            .with(UInt(CKA_SIGN), false)
            .with(UInt(CKA_VERIFY), false)
            .with(UInt(CKA_DERIVE), false)
            .with(UInt(CKA_LABEL), bytes: Array("\(keyLabel)-v\(version)".utf8))
            .with(UInt(CKA_ID), bytes: Array("souverain;v=\(version);created=\(Int64(created))".utf8))
        let handle = try session.generateAESKey(template)
        versions[version] = VersionObject(handle: handle, created: Date(timeIntervalSince1970: created), retired: false)
    }

    /// The creation time written in `CKA_ID`, or the Unix epoch for an object Souverain did not
    /// create.
    private static func created(fromID id: [UInt8]) -> Date {
        let text = String(decoding: id, as: UTF8.self)
        for field in text.split(separator: ";") where field.hasPrefix("created=") {
            if let seconds = Int64(field.dropFirst("created=".count)) { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        }
        return Date(timeIntervalSince1970: 0)
    }

    /// The return code of reading `CKA_VALUE` of a master key version, and its `CKA_SENSITIVE`
    /// and `CKA_EXTRACTABLE`, for tests proving the master key cannot leave the token.
    func masterKeyExposureForTesting(version: UInt32) throws -> (valueRead: CK_RV, sensitive: [UInt8]?, extractable: [UInt8]?) {
        let session = try openSession()
        try refresh()
        guard let object = versions[version] else { throw KeysError(.unknownKey, "no version \(version)") }
        return (
            session.valueReadResult(of: object.handle),
            try session.attribute(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), of: object.handle),
            try session.attribute(CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), of: object.handle)
        )
    }
}
