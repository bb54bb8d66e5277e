/* tests/unit/test_linux_process.c: the container process's environment and executable lookup
 * (runtime/linux/process.h), run against this host's root as init runs them in the container's. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/process.h"

#define ENV(...) ((char *[]){__VA_ARGS__, NULL})

/* HOME of UID in this host's /etc/passwd, as runc reads it: "/" when there is none. */
static char *
expected_home(uid_t uid)
{
        struct passwd *pw = getpwuid(uid);

        return xasprintf("HOME=%s", pw && pw->pw_dir[0] ? pw->pw_dir : "/");
}

static void
test_env_get(void **state)
{
        char **env = ENV("PATHX=1", "PATH=/bin:/usr/bin", "EMPTY=", "NOEQ");
        (void) state;

        assert_string_equal(process_env_get(env, "PATH"), "/bin:/usr/bin");
        assert_string_equal(process_env_get(env, "PATHX"), "1");
        assert_string_equal(process_env_get(env, "EMPTY"), "");
        assert_null(process_env_get(env, "PAT"));
        assert_null(process_env_get(env, "NOEQ"));
        assert_null(process_env_get(env, "HOME"));
        assert_null(process_env_get(NULL, "PATH"));
}

static void
test_build_env_adds_home(void **state)
{
        struct spec_process p = {.env = ENV("PATH=/bin", "TERM=xterm")};
        cleanup_strv char **env = NULL;
        cleanup_free char *home = expected_home(0);
        (void) state;

        p.user.uid = 0;
        env = process_build_env(&p, 0);
        assert_int_equal(strv_length(env), 3);
        assert_string_equal(env[0], "PATH=/bin");
        assert_string_equal(env[1], "TERM=xterm");
        assert_string_equal(env[2], home);
        /* Debian's root, as every passwd file has it. */
        assert_string_equal(env[2], "HOME=/root");
}

static void
test_build_env_home_of_other_users(void **state)
{
        struct spec_process p = {0};
        cleanup_strv char **daemon_env = NULL;
        cleanup_strv char **nobody_env = NULL;
        cleanup_free char *daemon_home = expected_home(1);
        (void) state;

        p.user.uid = 1;
        daemon_env = process_build_env(&p, 0);
        assert_int_equal(strv_length(daemon_env), 1);
        assert_string_equal(daemon_env[0], daemon_home);
        /* A uid no passwd line names: "/" (runc). */
        p.user.uid = 3999999;
        assert_null(getpwuid(3999999));
        nobody_env = process_build_env(&p, 0);
        assert_int_equal(strv_length(nobody_env), 1);
        assert_string_equal(nobody_env[0], "HOME=/");
}

static void
test_build_env_keeps_home(void **state)
{
        struct spec_process p = {.env = ENV("HOME=/home/app", "A=1")};
        cleanup_strv char **env = NULL;
        (void) state;

        env = process_build_env(&p, 0);
        assert_int_equal(strv_length(env), 2);
        assert_string_equal(env[0], "HOME=/home/app");
        assert_string_equal(env[1], "A=1");
        /* A copy: the spec's vector is not the result. */
        assert_true(env[0] != p.env[0]);
}

static void
test_build_env_listen_fds(void **state)
{
        struct spec_process p = {.env = ENV("LISTEN_FDS=5", "A=1", "LISTEN_PID=1", "HOME=/")};
        cleanup_strv char **env = NULL;
        cleanup_strv char **plain = NULL;
        cleanup_free char *pid = xasprintf("LISTEN_PID=%d", (int) getpid());
        (void) state;

        env = process_build_env(&p, 2);
        assert_int_equal(strv_length(env), 4);
        assert_string_equal(env[0], "A=1");
        assert_string_equal(env[1], "HOME=/");
        assert_string_equal(env[2], "LISTEN_FDS=2");
        assert_string_equal(env[3], pid);
        /* Without fds to pass the spec's own values stay. */
        plain = process_build_env(&p, 0);
        assert_int_equal(strv_length(plain), 4);
        assert_string_equal(plain[0], "LISTEN_FDS=5");
        assert_string_equal(plain[2], "LISTEN_PID=1");
}

static void
test_find_executable_on_path(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *sh = NULL;
        cleanup_free char *dflt = NULL;
        (void) state;

        assert_int_equal(process_find_executable("sh", ENV("PATH=/bin"), &sh, &err), 0);
        assert_null(err);
        assert_string_equal(sh, "/bin/sh");
        /* No PATH in the environment: the default one, where sh is found too. */
        assert_int_equal(process_find_executable("sh", ENV("A=1"), &dflt, &err), 0);
        assert_true(dflt[0] == '/');
        assert_string_equal(dflt + strlen(dflt) - 3, "/sh");
        assert_int_equal(access(dflt, X_OK), 0);
}

static void
test_find_executable_not_found(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        char *path = NULL;
        (void) state;

        assert_int_equal(
                process_find_executable("nonexistent-xyz", ENV("PATH=/bin:/usr/bin"), &path, &err),
                -ENOENT);
        assert_null(path);
        assert_int_equal(err->code, ENOENT);
        assert_string_equal(err->msg,
                            "exec: \"nonexistent-xyz\": executable file not found in $PATH");
}

static void
test_find_executable_with_slash(void **state)
{
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_free char *abs = NULL;
        char *path = NULL;
        (void) state;

        /* A name with a slash is taken as it is, never searched. */
        assert_int_equal(process_find_executable("/bin/sh", ENV("PATH=/nonexistent"), &abs, &e1),
                         0);
        assert_string_equal(abs, "/bin/sh");
        assert_int_equal(process_find_executable("/nonexistent/x", NULL, &path, &e1), -ENOENT);
        assert_string_equal(
                e1->msg,
                "exec: \"/nonexistent/x\": stat /nonexistent/x: no such file or directory");
        assert_int_equal(process_find_executable("/tmp", NULL, &path, &e2), -EACCES);
        assert_int_equal(e2->code, EACCES);
        assert_string_equal(e2->msg, "exec: \"/tmp\": is a directory: permission denied");
        assert_null(path);
}

struct tmp {
        char path[64];
};

static int
tmp_setup(void **state)
{
        struct tmp *t = xzalloc(sizeof(*t));

        strcpy(t->path, "/tmp/berth-test-process.XXXXXX");
        if (!mkdtemp(t->path)) {
                free(t);
                return -1;
        }
        *state = t;
        return 0;
}

static int
tmp_teardown(void **state)
{
        struct tmp *t = *state;
        int r = fs_remove_tree(AT_FDCWD, t->path, NULL);

        free(t);
        return r;
}

static void
make_file(const char *dir, const char *name, mode_t mode)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, name);
        cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

        assert_true(fd >= 0);
        assert_int_equal(fs_write_all(fd, "#!/bin/sh\n", 10), 0);
        assert_int_equal(fchmod(fd, mode), 0);
}

static void
test_find_executable_skips_dirs_and_non_executables(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_free char *d0 = xasprintf("%s/d0", t->path);
        cleanup_free char *d1 = xasprintf("%s/d1", t->path);
        cleanup_free char *d2 = xasprintf("%s/d2", t->path);
        cleanup_free char *tool_dir = xasprintf("%s/tool", d0);
        cleanup_free char *plain = xasprintf("%s/tool", d1);
        cleanup_free char *want = xasprintf("%s/tool", d2);
        cleanup_free char *pathvar = xasprintf("PATH=%s:%s:%s", d0, d1, d2);
        cleanup_free char *plain_msg = xasprintf("exec: \"%s\": permission denied", plain);
        cleanup_free char *found = NULL;
        char *none = NULL;
        (void) state;

        assert_int_equal(fs_mkdir_p(tool_dir, 0755, &err), 0);
        assert_int_equal(fs_mkdir_p(d1, 0755, &err), 0);
        assert_int_equal(fs_mkdir_p(d2, 0755, &err), 0);
        make_file(d1, "tool", 0644);
        make_file(d2, "tool", 0755);
        /* d0/tool is a directory, d1/tool not executable (even for root: no x bit at all). */
        assert_int_equal(process_find_executable("tool", ENV(pathvar), &found, &err), 0);
        assert_null(err);
        assert_string_equal(found, want);
        assert_int_equal(process_find_executable(plain, NULL, &none, &e2), -EACCES);
        assert_string_equal(e2->msg, plain_msg);
        assert_null(none);
}

/* In a child with nothing open above stderr: fds 3 and 4 without close-on-exec, keep one.
 * Returns the number of the first check that failed, 0 when all passed. */
static int
prepare_fds_child(void)
{
        berth_error_t *err = NULL;

        if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
                return 1;
        if (fcntl(STDERR_FILENO, F_DUPFD, 3) != 3 || fcntl(STDERR_FILENO, F_DUPFD, 3) != 4)
                return 2;
        if (process_prepare_fds(1, &err) != 0 || err)
                return 3;
        if ((fcntl(3, F_GETFD) & FD_CLOEXEC) != 0)
                return 4;
        if ((fcntl(4, F_GETFD) & FD_CLOEXEC) == 0)
                return 5;
        close(4);
        /* A preserved fd that is not open is an error naming it. */
        if (process_prepare_fds(2, &err) != -EBADF || !err)
                return 6;
        if (strcmp(err->msg, "preserved fd 4: Bad file descriptor") != 0)
                return 7;
        berth_error_free(err);
        return 0;
}

static void
test_prepare_fds(void **state)
{
        int status = 0;
        pid_t pid;
        (void) state;

        /* A child: the test runner (make's jobserver, the harness) may hold fds of its own. */
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(prepare_fds_child());
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_env_get),
                cmocka_unit_test(test_build_env_adds_home),
                cmocka_unit_test(test_build_env_home_of_other_users),
                cmocka_unit_test(test_build_env_keeps_home),
                cmocka_unit_test(test_build_env_listen_fds),
                cmocka_unit_test(test_find_executable_on_path),
                cmocka_unit_test(test_find_executable_not_found),
                cmocka_unit_test(test_find_executable_with_slash),
                cmocka_unit_test_setup_teardown(test_find_executable_skips_dirs_and_non_executables,
                                                tmp_setup, tmp_teardown),
                cmocka_unit_test(test_prepare_fds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
