import Foundation
public import SouverainEngine
import SouverainCatalogue
public import SouverainModel
import SouverainS3

/// The administration of named keys (docs/keys.md, "Named keys") and its JSON answers, shared by
/// the admin API and `souverain keys` when no server runs.
extension KeyAdministration {
    /// Who makes keys offline (`souverain keys create` with no server running): the operator, who
    /// holds the data directory; such keys' grants may be decided by any admin.
    public static let offlineCreator = "operator"

    public static func create(_ store: ObjectStore, alias: String, description: String, creator: String) async throws -> KeyActionAnswer {
        let key = try await store.createNamedKey(alias: alias, description: description, creator: creator)
        return KeyActionAnswer(keyID: key.id, alias: "alias/" + key.alias, arn: NamedKeyReference.arn(keyID: key.id, region: store.region), version: 1)
    }

    /// Every named key: id, alias, ARN, state, versions (and the master version wrapping each), grants.
    public static func namedKeys(_ store: ObjectStore) async throws -> [KeyListAnswer.NamedKey] {
        var users: [String: String] = [:]
        for user in try await store.catalogueStore.users() { users[user.id] = user.name }
        return try await store.namedKeyReport().map { report in
            KeyListAnswer.NamedKey(
                keyID: report.key.id, alias: "alias/" + report.key.alias, description: report.key.description,
                arn: NamedKeyReference.arn(keyID: report.key.id, region: store.region),
                creator: users[report.key.creator] ?? report.key.creator, created: S3Date.iso8601(report.key.created),
                state: report.key.shreddedAt == nil ? "enabled" : "shredded",
                versions: report.versions.map { version in
                    .init(version: version.version, created: S3Date.iso8601(version.created), current: version.version == report.versions.last?.version)
                },
                grants: report.grants.map { grant in
                    .init(user: users[grant.userID] ?? grant.userID, encrypt: grant.encrypt, decrypt: grant.decrypt)
                },
                shredded: report.key.shreddedAt.map(S3Date.iso8601))
        }
    }

    public static func rotate(_ store: ObjectStore, key name: String) async throws -> KeyActionAnswer {
        let key = try await store.namedKeyForAdministration(name)
        let rotation = try await store.rotateNamedKey(key)
        return KeyActionAnswer(key: "alias/" + key.alias, keyID: key.id, version: rotation.version, objectsRewrapped: rotation.rewrapped)
    }

    public static func retire(_ store: ObjectStore, key name: String, version: Int) async throws -> KeyActionAnswer {
        let key = try await store.namedKeyForAdministration(name)
        try await store.retireNamedKeyVersion(key, version: version)
        return KeyActionAnswer(key: "alias/" + key.alias, keyID: key.id, retiredVersion: version)
    }

    public static func shred(_ store: ObjectStore, key name: String) async throws -> KeyActionAnswer {
        let key = try await store.namedKeyForAdministration(name)
        let destroyed = try await store.shredNamedKey(key)
        return KeyActionAnswer(key: "alias/" + key.alias, keyID: key.id, keyVersionsDestroyed: destroyed)
    }

    /// Adds (`revoke` false) or removes uses of a key for a user. `decider` is the admin asking (nil
    /// offline): only the key's creator decides its grants, or any admin for a key made offline.
    public static func grant(
        _ store: ObjectStore, key name: String, user userName: String, encrypt: Bool, decrypt: Bool, revoke: Bool, decider: User?
    ) async throws -> KeyActionAnswer {
        let key = try await store.namedKeyForAdministration(name)
        if let decider, key.creator != decider.id, key.creator != offlineCreator {
            throw EngineError(.accessDenied, "Only the admin who created alias/\(key.alias) decides who may use it.")
        }
        guard let user = try await store.catalogueStore.user(named: userName) else {
            throw EngineError(.invalidArgument, "There is no user \(userName).")
        }
        let existing = try await store.namedKeyGrant(key, user: user)
        var canEncrypt = existing?.encrypt ?? false
        var canDecrypt = existing?.decrypt ?? false
        // Neither named: all uses.
        let both = !encrypt && !decrypt
        if revoke {
            if encrypt || both { canEncrypt = false }
            if decrypt || both { canDecrypt = false }
        } else {
            if encrypt || both { canEncrypt = true }
            if decrypt || both { canDecrypt = true }
        }
        try await store.setNamedKeyGrant(key, user: user, encrypt: canEncrypt, decrypt: canDecrypt)
        return KeyActionAnswer(key: "alias/" + key.alias, keyID: key.id, user: user.name, encrypt: canEncrypt, decrypt: canDecrypt)
    }
}
