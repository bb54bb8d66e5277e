/* tests/unit/test_tasks_shim.c: the shim's command lines and environment, as containerd 1.6 builds
 * them (interfaces.md §2.2). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/strv.h"
#include "supervisor/tasks/shim.h"

static const struct task_shim_config cfg = {
        .shim_binary = "/usr/bin/containerd-shim-berth-v2",
        .ns = "berth",
        .address = "/run/berth/berth.sock",
        .publish_binary = "/usr/sbin/berthd",
        .events_address = "/run/berth/events.sock",
        .socket_root = "/run/berth",
};

static void
assert_strv(char **got, const char *const *want)
{
        size_t i = 0;

        for (; want[i]; i++) {
                assert_non_null(got[i]);
                assert_string_equal(got[i], want[i]);
        }
        assert_null(got[i]);
}

static void
test_start_argv(void **state)
{
        cleanup_strv char **v = task_shim_argv_build(&cfg, "c1", NULL, "start");
        static const char *const want[] = {"/usr/bin/containerd-shim-berth-v2",
                                           "-namespace",
                                           "berth",
                                           "-address",
                                           "/run/berth/berth.sock",
                                           "-publish-binary",
                                           "/usr/sbin/berthd",
                                           "-id",
                                           "c1",
                                           "start",
                                           NULL};
        (void) state;

        assert_strv(v, want);
}

static void
test_delete_argv_has_bundle_and_debug(void **state)
{
        struct task_shim_config c = cfg;
        c.debug = true;
        cleanup_strv char **v =
                task_shim_argv_build(&c, "c1", "/run/berth/tasks/berth/c1", "delete");
        static const char *const want[] = {"/usr/bin/containerd-shim-berth-v2",
                                           "-namespace",
                                           "berth",
                                           "-address",
                                           "/run/berth/berth.sock",
                                           "-publish-binary",
                                           "/usr/sbin/berthd",
                                           "-id",
                                           "c1",
                                           "-bundle",
                                           "/run/berth/tasks/berth/c1",
                                           "-debug",
                                           "delete",
                                           NULL};
        (void) state;

        assert_strv(v, want);
}

static void
test_env(void **state)
{
        char *base[] = {
                "PATH=/bin",  "TTRPC_ADDRESS=/old",          "NOTIFY_SOCKET=/run/systemd/notify",
                "HOME=/root", "BERTH_SHIM_SOCKET_ROOT=/old", "TTRPC_ADDRESSX=kept",
                NULL};
        cleanup_strv char **v = task_shim_env_build(&cfg, base);
        static const char *const want[] = {"PATH=/bin",
                                           "HOME=/root",
                                           "TTRPC_ADDRESSX=kept",
                                           "TTRPC_ADDRESS=/run/berth/events.sock",
                                           "BERTH_SHIM_SOCKET_ROOT=/run/berth",
                                           NULL};
        (void) state;

        assert_strv(v, want);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_start_argv),
                cmocka_unit_test(test_delete_argv_has_bundle_and_debug),
                cmocka_unit_test(test_env),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
