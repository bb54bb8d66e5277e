/* tests/unit/test_lib_sha256.c: lib/sha256.c against FIPS 180-4's examples and, for every
 * length across the padding boundaries, against libcrypto. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "lib/sha256.h"

static void
check_hex(const char *data, size_t n, const char *want)
{
        uint8_t md[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1];

        sha256_digest(data, n, md);
        sha256_format_hex(md, hex);
        assert_string_equal(hex, want);
}

static void
test_known_vectors(void **state)
{
        (void) state;
        check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        check_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        /* the address of tests/unit/test_shim_address.c's observed containerd example */
        check_hex("/run/containerd/containerd.sock/default/t1", 42,
                  "df6a0c5cd2e9a1a16d9a3f2447365d9fc6021bc1d3d9a4caa2f5b2c4f773758f");
}

static void
test_million_a_in_pieces(void **state)
{
        struct sha256_ctx c;
        uint8_t md[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1], chunk[997];
        size_t left = 1000000;

        (void) state;
        memset(chunk, 'a', sizeof(chunk));
        sha256_init(&c);
        while (left > 0) {
                size_t k = left < sizeof(chunk) ? left : sizeof(chunk);
                sha256_update(&c, chunk, k);
                left -= k;
        }
        sha256_final(&c, md);
        sha256_format_hex(md, hex);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void
test_every_length_matches_libcrypto(void **state)
{
        uint8_t data[300], md[SHA256_DIGEST_SIZE], want[EVP_MAX_MD_SIZE];
        unsigned int want_len = 0;

        (void) state;
        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 131 + 7);
        for (size_t n = 0; n <= sizeof(data); n++) {
                sha256_digest(data, n, md);
                assert_true(EVP_Digest(data, n, want, &want_len, EVP_sha256(), NULL));
                assert_int_equal(want_len, SHA256_DIGEST_SIZE);
                assert_memory_equal(md, want, SHA256_DIGEST_SIZE);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_known_vectors),
                cmocka_unit_test(test_million_a_in_pieces),
                cmocka_unit_test(test_every_length_matches_libcrypto),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
