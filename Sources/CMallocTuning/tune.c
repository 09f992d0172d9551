#include "CMallocTuning.h"

/* Any libc header first: glibc defines __GLIBC__ in <features.h>, which its headers include. Tested
   before one was included, __GLIBC__ was never defined here, and this file compiled to the stub
   below on every system from 2026-11-30 to 2026-12-06. */
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>

int souverain_tune_malloc(void) {
    /* Blocks up to 32 MiB come from the heap, not from a fresh mmap each time; the heap is trimmed
       only once 128 MiB are free at its top. Peak RSS stays bounded by what is in use plus that. */
    int mmap = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    int trim = mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
    return mmap == 1 && trim == 1;
}

long souverain_malloc_mapped_blocks(void) {
    return (long)mallinfo2().hblks;
}
#else
int souverain_tune_malloc(void) { return 0; }
long souverain_malloc_mapped_blocks(void) { return -1; }
#endif
