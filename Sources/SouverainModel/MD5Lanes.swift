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
/// about 2.2 times as many bytes per second (`CMD5Lanes`). So a large body's stream copies its
/// bytes into staging buffers of `jobSize` and hands each full one in as a job, then goes on
/// receiving into the next: it waits only when all of its `depth` buffers are out. There is no
/// thread of its own. When four streams have a job pending, the four are hashed in the lanes by a
/// task of their own, on whichever thread is free, while the streams go on receiving; a stream
/// that needs its oldest job done (its buffers are all out, or its body ended) takes it with three
/// other pending jobs and hashes them in the lanes itself, or, when fewer are pending, hashes its
/// own alone with BoringSSL's scalar MD5.
///
/// A body's first `directBytes` are hashed directly, as before: a small object never copies,
/// allocates staging or waits. Staging memory is bounded: past `stagingBudget` buffers held by
/// all streams, a new stream gets two.
public final class MD5Lanes: Sendable {
    /// The process's lanes; nil where `CMD5Lanes` is not built on BoringSSL (then each stream
    /// hashes alone with swift-crypto's MD5).
    public static let shared: MD5Lanes? = souverain_md5_lanes_available() == 1 ? MD5Lanes() : nil

    /// Bytes per job: every job is this size, so the four lanes of a batch end together.
    public static let jobSize = 256 * 1024
    /// Staging buffers per stream: one filling while the others wait to be hashed. Measured on
    /// 4 uploads in flight, 4 buffers left the streams waiting on each other (docs/benchmarks.md).
    public static let depth = 8
    /// Bytes a stream hashes directly before it starts staging.
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
        /// One full staging buffer: `jobSize` bytes.
        let bytes: UnsafeRawPointer
        var phase = Phase.pending
        var waiter: CheckedContinuation<Void, Never>?

        init(memory: Memory, bytes: UnsafeRawPointer) {
            self.memory = memory
            self.bytes = bytes
        }
    }

    /// Hands in a full staging buffer. If four streams now have a job ready, a task of their own
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
        }
    }

    /// Up to four pending jobs of different streams, each its stream's oldest, none of whose
    /// streams has a job being hashed: `first` and three others, or `first` alone; with
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
        // Fewer than four: a stream hashes only its own job, with scalar MD5, so that two or
        // three streams hash on both cores at once rather than on one, one after the other (with
        // three lanes filled, 3 uploads in flight went 12% slower than without lanes).
        if batch.count < 4 { batch = Array(batch.prefix(1)) }
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
        if batch.count == 4 {
            let streams: [UnsafeMutablePointer<souverain_md5>?] = batch.map { $0.memory.md5 }
            let inputs: [UnsafePointer<UInt8>?] = batch.map { $0.bytes.assumingMemoryBound(to: UInt8.self) }
            souverain_md5_x4(streams, inputs, MD5Lanes.jobSize / 64)
        } else {
            for job in batch { souverain_md5_update(job.memory.md5, job.bytes, MD5Lanes.jobSize) }
        }
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

    /// Staging buffers held by every stream together, and the most before streams go shallow.
    private let stagingBuffers = Atomic<Int>(0)
    static let stagingBudget = 128  // 32 MiB

    /// How many staging buffers a stream starting to stage may hold: `depth`, or two when the
    /// streams already staging hold the budget (a stream then waits on its jobs sooner).
    func reserveStaging() -> Int {
        var held = stagingBuffers.load(ordering: .relaxed)
        while held + MD5Lanes.depth <= MD5Lanes.stagingBudget {
            let (exchanged, now) = stagingBuffers.compareExchange(
                expected: held, desired: held + MD5Lanes.depth, ordering: .relaxed)
            if exchanged { return MD5Lanes.depth }
            held = now
        }
        stagingBuffers.add(2, ordering: .relaxed)
        return 2
    }

    func releaseStaging(_ count: Int) { stagingBuffers.subtract(count, ordering: .relaxed) }

    /// Staging buffers held now, by every stream (for tests).
    public var stagingBuffersHeld: Int { stagingBuffers.load(ordering: .relaxed) }

    /// A stream's MD5 state and its staging buffers. Shared by the stream and its jobs, so that
    /// it lives until all are done with it.
    final class Memory: @unchecked Sendable {  // used by one thread at a time: the stream, or a job's hasher
        let md5: UnsafeMutablePointer<souverain_md5>
        private let lanes: MD5Lanes
        private var staging: UnsafeMutableRawPointer?
        /// Staging buffers, once staging started.
        private(set) var depth = 0
        /// A job of this stream is being hashed (read and written under `pending`'s lock).
        var busy = false

        init(lanes: MD5Lanes) {
            self.lanes = lanes
            md5 = .allocate(capacity: 1)
            souverain_md5_init(md5)
        }

        /// The buffers are mapped for the stream and unmapped after it: from the heap, a
        /// stream's 2 MiB freed on whichever thread ended it stayed in that thread's arena, and
        /// large PUTs' peak RSS rose by 27 MiB instead of the 8 that four streams hold.
        /// False when the memory cannot be had: the stream then hashes every byte directly.
        func startStaging() -> Bool {
            let count = lanes.reserveStaging()
            let mapped = mmap(nil, count * MD5Lanes.jobSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let mapped, mapped != MAP_FAILED else {
                lanes.releaseStaging(count)
                return false
            }
            staging = mapped
            depth = count
            return true
        }

        func buffer(_ index: Int) -> UnsafeMutableRawPointer { staging! + index * MD5Lanes.jobSize }

        deinit {
            md5.deallocate()
            if let staging {
                munmap(staging, depth * MD5Lanes.jobSize)
                lanes.releaseStaging(depth)
            }
        }
    }

    /// One body's MD5. Its owner calls it from one task at a time, in order.
    public final class Stream: @unchecked Sendable {  // owned by one task; its jobs' hashers touch only `Memory`
        private let lanes: MD5Lanes
        private let memory: Memory
        private var hashedDirectly = 0
        /// No staging memory could be mapped: every byte is hashed directly.
        private var alwaysDirect = false
        private var current = 0
        private var filled = 0
        /// Jobs handed in and not known to be hashed, oldest first; each holds one staging buffer.
        private var outstanding: [Job] = []

        init(lanes: MD5Lanes) {
            self.lanes = lanes
            memory = Memory(lanes: lanes)
        }

        /// True when the staging buffer is full: `handOff()` must run before more bytes fit.
        public var mustHandOff: Bool { filled == MD5Lanes.jobSize }

        /// Takes as many of `bytes` as fit without waiting, and returns how many.
        public func absorb(_ bytes: UnsafeRawBufferPointer) -> Int {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
            var taken = 0
            if memory.depth == 0 {
                if hashedDirectly + bytes.count <= MD5Lanes.directBytes || alwaysDirect {
                    souverain_md5_update(memory.md5, base, bytes.count)
                    hashedDirectly += bytes.count
                    return bytes.count
                }
                // Staging starts on a block boundary: jobs hold whole blocks only.
                let partial = Int(memory.md5.pointee.num)
                taken = min(bytes.count, partial == 0 ? 0 : 64 - partial)
                if taken > 0 { souverain_md5_update(memory.md5, base, taken) }
                hashedDirectly += taken
                guard memory.md5.pointee.num == 0 else { return taken }
                guard memory.startStaging() else {
                    alwaysDirect = true
                    souverain_md5_update(memory.md5, base + taken, bytes.count - taken)
                    hashedDirectly += bytes.count - taken
                    return bytes.count
                }
            }
            let count = min(bytes.count - taken, MD5Lanes.jobSize - filled)
            (memory.buffer(current) + filled).copyMemory(from: base + taken, byteCount: count)
            filled += count
            return taken + count
        }

        /// Hands the full staging buffer to the lanes. When every buffer is then out, waits until
        /// the oldest is hashed, as the next bytes go into it.
        public func handOff() async {
            precondition(mustHandOff, "handOff() with a staging buffer that is not full")
            let job = Job(memory: memory, bytes: UnsafeRawPointer(memory.buffer(current)))
            outstanding.append(job)
            current = (current + 1) % memory.depth
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
            if filled > 0 { souverain_md5_update(memory.md5, memory.buffer(current), filled) }
            filled = 0
            var digest = [UInt8](repeating: 0, count: 16)
            digest.withUnsafeMutableBufferPointer { souverain_md5_final(memory.md5, $0.baseAddress) }
            return digest
        }

        /// Drops the jobs still waiting in the lanes (the upload failed). Jobs being hashed finish.
        public func abandon() {
            for job in outstanding { lanes.withdraw(job) }
            outstanding = []
        }
    }
}
