#include "CChunkAEAD.h"

#if defined(__linux__)

/* BoringSSL's EVP_AEAD functions as swift-crypto's copy exports them (see the header). */
typedef struct evp_aead_st EVP_AEAD;
typedef struct evp_aead_ctx_st EVP_AEAD_CTX;
extern const EVP_AEAD *CCryptoBoringSSL_EVP_aead_aes_256_gcm(void);
extern EVP_AEAD_CTX *CCryptoBoringSSL_EVP_AEAD_CTX_new(const EVP_AEAD *aead, const uint8_t *key, size_t key_len,
                                                       size_t tag_len);
extern void CCryptoBoringSSL_EVP_AEAD_CTX_free(EVP_AEAD_CTX *ctx);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_seal(const EVP_AEAD_CTX *ctx, uint8_t *out, size_t *out_len, size_t max_out_len,
                                              const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t in_len,
                                              const uint8_t *ad, size_t ad_len);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_open(const EVP_AEAD_CTX *ctx, uint8_t *out, size_t *out_len, size_t max_out_len,
                                              const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t in_len,
                                              const uint8_t *ad, size_t ad_len);

enum { TAG_LENGTH = 16 };

int souverain_aead_available(void) { return 1; }

souverain_aead *souverain_aead_new(const uint8_t *key, size_t key_length) {
    if (key == NULL || key_length != 32) return NULL;
    return (souverain_aead *)CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_aes_256_gcm(), key, key_length,
                                                               TAG_LENGTH);
}

void souverain_aead_free(souverain_aead *context) {
    if (context != NULL) CCryptoBoringSSL_EVP_AEAD_CTX_free((EVP_AEAD_CTX *)context);
}

int souverain_aead_seal(const souverain_aead *context, uint8_t *out, size_t out_capacity, const uint8_t *nonce,
                        size_t nonce_length, const uint8_t *in, size_t in_length, const uint8_t *ad, size_t ad_length) {
    if (context == NULL || out_capacity < in_length + TAG_LENGTH) return 0;
    size_t written = 0;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_seal((const EVP_AEAD_CTX *)context, out, &written, out_capacity, nonce,
                                                nonce_length, in, in_length, ad, ad_length);
    return ok == 1 && written == in_length + TAG_LENGTH;
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
int souverain_aead_seal(const souverain_aead *c, uint8_t *o, size_t oc, const uint8_t *n, size_t nl, const uint8_t *i,
                        size_t il, const uint8_t *a, size_t al) {
    (void)c; (void)o; (void)oc; (void)n; (void)nl; (void)i; (void)il; (void)a; (void)al;
    return 0;
}
int souverain_aead_open(const souverain_aead *c, uint8_t *o, size_t oc, const uint8_t *n, size_t nl, const uint8_t *i,
                        size_t il, const uint8_t *a, size_t al) {
    (void)c; (void)o; (void)oc; (void)n; (void)nl; (void)i; (void)il; (void)a; (void)al;
    return 0;
}

#endif
