/* tests/unit/test_shim_args.c: the shim's Go-flag command line as containerd 1.6 passes it. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "shim/args.h"

#define ARGC(a) ((int) (sizeof(a) / sizeof(a[0])) - 1)

static void
test_start_argv(void **state)
{
        char *argv[] = {"containerd-shim-berth-v2", "-namespace", "default", "-address", "/run/containerd/containerd.sock",
                        "-publish-binary", "/usr/bin/containerd", "-id", "t1", "-debug", "start", NULL};
        struct shim_args a;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_args_parse(ARGC(argv), argv, &a, &err), 0);
        assert_string_equal(a.namespace_, "default");
        assert_string_equal(a.address, "/run/containerd/containerd.sock");
        assert_string_equal(a.publish_binary, "/usr/bin/containerd");
        assert_string_equal(a.id, "t1");
        assert_true(a.debug);
        assert_string_equal(a.action, "start");
        assert_null(a.rest[0]);
}

static void
test_forms(void **state)
{
        char *argv[] = {"shim", "--namespace=k8s.io", "-id=x", "--bundle", "/b", "-debug=false", "-v=true", "delete", "extra", NULL};
        struct shim_args a;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_args_parse(ARGC(argv), argv, &a, &err), 0);
        assert_string_equal(a.namespace_, "k8s.io");
        assert_string_equal(a.id, "x");
        assert_string_equal(a.bundle, "/b");
        assert_false(a.debug);
        assert_true(a.version);
        assert_string_equal(a.action, "delete");
        assert_string_equal(a.rest[0], "extra");
}

static void
test_server_has_no_action(void **state)
{
        char *argv[] = {"shim", "-namespace", "default", "-id", "t1", "-address", "/a", "--", "-notaflag", NULL};
        struct shim_args a;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_args_parse(ARGC(argv), argv, &a, &err), 0);
        assert_string_equal(a.action, "-notaflag");
        char *argv2[] = {"shim", "-namespace", "default", "-socket", "/s", NULL};
        assert_int_equal(shim_args_parse(ARGC(argv2), argv2, &a, &err), 0);
        assert_null(a.action);
        assert_string_equal(a.socket, "/s");
}

static void
expect_error(char **argv, int argc, const char *msg)
{
        struct shim_args a;
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(shim_args_parse(argc, argv, &a, &err), -EINVAL);
        assert_string_equal(err->msg, msg);
}

static void
test_errors(void **state)
{
        (void) state;
        char *a1[] = {"shim", "-nosuch", "start", NULL};
        expect_error(a1, ARGC(a1), "flag provided but not defined: -nosuch");
        char *a2[] = {"shim", "-id", NULL};
        expect_error(a2, ARGC(a2), "flag needs an argument: -id");
        char *a3[] = {"shim", "-debug=maybe", NULL};
        expect_error(a3, ARGC(a3), "invalid boolean value \"maybe\" for -debug: parse error");
        char *a4[] = {"shim", "---id", "x", NULL};
        expect_error(a4, ARGC(a4), "bad flag syntax: ---id");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_start_argv),
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_server_has_no_action),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
