/* tests/unit/test_containers_changes_naive.c: docker diff and the commit layer on the vfs
 * driver (supervisor/containers/changes_naive.c): dockerd's stat comparison, two trees in a
 * temporary directory compared, the layer tar written from the changes. */
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

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/containers/changes_naive.h"

static void
test_stat_differs(void **state)
{
        struct stat a = {0}, b;
        (void) state;

        a.st_mode = S_IFREG | 0644;
        a.st_size = 5;
        a.st_mtim.tv_sec = 100;
        a.st_mtim.tv_nsec = 7;
        b = a;
        assert_false(container_stat_differs(&a, &b));
        b.st_mtim.tv_nsec = 0; /* a copy without nanoseconds: the same time */
        assert_false(container_stat_differs(&a, &b));
        b.st_mtim.tv_nsec = 8;
        assert_true(container_stat_differs(&a, &b));
        b = a;
        b.st_size = 6;
        assert_true(container_stat_differs(&a, &b));
        b = a;
        b.st_uid = 1;
        assert_true(container_stat_differs(&a, &b));
        b = a;
        b.st_mode = S_IFREG | 0600;
        assert_true(container_stat_differs(&a, &b));
        /* directories: size and mtime are not looked at */
        a.st_mode = b.st_mode = S_IFDIR | 0755;
        b = a;
        b.st_size = 4096 * 2;
        b.st_mtim.tv_sec = 200;
        assert_false(container_stat_differs(&a, &b));
        b.st_gid = 5;
        assert_true(container_stat_differs(&a, &b));
}

static char *tmp;

static void
mk(const char *root, const char *rel, const char *content)
{
        cleanup_free char *p = xasprintf("%s/%s/%s", tmp, root, rel);
        if (content == NULL) {
                assert_int_equal(mkdir(p, 0755), 0);
                return;
        }
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

/* Give REL in both trees the same mtime, as a copy of the image's layer keeps it. */
static void
same_time(const char *rel)
{
        struct timespec ts[2] = {{.tv_sec = 1000000, .tv_nsec = 5},
                                 {.tv_sec = 1000000, .tv_nsec = 5}};
        for (int i = 0; i < 2; i++) {
                cleanup_free char *p = xasprintf("%s/%s/%s", tmp, i ? "new" : "old", rel);
                assert_int_equal(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
        }
}

static int
setup_trees(void **state)
{
        (void) state;
        tmp = xstrdup("/tmp/berth-naive-XXXXXX");
        assert_non_null(mkdtemp(tmp));
        for (int i = 0; i < 2; i++) {
                const char *r = i ? "new" : "old";
                cleanup_free char *p = xasprintf("%s/%s", tmp, r);
                assert_int_equal(mkdir(p, 0755), 0);
                mk(r, "bin", NULL);
                mk(r, "bin/same", "x");
                mk(r, "bin/changed", i ? "longer" : "x");
                mk(r, "etc", NULL);
                mk(r, "etc/passwd", "root");
                mk(r, "gone_dir", NULL);
                mk(r, "tomode", NULL);
                mk(r, "file2dir", i ? NULL : "f");
                mk(r, "dir2file", i ? "f" : NULL);
        }
        mk("old", "etc/removed", "r");
        mk("old", "dir2file/inside", "i");
        mk("new", "etc/hostname", "h"); /* a mountpoint: left out */
        mk("new", "proc", NULL);        /* another, a directory */
        mk("new", "added", NULL);
        mk("new", "added/a", "a");
        mk("new", "added/sub", NULL);
        mk("new", "file2dir/x", "x");
        {
                cleanup_free char *o = xasprintf("%s/old/gone_dir", tmp);
                cleanup_free char *n = xasprintf("%s/new/gone_dir", tmp);
                cleanup_free char *m = xasprintf("%s/new/tomode", tmp);
                cleanup_free char *l1 = xasprintf("%s/old/link", tmp);
                cleanup_free char *l2 = xasprintf("%s/new/link", tmp);
                assert_int_equal(rmdir(n), 0);
                (void) o;
                assert_int_equal(chmod(m, 0700), 0);
                assert_int_equal(symlink("/a", l1), 0);
                assert_int_equal(symlink("/b", l2), 0);
        }
        same_time("bin/same");
        same_time("bin/changed");
        same_time("etc/passwd");
        same_time("link");
        return 0;
}

static int
teardown_trees(void **state)
{
        cleanup_free char *cmd = xasprintf("rm -rf '%s'", tmp);
        (void) state;
        assert_int_equal(system(cmd), 0);
        free(tmp);
        return 0;
}

static char *
render(struct json_object *changes)
{
        char *s = xstrdup("");
        for (size_t i = 0; i < json_object_array_length(changes); i++) {
                struct json_object *c = json_object_array_get_idx(changes, i);
                char *n = xasprintf("%s%d %s\n", s,
                                    json_object_get_int(json_object_object_get(c, "Kind")),
                                    json_object_get_string(json_object_object_get(c, "Path")));
                free(s);
                s = n;
        }
        return s;
}

static void
test_changes(void **state)
{
        cleanup_free char *o = xasprintf("%s/old", tmp), *n = xasprintf("%s/new", tmp);
        cleanup_free char *text = NULL;
        char *skip[] = {(char *) "/etc/hostname", (char *) "/proc", NULL};
        struct json_object *changes = NULL;
        berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(container_changes_naive(n, o, skip, &changes, &err), 0);
        text = render(changes);
        /* 1 added, 0 modified, 2 deleted; depth first, names sorted. A replaced directory's
         * old contents are not listed; /etc holds only a mountpoint besides a deletion. */
        assert_string_equal(text, "1 /added\n"
                                  "1 /added/a\n"
                                  "1 /added/sub\n"
                                  "0 /bin\n"
                                  "0 /bin/changed\n"
                                  "0 /dir2file\n"
                                  "0 /etc\n"
                                  "2 /etc/removed\n"
                                  "0 /file2dir\n"
                                  "1 /file2dir/x\n"
                                  "2 /gone_dir\n"
                                  "0 /link\n"
                                  "0 /tomode\n");
        json_object_put(changes);

        /* an empty image: everything is new; no change at all between a tree and itself */
        assert_int_equal(container_changes_naive(o, NULL, NULL, &changes, &err), 0);
        assert_int_equal(json_object_get_int(json_object_object_get(
                                 json_object_array_get_idx(changes, 0), "Kind")),
                         1);
        json_object_put(changes);
        assert_int_equal(container_changes_naive(o, o, NULL, &changes, &err), 0);
        assert_int_equal(json_object_array_length(changes), 0);
        json_object_put(changes);
        assert_int_equal(container_changes_naive("/nonexistent-x", o, NULL, &changes, &err),
                         -ENOENT);
        berth_error_free(err);
}

static void
test_layer(void **state)
{
        cleanup_free char *o = xasprintf("%s/old", tmp), *n = xasprintf("%s/new", tmp);
        cleanup_free char *names = xstrdup("");
        char *skip[] = {(char *) "/etc/hostname", (char *) "/proc", NULL};
        struct json_object *changes = NULL;
        berth_error_t *err = NULL;
        struct archive *a;
        struct archive_entry *e;
        int fd;
        (void) state;

        assert_int_equal(container_changes_naive(n, o, skip, &changes, &err), 0);
        fd = fileno(tmpfile());
        assert_true(fd >= 0);
        assert_int_equal(container_changes_layer_write(n, changes, fd, &err), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        a = archive_read_new();
        archive_read_support_format_all(a);
        assert_int_equal(archive_read_open_fd(a, fd, 4096), ARCHIVE_OK);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                char *x = xasprintf("%s%s%s%s\n", names, archive_entry_pathname(e),
                                    archive_entry_symlink(e) ? " -> " : "",
                                    archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
                if (strcmp(archive_entry_pathname(e), "bin/changed") == 0) {
                        char buf[16] = "";
                        assert_int_equal(archive_read_data(a, buf, sizeof(buf)), 6);
                        assert_string_equal(buf, "longer");
                }
                free(names);
                names = x;
        }
        archive_read_free(a);
        /* directories as entries of their own (not their contents), whiteouts for deletions */
        assert_string_equal(names, "added/\nadded/a\nadded/sub/\nbin/\nbin/changed\ndir2file\n"
                                   "etc/\netc/.wh.removed\nfile2dir/\nfile2dir/x\n.wh.gone_dir\n"
                                   "link -> /b\ntomode/\n");
        json_object_put(changes);
        /* a path that leads through a symlink is refused, never followed */
        changes = json_tokener_parse("[{\"Path\":\"/link/etc/passwd\",\"Kind\":1}]");
        assert_int_not_equal(container_changes_layer_write(n, changes, fd, &err), 0);
        berth_error_free(err);
        json_object_put(changes);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stat_differs),
                cmocka_unit_test_setup_teardown(test_changes, setup_trees, teardown_trees),
                cmocka_unit_test_setup_teardown(test_layer, setup_trees, teardown_trees),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
