import Foundation
import Logging
import SouverainCatalogue
import SouverainCatalogueSQLite
@testable import SouverainEngine
import SouverainKeys
import SouverainModel
import SouverainPlacement
import Testing

/// The authorisation matrix: each role, against each operation family, as the bucket's owner, a
/// grantee (read, read-write) or a stranger; and identities that a namesake does not inherit.
@Suite final class AccessTests: Sendable {
    let directory: String
    let catalogue: SQLiteCatalogue
    let store: ObjectStore

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        directory = NSTemporaryDirectory() + "souverain-access-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
        let location = LocationDescriptor(
            id: "local", kind: .local, profile: SovereigntyProfile(providerID: ProviderRegistry.onPremiseID, country: "FR"), preference: 0)
        let policy = PlacementPolicy(
            rules: .defaults, registry: try ProviderRegistry.shipped(), locations: [location], defaultClassification: "internal")
        store = ObjectStore(
            catalogue: catalogue, locations: StorageLocations([]), placement: policy, region: "us-east-1", keys: nil,
            logger: Logger(label: "test"))
    }

    private func user(_ name: String, _ role: Role) async throws -> User {
        let user = User(id: User.makeID(), name: name, accessKeyID: "AK-" + name, storedSecret: "unused", role: role)
        try await catalogue.addUser(user)
        return user
    }

    /// Who the subject is to the bucket.
    enum Relation: CaseIterable { case owner, readGrantee, readWriteGrantee, stranger }

    /// Whether `role` in `relation` to a bucket may act at `level`, as the documentation says.
    static func expected(_ role: Role, _ relation: Relation, _ level: AccessLevel) -> Bool {
        switch role {
        case .auditor: return false
        case .admin: return true
        case .user:
            switch (relation, level) {
            case (.owner, _): return true
            case (.readGrantee, .read), (.readWriteGrantee, .read), (.readWriteGrantee, .write): return true
            default: return false
            }
        }
    }

    @Test(arguments: Role.allCases, Relation.allCases)
    func authorisationMatrix(role: Role, relation: Relation) async throws {
        let owner = try await user("owner", .user)
        try await store.createBucket("b1", owner: owner)
        // The subject: the owner itself (an owner is a user), or another user with a grant or none.
        let subject: User
        if relation == .owner && role == .user {
            subject = owner
        } else {
            subject = try await user("subject", role)
            // Grants are written here straight to the catalogue, to show that even a grant that the
            // CLI and PutBucketAcl refuse (to an auditor) gives an auditor nothing.
            switch relation {
            case .readGrantee: try await catalogue.setGrant(Grant(bucket: "b1", userID: subject.id, permission: .read))
            case .readWriteGrantee, .owner: try await catalogue.setGrant(Grant(bucket: "b1", userID: subject.id, permission: .readWrite))
            case .stranger: break
            }
        }
        for level in [AccessLevel.read, .write, .owner] {
            let allowed = Self.expected(role, relation == .owner && role != .user ? .readWriteGrantee : relation, level)
            do {
                _ = try await store.authorize(subject, bucket: "b1", level: level)
                #expect(allowed, "\(role) \(relation) was allowed \(level)")
            } catch let error as EngineError {
                #expect(!allowed, "\(role) \(relation) was refused \(level): \(error)")
                #expect(error.code == .accessDenied)
            }
        }
        // Listing: an auditor sees nothing, even what it was granted.
        let visible = try await store.visibleBuckets(for: subject).map(\.name)
        #expect(visible == (role == .auditor || (role == .user && relation == .stranger) ? [] : ["b1"]))
        // Every S3 request passes the role check first.
        if role == .auditor {
            #expect(throws: EngineError.self) { try self.store.authorizeS3(subject) }
        } else {
            try store.authorizeS3(subject)
        }
    }

    @Test func anAuditorCreatesNoBucket() async throws {
        let auditor = try await user("auditor", .auditor)
        await #expect { try await self.store.createBucket("audited", owner: auditor) } throws: {
            ($0 as? EngineError)?.code == .accessDenied
        }
        #expect(try await catalogue.bucket(named: "audited") == nil)
    }

    @Test func aMissingBucketIsNoSuchBucketButNotForAnAuditor() async throws {
        let plain = try await user("plain", .user)
        let auditor = try await user("auditor", .auditor)
        await #expect { _ = try await self.store.authorize(plain, bucket: "none", level: .read) } throws: {
            ($0 as? EngineError)?.code == .noSuchBucket
        }
        // An auditor learns nothing of which buckets exist.
        await #expect { _ = try await self.store.authorize(auditor, bucket: "none", level: .read) } throws: {
            ($0 as? EngineError)?.code == .accessDenied
        }
    }

    @Test func aNamesakeInheritsNothing() async throws {
        let eve = try await user("eve", .user)
        try await store.createBucket("eves", owner: eve)
        let other = try await user("other", .user)
        try await store.createBucket("others", owner: other)
        try await catalogue.setGrant(Grant(bucket: "others", userID: eve.id, permission: .read))
        // Removal is refused while eve owns a bucket; reassigned, it goes through.
        await #expect { _ = try await self.catalogue.removeUser(named: "eve") } throws: {
            ($0 as? CatalogueError)?.code == .userOwnsBuckets && "\($0)".contains("eves")
        }
        #expect(try await catalogue.reassignBuckets(from: eve.id, to: other.id) == ["eves"])
        #expect(try await catalogue.removeUser(named: "eve"))

        let newEve = try await user("eve", .user)
        #expect(newEve.id != eve.id)
        #expect(try await store.visibleBuckets(for: newEve).isEmpty)
        for bucket in ["eves", "others"] {
            await #expect(throws: EngineError.self) { _ = try await self.store.authorize(newEve, bucket: bucket, level: .read) }
        }
        #expect(try await catalogue.bucket(named: "eves")?.owner == other.id)
    }
}

/// Users' secrets at rest: sealed by the master key, opened for signatures, re-sealed when the
/// master key rotates, and a catalogue that held them in clear is sealed once.
@Suite final class UserCredentialsTests: Sendable {
    let directory: String
    let catalogue: SQLiteCatalogue

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        directory = NSTemporaryDirectory() + "souverain-credentials-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
    }

    @Test func secretsAreSealedOpenedAndResealed() async throws {
        let keyStore = try await KeyringKeyStore.create(path: directory + "/keyring.json")
        let credentials = UserCredentials(store: keyStore, catalogue: catalogue)
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let alice = try await credentials.addUser(name: "alice", role: .user, accessKeyID: "AKALICE", secretAccessKey: secret)
        let stored = try #require(try await catalogue.user(named: "alice"))
        #expect(SealedSecret.isSealed(stored.storedSecret) && !stored.storedSecret.contains(secret))
        #expect(try await credentials.secretAccessKey(of: stored) == secret)

        // A sealed secret copied to another user's row does not open there.
        var thief = stored
        thief.id = User.makeID()
        await #expect(throws: KeysError.self) { _ = try await UserCredentials(store: keyStore, catalogue: self.catalogue).secretAccessKey(of: thief) }

        // Rotation re-seals; the old master version can then retire and the secret still opens.
        let old = try SealedSecret.master(of: stored.storedSecret)
        _ = try await keyStore.rotateMaster()
        #expect(try await credentials.resealUnderCurrentMaster() == 1)
        #expect(try await credentials.secretsByMaster()[old.version] == nil)
        try await keyStore.retire(old)
        let resealed = try #require(try await catalogue.user(id: alice.id))
        #expect(resealed.storedSecret != stored.storedSecret)
        #expect(try await UserCredentials(store: keyStore, catalogue: catalogue).secretAccessKey(of: resealed) == secret)
        await keyStore.close()
    }

    @Test func clearSecretsOfAnEarlierCatalogueAreSealedOnce() async throws {
        let keyStore = try await KeyringKeyStore.create(path: directory + "/keyring.json")
        let credentials = UserCredentials(store: keyStore, catalogue: catalogue)
        let legacy = User(id: User.makeID(), name: "old", accessKeyID: "AKOLD", storedSecret: "clear-secret-of-old", role: .user)
        try await catalogue.addUser(legacy)
        // Not sealed yet: refused rather than trusted.
        await #expect(throws: EngineError.self) { _ = try await credentials.secretAccessKey(of: legacy) }
        #expect(try await credentials.sealClearSecrets() == 1)
        #expect(try await credentials.sealClearSecrets() == 0)
        let sealed = try #require(try await catalogue.user(named: "old"))
        #expect(SealedSecret.isSealed(sealed.storedSecret))
        #expect(try await credentials.secretAccessKey(of: sealed) == "clear-secret-of-old")
        await keyStore.close()
    }
}
