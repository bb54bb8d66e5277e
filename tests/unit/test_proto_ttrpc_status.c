/* tests/unit/test_proto_ttrpc_status.c: proto/ttrpc/status.h: errno classes ↔ gRPC codes both
 * ways, and the errdefs texts of interfaces.md §1.6. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ttrpc/status.h"

static void
test_house_classes(void **state)
{
        (void) state;
        /* style.md §2.1's classes and what containerd branches on. */
        assert_int_equal(ttrpc_code_from_errno(0), TTRPC_OK);
        assert_int_equal(ttrpc_code_from_errno(EINVAL), TTRPC_INVALID_ARGUMENT);
        assert_int_equal(ttrpc_code_from_errno(ENOENT), TTRPC_NOT_FOUND);
        assert_int_equal(ttrpc_code_from_errno(EEXIST), TTRPC_ALREADY_EXISTS);
        assert_int_equal(ttrpc_code_from_errno(EBUSY), TTRPC_FAILED_PRECONDITION);
        assert_int_equal(ttrpc_code_from_errno(EOPNOTSUPP), TTRPC_UNIMPLEMENTED);
        assert_int_equal(ttrpc_code_from_errno(ENOSYS), TTRPC_UNIMPLEMENTED);
        assert_int_equal(ttrpc_code_from_errno(ESRCH), TTRPC_NOT_FOUND);
        assert_int_equal(ttrpc_code_from_errno(ECANCELED), TTRPC_CANCELLED);
        assert_int_equal(ttrpc_code_from_errno(ETIMEDOUT), TTRPC_DEADLINE_EXCEEDED);
        assert_int_equal(ttrpc_code_from_errno(EAGAIN), TTRPC_UNAVAILABLE);
        assert_int_equal(ttrpc_code_from_errno(EPERM), TTRPC_PERMISSION_DENIED);
        assert_int_equal(ttrpc_code_from_errno(EACCES), TTRPC_PERMISSION_DENIED);
        assert_int_equal(ttrpc_code_from_errno(ENOBUFS), TTRPC_RESOURCE_EXHAUSTED);
        /* A negative errno (a return value) means the same; anything unclassed is UNKNOWN. */
        assert_int_equal(ttrpc_code_from_errno(-ENOENT), TTRPC_NOT_FOUND);
        assert_int_equal(ttrpc_code_from_errno(EIO), TTRPC_UNKNOWN);
        assert_int_equal(ttrpc_code_from_errno(EXDEV), TTRPC_UNKNOWN);
        assert_int_equal(ttrpc_code_from_errno(ECONNRESET), TTRPC_UNKNOWN);
}

static void
test_round_trip(void **state)
{
        (void) state;
        /* Every code maps to an errno that maps back to it. */
        for (int32_t code = 0; code <= 16; code++) {
                int e = ttrpc_code_to_errno(code);
                assert_non_null(ttrpc_code_name(code));
                if (code == TTRPC_UNKNOWN)
                        assert_int_equal(e, EIO);
                assert_int_equal(ttrpc_code_from_errno(e), code);
        }
        assert_int_equal(ttrpc_code_to_errno(17), EIO);
        assert_int_equal(ttrpc_code_to_errno(-1), EIO);
        assert_null(ttrpc_code_name(17));
        assert_string_equal(ttrpc_code_name(TTRPC_RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
}

static void
test_class_texts(void **state)
{
        (void) state;
        /* containerd errdefs/errors.go, and context's own errors for the two context codes. */
        assert_string_equal(ttrpc_code_class_text(TTRPC_INVALID_ARGUMENT), "invalid argument");
        assert_string_equal(ttrpc_code_class_text(TTRPC_NOT_FOUND), "not found");
        assert_string_equal(ttrpc_code_class_text(TTRPC_ALREADY_EXISTS), "already exists");
        assert_string_equal(ttrpc_code_class_text(TTRPC_FAILED_PRECONDITION),
                            "failed precondition");
        assert_string_equal(ttrpc_code_class_text(TTRPC_UNAVAILABLE), "unavailable");
        assert_string_equal(ttrpc_code_class_text(TTRPC_UNIMPLEMENTED), "not implemented");
        assert_string_equal(ttrpc_code_class_text(TTRPC_CANCELLED), "context canceled");
        assert_string_equal(ttrpc_code_class_text(TTRPC_DEADLINE_EXCEEDED),
                            "context deadline exceeded");
        assert_null(ttrpc_code_class_text(TTRPC_UNKNOWN));
        assert_null(ttrpc_code_class_text(TTRPC_INTERNAL));
}

static void
check_format(int32_t code, const char *detail, const char *want)
{
        char *m = ttrpc_status_format_message(code, detail);

        assert_string_equal(m, want);
        free(m);
}

static void
test_format_message(void **state)
{
        (void) state;
        /* The runc shim's messages (interfaces.md §1.6). */
        check_format(TTRPC_NOT_FOUND, "container not created", "container not created: not found");
        check_format(TTRPC_FAILED_PRECONDITION, "container must be created",
                     "container must be created: failed precondition");
        check_format(TTRPC_ALREADY_EXISTS, "id e1", "id e1: already exists");
        /* Already wrapped, or the bare class: not doubled. */
        check_format(TTRPC_NOT_FOUND, "process already finished: not found",
                     "process already finished: not found");
        check_format(TTRPC_NOT_FOUND, "not found", "not found");
        check_format(TTRPC_NOT_FOUND, "", "not found");
        check_format(TTRPC_NOT_FOUND, "file not found", "file not found: not found");
        /* No class text: plain. */
        check_format(TTRPC_UNKNOWN, "cannot delete a running process",
                     "cannot delete a running process");
        check_format(TTRPC_INTERNAL, "", "");
}

static void
test_from_error(void **state)
{
        struct ttrpc_status st;
        berth_error_t *e = NULL;

        (void) state;
        berth_error_new(&e, ENOENT, "container \"c1\" not created");
        ttrpc_status_from_error(e, &st);
        assert_int_equal(st.code, TTRPC_NOT_FOUND);
        assert_string_equal(st.message, "container \"c1\" not created: not found");
        ttrpc_status_done(&st);
        berth_error_free(e);
        e = NULL;
        berth_error_new(&e, EBUSY, "cannot start a stopped process");
        ttrpc_status_from_error(e, &st);
        assert_int_equal(st.code, TTRPC_FAILED_PRECONDITION);
        ttrpc_status_done(&st);
        berth_error_free(e);
        e = NULL;
        berth_error_new(&e, EXDEV, "plain");
        ttrpc_status_from_error(e, &st);
        assert_int_equal(st.code, TTRPC_UNKNOWN);
        assert_string_equal(st.message, "plain");
        ttrpc_status_done(&st);
        berth_error_free(e);
}

static void
test_to_error(void **state)
{
        struct ttrpc_status st = {.code = TTRPC_NOT_FOUND,
                                  .message = "container not created: not found"};
        berth_error_t *e = NULL;

        (void) state;
        assert_int_equal(ttrpc_status_to_error(NULL, &e), 0);
        assert_null(e);
        st.code = TTRPC_OK;
        assert_int_equal(ttrpc_status_to_error(&st, &e), 0);
        assert_null(e);
        st.code = TTRPC_NOT_FOUND;
        assert_int_equal(ttrpc_status_to_error(&st, &e), -ENOENT);
        assert_int_equal(e->code, ENOENT);
        assert_string_equal(e->msg, "container not created: not found"); /* as it came */
        berth_error_free(e);
        e = NULL;
        st.code = TTRPC_UNIMPLEMENTED;
        st.message = "";
        assert_int_equal(ttrpc_status_to_error(&st, &e), -EOPNOTSUPP);
        assert_string_equal(e->msg, "not implemented");
        berth_error_free(e);
        e = NULL;
        st.code = TTRPC_INTERNAL;
        assert_int_equal(ttrpc_status_to_error(&st, &e), -EPROTO);
        assert_string_equal(e->msg, "status INTERNAL");
        berth_error_free(e);
        e = NULL;
        st.code = 42;
        assert_int_equal(ttrpc_status_to_error(&st, &e), -EIO);
        assert_string_equal(e->msg, "status code 42");
        berth_error_free(e);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_house_classes), cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_class_texts),   cmocka_unit_test(test_format_message),
                cmocka_unit_test(test_from_error),    cmocka_unit_test(test_to_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
