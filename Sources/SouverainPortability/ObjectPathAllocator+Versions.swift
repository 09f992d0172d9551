import Crypto

/// The files of a versioned bucket's export (docs/export-format.md, "Versions"): each key's latest
/// version (when it is not a delete marker) has the key's plain path, as in an unversioned export,
/// so that `objects/` reads as the bucket does now; every other version has that path followed by
/// `~v` and its version id, or by `~h` and 32 hex digits of the SHA-256 of its id when the id is
/// not made of letters, digits, `-`, `_` and `.` (not last), is longer than 32 bytes, or differs
/// from another of the key's ids only by case. A plain path never holds `~` followed by `v` or
/// `h` (ObjectPath writes `~` only before hex digits), so no version's file is another key's.
extension ObjectPathAllocator {
    /// The longest version id written as it is.
    static let maximumLiteralVersionID = 32

    /// The paths, relative to `objects/`, of a key's versions other than its latest, in the order
    /// of `versionIDs` (which must be distinct), given the key's plain path.
    public static func versionPaths(plain: String, versionIDs: [String]) -> [String] {
        var folded: [String: Int] = [:]
        for id in versionIDs where isLiteral(id) { folded[id.lowercased(), default: 0] += 1 }
        return versionIDs.map { id in
            if isLiteral(id), folded[id.lowercased()] == 1 { return plain + "~v" + id }
            let digest = Hex.encode(SHA256.hash(data: Array(id.utf8)))
            return plain + "~h" + digest.prefix(32)
        }
    }

    /// Whether a version id can be written in a file name as it is, on every file system.
    static func isLiteral(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLiteralVersionID, bytes.last != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }
}
