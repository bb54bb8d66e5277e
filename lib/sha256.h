/* lib/sha256.h: SHA-256 (FIPS 180-4), for callers that must not map libcrypto: the shim's
 * socket address (shim/address.c) in a statically linked shim. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256_ctx {
        uint32_t h[8];
        uint64_t len;          /* bytes fed so far */
        uint8_t block[64];     /* a partial block */
        size_t fill;           /* bytes in block */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_SIZE]);
/* The digest of N bytes at DATA, in one call. */
void sha256_digest(const void *data, size_t n, uint8_t out[SHA256_DIGEST_SIZE]);
/* The digest as 64 lowercase hex digits and a NUL in OUT. */
void sha256_format_hex(const uint8_t md[SHA256_DIGEST_SIZE], char out[2 * SHA256_DIGEST_SIZE + 1]);
