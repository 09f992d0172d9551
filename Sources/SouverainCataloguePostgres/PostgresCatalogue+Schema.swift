import PostgresNIO
import SouverainCatalogue

/// The schema, as ordered, frozen migrations recorded in `souverain_migrations`: a migration that
/// has shipped is never edited; changes come as a new one appended to the list. They are applied
/// at start under a session advisory lock, so two gateways starting at once apply each one once.
///
/// The tables are SQLite's (SQLiteCatalogue+Schema.swift) as they stand after its last migration:
/// keys are `bytea`, so that PostgreSQL orders them by bytes as S3 lists them; names that are
/// listed in order (buckets, users, aliases) are `text COLLATE "C"`, byte order of UTF-8 too; the
/// records' JSON columns are the same JSON text.
extension PostgresCatalogue {
    /// `pg_advisory_lock` key of the migrations: "souverain" in ASCII, truncated to 8 bytes.
    static let migrationLock: Int64 = 0x736F_7576_6572_6169

    static let migrations: [(name: String, statements: [String])] = [
        ("initial", [
            """
            CREATE TABLE users (
                id text COLLATE "C" PRIMARY KEY,
                name text COLLATE "C" NOT NULL UNIQUE,
                access_key text COLLATE "C" NOT NULL UNIQUE,
                secret text NOT NULL,
                role text NOT NULL
            )
            """,
            """
            CREATE TABLE grants (
                bucket text COLLATE "C" NOT NULL,
                user_id text COLLATE "C" NOT NULL,
                permission text NOT NULL,
                PRIMARY KEY (bucket, user_id)
            )
            """,
            "CREATE INDEX grants_by_user ON grants (user_id)",
            """
            CREATE TABLE buckets (
                name text COLLATE "C" PRIMARY KEY,
                owner text COLLATE "C" NOT NULL,
                created bigint NOT NULL,
                region text NOT NULL,
                classification text,
                shredded_at bigint,
                versioning text,
                object_lock text
            )
            """,
            "CREATE INDEX buckets_by_owner ON buckets (owner)",
            """
            CREATE TABLE objects (
                bucket text COLLATE "C" NOT NULL,
                key bytea NOT NULL,
                size bigint NOT NULL,
                etag text NOT NULL,
                last_modified bigint NOT NULL,
                metadata text NOT NULL,
                checksums text NOT NULL,
                location text NOT NULL,
                segments text NOT NULL,
                part_count bigint,
                replicas text,
                needs_repair boolean NOT NULL DEFAULT false,
                version_id text,
                version_seq bigint NOT NULL DEFAULT 0,
                retention text,
                legal_hold boolean NOT NULL DEFAULT false,
                tags text,
                PRIMARY KEY (bucket, key)
            )
            """,
            "CREATE INDEX objects_needing_repair ON objects (bucket, key) WHERE needs_repair",
            "CREATE INDEX objects_locked ON objects (bucket) WHERE retention IS NOT NULL OR legal_hold",
            """
            CREATE TABLE object_versions (
                bucket text COLLATE "C" NOT NULL,
                key bytea NOT NULL,
                size bigint NOT NULL,
                etag text NOT NULL,
                last_modified bigint NOT NULL,
                metadata text NOT NULL,
                checksums text NOT NULL,
                location text NOT NULL,
                segments text NOT NULL,
                part_count bigint,
                replicas text,
                needs_repair boolean NOT NULL DEFAULT false,
                version_id text,
                version_seq bigint NOT NULL,
                retention text,
                legal_hold boolean NOT NULL DEFAULT false,
                tags text,
                delete_marker boolean NOT NULL DEFAULT false,
                PRIMARY KEY (bucket, key, version_seq)
            )
            """,
            "CREATE INDEX object_versions_by_id ON object_versions (bucket, key, version_id)",
            "CREATE INDEX object_versions_locked ON object_versions (bucket) WHERE retention IS NOT NULL OR legal_hold",
            "CREATE INDEX object_versions_needing_repair ON object_versions (bucket, key, version_seq) WHERE needs_repair",
            """
            CREATE TABLE uploads (
                upload_id text COLLATE "C" PRIMARY KEY,
                bucket text COLLATE "C" NOT NULL,
                key bytea NOT NULL,
                initiated bigint NOT NULL,
                owner text NOT NULL,
                metadata text NOT NULL,
                checksum_algorithm text,
                location text NOT NULL
            )
            """,
            "CREATE INDEX uploads_by_key ON uploads (bucket, key, upload_id)",
            """
            CREATE TABLE parts (
                upload_id text COLLATE "C" NOT NULL,
                part_number bigint NOT NULL,
                size bigint NOT NULL,
                etag text NOT NULL,
                last_modified bigint NOT NULL,
                location text NOT NULL,
                locator text NOT NULL,
                checksums text NOT NULL,
                encryption text,
                PRIMARY KEY (upload_id, part_number)
            )
            """,
            // Every blob an object or a part references: what a sweep checks a stray file against.
            "CREATE TABLE blobs (location text COLLATE \"C\" NOT NULL, locator text COLLATE \"C\" NOT NULL, PRIMARY KEY (location, locator))",
            // Blobs no longer referenced, to be deleted from their location, with the object they held.
            """
            CREATE TABLE garbage (
                location text COLLATE "C" NOT NULL,
                locator text COLLATE "C" NOT NULL,
                bucket text,
                key bytea,
                PRIMARY KEY (location, locator)
            )
            """,
            "CREATE TABLE pending (location text COLLATE \"C\" NOT NULL, locator text COLLATE \"C\" NOT NULL, PRIMARY KEY (location, locator))",
            """
            CREATE TABLE bucket_keys (
                bucket text COLLATE "C" NOT NULL,
                version bigint NOT NULL,
                wrapped text NOT NULL,
                state text NOT NULL,
                created double precision NOT NULL,
                PRIMARY KEY (bucket, version)
            )
            """,
            """
            CREATE TABLE bucket_lifecycle (
                bucket text COLLATE "C" PRIMARY KEY,
                configuration text NOT NULL,
                updated bigint NOT NULL
            )
            """,
            """
            CREATE TABLE named_keys (
                id text COLLATE "C" PRIMARY KEY,
                alias text COLLATE "C" NOT NULL UNIQUE,
                description text NOT NULL,
                creator text NOT NULL,
                created bigint NOT NULL,
                shredded_at bigint
            )
            """,
            """
            CREATE TABLE named_key_versions (
                key_id text COLLATE "C" NOT NULL,
                version bigint NOT NULL,
                wrapped text NOT NULL,
                created bigint NOT NULL,
                PRIMARY KEY (key_id, version)
            )
            """,
            """
            CREATE TABLE named_key_grants (
                key_id text COLLATE "C" NOT NULL,
                user_id text COLLATE "C" NOT NULL,
                encrypt boolean NOT NULL,
                decrypt boolean NOT NULL,
                PRIMARY KEY (key_id, user_id)
            )
            """,
            """
            CREATE TABLE bucket_encryption (
                bucket text COLLATE "C" PRIMARY KEY,
                algorithm text NOT NULL,
                key_id text,
                bucket_key_enabled boolean NOT NULL
            )
            """,
            "CREATE TABLE server_clock (id integer PRIMARY KEY CHECK (id = 1), highest bigint NOT NULL)",
        ]),
        // Who may reach a bucket besides its owner and grantees (docs/access.md): SQLite's
        // migration of the same name, one document per bucket and kind, deleted with the bucket.
        ("bucket-policies", [
            """
            CREATE TABLE bucket_access (
                bucket text COLLATE "C" NOT NULL,
                kind text NOT NULL,
                document text NOT NULL,
                updated bigint NOT NULL,
                PRIMARY KEY (bucket, kind)
            )
            """,
        ]),
        // Several gateways on one catalogue (docs/scale-out.md): the feed of changes to what they
        // cache (PostgresCatalogue+Coordination.swift), and the leases of periodic work.
        ("gateway-coordination", [
            """
            CREATE TABLE catalogue_changes (
                seq bigserial PRIMARY KEY,
                kind text NOT NULL,
                name text NOT NULL,
                recorded bigint NOT NULL
            )
            """,
            """
            CREATE TABLE leases (
                name text COLLATE "C" PRIMARY KEY,
                holder text NOT NULL,
                expires bigint NOT NULL
            )
            """,
        ]),
        // Roles that temporary credentials are issued for (docs/sts.md): SQLite's migration of the
        // same name. Sessions are not stored: their tokens carry them, sealed.
        ("sts-roles", [
            """
            CREATE TABLE roles (
                name text COLLATE "C" PRIMARY KEY,
                trust_policy text NOT NULL,
                permission_policy text NOT NULL,
                max_session_seconds bigint NOT NULL,
                created bigint NOT NULL
            )
            """,
        ]),
        // When each blob became garbage, by the database's clock: SQLite's migration of the same name.
        ("garbage-dropped", ["ALTER TABLE garbage ADD COLUMN dropped bigint"]),
    ]

    /// Applies the migrations not yet recorded, each in its own transaction, holding the advisory
    /// lock so that another gateway starting at the same time waits and then finds them applied.
    func migrate() async throws {
        do {
            try await BoundedAttempt.run(within: waitLimit) { [client, logger] _ in
              try await client.withConnection { connection in
                let db = Statements(connection: connection, logger: logger)
                try await db.execute("SELECT pg_advisory_lock(\(Self.migrationLock))")
                do {
                    try await db.execute("""
                        CREATE TABLE IF NOT EXISTS souverain_migrations (
                            name text PRIMARY KEY,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """)
                    let applied = Set(try await db.rows("SELECT name FROM souverain_migrations").map { try $0.value("name", as: String.self) })
                    for migration in Self.migrations where !applied.contains(migration.name) {
                        try await db.execute("BEGIN")
                        do {
                            for statement in migration.statements { try await db.execute(PostgresQuery(unsafeSQL: statement)) }
                            try await db.execute("INSERT INTO souverain_migrations (name) VALUES (\(migration.name))")
                            try await db.execute("COMMIT")
                        } catch {
                            try? await db.execute("ROLLBACK")
                            throw error
                        }
                    }
                } catch {
                    try? await db.execute("SELECT pg_advisory_unlock(\(Self.migrationLock))")
                    throw error
                }
                try await db.execute("SELECT pg_advisory_unlock(\(Self.migrationLock))")
              }
            }
        } catch let error as CatalogueError {
            throw error
        } catch {
            throw CatalogueError(.unavailable, "cannot open the PostgreSQL catalogue", cause: Self.describe(error))
        }
    }

    /// The names of every migration, in order.
    public static var migrationNames: [String] { migrations.map(\.name) }

    /// The names of the migrations applied to the database, in the order they were.
    public func appliedMigrations() async throws -> [String] {
        try await read { db in
            try await db.rows("SELECT name FROM souverain_migrations ORDER BY applied_at, name").map { try $0.value("name", as: String.self) }
        }
    }
}
