internal import GRDB

extension SQLiteCatalogue {
    /// Ordered, frozen migrations: a migration that has shipped is never edited; changes come as
    /// a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY,
                    access_key TEXT NOT NULL UNIQUE,
                    secret TEXT NOT NULL,
                    role TEXT NOT NULL
                );
                CREATE TABLE grants (
                    bucket TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    permission TEXT NOT NULL,
                    PRIMARY KEY (bucket, user_name)
                ) WITHOUT ROWID;
                CREATE INDEX grants_by_user ON grants (user_name);
                CREATE TABLE buckets (
                    name TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    created INTEGER NOT NULL,
                    region TEXT NOT NULL
                );
                -- Keys are BLOBs so that SQLite orders them by bytes, as S3 lists them.
                CREATE TABLE objects (
                    bucket TEXT NOT NULL,
                    key BLOB NOT NULL,
                    size INTEGER NOT NULL,
                    etag TEXT NOT NULL,
                    last_modified INTEGER NOT NULL,
                    metadata TEXT NOT NULL,
                    checksums TEXT NOT NULL,
                    location TEXT NOT NULL,
                    segments TEXT NOT NULL,
                    part_count INTEGER,
                    PRIMARY KEY (bucket, key)
                ) WITHOUT ROWID;
                CREATE TABLE uploads (
                    upload_id TEXT PRIMARY KEY,
                    bucket TEXT NOT NULL,
                    key BLOB NOT NULL,
                    initiated INTEGER NOT NULL,
                    owner TEXT NOT NULL,
                    metadata TEXT NOT NULL,
                    checksum_algorithm TEXT
                );
                CREATE INDEX uploads_by_key ON uploads (bucket, key, upload_id);
                CREATE TABLE parts (
                    upload_id TEXT NOT NULL,
                    part_number INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    etag TEXT NOT NULL,
                    last_modified INTEGER NOT NULL,
                    location TEXT NOT NULL,
                    locator TEXT NOT NULL,
                    checksums TEXT NOT NULL,
                    PRIMARY KEY (upload_id, part_number)
                ) WITHOUT ROWID;
                -- Every blob an object or a part references: what start-up checks a stray file against.
                CREATE TABLE blobs (
                    location TEXT NOT NULL,
                    locator TEXT NOT NULL,
                    PRIMARY KEY (location, locator)
                ) WITHOUT ROWID;
                -- Blobs no longer referenced, to be deleted from their location.
                CREATE TABLE garbage (
                    location TEXT NOT NULL,
                    locator TEXT NOT NULL,
                    PRIMARY KEY (location, locator)
                ) WITHOUT ROWID;
                """)
        }
        // Placement: a classification per bucket, a location per multipart upload, and the blobs a
        // relocation is writing.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE buckets ADD COLUMN classification TEXT;
                ALTER TABLE uploads ADD COLUMN location TEXT NOT NULL DEFAULT 'local';
                CREATE TABLE pending (
                    location TEXT NOT NULL,
                    locator TEXT NOT NULL,
                    PRIMARY KEY (location, locator)
                ) WITHOUT ROWID;
                """)
        }
        // Keys stay home: each bucket's key versions, wrapped by the key store's master key, how each
        // uploaded part is encrypted, and when a bucket's keys were destroyed.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE bucket_keys (
                    bucket TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    wrapped TEXT NOT NULL,
                    state TEXT NOT NULL,
                    created REAL NOT NULL,
                    PRIMARY KEY (bucket, version)
                ) WITHOUT ROWID;
                ALTER TABLE parts ADD COLUMN encryption TEXT;
                ALTER TABLE buckets ADD COLUMN shredded_at INTEGER;
                """)
        }
        // Replicas: further copies of an object at other locations, and which objects lack one.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                ALTER TABLE objects ADD COLUMN replicas TEXT;
                ALTER TABLE objects ADD COLUMN needs_repair INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX objects_needing_repair ON objects (bucket, key) WHERE needs_repair = 1;
                """)
        }
        // The object a garbage blob held, for the audit trail's record of its deletion.
        migrator.registerMigration("garbage-origin") { db in
            try db.execute(sql: """
                ALTER TABLE garbage ADD COLUMN bucket TEXT;
                ALTER TABLE garbage ADD COLUMN key BLOB;
                """)
        }
        // Stable user identities: each user gets a random id, and owners, grants and multipart
        // uploads refer to it instead of the name, so a user re-created under a removed user's name
        // inherits nothing. Rows naming a user that no longer exists get an owner no id matches
        // (`orphaned:NAME`, shown to admins); grants of such users go. Secrets are sealed at start-up
        // by the key store (not reachable from a migration), which rewrites the `secret` column.
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                CREATE TABLE users_v5 (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    access_key TEXT NOT NULL UNIQUE,
                    secret TEXT NOT NULL,
                    role TEXT NOT NULL
                );
                INSERT INTO users_v5 (id, name, access_key, secret, role)
                    SELECT lower(hex(randomblob(12))), name, access_key, secret, role FROM users;
                DROP TABLE users;
                ALTER TABLE users_v5 RENAME TO users;
                CREATE TABLE grants_v5 (
                    bucket TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    permission TEXT NOT NULL,
                    PRIMARY KEY (bucket, user_id)
                ) WITHOUT ROWID;
                INSERT INTO grants_v5 (bucket, user_id, permission)
                    SELECT grants.bucket, users.id, grants.permission FROM grants JOIN users ON users.name = grants.user_name;
                DROP TABLE grants;
                ALTER TABLE grants_v5 RENAME TO grants;
                CREATE INDEX grants_by_user ON grants (user_id);
                UPDATE buckets SET owner = COALESCE((SELECT id FROM users WHERE users.name = buckets.owner), 'orphaned:' || owner);
                UPDATE uploads SET owner = COALESCE((SELECT id FROM users WHERE users.name = uploads.owner), 'orphaned:' || owner);
                """)
        }
        // Lifecycle: each bucket's lifecycle configuration, as JSON (docs/lifecycle.md).
        migrator.registerMigration("lifecycle") { db in
            try db.execute(sql: """
                CREATE TABLE bucket_lifecycle (
                    bucket TEXT PRIMARY KEY,
                    configuration TEXT NOT NULL,
                    updated INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // Named keys (docs/keys.md): keys applications name as their SSE-KMS key, their versions
        // wrapped by the master key, who may use them, and each bucket's default encryption.
        migrator.registerMigration("named-keys") { db in
            try db.execute(sql: """
                CREATE TABLE named_keys (
                    id TEXT PRIMARY KEY,
                    alias TEXT NOT NULL UNIQUE,
                    description TEXT NOT NULL,
                    creator TEXT NOT NULL,
                    created INTEGER NOT NULL,
                    shredded_at INTEGER
                );
                CREATE TABLE named_key_versions (
                    key_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    wrapped TEXT NOT NULL,
                    created INTEGER NOT NULL,
                    PRIMARY KEY (key_id, version)
                ) WITHOUT ROWID;
                CREATE TABLE named_key_grants (
                    key_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    encrypt INTEGER NOT NULL,
                    decrypt INTEGER NOT NULL,
                    PRIMARY KEY (key_id, user_id)
                ) WITHOUT ROWID;
                CREATE TABLE bucket_encryption (
                    bucket TEXT PRIMARY KEY,
                    algorithm TEXT NOT NULL,
                    key_id TEXT,
                    bucket_key_enabled INTEGER NOT NULL
                );
                """)
        }
        // Versioning and Object Lock (docs/versioning.md): `objects` keeps the current version of
        // each key (so listings stay as fast as before), `object_versions` every noncurrent version
        // and every delete marker (current ones included: a key whose latest version is a marker has
        // no `objects` row). `version_seq` orders a key's versions, newest highest. `server_clock`
        // keeps the latest time ever seen, so that a clock set back never shortens a retention.
        migrator.registerMigration("versioning") { db in
            try db.execute(sql: """
                ALTER TABLE buckets ADD COLUMN versioning TEXT;
                ALTER TABLE buckets ADD COLUMN object_lock TEXT;
                ALTER TABLE objects ADD COLUMN version_id TEXT;
                ALTER TABLE objects ADD COLUMN version_seq INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE objects ADD COLUMN retention TEXT;
                ALTER TABLE objects ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE object_versions (
                    bucket TEXT NOT NULL,
                    key BLOB NOT NULL,
                    size INTEGER NOT NULL,
                    etag TEXT NOT NULL,
                    last_modified INTEGER NOT NULL,
                    metadata TEXT NOT NULL,
                    checksums TEXT NOT NULL,
                    location TEXT NOT NULL,
                    segments TEXT NOT NULL,
                    part_count INTEGER,
                    replicas TEXT,
                    needs_repair INTEGER NOT NULL DEFAULT 0,
                    version_id TEXT,
                    version_seq INTEGER NOT NULL,
                    retention TEXT,
                    legal_hold INTEGER NOT NULL DEFAULT 0,
                    delete_marker INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (bucket, key, version_seq)
                ) WITHOUT ROWID;
                CREATE INDEX object_versions_by_id ON object_versions (bucket, key, version_id);
                CREATE INDEX object_versions_locked ON object_versions (bucket) WHERE retention IS NOT NULL OR legal_hold = 1;
                CREATE INDEX objects_locked ON objects (bucket) WHERE retention IS NOT NULL OR legal_hold = 1;
                CREATE TABLE server_clock (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    highest INTEGER NOT NULL
                );
                """)
        }
        // The repair walks noncurrent versions too (ObjectStore+Replicas.swift): an index of the
        // versions with a copy to re-create, so that a pass and the backlog stay cheap however
        // many versions a bucket keeps.
        migrator.registerMigration("noncurrent-repair") { db in
            try db.execute(sql: "CREATE INDEX object_versions_needing_repair ON object_versions (bucket, key, version_seq) WHERE needs_repair = 1")
        }
        // Object tags (docs/tagging.md): each version's tags as a JSON object, NULL for none; they
        // travel with the row when a version becomes noncurrent or current again.
        migrator.registerMigration("object-tags") { db in
            try db.execute(sql: """
                ALTER TABLE objects ADD COLUMN tags TEXT;
                ALTER TABLE object_versions ADD COLUMN tags TEXT;
                """)
        }
        // Who may reach a bucket besides its owner and grantees (docs/access.md): its policy,
        // public access block, ownership controls, CORS rules and ACL group grants, one document
        // per kind, deleted with the bucket.
        migrator.registerMigration("bucket-policies") { db in
            try db.execute(sql: """
                CREATE TABLE bucket_access (
                    bucket TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    document TEXT NOT NULL,
                    updated INTEGER NOT NULL,
                    PRIMARY KEY (bucket, kind)
                ) WITHOUT ROWID;
                """)
        }
        // Several gateways on one catalogue (docs/scale-out.md): the feed of changes to what they
        // cache and the leases of periodic work (SQLiteCatalogue+Coordination.swift), PostgreSQL's
        // migration of the same name.
        migrator.registerMigration("gateway-coordination") { db in
            try db.execute(sql: """
                CREATE TABLE catalogue_changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    recorded INTEGER NOT NULL
                );
                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    expires INTEGER NOT NULL
                );
                """)
        }
        // Roles that temporary credentials are issued for (docs/sts.md): trust and permission
        // policies as validated JSON. Sessions are not stored: their tokens carry them, sealed.
        migrator.registerMigration("sts-roles") { db in
            try db.execute(sql: """
                CREATE TABLE roles (
                    name TEXT PRIMARY KEY,
                    trust_policy TEXT NOT NULL,
                    permission_policy TEXT NOT NULL,
                    max_session_seconds INTEGER NOT NULL,
                    created INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // When each blob became garbage (milliseconds since 1970), so that collection waits the
        // grace period for every blob however many wait, not only for those it has looked at.
        migrator.registerMigration("garbage-dropped") { db in
            try db.execute(sql: "ALTER TABLE garbage ADD COLUMN dropped INTEGER")
        }
        return migrator
    }
}
