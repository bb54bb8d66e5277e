/* tests/unit/test_linux_cgroup_resources.c: linux.resources as cgroup writes, v1 and v2, with
 * runc's conversions and the errors naming the JSON path. Nothing is written. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/json.h"
#include "runtime/linux/cgroup_resources.h"

/* "controller:file=value;..." for the plan of RESOURCES on v2 or v1, or the error's path. */
static char *
render(const char *resources, bool v2, int *ret, char **ret_path)
{
        cleanup_json struct json_object *o = json_tokener_parse(resources);
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_plan plan;
        char buf[2048] = "";

        assert_non_null(o);
        *ret = cgroup_resources_plan(o, v2, &plan, &err);
        if (*ret < 0) {
                *ret_path = strdup(err->json_path ? err->json_path : "");
                return strdup(err->msg);
        }
        for (size_t i = 0; i < plan.n; i++) {
                size_t len = strlen(buf);
                snprintf(buf + len, sizeof(buf) - len, "%s%s:%s=%s", i ? ";" : "", plan.w[i].controller,
                         plan.w[i].file, plan.w[i].value);
        }
        cgroup_plan_done(&plan);
        return strdup(buf);
}

static void
test_v1_writes(void **state)
{
        char *path = NULL;
        int r;
        char *s = render("{\"memory\":{\"limit\":67108864,\"reservation\":1048576,\"swap\":134217728,"
                         "\"swappiness\":10,\"disableOOMKiller\":true},"
                         "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\",\"mems\":\"0\"},"
                         "\"pids\":{\"limit\":64},\"blockIO\":{\"weight\":500}}",
                         false, &r, &path);
        (void) state;

        assert_int_equal(r, 0);
        assert_string_equal(s, "memory:memory.limit_in_bytes=67108864;"
                               "memory:memory.memsw.limit_in_bytes=134217728;"
                               "memory:memory.soft_limit_in_bytes=1048576;"
                               "memory:memory.swappiness=10;memory:memory.oom_control=1;"
                               "cpu:cpu.shares=512;cpu:cpu.cfs_period_us=100000;cpu:cpu.cfs_quota_us=50000;"
                               "cpuset:cpuset.cpus=0;cpuset:cpuset.mems=0;"
                               "pids:pids.max=64;blkio:blkio.weight=500");
        free(s);
}

static void
test_v2_conversions(void **state)
{
        char *path = NULL;
        int r;
        char *s = render("{\"memory\":{\"limit\":67108864,\"swap\":134217728},"
                         "\"cpu\":{\"shares\":1024,\"quota\":-1,\"period\":100000},"
                         "\"pids\":{\"limit\":0},\"blockIO\":{\"weight\":500}}",
                         true, &r, &path);
        (void) state;

        assert_int_equal(r, 0);
        /* swap.max is v1's memory+swap minus memory; shares 1024 -> weight 39; quota -1 -> max;
         * pids 0 -> max; blkio 500 -> io.weight 4950 (runc's formulas) */
        assert_string_equal(s, ":memory.max=67108864;:memory.swap.max=67108864;"
                               ":cpu.weight=39;:cpu.max=max 100000;:pids.max=max;:io.weight=4950");
        free(s);
}

static void
test_conversion_formulas(void **state)
{
        (void) state;
        assert_int_equal(cgroup_shares_to_weight(2), 1);
        assert_int_equal(cgroup_shares_to_weight(262144), 10000);
        assert_int_equal(cgroup_shares_to_weight(0), 0);
        assert_int_equal(cgroup_blkio_to_io_weight(10), 1);
        assert_int_equal(cgroup_blkio_to_io_weight(1000), 10000);
}

static void
test_errors_name_the_path(void **state)
{
        static const struct {
                const char *json;
                bool v2;
                const char *path;
                const char *msg;
        } cases[] = {
                {"{\"memory\":{\"limit\":\"1G\"}}", false, "linux.resources.memory.limit",
                 "linux.resources.memory.limit: expected integer, got string"},
                {"{\"memory\":{\"swappiness\":101}}", false, "linux.resources.memory.swappiness",
                 "linux.resources.memory.swappiness: 101 is above 100"},
                {"{\"memory\":{\"limit\":2000,\"swap\":1000}}", false, "linux.resources.memory.swap",
                 "linux.resources.memory.swap: memory+swap limit 1000 is below the memory limit 2000"},
                {"{\"memory\":{\"swap\":1000}}", true, "linux.resources.memory.swap",
                 "linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2"},
                {"{\"memory\":{\"disableOOMKiller\":true}}", true, "linux.resources.memory.disableOOMKiller",
                 "linux.resources.memory.disableOOMKiller: not supported on cgroup v2"},
                {"{\"cpu\":{\"realtimeRuntime\":100}}", true, "linux.resources.cpu.realtimeRuntime",
                 "linux.resources.cpu.realtimeRuntime: realtime scheduling is not supported on cgroup v2"},
                {"{\"pids\":{}}", false, "linux.resources.pids.limit", "linux.resources.pids.limit: required"},
                {"{\"blockIO\":{\"weight\":5}}", false, "linux.resources.blockIO.weight",
                 "linux.resources.blockIO.weight: 5 is below 10"},
                {"{\"blockIO\":{\"weight\":1001}}", false, "linux.resources.blockIO.weight",
                 "linux.resources.blockIO.weight: 1001 out of range [0, 1000]"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *path = NULL;
                int r;
                char *msg = render(cases[i].json, cases[i].v2, &r, &path);
                assert_int_equal(r, -EINVAL);
                assert_non_null(path);
                assert_string_equal(path, cases[i].path);
                assert_string_equal(msg, cases[i].msg);
                free(path);
                free(msg);
        }
}

static void
test_nothing_without_resources(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_plan plan;
        (void) state;

        assert_int_equal(cgroup_resources_plan(NULL, false, &plan, &err), 0);
        assert_int_equal(plan.n, 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v1_writes),
                cmocka_unit_test(test_v2_conversions),
                cmocka_unit_test(test_conversion_formulas),
                cmocka_unit_test(test_errors_name_the_path),
                cmocka_unit_test(test_nothing_without_resources),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
