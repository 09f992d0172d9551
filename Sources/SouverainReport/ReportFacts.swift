/// Everything the compliance report states, gathered by the caller from an installation's state
/// (catalogue, locations, registry, rules, audit trail, key store) and rendered here without any
/// I/O of its own. The JSON form of this value is `report.json` (docs/report-format.md): every
/// field is a plain string, number, boolean, list or object, dates as UTC timestamps
/// (`2026-12-03T22:45:00Z`) or days (`2026-11-22`), so another tool reads it without Souverain.
///
/// Schema changes: a field added keeps `schema` (readers ignore what they do not know); a field
/// renamed, removed or whose meaning changes bumps it (`souverain-report/2`).
public struct ReportFacts: Codable, Sendable, Hashable {
    public static let currentSchema = "souverain-report/1"

    public var schema: String = ReportFacts.currentSchema
    /// When the report was made (UTC timestamp).
    public var generatedAt: String
    /// The period that "in the period" counts cover: denied requests, internal movements,
    /// rotations and shreddings.
    public var period: Period
    public var installation: Installation
    public var buckets: [Bucket]
    public var locations: [Location]
    /// Stored copies the rules in force no longer allow, per bucket and location (the same
    /// computation as `souverain placement audit`).
    public var misplaced: [Misplacement]
    public var audit: AuditTrail
    public var keys: Keys
    public var encryption: EncryptionCoverage
    /// Per classification in use, where the placement engine allows its bytes now, best first:
    /// what exit plans take their alternatives from.
    public var classifications: [ClassificationPlacement] = []
    /// Per provider: what depends on it and how to leave it (`ExitPlans`).
    public var exitPlans: [ExitPlan] = []
    /// The problems the facts show, computed by `ReportFindings`: what a reader must act on.
    public var findings: [Finding] = []
    /// Every platform or location control of the requirements catalogue with its status
    /// (`ControlAssessment`).
    public var controls: [Control] = []

    public init(
        generatedAt: String, period: Period, installation: Installation, buckets: [Bucket], locations: [Location],
        misplaced: [Misplacement], audit: AuditTrail, keys: Keys, encryption: EncryptionCoverage
    ) {
        self.generatedAt = generatedAt
        self.period = period
        self.installation = installation
        self.buckets = buckets
        self.locations = locations
        self.misplaced = misplaced
        self.audit = audit
        self.keys = keys
        self.encryption = encryption
    }

    public struct Period: Codable, Sendable, Hashable {
        public var from: String
        public var to: String
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public struct Installation: Codable, Sendable, Hashable {
        /// The S3 region the gateway answers for, its country, and the classification of buckets
        /// that name none.
        public var region: String
        public var country: String
        public var defaultClassification: String
        /// The registry in force: its as-of day and where it comes from (shipped or imported).
        public var registryAsOf: String
        public var registrySource: String
        /// Facts older than this many days are stale (the rules' `maxFactAgeDays`).
        public var maxFactAgeDays: Int
        public init(
            region: String, country: String, defaultClassification: String, registryAsOf: String, registrySource: String,
            maxFactAgeDays: Int
        ) {
            self.region = region
            self.country = country
            self.defaultClassification = defaultClassification
            self.registryAsOf = registryAsOf
            self.registrySource = registrySource
            self.maxFactAgeDays = maxFactAgeDays
        }
    }

    public struct Bucket: Codable, Sendable, Hashable {
        public var name: String
        public var classification: String
        public var createdAt: String
        /// When its keys were destroyed (crypto-shredding); nil for a live bucket.
        public var shreddedAt: String?
        /// Objects and versions (noncurrent versions count: they are data too), and their bytes.
        public var objects: Int
        public var bytes: Int64
        public var encryptedObjects: Int
        /// Per location holding copies: how many objects have a copy there and their bytes.
        public var locations: [BucketLocation]
        public init(
            name: String, classification: String, createdAt: String, shreddedAt: String?, objects: Int, bytes: Int64,
            encryptedObjects: Int, locations: [BucketLocation]
        ) {
            self.name = name
            self.classification = classification
            self.createdAt = createdAt
            self.shreddedAt = shreddedAt
            self.objects = objects
            self.bytes = bytes
            self.encryptedObjects = encryptedObjects
            self.locations = locations
        }
    }

    public struct BucketLocation: Codable, Sendable, Hashable {
        public var location: String
        public var objects: Int
        public var bytes: Int64
        public init(location: String, objects: Int, bytes: Int64) {
            self.location = location
            self.objects = objects
            self.bytes = bytes
        }
    }

    /// A registry fact as the report prints it: value, sources, date, how it was established.
    public struct Fact: Codable, Sendable, Hashable {
        public var field: String
        public var value: String
        public var sources: [String]
        public var asOf: String
        public var verification: String
        public var stale: Bool
        public init(field: String, value: String, sources: [String], asOf: String, verification: String, stale: Bool) {
            self.field = field
            self.value = value
            self.sources = sources
            self.asOf = asOf
            self.verification = verification
            self.stale = stale
        }
    }

    public struct Location: Codable, Sendable, Hashable {
        public var id: String
        /// `local` or `s3`.
        public var kind: String
        public var providerID: String
        public var providerName: String
        public var onPremise: Bool
        public var country: String
        public var region: String?
        public var legalSeatCountry: String?
        public var ultimateParentName: String?
        public var ultimateParentCountry: String?
        /// `exposed`, `not-exposed` or `unknown`, per law (`cloud-act`, `fisa-702`).
        public var exposure: [String: String]
        public var exposureOther: [String]
        /// Every fact behind the lines above, qualifications included, each with its date.
        public var facts: [Fact]
        /// Whether the provider holds a qualification that counts (SecNumCloud J3 or a certified HDS,
        /// ISO 27001, C5, ENS or EUCS): false draws the location's links in red.
        public var qualified: Bool
        /// Seat or ultimate parent outside the EU, or exposure to a non-EU law.
        public var nonEULawExposure: Bool
        public init(
            id: String, kind: String, providerID: String, providerName: String, onPremise: Bool, country: String, region: String?,
            legalSeatCountry: String?, ultimateParentName: String?, ultimateParentCountry: String?, exposure: [String: String],
            exposureOther: [String], facts: [Fact], qualified: Bool, nonEULawExposure: Bool
        ) {
            self.id = id
            self.kind = kind
            self.providerID = providerID
            self.providerName = providerName
            self.onPremise = onPremise
            self.country = country
            self.region = region
            self.legalSeatCountry = legalSeatCountry
            self.ultimateParentName = ultimateParentName
            self.ultimateParentCountry = ultimateParentCountry
            self.exposure = exposure
            self.exposureOther = exposureOther
            self.facts = facts
            self.qualified = qualified
            self.nonEULawExposure = nonEULawExposure
        }

        public var staleFacts: [Fact] { facts.filter(\.stale) }
    }

    public struct Misplacement: Codable, Sendable, Hashable {
        public var bucket: String
        public var location: String
        public var classification: String
        public var objects: Int
        public var bytes: Int64
        /// Why the rules reject the location now (the placement engine's reasons).
        public var reasons: [String]
        /// Where the copies may go instead, best first; empty when nowhere is allowed.
        public var allowed: [String]
        public init(bucket: String, location: String, classification: String, objects: Int, bytes: Int64, reasons: [String], allowed: [String]) {
            self.bucket = bucket
            self.location = location
            self.classification = classification
            self.objects = objects
            self.bytes = bytes
            self.reasons = reasons
            self.allowed = allowed
        }
    }

    public struct AuditTrail: Codable, Sendable, Hashable {
        /// The trail's Ed25519 public key (base64): the key that signs report.json too.
        public var publicKey: String
        /// Whether the whole chain verified from its first record to its last checkpoint.
        public var verified: Bool
        /// The offline verifier's one-line result (`souverain audit verify`).
        public var verifierResult: String
        public var records: Int
        public var checkpoints: Int
        public var segments: Int
        public var firstSequence: UInt64?
        public var lastSequence: UInt64?
        public var lastCheckpoint: UInt64?
        /// Records after the last checkpoint: chained but not signed yet.
        public var unsignedTail: Int
        /// Breaks in the chain, named (the verifier stops at the first); empty when none.
        public var gaps: [String]
        /// Requests refused for lack of a right or a lawful place (HTTP 401/403) in the period.
        public var deniedByBucket: [String: Int]
        public var deniedBySource: [String: Int]
        /// Internal movements of bytes in the period, per operation (`replicate`, `migrate`, ...).
        public var movements: [String: Movement]
        /// The last complete export or import whose record carries its duration: the throughput
        /// exit plans estimate their time from. Nil when the trail has none.
        public var lastMeasuredTransfer: MeasuredTransfer?
        public init(
            publicKey: String, verified: Bool, verifierResult: String, records: Int, checkpoints: Int, segments: Int,
            firstSequence: UInt64?, lastSequence: UInt64?, lastCheckpoint: UInt64?, unsignedTail: Int, gaps: [String],
            deniedByBucket: [String: Int], deniedBySource: [String: Int], movements: [String: Movement]
        ) {
            self.publicKey = publicKey
            self.verified = verified
            self.verifierResult = verifierResult
            self.records = records
            self.checkpoints = checkpoints
            self.segments = segments
            self.firstSequence = firstSequence
            self.lastSequence = lastSequence
            self.lastCheckpoint = lastCheckpoint
            self.unsignedTail = unsignedTail
            self.gaps = gaps
            self.deniedByBucket = deniedByBucket
            self.deniedBySource = deniedBySource
            self.movements = movements
        }
    }

    /// A bucket's whole export or import, as its trail record states it: bytes and seconds.
    public struct MeasuredTransfer: Codable, Sendable, Hashable {
        /// `export` or `import`.
        public var operation: String
        public var bucket: String
        public var bytes: UInt64
        public var seconds: Double
        /// When it was recorded (UTC timestamp).
        public var time: String
        public init(operation: String, bucket: String, bytes: UInt64, seconds: Double, time: String) {
            self.operation = operation
            self.bucket = bucket
            self.bytes = bytes
            self.seconds = seconds
            self.time = time
        }

        /// Bytes per second, or nil when the transfer was too small or too quick to say.
        public var bytesPerSecond: Double? {
            guard bytes > 0, seconds > 0 else { return nil }
            return Double(bytes) / seconds
        }
    }

    public struct Movement: Codable, Sendable, Hashable {
        public var count: Int
        public var bytes: UInt64
        public init(count: Int, bytes: UInt64) {
            self.count = count
            self.bytes = bytes
        }
    }

    public struct Keys: Codable, Sendable, Hashable {
        /// `keyring` or `pkcs11`.
        public var storeKind: String
        /// The keyring file, or the PKCS#11 module; never a secret.
        public var storeLocation: String
        /// PKCS#11 only: the token's label and the slot it was found in.
        public var tokenLabel: String?
        public var slot: String?
        /// Whether the keyring's key material is sealed by a passphrase.
        public var sealed: Bool?
        /// Why the master key versions could not be listed (the store could not be opened), or nil.
        public var storeUnavailable: String?
        public var masterKeys: [MasterKey]
        public var bucketKeys: [BucketKey]
        /// Master and bucket key rotations, and shreddings, recorded in the period.
        public var rotations: [KeyEvent]
        public var shreddings: [KeyEvent]
        public init(
            storeKind: String, storeLocation: String, tokenLabel: String?, slot: String?, sealed: Bool?, storeUnavailable: String?,
            masterKeys: [MasterKey], bucketKeys: [BucketKey], rotations: [KeyEvent], shreddings: [KeyEvent]
        ) {
            self.storeKind = storeKind
            self.storeLocation = storeLocation
            self.tokenLabel = tokenLabel
            self.slot = slot
            self.sealed = sealed
            self.storeUnavailable = storeUnavailable
            self.masterKeys = masterKeys
            self.bucketKeys = bucketKeys
            self.rotations = rotations
            self.shreddings = shreddings
        }
    }

    public struct MasterKey: Codable, Sendable, Hashable {
        /// `keyring:<id>#v2`.
        public var reference: String
        public var version: Int
        public var created: String
        public var ageDays: Int
        /// `active` or `retired`.
        public var state: String
        public var current: Bool
        public init(reference: String, version: Int, created: String, ageDays: Int, state: String, current: Bool) {
            self.reference = reference
            self.version = version
            self.created = created
            self.ageDays = ageDays
            self.state = state
            self.current = current
        }
    }

    public struct BucketKey: Codable, Sendable, Hashable {
        public var bucket: String
        public var version: Int
        public var created: String
        public var ageDays: Int
        /// The master key version that wraps it (`keyring:<id>#v1`).
        public var wrappedBy: String
        public init(bucket: String, version: Int, created: String, ageDays: Int, wrappedBy: String) {
            self.bucket = bucket
            self.version = version
            self.created = created
            self.ageDays = ageDays
            self.wrappedBy = wrappedBy
        }
    }

    /// One key event of the trail: its time, operation, bucket (if any) and sequence.
    public struct KeyEvent: Codable, Sendable, Hashable {
        public var time: String
        public var operation: String
        public var bucket: String?
        public var sequence: UInt64
        public init(time: String, operation: String, bucket: String?, sequence: UInt64) {
            self.time = time
            self.operation = operation
            self.bucket = bucket
            self.sequence = sequence
        }
    }

    public struct EncryptionCoverage: Codable, Sendable, Hashable {
        /// Objects and versions whose every blob is encrypted, of all objects and versions.
        public var encryptedObjects: Int
        public var totalObjects: Int
        public init(encryptedObjects: Int, totalObjects: Int) {
            self.encryptedObjects = encryptedObjects
            self.totalObjects = totalObjects
        }
        public var complete: Bool { encryptedObjects == totalObjects }
    }

    /// A problem the report flags.
    public struct Finding: Codable, Sendable, Hashable {
        /// `critical` (the evidence is broken or the law is not met), `warning` (to act on), `info`.
        public var severity: String
        /// Stable code (`trail-broken`, `misplaced-bytes`, ...), listed in docs/report-format.md.
        public var code: String
        public var subject: String
        public var message: String
        public init(severity: String, code: String, subject: String, message: String) {
            self.severity = severity
            self.code = code
            self.subject = subject
            self.message = message
        }
    }

    public struct Control: Codable, Sendable, Hashable {
        /// The identifier in shared/reference/requirements.md (`SNC-19.2.b`, `HDS-EXI28`).
        public var id: String
        /// `SNC`, `HDS`, `GDPR`, `DORA`, ...
        public var framework: String
        public var role: String
        public var requirement: String
        /// `enforced`, `evidenced`, `operator-declaration` or `not-covered`.
        public var status: String
        public var mechanism: String?
        /// The tests that prove an enforced control (`tests/integration/test_x.py::test_y`).
        public var tests: [String]
        /// The sections of this report that carry the proof.
        public var evidence: [String]
        /// Whether those sections support the control in this report (nil when none is cited).
        public var evidenceHolds: Bool?
        public var note: String?
        /// Left empty for the operator to fill in (operator's declarations only).
        public var operatorDeclaration: String?
        public init(
            id: String, framework: String, role: String, requirement: String, status: String, mechanism: String?, tests: [String],
            evidence: [String], evidenceHolds: Bool?, note: String?, operatorDeclaration: String?
        ) {
            self.id = id
            self.framework = framework
            self.role = role
            self.requirement = requirement
            self.status = status
            self.mechanism = mechanism
            self.tests = tests
            self.evidence = evidence
            self.evidenceHolds = evidenceHolds
            self.note = note
            self.operatorDeclaration = operatorDeclaration
        }
    }

    public struct ClassificationPlacement: Codable, Sendable, Hashable {
        public var name: String
        /// Eligible locations under the rules in force, in the placement engine's order.
        public var eligible: [String]
        /// The refusal when no location is eligible.
        public var refusal: String?
        public init(name: String, eligible: [String], refusal: String?) {
            self.name = name
            self.eligible = eligible
            self.refusal = refusal
        }
    }

    public struct ExitPlan: Codable, Sendable, Hashable {
        public var providerID: String
        public var providerName: String
        public var ultimateParent: String?
        /// The provider's locations in this installation.
        public var locations: [String]
        public var objects: Int
        public var bytes: Int64
        public var buckets: [ExitBucket]
        /// True when some bucket that depends on the provider has nowhere else to go under the
        /// rules in force.
        public var concentrationRisk: Bool
        /// The time the move would take at the last measured throughput, or why it cannot be said.
        public var estimatedTime: String
        public init(
            providerID: String, providerName: String, ultimateParent: String?, locations: [String], objects: Int, bytes: Int64,
            buckets: [ExitBucket], concentrationRisk: Bool, estimatedTime: String
        ) {
            self.providerID = providerID
            self.providerName = providerName
            self.ultimateParent = ultimateParent
            self.locations = locations
            self.objects = objects
            self.bytes = bytes
            self.buckets = buckets
            self.concentrationRisk = concentrationRisk
            self.estimatedTime = estimatedTime
        }
    }

    public struct ExitBucket: Codable, Sendable, Hashable {
        public var bucket: String
        public var classification: String
        public var location: String
        public var objects: Int
        public var bytes: Int64
        /// Locations of other providers the rules allow for the bucket's classification, best first;
        /// empty: "none: the rules must change".
        public var alternatives: [String]
        /// The commands that move or take out the bucket's bytes, as they exist today.
        public var commands: [String]
        public init(bucket: String, classification: String, location: String, objects: Int, bytes: Int64, alternatives: [String], commands: [String]) {
            self.bucket = bucket
            self.classification = classification
            self.location = location
            self.objects = objects
            self.bytes = bytes
            self.alternatives = alternatives
            self.commands = commands
        }
    }
}
