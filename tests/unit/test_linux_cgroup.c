/* tests/unit/test_linux_cgroup.c: the pure parts of runtime/linux/cgroup.h on every layout:
 * unified, hybrid and legacy hosts from hand-written mountinfo and /proc/self/cgroup, the
 * container's directory in a hierarchy, and the cgroup v1 device lines. */
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/cgroup.h"

/* The lines around the cgroup mounts on any host; none of them is a cgroup hierarchy. */
#define OTHER_MOUNTS                                                                              \
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"               \
        "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"           \
        "24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"           \
        "25 24 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:8 - securityfs " \
        "securityfs rw\n"

/* A private mount namespace on a hybrid host with cgroup2 mounted over /sys/fs/cgroup (how
 * crun is benchmarked here): the v1 mounts below it are hidden and must not be used. */
static void
test_covered_hierarchies_are_dropped(void **state)
{
        static const char mountinfo[] = OTHER_MOUNTS
                "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
                "31 30 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:5 - cgroup cgroup rw,memory\n"
                "32 30 0:28 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:6 - cgroup2 cgroup2 rw\n"
                "90 30 0:28 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n";
        static const char self[] = "5:memory:/\n0::/\n";
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        (void) state;

        assert_int_equal(cgroup_host_parse(mountinfo, self, &host, &err), 0);
        assert_int_equal(host.layout, CGROUP_LAYOUT_UNIFIED);
        assert_int_equal(host.n, 1);
        assert_string_equal(host.h[0].mountpoint, "/sys/fs/cgroup");
        assert_true(host.h[0].v2);
        cgroup_host_done(&host);
}

static void
test_unified_host(void **state)
{
        static const char mountinfo[] = OTHER_MOUNTS
                "26 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 "
                "cgroup2 rw,nsdelegate,memory_recursiveprot\n"
                "27 24 0:24 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:9 - pstore pstore rw\n";
        static const char self[] = "0::/user.slice/user-1000.slice/session-3.scope\n";
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        (void) state;

        assert_int_equal(cgroup_host_parse(mountinfo, self, &host, &err), 0);
        assert_null(err);
        assert_int_equal(host.layout, CGROUP_LAYOUT_UNIFIED);
        assert_string_equal(cgroup_layout_name(host.layout), "unified");
        assert_int_equal(host.n, 1);
        assert_string_equal(host.h[0].mountpoint, "/sys/fs/cgroup");
        assert_string_equal(host.h[0].controllers, "");
        assert_true(host.h[0].v2);
        assert_string_equal(host.h[0].own, "/user.slice/user-1000.slice/session-3.scope");
        cgroup_host_done(&host);
        assert_int_equal(host.n, 0);
        assert_null(host.h);
}

/* This machine's layout: each v1 controller alone (cpu and cpuacct apart), systemd's named
 * hierarchy, and cgroup2 at /sys/fs/cgroup/unified; mount lines as /proc/self/mountinfo has them.
 */
static const char hybrid_mountinfo[] = OTHER_MOUNTS
        "31 24 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime shared:13 - cgroup cgroup rw,cpuset,clone_children\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
        "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
        /* A bind of a sub-tree and a second mount of a hierarchy: neither is a new one. */
        "60 22 0:32 /user.slice /mnt/memory-sub rw,relatime - cgroup cgroup rw,memory\n"
        "61 22 0:29 / /mnt/cpu-again rw,relatime - cgroup cgroup rw,cpu\n";

static const char hybrid_self[] = "9:name=systemd:/user.slice\n"
                                  "8:pids:/user.slice/user-1000.slice\n"
                                  "7:blkio:/user.slice\n"
                                  "6:freezer:/\n"
                                  "5:devices:/user.slice\n"
                                  "4:memory:/process_api/f4bbdd9e\n"
                                  "3:cpuset:/\n"
                                  "2:cpuacct:/user.slice\n"
                                  "1:cpu:/user.slice\n"
                                  "0::/user.slice/user-1000.slice\n";

static void
test_hybrid_host(void **state)
{
        static const struct {
                const char *mountpoint, *controllers, *own;
                bool v2;
        } want[] = {
                {"/sys/fs/cgroup/cpu", "cpu", "/user.slice", false},
                {"/sys/fs/cgroup/cpuacct", "cpuacct", "/user.slice", false},
                {"/sys/fs/cgroup/cpuset", "cpuset", "/", false},
                {"/sys/fs/cgroup/memory", "memory", "/process_api/f4bbdd9e", false},
                {"/sys/fs/cgroup/devices", "devices", "/user.slice", false},
                {"/sys/fs/cgroup/freezer", "freezer", "/", false},
                {"/sys/fs/cgroup/blkio", "blkio", "/user.slice", false},
                {"/sys/fs/cgroup/pids", "pids", "/user.slice/user-1000.slice", false},
                {"/sys/fs/cgroup/systemd", "name=systemd", "/user.slice", false},
                {"/sys/fs/cgroup/unified", "", "/user.slice/user-1000.slice", true},
        };
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        (void) state;

        assert_int_equal(cgroup_host_parse(hybrid_mountinfo, hybrid_self, &host, &err), 0);
        assert_null(err);
        assert_int_equal(host.layout, CGROUP_LAYOUT_HYBRID);
        assert_string_equal(cgroup_layout_name(host.layout), "hybrid");
        assert_int_equal(host.n, sizeof(want) / sizeof(want[0]));
        for (size_t i = 0; i < host.n; i++) {
                assert_string_equal(host.h[i].mountpoint, want[i].mountpoint);
                assert_string_equal(host.h[i].controllers, want[i].controllers);
                assert_string_equal(host.h[i].own, want[i].own);
                assert_int_equal(host.h[i].v2, want[i].v2);
        }
        cgroup_host_done(&host);
}

static void
test_legacy_host_comounted(void **state)
{
        static const char mountinfo[] = OTHER_MOUNTS
                "31 24 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
                "32 31 0:29 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - "
                "cgroup cgroup rw,xattr,name=systemd\n"
                "35 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - "
                "cgroup cgroup rw,cpu,cpuacct\n"
                "36 31 0:33 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - "
                "cgroup cgroup rw,net_cls,net_prio\n"
                "37 31 0:34 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:17 - "
                "cgroup cgroup rw,hugetlb\n";
        /* No line for hugetlb: the caller is at its root. */
        static const char self[] = "3:net_cls,net_prio:/\n"
                                   "2:cpu,cpuacct:/system.slice/docker.service\n"
                                   "1:name=systemd:/system.slice/docker.service\n";
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        (void) state;

        assert_int_equal(cgroup_host_parse(mountinfo, self, &host, &err), 0);
        assert_null(err);
        assert_int_equal(host.layout, CGROUP_LAYOUT_LEGACY);
        assert_string_equal(cgroup_layout_name(host.layout), "legacy");
        assert_int_equal(host.n, 4);
        assert_string_equal(host.h[0].controllers, "name=systemd");
        assert_string_equal(host.h[0].own, "/system.slice/docker.service");
        assert_string_equal(host.h[1].mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(host.h[1].controllers, "cpu,cpuacct");
        assert_string_equal(host.h[1].own, "/system.slice/docker.service");
        assert_false(host.h[1].v2);
        assert_string_equal(host.h[2].controllers, "net_cls,net_prio");
        assert_string_equal(host.h[2].own, "/");
        assert_string_equal(host.h[3].controllers, "hugetlb");
        assert_string_equal(host.h[3].own, "/");
        cgroup_host_done(&host);
}

static void
test_no_cgroup_mounts(void **state)
{
        /* Only a bind of a sub-tree: no hierarchy of its own. */
        static const char mountinfo[] = OTHER_MOUNTS
                "60 22 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        struct cgroup_host host;
        (void) state;

        assert_int_equal(cgroup_host_parse(OTHER_MOUNTS, "0::/\n", &host, &e1), -ENOENT);
        assert_int_equal(e1->code, ENOENT);
        assert_string_equal(e1->msg, "no cgroup filesystem is mounted");
        cgroup_host_done(&host);
        assert_int_equal(cgroup_host_parse(mountinfo, "", &host, &e2), -ENOENT);
        assert_string_equal(e2->msg, "no cgroup filesystem is mounted");
        cgroup_host_done(&host);
}

static void
test_escaped_mountpoint(void **state)
{
        static const char mountinfo[] =
                "40 24 0:38 / /sys/fs/my\\040cgroup\\011root\\134x rw,relatime - cgroup2 cgroup2 rw\n";
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        (void) state;

        assert_int_equal(cgroup_host_parse(mountinfo, "0::/a b\n", &host, &err), 0);
        assert_int_equal(host.n, 1);
        assert_string_equal(host.h[0].mountpoint, "/sys/fs/my cgroup\troot\\x");
        assert_string_equal(host.h[0].own, "/a b");
        cgroup_host_done(&host);
}

static void
test_detect_matches_this_host(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        (void) state;

        /* Whatever the layout (none at all in some build sandboxes), what is found is sane. */
        if (cgroup_host_detect(&host, &err) == -ENOENT) {
                assert_string_equal(err->msg, "no cgroup filesystem is mounted");
                cgroup_host_done(&host);
                return;
        }
        assert_null(err);
        assert_true(host.n > 0);
        for (size_t i = 0; i < host.n; i++) {
                assert_true(host.h[i].mountpoint[0] == '/');
                assert_true(host.h[i].own[0] == '/');
                assert_true(host.h[i].v2 == (host.h[i].controllers[0] == '\0'));
        }
        cgroup_host_done(&host);
}

static const struct cgroup_hierarchy memory = {
        .mountpoint = (char *) "/sys/fs/cgroup/memory",
        .controllers = (char *) "memory",
        .own = (char *) "/user.slice",
};

static const struct cgroup_hierarchy at_root = {
        .mountpoint = (char *) "/sys/fs/cgroup",
        .controllers = (char *) "",
        .v2 = true,
        .own = (char *) "/",
};

static const struct cgroup_hierarchy unified_nested = {
        .mountpoint = (char *) "/sys/fs/cgroup",
        .controllers = (char *) "",
        .v2 = true,
        .own = (char *) "/user.slice/session-1.scope",
};

static const struct cgroup_hierarchy unified_top = {
        .mountpoint = (char *) "/sys/fs/cgroup",
        .controllers = (char *) "",
        .v2 = true,
        .own = (char *) "/runner",
};

static void
expect_dir_in(const struct cgroup_hierarchy *h, enum cgroup_layout layout, const char *path,
              const char *id, const char *want)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *dir = NULL;

        assert_int_equal(cgroup_container_dir(h, layout, path, id, &dir, &err), 0);
        assert_null(err);
        assert_string_equal(dir, want);
}

static void
expect_dir(const struct cgroup_hierarchy *h, const char *path, const char *id, const char *want)
{
        expect_dir_in(h, CGROUP_LAYOUT_HYBRID, path, id, want);
}

static void
test_container_dir(void **state)
{
        (void) state;
        /* Absolute: as it is, below the mountpoint. */
        expect_dir(&memory, "/berth/c1", "c1", "/sys/fs/cgroup/memory/berth/c1");
        /* Relative: below the caller's own cgroup (runc's fs driver). */
        expect_dir(&memory, "berth/c1", "c1", "/sys/fs/cgroup/memory/user.slice/berth/c1");
        /* Empty or absent: the id, below the caller's own cgroup. */
        expect_dir(&memory, "", "abc", "/sys/fs/cgroup/memory/user.slice/abc");
        expect_dir(&memory, NULL, "abc", "/sys/fs/cgroup/memory/user.slice/abc");
        expect_dir(&at_root, "berth", "x", "/sys/fs/cgroup/berth");
        expect_dir(&at_root, "/berth", "x", "/sys/fs/cgroup/berth");
        /* Empty and "." components go. */
        expect_dir(&at_root, "/a//./b/", "x", "/sys/fs/cgroup/a/b");
}

static void
test_container_dir_unified_starts_beside_own(void **state)
{
        (void) state;
        /* runc's fs2 driver: relative paths below the parent of the caller's own cgroup. */
        expect_dir_in(&unified_nested, CGROUP_LAYOUT_UNIFIED, "", "c1",
                      "/sys/fs/cgroup/user.slice/c1");
        expect_dir_in(&unified_nested, CGROUP_LAYOUT_UNIFIED, "a/b", "c1",
                      "/sys/fs/cgroup/user.slice/a/b");
        expect_dir_in(&unified_top, CGROUP_LAYOUT_UNIFIED, NULL, "c1", "/sys/fs/cgroup/c1");
        expect_dir_in(&at_root, CGROUP_LAYOUT_UNIFIED, NULL, "c1", "/sys/fs/cgroup/c1");
        /* Absolute paths are unchanged. */
        expect_dir_in(&unified_nested, CGROUP_LAYOUT_UNIFIED, "/a/c1", "c1", "/sys/fs/cgroup/a/c1");
        /* The cgroup2 hierarchy of a hybrid host keeps the v1 rule (runc's fs driver). */
        expect_dir_in(&unified_nested, CGROUP_LAYOUT_HYBRID, "", "c1",
                      "/sys/fs/cgroup/user.slice/session-1.scope/c1");
}

static void
test_v2_ancestors(void **state)
{
        cleanup_strv char **a = cgroup_v2_ancestors("/sys/fs/cgroup", "/sys/fs/cgroup/a/b/c");
        cleanup_strv char **top = cgroup_v2_ancestors("/sys/fs/cgroup", "/sys/fs/cgroup/c");
        cleanup_strv char **outside = cgroup_v2_ancestors("/sys/fs/cgroup", "/sys/fs/cgroupx/c");
        (void) state;

        assert_int_equal(strv_length(a), 3);
        assert_string_equal(a[0], "/sys/fs/cgroup");
        assert_string_equal(a[1], "/sys/fs/cgroup/a");
        assert_string_equal(a[2], "/sys/fs/cgroup/a/b");
        assert_int_equal(strv_length(top), 1);
        assert_string_equal(top[0], "/sys/fs/cgroup");
        assert_null(outside);
}

static void
put_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *
get_file(const char *path)
{
        char *buf = NULL;

        assert_int_equal(fs_read_file(AT_FDCWD, path, &buf, NULL, NULL), 0);
        return buf;
}

/* A fake cgroupfs: writing "+pids" into a regular file replaces it, so a level that already lists
 * the controller keeps its text and the others end up holding the last word written. */
static void
test_v2_enable_controllers(void **state)
{
        char tmpl[] = "/tmp/berth-cgroup-XXXXXX";
        char *mnt = mkdtemp(tmpl);
        cleanup_free char *a = NULL, *b = NULL, *dir = NULL, *ra = NULL, *rb = NULL, *rm = NULL;
        cleanup_free char *fm = NULL, *fa = NULL, *fb = NULL;
        cleanup_error berth_error_t *e = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        (void) state;

        assert_non_null(mnt);
        a = xasprintf("%s/a", mnt);
        b = xasprintf("%s/a/b", mnt);
        dir = xasprintf("%s/a/b/c", mnt);
        assert_int_equal(mkdir(a, 0755), 0);
        assert_int_equal(mkdir(b, 0755), 0);
        fm = xasprintf("%s/cgroup.subtree_control", mnt);
        fa = xasprintf("%s/cgroup.subtree_control", a);
        fb = xasprintf("%s/cgroup.subtree_control", b);
        put_file(fm, "");
        put_file(fa, "memory pids\n");
        put_file(fb, "");
        assert_int_equal(cgroup_v2_enable_controllers(mnt, dir, (char *const[]){"memory", "pids", NULL}, &e), 0);
        rm = get_file(fm);
        ra = get_file(fa);
        rb = get_file(fb);
        assert_string_equal(rm, "+pids");
        assert_string_equal(ra, "memory pids\n");
        assert_string_equal(rb, "+pids");
        /* a level that refuses: the error names the controller and the file */
        assert_int_equal(unlink(fb), 0);
        assert_int_equal(mkdir(fb, 0755), 0);
        assert_int_equal(cgroup_v2_enable_controllers(mnt, dir, (char *const[]){"io", NULL}, &e2), -EISDIR);
        assert_non_null(e2);
        assert_true(strncmp(e2->msg, "enable the io controller: open \"", strlen("enable the io controller: open \"")) == 0);
        assert_non_null(strstr(e2->msg, "/a/b/cgroup.subtree_control\""));
        assert_int_equal(fs_remove_tree(AT_FDCWD, mnt, NULL), 0);
}

static void
test_container_dir_rejects_dotdot_and_root(void **state)
{
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_error berth_error_t *e3 = NULL;
        cleanup_error berth_error_t *e4 = NULL;
        char *dir = NULL;
        (void) state;

        assert_int_equal(
                cgroup_container_dir(&memory, CGROUP_LAYOUT_HYBRID, "/a/../../etc", "x", &dir, &e1),
                -EINVAL);
        assert_int_equal(e1->code, EINVAL);
        assert_string_equal(e1->msg, "cgroupsPath \"/a/../../etc\": \"..\" is not allowed");
        assert_int_equal(cgroup_container_dir(&memory, CGROUP_LAYOUT_HYBRID, "..", "x", &dir, &e2),
                         -EINVAL);
        assert_string_equal(e2->msg, "cgroupsPath \"..\": \"..\" is not allowed");
        assert_int_equal(cgroup_container_dir(&memory, CGROUP_LAYOUT_HYBRID, "", "..", &dir, &e3),
                         -EINVAL);
        assert_string_equal(e3->msg, "cgroupsPath \"..\": \"..\" is not allowed");
        assert_int_equal(cgroup_container_dir(&memory, CGROUP_LAYOUT_HYBRID, "/", "x", &dir, &e4),
                         -EINVAL);
        assert_string_equal(e4->msg, "cgroupsPath \"/\" names the root cgroup");
        assert_null(dir);
}

static const char *const runc_allowed[] = {
        "a c *:* m",     "a b *:* m",   "a c 1:3 rwm",    "a c 1:8 rwm",
        "a c 1:7 rwm",   "a c 5:0 rwm", "a c 1:5 rwm",    "a c 1:9 rwm",
        "a c 136:* rwm", "a c 5:2 rwm", "a c 10:200 rwm",
};

static void
test_v1_device_lines(void **state)
{
        static const struct spec_device_rule rules[] = {
                {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
                {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw"},
                {.allow = true, .type = 'c', .major = -1, .minor = 5, .access = "m"},
                {.allow = false, .type = 'b', .major = 8, .minor = -1, .access = "w"},
        };
        cleanup_strv char **lines = cgroup_v1_device_lines(rules, 4);
        (void) state;

        assert_int_equal(strv_length(lines), 4 + 11);
        assert_string_equal(lines[0], "d a");
        assert_string_equal(lines[1], "a c 1:3 rw");
        assert_string_equal(lines[2], "a c *:5 m");
        assert_string_equal(lines[3], "d b 8:* w");
        /* runc's default allowed devices come after the spec's rules, in runc's order. */
        for (size_t i = 0; i < 11; i++)
                assert_string_equal(lines[4 + i], runc_allowed[i]);
}

static void
test_v1_device_lines_defaults_only(void **state)
{
        cleanup_strv char **lines = cgroup_v1_device_lines(NULL, 0);
        bool pty = false;
        (void) state;

        assert_int_equal(strv_length(lines), 11);
        strv_foreach(l, lines) {
                if (strcmp(l, "a c 136:* rwm") == 0)
                        pty = true;
        }
        assert_true(pty);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unified_host),
                cmocka_unit_test(test_covered_hierarchies_are_dropped),
                cmocka_unit_test(test_hybrid_host),
                cmocka_unit_test(test_legacy_host_comounted),
                cmocka_unit_test(test_no_cgroup_mounts),
                cmocka_unit_test(test_escaped_mountpoint),
                cmocka_unit_test(test_detect_matches_this_host),
                cmocka_unit_test(test_container_dir),
                cmocka_unit_test(test_container_dir_unified_starts_beside_own),
                cmocka_unit_test(test_v2_ancestors),
                cmocka_unit_test(test_v2_enable_controllers),
                cmocka_unit_test(test_container_dir_rejects_dotdot_and_root),
                cmocka_unit_test(test_v1_device_lines),
                cmocka_unit_test(test_v1_device_lines_defaults_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
