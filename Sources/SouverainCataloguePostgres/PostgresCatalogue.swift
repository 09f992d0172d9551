import Foundation
import Logging
public import PostgresNIO
public import SouverainCatalogue
public import SouverainModel

/// The catalogue that several gateways share (docs/scale-out.md): the `Catalogue` protocol on
/// PostgreSQL. Every call is one transaction. Those that write run READ COMMITTED and lock what
/// their decision rests on before reading it: the key they change (an advisory lock per bucket and
/// key), the bucket they write into (FOR KEY SHARE, against its deletion, which takes it FOR
/// UPDATE), the upload they complete or abort, the key version they record blobs under; so every
/// check-then-write (a key's current version, a conditional write, a bucket's emptiness) is decided
/// against every other gateway, without the false conflicts SERIALIZABLE's page locks give
/// concurrent inserts into one index. A deadlock (40P01), a serialization failure (40001) or a
/// unique violation from a concurrent insert (23505) runs the transaction again, a bounded number
/// of times. Reads see one REPEATABLE READ snapshot. Nothing is kept in the process: two gateways
/// on one database see the same catalogue at every instant.
///
/// Every failure of the database (down, unreachable, a lost connection, retries exhausted) is a
/// `CatalogueError.unavailable`, which the server answers with 503 ServiceUnavailable.
public final class PostgresCatalogue: Catalogue {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>?
    /// How long one attempt of a transaction may take, waiting for a connection included: past it,
    /// the database is taken for down (`unavailable`, 503) rather than keeping a request waiting.
    let waitLimit: Duration

    /// How many times a transaction that lost a serialization conflict is run again.
    static let maximumAttempts = 40

    /// Opens the catalogue on a client the caller runs (`client.run()`), and applies pending
    /// migrations (one gateway at a time, under an advisory lock).
    public init(client: PostgresClient, waitLimit: Duration = .seconds(10)) async throws {
        self.client = client
        self.logger = Logger(label: "souverain.catalogue.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        self.runner = nil
        self.waitLimit = waitLimit
        try await migrate()
    }

    /// Opens the catalogue with its own client, run by a task of its own until `close()`.
    public init(configuration: PostgresClient.Configuration, waitLimit: Duration = .seconds(10)) async throws {
        let client = PostgresClient(configuration: configuration)
        self.client = client
        self.logger = Logger(label: "souverain.catalogue.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        self.runner = Task { await client.run() }
        self.waitLimit = waitLimit
        do {
            try await migrate()
        } catch {
            runner?.cancel()
            throw error
        }
    }

    /// Stops the client this catalogue runs (none when the caller runs it).
    public func close() async {
        guard let runner else { return }
        runner.cancel()
        await runner.value
    }

    // MARK: - Transactions

    enum Access { case read, write }

    /// Runs `body` in one transaction (READ COMMITTED with explicit locks to write, a REPEATABLE
    /// READ snapshot to read), again when it lost a conflict. `body` may run several times: it must have no
    /// effect outside the transaction.
    func transaction<T: Sendable>(
        _ access: Access = .write, within limit: Duration? = nil, _ body: @escaping @Sendable (Statements) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await BoundedAttempt.run(within: limit ?? waitLimit) { [client, logger] attempt in
                  try await client.withConnection { connection in
                    let statements = Statements(connection: connection, logger: logger)
                    try await statements.execute(
                        access == .write ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    do {
                        let result = try await body(statements)
                        // Past the limit the caller was answered 503: what it was told failed must not commit.
                        guard attempt.mayCommit() else { throw CancellationError() }
                        try await statements.execute("COMMIT")
                        return result
                    } catch {
                        try? await statements.execute("ROLLBACK")
                        throw error
                    }
                  }
                }
            } catch let error as CatalogueError {
                throw error
            } catch let error where Self.isConflict(error) && attempt < Self.maximumAttempts {
                // Back off a random while that grows with the attempts, so that writers that
                // collided do not collide again in step.
                let ceiling = min(2 << min(attempt, 6), 100)
                try? await Task.sleep(for: .milliseconds(Int.random(in: 1...ceiling)))
            } catch {
                throw CatalogueError(.unavailable, "the PostgreSQL catalogue failed", cause: Self.describe(error))
            }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Statements) async throws -> T) async throws -> T {
        try await transaction(.read, body)
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Statements) async throws -> T) async throws -> T {
        try await transaction(.write, body)
    }

    /// A serialization failure (40001), a deadlock (40P01), or a unique violation (23505) that a
    /// concurrent transaction caused between this one's check and its insert: run it again.
    static func isConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01" || state == "23505"
    }

    /// What the log may say of a PostgreSQL error: its code and the server's message, never the
    /// query's values (a sealed secret may be one).
    static func describe(_ error: any Error) -> PostgresFailure {
        guard let error = error as? PSQLError else { return PostgresFailure(description: String(describing: type(of: error))) }
        if let info = error.serverInfo {
            return PostgresFailure(description: "PostgreSQL \(info[.sqlState] ?? "?"): \(info[.message] ?? "")")
        }
        return PostgresFailure(description: "PostgreSQL client: \(error.code)")
    }

    // MARK: - Users and grants

    public func addUser(_ user: User) async throws {
        try await write { db in
            if try await db.exists("SELECT 1 FROM users WHERE name = \(user.name) OR access_key = \(user.accessKeyID) OR id = \(user.id)") {
                throw CatalogueError(.userExists, "a user named \(user.name), or with that access key or id, exists")
            }
            try await db.execute("""
                INSERT INTO users (id, name, access_key, secret, role)
                VALUES (\(user.id), \(user.name), \(user.accessKeyID), \(user.storedSecret), \(user.role.rawValue))
                """)
        }
    }

    public func user(accessKeyID: String) async throws -> User? {
        try await read { db in try await db.row("SELECT * FROM users WHERE access_key = \(accessKeyID)").map(Self.user(from:)) }
    }

    public func user(named name: String) async throws -> User? {
        try await read { db in try await db.row("SELECT * FROM users WHERE name = \(name)").map(Self.user(from:)) }
    }

    public func user(id: String) async throws -> User? {
        try await read { db in try await db.row("SELECT * FROM users WHERE id = \(id)").map(Self.user(from:)) }
    }

    public func users() async throws -> [User] {
        try await read { db in try await db.rows("SELECT * FROM users ORDER BY name").map(Self.user(from:)) }
    }

    public func removeUser(named name: String) async throws -> Bool {
        try await write { db in
            guard let id = try await db.row("SELECT id FROM users WHERE name = \(name) FOR UPDATE").map({ try $0.value("id", as: String.self) }) else {
                return false
            }
            let owned = try await db.rows("SELECT name FROM buckets WHERE owner = \(id) ORDER BY name").map { try $0.value("name", as: String.self) }
            guard owned.isEmpty else {
                throw CatalogueError(.userOwnsBuckets, "\(name) owns \(owned.count) bucket(s): \(owned.joined(separator: ", "))")
            }
            try await db.execute("DELETE FROM grants WHERE user_id = \(id)")
            try await db.execute("DELETE FROM named_key_grants WHERE user_id = \(id)")
            return try await db.count("DELETE FROM users WHERE id = \(id) RETURNING 1") > 0
        }
    }

    public func reassignBuckets(from: String, to: String) async throws -> [String] {
        try await write { db in
            let owned = try await db.rows("SELECT name FROM buckets WHERE owner = \(from) ORDER BY name FOR UPDATE")
                .map { try $0.value("name", as: String.self) }
            for bucket in owned {
                try await db.execute("DELETE FROM grants WHERE bucket = \(bucket) AND user_id = \(to)")
            }
            try await db.execute("UPDATE buckets SET owner = \(to) WHERE owner = \(from)")
            return owned
        }
    }

    public func reassignBucket(named name: String, to: String) async throws -> Bool {
        try await write { db in
            guard try await db.count("UPDATE buckets SET owner = \(to) WHERE name = \(name) RETURNING 1") > 0 else { return false }
            try await db.execute("DELETE FROM grants WHERE bucket = \(name) AND user_id = \(to)")
            return true
        }
    }

    public func setStoredSecret(userID: String, _ storedSecret: String) async throws {
        try await write { db in
            try await db.execute("UPDATE users SET secret = \(storedSecret) WHERE id = \(userID)")
        }
    }

    public func setGrant(_ grant: Grant) async throws {
        try await write { db in
            try await db.execute("""
                INSERT INTO grants (bucket, user_id, permission) VALUES (\(grant.bucket), \(grant.userID), \(grant.permission.rawValue))
                ON CONFLICT (bucket, user_id) DO UPDATE SET permission = excluded.permission
                """)
        }
    }

    public func removeGrant(bucket: String, userID: String) async throws -> Bool {
        try await write { db in
            try await db.count("DELETE FROM grants WHERE bucket = \(bucket) AND user_id = \(userID) RETURNING 1") > 0
        }
    }

    public func grant(bucket: String, userID: String) async throws -> BucketPermission? {
        try await read { db in
            try await db.row("SELECT permission FROM grants WHERE bucket = \(bucket) AND user_id = \(userID)")
                .flatMap { BucketPermission(rawValue: try $0.value("permission", as: String.self)) }
        }
    }

    public func grants(userID: String) async throws -> [Grant] {
        try await read { db in
            try await db.rows("SELECT * FROM grants WHERE user_id = \(userID) ORDER BY bucket").compactMap(Self.grant(from:))
        }
    }

    public func grants(bucket: String) async throws -> [Grant] {
        try await read { db in
            try await db.rows("SELECT * FROM grants WHERE bucket = \(bucket) ORDER BY user_id").compactMap(Self.grant(from:))
        }
    }

    // MARK: - Buckets

    public func createBucket(_ bucket: BucketRecord) async throws {
        let objectLock = try bucket.objectLock.map { try Self.json($0) }
        try await write { db in
            if try await db.exists("SELECT 1 FROM buckets WHERE name = \(bucket.name)") {
                throw CatalogueError(.bucketExists, "bucket \(bucket.name) exists")
            }
            try await db.execute("""
                INSERT INTO buckets (name, owner, created, region, classification, versioning, object_lock)
                VALUES (\(bucket.name), \(bucket.owner), \(Self.millis(bucket.createdAt)), \(bucket.region), \(bucket.classification),
                        \(bucket.versioning?.rawValue), \(objectLock))
                """)
        }
    }

    public func bucket(named name: String) async throws -> BucketRecord? {
        try await read { db in try await db.row("SELECT * FROM buckets WHERE name = \(name)").map(Self.bucket(from:)) }
    }

    public func buckets() async throws -> [BucketRecord] {
        try await read { db in try await db.rows("SELECT * FROM buckets ORDER BY name").map(Self.bucket(from:)) }
    }

    public func deleteBucket(named name: String) async throws {
        try await write { db in
            guard try await db.exists("SELECT 1 FROM buckets WHERE name = \(name) FOR UPDATE") else {
                throw CatalogueError(.noSuchBucket, "bucket \(name) does not exist")
            }
            let hasObjects = try await db.exists("SELECT 1 FROM objects WHERE bucket = \(name) LIMIT 1")
            let hasVersions = try await db.exists("SELECT 1 FROM object_versions WHERE bucket = \(name) LIMIT 1")
            let hasUploads = try await db.exists("SELECT 1 FROM uploads WHERE bucket = \(name) LIMIT 1")
            if hasObjects || hasVersions || hasUploads {
                throw CatalogueError(.bucketNotEmpty, "bucket \(name) is not empty")
            }
            try await db.execute("DELETE FROM grants WHERE bucket = \(name)")
            try await db.execute("DELETE FROM bucket_keys WHERE bucket = \(name)")
            try await db.execute("DELETE FROM bucket_lifecycle WHERE bucket = \(name)")
            try await db.execute("DELETE FROM bucket_encryption WHERE bucket = \(name)")
            try await db.execute("DELETE FROM bucket_access WHERE bucket = \(name)")
            try await db.execute("DELETE FROM buckets WHERE name = \(name)")
            try await Self.recordChange(db, .bucketDeleted, name)
        }
    }

    public func setClassification(bucket: String, classification: String?) async throws {
        try await write { db in
            guard try await db.count("UPDATE buckets SET classification = \(classification) WHERE name = \(bucket) RETURNING 1") == 1 else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
        }
    }
}

/// A PostgreSQL failure as the catalogue reports it: the SQLSTATE and the server's message.
public struct PostgresFailure: Error, CustomStringConvertible {
    public let description: String
}
