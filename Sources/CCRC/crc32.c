#include "CCRC.h"

#include <zlib.h>

uint32_t souverain_crc32(uint32_t crc, const uint8_t *bytes, size_t length) {
    /* crc32_z takes a size_t length (zlib 1.2.9 and later). */
    return (uint32_t)crc32_z(crc, bytes, length);
}
