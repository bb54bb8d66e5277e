/* tests/unit/test_lib_json.c: lib/json.h: JSON paths, strict parsing and the typed getters. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/json.h"
#include "lib/strv.h"

/* Parse TEXT, which must be valid. */
static struct json_object *
parse(const char *text)
{
        struct json_object *o = NULL;
        berth_error_t *err = NULL;

        assert_int_equal(json_parse_buffer(text, strlen(text), &o, &err), 0);
        assert_null(err);
        assert_non_null(o);
        return o;
}

/* Parse TEXT, which must be invalid; returns the message. */
static char *
parse_error(const char *text, size_t len)
{
        struct json_object *o = NULL;
        berth_error_t *err = NULL;
        char *msg;

        assert_int_equal(json_parse_buffer(text, len, &o, &err), -EINVAL);
        assert_null(o);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        assert_null(err->json_path);
        msg = err->msg;
        err->msg = NULL;
        berth_error_free(err);
        return msg;
}

static void
test_jpath_render_nested(void **state)
{
        const struct jpath *process = JPATH_KEY(NULL, "process");
        const struct jpath *rlimits = JPATH_KEY(process, "rlimits");
        cleanup_free char *a = jpath_render(JPATH_KEY(JPATH_IDX(rlimits, 1), "type"));
        cleanup_free char *b = jpath_render(JPATH_IDX(JPATH_IDX(NULL, 2), 0));
        cleanup_free char *c = jpath_render(NULL);
        cleanup_free char *d = jpath_render(process);
        (void) state;
        assert_string_equal(a, "process.rlimits[1].type");
        assert_string_equal(b, "[2][0]");
        assert_string_equal(c, "");
        assert_string_equal(d, "process");
}

static void
test_jpath_render_grows_past_initial_buffer(void **state)
{
        const char *k = "abcdefghijklmnopqrstuvwxyz0123456789";
        const struct jpath *p =
                JPATH_KEY(JPATH_IDX(JPATH_KEY(JPATH_KEY(NULL, k), k), 123456789), k);
        cleanup_free char *s = jpath_render(JPATH_KEY(p, k));
        (void) state;
        assert_string_equal(
                s, "abcdefghijklmnopqrstuvwxyz0123456789.abcdefghijklmnopqrstuvwxyz0123456789"
                   "[123456789].abcdefghijklmnopqrstuvwxyz0123456789"
                   ".abcdefghijklmnopqrstuvwxyz0123456789");
}

static void
test_json_error_sets_path_and_prefixes_msg(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *root = NULL;
        (void) state;
        assert_int_equal(
                json_error(&err, JPATH_KEY(JPATH_KEY(NULL, "linux"), "sysctl"), "bad %d", 7),
                -EINVAL);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->json_path, "linux.sysctl");
        assert_string_equal(err->msg, "linux.sysctl: bad 7");
        assert_int_equal(json_error(&root, NULL, "expected object"), -EINVAL);
        assert_string_equal(root->json_path, "");
        assert_string_equal(root->msg, "expected object");
        /* No error object wanted: still the code, nothing leaked. */
        assert_int_equal(json_error(NULL, JPATH_KEY(NULL, "x"), "y"), -EINVAL);
}

static void
test_parse_valid_document(void **state)
{
        cleanup_json struct json_object *o =
                parse("\n {\"a\": [1, \"x\", null], \"b\": {}}  \r\n\t");
        cleanup_json struct json_object *n = parse("42");
        cleanup_json struct json_object *t = parse("true");
        struct json_object *a = NULL;
        (void) state;
        assert_true(json_object_object_get_ex(o, "a", &a));
        assert_int_equal(json_object_array_length(a), 3);
        /* A top-level number ends at the end of the buffer, with no delimiter after it. */
        assert_true(json_object_is_type(n, json_type_int));
        assert_int_equal(json_object_get_int64(n), 42);
        assert_true(json_object_is_type(t, json_type_boolean));
}

static void
test_parse_syntax_error_line_column(void **state)
{
        cleanup_free char *m1 = parse_error("{\n  \"a\": tru }", 14);
        cleanup_free char *m2 = parse_error("{\"a\":1,}", 8);
        cleanup_free char *m3 = parse_error("[1, 2", 5);
        cleanup_free char *m4 = parse_error("", 0);
        cleanup_free char *m5 = parse_error("{\"a\": 'x'}", 10);
        (void) state;
        assert_string_equal(m1, "invalid JSON at line 2 column 11: boolean expected");
        /* A trailing comma is a syntax error inside the document, not data after it. */
        assert_string_equal(m2, "invalid JSON at line 1 column 8: unexpected character");
        assert_string_equal(m3, "invalid JSON at line 1 column 6: unexpected end of data");
        assert_string_equal(m4, "invalid JSON at line 1 column 1: unexpected end of data");
        assert_string_equal(m5, "invalid JSON at line 1 column 7: unexpected character");
}

static void
test_parse_rejects_trailing_data(void **state)
{
        cleanup_free char *m1 = parse_error("{} x", 4);
        cleanup_free char *m2 = parse_error("{\"a\": 1}\n\n  {}", 14);
        cleanup_free char *m3 = parse_error("{}\0", 3);
        cleanup_free char *m4 = parse_error("1 2", 3);
        (void) state;
        assert_string_equal(m1,
                            "invalid JSON at line 1 column 4: unexpected data after the document");
        assert_string_equal(m2,
                            "invalid JSON at line 3 column 3: unexpected data after the document");
        /* strchr(" \t\r\n", '\0') matches the terminator: a NUL byte must not pass as blank. */
        assert_string_equal(m3,
                            "invalid JSON at line 1 column 3: unexpected data after the document");
        assert_string_equal(m4,
                            "invalid JSON at line 1 column 3: unexpected data after the document");
}

static void
test_parse_rejects_bad_utf8(void **state)
{
        cleanup_free char *m1 = parse_error("{\"a\": \"\xff\"}", 10);
        cleanup_free char *m2 = parse_error("{\"a\":\n \"\xc3\x28\"}", 13);
        (void) state;
        assert_string_equal(m1, "invalid JSON at line 1 column 8: invalid utf-8 string");
        assert_string_equal(m2, "invalid JSON at line 2 column 4: invalid utf-8 string");
}

static void
test_parse_rejects_deep_nesting(void **state)
{
        char deep[200];
        cleanup_free char *msg = NULL;
        (void) state;
        memset(deep, '[', 100);
        memset(deep + 100, ']', 100);
        msg = parse_error(deep, sizeof(deep));
        assert_string_equal(msg, "invalid JSON at line 1 column 65: nesting too deep");
}

static void
test_parse_file_missing(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *o = NULL;
        (void) state;
        assert_int_equal(json_parse_file("/nonexistent-berth-test/x.json", &o, &err), -ENOENT);
        assert_null(o);
        assert_int_equal(err->code, ENOENT);
        assert_string_equal(err->msg,
                            "open \"/nonexistent-berth-test/x.json\": No such file or directory");
}

static void
test_get_string(void **state)
{
        cleanup_json struct json_object *o = parse("{\"s\": \"v\", \"n\": 1, \"z\": null}");
        cleanup_error berth_error_t *err = NULL;
        const struct jpath *at = JPATH_KEY(NULL, "root");
        const char *s = "untouched";
        (void) state;
        assert_int_equal(json_get_string(o, at, "s", &s, &err), 1);
        assert_string_equal(s, "v");
        s = "untouched";
        assert_int_equal(json_get_string(o, at, "absent", &s, &err), 0);
        assert_int_equal(json_get_string(o, at, "z", &s, &err), 0);
        assert_int_equal(json_get_string(NULL, at, "s", &s, &err), 0);
        assert_string_equal(s, "untouched");
        assert_null(err);
        assert_int_equal(json_get_string(o, at, "n", &s, &err), -EINVAL);
        assert_string_equal(s, "untouched");
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->json_path, "root.n");
        assert_string_equal(err->msg, "root.n: expected string, got number");
}

static void
test_get_bool(void **state)
{
        cleanup_json struct json_object *o = parse("{\"t\": true, \"f\": false, \"s\": \"true\"}");
        cleanup_error berth_error_t *err = NULL;
        bool b = false;
        (void) state;
        assert_int_equal(json_get_bool(o, NULL, "t", &b, &err), 1);
        assert_true(b);
        assert_int_equal(json_get_bool(o, NULL, "f", &b, &err), 1);
        assert_false(b);
        b = true;
        assert_int_equal(json_get_bool(o, NULL, "absent", &b, &err), 0);
        assert_true(b);
        assert_null(err);
        assert_int_equal(json_get_bool(o, NULL, "s", &b, &err), -EINVAL);
        assert_string_equal(err->json_path, "s");
        assert_string_equal(err->msg, "s: expected boolean, got string");
}

static void
test_get_object_and_array_types(void **state)
{
        cleanup_json struct json_object *o = parse("{\"o\": {}, \"a\": [], \"n\": null}");
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_error berth_error_t *e3 = NULL;
        struct json_object *v = NULL;
        (void) state;
        assert_int_equal(json_get_object(o, NULL, "o", &v, &e1), 1);
        assert_true(json_object_is_type(v, json_type_object));
        assert_int_equal(json_get_array(o, NULL, "a", &v, &e1), 1);
        assert_true(json_object_is_type(v, json_type_array));
        v = NULL;
        assert_int_equal(json_get_object(o, NULL, "n", &v, &e1), 0);
        assert_int_equal(json_get_array(o, NULL, "n", &v, &e1), 0);
        assert_null(v);
        assert_null(e1);
        assert_int_equal(json_get_object(o, JPATH_KEY(NULL, "p"), "a", &v, &e1), -EINVAL);
        assert_string_equal(e1->json_path, "p.a");
        assert_string_equal(e1->msg, "p.a: expected object, got array");
        assert_int_equal(json_get_array(o, JPATH_KEY(NULL, "p"), "o", &v, &e2), -EINVAL);
        assert_string_equal(e2->json_path, "p.o");
        assert_string_equal(e2->msg, "p.o: expected array, got object");
        assert_null(v);
        assert_int_equal(
                json_expect_object(json_object_array_get_idx(json_object_object_get(o, "a"), 0),
                                   JPATH_IDX(JPATH_KEY(NULL, "a"), 0), &e3),
                -EINVAL);
        assert_string_equal(e3->json_path, "a[0]");
        assert_string_equal(e3->msg, "a[0]: expected object, got null");
}

static void
test_get_int_rejects_non_integers(void **state)
{
        cleanup_json struct json_object *o =
                parse("{\"d\": 1.5, \"e\": 1e3, \"s\": \"5\", \"b\": true, \"a\": [1]}");
        static const struct {
                const char *key, *msg;
        } cases[] = {
                {"d", "d: expected integer, got number with a fraction or exponent"},
                {"e", "e: expected integer, got number with a fraction or exponent"},
                {"s", "s: expected integer, got string"},
                {"b", "b: expected integer, got boolean"},
                {"a", "a: expected integer, got array"},
        };
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cleanup_error berth_error_t *e1 = NULL;
                cleanup_error berth_error_t *e2 = NULL;
                int64_t v = 99;
                uint64_t u = 99;
                assert_int_equal(json_get_int64(o, NULL, cases[i].key, &v, &e1), -EINVAL);
                assert_string_equal(e1->json_path, cases[i].key);
                assert_string_equal(e1->msg, cases[i].msg);
                assert_int_equal(json_get_uint64(o, NULL, cases[i].key, &u, &e2), -EINVAL);
                assert_string_equal(e2->json_path, cases[i].key);
                assert_string_equal(e2->msg, cases[i].msg);
                assert_int_equal(v, 99);
                assert_int_equal(u, 99);
        }
}

static void
test_get_int_range(void **state)
{
        cleanup_json struct json_object *o =
                parse("{\"lo\": 0, \"hi\": 10, \"neg\": -1, \"big\": 11, \"z\": null}");
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        const struct jpath *at = JPATH_KEY(JPATH_KEY(NULL, "process"), "user");
        int64_t v = 77;
        (void) state;
        assert_int_equal(json_get_int_range(o, at, "z", 0, 10, &v, &e1), 0);
        assert_int_equal(json_get_int_range(o, at, "absent", 0, 10, &v, &e1), 0);
        assert_int_equal(v, 77);
        assert_int_equal(json_get_int_range(o, at, "lo", 0, 10, &v, &e1), 1);
        assert_int_equal(v, 0);
        assert_int_equal(json_get_int_range(o, at, "hi", 0, 10, &v, &e1), 1);
        assert_int_equal(v, 10);
        assert_null(e1);
        v = 77;
        assert_int_equal(json_get_int_range(o, at, "neg", 0, 10, &v, &e1), -EINVAL);
        assert_string_equal(e1->json_path, "process.user.neg");
        assert_string_equal(e1->msg, "process.user.neg: -1 out of range [0, 10]");
        assert_int_equal(json_get_int_range(o, at, "big", 0, 10, &v, &e2), -EINVAL);
        assert_string_equal(e2->json_path, "process.user.big");
        assert_string_equal(e2->msg, "process.user.big: 11 out of range [0, 10]");
        assert_int_equal(v, 77);
}

static void
test_get_int64_limits(void **state)
{
        cleanup_json struct json_object *o = parse("{\"min\": -9223372036854775808, "
                                                   "\"max\": 9223372036854775807, "
                                                   "\"over\": 9223372036854775808, "
                                                   "\"umax\": 18446744073709551615}");
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        int64_t v = 0;
        (void) state;
        assert_int_equal(json_get_int64(o, NULL, "min", &v, &e1), 1);
        assert_true(v == INT64_MIN);
        assert_int_equal(json_get_int64(o, NULL, "max", &v, &e1), 1);
        assert_true(v == INT64_MAX);
        assert_null(e1);
        assert_int_equal(json_get_int64(o, NULL, "over", &v, &e1), -EINVAL);
        assert_string_equal(e1->json_path, "over");
        assert_string_equal(e1->msg, "over: 9223372036854775808 out of range "
                                     "[-9223372036854775808, 9223372036854775807]");
        assert_int_equal(json_get_int_range(o, NULL, "umax", 0, UINT32_MAX, &v, &e2), -EINVAL);
        assert_string_equal(e2->json_path, "umax");
        assert_string_equal(e2->msg, "umax: 18446744073709551615 out of range [0, 4294967295]");
        assert_true(v == INT64_MAX);
}

static void
test_get_uint64(void **state)
{
        cleanup_json struct json_object *o = parse("{\"umax\": 18446744073709551615, "
                                                   "\"over\": 9223372036854775808, "
                                                   "\"max\": 9223372036854775807, \"zero\": 0, "
                                                   "\"neg\": -1, \"min\": -9223372036854775808}");
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        uint64_t u = 5;
        (void) state;
        assert_int_equal(json_get_uint64(o, NULL, "umax", &u, &e1), 1);
        assert_true(u == UINT64_MAX);
        assert_int_equal(json_get_uint64(o, NULL, "over", &u, &e1), 1);
        assert_true(u == (uint64_t) INT64_MAX + 1);
        assert_int_equal(json_get_uint64(o, NULL, "max", &u, &e1), 1);
        assert_true(u == (uint64_t) INT64_MAX);
        assert_int_equal(json_get_uint64(o, NULL, "zero", &u, &e1), 1);
        assert_true(u == 0);
        u = 5;
        assert_int_equal(json_get_uint64(o, NULL, "absent", &u, &e1), 0);
        assert_null(e1);
        assert_int_equal(json_get_uint64(o, JPATH_KEY(NULL, "r"), "neg", &u, &e1), -EINVAL);
        assert_string_equal(e1->json_path, "r.neg");
        assert_string_equal(e1->msg, "r.neg: -1 must not be negative");
        assert_int_equal(json_get_uint64(o, NULL, "min", &u, &e2), -EINVAL);
        assert_string_equal(e2->json_path, "min");
        assert_string_equal(e2->msg, "min: -9223372036854775808 must not be negative");
        assert_true(u == 5);
}

static void
test_value_int_range_on_array_item(void **state)
{
        cleanup_json struct json_object *a = parse("[5, 4096]");
        cleanup_error berth_error_t *err = NULL;
        const struct jpath *at = JPATH_KEY(NULL, "gids");
        int64_t v = 0;
        (void) state;
        assert_int_equal(json_value_int_range(json_object_array_get_idx(a, 0), JPATH_IDX(at, 0), 0,
                                              4095, &v, &err),
                         1);
        assert_int_equal(v, 5);
        assert_int_equal(json_value_int_range(json_object_array_get_idx(a, 1), JPATH_IDX(at, 1), 0,
                                              4095, &v, &err),
                         -EINVAL);
        assert_string_equal(err->json_path, "gids[1]");
        assert_string_equal(err->msg, "gids[1]: 4096 out of range [0, 4095]");
        assert_int_equal(v, 5);
}

static void
test_need_members(void **state)
{
        cleanup_json struct json_object *o =
                parse("{\"s\": \"a\", \"e\": \"\", \"n\": null, \"u\": 7, \"b\": true, \"o\": {}}");
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_error berth_error_t *e3 = NULL;
        cleanup_error berth_error_t *e4 = NULL;
        const struct jpath *at = JPATH_KEY(NULL, "linux");
        const char *s = NULL;
        uint64_t u = 0;
        int64_t i = 0;
        bool b = false;
        struct json_object *obj = NULL;
        (void) state;
        assert_int_equal(json_need_string(o, at, "s", &s, &e1), 0);
        assert_string_equal(s, "a");
        assert_int_equal(json_need_string(o, at, "e", &s, &e1), 0);
        assert_string_equal(s, "");
        assert_int_equal(json_need_uint64(o, at, "u", &u, &e1), 0);
        assert_int_equal(u, 7);
        assert_int_equal(json_need_int_range(o, at, "u", 0, 10, &i, &e1), 0);
        assert_int_equal(i, 7);
        assert_int_equal(json_need_bool(o, at, "b", &b, &e1), 0);
        assert_true(b);
        assert_int_equal(json_need_object(o, at, "o", &obj, &e1), 0);
        assert_non_null(obj);
        assert_null(e1);
        /* absent and null are both "required"; an empty path too */
        assert_int_equal(json_need_string(o, at, "absent", &s, &e1), -EINVAL);
        assert_string_equal(e1->msg, "linux.absent: required");
        assert_int_equal(json_need_uint64(o, at, "n", &u, &e2), -EINVAL);
        assert_string_equal(e2->msg, "linux.n: required");
        assert_int_equal(json_need_path(o, at, "e", &s, &e3), -EINVAL);
        assert_string_equal(e3->msg, "linux.e: required");
        /* a wrong type keeps its own message */
        assert_int_equal(json_need_bool(o, at, "s", &b, &e4), -EINVAL);
        assert_string_equal(e4->msg, "linux.s: expected boolean, got string");
}

static void
test_get_strv(void **state)
{
        cleanup_json struct json_object *o = parse(
                "{\"ok\": [\"a\", \"\", \"c\"], \"empty\": [], \"x\": [\"a\", 1], \"s\": \"a\"}");
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_error berth_error_t *e3 = NULL;
        cleanup_strv char **v = NULL;
        cleanup_strv char **empty = NULL;
        char **bad = NULL;
        (void) state;
        assert_int_equal(json_get_strv(o, NULL, "ok", &v, &e1), 1);
        assert_int_equal(strv_length(v), 3);
        assert_string_equal(v[0], "a");
        assert_string_equal(v[1], "");
        assert_string_equal(v[2], "c");
        assert_null(v[3]);
        assert_int_equal(json_get_strv(o, NULL, "empty", &empty, &e1), 1);
        assert_non_null(empty);
        assert_null(empty[0]);
        assert_int_equal(json_get_strv(o, NULL, "absent", &bad, &e1), 0);
        assert_null(bad);
        assert_null(e1);
        assert_int_equal(json_get_strv(o, NULL, "x", &bad, &e1), -EINVAL);
        assert_null(bad);
        assert_string_equal(e1->json_path, "x[1]");
        assert_string_equal(e1->msg, "x[1]: expected string, got number");
        assert_int_equal(json_get_strv(o, JPATH_KEY(NULL, "process"), "x", &bad, &e2), -EINVAL);
        assert_string_equal(e2->json_path, "process.x[1]");
        assert_int_equal(json_get_strv(o, NULL, "s", &bad, &e3), -EINVAL);
        assert_string_equal(e3->json_path, "s");
        assert_string_equal(e3->msg, "s: expected array, got string");
        assert_null(bad);
}

static void
test_type_word_and_quote(void **state)
{
        cleanup_json struct json_object *o = parse(
                "{\"n\": null, \"b\": false, \"i\": 1, \"d\": 1.5, \"o\": {}, \"a\": [], \"s\": \"\"}");
        cleanup_free char *q = json_quote("a\"b/c\n");
        cleanup_free char *qn = json_quote(NULL);
        (void) state;
        assert_string_equal(json_type_word(json_object_object_get(o, "n")), "null");
        assert_string_equal(json_type_word(json_object_object_get(o, "b")), "boolean");
        assert_string_equal(json_type_word(json_object_object_get(o, "i")), "number");
        assert_string_equal(json_type_word(json_object_object_get(o, "d")), "number");
        assert_string_equal(json_type_word(json_object_object_get(o, "o")), "object");
        assert_string_equal(json_type_word(json_object_object_get(o, "a")), "array");
        assert_string_equal(json_type_word(json_object_object_get(o, "s")), "string");
        assert_string_equal(q, "\"a\\\"b/c\\n\"");
        assert_string_equal(qn, "\"\"");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_jpath_render_nested),
                cmocka_unit_test(test_jpath_render_grows_past_initial_buffer),
                cmocka_unit_test(test_json_error_sets_path_and_prefixes_msg),
                cmocka_unit_test(test_parse_valid_document),
                cmocka_unit_test(test_parse_syntax_error_line_column),
                cmocka_unit_test(test_parse_rejects_trailing_data),
                cmocka_unit_test(test_parse_rejects_bad_utf8),
                cmocka_unit_test(test_parse_rejects_deep_nesting),
                cmocka_unit_test(test_parse_file_missing),
                cmocka_unit_test(test_get_string),
                cmocka_unit_test(test_get_bool),
                cmocka_unit_test(test_get_object_and_array_types),
                cmocka_unit_test(test_get_int_rejects_non_integers),
                cmocka_unit_test(test_get_int_range),
                cmocka_unit_test(test_get_int64_limits),
                cmocka_unit_test(test_get_uint64),
                cmocka_unit_test(test_value_int_range_on_array_item),
                cmocka_unit_test(test_need_members),
                cmocka_unit_test(test_get_strv),
                cmocka_unit_test(test_type_word_and_quote),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
