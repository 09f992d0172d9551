#include "CMallocTuning.h"

/* Any libc header first: glibc defines __GLIBC__ in <features.h>, which its headers include. Tested
   before one was included, __GLIBC__ was never defined here, and this file compiled to the stub
   below on every system from 2026-11-30 to 2026-12-06. */
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>

int souverain_tune_malloc(void) {
    /* Blocks up to 4 MiB (a write batch is 1 MiB, a socket read at most 512 KiB, an encryption
       chunk 64 KiB) come from the heap, not from a fresh mmap each time; a heap is trimmed only
       once 16 MiB are free at its top. 32 and 128 MiB kept the peak RSS of the side-by-side
       workloads at 170 MiB, against 132-134 without: retained, not used (docs/benchmarks.md,
       "Issue 18's seventeenth round"). */
    int mmap = mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    int trim = mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
    return mmap == 1 && trim == 1;
}

long souverain_malloc_mapped_blocks(void) {
    return (long)mallinfo2().hblks;
}
#else
int souverain_tune_malloc(void) { return 0; }
long souverain_malloc_mapped_blocks(void) { return -1; }
#endif
