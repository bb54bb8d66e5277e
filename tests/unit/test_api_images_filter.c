/* tests/unit/test_api_images_filter.c: supervisor/api/images_filter.c: created times at
 * nanosecond precision and dockerd's label matching. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/api/images_filter.h"

static void
test_created_nanos(void **state)
{
        (void) state;
        assert_true(api_images_created_nanos("2024-01-02T03:04:05Z") == 1704164645000000000LL);
        assert_true(api_images_created_nanos("2024-01-02T03:04:05.5Z") == 1704164645500000000LL);
        assert_true(api_images_created_nanos("2024-01-02T03:04:05.123456789Z")
                    == 1704164645123456789LL);
        assert_true(api_images_created_nanos("2024-01-02T05:04:05.000000001+02:00")
                    == 1704164645000000001LL);
        assert_true(api_images_created_nanos("garbage") == 0);
        assert_true(api_images_created_nanos(NULL) == 0);
}

static void
test_labels(void **state)
{
        cleanup_json struct json_object *l =
                json_tokener_parse("{\"tier\":\"base\",\"team\":\"a\",\"n\":1}");
        char *key[] = {"tier", NULL};
        char *kv[] = {"tier=base", "team", NULL};
        char *wrong[] = {"tier=app", NULL};
        char *missing[] = {"owner", NULL};
        char *number[] = {"n=1", NULL};

        (void) state;
        assert_true(api_images_labels_match(l, NULL));
        assert_true(api_images_labels_match(l, key));
        assert_true(api_images_labels_match(l, kv));
        assert_false(api_images_labels_match(l, wrong));
        assert_false(api_images_labels_match(l, missing));
        assert_false(api_images_labels_match(l, number));
        assert_false(api_images_labels_match(NULL, key));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_created_nanos),
                cmocka_unit_test(test_labels),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
