import Foundation
import Testing
@testable import SouverainAudit

@Suite struct AuditRecordTests {
    static let trailID = AuditTrailID(bytes: Array(0..<16))!

    /// The test vector of docs/audit-format.md.
    static let vector = AuditRecord(
        sequence: 1,
        time: AuditTime(millisecondsSince1970: 1_767_225_600_000),
        previousHash: AuditHash.genesis(trail: trailID),
        content: .event(
            AuditEvent(
                requestID: "r1", user: "AK", sourceAddress: nil, operation: "PutObject", bucket: "b", key: "k", version: nil,
                bytesIn: 5, bytesOut: 0,
                locations: [AuditLocationAccess(locationID: "local", providerID: "self", country: "FR", direction: .write)],
                status: 200, errorCode: nil, detail: nil
            )
        )
    )

    /// Computed independently from the layout in docs/audit-format.md (Python, hashlib and struct).
    @Test func theGenesisValueAndTheTestVectorAreStable() {
        let genesis = "d96b8e16f217418531d3a59f69c9704817a42582868e12dbb66ae0dc1b384555"
        #expect(AuditHash.genesis(trail: Self.trailID).hex == genesis)
        let expected = [
            "01", "01", "0000000000000001", "0000019b76daa800", genesis,  // version, kind, sequence, time, previous hash
            "01" + "00000002" + "7231",  // request id "r1"
            "01" + "00000002" + "414b",  // user "AK"
            "00",  // no source address
            "00000009" + "5075744f626a656374",  // operation "PutObject"
            "01" + "00000001" + "62",  // bucket "b"
            "01" + "00000001" + "6b",  // key "k"
            "00",  // no version
            "0000000000000005", "0000000000000000",  // bytes in, bytes out
            "0001", "00000005" + "6c6f63616c", "00000004" + "73656c66", "00000002" + "4652", "02",  // one location, write
            "00c8",  // status 200
            "00", "00",  // no error code, no detail
        ].joined()
        #expect(Hex.encode(Self.vector.canonicalBytes) == expected)
        #expect(Self.vector.hash.hex == "bfb67c282789fd1446babc13dc54e244bae0db909ba1418cdf2490b3f567222e")
    }

    @Test func canonicalBytesDecodeToTheSameRecord() throws {
        let records: [AuditRecord] = [
            Self.vector,
            AuditRecord(
                sequence: .max, time: AuditTime(millisecondsSince1970: -5), previousHash: AuditHash.of([1, 2, 3]),
                content: .event(AuditEvent(operation: .shred, bucket: "é\u{0}\"", detail: "clé détruite"))
            ),
            AuditRecord(
                sequence: 7, time: AuditTime(millisecondsSince1970: 9), previousHash: AuditHash.of([4]),
                content: .checkpoint(AuditCheckpoint(from: 1, to: 6, head: AuditHash.of([4]), keyFingerprint: AuditHash.of([5]), signature: Array(repeating: 9, count: 64)))
            ),
        ]
        for record in records {
            #expect(try AuditRecord(canonicalBytes: record.canonicalBytes) == record)
        }
    }

    @Test func decodingIsStrict() {
        let bytes = Self.vector.canonicalBytes
        let variants: [(String, [UInt8], AuditError.Code)] = [
            ("a byte after the end", bytes + [0], .corrupt),
            ("a byte short", Array(bytes.dropLast()), .corrupt),
            ("version 2", [2] + bytes.dropFirst(), .unsupportedFormat),
            ("kind 3", [1, 3] + bytes.dropFirst(2), .corrupt),
            ("presence byte 2", Array(bytes[0..<50]) + [2] + bytes[51...], .corrupt),
        ]
        for (label, variant, code) in variants {
            let error = #expect(throws: AuditError.self, "\(label)") { _ = try AuditRecord(canonicalBytes: variant) }
            #expect(error?.code == code, "\(label)")
        }
        var invalidUTF8 = bytes
        invalidUTF8[55] = 0xFF  // inside the request id "r1"
        #expect(throws: AuditError.self) { _ = try AuditRecord(canonicalBytes: invalidUTF8) }
    }

    @Test func theJSONLineFollowsTheDocumentedSchema() {
        #expect(
            Self.vector.jsonLine
                == #"{"sequence":1,"time":"2026-01-01T00:00:00.000Z","timeMs":1767225600000,"kind":"event","#
                + #""previousHash":"d96b8e16f217418531d3a59f69c9704817a42582868e12dbb66ae0dc1b384555","hash":"bfb67c282789fd1446babc13dc54e244bae0db909ba1418cdf2490b3f567222e","#
                + #""requestId":"r1","user":"AK","sourceAddress":null,"operation":"PutObject","bucket":"b","key":"k","version":null,"#
                + #""bytesIn":5,"bytesOut":0,"locations":[{"location":"local","provider":"self","country":"FR","direction":"write"}],"#
                + #""status":200,"errorCode":null,"detail":null}"#
        )
        #expect(JSON.string("a\"b\\c\n\u{1}é/") == #""a\"b\\c\n\u0001é/""#)
    }

    @Test(arguments: [
        (0 as Int64, "1970-01-01T00:00:00.000Z"),
        (1_767_225_600_250, "2026-01-01T00:00:00.250Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
    ])
    func timesFormatAsRFC3339(_ milliseconds: Int64, _ text: String) {
        #expect(AuditTime(millisecondsSince1970: milliseconds).iso8601 == text)
    }

    @Test func segmentNamesAreZeroPaddedAndParsedBack() {
        #expect(AuditSegment.fileName(firstSequence: 42) == "audit-00000000000000000042.log")
        #expect(AuditSegment.firstSequence(fileName: "audit-00000000000000000042.log") == 42)
        #expect(AuditSegment.firstSequence(fileName: "audit-00000000000000000042.log.tmp") == nil)
        #expect(AuditSegment.firstSequence(fileName: "audit-00000000000000000042.log.torn-148") == nil)
        #expect(AuditSegment.fileName(firstSequence: .max) == "audit-18446744073709551615.log")
    }
}
