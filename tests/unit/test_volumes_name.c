/* tests/unit/test_volumes_name.c: supervisor/volumes/name.c: docker's local volume name rule and
 * dockerd's message, generated names. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "supervisor/volumes/name.h"

static void
test_valid_names(void **state)
{
        (void) state;
        assert_true(volume_name_valid("data"));
        assert_true(volume_name_valid("a1"));
        assert_true(volume_name_valid("my_vol.v-2"));
        assert_true(volume_name_valid("0abc"));
        assert_false(volume_name_valid("a"));
        assert_false(volume_name_valid(""));
        assert_false(volume_name_valid("_data"));
        assert_false(volume_name_valid(".hidden"));
        assert_false(volume_name_valid("has/slash"));
        assert_false(volume_name_valid("foo@bar"));
        assert_false(volume_name_valid("sp ace"));
        assert_false(volume_name_valid(NULL));
}

static void
test_check_message(void **state)
{
        cleanup_error berth_error_t *err = NULL;

        (void) state;
        assert_int_equal(volume_name_check("data", &err), 0);
        assert_int_equal(volume_name_check("x", &err), -EINVAL);
        assert_string_equal(
                err->msg,
                "create x: volume name is too short, names should be at least two alphanumeric characters");
        berth_error_free(err);
        err = NULL;
        assert_int_equal(volume_name_check("foo@", &err), -EINVAL);
        assert_string_equal(
                err->msg,
                "create foo@: \"foo@\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
}

static void
test_generated(void **state)
{
        char *a = volume_name_generate(), *b = volume_name_generate();

        (void) state;
        assert_int_equal(strlen(a), 64);
        assert_true(volume_name_is_generated(a));
        assert_true(volume_name_valid(a));
        assert_string_not_equal(a, b);
        assert_false(volume_name_is_generated("data"));
        assert_false(volume_name_is_generated(
                "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"));
        free(a);
        free(b);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_names),
                cmocka_unit_test(test_check_message),
                cmocka_unit_test(test_generated),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
