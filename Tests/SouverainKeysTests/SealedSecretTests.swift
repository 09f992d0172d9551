import Foundation
@testable import SouverainKeys
import Testing

@Suite struct SealedSecretTests {
    @Test func sealsOpensAndBindsToItsContext() async throws {
        let dir = try TemporaryDirectory()
        let store = try await KeyringKeyStore.create(path: dir.path + "/keyring.json")
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let sealed = try await SealedSecret.seal(secret, context: "user-1", store: store)
        #expect(SealedSecret.isSealed(sealed) && !SealedSecret.isSealed(secret))
        #expect(!sealed.contains(secret) && !sealed.contains(Data(secret.utf8).base64EncodedString()))
        #expect(try await SealedSecret.open(sealed, context: "user-1", store: store) == secret)
        // Two seals of one secret differ (a fresh key and nonce each time).
        #expect(try await SealedSecret.seal(secret, context: "user-1", store: store) != sealed)
        let current = try await store.currentMasterKey()
        #expect(try SealedSecret.master(of: sealed) == current)

        await #expect { _ = try await SealedSecret.open(sealed, context: "user-2", store: store) } throws: {
            ($0 as? KeysError)?.code == .integrity
        }
        var altered = Array(sealed)
        altered[altered.count - 3] = altered[altered.count - 3] == "A" ? "B" : "A"
        await #expect(throws: KeysError.self) { _ = try await SealedSecret.open(String(altered), context: "user-1", store: store) }
        await #expect { _ = try await SealedSecret.open(secret, context: "user-1", store: store) } throws: {
            ($0 as? KeysError)?.code == .unsupportedFormat
        }
        await store.close()
    }
}

extension PKCS11KeyStoreTests {
    /// A token only wraps keys (AES-KW): that is all sealing a secret needs.
    @Test func sealedSecretUnderAToken() async throws {
        let store = try await SoftHSM.open(keyLabel: "t-sealed-secret")
        let sealed = try await SealedSecret.seal("token-sealed-secret", context: "user-9", store: store)
        #expect(try SealedSecret.master(of: sealed).storeKind == "pkcs11")
        await store.close()
        let reopened = try await SoftHSM.open(keyLabel: "t-sealed-secret")
        #expect(try await SealedSecret.open(sealed, context: "user-9", store: reopened) == "token-sealed-secret")
        await reopened.close()
    }
}
