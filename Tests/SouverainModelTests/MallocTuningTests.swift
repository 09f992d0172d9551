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

    /// A 16 MiB block, well above glibc's default mmap threshold (128 KiB, raised by each large
    /// free up to 32 MiB), comes from the heap once tuned: no mapping of its own.
    @Test func largeBlocksComeFromTheHeap() throws {
        #expect(souverain_tune_malloc() == 1)
        let before = souverain_malloc_mapped_blocks()
        #expect(before >= 0)
        let block = try #require(malloc(16 << 20))
        defer { free(block) }
        memset(block, 1, 4096)
        #expect(souverain_malloc_mapped_blocks() == before)
    }
}
#endif
