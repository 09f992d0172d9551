import SouverainKeys

extension KeyStore {
    /// A key's wrapped form (`WrappedKey.encodedString()`) re-wrapped under `master`, or nil when
    /// `master` wraps it already: what rotating the master key does to every bucket and named key.
    func rewrapped(_ encoded: String, under master: MasterKeyReference) async throws -> String? {
        let wrapped = try WrappedKey(encodedString: encoded)
        guard wrapped.master != master else { return nil }
        return try await wrap(try await unwrap(wrapped)).encodedString()
    }
}

extension WrappedKey {
    /// How many of these wrapped keys (`encodedString()` forms) each master key version wraps.
    static func countByMaster(_ encoded: [String]) throws -> [UInt32: Int] {
        var counts: [UInt32: Int] = [:]
        for key in encoded { counts[try WrappedKey(encodedString: key).master.version, default: 0] += 1 }
        return counts
    }
}
