/* tests/unit/test_snapshots_unpack.c: supervisor/snapshots/unpack.h and snapshotter.h: entry
 * classification (pure), then real layers built here with libarchive, unpacked natively and in
 * overlay format (needs root for the chroot: skipped otherwise). */
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
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/snapshots/snapshotter.h"
#include "supervisor/snapshots/unpack.h"

static void
test_classify(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        enum layer_entry_kind k;
        char *t = NULL;

        (void) state;
        assert_int_equal(layer_entry_classify("./etc/passwd", &k, &t, &err), 0);
        assert_int_equal(k, LAYER_ENTRY_NORMAL);
        assert_string_equal(t, "etc/passwd");
        free(t);
        assert_int_equal(layer_entry_classify("etc/.wh.hosts", &k, &t, &err), 0);
        assert_int_equal(k, LAYER_ENTRY_WHITEOUT);
        assert_string_equal(t, "etc/hosts");
        free(t);
        assert_int_equal(layer_entry_classify("/var/.wh..wh..opq", &k, &t, &err), 0);
        assert_int_equal(k, LAYER_ENTRY_OPAQUE);
        assert_string_equal(t, "var");
        free(t);
        assert_int_equal(layer_entry_classify(".wh..wh..opq", &k, &t, &err), 0);
        assert_int_equal(k, LAYER_ENTRY_OPAQUE);
        assert_string_equal(t, "");
        free(t);
        assert_int_equal(layer_entry_classify("./", &k, &t, &err), 0);
        assert_int_equal(k, LAYER_ENTRY_SKIP);
        free(t);
        assert_int_equal(layer_entry_classify("a/../../etc", &k, &t, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "\"..\""));
}

static void
test_chain_id(void **state)
{
        cleanup_free char *a = NULL, *b = NULL;
        const char *d1 = "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

        (void) state;
        a = snapshot_chain_id(NULL, d1);
        assert_string_equal(a, d1);
        /* sha256("<d1> <d1>") */
        b = snapshot_chain_id(d1, d1);
        assert_int_equal(strlen(b), 71);
        assert_string_not_equal(b, d1);
}

struct member {
        const char *path;
        mode_t type;
        const char *data;
};

/* Write a tar (gzip'd when GZIP) of MEMBERS to PATH. */
static void
write_layer(const char *path, bool gzip, const struct member *m)
{
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (gzip)
                archive_write_add_filter_gzip(a);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        for (; m->path; m++) {
                struct archive_entry *e = archive_entry_new();
                size_t len = m->data ? strlen(m->data) : 0;
                archive_entry_set_pathname(e, m->path);
                archive_entry_set_filetype(e, m->type);
                archive_entry_set_perm(e, m->type == AE_IFDIR ? 0755 : 0644);
                archive_entry_set_size(e, (la_int64_t) len);
                archive_write_header(a, e);
                if (len)
                        archive_write_data(a, m->data, len);
                archive_entry_free(e);
        }
        archive_write_close(a);
        archive_write_free(a);
}

/* The diff ID of an uncompressed layer at PATH. */
static char *
file_digest(const char *path)
{
        cleanup_free char *cmd = xasprintf("sha256sum '%s'", path);
        char buf[128] = "";
        FILE *p = popen(cmd, "r");
        assert_non_null(fgets(buf, sizeof(buf), p));
        pclose(p);
        buf[64] = '\0';
        return xasprintf("sha256:%s", buf);
}

static int
root_setup(void **state)
{
        char *p = xstrdup("/tmp/berth-test-unpack.XXXXXX");
        if (geteuid() != 0) {
                free(p);
                *state = NULL;
                return 0;
        }
        if (!mkdtemp(p))
                return -1;
        *state = p;
        return 0;
}

static int
root_teardown(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        if (*state)
                fs_remove_tree(AT_FDCWD, *state, &err);
        free(*state);
        return 0;
}

static const struct member base_layer[] = {
        {"etc/", AE_IFDIR, NULL},     {"etc/hosts", AE_IFREG, "127.0.0.1 localhost\n"},
        {"etc/gone", AE_IFREG, "x"},  {"var/", AE_IFDIR, NULL},
        {"var/old", AE_IFREG, "old"}, {NULL, 0, NULL},
};
static const struct member top_layer[] = {
        {"etc/.wh.gone", AE_IFREG, NULL},
        {"var/", AE_IFDIR, NULL},
        {"var/new", AE_IFREG, "new"},
        {"var/.wh..wh..opq", AE_IFREG, NULL},
        {NULL, 0, NULL},
};

static void
unpack_two(const char *dir, const char *driver, char **ret_top)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *root = xasprintf("%s/%s", dir, driver);
        cleanup_free char *l1 = xasprintf("%s/l1.tar", dir), *l2 = xasprintf("%s/l2.tar", dir);
        cleanup_free char *d1 = NULL, *d2 = NULL, *c1 = NULL, *c2 = NULL;
        struct snapshotter *s = NULL;
        int fd;

        write_layer(l1, false, base_layer);
        write_layer(l2, false, top_layer);
        d1 = file_digest(l1);
        d2 = file_digest(l2);
        /* Compressed the same layer has the same diff ID. */
        write_layer(l1, true, base_layer);
        assert_int_equal(snapshotter_open(root, driver, &s, &err), 0);
        fd = open(l1, O_RDONLY | O_CLOEXEC);
        assert_int_equal(snapshotter_unpack(s, NULL, d1, fd, &c1, &err), 0);
        close(fd);
        assert_string_equal(c1, d1);
        assert_int_equal(snapshotter_layer_size(s, c1), 20 + 1 + 3);
        fd = open(l2, O_RDONLY | O_CLOEXEC);
        assert_int_equal(snapshotter_unpack(s, c1, d2, fd, &c2, &err), 0);
        close(fd);
        *ret_top = snapshotter_path(s, c2);
        snapshotter_close(s);
}

static void
test_native_whiteouts(void **state)
{
        cleanup_free char *top = NULL;
        cleanup_free char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;

        if (*state == NULL)
                skip();
        unpack_two(*state, "vfs", &top);
        p1 = xasprintf("%s/etc/hosts", top);
        p2 = xasprintf("%s/etc/gone", top);
        p3 = xasprintf("%s/var/old", top);
        p4 = xasprintf("%s/var/new", top);
        assert_int_equal(access(p1, F_OK), 0);
        assert_int_equal(access(p2, F_OK), -1);
        assert_int_equal(access(p3, F_OK), -1);
        assert_int_equal(access(p4, F_OK), 0);
}

static void
test_overlay_whiteouts(void **state)
{
        cleanup_free char *top = NULL;
        cleanup_free char *p2 = NULL, *var = NULL;
        struct stat st;
        char v[4] = "";

        if (*state == NULL)
                skip();
        unpack_two(*state, "overlay2", &top);
        p2 = xasprintf("%s/etc/gone", top);
        var = xasprintf("%s/var", top);
        assert_int_equal(lstat(p2, &st), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        assert_int_equal(getxattr(var, "trusted.overlay.opaque", v, sizeof(v)), 1);
        assert_int_equal(v[0], 'y');
}

static void
test_bad_layer_leaves_nothing(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *root = NULL, *l = NULL, *d = NULL, *c = NULL;
        cleanup_free char *cmd = NULL;
        struct snapshotter *s = NULL;
        int fd;

        if (*state == NULL)
                skip();
        root = xasprintf("%s/bad", (char *) *state);
        l = xasprintf("%s/l.tar", (char *) *state);
        write_layer(l, false, base_layer);
        d = xstrdup("sha256:0000000000000000000000000000000000000000000000000000000000000000");
        assert_int_equal(snapshotter_open(root, "vfs", &s, &err), 0);
        fd = open(l, O_RDONLY | O_CLOEXEC);
        assert_int_equal(snapshotter_unpack(s, NULL, d, fd, &c, &err), -EINVAL);
        close(fd);
        assert_non_null(strstr(err->msg, "does not match"));
        berth_error_free(TAKE_PTR(err));
        /* A truncated layer fails in the tar reader. */
        assert_int_equal(truncate(l, 700), 0);
        fd = open(l, O_RDONLY | O_CLOEXEC);
        assert_true(snapshotter_unpack(s, NULL, d, fd, &c, &err) < 0);
        close(fd);
        snapshotter_close(s);
        cmd = xasprintf("test -z \"$(ls -A '%s')\"", root);
        assert_int_equal(system(cmd), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify),
                cmocka_unit_test(test_chain_id),
                cmocka_unit_test_setup_teardown(test_native_whiteouts, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_overlay_whiteouts, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_bad_layer_leaves_nothing, root_setup,
                                                root_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
