/* tests/unit/test_container_load.c: container ids, signal names and loading state
 * (runtime/container/load.c) against a temporary --root. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "runtime/container/container.h"

static void
test_validate_id_ok(void **state)
{
        static const char *const ok[] = {"abc-1.2_x+y", "a", "ABC", "0", "..a", "a..", "-", "+"};
        cleanup_free char *longest = xmalloc(1025);
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                assert_int_equal(container_validate_id(ok[i], &err), 0);
        memset(longest, 'x', 1024);
        longest[1024] = '\0';
        assert_int_equal(container_validate_id(longest, &err), 0);
        assert_null(err);
}

static void
expect_bad_id(const char *id, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(container_validate_id(id, &err), -EINVAL);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->msg, msg);
}

static void
test_validate_id_bad(void **state)
{
        cleanup_free char *too_long = xmalloc(1026);
        (void) state;

        expect_bad_id("", "container id cannot be empty");
        expect_bad_id(NULL, "container id cannot be empty");
        expect_bad_id(".", "invalid container id: \".\"");
        expect_bad_id("..", "invalid container id: \"..\"");
        expect_bad_id("a/b", "invalid container id format: a/b");
        expect_bad_id("a b", "invalid container id format: a b");
        expect_bad_id("../etc", "invalid container id format: ../etc");
        expect_bad_id("a\nb", "invalid container id format: a\nb");
        expect_bad_id("caf\xc3\xa9", "invalid container id format: caf\xc3\xa9");
        memset(too_long, 'x', 1025);
        too_long[1025] = '\0';
        expect_bad_id(too_long, "invalid container id: too long");
}

static void
expect_signal(const char *s, int want)
{
        cleanup_error berth_error_t *err = NULL;
        int sig = -1;

        assert_int_equal(container_parse_signal(s, &sig, &err), 0);
        assert_null(err);
        assert_int_equal(sig, want);
}

static void
expect_bad_signal(const char *s, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;
        int sig = -1;

        assert_int_equal(container_parse_signal(s, &sig, &err), -EINVAL);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->msg, msg);
        assert_int_equal(sig, -1);
}

static void
test_parse_signal(void **state)
{
        (void) state;
        expect_signal("9", SIGKILL);
        expect_signal("KILL", SIGKILL);
        expect_signal("sigkill", SIGKILL);
        expect_signal("Kill", SIGKILL);
        expect_signal("SIGTERM", SIGTERM);
        expect_signal("TERM", SIGTERM);
        expect_signal("HUP", SIGHUP);
        expect_signal("SIGWINCH", SIGWINCH);
        expect_signal("CLD", SIGCHLD);
        expect_signal("64", SIGRTMAX);
        expect_signal("SIGRTMIN", SIGRTMIN);
        expect_signal("SIGRTMIN+1", SIGRTMIN + 1);
        expect_signal("RTMAX-2", SIGRTMAX - 2);
        expect_signal("rtmax", SIGRTMAX);
        /* 0 probes whether the process exists, as kill(2) (runc accepts it) */
        expect_signal("0", 0);
}

static void
test_parse_signal_bad(void **state)
{
        (void) state;
        expect_bad_signal("-9", "unknown signal \"-9\"");
        expect_bad_signal("65", "unknown signal \"65\"");
        expect_bad_signal("FOO", "unknown signal \"FOO\"");
        expect_bad_signal("SIGFOO", "unknown signal \"SIGFOO\"");
        expect_bad_signal("SIG", "unknown signal \"SIG\"");
        expect_bad_signal("9x", "unknown signal \"9x\"");
        expect_bad_signal("SIGRTMIN-1", "unknown signal \"SIGRTMIN-1\"");
        expect_bad_signal("RTMAX+1", "unknown signal \"RTMAX+1\"");
        expect_bad_signal("RTMIN+", "unknown signal \"RTMIN+\"");
        expect_bad_signal("RTMINX", "unknown signal \"RTMINX\"");
        expect_bad_signal("", "empty signal");
        expect_bad_signal(NULL, "empty signal");
}

struct root {
        char path[64];
        struct runtime_ctx ctx;
};

static int
root_setup(void **state)
{
        struct root *r = xzalloc(sizeof(*r));

        strcpy(r->path, "/tmp/berth-test-root.XXXXXX");
        if (!mkdtemp(r->path)) {
                free(r);
                return -1;
        }
        r->ctx.root = r->path;
        *state = r;
        return 0;
}

static int
root_teardown(void **state)
{
        struct root *r = *state;
        int ret = fs_remove_tree(AT_FDCWD, r->path, NULL);

        free(r);
        return ret;
}

static void
test_container_dir(void **state)
{
        struct root *r = *state;
        cleanup_free char *dir = container_dir(&r->ctx, "c1");
        cleanup_free char *want = xasprintf("%s/c1", r->path);

        assert_string_equal(dir, want);
}

static void
test_load_missing(void **state)
{
        struct root *r = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_free char *dir = xasprintf("%s/half", r->path);
        struct container_state s;

        assert_int_equal(container_load(&r->ctx, "c1", &s, &err), -ENOENT);
        assert_int_equal(err->code, ENOENT);
        assert_string_equal(err->msg, "container does not exist");
        assert_null(err->json_path);
        /* A directory without state.json yet (create still running, or killed): the same. */
        assert_int_equal(mkdir(dir, 0700), 0);
        assert_int_equal(container_load(&r->ctx, "half", &s, &e2), -ENOENT);
        assert_string_equal(e2->msg, "container does not exist");
}

static void
test_load_bad_id(void **state)
{
        struct root *r = *state;
        cleanup_error berth_error_t *err = NULL;
        struct container_state s;

        /* Checked before any path is built from it. */
        assert_int_equal(container_load(&r->ctx, "../x", &s, &err), -EINVAL);
        assert_string_equal(err->msg, "invalid container id format: ../x");
}

static void
test_load_existing_and_corrupt(void **state)
{
        struct root *r = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *dir = xasprintf("%s/c1", r->path);
        cleanup_free char *file = xasprintf("%s/c1/state.json", r->path);
        cleanup_free char *want =
                xasprintf("%s: invalid JSON at line 1 column 1: unexpected character", file);
        struct container_state in = {0}, out;

        assert_int_equal(mkdir(dir, 0700), 0);
        in.id = xstrdup("c1");
        in.pid = 42;
        in.bundle = xstrdup("/b");
        in.rootfs = xstrdup("/b/rootfs");
        in.created = xstrdup("2024-01-01T00:00:00Z");
        in.oci_version = xstrdup("1.0.2");
        assert_int_equal(state_write(dir, &in, &err), 0);
        assert_int_equal(container_load(&r->ctx, "c1", &out, &err), 0);
        assert_null(err);
        assert_string_equal(out.id, "c1");
        assert_int_equal(out.pid, 42);
        assert_string_equal(out.bundle, "/b");
        state_done(&out);
        state_done(&in);

        assert_int_equal(fs_write_atomic(AT_FDCWD, file, "garbage", 7, 0600, &err), 0);
        assert_int_equal(container_load(&r->ctx, "c1", &out, &err), -EINVAL);
        assert_string_equal(err->msg, want);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_validate_id_ok),
                cmocka_unit_test(test_validate_id_bad),
                cmocka_unit_test(test_parse_signal),
                cmocka_unit_test(test_parse_signal_bad),
                cmocka_unit_test_setup_teardown(test_container_dir, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_load_missing, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_load_bad_id, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_load_existing_and_corrupt, root_setup,
                                                root_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
