internal import GRDB
import SouverainCatalogue
import SouverainModel
import Synchronization

/// Users by access key and buckets by name, as last read, for the two look-ups that nearly every
/// request makes before its own (docs/benchmarks.md, "Issue 18's thirteenth round"), and each
/// bucket's default encryption, which every PUT asks for (most buckets have none: that answer is
/// kept too).
///
/// What is kept is used only while nothing it could hold has changed since it was read: every
/// transaction of this process that wrote users, buckets or bucket encryption ends a generation
/// (`committed`, told by `KeptTablesObserver`), and so does every commit another process
/// announces (`CommitSignal`), found by polling the watch before each use. A read is kept
/// under the generation that was current before it started: if a commit ended that generation
/// while the read ran, what it read is never used. Nothing is kept longer than `lifetime`, should
/// a process write the catalogue without announcing it. When the watch is lost (the signal file
/// removed, the event queue overflowed), nothing is kept any more.
final class LookupCache: Sendable {
    /// How long anything kept may be used at most: 1 s unless a test says otherwise.
    let lifetime: Duration
    /// Entries per table: beyond it the table starts again empty (names that do not exist are not
    /// kept, and only buckets that exist are asked for their encryption).
    static let capacity = 4096

    private struct Entry<Value> {
        let value: Value
        let generation: UInt64
        let readAt: ContinuousClock.Instant
    }

    private struct State {
        var generation: UInt64 = 0
        var enabled = true
        var users: [String: Entry<User>] = [:]
        var buckets: [String: Entry<BucketRecord>] = [:]
        var encryptions: [String: Entry<BucketEncryptionRecord?>] = [:]
    }

    private let state = Mutex(State())
    private let watch: CommitWatch

    init(watch: CommitWatch, lifetime: Duration = .seconds(1)) {
        self.watch = watch
        self.lifetime = lifetime
    }

    /// Ends the current generation: called after each of this process's transactions that wrote
    /// a kept table (`KeptTablesObserver.tables`).
    func committed() {
        state.withLock { $0.generation &+= 1 }
    }

    /// The user with this access key, as kept, or read by `read` (and kept when found).
    func user(accessKeyID: String, read: () async throws -> User?) async throws -> User? {
        try await value(\.users, accessKeyID, read)
    }

    /// The bucket with this name, as kept, or read by `read` (and kept when found).
    func bucket(named name: String, read: () async throws -> BucketRecord?) async throws -> BucketRecord? {
        try await value(\.buckets, name, read)
    }

    /// The bucket's default encryption, or nil when it has none, as kept, or read by `read` (and
    /// kept either way: only a bucket that exists is asked about).
    func bucketEncryption(
        bucket: String, read: () async throws -> BucketEncryptionRecord?
    ) async throws -> BucketEncryptionRecord? {
        let answer: BucketEncryptionRecord?? = try await value(\.encryptions, bucket) { .some(try await read()) }
        return answer ?? nil
    }

    private func value<Value: Sendable>(
        _ table: any WritableKeyPath<State, [String: Entry<Value>]> & Sendable, _ key: String, _ read: () async throws -> Value?
    ) async throws -> Value? {
        let outcome = watch.poll()
        let now = ContinuousClock.now
        let (generation, kept): (UInt64?, Value?) = state.withLock { state in
            switch outcome {
            case .quiet: break
            case .committed: state.generation &+= 1
            case .lost: state.enabled = false
            }
            guard state.enabled else {
                state.users = [:]
                state.buckets = [:]
                state.encryptions = [:]
                return (nil, nil)
            }
            if let entry = state[keyPath: table][key], entry.generation == state.generation, now - entry.readAt < lifetime {
                return (state.generation, entry.value)
            }
            return (state.generation, nil)
        }
        if let kept { return kept }
        let read = try await read()
        guard let found = read, let generation else { return read }
        state.withLock { state in
            guard state.enabled, state.generation == generation else { return }
            if state[keyPath: table].count >= Self.capacity { state[keyPath: table] = [:] }
            state[keyPath: table][key] = Entry(value: found, generation: generation, readAt: now)
        }
        return found
    }
}

/// Notes whether a transaction wrote the tables that `LookupCache` keeps rows of, so that this
/// process's other transactions (an object's record, a grant, an upload) leave what it keeps in
/// place. Told by SQLite of every row a statement inserts, updates or deletes in those tables.
final class KeptTablesObserver: TransactionObserver, Sendable {
    static let tables: Set<String> = ["users", "buckets", "bucket_encryption"]
    private let written = Atomic(false)

    /// Whether a transaction wrote a kept table since the last call; resets it.
    func takeWritten() -> Bool { written.exchange(false, ordering: .sequentiallyConsistent) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { Self.tables.contains(eventKind.tableName) }

    func databaseDidChange(with event: DatabaseEvent) {
        written.store(true, ordering: .sequentiallyConsistent)
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
