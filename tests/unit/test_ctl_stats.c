/* tests/unit/test_ctl_stats.c: supervisor/ctl/stats.h: the docker CLI's CPU % and memory math,
 * its byte units, one table row, and docker update's flags. */
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

#include "supervisor/ctl/stats.h"

static struct json_object *
parse(const char *s)
{
        struct json_object *o = json_tokener_parse(s);
        assert_non_null(o);
        return o;
}

static const char *
field(struct json_object *o, const char *k)
{
        return json_object_get_string(json_object_object_get(o, k));
}

static void
test_cpu_percent(void **state)
{
        (void) state;
        /* 0.5 s of cpu in 2 s of system time on 2 cpus: 50% */
        struct json_object *s = parse(
                "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":1500000000},"
                "\"system_cpu_usage\":12000000000,\"online_cpus\":2},"
                "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":1000000000},"
                "\"system_cpu_usage\":10000000000}}");
        assert_float_equal(ctl_stats_cpu_percent(s), 50.0, 1e-9);
        json_object_put(s);
        /* no online_cpus: the percpu list's length (4) */
        s = parse("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":300,\"percpu_usage\":[1,1,1,1]},"
                  "\"system_cpu_usage\":1200},"
                  "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":200},\"system_cpu_usage\":1000}}");
        assert_float_equal(ctl_stats_cpu_percent(s), 200.0, 1e-9);
        json_object_put(s);
        /* first sample (no precpu system time) or no cpu used: 0 */
        s = parse("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":100},\"system_cpu_usage\":1000,"
                  "\"online_cpus\":2},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":100},"
                  "\"system_cpu_usage\":500}}");
        assert_float_equal(ctl_stats_cpu_percent(s), 0.0, 1e-9);
        json_object_put(s);
        s = parse("{}");
        assert_float_equal(ctl_stats_cpu_percent(s), 0.0, 1e-9);
        json_object_put(s);
}

static void
test_memory(void **state)
{
        (void) state;
        struct json_object *v1 = parse("{\"memory_stats\":{\"usage\":10000,\"limit\":40000,"
                                       "\"stats\":{\"total_inactive_file\":2000}}}");
        struct json_object *v2 = parse("{\"memory_stats\":{\"usage\":10000,\"limit\":40000,"
                                       "\"stats\":{\"inactive_file\":5000}}}");
        struct json_object *big = parse("{\"memory_stats\":{\"usage\":100,"
                                        "\"stats\":{\"inactive_file\":5000}}}");
        assert_int_equal(ctl_stats_mem_usage(v1), 8000);
        assert_int_equal(ctl_stats_mem_usage(v2), 5000);
        assert_int_equal(ctl_stats_mem_usage(big), 100);
        assert_float_equal(ctl_stats_mem_percent(8000, 40000), 20.0, 1e-9);
        assert_float_equal(ctl_stats_mem_percent(8000, 0), 0.0, 1e-9);
        json_object_put(v1);
        json_object_put(v2);
        json_object_put(big);
}

static void
test_units(void **state)
{
        (void) state;
        char b[32];
        ctl_stats_bytes_binary(0, b, sizeof(b));
        assert_string_equal(b, "0B");
        ctl_stats_bytes_binary(1536, b, sizeof(b));
        assert_string_equal(b, "1.5KiB");
        ctl_stats_bytes_binary(67108864, b, sizeof(b));
        assert_string_equal(b, "64MiB");
        ctl_stats_bytes_binary(1234567, b, sizeof(b));
        assert_string_equal(b, "1.177MiB");
        ctl_stats_bytes_decimal(0, b, sizeof(b));
        assert_string_equal(b, "0B");
        ctl_stats_bytes_decimal(4096, b, sizeof(b));
        assert_string_equal(b, "4.1kB");
        ctl_stats_bytes_decimal(12345678, b, sizeof(b));
        assert_string_equal(b, "12.3MB");
}

static void
test_row(void **state)
{
        (void) state;
        struct json_object *s = parse(
                "{\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
                "\"name\":\"/web\",\"pids_stats\":{\"current\":3},"
                "\"blkio_stats\":{\"io_service_bytes_recursive\":["
                "{\"major\":8,\"minor\":0,\"op\":\"Read\",\"value\":4096},"
                "{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":1000},"
                "{\"major\":8,\"minor\":0,\"op\":\"Total\",\"value\":5096}]},"
                "\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":1250},\"system_cpu_usage\":11000,"
                "\"online_cpus\":2},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":1000},"
                "\"system_cpu_usage\":10000},"
                "\"memory_stats\":{\"usage\":2097152,\"limit\":67108864,"
                "\"stats\":{\"total_inactive_file\":1048576}}}");
        struct json_object *row = ctl_stats_row(s, NULL, false);
        assert_string_equal(field(row, "ID"), "0123456789ab");
        assert_string_equal(field(row, "Container"),
                            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_string_equal(field(row, "Name"), "web");
        assert_string_equal(field(row, "CPUPerc"), "50.00%");
        assert_string_equal(field(row, "MemUsage"), "1MiB / 64MiB");
        assert_string_equal(field(row, "MemPerc"), "1.56%");
        assert_string_equal(field(row, "NetIO"), "0B / 0B");
        assert_string_equal(field(row, "BlockIO"), "4.1kB / 1kB");
        assert_string_equal(field(row, "PIDs"), "3");
        json_object_put(row);
        row = ctl_stats_row(s, "web", true);
        assert_string_equal(field(row, "Container"), "web");
        assert_int_equal(strlen(field(row, "ID")), 64);
        json_object_put(row);
        json_object_put(s);
}

static void
test_update_parse(void **state)
{
        (void) state;
        char *argv[] = {"update", "-m", "64m", "--memory-swap", "-1", "--cpus", "1.5",
                        "--pids-limit", "50", "--cpuset-cpus", "0", "--restart",
                        "on-failure:3", "-c", "512", "web", "db", NULL};
        struct json_object *body = NULL, *rp;
        berth_error_t *err = NULL;
        int first = 0;

        assert_int_equal(ctl_update_parse(17, argv, &body, &first, NULL), 0);
        assert_int_equal(first, 15);
        assert_int_equal(json_object_get_int64(json_object_object_get(body, "Memory")), 67108864);
        assert_int_equal(json_object_get_int64(json_object_object_get(body, "MemorySwap")), -1);
        assert_int_equal(json_object_get_int64(json_object_object_get(body, "NanoCpus")),
                         1500000000);
        assert_int_equal(json_object_get_int64(json_object_object_get(body, "PidsLimit")), 50);
        assert_int_equal(json_object_get_int64(json_object_object_get(body, "CpuShares")), 512);
        assert_string_equal(field(body, "CpusetCpus"), "0");
        rp = json_object_object_get(body, "RestartPolicy");
        assert_string_equal(field(rp, "Name"), "on-failure");
        assert_int_equal(json_object_get_int64(json_object_object_get(rp, "MaximumRetryCount")), 3);
        json_object_put(body);

        char *none[] = {"update", "web", NULL};
        assert_int_equal(ctl_update_parse(2, none, &body, &first, &err), -EINVAL);
        assert_string_equal(err->msg, "you must provide one or more flags when using this command");
        berth_error_free(err);
        err = NULL;
        char *bad[] = {"update", "--pids-limit", "x", "web", NULL};
        assert_int_equal(ctl_update_parse(4, bad, &body, &first, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "--pids-limit"));
        berth_error_free(err);
        err = NULL;
        char *pol[] = {"update", "--restart", "always:3", "web", NULL};
        assert_int_equal(ctl_update_parse(4, pol, &body, &first, &err), -EINVAL);
        berth_error_free(err);
        err = NULL;
        char *noarg[] = {"update", "-m", "64m", NULL};
        assert_int_equal(ctl_update_parse(3, noarg, &body, &first, &err), -EINVAL);
        berth_error_free(err);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cpu_percent), cmocka_unit_test(test_memory),
                cmocka_unit_test(test_units),       cmocka_unit_test(test_row),
                cmocka_unit_test(test_update_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
