/* tests/unit/test_tasks_metrics.c: supervisor/tasks/metrics.h: cgroup v1 and v2 Metrics (packed
 * with protobuf-c as the shim sends them) into docker's stats JSON, the zeroed answer, and
 * /proc/stat's system cpu time. */
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

#include "cgroups/v1/metrics.pb-c.h"
#include "cgroups/v2/metrics.pb-c.h"
#include "supervisor/tasks/metrics.h"

static uint64_t
at(struct json_object *o, const char *path)
{
        char buf[128];
        char *save = NULL;
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
                struct json_object *v = NULL;
                assert_true(json_object_object_get_ex(o, k, &v));
                o = v;
        }
        return (uint64_t) json_object_get_uint64(o);
}

static bool
has(struct json_object *o, const char *k)
{
        return json_object_object_get_ex(o, k, NULL);
}

static void
test_v1(void **state)
{
        (void) state;
        Io__Containerd__Cgroups__V1__Metrics m = IO__CONTAINERD__CGROUPS__V1__METRICS__INIT;
        Io__Containerd__Cgroups__V1__PidsStat pids = IO__CONTAINERD__CGROUPS__V1__PIDS_STAT__INIT;
        Io__Containerd__Cgroups__V1__CPUStat cpu = IO__CONTAINERD__CGROUPS__V1__CPUSTAT__INIT;
        Io__Containerd__Cgroups__V1__CPUUsage usage = IO__CONTAINERD__CGROUPS__V1__CPUUSAGE__INIT;
        Io__Containerd__Cgroups__V1__Throttle thr = IO__CONTAINERD__CGROUPS__V1__THROTTLE__INIT;
        Io__Containerd__Cgroups__V1__MemoryStat mem = IO__CONTAINERD__CGROUPS__V1__MEMORY_STAT__INIT;
        Io__Containerd__Cgroups__V1__MemoryEntry mu = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT;
        Io__Containerd__Cgroups__V1__BlkIOStat blk = IO__CONTAINERD__CGROUPS__V1__BLK_IOSTAT__INIT;
        Io__Containerd__Cgroups__V1__BlkIOEntry e1 = IO__CONTAINERD__CGROUPS__V1__BLK_IOENTRY__INIT;
        Io__Containerd__Cgroups__V1__BlkIOEntry *es[] = {&e1};
        uint64_t per[] = {600, 400};
        struct json_object *o = json_object_new_object(), *v = NULL;
        uint8_t buf[1024];
        size_t n;

        pids.current = 3;
        pids.limit = 50;
        m.pids = &pids;
        usage.total = 1000;
        usage.kernel = 300;
        usage.user = 700;
        usage.n_per_cpu = 2;
        usage.per_cpu = per;
        cpu.usage = &usage;
        thr.periods = 10;
        thr.throttled_periods = 2;
        thr.throttled_time = 99;
        cpu.throttling = &thr;
        m.cpu = &cpu;
        mem.total_inactive_file = 4096;
        mem.cache = 8192;
        mem.total_rss = 123;
        mem.pg_fault = 7;
        mu.usage = 1 << 20;
        mu.max = 2 << 20;
        mu.limit = UINT64_C(9223372036854771712);
        mu.failcnt = 1;
        mem.usage = &mu;
        m.memory = &mem;
        e1.op = "Read";
        e1.major = 8;
        e1.minor = 0;
        e1.value = 512;
        blk.n_io_service_bytes_recursive = 1;
        blk.io_service_bytes_recursive = es;
        m.blkio = &blk;
        n = io__containerd__cgroups__v1__metrics__pack(&m, buf);

        assert_int_equal(task_metrics_to_docker("type.googleapis.com/io.containerd.cgroups.v1.Metrics",
                                                buf, n, 1 << 30, o, NULL),
                         0);
        assert_int_equal(at(o, "pids_stats.current"), 3);
        assert_int_equal(at(o, "pids_stats.limit"), 50);
        assert_int_equal(at(o, "cpu_stats.cpu_usage.total_usage"), 1000);
        assert_int_equal(at(o, "cpu_stats.cpu_usage.usage_in_kernelmode"), 300);
        assert_int_equal(at(o, "cpu_stats.cpu_usage.usage_in_usermode"), 700);
        assert_true(json_object_object_get_ex(json_object_object_get(json_object_object_get(o, "cpu_stats"), "cpu_usage"), "percpu_usage", &v));
        assert_int_equal(json_object_array_length(v), 2);
        assert_int_equal(json_object_get_uint64(json_object_array_get_idx(v, 0)), 600);
        assert_int_equal(at(o, "cpu_stats.throttling_data.periods"), 10);
        assert_int_equal(at(o, "cpu_stats.throttling_data.throttled_periods"), 2);
        assert_int_equal(at(o, "cpu_stats.throttling_data.throttled_time"), 99);
        assert_int_equal(at(o, "memory_stats.usage"), 1 << 20);
        assert_int_equal(at(o, "memory_stats.max_usage"), 2 << 20);
        assert_int_equal(at(o, "memory_stats.failcnt"), 1);
        /* no limit: the host's memory */
        assert_int_equal(at(o, "memory_stats.limit"), 1 << 30);
        assert_int_equal(at(o, "memory_stats.stats.total_inactive_file"), 4096);
        assert_int_equal(at(o, "memory_stats.stats.cache"), 8192);
        assert_int_equal(at(o, "memory_stats.stats.pgfault"), 7);
        v = json_object_object_get(json_object_object_get(o, "blkio_stats"),
                                   "io_service_bytes_recursive");
        assert_int_equal(json_object_array_length(v), 1);
        assert_string_equal(json_object_get_string(
                                    json_object_object_get(json_object_array_get_idx(v, 0), "op")),
                            "Read");
        /* an empty list is null, as Go's nil slice */
        assert_true(has(json_object_object_get(o, "blkio_stats"), "io_serviced_recursive"));
        assert_null(json_object_object_get(json_object_object_get(o, "blkio_stats"),
                                           "io_serviced_recursive"));
        json_object_put(o);
}

static void
test_v2(void **state)
{
        (void) state;
        Io__Containerd__Cgroups__V2__Metrics m = IO__CONTAINERD__CGROUPS__V2__METRICS__INIT;
        Io__Containerd__Cgroups__V2__PidsStat pids = IO__CONTAINERD__CGROUPS__V2__PIDS_STAT__INIT;
        Io__Containerd__Cgroups__V2__CPUStat cpu = IO__CONTAINERD__CGROUPS__V2__CPUSTAT__INIT;
        Io__Containerd__Cgroups__V2__MemoryStat mem = IO__CONTAINERD__CGROUPS__V2__MEMORY_STAT__INIT;
        Io__Containerd__Cgroups__V2__IOStat io = IO__CONTAINERD__CGROUPS__V2__IOSTAT__INIT;
        Io__Containerd__Cgroups__V2__IOEntry e = IO__CONTAINERD__CGROUPS__V2__IOENTRY__INIT;
        Io__Containerd__Cgroups__V2__IOEntry *es[] = {&e};
        struct json_object *o = json_object_new_object(), *v;
        uint8_t buf[1024];
        size_t n;

        pids.current = 2;
        m.pids = &pids;
        cpu.usage_usec = 5;
        cpu.user_usec = 3;
        cpu.system_usec = 2;
        cpu.nr_periods = 4;
        cpu.nr_throttled = 1;
        cpu.throttled_usec = 7;
        m.cpu = &cpu;
        mem.usage = 3000;
        mem.usage_limit = 67108864;
        mem.inactive_file = 100;
        mem.anon = 2000;
        m.memory = &mem;
        e.major = 254;
        e.minor = 1;
        e.rbytes = 10;
        e.wbytes = 20;
        e.rios = 1;
        e.wios = 2;
        io.n_usage = 1;
        io.usage = es;
        m.io = &io;
        n = io__containerd__cgroups__v2__metrics__pack(&m, buf);

        assert_int_equal(task_metrics_to_docker("io.containerd.cgroups.v2.Metrics", buf, n,
                                                1 << 30, o, NULL),
                         0);
        assert_int_equal(at(o, "pids_stats.current"), 2);
        assert_false(has(json_object_object_get(o, "pids_stats"), "limit"));
        assert_int_equal(at(o, "cpu_stats.cpu_usage.total_usage"), 5000);
        assert_int_equal(at(o, "cpu_stats.cpu_usage.usage_in_usermode"), 3000);
        assert_int_equal(at(o, "cpu_stats.cpu_usage.usage_in_kernelmode"), 2000);
        assert_false(has(json_object_object_get(json_object_object_get(o, "cpu_stats"), "cpu_usage"),
                         "percpu_usage"));
        assert_int_equal(at(o, "cpu_stats.throttling_data.throttled_time"), 7000);
        assert_int_equal(at(o, "memory_stats.usage"), 3000);
        assert_int_equal(at(o, "memory_stats.limit"), 67108864);
        assert_false(has(json_object_object_get(o, "memory_stats"), "max_usage"));
        assert_int_equal(at(o, "memory_stats.stats.inactive_file"), 100);
        assert_int_equal(at(o, "memory_stats.stats.anon"), 2000);
        v = json_object_object_get(json_object_object_get(o, "blkio_stats"),
                                   "io_service_bytes_recursive");
        assert_int_equal(json_object_array_length(v), 2);
        assert_int_equal(at(json_object_array_get_idx(v, 1), "value"), 20);
        assert_string_equal(json_object_get_string(
                                    json_object_object_get(json_object_array_get_idx(v, 1), "op")),
                            "write");
        v = json_object_object_get(json_object_object_get(o, "blkio_stats"),
                                   "io_serviced_recursive");
        assert_int_equal(at(json_object_array_get_idx(v, 0), "value"), 1);
        json_object_put(o);
}

static void
test_bad(void **state)
{
        (void) state;
        struct json_object *o = json_object_new_object();
        berth_error_t *err = NULL;
        const uint8_t junk[] = {0xff, 0xff, 0xff};

        assert_int_equal(task_metrics_to_docker("io.containerd.cgroups.v3.Metrics", junk, 3, 0, o,
                                                &err),
                         -EINVAL);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(task_metrics_to_docker("io.containerd.cgroups.v1.Metrics", junk, 3, 0, o,
                                                &err),
                         -EINVAL);
        berth_error_free(err);
        json_object_put(o);
}

static void
test_zero(void **state)
{
        (void) state;
        struct json_object *o = task_metrics_docker_zero("/web", "abc");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "read")),
                            "0001-01-01T00:00:00Z");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "name")), "/web");
        assert_int_equal(at(o, "cpu_stats.cpu_usage.total_usage"), 0);
        assert_int_equal(at(o, "precpu_stats.throttling_data.periods"), 0);
        assert_int_equal(json_object_object_length(json_object_object_get(o, "memory_stats")), 0);
        assert_null(json_object_object_get(json_object_object_get(o, "blkio_stats"),
                                           "sectors_recursive"));
        json_object_put(o);
}

static void
test_system_cpu(void **state)
{
        (void) state;
        const char *stat = "cpu  10 20 30 40 50 60 70 80 90 100\n"
                           "cpu0 5 10 15 20 25 30 35 40 45 50\n"
                           "cpu1 5 10 15 20 25 30 35 40 45 50\n"
                           "intr 1 2 3\nctxt 4\n";
        uint64_t ns = 0;
        uint32_t online = 0;
        berth_error_t *err = NULL;

        assert_int_equal(task_metrics_system_cpu(stat, 100, &ns, &online, NULL), 0);
        /* 10+20+…+70 = 280 ticks of 10 ms */
        assert_int_equal(ns, UINT64_C(2800000000));
        assert_int_equal(online, 2);
        assert_int_equal(task_metrics_system_cpu("intr 1\n", 100, &ns, &online, &err), -EINVAL);
        berth_error_free(err);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v1),   cmocka_unit_test(test_v2),
                cmocka_unit_test(test_bad),  cmocka_unit_test(test_zero),
                cmocka_unit_test(test_system_cpu),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
