/// The canonical encoding, format version 1. These bytes are what is stored, hashed and chained;
/// docs/audit-format.md gives the layout. Version 1 is frozen: a change is a new version, decoded
/// beside this one, never an edit of it.
extension AuditRecord {
    /// The record format version this build writes.
    public static let formatVersion: UInt8 = 1
    /// The largest canonical record accepted, in bytes.
    public static let maximumCanonicalSize = 1 << 20

    /// The canonical bytes of this record (format version 1).
    public var canonicalBytes: [UInt8] {
        var writer = ByteWriter()
        writer.u8(Self.formatVersion)
        writer.u8(kind.rawValue)
        writer.u64(sequence)
        writer.i64(time.millisecondsSince1970)
        writer.bytes(previousHash.bytes)
        switch content {
        case .event(let event):
            writer.optionalString(event.requestID)
            writer.optionalString(event.user)
            writer.optionalString(event.sourceAddress)
            writer.string(event.operation.rawValue)
            writer.optionalString(event.bucket)
            writer.optionalString(event.key)
            writer.optionalString(event.version)
            writer.u64(event.bytesIn)
            writer.u64(event.bytesOut)
            writer.u16(UInt16(clamping: event.locations.count))
            for location in event.locations.prefix(Int(UInt16.max)) {
                writer.string(location.locationID)
                writer.string(location.providerID)
                writer.string(location.country)
                writer.u8(location.direction.rawValue)
            }
            writer.u16(event.status ?? 0)
            writer.optionalString(event.errorCode)
            writer.optionalString(event.detail)
        case .checkpoint(let checkpoint):
            writer.u64(checkpoint.from)
            writer.u64(checkpoint.to)
            writer.bytes(checkpoint.head.bytes)
            writer.bytes(checkpoint.keyFingerprint.bytes)
            writer.bytes(checkpoint.signature)
        }
        return writer.buffer
    }

    /// SHA-256 of `canonicalBytes`: the value the next record holds in `previousHash`.
    public var hash: AuditHash { AuditHash.of(canonicalBytes) }

    /// Decodes canonical bytes strictly: every byte must be consumed, every presence byte is 0 or 1,
    /// strings are valid UTF-8, and an encoding of the result gives back exactly these bytes.
    public init(canonicalBytes: [UInt8]) throws(AuditError) {
        do throws(ByteReaderError) {
            var reader = ByteReader(canonicalBytes)
            self = try Self.decode(&reader)
            guard reader.remaining == 0 else {
                throw ByteReaderError(message: "\(reader.remaining) bytes after the end of the record")
            }
        } catch {
            throw AuditError(error.unsupportedVersion ? .unsupportedFormat : .corrupt, "undecodable record: \(error.message)")
        }
    }

    /// Decodes one record from the reader's position and leaves the reader after it.
    static func decode(_ reader: inout ByteReader) throws(ByteReaderError) -> AuditRecord {
        let version = try reader.u8()
        guard version == formatVersion else {
            throw ByteReaderError(message: "record format version \(version) is not supported", unsupportedVersion: true)
        }
        let kindByte = try reader.u8()
        guard let kind = Kind(rawValue: kindByte) else { throw ByteReaderError(message: "unknown record kind \(kindByte)") }
        let sequence = try reader.u64()
        let time = AuditTime(millisecondsSince1970: try reader.i64())
        let previousHash = try reader.hash()
        switch kind {
        case .event:
            let requestID = try reader.optionalString()
            let user = try reader.optionalString()
            let sourceAddress = try reader.optionalString()
            let operation = AuditOperation(try reader.string())
            let bucket = try reader.optionalString()
            let key = try reader.optionalString()
            let version = try reader.optionalString()
            let bytesIn = try reader.u64()
            let bytesOut = try reader.u64()
            let count = Int(try reader.u16())
            var locations: [AuditLocationAccess] = []
            for _ in 0..<count {
                let locationID = try reader.string()
                let providerID = try reader.string()
                let country = try reader.string()
                let directionByte = try reader.u8()
                guard let direction = AuditLocationAccess.Direction(rawValue: directionByte) else {
                    throw ByteReaderError(message: "unknown location direction \(directionByte)")
                }
                locations.append(AuditLocationAccess(locationID: locationID, providerID: providerID, country: country, direction: direction))
            }
            let status = try reader.u16()
            let errorCode = try reader.optionalString()
            let detail = try reader.optionalString()
            let event = AuditEvent(
                requestID: requestID, user: user, sourceAddress: sourceAddress, operation: operation, bucket: bucket,
                key: key, version: version, bytesIn: bytesIn, bytesOut: bytesOut, locations: locations,
                status: status == 0 ? nil : status, errorCode: errorCode, detail: detail
            )
            return AuditRecord(sequence: sequence, time: time, previousHash: previousHash, content: .event(event))
        case .checkpoint:
            let from = try reader.u64()
            let to = try reader.u64()
            let head = try reader.hash()
            let fingerprint = try reader.hash()
            let signature = Array(try reader.take(64))
            let checkpoint = AuditCheckpoint(from: from, to: to, head: head, keyFingerprint: fingerprint, signature: signature)
            return AuditRecord(sequence: sequence, time: time, previousHash: previousHash, content: .checkpoint(checkpoint))
        }
    }

    /// Checks what the canonical form cannot express: at most 65,535 locations, a non-zero status,
    /// a 64-byte signature, and the size limit.
    func validatedCanonicalBytes() throws(AuditError) -> [UInt8] {
        if case .event(let event) = content {
            guard event.locations.count <= Int(UInt16.max) else {
                throw AuditError(.invalidArgument, "an event may name at most 65,535 locations")
            }
            guard event.status != 0 else { throw AuditError(.invalidArgument, "status 0 cannot be recorded; use nil") }
        }
        if case .checkpoint(let checkpoint) = content, checkpoint.signature.count != 64 {
            throw AuditError(.invalidArgument, "an Ed25519 signature is 64 bytes")
        }
        let bytes = canonicalBytes
        guard bytes.count <= Self.maximumCanonicalSize else {
            throw AuditError(.recordTooLarge, "the record is \(bytes.count) bytes; at most \(Self.maximumCanonicalSize) are allowed")
        }
        return bytes
    }
}

/// How a record sits in a segment: u32 BE length n, the n canonical bytes, then their SHA-256.
enum AuditFrame {
    static let overhead = 4 + 32

    static func encode(canonical: [UInt8], hash: AuditHash) -> [UInt8] {
        var writer = ByteWriter(capacity: canonical.count + overhead)
        writer.u32(UInt32(canonical.count))
        writer.bytes(canonical)
        writer.bytes(hash.bytes)
        return writer.buffer
    }
}
