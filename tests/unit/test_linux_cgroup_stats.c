/* tests/unit/test_linux_cgroup_stats.c: stats from v1 and v2 cgroup files, on fake directories,
 * and the pure parsers of the blkio files. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include "lib/strv.h"
#include "runtime/linux/cgroup_stats.h"
#include "runtime/linux/hugetlb.h"

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


/* The array at data.blkio.KEY as "major:minor op value" lines. */
static char *
blkio_text(struct json_object *data, const char *key)
{
        struct json_object *blkio = NULL, *arr = NULL;
        char buf[1024] = "";

        assert_true(json_object_object_get_ex(data, "blkio", &blkio));
        assert_true(json_object_object_get_ex(blkio, key, &arr));
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *e = json_object_array_get_idx(arr, i), *v;
                size_t n = strlen(buf);
                uint64_t major = 0, minor = 0, value = 0;
                const char *op = "-";
                if (json_object_object_get_ex(e, "major", &v))
                        major = json_object_get_uint64(v);
                if (json_object_object_get_ex(e, "minor", &v))
                        minor = json_object_get_uint64(v);
                if (json_object_object_get_ex(e, "op", &v))
                        op = json_object_get_string(v);
                if (json_object_object_get_ex(e, "value", &v))
                        value = json_object_get_uint64(v);
                snprintf(buf + n, sizeof(buf) - n, "%" PRIu64 ":%" PRIu64 " %s %" PRIu64 "\n", major, minor, op, value);
        }
        return strdup(buf);
}

static void
test_blkio_parse(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_json struct json_object *arr = NULL;
        cleanup_json struct json_object *sectors = NULL;
        struct json_object *ret = NULL;
        (void) state;

        assert_int_equal(cgroup_blkio_parse("8:0 Read 1282048\n8:0 Write 2195456\n254:16 Total 3477504\nTotal 3477504\n",
                                            &arr, &err),
                         0);
        assert_int_equal(json_object_array_length(arr), 3);
        assert_string_equal(json_object_to_json_string_ext(json_object_array_get_idx(arr, 2), JSON_C_TO_STRING_PLAIN),
                            "{\"major\":254,\"minor\":16,\"op\":\"Total\",\"value\":3477504}");
        /* sectors: no op */
        assert_int_equal(cgroup_blkio_parse("8:0 6792\n", &sectors, &err), 0);
        assert_string_equal(json_object_to_json_string_ext(sectors, JSON_C_TO_STRING_PLAIN),
                            "[{\"major\":8,\"minor\":0,\"value\":6792}]");
        /* empty: an empty array */
        assert_int_equal(cgroup_blkio_parse("", &ret, &err), 0);
        assert_int_equal(json_object_array_length(ret), 0);
        json_object_put(ret);
        ret = NULL;
        assert_int_equal(cgroup_blkio_parse("8:0 Read x\n", &ret, &e2), -EINVAL);
        assert_string_equal(e2->msg, "malformed blkio line \"8:0 Read x\"");
        assert_null(ret);
        for (size_t i = 0; i < 4; i++) {
                static const char *const bad[] = {"8 Read 1\n", "8:0 Read 1 2\n", "Total\n", "a:b 1\n"};
                cleanup_error berth_error_t *e = NULL;
                assert_int_equal(cgroup_blkio_parse(bad[i], &ret, &e), -EINVAL);
        }
}

static void
test_io_stat_parse(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_json struct json_object *bytes = json_object_new_array();
        cleanup_json struct json_object *ios = json_object_new_array();
        (void) state;

        assert_int_equal(cgroup_io_stat_parse("254:0 rbytes=4096 wbytes=1048576 rios=1 wios=16 dbytes=0 dios=0\n"
                                              "7:1 rbytes=0 wbytes=0 rios=0 wios=0\n",
                                              bytes, ios, &err),
                         0);
        assert_string_equal(json_object_to_json_string_ext(bytes, JSON_C_TO_STRING_PLAIN),
                            "[{\"major\":254,\"minor\":0,\"op\":\"Read\",\"value\":4096},"
                            "{\"major\":254,\"minor\":0,\"op\":\"Write\",\"value\":1048576},"
                            "{\"major\":7,\"minor\":1,\"op\":\"Read\",\"value\":0},"
                            "{\"major\":7,\"minor\":1,\"op\":\"Write\",\"value\":0}]");
        assert_int_equal(json_object_array_length(ios), 4);
        assert_int_equal(cgroup_io_stat_parse("8:0 rbytes=x\n", bytes, ios, &e2), -EINVAL);
        assert_string_equal(e2->msg, "io.stat: malformed value \"rbytes=x\"");
}

static void
test_blkio_v1_groups(void **state)
{
        char tmpl[] = "/tmp/berth-stats-XXXXXX";
        char *dir = mkdtemp(tmpl);
        char *dirs[] = {dir, NULL};
        cleanup_json struct json_object *data = NULL;
        cleanup_json struct json_object *d2 = NULL;
        cleanup_free char *bytes = NULL, *serviced = NULL, *b2 = NULL, *sectors = NULL;
        (void) state;

        assert_non_null(dir);
        /* BFQ's files there but empty (the device uses another scheduler): the throttle layer's */
        put(dir, "blkio.bfq.io_serviced_recursive", "");
        put(dir, "blkio.bfq.io_service_bytes_recursive", "");
        put(dir, "blkio.throttle.io_serviced", "254:0 Write 16\nTotal 16\n");
        put(dir, "blkio.throttle.io_service_bytes", "254:0 Write 1048576\nTotal 1048576\n");
        put(dir, "blkio.throttle.io_serviced_recursive", "254:0 Read 1\n254:0 Write 16\nTotal 17\n");
        put(dir, "blkio.throttle.io_service_bytes_recursive", "254:0 Read 4096\n254:0 Write 1048576\nTotal 1052672\n");
        data = cgroup_stats_collect(dirs);
        bytes = blkio_text(data, "ioServiceBytesRecursive");
        serviced = blkio_text(data, "ioServicedRecursive");
        sectors = blkio_text(data, "sectorsRecursive");
        assert_string_equal(bytes, "254:0 Read 4096\n254:0 Write 1048576\n");
        assert_string_equal(serviced, "254:0 Read 1\n254:0 Write 16\n");
        assert_string_equal(sectors, "");
        /* BFQ's debug files with lines: that whole group */
        put(dir, "blkio.bfq.sectors_recursive", "254:0 8\n");
        put(dir, "blkio.bfq.io_service_time_recursive", "254:0 Read 5\n");
        put(dir, "blkio.bfq.io_wait_time_recursive", "254:0 Read 6\n");
        put(dir, "blkio.bfq.io_merged_recursive", "254:0 Read 7\n");
        put(dir, "blkio.bfq.io_queued_recursive", "254:0 Read 0\n");
        put(dir, "blkio.bfq.time_recursive", "254:0 9\n");
        put(dir, "blkio.bfq.io_serviced_recursive", "254:0 Read 2\n");
        put(dir, "blkio.bfq.io_service_bytes_recursive", "254:0 Read 8192\n");
        d2 = cgroup_stats_collect(dirs);
        b2 = blkio_text(d2, "ioServiceBytesRecursive");
        assert_string_equal(b2, "254:0 Read 8192\n");
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, NULL), 0);
}

static void
test_hugetlb_stats(void **state)
{
        char tmpl[] = "/tmp/berth-stats-XXXXXX";
        char *dir = mkdtemp(tmpl);
        char *dirs[] = {dir, NULL};
        cleanup_strv char **sizes = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *v1 = NULL;
        cleanup_json struct json_object *v2 = NULL;
        cleanup_json struct json_object *none = NULL;
        struct json_object *h = NULL;
        (void) state;

        assert_non_null(dir);
        assert_int_equal(hugetlb_page_sizes(&sizes, &err), 0);
        none = cgroup_stats_collect(dirs);
        assert_true(json_object_object_get_ex(none, "hugetlb", &h));
        assert_int_equal(json_object_object_length(h), 0);
        if (!sizes[0]) {
                /* a kernel without huge pages: nothing more to see */
                assert_int_equal(fs_remove_tree(AT_FDCWD, dir, NULL), 0);
                return;
        }
        {
                char f[128];
                snprintf(f, sizeof(f), "hugetlb.%s.current", sizes[0]);
                put(dir, f, "2097152\n");
                snprintf(f, sizeof(f), "hugetlb.%s.events", sizes[0]);
                put(dir, f, "max 3\n");
        }
        v2 = cgroup_stats_collect(dirs);
        assert_int_equal(at(v2, "hugetlb", sizes[0], "usage"), 2097152);
        assert_int_equal(at(v2, "hugetlb", sizes[0], "max"), 0);
        assert_int_equal(at(v2, "hugetlb", sizes[0], "failcnt"), 3);
        {
                char f[128];
                snprintf(f, sizeof(f), "hugetlb.%s.usage_in_bytes", sizes[0]);
                put(dir, f, "4194304\n");
                snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", sizes[0]);
                put(dir, f, "6291456\n");
                snprintf(f, sizeof(f), "hugetlb.%s.failcnt", sizes[0]);
                put(dir, f, "1\n");
        }
        v1 = cgroup_stats_collect(dirs);
        assert_int_equal(at(v1, "hugetlb", sizes[0], "usage"), 4194304);
        assert_int_equal(at(v1, "hugetlb", sizes[0], "max"), 6291456);
        assert_int_equal(at(v1, "hugetlb", sizes[0], "failcnt"), 1);
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, NULL), 0);
}

static void
test_v2_io_stat(void **state)
{
        char tmpl[] = "/tmp/berth-stats-XXXXXX";
        char *dir = mkdtemp(tmpl);
        char *dirs[] = {dir, NULL};
        cleanup_json struct json_object *data = NULL;
        cleanup_free char *bytes = NULL, *ios = NULL, *queued = NULL;
        (void) state;

        assert_non_null(dir);
        put(dir, "io.stat", "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        data = cgroup_stats_collect(dirs);
        bytes = blkio_text(data, "ioServiceBytesRecursive");
        ios = blkio_text(data, "ioServicedRecursive");
        queued = blkio_text(data, "ioQueueRecursive");
        assert_string_equal(bytes, "254:0 Read 4096\n254:0 Write 8192\n");
        assert_string_equal(ios, "254:0 Read 1\n254:0 Write 2\n");
        assert_string_equal(queued, "");
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
                cmocka_unit_test(test_blkio_parse),
                cmocka_unit_test(test_io_stat_parse),
                cmocka_unit_test(test_blkio_v1_groups),
                cmocka_unit_test(test_v2_io_stat),
                cmocka_unit_test(test_hugetlb_stats),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
