/* tests/unit/test_api_progress.c: supervisor/api/progress.h (docker's progress lines). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "supervisor/api/progress.h"
#include "supervisor/images/service.h"

static void
size_is(int64_t n, const char *want)
{
        cleanup_free char *s = api_progress_human_size(n);
        assert_string_equal(s, want);
}

static void
test_human_size(void **state)
{
        (void) state;
        size_is(0, "0B");
        size_is(999, "999B");
        size_is(35840, "35.84kB");
        size_is(1182720, "1.183MB");
        size_is(1985602, "1.986MB");
        size_is(2140160, "2.14MB");
        size_is(1000000, "1MB");
        size_is(20971520, "20.97MB");
}

static void
test_bar(void **state)
{
        cleanup_free char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        (void) state;
        /* The shapes of dockerd's own lines (docs/docker-api capture, a push). */
        a = api_progress_bar(35840, 1985602, 100, 100);
        assert_string_equal(
                a, "[>                                                  ]  35.84kB/1.986MB 0s");
        b = api_progress_bar(1182720, 1985602, 100, 101);
        assert_string_equal(
                b, "[=============================>                     ]  1.183MB/1.986MB 0s");
        c = api_progress_bar(2140160, 1985602, 100, 101);
        assert_string_equal(c, "[==================================================>]   2.14MB");
        d = api_progress_bar(0, 0, 0, 0);
        assert_string_equal(d, "");
        free(a);
        /* Half done in 10 s: 10 s left. */
        a = api_progress_bar(500, 1000, 100, 110);
        assert_string_equal(
                a, "[=========================>                         ]     500B/1kB 10s");
        free(a);
        a = api_progress_bar(1, 1000, 0, 1);
        assert_non_null(strstr(a, " 16m39s"));
}

static const char *
text(struct json_object *o)
{
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_json(void **state)
{
        struct image_pull_event ev = {.id = "latest", .status = "Pulling from test/busybox"};
        struct json_object *o;

        (void) state;
        o = api_progress_json(&ev, 0);
        assert_string_equal(text(o),
                            "{\"status\":\"Pulling from test/busybox\",\"id\":\"latest\"}");
        json_object_put(o);
        ev = (struct image_pull_event){
                .id = "0123456789ab", .status = "Pulling fs layer", .detail = true};
        o = api_progress_json(&ev, 0);
        assert_string_equal(text(o), "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},"
                                     "\"id\":\"0123456789ab\"}");
        json_object_put(o);
        ev = (struct image_pull_event){.id = "0123456789ab",
                                       .status = "Downloading",
                                       .detail = true,
                                       .current = 500,
                                       .total = 1000,
                                       .start = 100};
        o = api_progress_json(&ev, 110);
        assert_string_equal(text(o),
                            "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":500,"
                            "\"total\":1000},\"progress\":\"[=========================>       "
                            "                  ]     500B/1kB 10s\",\"id\":\"0123456789ab\"}");
        json_object_put(o);
        ev = (struct image_pull_event){.status = "Digest: sha256:00"};
        o = api_progress_json(&ev, 0);
        assert_string_equal(text(o), "{\"status\":\"Digest: sha256:00\"}");
        json_object_put(o);
        o = api_progress_error("boom");
        assert_string_equal(text(o), "{\"errorDetail\":{\"message\":\"boom\"},\"error\":\"boom\"}");
        json_object_put(o);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_human_size),
                cmocka_unit_test(test_bar),
                cmocka_unit_test(test_json),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
