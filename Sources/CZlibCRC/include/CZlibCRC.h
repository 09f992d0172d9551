/* CZlibCRC: CRC32 (the zlib polynomial, S3's x-amz-checksum-crc32) through the system's zlib.

   Current AWS SDKs and the aws-cli send a CRC32 with every upload by default, so the server
   computes it over every byte beside the ETag's MD5. zlib's crc32 (1.2.13 on Debian 12, braided)
   runs at about 6.7 GB/s here, four times the table-driven code it replaced (docs/benchmarks.md,
   "Micro-benchmarks of the hot paths"). Needs zlib1g-dev to build. */
#ifndef SOUVERAIN_CZLIBCRC_H
#define SOUVERAIN_CZLIBCRC_H

#include <stddef.h>
#include <stdint.h>

/* The CRC32 of `length` bytes at `bytes` continued from `crc` (0 to start), as zlib defines it. */
uint32_t souverain_crc32(uint32_t crc, const uint8_t *bytes, size_t length);

#endif
