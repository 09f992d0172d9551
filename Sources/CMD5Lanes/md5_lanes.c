#include "CMD5Lanes.h"

#include <stdlib.h>
#include <string.h>

#if defined(__linux__)

/* BoringSSL's MD5 functions as swift-crypto's copy exports them; MD5_CTX is `souverain_md5`. */
extern int CCryptoBoringSSL_MD5_Init(souverain_md5 *md5);
extern int CCryptoBoringSSL_MD5_Update(souverain_md5 *md5, const void *data, size_t length);
extern int CCryptoBoringSSL_MD5_Final(uint8_t out[16], souverain_md5 *md5);

int souverain_md5_lanes_available(void) { return 1; }
void souverain_md5_init(souverain_md5 *md5) { CCryptoBoringSSL_MD5_Init(md5); }
void souverain_md5_update(souverain_md5 *md5, const void *data, size_t length) {
    CCryptoBoringSSL_MD5_Update(md5, data, length);
}
void souverain_md5_final(souverain_md5 *md5, uint8_t digest[16]) { CCryptoBoringSSL_MD5_Final(digest, md5); }

#else

int souverain_md5_lanes_available(void) { return 0; }
void souverain_md5_init(souverain_md5 *md5) { memset(md5, 0, sizeof *md5); }
void souverain_md5_update(souverain_md5 *md5, const void *data, size_t length) { (void)md5, (void)data, (void)length; }
void souverain_md5_final(souverain_md5 *md5, uint8_t digest[16]) { (void)md5, memset(digest, 0, 16); }

#endif

/* ---- Four lanes ---------------------------------------------------------------------------- */

typedef uint32_t lanes __attribute__((vector_size(16)));

static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

#define ROTL(x, c) (((x) << (c)) | ((x) >> (32 - (c))))
/* One step's chain of dependent operations is f of the value just computed, one add, the rotate
   and the add of b: `a + w + k` does not depend on the previous step, so it is summed first and
   the compiler is told it cannot reassociate that sum with f (left to itself, clang adds f to
   a + w and then k, five operations in the chain instead of four, 20% slower). */
#if defined(__x86_64__)
#define OFF_CHAIN(x) __asm__("" : "+v"(x))
#else
#define OFF_CHAIN(x) (void)0
#endif
#define STEP(f, a, b, c, d, w, k, s)   \
    do {                               \
        lanes sum_ = a + w + k;        \
        OFF_CHAIN(sum_);               \
        a = b + ROTL(sum_ + (f), s);   \
    } while (0)
#define F(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define G(b, c, d) ((c) ^ ((d) & ((b) ^ (c))))
#define H(b, c, d) ((b) ^ (c) ^ (d))
#define I(b, c, d) ((c) ^ ((b) | ~(d)))

static inline uint32_t load_le32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

/* The 64 steps over `blocks` blocks of each lane; compiled once per instruction set below. */
static inline __attribute__((always_inline)) void md5_x4_rounds(uint32_t state[16], const uint8_t *const data[4],
                                                                 size_t blocks) {
    lanes a = {state[0], state[4], state[8], state[12]};
    lanes b = {state[1], state[5], state[9], state[13]};
    lanes c = {state[2], state[6], state[10], state[14]};
    lanes d = {state[3], state[7], state[11], state[15]};
    for (size_t block = 0; block < blocks; block++) {
        const size_t at = 64 * block;
        lanes w[16];
        for (int i = 0; i < 16; i++) {
            w[i] = (lanes){load_le32(data[0] + at + 4 * i), load_le32(data[1] + at + 4 * i),
                           load_le32(data[2] + at + 4 * i), load_le32(data[3] + at + 4 * i)};
        }
        lanes aa = a, bb = b, cc = c, dd = d;
        STEP(F(b, c, d), a, b, c, d, w[0], K[0], 7);
        STEP(F(a, b, c), d, a, b, c, w[1], K[1], 12);
        STEP(F(d, a, b), c, d, a, b, w[2], K[2], 17);
        STEP(F(c, d, a), b, c, d, a, w[3], K[3], 22);
        STEP(F(b, c, d), a, b, c, d, w[4], K[4], 7);
        STEP(F(a, b, c), d, a, b, c, w[5], K[5], 12);
        STEP(F(d, a, b), c, d, a, b, w[6], K[6], 17);
        STEP(F(c, d, a), b, c, d, a, w[7], K[7], 22);
        STEP(F(b, c, d), a, b, c, d, w[8], K[8], 7);
        STEP(F(a, b, c), d, a, b, c, w[9], K[9], 12);
        STEP(F(d, a, b), c, d, a, b, w[10], K[10], 17);
        STEP(F(c, d, a), b, c, d, a, w[11], K[11], 22);
        STEP(F(b, c, d), a, b, c, d, w[12], K[12], 7);
        STEP(F(a, b, c), d, a, b, c, w[13], K[13], 12);
        STEP(F(d, a, b), c, d, a, b, w[14], K[14], 17);
        STEP(F(c, d, a), b, c, d, a, w[15], K[15], 22);

        STEP(G(b, c, d), a, b, c, d, w[1], K[16], 5);
        STEP(G(a, b, c), d, a, b, c, w[6], K[17], 9);
        STEP(G(d, a, b), c, d, a, b, w[11], K[18], 14);
        STEP(G(c, d, a), b, c, d, a, w[0], K[19], 20);
        STEP(G(b, c, d), a, b, c, d, w[5], K[20], 5);
        STEP(G(a, b, c), d, a, b, c, w[10], K[21], 9);
        STEP(G(d, a, b), c, d, a, b, w[15], K[22], 14);
        STEP(G(c, d, a), b, c, d, a, w[4], K[23], 20);
        STEP(G(b, c, d), a, b, c, d, w[9], K[24], 5);
        STEP(G(a, b, c), d, a, b, c, w[14], K[25], 9);
        STEP(G(d, a, b), c, d, a, b, w[3], K[26], 14);
        STEP(G(c, d, a), b, c, d, a, w[8], K[27], 20);
        STEP(G(b, c, d), a, b, c, d, w[13], K[28], 5);
        STEP(G(a, b, c), d, a, b, c, w[2], K[29], 9);
        STEP(G(d, a, b), c, d, a, b, w[7], K[30], 14);
        STEP(G(c, d, a), b, c, d, a, w[12], K[31], 20);

        STEP(H(b, c, d), a, b, c, d, w[5], K[32], 4);
        STEP(H(a, b, c), d, a, b, c, w[8], K[33], 11);
        STEP(H(d, a, b), c, d, a, b, w[11], K[34], 16);
        STEP(H(c, d, a), b, c, d, a, w[14], K[35], 23);
        STEP(H(b, c, d), a, b, c, d, w[1], K[36], 4);
        STEP(H(a, b, c), d, a, b, c, w[4], K[37], 11);
        STEP(H(d, a, b), c, d, a, b, w[7], K[38], 16);
        STEP(H(c, d, a), b, c, d, a, w[10], K[39], 23);
        STEP(H(b, c, d), a, b, c, d, w[13], K[40], 4);
        STEP(H(a, b, c), d, a, b, c, w[0], K[41], 11);
        STEP(H(d, a, b), c, d, a, b, w[3], K[42], 16);
        STEP(H(c, d, a), b, c, d, a, w[6], K[43], 23);
        STEP(H(b, c, d), a, b, c, d, w[9], K[44], 4);
        STEP(H(a, b, c), d, a, b, c, w[12], K[45], 11);
        STEP(H(d, a, b), c, d, a, b, w[15], K[46], 16);
        STEP(H(c, d, a), b, c, d, a, w[2], K[47], 23);

        STEP(I(b, c, d), a, b, c, d, w[0], K[48], 6);
        STEP(I(a, b, c), d, a, b, c, w[7], K[49], 10);
        STEP(I(d, a, b), c, d, a, b, w[14], K[50], 15);
        STEP(I(c, d, a), b, c, d, a, w[5], K[51], 21);
        STEP(I(b, c, d), a, b, c, d, w[12], K[52], 6);
        STEP(I(a, b, c), d, a, b, c, w[3], K[53], 10);
        STEP(I(d, a, b), c, d, a, b, w[10], K[54], 15);
        STEP(I(c, d, a), b, c, d, a, w[1], K[55], 21);
        STEP(I(b, c, d), a, b, c, d, w[8], K[56], 6);
        STEP(I(a, b, c), d, a, b, c, w[15], K[57], 10);
        STEP(I(d, a, b), c, d, a, b, w[6], K[58], 15);
        STEP(I(c, d, a), b, c, d, a, w[13], K[59], 21);
        STEP(I(b, c, d), a, b, c, d, w[4], K[60], 6);
        STEP(I(a, b, c), d, a, b, c, w[11], K[61], 10);
        STEP(I(d, a, b), c, d, a, b, w[2], K[62], 15);
        STEP(I(c, d, a), b, c, d, a, w[9], K[63], 21);

        a += aa;
        b += bb;
        c += cc;
        d += dd;
    }
    for (int lane = 0; lane < 4; lane++) {
        state[4 * lane + 0] = a[lane];
        state[4 * lane + 1] = b[lane];
        state[4 * lane + 2] = c[lane];
        state[4 * lane + 3] = d[lane];
    }
}

static void md5_x4_baseline(uint32_t state[16], const uint8_t *const data[4], size_t blocks) {
    md5_x4_rounds(state, data, blocks);
}

#if defined(__x86_64__)
/* AVX2's three-operand forms save register copies; AVX-512VL adds a one-instruction rotate. */
__attribute__((target("avx2"))) static void md5_x4_avx2(uint32_t state[16], const uint8_t *const data[4],
                                                         size_t blocks) {
    md5_x4_rounds(state, data, blocks);
}
__attribute__((target("avx512f,avx512vl"))) static void md5_x4_avx512(uint32_t state[16],
                                                                      const uint8_t *const data[4], size_t blocks) {
    md5_x4_rounds(state, data, blocks);
}
#endif

typedef void (*md5_x4_function)(uint32_t state[16], const uint8_t *const data[4], size_t blocks);

static md5_x4_function md5_x4_chosen(const char **name) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512f")) {
        *name = "avx512";
        return md5_x4_avx512;
    }
    if (__builtin_cpu_supports("avx2")) {
        *name = "avx2";
        return md5_x4_avx2;
    }
#endif
    *name = "baseline";
    return md5_x4_baseline;
}

const char *souverain_md5_x4_variant(void) {
    const char *name = "baseline";
    (void)md5_x4_chosen(&name);
    return name;
}

/* The length in bits, as BoringSSL's MD5_Update keeps it (low word, then carries into the high). */
static void add_length(souverain_md5 *md5, size_t bytes) {
    uint32_t low = md5->Nl + ((uint32_t)bytes << 3);
    if (low < md5->Nl) md5->Nh++;
    md5->Nh += (uint32_t)(bytes >> 29);
    md5->Nl = low;
}

static md5_x4_function md5_x4_cached(void) {
    static md5_x4_function cached = NULL;
    md5_x4_function chosen = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (chosen == NULL) {
        const char *name;
        chosen = md5_x4_chosen(&name);
        __atomic_store_n(&cached, chosen, __ATOMIC_RELAXED); /* every thread stores the same pointer */
    }
    return chosen;
}

void souverain_md5_x4(souverain_md5 *const md5[4], const uint8_t *const data[4], size_t blocks) {
    /* One piece per lane; an idle lane has none. */
    const size_t length = 64 * blocks;
    const size_t lengths[4] = {length, length, length, length};
    size_t counts[4];
    for (int lane = 0; lane < 4; lane++) counts[lane] = md5[lane] != NULL;
    const uint8_t *bases[4];
    size_t pieces = 0;
    for (int lane = 0; lane < 4; lane++) {
        if (md5[lane] != NULL) bases[pieces++] = data[lane];
    }
    souverain_md5_x4_pieces(md5, bases, lengths, counts, blocks);
}

void souverain_md5_x4_pieces(souverain_md5 *const md5[4], const uint8_t *const *all_bases,
                             const size_t *all_lengths, const size_t counts[4], size_t blocks) {
    md5_x4_function chosen = md5_x4_cached();
    uint32_t state[16] = {0};
    int some = -1;
    for (int lane = 0; lane < 4; lane++) {
        if (md5[lane] == NULL) continue;
        memcpy(&state[4 * lane], md5[lane]->h, sizeof md5[lane]->h);
        some = lane;
    }
    if (some < 0 || blocks == 0) return;
    /* Each lane's pieces follow the lanes' before it in the two arrays. */
    const uint8_t *const *bases[4];
    const size_t *lengths[4];
    size_t first = 0;
    for (int lane = 0; lane < 4; lane++) {
        bases[lane] = all_bases + first;
        lengths[lane] = all_lengths + first;
        first += counts[lane];
    }
    for (int lane = 0; lane < 4; lane++) {
        if (md5[lane] == NULL) continue;
        size_t total = 0;
        for (size_t index = 0; index < counts[lane]; index++) total += lengths[lane][index];
        if (total != 64 * blocks) abort(); /* the caller broke the contract: never hash past a piece */
    }
    size_t piece[4] = {0}, offset[4] = {0};
    uint8_t gathered[4][64];
    size_t done = 0;
    while (done < blocks) {
        /* The run: as many blocks as every lane has whole in its current piece, or one block
           when a lane's next block spans pieces. */
        size_t run = blocks - done;
        for (int lane = 0; lane < 4; lane++) {
            if (md5[lane] == NULL) continue;
            while (offset[lane] == lengths[lane][piece[lane]]) {
                piece[lane]++;
                offset[lane] = 0;
            }
            size_t whole = (lengths[lane][piece[lane]] - offset[lane]) / 64;
            if (whole < run) run = whole;
        }
        if (run == 0) run = 1;
        const uint8_t *input[4];
        for (int lane = 0; lane < 4; lane++) {
            if (md5[lane] == NULL) continue;
            size_t left = lengths[lane][piece[lane]] - offset[lane];
            if (left >= 64 * run) {
                input[lane] = bases[lane][piece[lane]] + offset[lane];
                offset[lane] += 64 * run;
                continue;
            }
            /* run is 1 here: gather the block from this piece's tail and the next pieces. */
            size_t have = 0;
            while (have < 64) {
                while (offset[lane] == lengths[lane][piece[lane]]) {
                    piece[lane]++;
                    offset[lane] = 0;
                }
                size_t take = lengths[lane][piece[lane]] - offset[lane];
                if (take > 64 - have) take = 64 - have;
                memcpy(gathered[lane] + have, bases[lane][piece[lane]] + offset[lane], take);
                have += take;
                offset[lane] += take;
            }
            input[lane] = gathered[lane];
        }
        for (int lane = 0; lane < 4; lane++) {
            /* An idle lane hashes another lane's bytes into a state that is thrown away. */
            if (md5[lane] == NULL) input[lane] = input[some];
        }
        chosen(state, input, run);
        done += run;
    }
    for (int lane = 0; lane < 4; lane++) {
        if (md5[lane] == NULL) continue;
        memcpy(md5[lane]->h, &state[4 * lane], sizeof md5[lane]->h);
        add_length(md5[lane], 64 * blocks);
    }
}
