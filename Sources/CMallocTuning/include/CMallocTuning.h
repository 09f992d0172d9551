#ifndef SOUVERAIN_CMALLOCTUNING_H
#define SOUVERAIN_CMALLOCTUNING_H

/// Keeps glibc's malloc from returning memory to the kernel after every large free: without it,
/// each 64 KiB encryption chunk (and NIO's 256 KiB read buffers) crosses the default trim and
/// mmap thresholds, and every seal or open page-faults its buffers anew (TOOLING.md, "Crypto and
/// hashing"); each small PUT's 1 MiB write batch was a fresh `mmap` and `munmap` (docs/benchmarks.md,
/// "Issue 18's seventeenth round"). Returns 1 when both settings were applied, 0 otherwise (not
/// glibc: nothing to do).
int souverain_tune_malloc(void);

/// How many blocks malloc holds in mappings of their own (glibc's `mallinfo2().hblks`), or -1
/// where that is not known: what shows whether a size goes to the heap or to `mmap`.
long souverain_malloc_mapped_blocks(void);

#endif
