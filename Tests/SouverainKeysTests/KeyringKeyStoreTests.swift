import Crypto
import Foundation
@testable import SouverainKeys
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary directory per test, removed afterwards.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "souverain-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func fileMode(_ path: String) -> mode_t {
    var info = stat()
    _ = stat(path, &info)
    return info.st_mode & 0o777
}

func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
}

@Suite struct KeyringKeyStoreTests {
    /// scrypt at N = 2^10 keeps the tests that only need a sealed file fast; one test uses the default cost.
    static let lowCost = 10

    @Test func wrapUnwrapRoundTrip() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let dataKey = SymmetricKey(size: .bits256)
        let wrapped = try await store.wrap(dataKey)
        #expect(wrapped.bytes.count == 40)
        #expect(wrapped.algorithm == .aesKeyWrap)
        #expect(wrapped.master == (try await store.currentMasterKey()))
        #expect(wrapped.master.storeKind == "keyring" && wrapped.master.version == 1)
        #expect(!wrapped.bytes.isEmpty && !contains(wrapped.bytes, bytes(dataKey)))
        let unwrapped = try await store.unwrap(WrappedKey(encoded: try wrapped.encoded()))
        #expect(bytes(unwrapped) == bytes(dataKey))
        #expect(fileMode(dir.path + "/keyring.json") == 0o600)
    }

    @Test func wrappedBytesAreStandardRFC3394() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let dataKey = SymmetricKey(size: .bits256)
        let wrapped = try await store.wrap(dataKey)
        let master = SymmetricKey(data: try #require(await store.keyMaterialForTesting(version: 1)))
        #expect(Array(try AES.KeyWrap.wrap(dataKey, using: master)) == wrapped.bytes)
    }

    @Test func onlyThirtyTwoByteKeysAreWrapped() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let error = await #expect(throws: KeysError.self) { try await store.wrap(SymmetricKey(size: .bits128)) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func rotationKeepsOldVersionsUnwrapping() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let oldKey = SymmetricKey(size: .bits256)
        let oldWrapped = try await store.wrap(oldKey)
        let v2 = try await store.rotateMaster()
        #expect(v2.version == 2)
        #expect(try await store.currentMasterKey() == v2)
        let newKey = SymmetricKey(size: .bits256)
        let newWrapped = try await store.wrap(newKey)
        #expect(newWrapped.master == v2)
        #expect(bytes(try await store.unwrap(oldWrapped)) == bytes(oldKey))
        #expect(bytes(try await store.unwrap(newWrapped)) == bytes(newKey))
        let infos = try await store.masterKeys()
        #expect(infos.map(\.reference.version) == [1, 2])
        #expect(infos.map(\.isCurrent) == [false, true])
        #expect(infos.allSatisfy { $0.state == .active })
    }

    @Test func retiredVersionNoLongerUnwraps() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let oldWrapped = try await store.wrap(SymmetricKey(size: .bits256))
        let v1 = try await store.currentMasterKey()
        _ = try await store.rotateMaster()
        let newKey = SymmetricKey(size: .bits256)
        let newWrapped = try await store.wrap(newKey)
        try await store.retire(v1)
        let error = await #expect(throws: KeysError.self) { try await store.unwrap(oldWrapped) }
        #expect(error?.code == .retiredKey)
        #expect(bytes(try await store.unwrap(newWrapped)) == bytes(newKey))
        #expect(try await store.masterKeys().map(\.state) == [.retired, .active])
        try await store.retire(v1)  // idempotent
    }

    @Test func retiringTheCurrentVersionIsRefused() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let error = await #expect(throws: KeysError.self) { try await store.retire(try await store.currentMasterKey()) }
        #expect(error?.code == .invalidArgument)
        let unknown = MasterKeyReference(storeKind: "keyring", keyID: store.keyID, version: 9)
        let unknownError = await #expect(throws: KeysError.self) { try await store.retire(unknown) }
        #expect(unknownError?.code == .unknownKey)
    }

    @Test func reopeningKeepsEverything() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        let store = try await KeyringKeyStore.create(path: path)
        let v1Wrapped = try await store.wrap(SymmetricKey(size: .bits256))
        let v2 = try await store.rotateMaster()
        let v2Key = SymmetricKey(size: .bits256)
        let v2Wrapped = try await store.wrap(v2Key)
        _ = try await store.rotateMaster()
        try await store.retire(v1Wrapped.master)
        let before = try await store.masterKeys()

        let reopened = try await KeyringKeyStore.open(path: path)
        #expect(reopened.keyID == store.keyID)
        #expect(try await reopened.masterKeys() == before)
        #expect(try await reopened.currentMasterKey().version == 3)
        #expect(bytes(try await reopened.unwrap(v2Wrapped)) == bytes(v2Key))
        #expect(v2Wrapped.master == v2)
        let error = await #expect(throws: KeysError.self) { try await reopened.unwrap(v1Wrapped) }
        #expect(error?.code == .retiredKey)
        #expect(fileMode(path) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["keyring.json"], "no temporary file is left behind")
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606] as [mode_t])
    func keyringOthersCanAccessIsRefused(_ mode: mode_t) async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        _ = try await KeyringKeyStore.create(path: path)
        #expect(chmod(path, mode) == 0)
        let error = await #expect(throws: KeysError.self) { try await KeyringKeyStore.open(path: path) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("chmod 600") == true)
        #expect(chmod(path, 0o600) == 0)
        _ = try await KeyringKeyStore.open(path: path)
    }

    @Test func creatingOverAnExistingFileIsRefused() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        let first = try await KeyringKeyStore.create(path: path)
        let error = await #expect(throws: KeysError.self) { try await KeyringKeyStore.create(path: path) }
        #expect(error?.code == .invalidArgument)
        #expect(try await KeyringKeyStore.open(path: path).keyID == first.keyID)
    }

    @Test func wrongPassphraseIsRefusedAtDefaultCost() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        let clock = ContinuousClock()
        let start = clock.now
        let store = try await KeyringKeyStore.create(path: path, passphrase: "correct horse battery staple")
        print("keyring: scrypt N=2^\(KeyringKeyStore.defaultScryptLog2N) derivation took \(clock.now - start)")
        let key = SymmetricKey(size: .bits256)
        let wrapped = try await store.wrap(key)
        #expect(store.isSealed)

        let wrong = await #expect(throws: KeysError.self) { try await KeyringKeyStore.open(path: path, passphrase: "correct horse battery stapler") }
        #expect(wrong?.code == .invalidArgument)
        #expect(wrong?.message.contains("wrong passphrase") == true)
        #expect(wrong?.description.contains("stapler") == false)
        let missing = await #expect(throws: KeysError.self) { try await KeyringKeyStore.open(path: path) }
        #expect(missing?.code == .invalidArgument)

        let reopened = try await KeyringKeyStore.open(path: path, passphrase: "correct horse battery staple")
        #expect(bytes(try await reopened.unwrap(wrapped)) == bytes(key))
    }

    @Test func passphraseOnAnUnsealedKeyringIsRefused() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        _ = try await KeyringKeyStore.create(path: path)
        let error = await #expect(throws: KeysError.self) { try await KeyringKeyStore.open(path: path, passphrase: "x") }
        #expect(error?.code == .invalidArgument)
    }

    /// Every form a key could take in a JSON file: raw, base64, hex.
    static func forms(of key: [UInt8]) -> [[UInt8]] {
        [key, Array(Data(key).base64EncodedString().utf8), Array(key.map { String(format: "%02x", $0) }.joined().utf8)]
    }

    @Test(arguments: [true, false])
    func sealedFileHoldsNoKeyInClear(_ sealed: Bool) async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        let store = try await KeyringKeyStore.create(path: path, passphrase: sealed ? "a long passphrase" : nil, scryptLog2N: Self.lowCost)
        _ = try await store.rotateMaster()
        try await store.retire(MasterKeyReference(storeKind: "keyring", keyID: store.keyID, version: 1))
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for version in [UInt32(1), 2] {
            let material = try #require(await store.keyMaterialForTesting(version: version))
            let found = Self.forms(of: material).contains { contains(file, $0) }
            // Unsealed, the search must find the key: that proves the search works.
            #expect(found == !sealed, "version \(version), sealed: \(sealed)")
        }
        if sealed {
            let reopened = try await KeyringKeyStore.open(path: path, passphrase: "a long passphrase")
            #expect(try await reopened.masterKeys().map(\.state) == [.retired, .active])
        }
    }

    @Test func editedStateInASealedFileIsDetected() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        let store = try await KeyringKeyStore.create(path: path, passphrase: "pass phrase", scryptLog2N: Self.lowCost)
        _ = try await store.rotateMaster()
        try await store.retire(MasterKeyReference(storeKind: "keyring", keyID: store.keyID, version: 1))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"retired\""))
        try Data(text.replacingOccurrences(of: "\"retired\"", with: "\"active\"").utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o600) == 0)
        let error = await #expect(throws: KeysError.self) { try await KeyringKeyStore.open(path: path, passphrase: "pass phrase") }
        #expect(error?.code == .invalidArgument)
    }

    @Test func tamperedWrappedKeyFails() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let wrapped = try await store.wrap(SymmetricKey(size: .bits256))
        for index in [0, 17, 39] {
            var tampered = wrapped
            tampered.bytes[index] ^= 0x01
            let error = await #expect(throws: KeysError.self) { try await store.unwrap(tampered) }
            #expect(error?.code == .integrity)
        }
        var otherVersion = wrapped
        otherVersion.master.version = 7
        let unknown = await #expect(throws: KeysError.self) { try await store.unwrap(otherVersion) }
        #expect(unknown?.code == .unknownKey)

        let other = try await KeyringKeyStore.create(path: dir.path + "/other.json")
        let foreign = await #expect(throws: KeysError.self) { try await other.unwrap(wrapped) }
        #expect(foreign?.code == .unknownKey)
    }

    @Test func garbageKeyringIsRefused() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/keyring.json"
        for contents in ["not json", #"{"format":"something-else","formatVersion":1,"keyID":"kr-1","versions":[]}"#,
                         #"{"format":"souverain-keyring","formatVersion":2,"keyID":"kr-1","versions":[]}"#] {
            try? FileManager.default.removeItem(atPath: path)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]))
            let error = await #expect(throws: KeysError.self) { try await KeyringKeyStore.open(path: path) }
            #expect(error?.code == .unsupportedFormat)
        }
    }
}
