import CPKCS11
import Crypto
import Foundation
@testable import SouverainKeys
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One SoftHSM2 token directory for the whole test process: the module reads `SOFTHSM2_CONF`
/// only at `C_Initialize`, which happens once per process, so every test shares it and uses its
/// own key label. Two tokens: `souverain-test` for the store, `souverain-pin` for the wrong-PIN
/// test (PKCS#11 login is per application, so a token nobody else is logged in to).
enum SoftHSM {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    static let token = "souverain-test"
    static let pinToken = "souverain-pin"
    static let pin = "1234"

    static var isInstalled: Bool { FileManager.default.fileExists(atPath: module) }

    /// Creates the token directory and configuration, sets `SOFTHSM2_CONF`, initialises both
    /// tokens; runs once.
    static let ready: Result<String, any Error> = Result {
        let directory = NSTemporaryDirectory() + "souverain-softhsm-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/tokens", withIntermediateDirectories: true)
        let conf = directory + "/softhsm2.conf"
        try "directories.tokendir = \(directory)/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(toFile: conf, atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", conf, 1)
        atexit {
            // Remove the token directory this process made (named in SOFTHSM2_CONF) at exit.
            guard let conf = getenv("SOFTHSM2_CONF").map({ String(cString: $0) }), conf.contains("/souverain-softhsm-") else { return }
            try? FileManager.default.removeItem(atPath: (conf as NSString).deletingLastPathComponent)
        }
        for label in [token, pinToken] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
            process.arguments = ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "5678"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw KeysError(.io, "softhsm2-util --init-token exited with \(process.terminationStatus)")
            }
        }
        return directory
    }

    static func open(keyLabel: String, pin: String = pin, token: String = token) async throws -> PKCS11KeyStore {
        _ = try ready.get()
        return try await PKCS11KeyStore.open(module: module, tokenLabel: token, pin: pin, keyLabel: keyLabel)
    }
}

@Suite(
    .serialized,
    .enabled(if: SoftHSM.isInstalled, "SoftHSM2 is not installed (/usr/lib/softhsm/libsofthsm2.so): apt-get install -y softhsm2")
)
struct PKCS11KeyStoreTests {
    @Test func generateWrapUnwrap() async throws {
        let store = try await SoftHSM.open(keyLabel: "t-roundtrip")
        let infos = try await store.masterKeys()
        #expect(infos.count == 1)
        #expect(infos.first?.reference == MasterKeyReference(storeKind: "pkcs11", keyID: "t-roundtrip", version: 1))
        #expect(infos.first?.isCurrent == true && infos.first?.state == .active)
        #expect(abs((infos.first?.created ?? .distantPast).timeIntervalSinceNow) < 120)
        let dataKey = SymmetricKey(size: .bits256)
        let wrapped = try await store.wrap(dataKey)
        #expect(wrapped.bytes.count == 40)
        #expect(wrapped.master.version == 1 && wrapped.master.storeKind == "pkcs11")
        let decoded = try WrappedKey(encodedString: try wrapped.encodedString())
        #expect(bytes(try await store.unwrap(decoded)) == bytes(dataKey))
        #expect(!store.description.contains(SoftHSM.pin))
        await store.close()
    }

    @Test func reopenedStoreStillUnwraps() async throws {
        let first = try await SoftHSM.open(keyLabel: "t-reopen")
        let dataKey = SymmetricKey(size: .bits256)
        let wrapped = try await first.wrap(dataKey)
        let before = try await first.masterKeys()
        await first.close()
        let closed = await #expect(throws: KeysError.self) { try await first.unwrap(wrapped) }
        #expect(closed?.code == .keyStoreUnavailable)

        let second = try await SoftHSM.open(keyLabel: "t-reopen")
        #expect(try await second.masterKeys() == before, "no new version is generated on reopen")
        #expect(bytes(try await second.unwrap(wrapped)) == bytes(dataKey))
        await second.close()
    }

    @Test func rotateAndRetireSurviveReopen() async throws {
        let store = try await SoftHSM.open(keyLabel: "t-rotate")
        let oldKey = SymmetricKey(size: .bits256)
        let oldWrapped = try await store.wrap(oldKey)
        let v2 = try await store.rotateMaster()
        #expect(v2.version == 2)
        #expect(try await store.currentMasterKey() == v2)
        let newKey = SymmetricKey(size: .bits256)
        let newWrapped = try await store.wrap(newKey)
        #expect(newWrapped.master == v2)
        #expect(bytes(try await store.unwrap(oldWrapped)) == bytes(oldKey))

        // A second store that has already seen v1 active: the token itself must refuse it later.
        let other = try await SoftHSM.open(keyLabel: "t-rotate")
        #expect(try await other.masterKeys().map(\.state) == [.active, .active])

        let refused = await #expect(throws: KeysError.self) { try await store.retire(v2) }
        #expect(refused?.code == .invalidArgument)
        try await store.retire(oldWrapped.master)
        let retired = await #expect(throws: KeysError.self) { try await store.unwrap(oldWrapped) }
        #expect(retired?.code == .retiredKey)
        let enforced = await #expect(throws: KeysError.self) { try await other.unwrap(oldWrapped) }
        #expect(enforced?.code == .retiredKey, "CKA_UNWRAP false makes the token refuse")
        #expect(bytes(try await other.unwrap(newWrapped)) == bytes(newKey))
        await store.close()
        await other.close()

        let reopened = try await SoftHSM.open(keyLabel: "t-rotate")
        let infos = try await reopened.masterKeys()
        #expect(infos.map(\.state) == [.retired, .active])
        #expect(infos.map(\.isCurrent) == [false, true])
        let stillRetired = await #expect(throws: KeysError.self) { try await reopened.unwrap(oldWrapped) }
        #expect(stillRetired?.code == .retiredKey)
        #expect(bytes(try await reopened.unwrap(newWrapped)) == bytes(newKey))
        await reopened.close()
    }

    @Test func masterKeyIsNotExtractable() async throws {
        let store = try await SoftHSM.open(keyLabel: "t-extract")
        let exposure = try await store.masterKeyExposureForTesting(version: 1)
        #expect(exposure.valueRead == CK_RV(CKR_ATTRIBUTE_SENSITIVE), "C_GetAttributeValue(CKA_VALUE) gave \(PKCS11Session.name(exposure.valueRead))")
        #expect(exposure.sensitive == [1])
        #expect(exposure.extractable == [0])
        await store.close()
    }

    @Test func wrongPINIsRefused() async throws {
        let error = await #expect(throws: KeysError.self) {
            try await SoftHSM.open(keyLabel: "t-pin", pin: "9999", token: SoftHSM.pinToken)
        }
        #expect(error?.code == .keyStoreUnavailable)
        #expect(error?.message.contains("CKR_PIN_INCORRECT") == true)
        #expect(error?.message.contains("PIN") == true)
        #expect(error?.description.contains("9999") == false)
        let store = try await SoftHSM.open(keyLabel: "t-pin", token: SoftHSM.pinToken)
        #expect(try await store.masterKeys().count == 1)
        await store.close()
    }

    @Test func unknownTokenIsNamed() async throws {
        let error = await #expect(throws: KeysError.self) { try await SoftHSM.open(keyLabel: "t-x", token: "no-such-token") }
        #expect(error?.code == .keyStoreUnavailable)
        #expect(error?.message.contains("no-such-token") == true)
        #expect(error?.message.contains(SoftHSM.token) == true, "lists the tokens present")
    }

    @Test func tamperedOrForeignWrappedKeysFail() async throws {
        let store = try await SoftHSM.open(keyLabel: "t-tamper")
        let wrapped = try await store.wrap(SymmetricKey(size: .bits256))
        for index in [0, 17, 39] {
            var tampered = wrapped
            tampered.bytes[index] ^= 0x01
            let error = await #expect(throws: KeysError.self) { try await store.unwrap(tampered) }
            #expect(error?.code == .integrity, "\(error?.description ?? "")")
        }
        var unknownVersion = wrapped
        unknownVersion.master.version = 42
        let unknown = await #expect(throws: KeysError.self) { try await store.unwrap(unknownVersion) }
        #expect(unknown?.code == .unknownKey)
        let otherLabel = try await SoftHSM.open(keyLabel: "t-tamper-other")
        let foreign = await #expect(throws: KeysError.self) { try await otherLabel.unwrap(wrapped) }
        #expect(foreign?.code == .unknownKey)
        await store.close()
        await otherLabel.close()
    }

    @Test func unwrapRate() async throws {
        let store = try await SoftHSM.open(keyLabel: "t-rate")
        let wrapped = try await store.wrap(SymmetricKey(size: .bits256))
        let count = 2_000
        let clock = ContinuousClock()
        let wrapStart = clock.now
        for _ in 0..<count { _ = try await store.wrap(SymmetricKey(size: .bits256)) }
        let wrapTime = clock.now - wrapStart
        let start = clock.now
        for _ in 0..<count { _ = try await store.unwrap(wrapped) }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let wrapSeconds = Double(wrapTime.components.seconds) + Double(wrapTime.components.attoseconds) / 1e18
        print("pkcs11 (SoftHSM2): \(Int(Double(count) / seconds)) unwraps/s, \(Int(Double(count) / wrapSeconds)) wraps/s over \(count) calls")
        #expect(seconds > 0)
        await store.close()
    }
}
