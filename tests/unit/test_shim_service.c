/* tests/unit/test_shim_service.c: the shim's pure parts: its config file (runtimeoptions'
 * config_path), Stats' conversion of the runtime's events JSON into cgroups Metrics, and the OOM
 * watcher's file parsing. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroups/v1/metrics.pb.h"
#include "cgroups/v2/metrics.pb.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "proto/nano_callbacks.h"
#include "shim/daemon_setup.h"
#include "shim/metrics.h"
#include "shim/oom.h"
#include "shim/service.h"

static char *
write_temp(const char *text)
{
        char *path = strdup("/tmp/test-shim-config.XXXXXX");
        int fd = mkstemp(path);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        return path;
}

static void
test_config_file(void **state)
{
        struct shim_options o;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *path = write_temp("# berth\n[options]\nBinaryName = \"/usr/sbin/runc\"\n"
                                             "Root = \"/run/x\" # trailing\nSystemdCgroup = true\n"
                                             "NoPivotRoot=false\nIoUid = 1000\nIoGid = 1001\n"
                                             "ShimCgroup = \"/system/shims\"\n");
        (void) state;

        shim_options_defaults(&o);
        assert_string_equal(o.binary_name, "berth");
        assert_int_equal(shim_options_read_config(path, &o, &err), 0);
        assert_string_equal(o.binary_name, "/usr/sbin/runc");
        assert_string_equal(o.root, "/run/x");
        assert_true(o.systemd_cgroup);
        assert_false(o.no_pivot_root);
        assert_int_equal(o.io_uid, 1000);
        assert_int_equal(o.io_gid, 1001);
        assert_string_equal(o.shim_cgroup, "/system/shims");
        shim_options_done(&o);
        unlink(path);
}

static void
expect_config_error(const char *text, const char *msg)
{
        struct shim_options o;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *path = write_temp(text);

        shim_options_defaults(&o);
        assert_int_equal(shim_options_read_config(path, &o, &err), -EINVAL);
        if (!strstr(err->msg, msg))
                fail_msg("%s: %s", msg, err->msg);
        assert_non_null(strstr(err->msg, path));
        shim_options_done(&o);
        unlink(path);
}

static void
test_config_errors(void **state)
{
        (void) state;
        expect_config_error("Frobnicate = 1\n", ":1: unknown key Frobnicate");
        expect_config_error("\nBinaryName\n", ":2: expected key = value");
        expect_config_error("SystemdCgroup = yes\n",
                            ":1: SystemdCgroup: expected true or false, not yes");
        expect_config_error("IoUid = -1\n", ":1: IoUid: not a uid/gid: -1");
        expect_config_error("Root = \"/x\n", ":1: unterminated string");
}

static const char stats_json[] =
        "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":{\"usage\":{\"total\":3000000,\"percpu\":[1000000,2000000],"
        "\"kernel\":1000000,\"user\":2000000},\"throttling\":{\"periods\":5,\"throttledPeriods\":2,\"throttledTime\":7000}},"
        "\"memory\":{\"cache\":4096,\"usage\":{\"limit\":67108864,\"usage\":229376,\"max\":300000,\"failcnt\":1},"
        "\"swap\":{\"limit\":134217728,\"usage\":229376},\"raw\":{\"rss\":8192,\"total_inactive_file\":12288,"
        "\"anon\":111,\"file\":222,\"inactive_file\":333}},\"pids\":{\"current\":3,\"limit\":100}}}";

static void
test_metrics_v1(void **state)
{
        io_containerd_cgroups_v1_Metrics m = io_containerd_cgroups_v1_Metrics_init_zero;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        const char *url = NULL;
        size_t len;
        (void) state;

        assert_int_equal(shim_metrics_from_stats_json(stats_json, false, &url, &buf, &len, &err),
                         0);
        assert_string_equal(url, "io.containerd.cgroups.v1.Metrics");
        assert_int_equal(nano_decode(io_containerd_cgroups_v1_Metrics_fields, &m, buf, len, &err),
                         0);
        assert_true(m.has_cpu && m.has_memory && m.has_pids);
        assert_int_equal(m.cpu.usage.total, 3000000);
        assert_int_equal(m.cpu.usage.kernel, 1000000);
        assert_int_equal(m.cpu.throttling.throttled_periods, 2);
        assert_int_equal(m.memory.cache, 4096);
        assert_int_equal(m.memory.rss, 8192);
        assert_int_equal(m.memory.total_inactive_file, 12288);
        assert_int_equal(m.memory.usage.usage, 229376);
        assert_int_equal(m.memory.usage.limit, 67108864);
        assert_int_equal(m.memory.usage.failcnt, 1);
        assert_int_equal(m.memory.swap.limit, 134217728);
        assert_int_equal(m.pids.current, 3);
        assert_int_equal(m.pids.limit, 100);
}

static void
test_metrics_v2(void **state)
{
        io_containerd_cgroups_v2_Metrics m = io_containerd_cgroups_v2_Metrics_init_zero;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        const char *url = NULL;
        size_t len;
        (void) state;

        assert_int_equal(shim_metrics_from_stats_json(stats_json, true, &url, &buf, &len, &err), 0);
        assert_string_equal(url, "io.containerd.cgroups.v2.Metrics");
        assert_int_equal(nano_decode(io_containerd_cgroups_v2_Metrics_fields, &m, buf, len, &err),
                         0);
        assert_int_equal(m.cpu.usage_usec, 3000);
        assert_int_equal(m.cpu.user_usec, 2000);
        assert_int_equal(m.cpu.system_usec, 1000);
        assert_int_equal(m.cpu.throttled_usec, 7);
        assert_int_equal(m.memory.usage, 229376);
        assert_int_equal(m.memory.usage_limit, 67108864);
        assert_int_equal(m.memory.anon, 111);
        assert_int_equal(m.memory.inactive_file, 333);
        assert_int_equal(m.pids.current, 3);
}

static void
test_metrics_errors(void **state)
{
        cleanup_free uint8_t *buf = NULL;
        const char *url = NULL;
        size_t len;
        (void) state;
        {
                cleanup_error berth_error_t *err = NULL;
                assert_true(shim_metrics_from_stats_json("not json", false, &url, &buf, &len, &err)
                            < 0);
                assert_non_null(strstr(err->msg, "stats"));
        }
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(shim_metrics_from_stats_json("{\"type\":\"oom\"}", false, &url,
                                                              &buf, &len, &err),
                                 -EIO);
                assert_non_null(strstr(err->msg, "no data"));
        }
}

static void
test_oom_count(void **state)
{
        (void) state;
        assert_int_equal(shim_oom_parse_count("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"), 3);
        assert_int_equal(
                shim_oom_parse_count("low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n"),
                2);
        assert_int_equal(shim_oom_parse_count("oom_kill_disable 0\n"), 0);
        assert_int_equal(shim_oom_parse_count(""), 0);
}

static const char mountinfo_hybrid[] =
        "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
        "31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
        "35 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "36 30 0:32 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
static const char mountinfo_unified[] = "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                                        "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";

static void
test_oom_cgroup_dir(void **state)
{
        int v2 = -1;
        (void) state;
        {
                cleanup_free char *d = shim_oom_cgroup_dir(
                        "12:memory:/default/c1\n4:cpu,cpuacct:/default/c1\n0::/default/c1\n",
                        mountinfo_hybrid, &v2);
                assert_string_equal(d, "/sys/fs/cgroup/memory/default/c1");
                assert_int_equal(v2, 0);
        }
        {
                cleanup_free char *d =
                        shim_oom_cgroup_dir("0::/k8s/pod1/c2\n", mountinfo_unified, &v2);
                assert_string_equal(d, "/sys/fs/cgroup/k8s/pod1/c2");
                assert_int_equal(v2, 1);
        }
        assert_null(shim_oom_cgroup_dir("4:cpu,cpuacct:/x\n", mountinfo_unified, &v2));
        assert_null(shim_oom_cgroup_dir("12:memory:/x\n", mountinfo_unified, &v2));
}

static void
test_cgroup_procs_files(void **state)
{
        (void) state;
        {
                cleanup_strv char **v = shim_cgroup_procs_files(mountinfo_hybrid, "/shims/a");
                assert_int_equal(strv_length(v), 3);
                assert_string_equal(v[0], "/sys/fs/cgroup/unified/shims/a/cgroup.procs");
                assert_string_equal(v[1], "/sys/fs/cgroup/memory/shims/a/cgroup.procs");
                assert_string_equal(v[2], "/sys/fs/cgroup/cpu,cpuacct/shims/a/cgroup.procs");
        }
        {
                cleanup_strv char **v = shim_cgroup_procs_files(mountinfo_unified, "shims");
                assert_int_equal(strv_length(v), 1);
                assert_string_equal(v[0], "/sys/fs/cgroup/shims/cgroup.procs");
        }
        assert_null(shim_cgroup_procs_files("25 1 8:1 / / rw - ext4 /dev/sda1 rw\n", "x"));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_file),    cmocka_unit_test(test_config_errors),
                cmocka_unit_test(test_metrics_v1),     cmocka_unit_test(test_metrics_v2),
                cmocka_unit_test(test_metrics_errors), cmocka_unit_test(test_oom_count),
                cmocka_unit_test(test_oom_cgroup_dir), cmocka_unit_test(test_cgroup_procs_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
