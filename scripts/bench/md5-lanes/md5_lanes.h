#ifndef MD5_LANES_H
#define MD5_LANES_H

#include <stddef.h>
#include <stdint.h>

/* A measurement, not part of the server: MD5 over four independent messages at once, one per
 * 32-bit lane of a 128-bit vector (SSE2 on x86-64, NEON on arm64, through the compiler's vector
 * extensions), to bound what hashing several uploads' ETags together could give (issue 18;
 * docs/benchmarks.md, "Large PUT and several uploads hashed at once"). run.sh builds and runs it.
 *
 * `state` holds the four lanes' A, B, C, D (lane-major: state[4 * lane + word]). Lane `lane` hashes
 * `blocks[lane]` 64-byte blocks from `data[lane]`; a lane with fewer blocks than the others keeps
 * its state once its blocks are done, and its pointer is not read past them (NULL when it has none). */
void souverain_md5x4_blocks(uint32_t state[16], const uint8_t *const data[4], const size_t blocks[4]);

#endif
