/* tests/unit/test_volumes_plan.c: supervisor/volumes/plan.c: -v NAME:/dst[:mode], -v /dst,
 * --mount type=volume and the image's Volumes into a plan, with dockerd's messages. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/volumes/plan.h"

static int
build(const char *config, const char *hc, struct volume_plan *p, berth_error_t **err)
{
        cleanup_json struct json_object *c = json_tokener_parse(config);
        cleanup_json struct json_object *h = hc ? json_tokener_parse(hc) : NULL;

        return volume_plan_build(c, h, p, err);
}

static void
test_named_and_anonymous(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct volume_plan p = {0};

        (void) state;
        assert_int_equal(build("{\"Volumes\":{\"/anon\":{}}}",
                               "{\"Binds\":[\"data:/data\",\"ro:/r:ro\",\"nc:/n:nocopy,rw\","
                               "\"/host:/h\",\"/lone\"]}",
                               &p, &err),
                         0);
        assert_int_equal(p.n, 5);
        assert_string_equal(p.mounts[0].name, "data");
        assert_string_equal(p.mounts[0].destination, "/data");
        assert_string_equal(p.mounts[0].mode, "z");
        assert_true(p.mounts[0].rw);
        assert_true(p.mounts[0].copy_data);
        assert_string_equal(p.mounts[1].name, "ro");
        assert_false(p.mounts[1].rw);
        assert_string_equal(p.mounts[1].mode, "ro");
        assert_string_equal(p.mounts[2].name, "nc");
        assert_false(p.mounts[2].copy_data);
        assert_true(p.mounts[2].rw);
        /* "/lone" in Binds: anonymous */
        assert_null(p.mounts[3].name);
        assert_string_equal(p.mounts[3].destination, "/lone");
        assert_string_equal(p.mounts[3].mode, "z");
        assert_string_equal(p.mounts[2].mode, "nocopy,rw");
        /* Config.Volumes: anonymous */
        assert_null(p.mounts[4].name);
        assert_string_equal(p.mounts[4].destination, "/anon");
        assert_string_equal(p.mounts[4].driver, "local");
        volume_plan_done(&p);
}

static void
test_image_volume_covered_by_a_mount(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct volume_plan p = {0};

        (void) state;
        /* an image volume where the request binds, mounts a named volume or a tmpfs: none made */
        assert_int_equal(build("{\"Volumes\":{\"/a\":{},\"/b/\":{},\"/c\":{},\"/d\":{}}}",
                               "{\"Binds\":[\"/host:/a\",\"named:/b\"],"
                               "\"Tmpfs\":{\"/c\":\"\"}}",
                               &p, &err),
                         0);
        assert_int_equal(p.n, 2);
        assert_string_equal(p.mounts[0].name, "named");
        assert_null(p.mounts[1].name);
        assert_string_equal(p.mounts[1].destination, "/d");
        volume_plan_done(&p);
}

static void
test_api_mount(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct volume_plan p = {0};
        struct json_object *v = NULL;

        (void) state;
        assert_int_equal(
                build("{}",
                      "{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"tv\",\"Target\":\"/t\","
                      "\"ReadOnly\":true,\"VolumeOptions\":{\"NoCopy\":true,\"Labels\":{\"a\":\"b\"},"
                      "\"DriverConfig\":{\"Name\":\"local\",\"Options\":{\"type\":\"tmpfs\","
                      "\"device\":\"tmpfs\"}}}},{\"Type\":\"volume\",\"Target\":\"/anon\"},"
                      "{\"Type\":\"bind\",\"Source\":\"/x\",\"Target\":\"/x\"}]}",
                      &p, &err),
                0);
        assert_int_equal(p.n, 2);
        assert_string_equal(p.mounts[0].name, "tv");
        assert_false(p.mounts[0].rw);
        assert_false(p.mounts[0].copy_data);
        assert_string_equal(p.mounts[0].mode, "z");
        assert_true(json_object_object_get_ex(p.mounts[0].driver_opts, "type", &v));
        assert_string_equal(json_object_get_string(v), "tmpfs");
        assert_true(json_object_object_get_ex(p.mounts[0].labels, "a", &v));
        assert_null(p.mounts[1].name);
        assert_true(p.mounts[1].rw);
        volume_plan_done(&p);
}

static void
expect_error(const char *config, const char *hc, int code, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;
        struct volume_plan p = {0};

        assert_int_equal(build(config, hc, &p, &err), -code);
        assert_string_equal(err->msg, msg);
        assert_int_equal(p.n, 0);
}

static void
test_errors(void **state)
{
        (void) state;
        expect_error("{}", "{\"Binds\":[\"aa:/x\",\"bb:/x\"]}", EINVAL,
                     "Duplicate mount point: /x");
        expect_error("{}", "{\"Binds\":[\"/h:/x\",\"bb:/x/\"]}", EINVAL,
                     "Duplicate mount point: /x");
        expect_error(
                "{}", "{\"Binds\":[\"data:rel\"]}", EINVAL,
                "invalid volume specification: 'data:rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute");
        expect_error(
                "{}", "{\"Binds\":[\"data:/\"]}", EINVAL,
                "invalid volume specification: 'data:/': invalid mount config for type \"volume\": invalid specification: destination can't be '/'");
        expect_error("{}", "{\"Binds\":[\"data\"]}", EINVAL,
                     "invalid volume specification: 'data'");
        expect_error("{}", "{\"Binds\":[\"data:/d:bogus\"]}", EINVAL, "invalid mode: bogus");
        expect_error("{}", "{\"Binds\":[\"data:/d:ro,rw\"]}", EINVAL, "invalid mode: ro,rw");
        expect_error("{}", "{\"Binds\":[\"data:/d:ro,bogus\"]}", EINVAL, "invalid mode: ro,bogus");
        expect_error(
                "{}", "{\"Binds\":[\"b@d:/d\"]}", EINVAL,
                "create b@d: \"b@d\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        expect_error(
                "{}", "{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"rel\"}]}", EINVAL,
                "invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute");
        expect_error("{}",
                     "{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/v\",\"VolumeOptions\":"
                     "{\"DriverConfig\":{\"Name\":\"nfsplugin\"}}}]}",
                     EOPNOTSUPP, "volume driver \"nfsplugin\": only the local driver is supported");
}

static void
test_volumes_from(void **state)
{
        cleanup_json struct json_object *c =
                json_tokener_parse("{\"Volumes\":{\"/a\":{},\"/img\":{}}}");
        cleanup_json struct json_object *h =
                json_tokener_parse("{\"Binds\":[\"own:/b\"],\"Tmpfs\":{\"/t\":\"\"}}");
        cleanup_json struct json_object *from = json_tokener_parse(
                "[{\"Name\":\"va\",\"Destination\":\"/a\",\"Driver\":\"local\",\"RW\":false,"
                "\"Anonymous\":true},{\"Name\":\"vb\",\"Destination\":\"/b\",\"RW\":true},"
                "{\"Name\":\"vt\",\"Destination\":\"/t\",\"RW\":true},"
                "{\"Name\":\"va2\",\"Destination\":\"/a\",\"RW\":true}]");
        cleanup_error berth_error_t *err = NULL;
        struct volume_plan p = {0};

        (void) state;
        assert_int_equal(volume_plan_build_from(c, h, from, &p, &err), 0);
        /* own: /b named; inherited: /a (the first source's); image: /img only */
        assert_int_equal(p.n, 3);
        assert_string_equal(p.mounts[0].name, "own");
        assert_false(p.mounts[0].inherited);
        assert_string_equal(p.mounts[1].name, "va");
        assert_string_equal(p.mounts[1].destination, "/a");
        assert_true(p.mounts[1].inherited);
        assert_true(p.mounts[1].anonymous);
        assert_false(p.mounts[1].rw);
        assert_false(p.mounts[1].copy_data);
        assert_string_equal(p.mounts[1].mode, "");
        assert_null(p.mounts[2].name);
        assert_string_equal(p.mounts[2].destination, "/img");
        assert_true(p.mounts[2].anonymous);
        volume_plan_done(&p);
}

static void
test_bind_is_volume(void **state)
{
        (void) state;
        assert_true(volume_plan_bind_is_volume("data:/d"));
        assert_true(volume_plan_bind_is_volume("/lone"));
        assert_false(volume_plan_bind_is_volume("/host:/d"));
        assert_false(volume_plan_bind_is_volume("/host:/d:ro"));
        assert_false(volume_plan_bind_is_volume(""));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_named_and_anonymous),
                cmocka_unit_test(test_image_volume_covered_by_a_mount),
                cmocka_unit_test(test_api_mount),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_volumes_from),
                cmocka_unit_test(test_bind_is_volume),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
