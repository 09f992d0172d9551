#if canImport(Glibc)
import CMallocTuning
import Glibc
import Testing

/// `souverain serve` tunes glibc's malloc at start-up. From 2026-11-30 to 2026-12-06 the C file
/// tested `__GLIBC__` before including a header that defines it, compiled to its stub, and no
/// setting was ever applied: these tests fail on that build.
struct MallocTuningTests {
    @Test func theSettingsApplyOnGlibc() {
        #expect(souverain_tune_malloc() == 1)
    }

    /// Once tuned, a 2 MiB block (a write batch is 1 MiB) comes from the heap, where glibc's default
    /// threshold (128 KiB at first) would give it a mapping of its own; an 8 MiB one still gets
    /// its own mapping, where the default, raised by each large free, could have reached 32 MiB.
    @Test func blocksUpToFourMebibytesComeFromTheHeap() throws {
        #expect(souverain_tune_malloc() == 1)
        #expect(mapsOwnPages(2 << 20) == false)
        #expect(mapsOwnPages(8 << 20) == true)
    }

    private func mapsOwnPages(_ size: Int) -> Bool? {
        let before = souverain_malloc_mapped_blocks()
        guard before >= 0, let block = malloc(size) else { return nil }
        defer { free(block) }
        memset(block, 1, 4096)
        return souverain_malloc_mapped_blocks() > before
    }
}
#endif
