/* tests/unit/test_ctl_volumes.c: supervisor/ctl/volumes_pure.c (--filter into the query's JSON,
 * the `volume ls` rows) and the volume keys of create's --mount (ctl/create_flags.c). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/ctl/create_flags.h"
#include "supervisor/ctl/volumes.h"

static void
test_filters(void **state)
{
        char *none = NULL, *out = NULL;
        char *args[] = {"dangling=true", "label=a=b", "label=c", NULL};
        char *bad[] = {"dangling", NULL};

        (void) state;
        assert_int_equal(ctl_volumes_filters(NULL, &none), 0);
        assert_null(none);
        assert_int_equal(ctl_volumes_filters(args, &out), 0);
        assert_string_equal(out,
                            "{\"dangling\":{\"true\":true},\"label\":{\"a=b\":true,\"c\":true}}");
        free(out);
        assert_int_equal(ctl_volumes_filters(bad, &out), -1);
}

static void
test_row(void **state)
{
        cleanup_json struct json_object *vol = json_tokener_parse(
                "{\"Name\":\"v\",\"Driver\":\"local\",\"Scope\":\"local\",\"Mountpoint\":\"/d/v/_data\","
                "\"Labels\":{\"a\":\"b\",\"c\":\"\"},\"Options\":null}");
        cleanup_json struct json_object *row = ctl_volumes_row(vol);
        cleanup_json struct json_object *bare =
                json_tokener_parse("{\"Name\":\"w\",\"Labels\":null}");
        cleanup_json struct json_object *row2 = ctl_volumes_row(bare);

        (void) state;
        assert_string_equal(
                json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN
                                                            | JSON_C_TO_STRING_NOSLASHESCAPE),
                "{\"Name\":\"v\",\"Driver\":\"local\",\"Scope\":\"local\",\"Mountpoint\":\"/d/v/_data\","
                "\"Labels\":\"a=b,c=\",\"Links\":\"N/A\",\"Size\":\"N/A\"}");
        assert_string_equal(json_object_get_string(json_object_object_get(row2, "Labels")), "");
}

static void
test_mount_volume_keys(void **state)
{
        char *argv[] = {"create",
                        "--mount",
                        "type=volume,src=v1,dst=/d,readonly,volume-nocopy,volume-driver=local,"
                        "volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-label=k=v",
                        "--mount",
                        "dst=/anon",
                        "busybox",
                        NULL};
        struct ctl_create c = {0};
        cleanup_error berth_error_t *err = NULL;
        struct json_object *hc, *mounts;

        (void) state;
        assert_int_equal(ctl_create_parse(6, argv, NULL, &c, &err), 0);
        hc = json_object_object_get(c.body, "HostConfig");
        mounts = json_object_object_get(hc, "Mounts");
        assert_string_equal(
                json_object_to_json_string_ext(mounts, JSON_C_TO_STRING_PLAIN
                                                               | JSON_C_TO_STRING_NOSLASHESCAPE),
                "[{\"Type\":\"volume\",\"Source\":\"v1\",\"Target\":\"/d\",\"ReadOnly\":true,"
                "\"VolumeOptions\":{\"NoCopy\":true,\"DriverConfig\":{\"Name\":\"local\",\"Options\":"
                "{\"type\":\"tmpfs\",\"device\":\"tmpfs\"}},\"Labels\":{\"k\":\"v\"}}},"
                "{\"Target\":\"/anon\",\"Type\":\"volume\"}]");
        ctl_create_done(&c);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_filters),
                cmocka_unit_test(test_row),
                cmocka_unit_test(test_mount_volume_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
