#include "CCRC.h"

#include <pthread.h>
#include <string.h>

/* Reflected CRCs with an all-ones start and final XOR, sliced by eight: table k gives the CRC of a
   byte followed by k zero bytes, so eight table look-ups advance the CRC by eight bytes at once.
   One routine serves both widths: a 32-bit CRC is carried in the low half of 64 bits, where its
   tables' entries (all under 2^32) keep it. */

typedef uint64_t slicing_tables[8][256];

static slicing_tables crc32c_tables;
static slicing_tables crc64_tables;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void fill(slicing_tables tables, uint64_t polynomial) {
    for (unsigned index = 0; index < 256; index++) {
        uint64_t c = index;
        for (int bit = 0; bit < 8; bit++) c = (c & 1) ? (c >> 1) ^ polynomial : c >> 1;
        tables[0][index] = c;
    }
    for (int slice = 1; slice < 8; slice++) {
        for (unsigned index = 0; index < 256; index++) {
            uint64_t previous = tables[slice - 1][index];
            tables[slice][index] = (previous >> 8) ^ tables[0][previous & 0xFF];
        }
    }
}

static void make_tables(void) {
    fill(crc32c_tables, 0x82F63B78u);
    fill(crc64_tables, 0x9A6C9329AC4BC9B5ull);
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

/* The inverted CRC `c` continued over `n` bytes. */
static uint64_t sliced(const slicing_tables tables, uint64_t c, const uint8_t *p, size_t n) {
    pthread_once(&tables_once, make_tables);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word = load_le64(p) ^ c;
        c = tables[7][word & 0xFF] ^ tables[6][(word >> 8) & 0xFF] ^ tables[5][(word >> 16) & 0xFF] ^
            tables[4][(word >> 24) & 0xFF] ^ tables[3][(word >> 32) & 0xFF] ^ tables[2][(word >> 40) & 0xFF] ^
            tables[1][(word >> 48) & 0xFF] ^ tables[0][word >> 56];
    }
    for (; n > 0; p++, n--) c = tables[0][(c ^ *p) & 0xFF] ^ (c >> 8);
    return c;
}

uint32_t souverain_crc32c_sliced(uint32_t crc, const uint8_t *p, size_t n) {
    return ~(uint32_t)sliced(crc32c_tables, (uint32_t)~crc, p, n);
}

uint64_t souverain_crc64nvme(uint64_t crc, const uint8_t *p, size_t n) {
    return ~sliced(crc64_tables, ~crc, p, n);
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
