#include "CChunkAEAD.h"

#if defined(__linux__)

/* BoringSSL's EVP_AEAD functions as swift-crypto's copy exports them (see the header). */
typedef struct evp_aead_st EVP_AEAD;
typedef struct evp_aead_ctx_st EVP_AEAD_CTX;
extern const EVP_AEAD *CCryptoBoringSSL_EVP_aead_aes_256_gcm(void);
extern EVP_AEAD_CTX *CCryptoBoringSSL_EVP_AEAD_CTX_new(const EVP_AEAD *aead, const uint8_t *key, size_t key_len,
                                                       size_t tag_len);
extern void CCryptoBoringSSL_EVP_AEAD_CTX_free(EVP_AEAD_CTX *ctx);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_seal_scatter(const EVP_AEAD_CTX *ctx, uint8_t *out, uint8_t *out_tag,
                                                      size_t *out_tag_len, size_t max_out_tag_len, const uint8_t *nonce,
                                                      size_t nonce_len, const uint8_t *in, size_t in_len,
                                                      const uint8_t *extra_in, size_t extra_in_len, const uint8_t *ad,
                                                      size_t ad_len);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_open(const EVP_AEAD_CTX *ctx, uint8_t *out, size_t *out_len, size_t max_out_len,
                                              const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t in_len,
                                              const uint8_t *ad, size_t ad_len);

typedef struct env_md_st EVP_MD;
extern const EVP_MD *CCryptoBoringSSL_EVP_sha256(void);
extern int CCryptoBoringSSL_HKDF(uint8_t *out_key, size_t out_len, const EVP_MD *digest, const uint8_t *secret,
                                 size_t secret_len, const uint8_t *salt, size_t salt_len, const uint8_t *info,
                                 size_t info_len);

enum { TAG_LENGTH = 16 };

int souverain_hkdf_sha256(uint8_t *out, size_t out_length, const uint8_t *secret, size_t secret_length,
                          const uint8_t *salt, size_t salt_length, const uint8_t *info, size_t info_length) {
    if (out == NULL || secret == NULL) return 0;
    return CCryptoBoringSSL_HKDF(out, out_length, CCryptoBoringSSL_EVP_sha256(), secret, secret_length, salt,
                                 salt_length, info, info_length) == 1;
}

int souverain_aead_available(void) { return 1; }

souverain_aead *souverain_aead_new(const uint8_t *key, size_t key_length) {
    if (key == NULL || key_length != 32) return NULL;
    return (souverain_aead *)CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_aes_256_gcm(), key, key_length,
                                                               TAG_LENGTH);
}

void souverain_aead_free(souverain_aead *context) {
    if (context != NULL) CCryptoBoringSSL_EVP_AEAD_CTX_free((EVP_AEAD_CTX *)context);
}

int souverain_aead_seal_two(const souverain_aead *context, uint8_t *out, size_t out_capacity, const uint8_t *nonce,
                            size_t nonce_length, const uint8_t *first, size_t first_length, const uint8_t *second,
                            size_t second_length, const uint8_t *ad, size_t ad_length) {
    if (context == NULL || out_capacity < first_length + second_length + TAG_LENGTH) return 0;
    /* BoringSSL's AES-GCM encrypts `extra_in` after `in` and writes its ciphertext, then the tag,
       to `out_tag`: placed right after the first part's ciphertext, the chunk comes out whole. */
    size_t tail_written = 0;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_seal_scatter((const EVP_AEAD_CTX *)context, out, out + first_length,
                                                        &tail_written, out_capacity - first_length, nonce, nonce_length,
                                                        first, first_length, second, second_length, ad, ad_length);
    return ok == 1 && tail_written == second_length + TAG_LENGTH;
}

int souverain_aead_open(const souverain_aead *context, uint8_t *out, size_t out_capacity, const uint8_t *nonce,
                        size_t nonce_length, const uint8_t *in, size_t in_length, const uint8_t *ad, size_t ad_length) {
    if (context == NULL || in_length < TAG_LENGTH || out_capacity < in_length - TAG_LENGTH) return 0;
    size_t written = 0;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_open((const EVP_AEAD_CTX *)context, out, &written, out_capacity, nonce,
                                                nonce_length, in, in_length, ad, ad_length);
    return ok == 1 && written == in_length - TAG_LENGTH;
}

#else

int souverain_aead_available(void) { return 0; }
souverain_aead *souverain_aead_new(const uint8_t *key, size_t key_length) { (void)key; (void)key_length; return NULL; }
void souverain_aead_free(souverain_aead *context) { (void)context; }
int souverain_aead_seal_two(const souverain_aead *c, uint8_t *o, size_t oc, const uint8_t *n, size_t nl,
                            const uint8_t *f, size_t fl, const uint8_t *s, size_t sl, const uint8_t *a, size_t al) {
    (void)c, (void)o, (void)oc, (void)n, (void)nl, (void)f, (void)fl, (void)s, (void)sl, (void)a, (void)al;
    return 0;
}
int souverain_aead_open(const souverain_aead *c, uint8_t *o, size_t oc, const uint8_t *n, size_t nl, const uint8_t *i,
                        size_t il, const uint8_t *a, size_t al) {
    (void)c; (void)o; (void)oc; (void)n; (void)nl; (void)i; (void)il; (void)a; (void)al;
    return 0;
}
int souverain_hkdf_sha256(uint8_t *o, size_t ol, const uint8_t *s, size_t sl, const uint8_t *t, size_t tl,
                          const uint8_t *i, size_t il) {
    (void)o; (void)ol; (void)s; (void)sl; (void)t; (void)tl; (void)i; (void)il;
    return 0;
}

#endif
