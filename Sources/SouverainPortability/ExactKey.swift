/// An object key compared byte for byte.
///
/// Swift's `String` equality is canonical equivalence: `é` composed (U+00E9) equals `e` followed
/// by U+0301. S3 keys are byte strings, and those are two different objects; every table of keys
/// here is keyed by `ExactKey` so that neither replaces the other.
struct ExactKey: Hashable, Sendable {
    let key: String

    init(_ key: String) { self.key = key }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { lhs.key.utf8.elementsEqual(rhs.key.utf8) }

    func hash(into hasher: inout Hasher) {
        for byte in key.utf8 { hasher.combine(byte) }
        hasher.combine(key.utf8.count)
    }
}
