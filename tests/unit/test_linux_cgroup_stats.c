/* tests/unit/test_linux_cgroup_stats.c: stats from v1 and v2 cgroup files, on fake directories. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "runtime/linux/cgroup_stats.h"

static void
put(const char *dir, const char *file, const char *text)
{
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, file);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static uint64_t
at(struct json_object *o, const char *a, const char *b, const char *c)
{
        struct json_object *x = o;
        assert_true(json_object_object_get_ex(x, a, &x));
        if (b)
                assert_true(json_object_object_get_ex(x, b, &x));
        if (c)
                assert_true(json_object_object_get_ex(x, c, &x));
        return json_object_get_uint64(x);
}

static void
test_keyed_value(void **state)
{
        (void) state;
        assert_int_equal(cgroup_keyed_value("a 1\nb 22\nbb 3\n", "b"), 22);
        assert_int_equal(cgroup_keyed_value("a 1\nbb 3", "b"), 0);
        assert_int_equal(cgroup_keyed_value(NULL, "b"), 0);
}

static void
test_v1_files(void **state)
{
        char tmpl[] = "/tmp/berth-stats-XXXXXX";
        char *dir = mkdtemp(tmpl);
        char *dirs[] = {dir, NULL};
        cleanup_json struct json_object *data = NULL;
        (void) state;

        assert_non_null(dir);
        put(dir, "cpuacct.usage", "5000\n");
        put(dir, "cpuacct.usage_percpu", "2000 3000 \n");
        put(dir, "cpuacct.stat", "user 3\nsystem 2\n");
        put(dir, "cpu.stat", "nr_periods 7\nnr_throttled 1\nthrottled_time 99\n");
        put(dir, "memory.usage_in_bytes", "4096\n");
        put(dir, "memory.max_usage_in_bytes", "8192\n");
        put(dir, "memory.failcnt", "2\n");
        put(dir, "memory.limit_in_bytes", "16777216\n");
        put(dir, "memory.stat", "cache 100\nrss 200\n");
        put(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        put(dir, "pids.current", "4\n");
        put(dir, "pids.max", "max\n");
        data = cgroup_stats_collect(dirs);
        assert_int_equal(at(data, "cpu", "usage", "total"), 5000);
        assert_int_equal(at(data, "cpu", "throttling", "throttledPeriods"), 1);
        assert_int_equal(at(data, "memory", "usage", "usage"), 4096);
        assert_int_equal(at(data, "memory", "usage", "max"), 8192);
        assert_int_equal(at(data, "memory", "usage", "limit"), 16777216);
        assert_int_equal(at(data, "memory", "cache", NULL), 100);
        assert_int_equal(at(data, "memory", "raw", "rss"), 200);
        assert_int_equal(at(data, "pids", "current", NULL), 4);
        assert_int_equal(at(data, "pids", "limit", NULL), 0); /* "max": no limit, as runc */
        assert_int_equal(cgroup_oom_kills(dirs), 3);
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, NULL), 0);
}

static void
test_v2_files(void **state)
{
        char tmpl[] = "/tmp/berth-stats-XXXXXX";
        char *dir = mkdtemp(tmpl);
        char *dirs[] = {dir, NULL};
        cleanup_json struct json_object *data = NULL;
        (void) state;

        assert_non_null(dir);
        put(dir, "cpu.stat", "usage_usec 7\nuser_usec 4\nsystem_usec 3\nnr_periods 0\n");
        put(dir, "memory.current", "1024\n");
        put(dir, "memory.max", "max\n");
        put(dir, "memory.stat", "file 50\nanon 60\n");
        put(dir, "memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n");
        put(dir, "pids.current", "2\n");
        put(dir, "pids.max", "30\n");
        data = cgroup_stats_collect(dirs);
        /* microseconds become nanoseconds */
        assert_int_equal(at(data, "cpu", "usage", "total"), 7000);
        assert_int_equal(at(data, "cpu", "usage", "kernel"), 3000);
        assert_int_equal(at(data, "memory", "usage", "usage"), 1024);
        assert_true(at(data, "memory", "usage", "limit") == UINT64_MAX);
        assert_int_equal(at(data, "memory", "usage", "failcnt"), 5);
        assert_int_equal(at(data, "memory", "cache", NULL), 50);
        assert_int_equal(at(data, "pids", "limit", NULL), 30);
        assert_int_equal(cgroup_oom_kills(dirs), 1);
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, NULL), 0);
}

static void
test_v2_without_pids_controller_counts_procs(void **state)
{
        char tmpl[] = "/tmp/berth-stats-XXXXXX";
        char *dir = mkdtemp(tmpl);
        char *dirs[] = {dir, NULL};
        cleanup_json struct json_object *data = NULL;
        (void) state;

        assert_non_null(dir);
        put(dir, "cpu.stat", "usage_usec 9\nuser_usec 5\nsystem_usec 4\n");
        put(dir, "cgroup.procs", "10\n11\n12\n");
        data = cgroup_stats_collect(dirs);
        assert_int_equal(at(data, "cpu", "usage", "total"), 9000);
        assert_int_equal(at(data, "pids", "current", NULL), 3);
        assert_int_equal(at(data, "pids", "limit", NULL), 0);
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, NULL), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keyed_value),
                cmocka_unit_test(test_v1_files),
                cmocka_unit_test(test_v2_files),
                cmocka_unit_test(test_v2_without_pids_controller_counts_procs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
