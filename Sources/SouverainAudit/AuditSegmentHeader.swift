/// The header at the start of every segment file, format version 1 (148 bytes, frozen):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `SOUVAUDT` |
/// | 8 | 2 | header format version, u16 BE = 1 |
/// | 10 | 2 | header length, u16 BE = 148 |
/// | 12 | 16 | trail id |
/// | 28 | 8 | first sequence, u64 BE |
/// | 36 | 8 | previous segment's first sequence, u64 BE (0 for the trail's first segment) |
/// | 44 | 32 | previous head: hash of the last record of the previous segment (genesis for the first) |
/// | 76 | 8 | created, i64 BE milliseconds since 1970 UTC |
/// | 84 | 32 | SHA-256 of the audit public key |
/// | 116 | 32 | SHA-256 of bytes 0..<116 |
public struct AuditSegmentHeader: Hashable, Sendable {
    public static let magic: [UInt8] = Array("SOUVAUDT".utf8)
    public static let formatVersion: UInt16 = 1
    public static let encodedSize = 148

    public var trailID: AuditTrailID
    public var firstSequence: UInt64
    public var previousSegmentFirstSequence: UInt64
    public var previousHead: AuditHash
    public var created: AuditTime
    public var keyFingerprint: AuditHash

    public init(
        trailID: AuditTrailID, firstSequence: UInt64, previousSegmentFirstSequence: UInt64, previousHead: AuditHash,
        created: AuditTime, keyFingerprint: AuditHash
    ) {
        self.trailID = trailID
        self.firstSequence = firstSequence
        self.previousSegmentFirstSequence = previousSegmentFirstSequence
        self.previousHead = previousHead
        self.created = created
        self.keyFingerprint = keyFingerprint
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.encodedSize)
        writer.bytes(Self.magic)
        writer.u16(Self.formatVersion)
        writer.u16(UInt16(Self.encodedSize))
        writer.bytes(trailID.bytes)
        writer.u64(firstSequence)
        writer.u64(previousSegmentFirstSequence)
        writer.bytes(previousHead.bytes)
        writer.i64(created.millisecondsSince1970)
        writer.bytes(keyFingerprint.bytes)
        writer.bytes(AuditHash.of(writer.buffer).bytes)
        return writer.buffer
    }

    /// Decodes a header from the first bytes of a segment (extra bytes after it are ignored).
    public init(decoding bytes: [UInt8]) throws(AuditError) {
        guard bytes.count >= 12, Array(bytes[0..<8]) == Self.magic else {
            throw AuditError(.corrupt, "not a Souverain audit segment (bad magic)")
        }
        do {
            var reader = ByteReader(bytes, start: 8)
            let version = try reader.u16()
            let length = try reader.u16()
            guard version == Self.formatVersion else {
                throw AuditError(.unsupportedFormat, "segment header format version \(version) is not supported")
            }
            guard Int(length) == Self.encodedSize, bytes.count >= Self.encodedSize else {
                throw AuditError(.corrupt, "segment header is \(min(bytes.count, Int(length))) bytes, not \(Self.encodedSize)")
            }
            trailID = AuditTrailID(unchecked: Array(try reader.take(16)))
            firstSequence = try reader.u64()
            previousSegmentFirstSequence = try reader.u64()
            previousHead = try reader.hash()
            created = AuditTime(millisecondsSince1970: try reader.i64())
            keyFingerprint = try reader.hash()
            let stored = try reader.hash()
            guard AuditHash.of(bytes[0..<116]) == stored else {
                throw AuditError(.corrupt, "segment header checksum does not match its contents")
            }
        } catch let error as ByteReaderError {
            throw AuditError(.corrupt, "segment header is incomplete: \(error.message)")
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.corrupt, "segment header: \(error)")
        }
    }
}
