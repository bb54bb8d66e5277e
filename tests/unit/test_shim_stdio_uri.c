/* tests/unit/test_shim_stdio_uri.c: containerd's stdio strings (ctr, CRI, cio.LogFile,
 * cio.BinaryIO) and what the shim makes of them. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "shim/stdio_uri.h"

static void
test_null(void **state)
{
        struct shim_stdio s;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_stdio_parse("", "", "", &s, &err), 0);
        assert_int_equal(s.kind, SHIM_STDIO_NULL);
        assert_int_equal(shim_stdio_parse(NULL, NULL, NULL, &s, &err), 0);
        assert_int_equal(s.kind, SHIM_STDIO_NULL);
}

static void
test_fifos(void **state)
{
        struct shim_stdio s;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_stdio_parse("/run/containerd/fifo/1/t-stdin", "/run/containerd/fifo/1/t-stdout",
                                          "/run/containerd/fifo/1/t-stderr", &s, &err),
                         0);
        assert_int_equal(s.kind, SHIM_STDIO_FIFO);
        assert_string_equal(s.stdin_path, "/run/containerd/fifo/1/t-stdin");
        assert_string_equal(s.stdout_path, "/run/containerd/fifo/1/t-stdout");
        assert_string_equal(s.stderr_path, "/run/containerd/fifo/1/t-stderr");
        shim_stdio_done(&s);
        /* stdout only (no stdin: not connected) */
        assert_int_equal(shim_stdio_parse("", "fifo:///f/out", "", &s, &err), 0);
        assert_int_equal(s.kind, SHIM_STDIO_FIFO);
        assert_null(s.stdin_path);
        assert_string_equal(s.stdout_path, "/f/out");
        assert_null(s.stderr_path);
        shim_stdio_done(&s);
        /* stdin only */
        assert_int_equal(shim_stdio_parse("/f/in", "", "", &s, &err), 0);
        assert_int_equal(s.kind, SHIM_STDIO_FIFO);
        assert_string_equal(s.stdin_path, "/f/in");
        shim_stdio_done(&s);
}

static void
test_file(void **state)
{
        struct shim_stdio s;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_stdio_parse("", "file:///var/log/c%201.log", "file:///var/log/c%201.log", &s, &err), 0);
        assert_int_equal(s.kind, SHIM_STDIO_FILE);
        assert_string_equal(s.path, "/var/log/c 1.log");
        shim_stdio_done(&s);
}

static void
test_binary(void **state)
{
        struct shim_stdio s;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *joined = NULL;
        (void) state;

        assert_int_equal(shim_stdio_parse("", "binary:///usr/bin/logger?id=abc&dir=%2Fvar%2Flog&id=second&flag",
                                          "binary:///usr/bin/logger?id=abc", &s, &err),
                         0);
        assert_int_equal(s.kind, SHIM_STDIO_BINARY);
        assert_string_equal(s.path, "/usr/bin/logger");
        joined = strv_join(s.argv, "|");
        assert_string_equal(joined, "/usr/bin/logger|id|abc|dir|/var/log|flag|");
        shim_stdio_done(&s);
}

static void
test_errors(void **state)
{
        struct shim_stdio s;
        (void) state;
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(shim_stdio_parse("", "tcp://1.2.3.4:5", "", &s, &err), -EINVAL);
                assert_string_equal(err->msg, "unknown STDIO scheme tcp");
        }
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(shim_stdio_parse("", "binary://relative/x", "", &s, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "must be absolute"));
        }
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(shim_stdio_parse("", "binary:///x?a=%zz", "", &s, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "bad escape"));
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_null),   cmocka_unit_test(test_fifos),  cmocka_unit_test(test_file),
                cmocka_unit_test(test_binary), cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
