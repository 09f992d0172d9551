import Foundation
import Testing
@testable import SouverainAudit

@Suite struct AuditKeyTests {
    @Test func aKeySavedWithMode0600LoadsBackTheSame() throws {
        let directory = temporaryDirectory("keys")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/audit.key"
        let key = AuditKey.generate()
        try key.save(to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let loaded = try AuditKey.load(from: path)
        #expect(loaded.publicKey == key.publicKey)
        let message = Array("checkpoint".utf8)
        #expect(key.publicKey.isValidSignature(try loaded.sign(message), for: message))
        // Never replaced.
        #expect(throws: AuditError.self) { try AuditKey.generate().save(to: path) }
        #expect(try AuditKey.load(from: path).publicKey == key.publicKey)
        removeTrail(directory)
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let directory = temporaryDirectory("keys")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/audit.key"
        try AuditKey.generate().save(to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let error = #expect(throws: AuditError.self) { _ = try AuditKey.load(from: path) }
        #expect(error?.code == .invalidKey)
        try writeBytes(Array("not a key\n".utf8), to: directory + "/other.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/other.key")
        #expect(throws: AuditError.self) { _ = try AuditKey.load(from: directory + "/other.key") }
        removeTrail(directory)
    }

    @Test func thePublicKeyRoundTripsThroughBase64() throws {
        let key = AuditKey.generate()
        let exported = key.publicKey.base64
        #expect(exported.count == 44)
        let imported = try AuditPublicKey(base64: exported + "\n")
        #expect(imported == key.publicKey)
        #expect(imported.rawRepresentation.count == 32)
        #expect(imported.fingerprint == AuditHash.of(imported.rawRepresentation))
        #expect(throws: AuditError.self) { _ = try AuditPublicKey(base64: "AAAA") }
        #expect(throws: AuditError.self) { _ = try AuditPublicKey(base64: "not base64!") }
    }

    @Test func aWrongPublicKeyDoesNotVerifyACheckpoint() async throws {
        let (directory, key) = try await makeTrail(count: 12, checkpointEvery: 5)
        #expect(AuditVerifier.verify(directory: directory, publicKey: key.publicKey).isValid)
        let wrong = AuditKey.generate().publicKey
        #expect(!AuditVerifier.verify(directory: directory, publicKey: wrong).isValid)
        let checkpoint = try #require(try frames(in: directory).first { $0.record.kind == .checkpoint }?.record.checkpoint)
        let header = try AuditSegment.readHeader(path: try AuditSegment.list(directory: directory)[0].path)
        let signed = AuditCheckpoint.signedBytes(trail: header.trailID, from: checkpoint.from, to: checkpoint.to, head: checkpoint.head)
        #expect(signed.count == 93)
        #expect(key.publicKey.isValidSignature(checkpoint.signature, for: signed))
        #expect(!wrong.isValidSignature(checkpoint.signature, for: signed))
        removeTrail(directory)
    }
}
