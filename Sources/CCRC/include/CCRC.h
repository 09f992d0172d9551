/* CCRC: the CRCs of S3's additional checksums, over every byte of an upload that names one.

   - CRC32 (zlib's polynomial, x-amz-checksum-crc32), through the system's zlib: current AWS SDKs
     and the aws-cli send it with every upload by default. zlib's crc32 (1.2.13 on Debian 12,
     braided) runs at about 6.7 GB/s here, four times the table-driven code it replaced. Needs
     zlib1g-dev to build.
   - CRC32C (Castagnoli, x-amz-checksum-crc32c), with SSE4.2's crc32 instruction where the CPU has
     it (chosen at run time), else sliced by eight.
   - CRC64NVME (x-amz-checksum-crc64nvme, S3's full-object checksum), sliced by eight.

   Each takes the CRC so far as S3 sends it (0 to start) and returns it continued over `length`
   bytes (docs/benchmarks.md, "CRCs in C"). */
#ifndef SOUVERAIN_CCRC_H
#define SOUVERAIN_CCRC_H

#include <stddef.h>
#include <stdint.h>

uint32_t souverain_crc32(uint32_t crc, const uint8_t *bytes, size_t length);
uint32_t souverain_crc32c(uint32_t crc, const uint8_t *bytes, size_t length);
uint64_t souverain_crc64nvme(uint64_t crc, const uint8_t *bytes, size_t length);

/* CRC32C by the tables whatever the CPU: what a CPU without SSE4.2 runs (tests check it here). */
uint32_t souverain_crc32c_sliced(uint32_t crc, const uint8_t *bytes, size_t length);

#endif
