/* tests/unit/test_containers_list.c: supervisor/containers/list.h: docker ps's selection and
 * filters, the list entry and Status text, the inspect document. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/list.h"

static const char *records_json =
        "[{\"Id\":\"aa01\",\"Name\":\"/first\",\"Created\":\"2026-01-01T00:00:01Z\",\"Image\":\"sha256:i1\","
        "\"Path\":\"sh\",\"Args\":[\"-c\",\"true\"],\"State\":{\"Status\":\"created\",\"Running\":false},"
        "\"Config\":{\"Image\":\"busybox\",\"Labels\":{\"env\":\"prod\",\"tier\":\"web\"}},\"HostConfig\":{\"NetworkMode\":\"default\"}},"
        "{\"Id\":\"bb02\",\"Name\":\"/second\",\"Created\":\"2026-01-01T00:00:02Z\",\"Image\":\"sha256:i2\","
        "\"Path\":\"top\",\"Args\":[],\"State\":{\"Status\":\"running\",\"Running\":true,\"StartedAt\":\"2026-01-01T00:00:02Z\"},"
        "\"Config\":{\"Image\":\"alpine\",\"Labels\":{\"env\":\"dev\"}},\"HostConfig\":{\"NetworkMode\":\"default\"}},"
        "{\"Id\":\"cc03\",\"Name\":\"/third\",\"Created\":\"2026-01-01T00:00:03Z\",\"Image\":\"sha256:i1\","
        "\"Path\":\"sh\",\"Args\":[],\"State\":{\"Status\":\"exited\",\"Running\":false,\"ExitCode\":3,\"FinishedAt\":\"2026-01-01T00:00:03Z\"},"
        "\"Config\":{\"Image\":\"busybox\",\"Labels\":{}},\"HostConfig\":{\"NetworkMode\":\"none\",\"Binds\":[\"/h:/c:ro\"]}}]";

/* The IDs select() picks, comma-separated, or the error message. */
static char *
pick(bool all, int64_t limit, const char *filters, char **ancestors)
{
        cleanup_json struct json_object *recs = json_tokener_parse(records_json);
        cleanup_json struct json_object *f = filters ? json_tokener_parse(filters) : NULL;
        cleanup_json struct json_object *out = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct container_list_opts o = {
                .all = all, .limit = limit, .filters = f, .ancestor_ids = ancestors};
        cleanup_strv char **ids = NULL;

        if (container_list_select(recs, &o, &out, &err) < 0)
                return xstrdup(err->msg);
        for (size_t i = 0; i < json_object_array_length(out); i++)
                strv_push(&ids, json_object_get_string(json_object_object_get(
                                        json_object_array_get_idx(out, i), "Id")));
        return ids ? strv_join(ids, ",") : xstrdup("");
}

#define CHECK(expr, want)                        \
        do {                                     \
                char *got_ = (expr);             \
                assert_string_equal(got_, want); \
                free(got_);                      \
        } while (0)

static void
test_all_limit_order(void **state)
{
        (void) state;
        CHECK(pick(false, 0, NULL, NULL), "bb02");
        CHECK(pick(true, 0, NULL, NULL), "cc03,bb02,aa01");
        CHECK(pick(false, 1, NULL, NULL), "cc03");
        CHECK(pick(false, 2, NULL, NULL), "cc03,bb02");
}

static void
test_filters(void **state)
{
        char *anc[] = {(char *) "sha256:i1", NULL};
        (void) state;
        CHECK(pick(true, 0, "{\"id\":{\"aa\":true}}", NULL), "aa01");
        CHECK(pick(true, 0, "{\"name\":[\"^/sec\"]}", NULL), "bb02");
        CHECK(pick(true, 0, "{\"name\":{\"ir\":true}}", NULL), "cc03,aa01");
        CHECK(pick(true, 0, "{\"label\":{\"env\":true}}", NULL), "bb02,aa01");
        CHECK(pick(true, 0, "{\"label\":{\"env=prod\":true,\"tier\":true}}", NULL), "aa01");
        CHECK(pick(false, 0, "{\"status\":{\"exited\":true}}", NULL), "cc03");
        CHECK(pick(false, 0, "{\"status\":{\"created\":true,\"running\":true}}", NULL),
              "bb02,aa01");
        CHECK(pick(true, 0, "{\"ancestor\":{\"busybox\":true}}", anc), "cc03,aa01");
        CHECK(pick(false, 0, "{\"before\":{\"third\":true}}", NULL), "bb02,aa01");
        CHECK(pick(false, 0, "{\"since\":{\"first\":true}}", NULL), "cc03,bb02");
}

static void
test_bad_filters(void **state)
{
        (void) state;
        CHECK(pick(true, 0, "{\"colour\":{\"red\":true}}", NULL), "Invalid filter 'colour'");
        CHECK(pick(true, 0, "{\"status\":{\"sleeping\":true}}", NULL),
              "Unrecognised filter value for status: sleeping");
        CHECK(pick(true, 0, "{\"before\":{\"nope\":true}}", NULL), "No such container: nope");
}

static void
test_summary_and_status(void **state)
{
        cleanup_json struct json_object *recs = json_tokener_parse(records_json);
        cleanup_json struct json_object *s =
                container_list_summary(json_object_array_get_idx(recs, 0), -1, 0, 1767225601 + 10);
        cleanup_json struct json_object *s3 = container_list_summary(
                json_object_array_get_idx(recs, 2), 5, 100, 1767225603 + 7200);
        cleanup_free char *up = container_status_text(
                json_object_object_get(json_object_array_get_idx(recs, 1), "State"),
                1767225602 + 90);
        (void) state;
        assert_string_equal(
                json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN
                                                          | JSON_C_TO_STRING_NOSLASHESCAPE),
                "{\"Id\":\"aa01\",\"Names\":[\"/first\"],\"Image\":\"busybox\",\"ImageID\":\"sha256:i1\","
                "\"Command\":\"sh -c true\",\"Created\":1767225601,\"Ports\":[],"
                "\"Labels\":{\"env\":\"prod\",\"tier\":\"web\"},\"State\":\"created\",\"Status\":\"Created\","
                "\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkSettings\":{\"Networks\":{}},\"Mounts\":[]}");
        assert_string_equal(json_object_get_string(json_object_object_get(s3, "Status")),
                            "Exited (3) 2 hours ago");
        assert_int_equal(json_object_get_int64(json_object_object_get(s3, "SizeRw")), 5);
        assert_string_equal(
                json_object_to_json_string_ext(json_object_object_get(s3, "Mounts"),
                                               JSON_C_TO_STRING_PLAIN
                                                       | JSON_C_TO_STRING_NOSLASHESCAPE),
                "[{\"Type\":\"bind\",\"Source\":\"/h\",\"Destination\":\"/c\",\"Mode\":\"ro\",\"RW\":false,\"Propagation\":\"rprivate\"}]");
        assert_string_equal(up, "Up About a minute");
}

static void
test_inspect(void **state)
{
        cleanup_json struct json_object *recs = json_tokener_parse(records_json);
        cleanup_json struct json_object *o = container_inspect_build(
                json_object_array_get_idx(recs, 0), "overlay2", "/s/active/aa01/upper", "/s/1/fs");
        struct json_object *gd = json_object_object_get(o, "GraphDriver");
        (void) state;
        assert_string_equal(
                json_object_to_json_string_ext(gd, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE),
                "{\"Data\":{\"LowerDir\":\"/s/1/fs\",\"MergedDir\":\"/s/active/aa01/merged\","
                "\"UpperDir\":\"/s/active/aa01/upper\",\"WorkDir\":\"/s/active/aa01/work\"},\"Name\":\"overlay2\"}");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "Name")), "/first");
        assert_non_null(json_object_object_get(o, "NetworkSettings"));
        assert_true(json_object_object_get_ex(o, "ExecIDs", NULL));
        assert_null(json_object_object_get(o, "v"));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_all_limit_order), cmocka_unit_test(test_filters),
                cmocka_unit_test(test_bad_filters),     cmocka_unit_test(test_summary_and_status),
                cmocka_unit_test(test_inspect),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
