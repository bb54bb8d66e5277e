/* tests/unit/test_containers_update.c: supervisor/containers/update.h: merging docker's
 * UpdateConfig into a HostConfig as dockerd does, its 400s, the resources for the shim and the
 * stored spec. */
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
#include <json-c/json.h>

#include "supervisor/containers/update.h"

static struct json_object *
parse(const char *s)
{
        struct json_object *o = json_tokener_parse(s);
        assert_non_null(o);
        return o;
}

static int64_t
i64(struct json_object *o, const char *k)
{
        return json_object_get_int64(json_object_object_get(o, k));
}

static void
test_merge(void **state)
{
        (void) state;
        struct json_object *hc = parse("{\"Memory\":134217728,\"CpuShares\":1024,\"PidsLimit\":"
                                       "null,\"RestartPolicy\":{\"Name\":\"no\"}}");
        struct json_object *body = parse("{\"Memory\":67108864,\"CpuShares\":0,\"PidsLimit\":50,"
                                         "\"CpusetCpus\":\"\",\"RestartPolicy\":{\"Name\":\"always\"}}");
        struct json_object *res = NULL;

        assert_int_equal(container_update_merge(hc, body, NULL), 0);
        assert_int_equal(i64(hc, "Memory"), 67108864);
        /* zero keeps the value */
        assert_int_equal(i64(hc, "CpuShares"), 1024);
        assert_int_equal(i64(hc, "PidsLimit"), 50);
        assert_string_equal(json_object_get_string(json_object_object_get(
                                    json_object_object_get(hc, "RestartPolicy"), "Name")),
                            "always");
        assert_int_equal(container_update_resources(2, hc, body, &res, NULL), 0);
        assert_int_equal(i64(json_object_object_get(res, "memory"), "limit"), 67108864);
        assert_int_equal(i64(json_object_object_get(res, "pids"), "limit"), 50);
        assert_int_equal(i64(json_object_object_get(res, "cpu"), "shares"), 1024);
        json_object_put(res);
        json_object_put(body);

        /* NanoCpus replaces CpuQuota/CpuPeriod; PidsLimit 0 is unlimited (-1 for the shim) */
        body = parse("{\"NanoCpus\":500000000,\"PidsLimit\":0}");
        json_object_object_add(hc, "CpuQuota", json_object_new_int64(20000));
        assert_int_equal(container_update_merge(hc, body, NULL), 0);
        assert_int_equal(i64(hc, "CpuQuota"), 0);
        assert_int_equal(i64(hc, "NanoCpus"), 500000000);
        assert_int_equal(container_update_resources(2, hc, body, &res, NULL), 0);
        assert_int_equal(i64(json_object_object_get(res, "cpu"), "quota"), 50000);
        assert_int_equal(i64(json_object_object_get(res, "cpu"), "period"), 100000);
        assert_int_equal(i64(json_object_object_get(res, "pids"), "limit"), -1);
        json_object_put(res);
        json_object_put(body);
        json_object_put(hc);
}

static void
expect_error(const char *hc_s, const char *body_s, bool at_resources, const char *msg)
{
        struct json_object *hc = parse(hc_s), *body = parse(body_s), *res = NULL;
        berth_error_t *err = NULL;
        int r = container_update_merge(hc, body, &err);
        if (at_resources) {
                assert_int_equal(r, 0);
                r = container_update_resources(2, hc, body, &res, &err);
        }
        assert_int_equal(r, -EINVAL);
        assert_string_equal(err->msg, msg);
        berth_error_free(err);
        json_object_put(hc);
        json_object_put(body);
}

static void
test_errors(void **state)
{
        (void) state;
        expect_error("{}", "{\"Memory\":1024}", true, "Minimum memory limit allowed is 6MB");
        expect_error("{}", "{\"BlkioWeight\":5}", true, "Range of blkio weight is from 10 to 1000");
        expect_error("{}", "{\"MemorySwap\":67108864}", true,
                     "You should always set the Memory limit when using Memoryswap limit, see usage");
        expect_error("{\"MemorySwap\":67108864}", "{\"Memory\":134217728}", false,
                     "Memory limit should be smaller than already set memoryswap limit, update "
                     "the memoryswap at the same time");
        expect_error("{}", "{\"Memory\":\"64m\"}", false,
                     "json: cannot unmarshal string into Go struct field UpdateConfig.Memory of "
                     "type int64");
        expect_error("{\"AutoRemove\":true}", "{\"RestartPolicy\":{\"Name\":\"always\"}}", false,
                     "Restart policy cannot be updated because AutoRemove is enabled for the "
                     "container");
        expect_error("{}", "{\"RestartPolicy\":{\"Name\":\"sometimes\"}}", false,
                     "invalid restart policy 'sometimes'");
}

static void
test_spec(void **state)
{
        (void) state;
        struct json_object *spec = parse("{\"linux\":{\"resources\":{\"devices\":[{\"allow\":false}],"
                                         "\"memory\":{\"limit\":1}}}}");
        struct json_object *res = parse("{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":50}}");
        struct json_object *r;

        container_update_spec(spec, res);
        r = json_object_object_get(json_object_object_get(spec, "linux"), "resources");
        assert_int_equal(i64(json_object_object_get(r, "memory"), "limit"), 67108864);
        assert_int_equal(i64(json_object_object_get(r, "pids"), "limit"), 50);
        assert_int_equal(json_object_array_length(json_object_object_get(r, "devices")), 1);
        json_object_put(res);
        json_object_put(spec);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_merge),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_spec),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
