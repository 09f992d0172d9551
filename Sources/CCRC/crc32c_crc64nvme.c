#include "CCRC.h"

#include <pthread.h>
#include <string.h>

/* Reflected CRCs with an all-ones start and final XOR, sliced by eight: table k gives the CRC of a
   byte followed by k zero bytes, so eight table look-ups advance the CRC by eight bytes at once. */

static uint32_t crc32c_tables[8][256];
static uint64_t crc64_tables[8][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void make_tables(void) {
    for (unsigned index = 0; index < 256; index++) {
        uint32_t c32 = index;
        uint64_t c64 = index;
        for (int bit = 0; bit < 8; bit++) {
            c32 = (c32 & 1) ? (c32 >> 1) ^ 0x82F63B78u : c32 >> 1;
            c64 = (c64 & 1) ? (c64 >> 1) ^ 0x9A6C9329AC4BC9B5ull : c64 >> 1;
        }
        crc32c_tables[0][index] = c32;
        crc64_tables[0][index] = c64;
    }
    for (unsigned index = 0; index < 256; index++) {
        for (int slice = 1; slice < 8; slice++) {
            uint32_t p32 = crc32c_tables[slice - 1][index];
            uint64_t p64 = crc64_tables[slice - 1][index];
            crc32c_tables[slice][index] = (p32 >> 8) ^ crc32c_tables[0][p32 & 0xFF];
            crc64_tables[slice][index] = (p64 >> 8) ^ crc64_tables[0][p64 & 0xFF];
        }
    }
}

/* Eight bytes as a little-endian word. */
static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t word;
    memcpy(&word, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

uint32_t souverain_crc32c_sliced(uint32_t crc, const uint8_t *p, size_t n) {
    pthread_once(&tables_once, make_tables);
    uint32_t c = ~crc;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word = load_le64(p) ^ c;
        c = crc32c_tables[7][word & 0xFF] ^ crc32c_tables[6][(word >> 8) & 0xFF] ^
            crc32c_tables[5][(word >> 16) & 0xFF] ^ crc32c_tables[4][(word >> 24) & 0xFF] ^
            crc32c_tables[3][(word >> 32) & 0xFF] ^ crc32c_tables[2][(word >> 40) & 0xFF] ^
            crc32c_tables[1][(word >> 48) & 0xFF] ^ crc32c_tables[0][word >> 56];
    }
    for (; n > 0; p++, n--) c = crc32c_tables[0][(c ^ *p) & 0xFF] ^ (c >> 8);
    return ~c;
}

uint64_t souverain_crc64nvme(uint64_t crc, const uint8_t *p, size_t n) {
    pthread_once(&tables_once, make_tables);
    uint64_t c = ~crc;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word = load_le64(p) ^ c;
        c = crc64_tables[7][word & 0xFF] ^ crc64_tables[6][(word >> 8) & 0xFF] ^
            crc64_tables[5][(word >> 16) & 0xFF] ^ crc64_tables[4][(word >> 24) & 0xFF] ^
            crc64_tables[3][(word >> 32) & 0xFF] ^ crc64_tables[2][(word >> 40) & 0xFF] ^
            crc64_tables[1][(word >> 48) & 0xFF] ^ crc64_tables[0][word >> 56];
    }
    for (; n > 0; p++, n--) c = crc64_tables[0][(c ^ *p) & 0xFF] ^ (c >> 8);
    return ~c;
}

#if defined(__x86_64__)
#include <nmmintrin.h>

/* SSE4.2's crc32 instruction computes CRC32C itself, eight bytes per instruction. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = ~crc;
    for (; n >= 8; p += 8, n -= 8) c = _mm_crc32_u64(c, load_le64(p));
    uint32_t c32 = (uint32_t)c;
    for (; n > 0; p++, n--) c32 = _mm_crc32_u8(c32, *p);
    return ~c32;
}

static int has_sse42(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}
#endif

uint32_t souverain_crc32c(uint32_t crc, const uint8_t *bytes, size_t length) {
#if defined(__x86_64__)
    /* 0: not asked yet, 1: the instruction, 2: the tables. Every thread stores the same answer. */
    static int chosen = 0;
    int use = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (use == 0) {
        use = has_sse42() ? 1 : 2;
        __atomic_store_n(&chosen, use, __ATOMIC_RELAXED);
    }
    if (use == 1) return crc32c_sse42(crc, bytes, length);
#endif
    return souverain_crc32c_sliced(crc, bytes, length);
}
