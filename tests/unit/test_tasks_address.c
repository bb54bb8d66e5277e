/* tests/unit/test_tasks_address.c: task ids (containerd's identifier rule), task paths and the
 * shim address as a shim prints it and keeps it in <bundle>/address. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "supervisor/tasks/address.h"

static void
test_id_rule(void **state)
{
        static const char *const good[] = {"a", "abc-def", "a.b_c-d", "A1", "x123456789"};
        static const char *const bad[] = {"", "-a", "a-", "a--b", "a/b", "a b", "é", ".", "a..b"};
        (void) state;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(task_id_validate("task id", good[i], &err), 0);
                assert_null(err);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(task_id_validate("task id", bad[i], &err), -EINVAL);
                assert_non_null(err);
                assert_non_null(strstr(err->msg, "task id"));
        }
}

static void
test_id_length(void **state)
{
        char id[78];
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        memset(id, 'a', 76);
        id[76] = '\0';
        assert_int_equal(task_id_validate("task id", id, &err), 0);
        id[76] = 'a';
        id[77] = '\0';
        assert_int_equal(task_id_validate("task id", id, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "longer than 76 characters"));
}

static void
test_paths(void **state)
{
        cleanup_free char *b = task_bundle_path_build("/run/berth", "berth", "c1");
        cleanup_free char *r = task_runtime_root_build("/run/berth");
        (void) state;

        assert_string_equal(b, "/run/berth/tasks/berth/c1");
        assert_string_equal(r, "/run/berth/runtime");
}

static void
test_address_unix(void **state)
{
        cleanup_free char *path = NULL;
        cleanup_error berth_error_t *err = NULL;
        bool abstract = true;
        (void) state;

        /* what our shim prints and writes, with the whitespace containerd trims */
        assert_int_equal(
                task_address_parse("  unix:///run/berth/s/0123abcd\n", &path, &abstract, &err), 0);
        assert_string_equal(path, "/run/berth/s/0123abcd");
        assert_false(abstract);
}

static void
test_address_abstract(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        /* containerd 1.6's dialer: no scheme is an abstract name (the 1.5 shims' form) */
        {
                cleanup_free char *path = NULL;
                bool abstract = false;
                assert_int_equal(
                        task_address_parse("/containerd-shim/abc.sock", &path, &abstract, &err), 0);
                assert_string_equal(path, "/containerd-shim/abc.sock");
                assert_true(abstract);
        }
        {
                cleanup_free char *path = NULL;
                bool abstract = false;
                assert_int_equal(task_address_parse("@name", &path, &abstract, &err), 0);
                assert_string_equal(path, "name");
                assert_true(abstract);
        }
}

static void
test_address_bad(void **state)
{
        char longer[200];
        cleanup_free char *path = NULL;
        bool abstract = false;
        (void) state;

        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(task_address_parse(" \n", &path, &abstract, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "is empty"));
        }
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(task_address_parse("unix://", &path, &abstract, &err), -EINVAL);
        }
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(task_address_parse("unix://relative/x", &path, &abstract, &err),
                                 -EINVAL);
                assert_non_null(strstr(err->msg, "not an absolute path"));
        }
        {
                cleanup_error berth_error_t *err = NULL;
                strcpy(longer, "unix:///");
                memset(longer + 8, 'x', 150);
                longer[158] = '\0';
                assert_int_equal(task_address_parse(longer, &path, &abstract, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "too long"));
        }
        assert_null(path);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_id_rule),
                cmocka_unit_test(test_id_length),
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_address_unix),
                cmocka_unit_test(test_address_abstract),
                cmocka_unit_test(test_address_bad),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
