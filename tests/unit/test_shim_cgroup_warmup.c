/* tests/unit/test_shim_cgroup_warmup.c: which cgroup.procs file the warm-up child writes itself
 * into (shim/cgroup_warmup.c): its own cgroup, in the first hierarchy that places it. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "shim/cgroup_warmup.h"

/* This host's layout: v1 controllers, name=systemd, a cgroup2 mount for hugetlb only. */
static const char hybrid_mountinfo[] =
        "25 1 0:23 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
        "30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
        "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
        "32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
        "33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
        "34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid shared:13 - cgroup cgroup rw,memory\n";
static const char hybrid_self[] =
        "12:memory:/default/c1\n"
        "3:cpu,cpuacct:/default\n"
        "1:name=systemd:/system.slice/containerd.service\n"
        "0::/system.slice/containerd.service\n";

static void
test_hybrid_takes_the_first_mount(void **state)
{
        cleanup_free char *f = shim_cgroup_warmup_file(hybrid_mountinfo, hybrid_self);
        (void) state;

        assert_non_null(f);
        assert_string_equal(f, "/sys/fs/cgroup/unified/system.slice/containerd.service/cgroup.procs");
}

static void
test_v1_matches_controllers(void **state)
{
        /* no cgroup2 mount: the first v1 hierarchy whose controllers the process names */
        cleanup_free char *without_v2 = NULL;
        (void) state;

        static const char v1_only[] =
                "33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
                "34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid shared:13 - cgroup cgroup rw,memory\n";
        without_v2 = shim_cgroup_warmup_file(v1_only, hybrid_self);
        assert_string_equal(without_v2, "/sys/fs/cgroup/cpu,cpuacct/default/cgroup.procs");
}

static void
test_root_cgroup_and_pure_v2(void **state)
{
        static const char mi[] = "40 30 0:35 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw\n";
        cleanup_free char *root = shim_cgroup_warmup_file(mi, "0::/\n");
        cleanup_free char *sub = shim_cgroup_warmup_file(mi, "0::/a/b\n");
        (void) state;

        assert_string_equal(root, "/sys/fs/cgroup/cgroup.procs");
        assert_string_equal(sub, "/sys/fs/cgroup/a/b/cgroup.procs");
}

static void
test_nothing_matches(void **state)
{
        static const char mi[] = "34 30 0:30 / /sys/fs/cgroup/memory rw shared:13 - cgroup cgroup rw,memory\n";
        (void) state;

        assert_null(shim_cgroup_warmup_file(mi, "3:cpu:/x\n"));
        assert_null(shim_cgroup_warmup_file("", "0::/\n"));
        assert_null(shim_cgroup_warmup_file(mi, ""));
}

static void
test_berth_needs_no_warmup(void **state)
{
        (void) state;
        assert_false(shim_cgroup_warmup_wanted("berth"));
        assert_false(shim_cgroup_warmup_wanted("/usr/local/sbin/berth"));
        assert_true(shim_cgroup_warmup_wanted("runc"));
        assert_true(shim_cgroup_warmup_wanted("/usr/bin/crun"));
        assert_true(shim_cgroup_warmup_wanted("/opt/berth/bin/berth-wrapper"));
        assert_true(shim_cgroup_warmup_wanted(NULL));
}

static void
test_reaped_only_knows_its_child(void **state)
{
        (void) state;
        assert_false(shim_cgroup_warmup_reaped(0));
        assert_false(shim_cgroup_warmup_reaped(12345));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hybrid_takes_the_first_mount),
                cmocka_unit_test(test_v1_matches_controllers),
                cmocka_unit_test(test_root_cgroup_and_pure_v2),
                cmocka_unit_test(test_nothing_matches),
                cmocka_unit_test(test_berth_needs_no_warmup),
                cmocka_unit_test(test_reaped_only_knows_its_child),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
