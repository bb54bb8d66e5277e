/* lib/sha256.c: SHA-256 as FIPS 180-4 defines it (sections 4.1.2, 4.2.2, 5.1.1, 6.2); see
 * sha256.h. Written for small inputs (a socket address); no attempt at speed. */
#include <config.h>

#include "lib/sha256.h"

#include <string.h>

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t
rotr(uint32_t x, unsigned n)
{
        return (x >> n) | (x << (32 - n));
}

static void
compress(uint32_t h[8], const uint8_t blk[64])
{
        uint32_t w[64], v[8];

        for (int t = 0; t < 16; t++)
                w[t] = (uint32_t) blk[4 * t] << 24 | (uint32_t) blk[4 * t + 1] << 16 |
                       (uint32_t) blk[4 * t + 2] << 8 | blk[4 * t + 3];
        for (int t = 16; t < 64; t++) {
                uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
                uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        memcpy(v, h, sizeof(v));
        for (int t = 0; t < 64; t++) {
                /* v[0..7] are a..h */
                uint32_t S1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
                uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
                uint32_t t1 = v[7] + S1 + ch + K[t] + w[t];
                uint32_t S0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
                uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
                uint32_t t2 = S0 + maj;
                memmove(v + 1, v, 7 * sizeof(v[0]));
                v[4] += t1;
                v[0] = t1 + t2;
        }
        for (int i = 0; i < 8; i++)
                h[i] += v[i];
}

void
sha256_init(struct sha256_ctx *c)
{
        /* The first 32 bits of the fractional parts of the square roots of the first 8 primes. */
        static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

        memcpy(c->h, h0, sizeof(h0));
        c->len = 0;
        c->fill = 0;
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t n)
{
        const uint8_t *p = data;

        c->len += n;
        while (n > 0) {
                size_t k = sizeof(c->block) - c->fill;
                if (k > n)
                        k = n;
                memcpy(c->block + c->fill, p, k);
                c->fill += k;
                p += k;
                n -= k;
                if (c->fill == sizeof(c->block)) {
                        compress(c->h, c->block);
                        c->fill = 0;
                }
        }
}

void
sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_SIZE])
{
        uint64_t bits = c->len * 8;
        uint8_t pad[72] = {0x80};
        /* 0x80, zeros up to 56 mod 64, then the length in bits, big-endian. */
        size_t npad = (c->fill < 56 ? 56 : 120) - c->fill;

        for (int i = 0; i < 8; i++)
                pad[npad + i] = (uint8_t) (bits >> (56 - 8 * i));
        sha256_update(c, pad, npad + 8);
        for (int i = 0; i < 8; i++) {
                out[4 * i] = (uint8_t) (c->h[i] >> 24);
                out[4 * i + 1] = (uint8_t) (c->h[i] >> 16);
                out[4 * i + 2] = (uint8_t) (c->h[i] >> 8);
                out[4 * i + 3] = (uint8_t) c->h[i];
        }
}

void
sha256_digest(const void *data, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
        struct sha256_ctx c;

        sha256_init(&c);
        sha256_update(&c, data, n);
        sha256_final(&c, out);
}

void
sha256_format_hex(const uint8_t md[SHA256_DIGEST_SIZE], char out[2 * SHA256_DIGEST_SIZE + 1])
{
        static const char digits[] = "0123456789abcdef";

        for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
                out[2 * i] = digits[md[i] >> 4];
                out[2 * i + 1] = digits[md[i] & 0xf];
        }
        out[2 * SHA256_DIGEST_SIZE] = '\0';
}
