/* tests/unit/test_linux_cgroup_exec.c: `exec --cgroup` argument rules (runc 1.1's) and the
 * directories an exec'd process joins on hybrid, legacy and unified hosts. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/strv.h"
#include "runtime/linux/cgroup_exec.h"

static const char hybrid_mountinfo[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
        "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw\n"
        "32 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,cpu,cpuacct\n"
        "33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:7 - cgroup cgroup rw,memory\n"
        "34 30 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,pids\n";
static const char hybrid_self[] = "4:pids:/\n3:memory:/\n2:cpu,cpuacct:/\n0::/\n";

static const char unified_mountinfo[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n";
static const char unified_self[] = "0::/\n";

static char *const hybrid_dirs[] = {
        "/sys/fs/cgroup/unified/c1", "/sys/fs/cgroup/cpu,cpuacct/c1", "/sys/fs/cgroup/memory/c1",
        "/sys/fs/cgroup/pids/c1", NULL,
};

static int
parse(const char *const *args, struct cgroup_subs *subs, berth_error_t **err)
{
        return cgroup_subs_parse((char *const *) args, subs, err);
}

static void
test_parse_plain_path(void **state)
{
        const char *args[] = {"sub/a", NULL};
        struct cgroup_subs subs;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(parse(args, &subs, &err), 0);
        assert_int_equal(subs.n, 1);
        assert_null(subs.s[0].controller);
        assert_string_equal(subs.s[0].path, "sub/a");
        cgroup_subs_done(&subs);
}

static void
test_parse_controllers(void **state)
{
        const char *args[] = {"cpu,memory:x", "pids:y", NULL};
        struct cgroup_subs subs;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(parse(args, &subs, &err), 0);
        assert_int_equal(subs.n, 3);
        assert_string_equal(subs.s[0].controller, "cpu");
        assert_string_equal(subs.s[0].path, "x");
        assert_string_equal(subs.s[1].controller, "memory");
        assert_string_equal(subs.s[1].path, "x");
        assert_string_equal(subs.s[2].controller, "pids");
        assert_string_equal(subs.s[2].path, "y");
        cgroup_subs_done(&subs);
}

static void
expect_parse_error(const char *const *args, const char *msg)
{
        struct cgroup_subs subs = {0};
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(parse(args, &subs, &err), -EINVAL);
        assert_non_null(err);
        assert_string_equal(err->msg, msg);
        assert_int_equal(subs.n, 0);
}

static void
test_parse_errors(void **state)
{
        (void) state;
        expect_parse_error((const char *[]){"a", "b", NULL},
                           "invalid --cgroup argument: a (missing <controller>: prefix)");
        expect_parse_error((const char *[]){"cpu:a", "cpu:b", NULL},
                           "invalid --cgroup argument(s): controller cpu specified multiple times");
        expect_parse_error((const char *[]){"cpu,:a", NULL}, "invalid --cgroup argument: cpu,:a (empty <controller> prefix)");
        expect_parse_error((const char *[]){":a", NULL}, "invalid --cgroup argument: :a (empty <controller> prefix)");
        expect_parse_error((const char *[]){"cpu:a:b", NULL}, "invalid --cgroup argument: cpu:a:b");
        expect_parse_error((const char *[]){"../../escape", NULL},
                           "invalid --cgroup argument: ../../escape (\"..\" is not allowed)");
}

static void
host_of(const char *mountinfo, const char *self, struct cgroup_host *host)
{
        cleanup_error berth_error_t *err = NULL;
        assert_int_equal(cgroup_host_parse(mountinfo, self, host, &err), 0);
}

static void
test_dirs_without_subs(void **state)
{
        struct cgroup_host host;
        struct cgroup_subs subs = {0};
        cleanup_strv char **dirs = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        host_of(hybrid_mountinfo, hybrid_self, &host);
        assert_int_equal(cgroup_exec_dirs(&host, hybrid_dirs, &subs, &dirs, &err), 0);
        assert_int_equal(strv_length(dirs), 4);
        for (size_t i = 0; i < 4; i++)
                assert_string_equal(dirs[i], hybrid_dirs[i]);
        cgroup_host_done(&host);
}

static void
test_dirs_path_for_all(void **state)
{
        const char *args[] = {"/sub", NULL};
        struct cgroup_host host;
        struct cgroup_subs subs;
        cleanup_strv char **dirs = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        host_of(hybrid_mountinfo, hybrid_self, &host);
        assert_int_equal(parse(args, &subs, &err), 0);
        assert_int_equal(cgroup_exec_dirs(&host, hybrid_dirs, &subs, &dirs, &err), 0);
        assert_string_equal(dirs[0], "/sys/fs/cgroup/unified/c1/sub");
        assert_string_equal(dirs[1], "/sys/fs/cgroup/cpu,cpuacct/c1/sub");
        assert_string_equal(dirs[3], "/sys/fs/cgroup/pids/c1/sub");
        cgroup_subs_done(&subs);
        cgroup_host_done(&host);
}

static void
test_dirs_per_controller(void **state)
{
        const char *args[] = {"cpuacct:a", "memory:b/c", NULL};
        struct cgroup_host host;
        struct cgroup_subs subs;
        cleanup_strv char **dirs = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        host_of(hybrid_mountinfo, hybrid_self, &host);
        assert_int_equal(parse(args, &subs, &err), 0);
        assert_int_equal(cgroup_exec_dirs(&host, hybrid_dirs, &subs, &dirs, &err), 0);
        assert_string_equal(dirs[0], "/sys/fs/cgroup/unified/c1");
        assert_string_equal(dirs[1], "/sys/fs/cgroup/cpu,cpuacct/c1/a");
        assert_string_equal(dirs[2], "/sys/fs/cgroup/memory/c1/b/c");
        assert_string_equal(dirs[3], "/sys/fs/cgroup/pids/c1");
        cgroup_subs_done(&subs);
        cgroup_host_done(&host);
}

static void
test_dirs_errors(void **state)
{
        struct cgroup_host host;
        struct cgroup_subs subs;
        cleanup_strv char **dirs = NULL;
        (void) state;

        host_of(hybrid_mountinfo, hybrid_self, &host);
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(parse((const char *[]){"cpu:a", "cpuacct:b", NULL}, &subs, &err), 0);
                assert_int_equal(cgroup_exec_dirs(&host, hybrid_dirs, &subs, &dirs, &err), -EINVAL);
                assert_string_equal(err->msg, "invalid --cgroup argument(s): controllers sharing the hierarchy "
                                              "\"cpu,cpuacct\" get different paths");
                cgroup_subs_done(&subs);
        }
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(parse((const char *[]){"rdma:a", NULL}, &subs, &err), 0);
                assert_int_equal(cgroup_exec_dirs(&host, hybrid_dirs, &subs, &dirs, &err), -ENOENT);
                assert_string_equal(err->msg, "--cgroup: the container has no cgroup for controller \"rdma\"");
                cgroup_subs_done(&subs);
        }
        cgroup_host_done(&host);

        host_of(unified_mountinfo, unified_self, &host);
        {
                char *const udirs[] = {"/sys/fs/cgroup/c1", NULL};
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(parse((const char *[]){"memory:a", NULL}, &subs, &err), 0);
                assert_int_equal(cgroup_exec_dirs(&host, udirs, &subs, &dirs, &err), -EINVAL);
                assert_string_equal(err->msg, "invalid --cgroup argument: memory:a (a <controller>: prefix needs cgroup v1)");
                cgroup_subs_done(&subs);
        }
        assert_null(dirs);
        cgroup_host_done(&host);
}

static void
test_dirs_unified(void **state)
{
        char *const udirs[] = {"/sys/fs/cgroup/machine/c1", NULL};
        struct cgroup_host host;
        struct cgroup_subs subs;
        cleanup_strv char **dirs = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        host_of(unified_mountinfo, unified_self, &host);
        assert_int_equal(parse((const char *[]){"x/y", NULL}, &subs, &err), 0);
        assert_int_equal(cgroup_exec_dirs(&host, udirs, &subs, &dirs, &err), 0);
        assert_int_equal(strv_length(dirs), 1);
        assert_string_equal(dirs[0], "/sys/fs/cgroup/machine/c1/x/y");
        cgroup_subs_done(&subs);
        cgroup_host_done(&host);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_plain_path),  cmocka_unit_test(test_parse_controllers),
                cmocka_unit_test(test_parse_errors),      cmocka_unit_test(test_dirs_without_subs),
                cmocka_unit_test(test_dirs_path_for_all), cmocka_unit_test(test_dirs_per_controller),
                cmocka_unit_test(test_dirs_errors),       cmocka_unit_test(test_dirs_unified),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
