internal import GRDB
public import SouverainCatalogue

/// The repair's walk over noncurrent versions (migration "noncurrent-repair" indexes them): a
/// version that stopped being current keeps its copies, and a copy of it found missing or damaged
/// by the scrub is marked in `object_versions` as it would be in `objects`.
extension SQLiteCatalogue {
    public func noncurrentVersionsNeedingRepair(after: NoncurrentPosition?, limit: Int) async throws
        -> [(record: ObjectRecord, position: NoncurrentPosition)]
    {
        try await noncurrentVersions(where: "needs_repair = 1 AND delete_marker = 0", after: after, limit: limit)
    }
}
