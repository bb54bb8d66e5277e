/* tests/unit/test_lib_detach_keys.c: lib/detach_keys.h: docker's key specs and the scanner. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/detach_keys.h"

static void
test_parse(void **state)
{
        struct detach_keys d;
        berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(detach_keys_parse(NULL, &d, &err), 0);
        assert_int_equal(d.n, 2);
        assert_int_equal(d.keys[0], 0x10);
        assert_int_equal(d.keys[1], 0x11);
        assert_int_equal(detach_keys_parse("", &d, &err), 0);
        assert_int_equal(d.n, 2);
        assert_int_equal(detach_keys_parse("ctrl-A,x,CTRL-@,ctrl-[,ctrl-_", &d, &err), 0);
        assert_int_equal(d.n, 5);
        assert_memory_equal(d.keys, "\x01x\x00\x1b\x1f", 5);
        assert_int_equal(detach_keys_parse("ctrl-\\", &d, &err), 0);
        assert_int_equal(d.keys[0], 28);
        static const char *const bad[] = {"ctrl-1", "ab", "ctrl-", "a,,b", "ctrl-pq", ",", NULL};
        for (size_t i = 0; bad[i]; i++) {
                assert_int_equal(detach_keys_parse(bad[i], &d, &err), -EINVAL);
                assert_int_equal(err->code, EINVAL);
                berth_error_free(err), err = NULL;
        }
        assert_int_equal(detach_keys_parse("x,y", &d, &err), 0);
        assert_int_equal(detach_keys_parse("nope", &d, &err), -EINVAL);
        assert_string_equal(err->msg, "Invalid detach keys (nope) provided");
        berth_error_free(err);
}

static void
test_scan(void **state)
{
        struct detach_keys d;
        berth_error_t *err = NULL;
        char out[64];
        size_t n;
        (void) state;

        assert_int_equal(detach_keys_parse(NULL, &d, &err), 0);
        /* plain bytes pass */
        assert_false(detach_keys_scan(&d, "abc", 3, out, &n));
        assert_int_equal(n, 3);
        assert_memory_equal(out, "abc", 3);
        /* the sequence in one read: what came before passes, the rest is dropped */
        assert_true(detach_keys_scan(&d, "ls\x10\x11zz", 6, out, &n));
        assert_int_equal(n, 2);
        assert_memory_equal(out, "ls", 2);
        /* split over reads (a terminal sends one byte per read) */
        assert_false(detach_keys_scan(&d, "\x10", 1, out, &n));
        assert_int_equal(n, 0);
        assert_true(detach_keys_scan(&d, "\x11", 1, out, &n));
        assert_int_equal(n, 0);
        /* a ctrl-p that is not followed by ctrl-q is given back */
        assert_false(detach_keys_scan(&d, "\x10", 1, out, &n));
        assert_int_equal(n, 0);
        assert_false(detach_keys_scan(&d, "a", 1, out, &n));
        assert_int_equal(n, 2);
        assert_memory_equal(out,
                            "\x10"
                            "a",
                            2);
        /* ctrl-p ctrl-p ctrl-q: the first is given back, the last two detach */
        assert_true(detach_keys_scan(&d, "\x10\x10\x11", 3, out, &n));
        assert_int_equal(n, 1);
        assert_memory_equal(out, "\x10", 1);
        /* one key */
        assert_int_equal(detach_keys_parse("ctrl-x", &d, &err), 0);
        assert_true(detach_keys_scan(&d, "ab\x18", 3, out, &n));
        assert_int_equal(n, 2);
        /* off */
        d.n = 0;
        assert_false(detach_keys_scan(&d, "\x10\x11", 2, out, &n));
        assert_int_equal(n, 2);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_scan),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
