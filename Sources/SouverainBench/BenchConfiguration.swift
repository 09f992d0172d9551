public import SouverainS3Client

/// Every knob of a benchmark run. The defaults are the workloads: 64 MiB × 4 concurrent for
/// large objects, 4 KiB × 32 concurrent for small ones, 1000-key LIST pages.
public struct BenchConfiguration: Sendable {
    /// Where and as whom: endpoint, region, credentials, timeouts, retries, stream signing. For a
    /// calibration run the endpoint is replaced by the in-process null server's. Use
    /// `RetryPolicy.none` to see every failure as it happens (retries hide them in latencies).
    public var client: S3ClientConfiguration
    /// The bucket used; created if missing, and deleted at the end if this run created it and `cleanUp`.
    public var bucket: String
    /// Every key written starts with this prefix (so that cleanup touches nothing else).
    public var keyPrefix: String
    /// The workloads to run; run in `BenchWorkload.allCases` order whatever the order here.
    public var workloads: [BenchWorkload]
    /// Large-object PUT and GET.
    public var large: LargeObjects
    /// Small-object PUT, GET, HEAD and DELETE.
    public var small: SmallObjects
    /// ListObjectsV2.
    public var list: Listing
    /// The mixed workload.
    public var mixed: Mixed
    /// Seeds the generated data and the mixed workload's draws: the same seed sends the same bytes.
    public var seed: UInt64
    /// Whether each GET body's length is checked against the object's size (a mismatch is counted
    /// as a `LengthMismatch` error).
    public var verifyLength: Bool
    /// Runs against an in-process S3 endpoint that stores nothing, to measure the generator's own
    /// ceiling on this machine (client CPU, loopback, HTTP and signing).
    public var calibrate: Bool
    /// Deletes every object written under `keyPrefix` at the end (and the bucket, if created by the run).
    public var cleanUp: Bool
    /// Turns versioning on for the bucket before the first workload: every PUT then keeps a version
    /// and every DELETE writes a delete marker, and cleanup deletes each version and marker.
    public var versioning = false

    /// A configuration with the defaults, for `client`'s endpoint and credentials.
    public init(
        client: S3ClientConfiguration, bucket: String = "souverain-bench", keyPrefix: String = "bench/",
        workloads: [BenchWorkload] = BenchWorkload.allCases, large: LargeObjects = LargeObjects(),
        small: SmallObjects = SmallObjects(), list: Listing = Listing(), mixed: Mixed = Mixed(), seed: UInt64 = 1,
        verifyLength: Bool = true, calibrate: Bool = false, cleanUp: Bool = true
    ) {
        self.client = client
        self.bucket = bucket
        self.keyPrefix = keyPrefix
        self.workloads = workloads
        self.large = large
        self.small = small
        self.list = list
        self.mixed = mixed
        self.seed = seed
        self.verifyLength = verifyLength
        self.calibrate = calibrate
        self.cleanUp = cleanUp
    }

    /// How long a workload runs: it stops at `operations` or after `duration`, whichever comes
    /// first. A warm-up of its own bounds runs before and is left out of every figure.
    public struct Limits: Sendable, Equatable {
        /// The most operations measured.
        public var operations: Int
        /// The longest measured time; no operation starts after it (those under way finish).
        public var duration: Duration
        /// The most warm-up operations (0 for none).
        public var warmUpOperations: Int
        /// The longest warm-up.
        public var warmUpDuration: Duration

        public init(operations: Int, duration: Duration, warmUpOperations: Int = 0, warmUpDuration: Duration = .seconds(5)) {
            self.operations = operations
            self.duration = duration
            self.warmUpOperations = warmUpOperations
            self.warmUpDuration = warmUpDuration
        }
    }

    /// Large-object PUT and GET throughput.
    public struct LargeObjects: Sendable, Equatable {
        /// Bytes per object (64 MiB).
        public var objectSize: Int
        /// Requests in flight (4).
        public var concurrency: Int
        /// The size of each generated buffer of a PUT body (1 MiB); bodies are never held whole.
        public var bufferSize: Int
        /// When set, PUT goes through `S3Client.uploadLarge` with parts of this size (at least
        /// 5 MiB) and `partConcurrency` parts in flight per object; one streamed PutObject otherwise.
        public var partSize: Int?
        /// Parts in flight per object with `partSize` (4).
        public var partConcurrency: Int
        /// Bounds of each of large-put and large-get (16 operations or 60 s; 1 warm-up operation).
        public var limits: Limits

        public init(objectSize: Int = 64 << 20, concurrency: Int = 4, bufferSize: Int = 1 << 20, partSize: Int? = nil,
                    partConcurrency: Int = 4,
                    limits: Limits = Limits(operations: 16, duration: .seconds(60), warmUpOperations: 1, warmUpDuration: .seconds(30))) {
            self.objectSize = objectSize
            self.concurrency = concurrency
            self.bufferSize = bufferSize
            self.partSize = partSize
            self.partConcurrency = partConcurrency
            self.limits = limits
        }
    }

    /// Small-object operations per second.
    public struct SmallObjects: Sendable, Equatable {
        /// Bytes per object (4 KiB).
        public var objectSize: Int
        /// Requests in flight (32).
        public var concurrency: Int
        /// How many objects GET and HEAD cycle over when small-put did not run before them (1000).
        public var preparedObjects: Int
        /// Bounds of each of small-put, -get, -head and -delete (10,000 operations or 30 s; 200 warm-up).
        public var limits: Limits

        public init(objectSize: Int = 4 << 10, concurrency: Int = 32, preparedObjects: Int = 1000,
                    limits: Limits = Limits(operations: 10_000, duration: .seconds(30), warmUpOperations: 200)) {
            self.objectSize = objectSize
            self.concurrency = concurrency
            self.preparedObjects = preparedObjects
            self.limits = limits
        }
    }

    /// ListObjectsV2 pages per second.
    public struct Listing: Sendable, Equatable {
        /// Empty objects put under the listed prefix beforehand (2000: two full pages).
        public var objectCount: Int
        /// Keys per page, `max-keys` (1000).
        public var pageSize: Int
        /// Requests in flight (4).
        public var concurrency: Int
        /// Bounds (500 pages or 30 s; 10 warm-up).
        public var limits: Limits

        public init(objectCount: Int = 2000, pageSize: Int = 1000, concurrency: Int = 4,
                    limits: Limits = Limits(operations: 500, duration: .seconds(30), warmUpOperations: 10)) {
            self.objectCount = objectCount
            self.pageSize = pageSize
            self.concurrency = concurrency
            self.limits = limits
        }
    }

    /// A mix of operations on small objects, each drawn with a weight.
    public struct Mixed: Sendable, Equatable {
        /// Relative weights; `get: 60` and `put: 20` means three GETs for each PUT on average.
        public var put: Int
        public var get: Int
        public var head: Int
        public var list: Int
        /// A DELETE removes an object this workload PUT; with none left, a PUT is done instead.
        public var delete: Int
        /// Bytes per object (4 KiB).
        public var objectSize: Int
        /// Requests in flight (32).
        public var concurrency: Int
        /// Objects prepared for GET, HEAD and LIST to read (500).
        public var preparedObjects: Int
        /// Keys per LIST page (1000).
        public var pageSize: Int
        /// Bounds (10,000 operations or 30 s; 200 warm-up).
        public var limits: Limits

        public init(put: Int = 20, get: Int = 60, head: Int = 10, list: Int = 2, delete: Int = 8, objectSize: Int = 4 << 10,
                    concurrency: Int = 32, preparedObjects: Int = 500, pageSize: Int = 1000,
                    limits: Limits = Limits(operations: 10_000, duration: .seconds(30), warmUpOperations: 200)) {
            self.put = put
            self.get = get
            self.head = head
            self.list = list
            self.delete = delete
            self.objectSize = objectSize
            self.concurrency = concurrency
            self.preparedObjects = preparedObjects
            self.pageSize = pageSize
            self.limits = limits
        }
    }

    /// Throws `BenchError.Code.invalidConfiguration` naming the first knob out of range.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws {
            guard condition else { throw BenchError(code: .invalidConfiguration, message: message) }
        }
        func check(_ limits: Limits, _ name: String) throws {
            try check(limits.operations >= 1, "\(name): the operation limit must be at least 1.")
            try check(limits.duration > .zero, "\(name): the duration limit must be positive.")
            try check(limits.warmUpOperations >= 0, "\(name): warm-up operations cannot be negative.")
        }
        try check(!bucket.isEmpty, "The bucket name is empty.")
        try check(!workloads.isEmpty, "No workload selected.")
        try check(large.objectSize >= 0 && small.objectSize >= 0 && mixed.objectSize >= 0, "Object sizes cannot be negative.")
        try check(small.objectSize <= 64 << 20 && mixed.objectSize <= 64 << 20,
                  "Small and mixed objects are sent from memory: keep them at 64 MiB or less.")
        try check(large.concurrency >= 1 && small.concurrency >= 1 && list.concurrency >= 1 && mixed.concurrency >= 1,
                  "Concurrency must be at least 1.")
        try check(large.bufferSize >= 1024, "The large-object buffer size must be at least 1 KiB.")
        if let partSize = large.partSize {
            try check(partSize >= S3Client.minimumPartSize, "The part size must be at least 5 MiB.")
            try check(large.partConcurrency >= 1, "The part concurrency must be at least 1.")
        }
        try check((1...1000).contains(list.pageSize) && (1...1000).contains(mixed.pageSize), "Page sizes go from 1 to 1000.")
        try check(list.objectCount >= 0 && small.preparedObjects >= 1 && mixed.preparedObjects >= 1,
                  "Prepared object counts must be positive.")
        try check([mixed.put, mixed.get, mixed.head, mixed.list, mixed.delete].allSatisfy { $0 >= 0 }
                  && mixed.put + mixed.get + mixed.head + mixed.list + mixed.delete > 0,
                  "The mixed ratios must be non-negative and not all zero.")
        try check(large.limits, "large")
        try check(small.limits, "small")
        try check(list.limits, "list")
        try check(mixed.limits, "mixed")
    }
}
