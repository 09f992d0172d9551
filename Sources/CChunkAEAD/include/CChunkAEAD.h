/* CChunkAEAD: AES-256-GCM on caller-owned memory, so a blob chunk is sealed or opened straight
   from the read buffer into the write buffer, with no intermediate copy.

   It calls BoringSSL's EVP_AEAD interface, the one swift-crypto itself uses on Linux: the same
   library, already linked into every binary that imports Crypto under its prefixed names
   (CCryptoBoringSSL_*). swift-crypto does not export that module, so the few functions needed
   are declared in chunk_aead.c, with the EVP_AEAD_CTX kept opaque. If a later swift-crypto
   renamed them, the build would fail at link time, never silently.

   Available only where swift-crypto is built on BoringSSL (Linux): `souverain_aead_available`
   tells, and callers fall back to swift-crypto's own API elsewhere. None of these functions
   logs anything or keeps key bytes beyond the context. */
#ifndef SOUVERAIN_CCHUNKAEAD_H
#define SOUVERAIN_CCHUNKAEAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct souverain_aead souverain_aead;

/* 1 where this target is built on BoringSSL, else 0 (and every other function fails). */
int souverain_aead_available(void);

/* An AES-256-GCM context (16-byte tag) for `key` (32 bytes); NULL on failure. */
souverain_aead *souverain_aead_new(const uint8_t *key, size_t key_length);

/* Frees the context and wipes its key schedule. */
void souverain_aead_free(souverain_aead *context);

/* Seals a plaintext that lies in two parts, `first` then `second` (either may be empty), and
   writes the ciphertext of both then the 16-byte tag to `out` (`first_length` + `second_length`
   + 16 bytes, overlapping neither part): the same bytes as sealing the two parts joined. Returns 1
   on success, 0 on failure. */
int souverain_aead_seal_two(const souverain_aead *context, uint8_t *out, size_t out_capacity,
                            const uint8_t *nonce, size_t nonce_length,
                            const uint8_t *first, size_t first_length,
                            const uint8_t *second, size_t second_length,
                            const uint8_t *ad, size_t ad_length);

/* Opens `in` (ciphertext then 16-byte tag) and writes the plaintext (`in_length` - 16 bytes)
   to `out` only if the tag verifies; on failure `out` holds no plaintext. Returns 1 on success,
   0 when the chunk fails authentication or the arguments are wrong. */
int souverain_aead_open(const souverain_aead *context, uint8_t *out, size_t out_capacity,
                        const uint8_t *nonce, size_t nonce_length,
                        const uint8_t *in, size_t in_length,
                        const uint8_t *ad, size_t ad_length);

/* HKDF-SHA256 (RFC 5869) of `secret` with `salt` and `info`: `out_length` bytes to `out`.
   Returns 1 on success, 0 on failure (and where this target is not built on BoringSSL). */
int souverain_hkdf_sha256(uint8_t *out, size_t out_length, const uint8_t *secret, size_t secret_length,
                          const uint8_t *salt, size_t salt_length, const uint8_t *info, size_t info_length);

#endif
