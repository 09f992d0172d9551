import ArgumentParser
import Foundation
import SouverainKeys

/// Opens the key store the settings name: the embedded keyring (created on first start, sealed
/// by SOUVERAIN_KEYRING_PASSPHRASE when it is set) or a PKCS#11 token (PIN from
/// SOUVERAIN_PKCS11_PIN). Secrets come from the environment only, never from the file or flags.
enum KeyStoreSetup {
    static func open(_ settings: Settings, directory: DataDirectory) async throws -> any KeyStore {
        let environment = ProcessInfo.processInfo.environment
        switch settings.keyStore {
        case "pkcs11":
            guard !settings.pkcs11Module.isEmpty, !settings.pkcs11Token.isEmpty else {
                throw ValidationError("key-store = pkcs11 needs pkcs11-module and pkcs11-token")
            }
            guard let pin = environment["SOUVERAIN_PKCS11_PIN"], !pin.isEmpty else {
                throw ValidationError("key-store = pkcs11 needs the token's PIN in SOUVERAIN_PKCS11_PIN")
            }
            return try await PKCS11KeyStore.open(module: settings.pkcs11Module, tokenLabel: settings.pkcs11Token, pin: pin)
        default:
            let passphrase = environment["SOUVERAIN_KEYRING_PASSPHRASE"].flatMap { $0.isEmpty ? nil : $0 }
            if FileManager.default.fileExists(atPath: directory.keyringPath) {
                return try await KeyringKeyStore.open(path: directory.keyringPath, passphrase: passphrase)
            }
            return try await KeyringKeyStore.create(path: directory.keyringPath, passphrase: passphrase)
        }
    }
}
