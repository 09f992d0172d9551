/* Throughput of the server's MD5 lanes (Sources/CMD5Lanes) with 4, 3, 2 and 1 lanes in use,
 * against OpenSSL's MD5 (the same assembly as the BoringSSL MD5 the server uses); checks every
 * lane's digest against OpenSSL's. run.sh builds it with the server's md5_lanes.c, its BoringSSL
 * calls pointed at OpenSSL's MD5 functions (the same MD5_CTX layout). */
#include "CMD5Lanes.h"

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

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 64;
    size_t length = mib << 20;
    uint8_t *buffers[4];
    for (int lane = 0; lane < 4; lane++) {
        buffers[lane] = malloc(length);
        for (size_t i = 0; i < length; i++) buffers[lane][i] = (uint8_t)(i * 31 + lane * 7 + (i >> 13));
    }
    printf("vector code: %s\n", souverain_md5_x4_variant());
    for (int used = 4; used >= 1; used--) {
        souverain_md5 streams[4];
        souverain_md5 *md5[4] = {NULL, NULL, NULL, NULL};
        const uint8_t *data[4] = {NULL, NULL, NULL, NULL};
        for (int lane = 0; lane < used; lane++) {
            souverain_md5_init(&streams[lane]);
            md5[lane] = &streams[lane];
            data[lane] = buffers[lane];
        }
        double start = seconds();
        souverain_md5_x4(md5, data, length / 64);
        double elapsed = seconds() - start;
        for (int lane = 0; lane < used; lane++) {
            uint8_t ours[16], theirs[16];
            unsigned int size = 16;
            souverain_md5_final(&streams[lane], ours);
            EVP_Digest(buffers[lane], length, theirs, &size, EVP_md5(), NULL);
            if (memcmp(ours, theirs, 16) != 0) {
                fprintf(stderr, "%d lanes in use, lane %d: digest differs from OpenSSL's\n", used, lane);
                return 1;
            }
        }
        printf("lanes %d in use: %6.0f MiB/s in all (%4.0f per message), digests equal to OpenSSL's\n", used,
               used * mib / elapsed, mib / elapsed);
    }
    uint8_t digest[16];
    unsigned int size = 16;
    double start = seconds();
    EVP_Digest(buffers[0], length, digest, &size, EVP_md5(), NULL);
    printf("OpenSSL MD5, one message: %6.0f MiB/s\n", mib / (seconds() - start));
    return 0;
}
