#ifndef SOUVERAIN_CMALLOCTUNING_H
#define SOUVERAIN_CMALLOCTUNING_H

/// Keeps glibc's malloc from returning memory to the kernel after every large free: without it,
/// each 64 KiB encryption chunk (and NIO's 256 KiB read buffers) crosses the default trim and
/// mmap thresholds, and every seal or open page-faults its buffers anew (TOOLING.md, "Crypto and
/// hashing"). Returns 1 when both settings were applied, 0 otherwise (not glibc: nothing to do).
int souverain_tune_malloc(void);

#endif
