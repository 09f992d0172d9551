/* CMD5Lanes: the ETag's MD5 for several uploads at once, one upload per 32-bit lane of a vector.

   MD5 is a chain of dependent operations: one message cannot go faster than one core's scalar
   rate (about 850 MiB/s here), but four messages hashed side by side in the lanes of one vector
   go through about 2.2 times as many bytes per second with AVX-512 (1,888 MiB/s; docs/benchmarks.md,
   "Issue 18's seventh round"). MinIO's md5-simd does the same for its ETags.

   A stream's state is BoringSSL's MD5_CTX (the layout of its public header), so a stream moves
   freely between the scalar path (BoringSSL's own assembly, through swift-crypto's copy of the
   library under its prefixed names) and the lanes. Available only where swift-crypto is built on
   BoringSSL (Linux): `souverain_md5_lanes_available` tells, and callers use swift-crypto's own MD5
   elsewhere. */
#ifndef SOUVERAIN_CMD5LANES_H
#define SOUVERAIN_CMD5LANES_H

#include <stddef.h>
#include <stdint.h>

/* BoringSSL's MD5_CTX: the running A, B, C, D, the length in bits (low, high word), and a
   partial block of `num` bytes. */
typedef struct souverain_md5 {
    uint32_t h[4];
    uint32_t Nl, Nh;
    uint8_t data[64];
    unsigned num;
} souverain_md5;

/* 1 where this target is built on BoringSSL, else 0 (and no other function may be called). */
int souverain_md5_lanes_available(void);

void souverain_md5_init(souverain_md5 *md5);
void souverain_md5_update(souverain_md5 *md5, const void *data, size_t length);
void souverain_md5_final(souverain_md5 *md5, uint8_t digest[16]);

/* Hashes `blocks` 64-byte blocks of `data[lane]` into `md5[lane]`, for four lanes at once. Every
   stream given must have no partial block (`num` == 0) and appear once; a NULL stream is an idle
   lane (its data pointer is not read). */
void souverain_md5_x4(souverain_md5 *const md5[4], const uint8_t *const data[4], size_t blocks);

/* As `souverain_md5_x4`, with each lane's bytes in pieces where they lie (the buffers a body
   arrived in) rather than in one run. `bases` and `lengths` list every lane's pieces, lane 0's
   first: lane `lane` has `counts[lane]` of them (none for an idle lane), adding up to exactly
   `blocks` 64-byte blocks. A block that spans two pieces or more is gathered in a block of its
   own; every other is hashed where it lies. */
void souverain_md5_x4_pieces(souverain_md5 *const md5[4], const uint8_t *const *bases, const size_t *lengths,
                             const size_t counts[4], size_t blocks);

/* Which vector code `souverain_md5_x4` runs on this CPU: "avx512", "avx2" or "baseline". */
const char *souverain_md5_x4_variant(void);

#endif
