/* tests/unit/test_volumes_options.c: supervisor/volumes/options.c: the local driver's option
 * checks (moby's validOpts/mandatoryOpts texts) and mount(2) arguments. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/volumes/options.h"

static int
check(const char *json, berth_error_t **err)
{
        cleanup_json struct json_object *o = json ? json_tokener_parse(json) : NULL;
        return volume_options_check("v1", o, err);
}

static void
test_check(void **state)
{
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;

        (void) state;
        assert_int_equal(check(NULL, &e1), 0);
        assert_int_equal(check("{}", &e1), 0);
        assert_int_equal(check("{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=10m\"}", &e1),
                         0);
        assert_int_equal(check("{\"foo\":\"x\"}", &e1), -EINVAL);
        assert_string_equal(e1->msg, "create v1: invalid option: \"foo\"");
        assert_int_equal(check("{\"type\":\"tmpfs\"}", &e2), -EINVAL);
        assert_string_equal(e2->msg, "create v1: missing required option: \"device\"");
        assert_int_equal(check("{\"o\":\"size=1m\"}", &e3), -EINVAL);
        assert_string_equal(e3->msg, "create v1: missing required option: \"device\"");
        assert_int_equal(check("{\"size\":\"1g\"}", &e4), -EINVAL);
        assert_string_equal(e4->msg, "create v1: quota size requested but no quota support");
}

static void
test_build_tmpfs(void **state)
{
        cleanup_json struct json_object *o = json_tokener_parse(
                "{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=10m,uid=1000,noexec,ro\"}");
        cleanup_error berth_error_t *err = NULL;
        struct volume_mount_args a = {0};

        (void) state;
        assert_true(volume_options_need_mount(o));
        assert_int_equal(volume_options_build(o, &a, &err), 0);
        assert_string_equal(a.source, "tmpfs");
        assert_string_equal(a.fstype, "tmpfs");
        assert_int_equal(a.flags, MS_NOEXEC | MS_RDONLY);
        assert_string_equal(a.data, "size=10m,uid=1000");
        assert_false(a.remount_ro);
        volume_mount_args_done(&a);
}

static void
test_build_bind(void **state)
{
        cleanup_json struct json_object *o =
                json_tokener_parse("{\"type\":\"none\",\"device\":\"/srv/x\",\"o\":\"bind,ro\"}");
        cleanup_json struct json_object *none = json_tokener_parse("{}");
        cleanup_error berth_error_t *err = NULL;
        struct volume_mount_args a = {0};

        (void) state;
        assert_false(volume_options_need_mount(none));
        assert_int_equal(volume_options_build(o, &a, &err), 0);
        assert_string_equal(a.source, "/srv/x");
        assert_null(a.fstype);
        assert_int_equal(a.flags, MS_BIND);
        assert_true(a.remount_ro);
        assert_null(a.data);
        volume_mount_args_done(&a);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_build_tmpfs),
                cmocka_unit_test(test_build_bind),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
