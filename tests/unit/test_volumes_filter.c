/* tests/unit/test_volumes_filter.c: supervisor/volumes/filter.c: the keys list and prune take,
 * dangling values, name as a regular expression search, labels, driver; prune's selection. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/volumes/filter.h"

static bool
match(const char *filters, enum volume_filter_use use, const char *vol, bool in_use)
{
        cleanup_json struct json_object *v = json_tokener_parse(vol);
        cleanup_error berth_error_t *err = NULL;
        struct volume_filters f = {0};
        bool r;

        assert_int_equal(volume_filters_parse(filters, use, &f, &err), 0);
        r = volume_filters_match(&f, v, in_use);
        volume_filters_done(&f);
        return r;
}

static const char *web = "{\"Name\":\"webdata\",\"Driver\":\"local\",\"Labels\":{\"app\":\"web\","
                         "\"tier\":\"front\"}}";
static const char *anon = "{\"Name\":\"0123abcd\",\"Driver\":\"local\",\"Labels\":null}";

static void
test_list_filters(void **state)
{
        (void) state;
        assert_true(match(NULL, VOLUME_FILTER_LIST, web, true));
        assert_true(match("", VOLUME_FILTER_LIST, web, true));
        assert_true(match("{\"dangling\":{\"true\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_false(match("{\"dangling\":{\"true\":true}}", VOLUME_FILTER_LIST, web, true));
        assert_true(match("{\"dangling\":[\"0\"]}", VOLUME_FILTER_LIST, web, true));
        assert_false(match("{\"dangling\":[\"false\"]}", VOLUME_FILTER_LIST, web, false));
        /* name: a regular expression searched in the name */
        assert_true(match("{\"name\":{\"data\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_true(match("{\"name\":{\"^web\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_false(match("{\"name\":{\"^data\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_true(
                match("{\"name\":{\"nope\":true,\"web\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_true(match("{\"driver\":{\"local\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_false(match("{\"driver\":{\"nfs\":true}}", VOLUME_FILTER_LIST, web, false));
        /* labels: every one must hold */
        assert_true(match("{\"label\":{\"app\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_true(match("{\"label\":{\"app=web\":true,\"tier\":true}}", VOLUME_FILTER_LIST, web,
                          false));
        assert_false(match("{\"label\":{\"app=db\":true}}", VOLUME_FILTER_LIST, web, false));
        assert_false(match("{\"label\":{\"app\":true}}", VOLUME_FILTER_LIST, anon, false));
}

static void
test_prune_filters(void **state)
{
        (void) state;
        assert_true(match(NULL, VOLUME_FILTER_PRUNE, anon, false));
        assert_true(match("{\"label\":[\"tier=front\"]}", VOLUME_FILTER_PRUNE, web, false));
        assert_false(match("{\"label\":[\"tier=back\"]}", VOLUME_FILTER_PRUNE, web, false));
        assert_false(match("{\"label!\":{\"app\":true}}", VOLUME_FILTER_PRUNE, web, false));
        assert_true(match("{\"label!\":{\"app\":true}}", VOLUME_FILTER_PRUNE, anon, false));
        assert_true(match("{\"label!\":{\"app=db\":true}}", VOLUME_FILTER_PRUNE, web, false));
}

static void
test_bad_filters(void **state)
{
        struct volume_filters f = {0};
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL;

        (void) state;
        assert_int_equal(
                volume_filters_parse("{\"bogus\":{\"x\":true}}", VOLUME_FILTER_LIST, &f, &e1),
                -EINVAL);
        assert_string_equal(e1->msg, "Invalid filter 'bogus'");
        assert_int_equal(volume_filters_parse("{\"dangling\":{\"maybe\":true}}", VOLUME_FILTER_LIST,
                                              &f, &e2),
                         -EINVAL);
        assert_string_equal(e2->msg, "Invalid filter 'dangling=maybe'");
        /* API 1.41's prune takes label and label! only */
        assert_int_equal(volume_filters_parse("{\"dangling\":{\"true\":true}}", VOLUME_FILTER_PRUNE,
                                              &f, &e3),
                         -EINVAL);
        assert_string_equal(e3->msg, "Invalid filter 'dangling'");
        assert_int_equal(
                volume_filters_parse("{\"label!\":{\"a\":true}}", VOLUME_FILTER_LIST, &f, &e4),
                -EINVAL);
        assert_int_equal(volume_filters_parse("[1", VOLUME_FILTER_LIST, &f, &e5), -EINVAL);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_list_filters),
                cmocka_unit_test(test_prune_filters),
                cmocka_unit_test(test_bad_filters),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
