/* tests/unit/test_content_store.c: supervisor/content/store.h in a fresh directory per test. */
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
#include "lib/xalloc.h"
#include "supervisor/content/store.h"

/* sha256("hello") */
#define HELLO_DIGEST "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define OTHER_DIGEST "sha256:0000000000000000000000000000000000000000000000000000000000000000"

struct tmp {
        char path[64];
        struct content_store *store;
};

static int
tmp_setup(void **state)
{
        struct tmp *t = xzalloc(sizeof(*t));
        berth_error_t *err = NULL;

        strcpy(t->path, "/tmp/berth-test-content.XXXXXX");
        if (!mkdtemp(t->path)) {
                free(t);
                return -1;
        }
        if (content_store_open(t->path, &t->store, &err) < 0) {
                berth_error_free(err);
                return -1;
        }
        *state = t;
        return 0;
}

static int
tmp_teardown(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;

        content_store_close(t->store);
        fs_remove_tree(AT_FDCWD, t->path, &err);
        free(t);
        return 0;
}

static int
exists(struct tmp *t, const char *rel)
{
        cleanup_free char *p = xasprintf("%s/%s", t->path, rel);
        return access(p, F_OK) == 0;
}

static void
test_ingest_success(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        int64_t size = 0;

        assert_int_equal(
                content_store_write_blob(t->store, "r1", "hello", 5, HELLO_DIGEST, 5, &err), 0);
        assert_true(exists(
                t,
                "blobs/sha256/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
        assert_false(exists(t, "ingest/r1"));
        assert_int_equal(content_store_stat_blob(t->store, HELLO_DIGEST, &size, &err), 0);
        assert_int_equal(size, 5);
}

static void
test_ingest_digest_mismatch_leaves_nothing(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        int64_t size = 0;

        assert_int_equal(
                content_store_write_blob(t->store, "r2", "hello", 5, OTHER_DIGEST, 5, &err),
                -EINVAL);
        assert_non_null(
                strstr(err->msg, "ingest \"r2\": digest " HELLO_DIGEST ", expected " OTHER_DIGEST));
        assert_false(exists(t, "ingest/r2"));
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(content_store_stat_blob(t->store, OTHER_DIGEST, &size, &err), -ENOENT);
}

static void
test_ingest_size_mismatch(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(
                content_store_write_blob(t->store, "r3", "hello", 5, HELLO_DIGEST, 6, &err),
                -EINVAL);
        assert_string_equal(err->msg, "ingest \"r3\": size 5, expected 6");
        assert_false(exists(t, "ingest/r3"));
        assert_false(exists(
                t,
                "blobs/sha256/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
}

static void
test_ingest_resume(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        struct content_ingest *in = NULL;
        int64_t off = -1;

        assert_int_equal(content_ingest_open(t->store, "r4", &in, &off, &err), 0);
        assert_int_equal(off, 0);
        assert_int_equal(content_ingest_write(in, "hel", 3, &err), 0);
        content_ingest_free(in); /* the writer goes away; the bytes stay */
        assert_true(exists(t, "ingest/r4"));
        assert_int_equal(content_ingest_open(t->store, "r4", &in, &off, &err), 0);
        assert_int_equal(off, 3);
        assert_int_equal(content_ingest_write(in, "lo", 2, &err), 0);
        assert_int_equal(content_ingest_commit(in, HELLO_DIGEST, 5, &err), 0);
        content_ingest_free(in);
        assert_true(exists(
                t,
                "blobs/sha256/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
}

static void
test_ingest_busy_and_existing(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_content_ingest struct content_ingest *a = NULL;
        struct content_ingest *b = NULL;
        int64_t off = 0;

        assert_int_equal(content_ingest_open(t->store, "r5", &a, &off, &err), 0);
        assert_int_equal(content_ingest_open(t->store, "r5", &b, &off, &err), -EBUSY);
        berth_error_free(TAKE_PTR(err));
        /* a live writer's ingest survives GC */
        assert_int_equal(content_store_gc_ingests(t->store, &err), 0);
        assert_true(exists(t, "ingest/r5"));
        assert_int_equal(
                content_store_write_blob(t->store, "r6", "hello", 5, HELLO_DIGEST, 5, &err), 0);
        assert_int_equal(
                content_store_write_blob(t->store, "r7", "hello", 5, HELLO_DIGEST, -1, &err),
                -EEXIST);
        assert_false(exists(t, "ingest/r7"));
        berth_error_free(TAKE_PTR(err));
        /* "already stored" is success for callers that only need the bytes there */
        assert_int_equal(content_stored_ok(content_store_write_blob(t->store, "r8", "hello", 5,
                                                                    HELLO_DIGEST, 5, &err),
                                           &err),
                         0);
        assert_null(err);
        assert_int_equal(content_stored_ok(content_store_write_blob(t->store, "r9", "hello", 5,
                                                                    HELLO_DIGEST, 4, &err),
                                           &err),
                         -EINVAL);
        assert_non_null(err);
}

static void
test_gc_removes_stale_ingests(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *p = xasprintf("%s/ingest/stale", t->path);
        cleanup_free char *d = xasprintf("%s/ingest/olddir/x", t->path);

        assert_int_equal(fs_write_file(AT_FDCWD, p, "x", 1, &err),
                         -ENOENT); /* O_TRUNC without O_CREAT */
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(fs_write_atomic(AT_FDCWD, p, "x", 1, 0600, &err), 0);
        assert_int_equal(fs_mkdir_p(d, 0700, &err), 0);
        assert_int_equal(content_store_gc_ingests(t->store, &err), 2);
        assert_false(exists(t, "ingest/stale"));
        assert_false(exists(t, "ingest/olddir"));
}

static void
test_bad_ref_and_digest(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        struct content_ingest *in = NULL;
        int64_t off = 0;

        assert_int_equal(content_ingest_open(t->store, "../x", &in, &off, &err), -EINVAL);
        assert_string_equal(err->msg, "ingest ref \"../x\": invalid");
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(content_ingest_open(t->store, "a/b", &in, &off, &err), -EINVAL);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(content_digest_validate("sha512:abc", &err), -EINVAL);
        assert_string_equal(err->msg, "digest \"sha512:abc\": unsupported algorithm (only sha256)");
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(content_digest_validate("sha256:ABC", &err), -EINVAL);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_ingest_success, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_ingest_digest_mismatch_leaves_nothing,
                                                tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_ingest_size_mismatch, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_ingest_resume, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_ingest_busy_and_existing, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_gc_removes_stale_ingests, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_bad_ref_and_digest, tmp_setup, tmp_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
