/* tests/unit/test_shim_runtime_cli.c: the runtime's argv as containerd's runc shim builds it,
 * the error taken from runc's JSON log, and a run of a stand-in runtime. */
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

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "shim/runtime_cli.h"

static void
test_argv(void **state)
{
        struct shim_runtime rt = {.binary = "berth", .root = "/run/containerd/runc/default", .log = "/b/log.json",
                                  .systemd_cgroup = true};
        char *args[] = {"create", "--bundle", "/b", "--pid-file", "/b/init.pid", "c1", NULL};
        cleanup_strv char **v = shim_runtime_argv(&rt, args);
        cleanup_free char *joined = strv_join(v, " ");
        (void) state;

        assert_string_equal(joined, "berth --root /run/containerd/runc/default --log /b/log.json --log-format json "
                                    "--systemd-cgroup create --bundle /b --pid-file /b/init.pid c1");
}

static void
test_log_error(void **state)
{
        const char *log = "{\"level\":\"warning\",\"msg\":\"w\",\"time\":\"t\"}\n"
                          "{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n"
                          "not json\n"
                          "{\"level\":\"error\",\"msg\":\"exec: \\\"nosuch\\\": executable file not found in $PATH\",\"time\":\"t\"}\n"
                          "{\"level\":\"info\",\"msg\":\"later\",\"time\":\"t\"}";
        cleanup_free char *m = shim_runtime_log_error(log);
        (void) state;

        assert_string_equal(m, "exec: \"nosuch\": executable file not found in $PATH");
        assert_null(shim_runtime_log_error("{\"level\":\"info\",\"msg\":\"x\"}\n"));
        assert_null(shim_runtime_log_error(""));
}

/* A stand-in runtime: a shell script that logs like runc and fails. */
static void
test_run_reports_the_new_log_error(void **state)
{
        char dir[] = "/tmp/berth-shim-rt.XXXXXX";
        cleanup_free char *script = NULL, *log = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_non_null(mkdtemp(dir));
        assert_true(asprintf(&script, "%s/fake-runtime", dir) > 0);
        assert_true(asprintf(&log, "%s/log.json", dir) > 0);
        const char *body = "#!/bin/sh\n"
                           "while [ $# -gt 0 ]; do case $1 in --log) log=$2; shift;; ok) exit 0;; esac; shift; done\n"
                           "[ -z \"$NOTIFY_SOCKET\" ] || exit 9\n"
                           "echo '{\"level\":\"error\",\"msg\":\"container with id exists: c1\",\"time\":\"t\"}' >> \"$log\"\n"
                           "exit 1\n";
        {
                int fd = open(script, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
                assert_true(fd >= 0);
                assert_int_equal(fs_write_all(fd, body, strlen(body)), 0);
                close(fd);
        }
        /* an older error in the log is not this run's */
        const char *old = "{\"level\":\"error\",\"msg\":\"old\",\"time\":\"t\"}\n";
        {
                int fd = open(log, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                assert_true(fd >= 0);
                assert_int_equal(fs_write_all(fd, old, strlen(old)), 0);
                close(fd);
        }
        setenv("NOTIFY_SOCKET", "/nonexistent", 1);
        struct shim_runtime rt = {.binary = script, .root = dir, .log = log};
        char *fail[] = {"create", "c1", NULL};
        char *ok[] = {"ok", NULL};
        assert_int_equal(shim_runtime_run(&rt, fail, NULL, &err), -EIO);
        assert_string_equal(err->msg, "container with id exists: c1");
        berth_error_free(err);
        err = NULL;
        assert_int_equal(shim_runtime_run(&rt, ok, NULL, &err), 0);
        assert_null(err);
        struct shim_runtime missing = {.binary = "/nonexistent/runtime", .log = NULL};
        assert_int_equal(shim_runtime_run(&missing, fail, NULL, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "could not be run"));
        unsetenv("NOTIFY_SOCKET");
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, &err), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_argv),
                cmocka_unit_test(test_log_error),
                cmocka_unit_test(test_run_reports_the_new_log_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
