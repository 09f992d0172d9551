import ArgumentParser
import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainModel
import SouverainStorage

/// The embedded default's layout: `catalogue.sqlite`, `local/` (blobs of the local location) and
/// `credentials` (the admin's keys, mode 0600).
struct DataDirectory {
    let path: String

    var cataloguePath: String { path + "/catalogue.sqlite" }
    var localRoot: String { path + "/local" }
    var credentialsPath: String { path + "/credentials" }
    var cleanShutdownMarker: String { path + "/clean-shutdown" }
    var auditDirectory: String { path + "/audit" }
    /// The Ed25519 key that signs audit checkpoints (mode 0600), and its public half for auditors.
    var auditKeyPath: String { path + "/audit.key" }
    var auditPublicKeyPath: String { path + "/audit.pub" }

    init(_ path: String) throws {
        self.path = (path as NSString).standardizingPath
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func openCatalogue() throws -> SQLiteCatalogue {
        let catalogue = try SQLiteCatalogue(path: cataloguePath)
        // The catalogue holds the users' secrets: readable by the owner only.
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: cataloguePath + suffix) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: cataloguePath + suffix)
        }
        return catalogue
    }
}

/// Access keys as AWS shapes them: 20 uppercase letters and digits; secrets of 40 characters.
enum KeyGenerator {
    static func accessKeyID() -> String { random(20, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")) }
    static func secret() -> String {
        random(40, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    }

    private static func random(_ count: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
