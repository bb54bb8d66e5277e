/* tests/unit/test_lib_fs.c: lib/fs.h in a fresh temporary directory per test. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/xalloc.h"

struct tmp {
        char path[64];
        int dfd;
};

static int
tmp_setup(void **state)
{
        struct tmp *t = xzalloc(sizeof(*t));

        strcpy(t->path, "/tmp/berth-test-fs.XXXXXX");
        if (!mkdtemp(t->path)) {
                free(t);
                return -1;
        }
        t->dfd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->dfd < 0) {
                rmdir(t->path);
                free(t);
                return -1;
        }
        umask(022);
        *state = t;
        return 0;
}

static int
tmp_teardown(void **state)
{
        struct tmp *t = *state;
        cleanup_free char *cmd = xasprintf("rm -rf '%s'", t->path);
        int r;

        close(t->dfd);
        r = system(cmd);
        free(t);
        return r == 0 ? 0 : -1;
}

/* Whether NAME exists below DFD, without following a last symlink. */
static bool
exists(int dfd, const char *name)
{
        struct stat st;

        return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static char *
read_all(int dfd, const char *name)
{
        cleanup_error berth_error_t *err = NULL;
        char *buf = NULL;

        assert_int_equal(fs_read_file(dfd, name, &buf, NULL, &err), 0);
        assert_null(err);
        return buf;
}

static void
test_write_atomic_creates_with_mode(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *got = NULL;
        struct stat st;

        assert_int_equal(fs_write_atomic(t->dfd, "state.json", "{\"a\":1}", 7, 0640, &err), 0);
        assert_null(err);
        assert_int_equal(fstatat(t->dfd, "state.json", &st, 0), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_size, 7);
        got = read_all(t->dfd, "state.json");
        assert_string_equal(got, "{\"a\":1}");
        assert_false(exists(t->dfd, ".state.json.tmp"));
}

static void
test_write_atomic_replaces(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *got = NULL;
        struct stat before, after;

        assert_int_equal(
                fs_write_atomic(t->dfd, "f", "a much longer first version", 27, 0644, &err), 0);
        assert_int_equal(fstatat(t->dfd, "f", &before, 0), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "f", "second", 6, 0600, &err), 0);
        assert_null(err);
        assert_int_equal(fstatat(t->dfd, "f", &after, 0), 0);
        /* A new inode renamed over the old one, never the old file rewritten in place. */
        assert_true(before.st_ino != after.st_ino);
        assert_int_equal(after.st_mode & 07777, 0600);
        got = read_all(t->dfd, "f");
        assert_string_equal(got, "second");
        assert_false(exists(t->dfd, ".f.tmp"));
}

static void
test_write_atomic_ignores_stale_temporary(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *got = NULL;
        cleanup_close int fd = -1;
        struct stat st;

        /* A crash left ".f.tmp" behind with a looser mode and longer content. */
        fd = openat(t->dfd, ".f.tmp", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(fs_write_all(fd, "stale stale stale", 17), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "f", "new", 3, 0600, &err), 0);
        assert_null(err);
        assert_int_equal(fstatat(t->dfd, "f", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        got = read_all(t->dfd, "f");
        assert_string_equal(got, "new");
        assert_false(exists(t->dfd, ".f.tmp"));
}

static void
test_write_atomic_in_subdirectory(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *abs = xasprintf("%s/sub/x", t->path);
        cleanup_free char *got = NULL;

        assert_int_equal(mkdirat(t->dfd, "sub", 0755), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "sub/x", "rel", 3, 0644, &err), 0);
        got = read_all(t->dfd, "sub/x");
        assert_string_equal(got, "rel");
        free(TAKE_PTR(got));
        assert_int_equal(fs_write_atomic(AT_FDCWD, abs, "abs", 3, 0644, &err), 0);
        assert_null(err);
        got = read_all(t->dfd, "sub/x");
        assert_string_equal(got, "abs");
        assert_false(exists(t->dfd, "sub/.x.tmp"));
        assert_false(exists(t->dfd, ".sub/x.tmp"));
        assert_false(exists(t->dfd, ".x.tmp"));
}

static void
test_write_atomic_missing_directory(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(fs_write_atomic(t->dfd, "nodir/x", "a", 1, 0644, &err), -ENOENT);
        assert_int_equal(err->code, ENOENT);
        assert_string_equal(err->msg, "create \"nodir/.x.tmp\": No such file or directory");
        assert_false(exists(t->dfd, "nodir"));
}

static void
test_read_file_missing(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *path = xasprintf("%s/missing.json", t->path);
        cleanup_free char *want = xasprintf("open \"%s\": No such file or directory", path);
        char *buf = NULL;

        assert_int_equal(fs_read_file(AT_FDCWD, path, &buf, NULL, &err), -ENOENT);
        assert_null(buf);
        assert_int_equal(err->code, ENOENT);
        assert_string_equal(err->msg, want);
        assert_null(err->json_path);
}

static void
test_read_file_large_and_binary(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *data = xmalloc(10000);
        cleanup_free char *buf = NULL;
        size_t len = 0;

        for (size_t i = 0; i < 10000; i++)
                data[i] = (char) (i % 251);
        assert_int_equal(fs_write_atomic(t->dfd, "big", data, 10000, 0600, &err), 0);
        assert_int_equal(fs_read_file(t->dfd, "big", &buf, &len, &err), 0);
        assert_null(err);
        assert_int_equal(len, 10000);
        assert_memory_equal(buf, data, 10000);
        assert_int_equal(buf[10000], '\0');
}

static void
test_write_file_truncates_and_never_creates(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *got = NULL;

        assert_int_equal(fs_write_atomic(t->dfd, "f", "0123456789", 10, 0644, &err), 0);
        assert_int_equal(fs_write_file(t->dfd, "f", "ab", 2, &err), 0);
        got = read_all(t->dfd, "f");
        assert_string_equal(got, "ab");
        assert_int_equal(fs_write_file(t->dfd, "nope", "ab", 2, &err), -ENOENT);
        assert_string_equal(err->msg, "open \"nope\": No such file or directory");
        assert_false(exists(t->dfd, "nope"));
}

static void
test_mkdir_p_nested(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *deep = xasprintf("%s/a/b/c/d", t->path);
        cleanup_free char *slash = xasprintf("%s/x/y/", t->path);
        struct stat st;

        assert_int_equal(fs_mkdir_p(deep, 0750, &err), 0);
        assert_int_equal(fstatat(t->dfd, "a/b/c/d", &st, 0), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_int_equal(fstatat(t->dfd, "a", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        /* Existing directories are fine, and so is a trailing slash. */
        assert_int_equal(fs_mkdir_p(deep, 0750, &err), 0);
        assert_int_equal(fs_mkdir_p(slash, 0700, &err), 0);
        assert_null(err);
        assert_int_equal(fstatat(t->dfd, "x/y", &st, 0), 0);
        assert_true(S_ISDIR(st.st_mode));
}

static void
test_mkdir_p_through_a_file(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *empty = NULL;
        cleanup_free char *path = xasprintf("%s/file/sub", t->path);
        cleanup_free char *want = xasprintf("mkdir \"%s\": Not a directory", path);

        assert_int_equal(fs_write_atomic(t->dfd, "file", "", 0, 0644, &err), 0);
        assert_int_equal(fs_mkdir_p(path, 0755, &err), -ENOTDIR);
        assert_int_equal(err->code, ENOTDIR);
        assert_string_equal(err->msg, want);
        /* An empty path names nothing (and must not read past its terminator). */
        assert_int_equal(fs_mkdir_p("", 0755, &empty), -ENOENT);
        assert_string_equal(empty->msg, "mkdir \"\": No such file or directory");
}

static void
test_remove_tree_does_not_follow_symlinks(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *outside = xasprintf("%s/outside", t->path);
        cleanup_free char *outside_file = xasprintf("%s/outside/keep", t->path);
        cleanup_free char *deep = xasprintf("%s/tree/a/b", t->path);
        struct stat st;

        assert_int_equal(mkdirat(t->dfd, "outside", 0755), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "outside/keep", "k", 1, 0644, &err), 0);
        assert_int_equal(fs_mkdir_p(deep, 0755, &err), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "tree/f", "1", 1, 0644, &err), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "tree/a/b/g", "2", 1, 0644, &err), 0);
        assert_int_equal(mkdirat(t->dfd, "tree/empty", 0755), 0);
        assert_int_equal(symlinkat(outside, t->dfd, "tree/a/to-dir"), 0);
        assert_int_equal(symlinkat(outside_file, t->dfd, "tree/to-file"), 0);
        assert_int_equal(symlinkat("/nonexistent", t->dfd, "tree/a/b/dangling"), 0);

        assert_int_equal(fs_remove_tree(t->dfd, "tree", &err), 0);
        assert_null(err);
        assert_false(exists(t->dfd, "tree"));
        assert_int_equal(fstatat(t->dfd, "outside/keep", &st, 0), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_size, 1);
}

static void
test_remove_tree_symlink_to_directory_as_name(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *target = xasprintf("%s/target", t->path);

        assert_int_equal(mkdirat(t->dfd, "target", 0755), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "target/keep", "k", 1, 0644, &err), 0);
        assert_int_equal(symlinkat(target, t->dfd, "link"), 0);
        assert_int_equal(fs_remove_tree(t->dfd, "link", &err), 0);
        assert_false(exists(t->dfd, "link"));
        assert_true(exists(t->dfd, "target/keep"));
}

static void
test_remove_tree_missing_and_plain_file(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *abs = xasprintf("%s/d", t->path);

        assert_int_equal(fs_remove_tree(t->dfd, "missing", &err), 0);
        assert_int_equal(fs_write_atomic(t->dfd, "plain", "p", 1, 0644, &err), 0);
        assert_int_equal(fs_remove_tree(t->dfd, "plain", &err), 0);
        assert_false(exists(t->dfd, "plain"));
        assert_int_equal(mkdirat(t->dfd, "d", 0755), 0);
        assert_int_equal(fs_remove_tree(AT_FDCWD, abs, &err), 0);
        assert_null(err);
        assert_false(exists(t->dfd, "d"));
}

static void
test_write_all_read_all_pipe(void **state)
{
        int p[2];
        char buf[16] = {0};
        (void) state;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(fs_write_all(p[1], "hello", 5), 0);
        close(p[1]);
        /* read_all stops at EOF with what it got. */
        assert_int_equal(fs_read_all(p[0], buf, sizeof(buf)), 5);
        assert_string_equal(buf, "hello");
        assert_int_equal(fs_read_all(p[0], buf, sizeof(buf)), 0);
        close(p[0]);
        assert_int_equal(fs_write_all(-1, "x", 1), -EBADF);
        assert_int_equal(fs_read_all(-1, buf, 1), -EBADF);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_write_atomic_creates_with_mode, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_write_atomic_replaces, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_write_atomic_ignores_stale_temporary,
                                                tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_write_atomic_in_subdirectory, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_write_atomic_missing_directory, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_read_file_missing, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_read_file_large_and_binary, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_write_file_truncates_and_never_creates,
                                                tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_mkdir_p_nested, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_mkdir_p_through_a_file, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_remove_tree_does_not_follow_symlinks,
                                                tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_remove_tree_symlink_to_directory_as_name,
                                                tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_remove_tree_missing_and_plain_file, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test(test_write_all_read_all_pipe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
