/* tests/unit/test_api_images.c: the pure helpers of supervisor/api/images.c and the query
 * helpers of router.c that the image endpoints use. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "supervisor/api/images.h"

static void
test_parse_created(void **state)
{
        (void) state;
        assert_int_equal(api_parse_created("1970-01-01T00:00:00Z"), 0);
        assert_int_equal(api_parse_created("2024-01-02T03:04:05Z"), 1704164645);
        assert_int_equal(api_parse_created("2024-01-02T03:04:05.123456789Z"), 1704164645);
        assert_int_equal(api_parse_created("2024-01-02T05:04:05+02:00"), 1704164645);
        assert_int_equal(api_parse_created("garbage"), 0);
        assert_int_equal(api_parse_created(NULL), 0);
}

static void
test_query(void **state)
{
        char *q[] = {"force", "1", "noprune", "false", "quiet", "", "names", "a", "names", "b",
                     NULL};
        struct api_request req = {.query = q};

        (void) state;
        assert_true(api_query_bool(&req, "force", false));
        assert_false(api_query_bool(&req, "noprune", true));
        assert_false(api_query_bool(&req, "quiet", true));
        assert_true(api_query_bool(&req, "absent", true));
        assert_string_equal(api_query_get(&req, "names"), "a");
        assert_null(api_query_get(&req, "tag"));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_created),
                cmocka_unit_test(test_query),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
