import Foundation
import Logging
import SouverainCatalogue
import SouverainCatalogueSQLite
@testable import SouverainEngine
import SouverainModel
import SouverainPlacement
import Testing

/// The rules users and grants are managed by, the same for `souverain user|bucket` and the admin
/// API: each refusal with its code, so that the API answers the right S3 error.
@Suite final class UserAdministrationTests: Sendable {
    let directory: String
    let catalogue: SQLiteCatalogue
    let store: ObjectStore
    let administration: UserAdministration

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        directory = NSTemporaryDirectory() + "souverain-users-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
        let location = LocationDescriptor(
            id: "local", kind: .local, profile: SovereigntyProfile(providerID: ProviderRegistry.onPremiseID, country: "FR"), preference: 0)
        let policy = PlacementPolicy(
            rules: .defaults, registry: try ProviderRegistry.shipped(), locations: [location], defaultClassification: "internal")
        store = ObjectStore(
            catalogue: catalogue, locations: StorageLocations([]), placement: policy, region: "us-east-1", keys: nil,
            logger: Logger(label: "test"))
        administration = UserAdministration(catalogue: catalogue)
    }

    private func user(_ name: String, _ role: Role = .user) async throws -> User {
        let user = User(id: User.makeID(), name: name, accessKeyID: "AK-" + name, storedSecret: "unused", role: role)
        try await catalogue.addUser(user)
        return user
    }

    private func code(_ step: () async throws -> Void) async -> EngineError.Code? {
        do {
            try await step()
            return nil
        } catch let error as EngineError {
            return error.code
        } catch {
            return .internalError
        }
    }

    @Test(arguments: [
        ("alice", true), ("a.b-c_d@example.org", true), ("", false), ("with space", false), ("a/b", false),
        (String(repeating: "x", count: 64), true), (String(repeating: "x", count: 65), false),
    ])
    func userNames(_ name: String, _ valid: Bool) {
        #expect(((try? UserAdministration.checkName(name)) != nil) == valid)
    }

    @Test func grantsNeedABucketAUserAndARoleThatUsesBuckets() async throws {
        let owner = try await user("owner")
        let bob = try await user("bob")
        _ = try await user("eve", .auditor)
        try await store.createBucket("b1", owner: owner)
        #expect(await code { try await self.administration.grant(bucket: "nope", to: "bob", .read) } == .noSuchBucket)
        #expect(await code { try await self.administration.grant(bucket: "b1", to: "nobody", .read) } == .noSuchEntity)
        #expect(await code { try await self.administration.grant(bucket: "b1", to: "eve", .read) } == .invalidArgument)
        // By name or by id; a second grant replaces the first.
        #expect(try await administration.grant(bucket: "b1", to: "bob", .read) == bob)
        #expect(try await administration.grant(bucket: "b1", to: bob.id, .readWrite) == bob)
        #expect(try await catalogue.grant(bucket: "b1", userID: bob.id) == .readWrite)
        let listed = try await administration.bucketGrants()
        #expect(listed.map(\.bucket.name) == ["b1"])
        #expect(listed.first?.owner == owner)
        #expect(listed.first?.grants.map { "\($0.user?.name ?? "?") \($0.grant.permission.rawValue)" } == ["bob read-write"])
        #expect(try await administration.revoke(bucket: "b1", from: "bob") == bob)
        #expect(await code { try await self.administration.revoke(bucket: "b1", from: "bob") } == .noSuchEntity)
    }

    @Test func aUserOwningBucketsIsRemovedOnlyOnceTheyAreGivenAway() async throws {
        let carol = try await user("carol")
        let heir = try await user("heir")
        _ = try await user("eve", .auditor)
        try await store.createBucket("c1", owner: carol)
        #expect(await code { _ = try await self.administration.remove(name: "carol") } == .deleteConflict)
        #expect(await code { _ = try await self.administration.remove(name: "carol", reassigningTo: "eve") } == .invalidArgument)
        #expect(await code { _ = try await self.administration.remove(name: "carol", reassigningTo: "carol") } == .invalidArgument)
        #expect(await code { _ = try await self.administration.remove(name: "nobody") } == .noSuchEntity)
        let (removed, reassigned) = try await administration.remove(name: "carol", reassigningTo: "heir")
        #expect(removed == carol && reassigned == ["c1"])
        #expect(try await catalogue.bucket(named: "c1")?.owner == heir.id)
        #expect(try await catalogue.user(named: "carol") == nil)
    }
}
