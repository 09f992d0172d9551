import Foundation
import SouverainAudit
import SouverainReport
import Testing

@Suite struct ReportBundleTests {
    func bundle(_ key: AuditKey, facts: ReportFacts? = nil) throws -> (directory: String, json: [UInt8]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").path
        let json = try ReportBundle.encode(facts ?? ReportFixtures.facts(publicKey: key.publicKey.base64))
        try ReportBundle.write(json: json, signature: try ReportBundle.sign(json, with: key), to: directory)
        return (directory, json)
    }

    @Test func theSameFactsEncodeToTheSameBytesWithSortedKeys() throws {
        let facts = ReportFixtures.facts()
        let first = try ReportBundle.encode(facts)
        #expect(first == (try ReportBundle.encode(facts)))
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        // Sorted keys: "audit" before "buckets" before "schema" at the top level.
        let audit = try #require(text.range(of: "\n  \"audit\""))
        let buckets = try #require(text.range(of: "\n  \"buckets\""))
        let schema = try #require(text.range(of: "\n  \"schema\" : \"souverain-report/1\""))
        #expect(audit.lowerBound < buckets.lowerBound && buckets.lowerBound < schema.lowerBound)
    }

    @Test func aSignedBundleVerifiesWithTheTrailKey() throws {
        let key = AuditKey.generate()
        let (directory, _) = try bundle(key)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let facts = try ReportBundle.verify(directory: directory, trustedKey: key.publicKey)
        #expect(facts.buckets.map(\.name) == ["patients"])
    }

    @Test func oneChangedByteFailsTheSignature() throws {
        let key = AuditKey.generate()
        let (directory, json) = try bundle(key)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var changed = json
        let index = try #require(changed.firstIndex(of: UInt8(ascii: "3")))
        changed[index] = UInt8(ascii: "4")
        try Data(changed).write(to: URL(fileURLWithPath: directory + "/report.json"))
        #expect(throws: ReportError.self) { try ReportBundle.verify(directory: directory) }
        do {
            try ReportBundle.verify(directory: directory)
        } catch let error as ReportError {
            #expect(error.code == .badSignature)
        }
    }

    @Test func aReportSignedByAnotherKeyThanTheTrailsFails() throws {
        let trail = AuditKey.generate()
        let forger = AuditKey.generate()
        // Signed by the forger but naming the trail's key inside: the signer is not the named key.
        let (named, _) = try bundle(forger, facts: ReportFixtures.facts(publicKey: trail.publicKey.base64))
        defer { try? FileManager.default.removeItem(atPath: named) }
        #expect(throws: ReportError.self) { try ReportBundle.verify(directory: named) }
        // Consistent with itself, but not the key the auditor trusts.
        let (consistent, _) = try bundle(forger)
        defer { try? FileManager.default.removeItem(atPath: consistent) }
        try ReportBundle.verify(directory: consistent)
        do {
            try ReportBundle.verify(directory: consistent, trustedKey: trail.publicKey)
            Issue.record("a report signed by another key verified against the trail's key")
        } catch let error as ReportError {
            #expect(error.code == .keyMismatch)
        }
    }

    @Test func theSignatureFileCarriesThePublicKeyAndTheHash() throws {
        let key = AuditKey.generate()
        let (directory, json) = try bundle(key)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let signature = try JSONDecoder().decode(
            ReportBundle.Signature.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/report.sig")))
        #expect(signature.publicKey == key.publicKey.base64)
        #expect(signature.algorithm == "Ed25519" && signature.signed == "report.json")
        #expect(signature.sha256 == AuditHash.of(json).description)
        #expect(key.publicKey.isValidSignature(Array(Data(base64Encoded: signature.signature)!), for: json))
    }
}
