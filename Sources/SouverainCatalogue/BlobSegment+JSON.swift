import Foundation

extension BlobSegment {
    /// An object's segments from the JSON text a catalogue stores them as (`[BlobSegment]`,
    /// encoded by `JSONEncoder`).
    ///
    /// Every object read decodes them, and `JSONDecoder` took about 6% of a small HEAD's CPU
    /// (docs/profiles/small-head.txt). The text is read here directly when it has the form the
    /// catalogue writes: known keys, strings, integers. Anything else (a `\u` escape, a null, an
    /// unknown key, a missing field, a fraction) goes to `JSONDecoder`, which decides.
    public static func list(fromJSON text: String) throws -> [BlobSegment] {
        var text = text
        if let segments = text.withUTF8({ bytes in
            var reader = SegmentListReader(bytes: bytes)
            return reader.read()
        }) {
            return segments
        }
        return try JSONDecoder().decode([BlobSegment].self, from: Data(text.utf8))
    }
}

/// Reads `[BlobSegment]` from UTF-8 JSON of the catalogue's form; nil for anything else.
private struct SegmentListReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func read() -> [BlobSegment]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var segments: [BlobSegment] = []
        if take(UInt8(ascii: "]")) { return atEnd() ? segments : nil }
        repeat {
            guard let segment = segment() else { return nil }
            segments.append(segment)
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")), atEnd() else { return nil }
        return segments
    }

    private mutating func segment() -> BlobSegment? {
        var locator: String?, size: Int64?, encryption: BlobEncryption?, storedSHA256: String?, partChecksum: String?
        let complete = members { reader, key in
            switch key {
            case "locator": locator = reader.string(); return locator.map { _ in 0 }
            case "size": size = reader.integer(); return size.map { _ in 1 }
            case "storedSHA256": storedSHA256 = reader.string(); return storedSHA256.map { _ in 2 }
            case "partChecksum": partChecksum = reader.string(); return partChecksum.map { _ in 3 }
            case "encryption": encryption = reader.encryption(); return encryption.map { _ in 4 }
            default: return nil
            }
        }
        guard complete, let locator, let size else { return nil }
        var segment = BlobSegment(locator: locator, size: size, encryption: encryption, storedSHA256: storedSHA256)
        segment.partChecksum = partChecksum
        return segment
    }

    private mutating func encryption() -> BlobEncryption? {
        var version: Int64?, wrapped: String?, identity: String?, chunkSize: Int64?, storedSize: Int64?
        var customerKeyMD5: String?, keyID: String?
        let complete = members { reader, key in
            switch key {
            case "bucketKeyVersion": version = reader.integer(); return version.map { _ in 0 }
            case "wrappedDataKey": wrapped = reader.string(); return wrapped.map { _ in 1 }
            case "identity": identity = reader.string(); return identity.map { _ in 2 }
            case "chunkSize": chunkSize = reader.integer(); return chunkSize.map { _ in 3 }
            case "storedSize": storedSize = reader.integer(); return storedSize.map { _ in 4 }
            case "customerKeyMD5": customerKeyMD5 = reader.string(); return customerKeyMD5.map { _ in 5 }
            case "keyID": keyID = reader.string(); return keyID.map { _ in 6 }
            default: return nil
            }
        }
        guard complete, let version, let wrapped, let identity, let chunkSize, let storedSize,
              let bucketKeyVersion = Int(exactly: version), let chunk = Int(exactly: chunkSize)
        else { return nil }
        return BlobEncryption(
            bucketKeyVersion: bucketKeyVersion, wrappedDataKey: wrapped, identity: identity, chunkSize: chunk,
            storedSize: storedSize, customerKeyMD5: customerKeyMD5, keyID: keyID)
    }

    /// Reads `{"key": value, ...}`: `member` reads the value of each key into its variable and
    /// answers the key's number, or nil for a key it does not know or a value it could not read.
    /// False if the object is malformed, or a key is unknown, repeated or without a value.
    private mutating func members(_ member: (inout SegmentListReader, String) -> Int?) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var seen = 0
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), let number = member(&self, key), seen & (1 << number) == 0 else {
                return false
            }
            seen |= 1 << number
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// A string. `JSONEncoder` escapes the `/` of base64 (wrapped keys, checksums) as `\/`; the
    /// other one-character escapes are read too; a `\u` escape is left to `JSONDecoder`.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var unescaped: [UInt8]?
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                if let unescaped { return String(decoding: unescaped, as: UTF8.self) }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count, let meant = Self.escaped[bytes[index + 1]] else { return nil }
                if unescaped == nil { unescaped = Array(bytes[start..<index]) }
                unescaped!.append(meant)
                index += 2
            case 0..<0x20:
                return nil
            default:
                unescaped?.append(byte)
                index += 1
            }
        }
        return nil
    }

    private static let escaped: [UInt8: UInt8] = [
        UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "\\"): UInt8(ascii: "\\"), UInt8(ascii: "/"): UInt8(ascii: "/"),
        UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    /// A JSON integer that fits an Int64: no fraction, no exponent.
    private mutating func integer() -> Int64? {
        skipSpace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
            index += 1
        }
        guard index > start, index - start == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
        return negative ? -value : value
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    private mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }
}
