/* Throughput of md5_lanes.c with 4, 3, 2 and 1 lanes in use, against OpenSSL's MD5 (the same
 * assembly as the BoringSSL MD5 the server uses); checks every lane's digest against OpenSSL's. */
#include "md5_lanes.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void initial(uint32_t state[16]) {
    for (int lane = 0; lane < 4; lane++) {
        state[4 * lane + 0] = 0x67452301;
        state[4 * lane + 1] = 0xefcdab89;
        state[4 * lane + 2] = 0x98badcfe;
        state[4 * lane + 3] = 0x10325476;
    }
}

/* The digest of one lane's message of `length` bytes (a multiple of 64), padding included. */
static void lane_digest(const uint8_t *message, size_t length, uint8_t out[16]) {
    uint32_t state[16];
    initial(state);
    const uint8_t *data[4] = {message, NULL, NULL, NULL};
    size_t blocks[4] = {length / 64, 0, 0, 0};
    souverain_md5x4_blocks(state, data, blocks);
    uint8_t pad[64] = {0x80};
    uint64_t bits = (uint64_t)length * 8;
    memcpy(pad + 56, &bits, 8);
    data[0] = pad;
    blocks[0] = 1;
    souverain_md5x4_blocks(state, data, blocks);
    memcpy(out, state, 16);
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 64;
    size_t length = mib << 20;
    uint8_t *buffers[4];
    for (int lane = 0; lane < 4; lane++) {
        buffers[lane] = malloc(length);
        for (size_t i = 0; i < length; i++) buffers[lane][i] = (uint8_t)(i * 31 + lane * 7 + (i >> 13));
    }
    for (int lane = 0; lane < 4; lane++) {
        uint8_t ours[16], theirs[16];
        unsigned int size = 16;
        lane_digest(buffers[lane], length, ours);
        EVP_Digest(buffers[lane], length, theirs, &size, EVP_md5(), NULL);
        if (memcmp(ours, theirs, 16) != 0) {
            fprintf(stderr, "lane %d: digest differs from OpenSSL's\n", lane);
            return 1;
        }
    }
    printf("digests of %zu MiB per lane: equal to OpenSSL's\n", mib);
    for (int used = 4; used >= 1; used--) {
        uint32_t state[16];
        initial(state);
        const uint8_t *data[4] = {NULL, NULL, NULL, NULL};
        size_t blocks[4] = {0, 0, 0, 0};
        for (int lane = 0; lane < used; lane++) {
            data[lane] = buffers[lane];
            blocks[lane] = length / 64;
        }
        double start = seconds();
        souverain_md5x4_blocks(state, data, blocks);
        double elapsed = seconds() - start;
        printf("lanes %d in use: %6.0f MiB/s in all (%4.0f per message)\n", used, used * mib / elapsed, mib / elapsed);
    }
    uint8_t digest[16];
    unsigned int size = 16;
    double start = seconds();
    EVP_Digest(buffers[0], length, digest, &size, EVP_md5(), NULL);
    printf("OpenSSL MD5, one message: %6.0f MiB/s\n", mib / (seconds() - start));
    return 0;
}
