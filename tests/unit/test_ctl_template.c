/* tests/unit/test_ctl_template.c: supervisor/ctl/template.h: docker's --format subset and the
 * table layout. */
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
#include "lib/xalloc.h"
#include "supervisor/ctl/template.h"

static char *
render(const char *tmpl, const char *data)
{
        cleanup_json struct json_object *d = json_tokener_parse(data);
        cleanup_error berth_error_t *err = NULL;
        char *out = NULL;

        if (ctl_template_render(tmpl, d, &out, &err) < 0)
                return xstrdup(err->msg);
        return out;
}

#define CHECK(expr, want)                        \
        do {                                     \
                char *got_ = (expr);             \
                assert_string_equal(got_, want); \
                free(got_);                      \
        } while (0)

static void
test_fields(void **state)
{
        const char *d =
                "{\"ID\":\"abc\",\"Names\":\"web\",\"State\":{\"Status\":\"created\",\"Pid\":0},\"L\":[1,2]}";
        (void) state;
        CHECK(render("{{.ID}}", d), "abc");
        CHECK(render("id={{ .ID }} name={{.Names}}\\tx\\n", d), "id=abc name=web\tx\n");
        CHECK(render("{{.State.Status}}/{{.State.Pid}}", d), "created/0");
        CHECK(render("{{.L}}", d), "[1,2]");
        CHECK(render("{{.Missing}}", d), "<no value>");
        CHECK(render("{{upper .Names}} {{lower .ID}}", d), "WEB abc");
        CHECK(render("{{json .State}}", d), "{\"Status\":\"created\",\"Pid\":0}");
        CHECK(render("{{json .}}", "{\"a\":\"/x\"}"), "{\"a\":\"/x\"}");
}

static void
test_errors(void **state)
{
        (void) state;
        CHECK(render("{{.ID", "{}"), "template: unclosed action");
        CHECK(render("{{title .ID}}", "{}"), "template: function \"title\" not defined");
        CHECK(render("{{ID}}", "{}"), "template: function \"ID\" not defined");
}

static void
test_table(void **state)
{
        cleanup_json struct json_object *items = json_tokener_parse(
                "[{\"ID\":\"abc\",\"Names\":\"a-long-name\"},{\"ID\":\"abcdef\",\"Names\":\"b\"}]");
        cleanup_json struct json_object *headers = json_tokener_parse("{\"ID\":\"CONTAINER ID\"}");
        cleanup_error berth_error_t *err = NULL;
        char *out = NULL;
        (void) state;
        assert_int_equal(ctl_template_list("table {{.ID}}\t{{.Names}}", headers, items, &out, &err),
                         0);
        assert_string_equal(out, "CONTAINER ID   NAMES\n"
                                 "abc            a-long-name\n"
                                 "abcdef         b\n");
        free(out);
        /* docker's minimum cell width of 10 */
        assert_int_equal(ctl_template_list("table {{.ID}}\t{{.Names}}", NULL, items, &out, &err),
                         0);
        assert_string_equal(out, "ID        NAMES\n"
                                 "abc       a-long-name\n"
                                 "abcdef    b\n");
        free(out);
        assert_int_equal(ctl_template_list("{{.ID}}", headers, items, &out, &err), 0);
        assert_string_equal(out, "abc\nabcdef\n");
        free(out);
}

static void
test_inspect_text(void **state)
{
        cleanup_json struct json_object *items =
                json_tokener_parse("[{\"Name\":\"a\",\"Driver\":\"local\"},{\"Name\":\"b/c\"}]");
        cleanup_error berth_error_t *err = NULL;
        char *out = NULL;
        (void) state;

        /* No format: the array as docker prints it (indented, slashes as they are). */
        assert_int_equal(ctl_inspect_text(NULL, items, &out, &err), 0);
        assert_string_equal(out, "[\n  {\n    \"Name\": \"a\",\n    \"Driver\": \"local\"\n  },\n"
                                 "  {\n    \"Name\": \"b/c\"\n  }\n]\n");
        free(out);
        /* A format: a line per item. */
        assert_int_equal(ctl_inspect_text("{{.Name}}", items, &out, &err), 0);
        assert_string_equal(out, "a\nb/c\n");
        free(out);
        out = NULL;
        /* A bad format: the error, no text. */
        assert_int_equal(ctl_inspect_text("{{.Name", items, &out, &err), -EINVAL);
        assert_null(out);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_inspect_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
