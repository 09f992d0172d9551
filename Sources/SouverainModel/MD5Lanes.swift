internal import CMD5Lanes
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ETag MD5s of uploads that run at once, hashed together: four streams to a vector.
///
/// MD5 cannot go faster than one core's scalar rate for one message, and on large PUTs it is most
/// of the server's CPU. Four messages hashed side by side, one per lane of a vector, go through
/// about 2.2 to 3.2 times as many bytes per second (`CMD5Lanes`). So a large body's stream gathers
/// its bytes into jobs of `jobSize` and hands each full one in, then goes on receiving into the
/// next: it waits only when it holds `depth` jobs. A job is the bytes where they lie, in the buffers
/// the body arrived in, which it keeps alive until hashed (a caller that cannot lend its bytes has
/// them copied). There is no thread of its own. When four streams have a job pending, the four are
/// hashed in the lanes by a task of their own, on whichever thread is free, while the streams go on
/// receiving; a stream that needs its oldest job done (it holds all it may, or its body ended)
/// takes it with up to three other pending jobs and hashes them in the lanes itself, or, when no
/// other is pending, hashes its own alone with BoringSSL's scalar MD5.
///
/// A body's first `directBytes` are hashed directly, as before: a small object never waits. The
/// bytes held are bounded: past `jobBudget` jobs held by all streams, a new stream holds two.
public final class MD5Lanes: Sendable {
    /// The process's lanes; nil where `CMD5Lanes` is not built on BoringSSL (then each stream
    /// hashes alone with swift-crypto's MD5).
    public static let shared: MD5Lanes? = souverain_md5_lanes_available() == 1 ? MD5Lanes() : nil

    /// Bytes per job: every job is this size, so the four lanes of a batch end together.
    public static let jobSize = 256 * 1024
    /// Jobs a stream may hold: one gathering while the others wait to be hashed. Measured on
    /// 4 uploads in flight, 4 left the streams waiting on each other (docs/benchmarks.md).
    public static let depth = 8
    /// The fewest jobs hashed in the lanes together; a stream that needs its job when fewer are
    /// pending hashes it alone with scalar MD5. One vector call costs the same with two lanes
    /// filled as with four, and on this machine's AMD EPYC two lanes hash 1,221 MiB/s against
    /// scalar MD5's 731 (scripts/bench/md5-lanes/run.sh): with two, the CPU per MiB of large PUTs
    /// fell 8-24% at 4 uploads in flight and 29-30% at 3 (docs/benchmarks.md, "Issue 18's eighth round").
    static let minimumLanes = 2
    /// Bytes a stream hashes directly before it starts holding jobs.
    public static let directBytes = 256 * 1024

    /// The vector code the lanes run on this CPU ("avx512", "avx2" or "baseline").
    public static var variant: String { String(cString: souverain_md5_x4_variant()) }

    /// Jobs handed in and not yet taken, in the order they came (a stream's own in its order).
    private let pending = Mutex<[Job]>([])

    public init() {}

    /// A new stream's MD5, hashed with others' here.
    public func stream() -> Stream { Stream(lanes: self) }

    // MARK: - Jobs

    final class Job: @unchecked Sendable {  // `phase` and `waiter` are read and written under `pending`'s lock
        enum Phase { case pending, hashing, done }
        let memory: Memory
        /// `jobSize` bytes in all, where they lie, kept alive by `owners` until hashed.
        let pieces: [UnsafeRawBufferPointer]
        private(set) var owners: [AnyObject]
        var phase = Phase.pending
        var waiter: CheckedContinuation<Void, Never>?

        init(memory: Memory, pieces: [UnsafeRawBufferPointer], owners: [AnyObject]) {
            self.memory = memory
            self.pieces = pieces
            self.owners = owners
        }

        /// Lets go of the bytes, once hashed or withdrawn.
        func release() { owners = [] }
    }

    /// Hands in a full job. If four streams now have a job ready, a task of their own
    /// hashes the four.
    func submit(_ job: Job) {
        let batch: [Job]? = pending.withLock { jobs in
            jobs.append(job)
            return MD5Lanes.take(from: &jobs, first: nil, fullOnly: true)
        }
        // Hashed on another thread where one is free: this stream goes on receiving meanwhile.
        if let batch { Task { self.hashChain(batch) } }
    }

    /// Returns once `job` is hashed: takes it, with three other pending jobs if there are, if nobody
    /// has; waits for whoever took it otherwise.
    func finish(_ job: Job) async {
        enum Action { case done, wait, hash([Job]) }
        let action: Action = pending.withLock { jobs in
            switch job.phase {
            case .done: return .done
            case .hashing: return .wait
            case .pending:
                return .hash(MD5Lanes.take(from: &jobs, first: job, fullOnly: false) ?? [])
            }
        }
        switch action {
        case .done: return
        case .hash(let batch):
            // This stream needed only its own job: a batch that frees goes on elsewhere.
            if let next = hash(batch) { Task { self.hashChain(next) } }
        case .wait:
            await withCheckedContinuation { continuation in
                let done = pending.withLock { _ in
                    if job.phase == .done { return true }
                    job.waiter = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }

    /// Forgets a job its stream no longer needs (a failed upload). A job being hashed finishes.
    func withdraw(_ job: Job) {
        pending.withLock { jobs in
            guard job.phase == .pending else { return }
            jobs.removeAll { $0 === job }
            job.phase = .done
            job.release()
        }
    }

    /// Up to four pending jobs of different streams, each its stream's oldest, none of whose
    /// streams has a job being hashed: `first` and one to three others, or `first` alone; with
    /// `fullOnly`, four or none.
    private static func take(from jobs: inout [Job], first: Job?, fullOnly: Bool) -> [Job]? {
        var batch: [Job] = []
        var seen: [ObjectIdentifier] = []
        if let first {
            batch.append(first)
            seen.append(ObjectIdentifier(first.memory))
        }
        for job in jobs where batch.count < 4 {
            let stream = ObjectIdentifier(job.memory)
            if seen.contains(stream) { continue }
            seen.append(stream)  // a later job of this stream waits behind this one either way
            if !job.memory.busy && job !== first { batch.append(job) }
        }
        if fullOnly && batch.count < 4 { return nil }
        // A job alone is hashed with scalar MD5, faster than one lane of four.
        if batch.count < MD5Lanes.minimumLanes { batch = Array(batch.prefix(1)) }
        jobs.removeAll { job in batch.contains { $0 === job } }
        for job in batch {
            job.phase = .hashing
            job.memory.busy = true
        }
        return batch
    }

    /// Hashes `batch`, then the full batches it frees, a few at a time: after `batchesPerTurn`,
    /// the rest goes to a task of its own, behind the work already waiting for a thread.
    private func hashChain(_ first: [Job]) {
        var batch = first
        for _ in 0..<MD5Lanes.batchesPerTurn {
            guard let next = hash(batch) else { return }
            batch = next
        }
        Task { self.hashChain(batch) }
    }

    static let batchesPerTurn = 4

    /// Hashes one batch and wakes whoever waits on its jobs; returns the full batch it freed, if any.
    private func hash(_ batch: [Job]) -> [Job]? {
        if batch.count >= MD5Lanes.minimumLanes {
            // Each lane's pieces where they lie: the buffers the bodies arrived in, not copies.
            let streams = (0..<4).map { $0 < batch.count ? batch[$0].memory.md5 : nil }
            let bases = batch.flatMap { job in job.pieces.map { $0.baseAddress?.assumingMemoryBound(to: UInt8.self) } }
            let lengths = batch.flatMap { job in job.pieces.map(\.count) }
            let counts = (0..<4).map { $0 < batch.count ? batch[$0].pieces.count : 0 }
            souverain_md5_x4_pieces(streams, bases, lengths, counts, MD5Lanes.jobSize / 64)
        } else {
            for job in batch {
                for piece in job.pieces where !piece.isEmpty { souverain_md5_update(job.memory.md5, piece.baseAddress, piece.count) }
            }
        }
        for job in batch { job.release() }
        let (waiters, next) = pending.withLock { jobs in
            let waiters = batch.compactMap { job -> CheckedContinuation<Void, Never>? in
                job.phase = .done
                job.memory.busy = false
                defer { job.waiter = nil }
                return job.waiter
            }
            // Streams freed by this batch may complete a full one with jobs that waited behind.
            return (waiters, MD5Lanes.take(from: &jobs, first: nil, fullOnly: true))
        }
        for waiter in waiters { waiter.resume() }
        return next
    }

    // MARK: - Streams

    /// Jobs reserved by every stream together (each stream's `depth`, reserved when it starts
    /// holding jobs), and the most before streams go shallow.
    private let reservedJobs = Atomic<Int>(0)
    static let jobBudget = 128  // 32 MiB

    /// How many jobs a stream starting to hold them may hold: `depth`, or two when the streams
    /// already holding jobs have reserved the budget (a stream then waits on its jobs sooner).
    func reserveJobs() -> Int {
        var held = reservedJobs.load(ordering: .relaxed)
        while held + MD5Lanes.depth <= MD5Lanes.jobBudget {
            let (exchanged, now) = reservedJobs.compareExchange(
                expected: held, desired: held + MD5Lanes.depth, ordering: .relaxed)
            if exchanged { return MD5Lanes.depth }
            held = now
        }
        reservedJobs.add(2, ordering: .relaxed)
        return 2
    }

    func releaseJobs(_ count: Int) { reservedJobs.subtract(count, ordering: .relaxed) }

    /// Jobs reserved now, by every stream (for tests).
    public var jobsReserved: Int { reservedJobs.load(ordering: .relaxed) }

    /// A stream's MD5 state. Shared by the stream and its jobs, so that it lives until all are
    /// done with it.
    final class Memory: @unchecked Sendable {  // used by one thread at a time: the stream, or a job's hasher
        let md5: UnsafeMutablePointer<souverain_md5>
        private let lanes: MD5Lanes
        /// Jobs the stream may hold, once it started holding them.
        private(set) var depth = 0
        /// A job of this stream is being hashed (read and written under `pending`'s lock).
        var busy = false

        init(lanes: MD5Lanes) {
            self.lanes = lanes
            md5 = .allocate(capacity: 1)
            souverain_md5_init(md5)
        }

        func startHoldingJobs() {
            depth = lanes.reserveJobs()
        }

        deinit {
            md5.deallocate()
            if depth > 0 { lanes.releaseJobs(depth) }
        }
    }

    /// Bytes copied for a caller that cannot lend them (`absorb` without an owner).
    final class CopiedBytes {
        let bytes: UnsafeMutableRawBufferPointer

        init(_ source: UnsafeRawBufferPointer) {
            bytes = .allocate(byteCount: source.count, alignment: 64)
            bytes.copyMemory(from: source)
        }

        deinit { bytes.deallocate() }
    }

    /// One body's MD5. Its owner calls it from one task at a time, in order.
    public final class Stream: @unchecked Sendable {  // owned by one task; its jobs' hashers touch only `Memory`
        private let lanes: MD5Lanes
        private let memory: Memory
        private var hashedDirectly = 0
        /// The job being gathered: its pieces, what keeps them alive, and its size so far.
        private var pieces: [UnsafeRawBufferPointer] = []
        private var owners: [AnyObject] = []
        private var filled = 0
        /// Jobs handed in and not known to be hashed, oldest first.
        private var outstanding: [Job] = []

        init(lanes: MD5Lanes) {
            self.lanes = lanes
            memory = Memory(lanes: lanes)
        }

        /// True when the job being gathered is full: `handOff()` must run before more bytes fit.
        public var mustHandOff: Bool { filled == MD5Lanes.jobSize }

        /// Takes as many of `bytes` as fit without waiting, and returns how many. With an `owner`
        /// (the storage of the buffer the bytes lie in, which nobody writes to while it is held),
        /// the bytes are hashed where they lie and `owner` is kept until they are; without one,
        /// they are copied.
        public func absorb(_ bytes: UnsafeRawBufferPointer, owner: AnyObject? = nil) -> Int {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
            var taken = 0
            if memory.depth == 0 {
                if hashedDirectly + bytes.count <= MD5Lanes.directBytes {
                    souverain_md5_update(memory.md5, base, bytes.count)
                    hashedDirectly += bytes.count
                    return bytes.count
                }
                // Holding jobs starts on a block boundary: jobs hold whole blocks only.
                let partial = Int(memory.md5.pointee.num)
                taken = min(bytes.count, partial == 0 ? 0 : 64 - partial)
                if taken > 0 { souverain_md5_update(memory.md5, base, taken) }
                hashedDirectly += taken
                guard memory.md5.pointee.num == 0 else { return taken }
                memory.startHoldingJobs()
            }
            let count = min(bytes.count - taken, MD5Lanes.jobSize - filled)
            let piece = UnsafeRawBufferPointer(start: base + taken, count: count)
            if let owner {
                pieces.append(piece)
                if owners.last !== owner { owners.append(owner) }
            } else {
                let copy = CopiedBytes(piece)
                pieces.append(UnsafeRawBufferPointer(copy.bytes))
                owners.append(copy)
            }
            filled += count
            return taken + count
        }

        /// Hands the full job to the lanes. When the stream then holds all it may, waits until
        /// the oldest is hashed.
        public func handOff() async {
            precondition(mustHandOff, "handOff() with a job that is not full")
            let job = Job(memory: memory, pieces: pieces, owners: owners)
            outstanding.append(job)
            pieces = []
            owners = []
            filled = 0
            lanes.submit(job)
            if outstanding.count == memory.depth {
                await lanes.finish(outstanding.removeFirst())
            }
        }

        /// The MD5 of every byte absorbed.
        public func finalize() async -> [UInt8] {
            for job in outstanding { await lanes.finish(job) }
            outstanding = []
            for piece in pieces where !piece.isEmpty { souverain_md5_update(memory.md5, piece.baseAddress, piece.count) }
            pieces = []
            owners = []
            filled = 0
            var digest = [UInt8](repeating: 0, count: 16)
            digest.withUnsafeMutableBufferPointer { souverain_md5_final(memory.md5, $0.baseAddress) }
            return digest
        }

        /// Drops the jobs still waiting in the lanes (the upload failed). Jobs being hashed finish.
        public func abandon() {
            for job in outstanding { lanes.withdraw(job) }
            outstanding = []
            pieces = []
            owners = []
        }
    }
}
