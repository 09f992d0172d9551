import Crypto

/// Gives every key of an export its own file under `objects/`, on any file system.
///
/// `ObjectPath` alone is injective byte for byte, which suffices on Linux. Two things it cannot see,
/// because they depend on the other keys: a key that is also a directory of others (`a` and `a/b`,
/// or `dir` and `dir/`), and names that differ only by case or Unicode normalisation (`Report` and
/// `report`, `é` composed and decomposed), which collide once the tree is copied to macOS or
/// Windows. Directories always win: a file whose path (case- and normalisation-folded) is another
/// key's directory, or another file's, gets `~` and 16 hex digits of its key's SHA-256 after its
/// name. The result depends only on the set of keys, not on their order.
public struct ObjectPathAllocator: Sendable {
    private var paths: [ExactKey: String] = [:]

    /// The path of `key`, relative to `objects/`; nil for a key not given at `init`.
    public func path(for key: String) -> String? { paths[ExactKey(key)] }

    /// Allocates a path for every key of `keys` (which must be distinct).
    public init(keys: [String]) {
        let encoded = keys.map { (key: $0, path: ObjectPath.encode($0)) }
        var directories = Set<String>()
        for (_, path) in encoded {
            // Byte-wise: a `/` followed by a combining mark is not a `Character` of its own.
            var prefix = path.utf8[...]
            while let slash = prefix.lastIndex(of: UInt8(ascii: "/")) {
                prefix = prefix[..<slash]
                if !directories.insert(Self.fold(String(decoding: prefix, as: UTF8.self))).inserted { break }
            }
        }
        // Plain paths first, in byte order of the key, then the ones that had to yield: the same
        // key set always gives the same paths.
        let ordered = encoded.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        var taken = Set<String>()
        var yielded: [(key: String, path: String)] = []
        for entry in ordered {
            let folded = Self.fold(entry.path)
            if directories.contains(folded) || !taken.insert(folded).inserted {
                yielded.append(entry)
            } else {
                paths[ExactKey(entry.key)] = entry.path
            }
        }
        for entry in yielded {
            let digest = Hex.encode(SHA256.hash(data: Array(entry.key.utf8)))
            var path = entry.path + "~" + digest.prefix(16)
            if directories.contains(Self.fold(path)) || !taken.insert(Self.fold(path)).inserted {
                // 64 bits of SHA-256 collided with another key's: take all 256.
                path = entry.path + "~" + digest
                taken.insert(Self.fold(path))
            }
            paths[ExactKey(entry.key)] = path
        }
    }

    /// A path as a case-insensitive, normalisation-insensitive file system compares names:
    /// lower-cased, then compared by Swift's canonical equivalence (`String` equality).
    static func fold(_ path: String) -> String { path.lowercased() }
}
