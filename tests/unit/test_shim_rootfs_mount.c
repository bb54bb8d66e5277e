/* tests/unit/test_shim_rootfs_mount.c: containerd's Mount option words as mount(2) flags and
 * data (overlay from the overlay snapshotter, a read-only bind from a single-layer view). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "shim/rootfs_mount.h"

static void
test_overlay(void **state)
{
        char *opts[] = {"index=off", "workdir=/w", "upperdir=/u", "lowerdir=/l1:/l2", NULL};
        struct shim_mount m = {.type = "overlay", .source = "overlay", .options = opts};
        struct shim_mount_plan p;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_mount_plan_build(&m, &p, &err), 0);
        assert_int_equal(p.flags, 0);
        assert_string_equal(p.data, "index=off,workdir=/w,upperdir=/u,lowerdir=/l1:/l2");
        assert_false(p.remount_ro);
        assert_false(p.loop);
        shim_mount_plan_done(&p);
}

static void
test_ro_bind(void **state)
{
        char *opts[] = {"ro", "rbind", "nosuid", NULL};
        struct shim_mount m = {.type = "bind", .source = "/snap/1/fs", .options = opts};
        struct shim_mount_plan p;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_mount_plan_build(&m, &p, &err), 0);
        /* read-only comes from the second (remount) step */
        assert_int_equal(p.flags, MS_BIND | MS_REC | MS_NOSUID);
        assert_true(p.remount_ro);
        assert_null(p.data);
        shim_mount_plan_done(&p);
}

static void
test_words_toggle_and_propagation(void **state)
{
        char *opts[] = {"ro", "rw", "noexec", "exec", "nodev", "rslave", "loop", "size=1m", NULL};
        struct shim_mount m = {.type = "ext4", .source = "/img", .options = opts};
        struct shim_mount_plan p;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_mount_plan_build(&m, &p, &err), 0);
        assert_int_equal(p.flags, MS_NODEV);
        assert_int_equal(p.propagation, MS_SLAVE | MS_REC);
        assert_true(p.loop);
        assert_string_equal(p.data, "size=1m");
        shim_mount_plan_done(&p);
}

static void
test_errors(void **state)
{
        char big[5000];
        char *opts[] = {big, NULL};
        struct shim_mount m = {.type = "overlay", .source = "overlay", .options = opts};
        struct shim_mount none = {.type = "", .source = "x"};
        struct shim_mount_plan p;
        (void) state;

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(shim_mount_plan_build(&m, &p, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "longer than a page"));
        }
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(shim_mount_plan_build(&none, &p, &err), -EINVAL);
                assert_string_equal(err->msg, "mount of \"x\": no type");
        }
}

/* The real thing, as root, in a private mount namespace of this test process (nothing can
 * leak to the host): an overlay then a read-only bind stacked on one target, and unmounted. */
static void
test_mount_and_unmount(void **state)
{
        char dir[] = "/tmp/berth-shim-mnt.XXXXXX";
        cleanup_error berth_error_t *err = NULL;
        char path[400];
        (void) state;

        if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                skip();
                return;
        }
        assert_non_null(mkdtemp(dir));
        assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, NULL), 0);
        for (const char *const *d = (const char *const[]){"l", "u", "w", "t", "ro", NULL}; *d; d++) {
                snprintf(path, sizeof(path), "%s/%s", dir, *d);
                assert_int_equal(mkdir(path, 0755), 0);
        }
        snprintf(path, sizeof(path), "%s/l/from-lower", dir);
        {
                int fd = creat(path, 0644);
                assert_true(fd >= 0);
                close(fd);
        }
        char lower[300], upper[300], work[300], target[300], ro[300];
        snprintf(lower, sizeof(lower), "lowerdir=%s/l", dir);
        snprintf(upper, sizeof(upper), "upperdir=%s/u", dir);
        snprintf(work, sizeof(work), "workdir=%s/w", dir);
        snprintf(target, sizeof(target), "%s/t", dir);
        snprintf(ro, sizeof(ro), "%s/ro", dir);
        char *ovl_opts[] = {lower, upper, work, NULL};
        char *bind_opts[] = {"ro", "rbind", NULL};
        struct shim_mount ms[] = {
                {.type = "overlay", .source = "overlay", .options = ovl_opts},
                {.type = "bind", .source = target, .options = bind_opts},
        };
        assert_int_equal(shim_rootfs_mount(ms, 1, target, &err), 0);
        snprintf(path, sizeof(path), "%s/from-lower", target);
        assert_int_equal(access(path, F_OK), 0);
        /* a read-only bind of the overlay on another dir: writes refused there */
        assert_int_equal(shim_rootfs_mount(&ms[1], 1, ro, &err), 0);
        snprintf(path, sizeof(path), "%s/new", ro);
        assert_true(creat(path, 0644) < 0 && errno == EROFS);
        assert_int_equal(shim_rootfs_unmount(ro, &err), 0);
        assert_int_equal(shim_rootfs_unmount(target, &err), 0);
        assert_int_equal(access(path, F_OK) < 0, 1);
        snprintf(path, sizeof(path), "%s/from-lower", target);
        assert_true(access(path, F_OK) < 0);
        /* nothing mounted: fine */
        assert_int_equal(shim_rootfs_unmount(target, &err), 0);
        /* a failing mount leaves nothing */
        char *bad_opts[] = {"lowerdir=/nonexistent-berth", NULL};
        struct shim_mount bad[] = {
                {.type = "bind", .source = dir, .options = NULL},
                {.type = "overlay", .source = "overlay", .options = bad_opts},
        };
        assert_true(shim_rootfs_mount(bad, 2, target, &err) < 0);
        assert_non_null(strstr(err->msg, "rootfs[1]: mount \"overlay\" (overlay)"));
        snprintf(path, sizeof(path), "%s/l", target);
        assert_true(access(path, F_OK) < 0);
        assert_int_equal(umount2(dir, MNT_DETACH), 0);
        assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_overlay),
                cmocka_unit_test(test_ro_bind),
                cmocka_unit_test(test_words_toggle_and_propagation),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_mount_and_unmount),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
