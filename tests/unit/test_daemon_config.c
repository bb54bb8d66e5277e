/* tests/unit/test_daemon_config.c: supervisor/daemon/config.h: flags and daemon.json. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/xalloc.h"
#include "supervisor/daemon/config.h"

#define ARGS(...) ((char *[]){"berthd", __VA_ARGS__, NULL})
#define ARGC(a)   ((int) (sizeof(a) / sizeof(a[0])) - 1)

static void
test_defaults(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        char *argv[] = {"berthd", NULL};
        struct berthd_config c;

        (void) state;
        assert_int_equal(berthd_config_parse_args(1, argv, &c, &err), 0);
        assert_string_equal(c.data_root, "/var/lib/berth");
        assert_string_equal(c.exec_root, "/run/berth");
        assert_string_equal(c.socket_path, "/run/berth/berth.sock");
        assert_int_equal(c.log_level, LOG_LEVEL_INFO);
        assert_int_equal(c.max_concurrent_downloads, 3);
        berthd_config_done(&c);
}

static void
test_flags(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        char **argv = ARGS("--data-root", "/d", "--exec-root=/e", "-H", "unix:///s/x.sock",
                           "--log-level", "debug");
        struct berthd_config c;

        (void) state;
        assert_int_equal(berthd_config_parse_args(8, argv, &c, &err), 0);
        assert_string_equal(c.data_root, "/d");
        assert_string_equal(c.exec_root, "/e");
        assert_string_equal(c.socket_path, "/s/x.sock");
        assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
        berthd_config_done(&c);
        assert_int_equal(berthd_config_parse_args(3, ARGS("-H", "fd://"), &c, &err), 0);
        assert_null(c.socket_path);
        berthd_config_done(&c);
}

static void
test_bad_flags(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct berthd_config c;

        (void) state;
        assert_int_equal(berthd_config_parse_args(2, ARGS("--bogus"), &c, &err), -EINVAL);
        assert_string_equal(err->msg, "unknown flag: --bogus");
        berthd_config_done(&c);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(berthd_config_parse_args(3, ARGS("-H", "tcp://0.0.0.0:2375"), &c, &err),
                         -EOPNOTSUPP);
        assert_string_equal(
                err->msg,
                "host \"tcp://0.0.0.0:2375\": only unix:// sockets and fd:// are supported");
        berthd_config_done(&c);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(berthd_config_parse_args(3, ARGS("--log-level", "loud"), &c, &err),
                         -EINVAL);
        assert_string_equal(err->msg, "unable to parse logging level: loud");
        berthd_config_done(&c);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(berthd_config_parse_args(2, ARGS("--data-root"), &c, &err), -EINVAL);
        assert_string_equal(err->msg, "flag needs an argument: --data-root");
        berthd_config_done(&c);
}

static void
test_json(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        char *argv[] = {"berthd", NULL};
        const char *doc = "{\"insecure-registries\": [\"reg.local:5000\", \"10.0.0.0/8\"],"
                          " \"registry-mirrors\": [\"https://mirror.example\"],"
                          " \"max-concurrent-downloads\": 5}";
        struct berthd_config c;

        (void) state;
        assert_int_equal(berthd_config_parse_args(1, argv, &c, &err), 0);
        assert_int_equal(berthd_config_parse_json(&c, "d.json", doc, strlen(doc), &err), 0);
        assert_string_equal(c.insecure_registries[1], "10.0.0.0/8");
        assert_string_equal(c.registry_mirrors[0], "https://mirror.example");
        assert_int_equal(c.max_concurrent_downloads, 5);
        berthd_config_done(&c);
}

static void
test_json_errors(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct berthd_config c;
        const char *unknown =
                "{\"storage-opts\": [\"x\"], \"max-concurrent-downloads\": 1, \"bip\": \"y\"}";
        const char *type = "{\"max-concurrent-downloads\": \"5\"}";
        const char *mirror = "{\"registry-mirrors\": [\"ftp://m\"]}";
        const char *syntax = "{\"debug\": tru}";
        const char *both = "{\"data-root\": \"/x\"}";

        (void) state;
        assert_int_equal(berthd_config_parse_args(1, (char *[]){"berthd", NULL}, &c, &err), 0);
        assert_int_equal(berthd_config_parse_json(&c, "d.json", unknown, strlen(unknown), &err),
                         -EINVAL);
        assert_string_equal(
                err->msg,
                "config file \"d.json\": the following directives don't match any configuration option: storage-opts, bip");
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(berthd_config_parse_json(&c, "d.json", type, strlen(type), &err), -EINVAL);
        assert_non_null(strstr(err->msg, "config file \"d.json\": max-concurrent-downloads: "));
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(berthd_config_parse_json(&c, "d.json", mirror, strlen(mirror), &err),
                         -EINVAL);
        assert_string_equal(
                err->msg,
                "config file \"d.json\": registry-mirrors[0]: invalid mirror: unsupported scheme in \"ftp://m\"");
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(berthd_config_parse_json(&c, "d.json", syntax, strlen(syntax), &err),
                         -EINVAL);
        assert_non_null(strstr(err->msg, "config file \"d.json\": "));
        berth_error_free(TAKE_PTR(err));
        berthd_config_done(&c);
        assert_int_equal(berthd_config_parse_args(3, ARGS("--data-root", "/d"), &c, &err), 0);
        assert_int_equal(berthd_config_parse_json(&c, "d.json", both, strlen(both), &err), -EINVAL);
        assert_string_equal(
                err->msg,
                "config file \"d.json\": the following directives are specified both as a flag and in the configuration file: data-root");
        berthd_config_done(&c);
}

static void
test_storage_driver(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct berthd_config c;
        const char *vfs = "{\"storage-driver\": \"vfs\"}";
        const char *zfs = "{\"storage-driver\": \"zfs\"}";

        (void) state;
        assert_int_equal(berthd_config_parse_args(1, (char *[]){"berthd", NULL}, &c, &err), 0);
        assert_null(c.storage_driver);
        assert_int_equal(berthd_config_parse_json(&c, "d.json", vfs, strlen(vfs), &err), 0);
        assert_string_equal(c.storage_driver, "vfs");
        assert_int_equal(berthd_config_parse_json(&c, "d.json", zfs, strlen(zfs), &err), -EINVAL);
        assert_string_equal(
                err->msg,
                "config file \"d.json\": storage-driver: driver \"zfs\" not supported (berthd has overlay2 and vfs)");
        berth_error_free(TAKE_PTR(err));
        berthd_config_done(&c);
        assert_int_equal(berthd_config_parse_args(3, ARGS("-s", "overlay2"), &c, &err), 0);
        assert_string_equal(c.storage_driver, "overlay2");
        assert_int_equal(berthd_config_parse_json(&c, "d.json", vfs, strlen(vfs), &err), -EINVAL);
        assert_non_null(
                strstr(err->msg,
                       "specified both as a flag and in the configuration file: storage-driver"));
        berth_error_free(TAKE_PTR(err));
        berthd_config_done(&c);
        assert_int_equal(berthd_config_parse_args(3, ARGS("--storage-driver", "aufs"), &c, &err),
                         -EINVAL);
        assert_string_equal(
                err->msg,
                "storage-driver \"aufs\": driver not supported (berthd has overlay2 and vfs)");
        berthd_config_done(&c);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),    cmocka_unit_test(test_flags),
                cmocka_unit_test(test_bad_flags),   cmocka_unit_test(test_json),
                cmocka_unit_test(test_json_errors), cmocka_unit_test(test_storage_driver),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
