import ArgumentParser
import Foundation
import SouverainAudit
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainEngine
import SouverainKeys
import SouverainPlacement
import SouverainReport
import SouverainServer

/// Reads what the compliance report states from a data directory, offline: the catalogue (buckets,
/// objects, copies, bucket keys), the placement rules, registry and locations in force (the same
/// assembly as `serve` and `placement audit`), the audit trail (the offline verifier, then one
/// pass over the records of the period) and the key store. Only reads; SouverainReport renders.
struct ReportGathering {
    let settings: Settings

    func facts(now: Date, since: Date?) async throws -> ReportFacts {
        let setup = try PlacementSetup(settings)
        let catalogue = try await setup.directory.openCatalogue()
        let opened = try await setup.open()
        do {
            let facts = try await facts(setup: setup, catalogue: catalogue, store: setup.store(catalogue: catalogue, opened: opened), now: now, since: since)
            await opened.close()
            return facts
        } catch {
            await opened.close()
            throw error
        }
    }

    private func facts(setup: PlacementSetup, catalogue: any Catalogue, store: ObjectStore, now: Date, since: Date?) async throws -> ReportFacts {
        let policy = setup.policy

        // Buckets, objects and copies; noncurrent versions are data too.
        var buckets: [ReportFacts.Bucket] = []
        var encrypted = 0
        var total = 0
        for bucket in try await catalogue.buckets().sorted(by: { $0.name < $1.name }) {
            var count = 0
            var bytes: Int64 = 0
            var encryptedHere = 0
            var perLocation: [String: (objects: Int, bytes: Int64)] = [:]
            func add(_ object: ObjectRecord) {
                count += 1
                bytes += object.size
                if object.segments.allSatisfy({ $0.encryption != nil }) { encryptedHere += 1 }
                for location in Set(object.replicaLocations) {
                    perLocation[location, default: (0, 0)].objects += 1
                    perLocation[location, default: (0, 0)].bytes += object.size
                }
            }
            var position: ListPosition?
            while true {
                let page = try await catalogue.listObjects(bucket: bucket.name, prefix: "", after: position, limit: 1000)
                page.forEach(add)
                guard let last = page.last, page.count == 1000 else { break }
                position = .key(last.key)
            }
            try await store.noncurrentVersions(of: bucket.name).forEach(add)
            encrypted += encryptedHere
            total += count
            buckets.append(ReportFacts.Bucket(
                name: bucket.name, classification: policy.classification(of: bucket), createdAt: Self.timestamp(bucket.createdAt),
                shreddedAt: bucket.shreddedAt.map(Self.timestamp), objects: count, bytes: bytes, encryptedObjects: encryptedHere,
                locations: perLocation.sorted { $0.key < $1.key }.map {
                    ReportFacts.BucketLocation(location: $0.key, objects: $0.value.objects, bytes: $0.value.bytes)
                }))
        }

        // The locations, with every registry fact and its date.
        let maxAge = policy.rules.maxFactAgeDays
        let locations = policy.locations.map { descriptor in
            Self.location(descriptor, facts: policy.registry.locationFacts(descriptor, now: now, maxFactAgeDays: maxAge))
        }

        // What `placement audit` finds, summed per bucket and location.
        var misplaced: [String: ReportFacts.Misplacement] = [:]
        for item in try await store.misplacedObjects(now: now) {
            let id = item.object.bucket + "\u{0}" + item.location
            var entry = misplaced[id] ?? ReportFacts.Misplacement(
                bucket: item.object.bucket, location: item.location, classification: item.classification, objects: 0, bytes: 0,
                reasons: item.reasons, allowed: item.allowed)
            entry.objects += 1
            entry.bytes += item.object.size
            misplaced[id] = entry
        }

        let trail = try trailFacts(directory: setup.directory, since: since, now: now)
        let keys = try await keyFacts(catalogue: catalogue, directory: setup.directory, trail: trail, now: now)
        let registryPath = setup.directory.path + "/registry.json"
        var facts = ReportFacts(
            generatedAt: Self.timestamp(now),
            period: ReportFacts.Period(from: Self.timestamp(since ?? trail.firstTime ?? now), to: Self.timestamp(now)),
            installation: ReportFacts.Installation(
                region: settings.region, country: settings.country, defaultClassification: settings.defaultClassification,
                registryAsOf: RegistryCommand.day(policy.registry.asOf),
                registrySource: FileManager.default.fileExists(atPath: registryPath) ? "imported (DATA/registry.json)" : "shipped with Souverain",
                maxFactAgeDays: maxAge),
            buckets: buckets, locations: locations,
            misplaced: misplaced.values.sorted { ($0.bucket, $0.location) < ($1.bucket, $1.location) },
            audit: trail.section, keys: keys,
            encryption: ReportFacts.EncryptionCoverage(encryptedObjects: encrypted, totalObjects: total))
        // Where each classification in use may go now: the placement engine's own decision.
        facts.classifications = Set(buckets.map(\.classification) + [policy.defaultClassification]).sorted().map { name in
            let decision = policy.decide(classification: name, now: now)
            return ReportFacts.ClassificationPlacement(name: name, eligible: decision.eligible.map(\.id), refusal: decision.refusal?.message)
        }
        return facts
    }

    static func location(_ descriptor: LocationDescriptor, facts: LocationFacts?) -> ReportFacts.Location {
        guard let facts else {
            return ReportFacts.Location(
                id: descriptor.id, kind: descriptor.kind.rawValue, providerID: descriptor.profile.providerID,
                providerName: "\(descriptor.profile.providerID) (not in the registry)", onPremise: false,
                country: descriptor.profile.country, region: descriptor.profile.region, legalSeatCountry: nil,
                ultimateParentName: nil, ultimateParentCountry: nil, exposure: [:], exposureOther: [], facts: [],
                qualified: false, nonEULawExposure: true)
        }
        let all = [facts.country, facts.legalSeatCountry, facts.ultimateParent] + (facts.euOwnership.map { [$0] } ?? [])
            + [facts.exposureFact] + facts.qualifications
        let exposed = facts.exposure.values.contains(.exposed) || !facts.exposureOther.isEmpty
        let outside = [facts.legalSeatCountry.value, facts.ultimateParentCountry ?? "unknown"].contains { !CountryZone.isEU($0) }
        return ReportFacts.Location(
            id: descriptor.id, kind: descriptor.kind.rawValue, providerID: facts.providerID, providerName: facts.providerName,
            onPremise: facts.isOnPremise, country: facts.country.value, region: facts.region,
            legalSeatCountry: facts.legalSeatCountry.value == "unknown" ? nil : facts.legalSeatCountry.value,
            ultimateParentName: facts.ultimateParentName, ultimateParentCountry: facts.ultimateParentCountry,
            exposure: Dictionary(uniqueKeysWithValues: facts.exposure.map { ($0.key.rawValue, $0.value.rawValue) }),
            exposureOther: facts.exposureOther,
            facts: all.map {
                ReportFacts.Fact(
                    field: $0.field, value: $0.value, sources: $0.sourceIDs, asOf: RegistryCommand.day($0.asOf),
                    verification: $0.verification.rawValue, stale: $0.isStale)
            },
            qualified: facts.isQualified, nonEULawExposure: exposed || outside)
    }

    // MARK: - The audit trail

    struct TrailFacts {
        var section: ReportFacts.AuditTrail
        var firstTime: Date?
        var rotations: [ReportFacts.KeyEvent] = []
        var shreddings: [ReportFacts.KeyEvent] = []
    }

    static let rotationOperations: Set<String> = ["RotateKeys"]
    static let shreddingOperations: Set<String> = ["ShredBucket", "ShredKey", AuditOperation.shred.rawValue]

    func trailFacts(directory: DataDirectory, since: Date?, now: Date) throws -> TrailFacts {
        guard let text = try? String(contentsOfFile: directory.auditPublicKeyPath, encoding: .utf8) else {
            throw ValidationError(
                "no audit trail key at \(directory.auditPublicKeyPath): the report is signed with the trail's key, which `souverain serve` creates on its first start")
        }
        let publicKey = try AuditPublicKey(base64: text)
        let verification = AuditVerifier.verify(directory: directory.auditDirectory, publicKey: publicKey, from: nil, to: nil, strict: false)
        var gaps: [String] = []
        if let failure = verification.failure { gaps.append(failure.description) }
        var deniedByBucket: [String: Int] = [:]
        var deniedBySource: [String: Int] = [:]
        var movements: [String: ReportFacts.Movement] = [:]
        var lastMeasuredTransfer: ReportFacts.MeasuredTransfer?
        var rotations: [ReportFacts.KeyEvent] = []
        var shreddings: [ReportFacts.KeyEvent] = []
        var firstTime: Date?
        let from = AuditTime(millisecondsSince1970: since.map { Int64($0.timeIntervalSince1970 * 1000) } ?? 0)
        let to = AuditTime(millisecondsSince1970: Int64(now.timeIntervalSince1970 * 1000) + 1)
        do {
            try AuditReader(directory: directory.auditDirectory).forEach(matching: AuditFilter(time: from...to)) { record in
                guard let event = record.event else { return }
                let time = Date(timeIntervalSince1970: Double(record.time.millisecondsSince1970) / 1000)
                if firstTime == nil { firstTime = time }
                if let status = event.status, status == 401 || status == 403 {
                    deniedByBucket[event.bucket ?? "(no bucket)", default: 0] += 1
                    deniedBySource[Self.host(event.sourceAddress), default: 0] += 1
                }
                let succeeded = event.status.map { (200..<300).contains($0) } ?? (event.errorCode == nil)
                if AuditOperation.internalMovements.contains(event.operation), succeeded {
                    var entry = movements[event.operation.rawValue] ?? ReportFacts.Movement(count: 0, bytes: 0)
                    entry.count += 1
                    entry.bytes += max(event.bytesIn, event.bytesOut)
                    movements[event.operation.rawValue] = entry
                }
                if let transfer = Self.measuredTransfer(event, time: time) { lastMeasuredTransfer = transfer }
                let keyEvent = ReportFacts.KeyEvent(
                    time: Self.timestamp(time), operation: event.operation.rawValue, bucket: event.bucket, sequence: record.sequence)
                if Self.rotationOperations.contains(event.operation.rawValue), succeeded { rotations.append(keyEvent) }
                if Self.shreddingOperations.contains(event.operation.rawValue), succeeded { shreddings.append(keyEvent) }
            }
        } catch {
            gaps.append("the records after the last one read could not be read: \(error)")
        }
        var section = ReportFacts.AuditTrail(
            publicKey: publicKey.base64, verified: verification.isValid, verifierResult: verification.description,
            records: verification.records, checkpoints: verification.checkpoints, segments: verification.segments,
            firstSequence: verification.firstSequence, lastSequence: verification.lastSequence,
            lastCheckpoint: verification.lastCheckpoint, unsignedTail: verification.unsignedTail, gaps: gaps,
            deniedByBucket: deniedByBucket, deniedBySource: deniedBySource, movements: movements)
        section.lastMeasuredTransfer = lastMeasuredTransfer
        return TrailFacts(section: section, firstTime: firstTime, rotations: rotations, shreddings: shreddings)
    }

    /// `203.0.113.7:51234` → `203.0.113.7`; `[2001:db8::1]:443` → `2001:db8::1`.
    static func host(_ address: String?) -> String {
        guard let address, !address.isEmpty else { return "(internal)" }
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<end])
        }
        if address.filter({ $0 == ":" }).count == 1, let colon = address.lastIndex(of: ":") { return String(address[..<colon]) }
        return address
    }

    // MARK: - Keys

    func keyFacts(catalogue: any Catalogue, directory: DataDirectory, trail: TrailFacts, now: Date) async throws -> ReportFacts.Keys {
        var masterKeys: [ReportFacts.MasterKey] = []
        var unavailable: String?
        var sealed: Bool?
        var slot: String?
        let isPKCS11 = settings.keyStore == "pkcs11"
        if !isPKCS11 && !FileManager.default.fileExists(atPath: directory.keyringPath) {
            unavailable = "no keyring at \(directory.keyringPath)"
        } else {
            do {
                let store = try await KeyStoreSetup.open(settings, directory: directory)
                if let keyring = store as? KeyringKeyStore { sealed = keyring.isSealed }
                if let token = store as? PKCS11KeyStore { slot = String(token.slotID) }
                masterKeys = try await store.masterKeys().map { info in
                    ReportFacts.MasterKey(
                        reference: info.reference.description, version: Int(info.reference.version), created: Self.timestamp(info.created),
                        ageDays: Self.days(from: info.created, to: now), state: info.state.rawValue, current: info.isCurrent)
                }
            } catch {
                unavailable = "the key store could not be opened: \(error)"
            }
        }
        let bucketKeys = try await catalogue.allBucketKeys().sorted { ($0.bucket, $0.version) < ($1.bucket, $1.version) }.map { record in
            ReportFacts.BucketKey(
                bucket: record.bucket, version: record.version, created: Self.timestamp(record.created),
                ageDays: Self.days(from: record.created, to: now),
                wrappedBy: (try? WrappedKey(encodedString: record.wrappedKey).master.description) ?? "unreadable")
        }
        return ReportFacts.Keys(
            storeKind: isPKCS11 ? "pkcs11" : "keyring",
            storeLocation: isPKCS11 ? settings.pkcs11Module : directory.keyringPath,
            tokenLabel: isPKCS11 ? settings.pkcs11Token : nil, slot: slot, sealed: sealed, storeUnavailable: unavailable,
            masterKeys: masterKeys, bucketKeys: bucketKeys, rotations: trail.rotations, shreddings: trail.shreddings)
    }

    static func days(from: Date, to: Date) -> Int { max(0, Int(to.timeIntervalSince(from) / 86_400)) }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

extension ReportGathering {
    /// report.json's bytes and their signature by the audit key: what `souverain report` writes
    /// and `GET /_souverain/report` serves.
    static func signed(settings: Settings, now: Date = Date(), since: Date? = nil) async throws -> (json: [UInt8], signature: ReportBundle.Signature) {
        let facts = try await ReportGathering(settings: settings).facts(now: now, since: since)
        let key = try AuditKey.load(from: try DataDirectory(settings).auditKeyPath)
        let json = try ReportBundle.encode(facts)
        return (json, try ReportBundle.sign(json, with: key))
    }

    /// The same, as `GET /_souverain/report` answers it.
    static func served(settings: Settings) async throws -> SignedComplianceReport {
        let made = try await signed(settings: settings)
        return SignedComplianceReport(json: made.json, signature: made.signature.signature, publicKey: made.signature.publicKey)
    }

    /// A complete export or import whose record ends with the seconds it took (" in 12.345 s",
    /// S3Server+Portability.swift): what exit plans estimate their time from.
    static func measuredTransfer(_ event: AuditEvent, time: Date) -> ReportFacts.MeasuredTransfer? {
        guard event.operation == .export || event.operation == .import, event.status == 200, event.errorCode == nil,
              let bucket = event.bucket, let detail = event.detail, detail.hasSuffix(" s"),
              let range = detail.range(of: " in ", options: .backwards),
              let seconds = Double(detail[range.upperBound...].dropLast(2)), seconds > 0
        else { return nil }
        return ReportFacts.MeasuredTransfer(
            operation: event.operation.rawValue, bucket: bucket, bytes: max(event.bytesIn, event.bytesOut), seconds: seconds,
            time: timestamp(time))
    }
}
