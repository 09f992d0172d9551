#include "CMallocTuning.h"

#if defined(__GLIBC__)
#include <malloc.h>

int souverain_tune_malloc(void) {
    /* Blocks up to 32 MiB come from the heap, not from a fresh mmap each time; the heap is trimmed
       only once 128 MiB are free at its top. Peak RSS stays bounded by what is in use plus that. */
    int mmap = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    int trim = mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
    return mmap == 1 && trim == 1;
}
#else
int souverain_tune_malloc(void) { return 0; }
#endif
