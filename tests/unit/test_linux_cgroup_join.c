/* tests/unit/test_linux_cgroup_join.c: how a new process's cgroup directories are split between
 * clone3 CLONE_INTO_CGROUP (v2), the child's own "0" into v1 `tasks` files, and the parent's
 * cgroup.procs writes, on hybrid, legacy and unified hosts, with and without a user namespace;
 * and that a clone3 the kernel refuses leaves the v2 directory to the parent. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/strv.h"
#include "runtime/linux/cgroup_join.h"

static const char hybrid_mountinfo[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
        "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw\n"
        "32 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,cpu,cpuacct\n"
        "33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:7 - cgroup cgroup rw,memory\n";
static const char hybrid_self[] = "3:memory:/\n2:cpu,cpuacct:/\n0::/\n";
static char *const hybrid_dirs[] = {"/sys/fs/cgroup/unified/c1", "/sys/fs/cgroup/cpu,cpuacct/c1",
                                    "/sys/fs/cgroup/memory/c1", NULL};

static const char unified_mountinfo[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n";

static const char legacy_mountinfo[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
        "33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:7 - cgroup cgroup rw,memory\n"
        "34 30 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,pids\n";

static void
host(const char *mountinfo, const char *self, struct cgroup_host *h)
{
        cleanup_error berth_error_t *err = NULL;
        assert_int_equal(cgroup_host_parse(mountinfo, self, h, &err), 0);
}

static void
test_hybrid_splits_three_ways(void **state)
{
        struct cgroup_host h;
        struct cgroup_join j;
        (void) state;

        host(hybrid_mountinfo, hybrid_self, &h);
        cgroup_join_plan(&h, hybrid_dirs, true, &j);
        assert_string_equal(j.v2_dir, "/sys/fs/cgroup/unified/c1");
        assert_int_equal(j.v2_fd, -1);
        assert_int_equal(strv_length(j.child_tasks), 2);
        assert_string_equal(j.child_tasks[0], "/sys/fs/cgroup/cpu,cpuacct/c1/tasks");
        assert_string_equal(j.child_tasks[1], "/sys/fs/cgroup/memory/c1/tasks");
        assert_null(j.parent_dirs);
        cgroup_join_done(&j);
        cgroup_host_done(&h);
}

static void
test_user_namespace_leaves_v1_to_the_parent(void **state)
{
        struct cgroup_host h;
        struct cgroup_join j;
        (void) state;

        host(hybrid_mountinfo, hybrid_self, &h);
        cgroup_join_plan(&h, hybrid_dirs, false, &j);
        assert_string_equal(j.v2_dir, "/sys/fs/cgroup/unified/c1");
        assert_null(j.child_tasks);
        assert_int_equal(strv_length(j.parent_dirs), 2);
        assert_string_equal(j.parent_dirs[0], "/sys/fs/cgroup/cpu,cpuacct/c1");
        assert_string_equal(j.parent_dirs[1], "/sys/fs/cgroup/memory/c1");
        cgroup_join_done(&j);
        cgroup_host_done(&h);
}

static void
test_unified_and_legacy(void **state)
{
        struct cgroup_host h;
        struct cgroup_join j;
        char *const unified_dirs[] = {"/sys/fs/cgroup/c1", NULL};
        char *const legacy_dirs[] = {"/sys/fs/cgroup/memory/c1", "/sys/fs/cgroup/pids/c1", NULL};
        (void) state;

        host(unified_mountinfo, "0::/\n", &h);
        cgroup_join_plan(&h, unified_dirs, true, &j);
        assert_string_equal(j.v2_dir, "/sys/fs/cgroup/c1");
        assert_null(j.child_tasks);
        assert_null(j.parent_dirs);
        cgroup_join_done(&j);
        cgroup_host_done(&h);

        host(legacy_mountinfo, "4:pids:/\n3:memory:/\n", &h);
        cgroup_join_plan(&h, legacy_dirs, true, &j);
        assert_null(j.v2_dir);
        assert_int_equal(strv_length(j.child_tasks), 2);
        assert_string_equal(j.child_tasks[1], "/sys/fs/cgroup/pids/c1/tasks");
        assert_null(j.parent_dirs);
        cgroup_join_done(&j);
        cgroup_host_done(&h);
}

static void
test_unknown_directory_goes_to_the_parent(void **state)
{
        struct cgroup_host h;
        struct cgroup_join j;
        char *const dirs[] = {"/elsewhere/c1", NULL};
        (void) state;

        host(hybrid_mountinfo, hybrid_self, &h);
        cgroup_join_plan(&h, dirs, true, &j);
        assert_null(j.v2_dir);
        assert_null(j.child_tasks);
        assert_string_equal(j.parent_dirs[0], "/elsewhere/c1");
        cgroup_join_done(&j);
        cgroup_host_done(&h);
}

static void
test_hierarchy_of_takes_the_longest_mountpoint(void **state)
{
        struct cgroup_host h;
        (void) state;

        host(hybrid_mountinfo, hybrid_self, &h);
        assert_true(cgroup_hierarchy_of(&h, "/sys/fs/cgroup/unified/x")->v2);
        assert_string_equal(cgroup_hierarchy_of(&h, "/sys/fs/cgroup/memory")->mountpoint,
                            "/sys/fs/cgroup/memory");
        assert_null(cgroup_hierarchy_of(&h, "/sys/fs/cgroup/memoryx/a"));
        cgroup_host_done(&h);
}

/* A directory that cannot be opened, or a descriptor clone3 refuses (not a cgroup2 directory),
 * leaves the v2 cgroup to the parent, and the clone still happens. */
static void
test_refused_v2_goes_to_the_parent(void **state)
{
        struct cgroup_join j = {.v2_fd = -1};
        (void) state;

        j.v2_dir = strdup("/nonexistent-cgroup-dir");
        cgroup_join_open(&j);
        assert_null(j.v2_dir);
        assert_int_equal(j.v2_fd, -1);
        assert_string_equal(j.parent_dirs[0], "/nonexistent-cgroup-dir");
        cgroup_join_done(&j);

        j.v2_dir = strdup("/");
        cgroup_join_open(&j);
        assert_true(j.v2_fd >= 0);
        pid_t pid = cgroup_join_clone(&j, 0);
        if (pid == 0)
                _exit(7);
        assert_true(pid > 0);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
        assert_null(j.v2_dir);
        assert_int_equal(j.v2_fd, -1);
        assert_string_equal(j.parent_dirs[0], "/");
        cgroup_join_done(&j);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hybrid_splits_three_ways),
                cmocka_unit_test(test_user_namespace_leaves_v1_to_the_parent),
                cmocka_unit_test(test_unified_and_legacy),
                cmocka_unit_test(test_unknown_directory_goes_to_the_parent),
                cmocka_unit_test(test_hierarchy_of_takes_the_longest_mountpoint),
                cmocka_unit_test(test_refused_v2_goes_to_the_parent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
