public import SouverainCatalogue
public import SouverainModel

/// Users and their bucket grants as an admin manages them. One set of rules for both ways in:
/// the CLI working on a data directory (`souverain user`, `souverain bucket grant|revoke|reassign`)
/// and the admin API of a running server (`/_souverain/users`, `/_souverain/buckets/...`), so that
/// a user name the CLI refuses is refused by the API too, and an auditor is granted a bucket by
/// neither. Every refusal is an `EngineError` whose message names what to do.
public struct UserAdministration: Sendable {
    public let catalogue: any Catalogue

    public init(catalogue: any Catalogue) {
        self.catalogue = catalogue
    }

    /// A user just created, with the only copy of its secret that will ever be shown.
    public struct NewUser: Sendable {
        public var user: User
        public var secretAccessKey: String
    }

    /// A bucket, its owner (nil when the owner no longer exists: an orphan, shown as recorded),
    /// and the grants on it with their grantees (nil for a grantee that no longer exists).
    public struct BucketGrants: Sendable {
        public var bucket: BucketRecord
        public var owner: User?
        public var grants: [(grant: Grant, user: User?)]
    }

    /// Refuses a user name that is not 1 to 64 letters, digits, '-', '_', '.' or '@' (names go
    /// into policies' principals and the trail's records, where a space or a slash would blur them).
    public static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw EngineError(.invalidArgument, "a user name is 1 to 64 letters, digits, '-', '_', '.' or '@'")
        }
    }

    /// Creates a user with a fresh access key and secret (sealed by `credentials`' key store).
    /// Throws `entityAlreadyExists` when the name is taken.
    public func create(name: String, role: Role, credentials: UserCredentials) async throws -> NewUser {
        try Self.checkName(name)
        let secret = KeyGenerator.secret()
        do {
            let user = try await credentials.addUser(name: name, role: role, accessKeyID: KeyGenerator.accessKeyID(), secretAccessKey: secret)
            return NewUser(user: user, secretAccessKey: secret)
        } catch let error as CatalogueError where error.code == .userExists {
            throw EngineError(.entityAlreadyExists, "a user named \(name) exists")
        }
    }

    /// The user a name or an id names; `noSuchEntity` when none does.
    public func user(_ nameOrID: String) async throws -> User {
        if let user = try await catalogue.user(named: nameOrID) { return user }
        if let user = try await catalogue.user(id: nameOrID) { return user }
        throw EngineError(.noSuchEntity, "no user named \(nameOrID)")
    }

    /// Removes a user, its access key and its grants, after giving its buckets to `heir` when one
    /// is named. Refused (`deleteConflict`, naming the buckets, for the caller to say how to give
    /// them away) while the user still owns buckets.
    /// Returns the user removed and the buckets given to the heir.
    public func remove(name: String, reassigningTo heir: String? = nil) async throws -> (user: User, reassigned: [String]) {
        guard let user = try await catalogue.user(named: name) else { throw EngineError(.noSuchEntity, "no user named \(name)") }
        var reassigned: [String] = []
        if let heir {
            guard let heirUser = try await catalogue.user(named: heir) else { throw EngineError(.noSuchEntity, "no user named \(heir)") }
            guard heirUser.id != user.id else { throw EngineError(.invalidArgument, "cannot reassign \(name)'s buckets to \(name) itself") }
            try Self.checkUsesBuckets(heirUser, as: heir, "own buckets")
            reassigned = try await catalogue.reassignBuckets(from: user.id, to: heirUser.id)
        }
        do {
            guard try await catalogue.removeUser(named: name) else { throw EngineError(.noSuchEntity, "no user named \(name)") }
        } catch let error as CatalogueError where error.code == .userOwnsBuckets {
            throw EngineError(.deleteConflict, error.message)
        }
        return (user, reassigned)
    }

    /// Grants `nameOrID` read or read-write access to `bucket`; returns the grantee. An existing
    /// grant is replaced. Refused for a missing bucket or user, and for an auditor.
    @discardableResult
    public func grant(bucket: String, to nameOrID: String, _ permission: BucketPermission) async throws -> User {
        guard try await catalogue.bucket(named: bucket) != nil else { throw EngineError(.noSuchBucket, "no bucket named \(bucket)") }
        let grantee = try await user(nameOrID)
        try Self.checkUsesBuckets(grantee, as: nameOrID, "be granted a bucket")
        try await catalogue.setGrant(Grant(bucket: bucket, userID: grantee.id, permission: permission))
        return grantee
    }

    /// Removes `nameOrID`'s grant on `bucket`; returns the former grantee. `noSuchEntity` when
    /// the user has no grant there.
    @discardableResult
    public func revoke(bucket: String, from nameOrID: String) async throws -> User {
        let grantee = try await user(nameOrID)
        guard try await catalogue.removeGrant(bucket: bucket, userID: grantee.id) else {
            throw EngineError(.noSuchEntity, "\(nameOrID) has no grant on \(bucket)")
        }
        return grantee
    }

    /// Gives a bucket to another user (name or id); returns the new owner.
    @discardableResult
    public func reassign(bucket: String, to nameOrID: String) async throws -> User {
        let owner = try await user(nameOrID)
        try Self.checkUsesBuckets(owner, as: nameOrID, "own buckets")
        guard try await catalogue.reassignBucket(named: bucket, to: owner.id) else { throw EngineError(.noSuchBucket, "no bucket named \(bucket)") }
        return owner
    }

    /// Every bucket by name, with its owner and its grants.
    public func bucketGrants() async throws -> [BucketGrants] {
        let users = Dictionary(try await catalogue.users().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var answer: [BucketGrants] = []
        for bucket in try await catalogue.buckets().sorted(by: { $0.name < $1.name }) {
            let grants = try await catalogue.grants(bucket: bucket.name).map { (grant: $0, user: users[$0.userID]) }
            answer.append(BucketGrants(bucket: bucket, owner: users[bucket.owner], grants: grants))
        }
        return answer
    }

    private static func checkUsesBuckets(_ user: User, as named: String, _ what: String) throws {
        guard user.role.usesBuckets else {
            throw EngineError(.invalidArgument, "\(named) is an \(user.role.rawValue), who reads the audit trail and nothing else: it cannot \(what)")
        }
    }
}

/// Access keys as AWS shapes them: 20 uppercase letters and digits; secrets of 40 characters.
public enum KeyGenerator {
    public static func accessKeyID() -> String { random(20, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")) }

    public static func secret() -> String {
        random(40, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    }

    private static func random(_ count: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
