/* tests/unit/test_snapshots_active.c: supervisor/snapshots/active.h on hand-made chains in a
 * temporary root: prepare, reads through the layers (whiteouts), the parents the collector keeps,
 * mount arguments, removal; the overlay mount itself only as root where overlayfs works. Then
 * supervisor/containers/service.h's bundle over such a snapshot. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/service.h"
#include "supervisor/snapshots/active.h"
#include "supervisor/snapshots/probe.h"
#include "supervisor/snapshots/snapshotter.h"

#define L1  "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define L2  "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define H1  "1111111111111111111111111111111111111111111111111111111111111111"
#define H2  "2222222222222222222222222222222222222222222222222222222222222222"
#define CID "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"

struct fixture {
        char *dir;
        char *snaps;
};

static void
put(const char *path, const char *data)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *d = xstrdup(path);
        *strrchr(d, '/') = '\0';
        assert_int_equal(fs_mkdir_p(d, 0755, &err), 0);
        assert_int_equal(fs_write_atomic(AT_FDCWD, path, data, strlen(data), 0644, &err), 0);
}

/* Two overlay-style layers: L1 has /etc/passwd and /etc/group, L2 (over L1) replaces passwd
 * and whites out group. */
static int
setup(void **state)
{
        struct fixture *f = xzalloc(sizeof(*f));
        cleanup_free char *p = NULL;

        f->dir = xstrdup("/tmp/berth-test-active.XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        f->snaps = xasprintf("%s/snapshots", f->dir);
        p = xasprintf("%s/%s/fs/etc/passwd", f->snaps, H1);
        put(p, "root:x:0:0::/root:/bin/sh\n");
        free(p);
        p = xasprintf("%s/%s/fs/etc/group", f->snaps, H1);
        put(p, "root:x:0:\n");
        free(p);
        p = xasprintf("%s/%s/fs/etc/passwd", f->snaps, H2);
        put(p, "app:x:5:5::/:/bin/sh\n");
        free(p);
        p = xasprintf("%s/%s/parent", f->snaps, H2);
        put(p, L1);
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        struct fixture *f = *state;
        cleanup_error berth_error_t *err = NULL;
        fs_remove_tree(AT_FDCWD, f->dir, &err);
        free(f->dir);
        free(f->snaps);
        free(f);
        return 0;
}

static void
test_prepare_read_remove_overlay(void **state)
{
        struct fixture *f = *state;
        struct snapshotter *s = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *buf = NULL, *type = NULL, *src = NULL, *opts = NULL, *want = NULL;
        cleanup_strv char **parents = NULL;
        size_t len = 0;

        assert_int_equal(snapshotter_open(f->snaps, "overlay2", &s, &err), 0);
        assert_int_equal(snapshotter_active_prepare(s, CID, L2, &err), 0);
        assert_int_equal(snapshotter_active_exists(s, CID), 1);
        assert_int_equal(snapshotter_active_prepare(s, CID, L2, &err), -EEXIST);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(snapshotter_active_read_file(s, CID, "/etc/passwd", &buf, &len, &err), 0);
        assert_string_equal(buf, "app:x:5:5::/:/bin/sh\n");
        free(buf);
        buf = NULL;
        assert_int_equal(snapshotter_active_read_file(s, CID, "/etc/group", &buf, &len, &err), 0);
        assert_string_equal(buf, "root:x:0:\n");
        free(buf);
        buf = NULL;
        {
                /* A whiteout in the top layer hides the file below. */
                cleanup_free char *wh = xasprintf("%s/%s/fs/etc/group", f->snaps, H2);
                if (mknod(wh, S_IFCHR | 0, makedev(0, 0)) == 0) {
                        assert_int_equal(snapshotter_active_read_file(s, CID, "/etc/group", &buf,
                                                                      &len, &err),
                                         -ENOENT);
                        berth_error_free(err);
                        err = NULL;
                        unlink(wh);
                }
        }
        assert_int_equal(snapshotter_active_read_file(s, CID, "/nope", &buf, &len, &err), -ENOENT);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(snapshotter_active_parents(s, &parents, &err), 0);
        assert_int_equal(strv_length(parents), 1);
        assert_string_equal(parents[0], L2);
        /* The collector keeps L2 and its parent L1 although no image lists them. */
        assert_int_equal(snapshotter_gc(s, NULL, &err), 0);
        assert_int_equal(snapshotter_exists(s, L1), 1);
        assert_int_equal(snapshotter_active_mount_args(s, CID, &type, &src, &opts, &err), 0);
        assert_string_equal(type, "overlay");
        want = xasprintf(
                "index=off,lowerdir=%s/%s/fs:%s/%s/fs,upperdir=%s/active/%s/upper,workdir=%s/active/%s/work",
                f->snaps, H2, f->snaps, H1, f->snaps, CID, f->snaps, CID);
        assert_string_equal(opts, want);
        assert_int_equal(snapshotter_active_remove(s, CID, &err), 0);
        assert_int_equal(snapshotter_active_exists(s, CID), 0);
        assert_int_equal(snapshotter_active_remove(s, CID, &err), 0);
        /* Nothing holds the chain now. */
        assert_int_equal(snapshotter_gc(s, NULL, &err), 2);
        snapshotter_close(s);
}

static void
test_native_copies_the_chain(void **state)
{
        struct fixture *f = *state;
        struct snapshotter *s = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *buf = NULL, *type = NULL, *src = NULL, *opts = NULL;
        size_t len = 0;

        /* A native chain holds the whole tree in its top snapshot: L1 alone here. */
        assert_int_equal(snapshotter_open(f->snaps, "vfs", &s, &err), 0);
        assert_int_equal(snapshotter_active_prepare(s, CID, L1, &err), 0);
        assert_int_equal(snapshotter_active_read_file(s, CID, "/etc/passwd", &buf, &len, &err), 0);
        assert_string_equal(buf, "root:x:0:0::/root:/bin/sh\n");
        assert_int_equal(snapshotter_active_mount_args(s, CID, &type, &src, &opts, &err), 0);
        assert_string_equal(type, "none");
        assert_string_equal(opts, "rbind");
        assert_int_equal(snapshotter_active_prepare(s, "other", "sha256:ffff", &err), -ENOENT);
        assert_int_equal(snapshotter_active_remove(s, CID, &err), 0);
        snapshotter_close(s);
}

static void
test_bundle_mounts_and_removes(void **state)
{
        struct fixture *f = *state;
        struct snapshotter *s = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *data = xasprintf("%s/data", f->dir),
                          *exec = xasprintf("%s/exec", f->dir);
        cleanup_free char *cfg = NULL, *dir = NULL, *seen = NULL, *made = NULL;
        struct container_service svc = {0};
        const char *driver = NULL;
        struct stat st;

        if (geteuid() != 0)
                skip();
        assert_int_equal(snapshots_probe_driver(f->dir, &driver, &err), 0);
        if (strcmp(driver, "overlay2") != 0)
                skip();
        assert_int_equal(snapshotter_open(f->snaps, driver, &s, &err), 0);
        assert_int_equal(snapshotter_active_prepare(s, CID, L2, &err), 0);
        cfg = xasprintf("%s/containers/%s/config.json", data, CID);
        put(cfg, "{\"process\":{\"cwd\":\"/work/dir\"}}");
        container_service_init(&svc, NULL, NULL, s, data, exec, driver);
        assert_int_equal(container_bundle_prepare(&svc, CID, &dir, &err), 0);
        seen = xasprintf("%s/rootfs/etc/passwd", dir);
        assert_int_equal(stat(seen, &st), 0);
        made = xasprintf("%s/active/%s/upper/work/dir", f->snaps, CID);
        assert_int_equal(stat(made, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        /* Twice is fine: the mount is not stacked. */
        free(dir);
        dir = NULL;
        assert_int_equal(container_bundle_prepare(&svc, CID, &dir, &err), 0);
        assert_int_equal(container_bundle_remove(&svc, CID, &err), 0);
        assert_int_equal(access(dir, F_OK), -1);
        /* The snapshot's files are intact: nothing was removed through the mount. */
        assert_int_equal(stat(made, &st), 0);
        assert_int_equal(container_bundle_remove(&svc, CID, &err), 0);
        container_service_done(&svc);
        snapshotter_close(s);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_prepare_read_remove_overlay, setup, teardown),
                cmocka_unit_test_setup_teardown(test_native_copies_the_chain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bundle_mounts_and_removes, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
