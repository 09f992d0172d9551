#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON Lines export schema, version 1: one object per line, keys always present and always in
/// this order, absent values as `null`, integers in decimal, hashes in lower-case hex, the
/// signature in base64. See docs/audit-format.md.
extension AuditRecord {
    public var jsonLine: String {
        var out = "{"
        func field(_ name: String, _ value: String, first: Bool = false) {
            if !first { out += "," }
            out += "\"\(name)\":\(value)"
        }
        field("sequence", String(sequence), first: true)
        field("time", JSON.string(time.iso8601))
        field("timeMs", String(time.millisecondsSince1970))
        field("kind", JSON.string(kind.description))
        field("previousHash", JSON.string(previousHash.hex))
        field("hash", JSON.string(hash.hex))
        switch content {
        case .event(let event):
            field("requestId", JSON.optional(event.requestID))
            field("user", JSON.optional(event.user))
            field("sourceAddress", JSON.optional(event.sourceAddress))
            field("operation", JSON.string(event.operation.rawValue))
            field("bucket", JSON.optional(event.bucket))
            field("key", JSON.optional(event.key))
            field("version", JSON.optional(event.version))
            field("bytesIn", String(event.bytesIn))
            field("bytesOut", String(event.bytesOut))
            let locations = event.locations.map { location in
                "{\"location\":\(JSON.string(location.locationID)),\"provider\":\(JSON.string(location.providerID)),"
                    + "\"country\":\(JSON.string(location.country)),\"direction\":\(JSON.string(location.direction.description))}"
            }
            field("locations", "[" + locations.joined(separator: ",") + "]")
            field("status", event.status.map { String($0) } ?? "null")
            field("errorCode", JSON.optional(event.errorCode))
            field("detail", JSON.optional(event.detail))
        case .checkpoint(let checkpoint):
            field("from", String(checkpoint.from))
            field("to", String(checkpoint.to))
            field("head", JSON.string(checkpoint.head.hex))
            field("keyFingerprint", JSON.string(checkpoint.keyFingerprint.hex))
            field("signature", JSON.string(Data(checkpoint.signature).base64EncodedString()))
        }
        return out + "}"
    }
}

enum JSON {
    /// A JSON string: `"` and `\` escaped, U+0000–U+001F as \b \t \n \f \r or \u00XX, everything
    /// else as its UTF-8 bytes.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func optional(_ value: String?) -> String {
        value.map(string) ?? "null"
    }
}
