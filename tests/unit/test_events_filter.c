/* tests/unit/test_events_filter.c: supervisor/events/filter.c: dockerd's filter keys and
 * matching, since/until timestamps, the message shape. */
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
#include "supervisor/events/bus.h"
#include "supervisor/events/filter.h"

static char *labels[] = {"maintainer", "me", "name", "busybox:latest", NULL};
static struct event tag_ev = {.type = "image",
                              .action = "tag",
                              .actor_id = "sha256:abc",
                              .attrs = labels,
                              .time_nano = 1700000000123456789};
static struct event ctr_ev = {
        .type = "container", .action = "start", .actor_id = "0123456789ab", .time_nano = 1};

static bool
matches(const char *filters, const struct event *e)
{
        cleanup_error berth_error_t *err = NULL;
        struct events_filter f = {0};
        bool r;

        assert_int_equal(events_filter_parse(filters, &f, &err), 0);
        r = events_filter_match(&f, e);
        events_filter_done(&f);
        return r;
}

static void
test_filters(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct events_filter f = {0};

        (void) state;
        assert_true(matches(NULL, &tag_ev));
        assert_true(matches("{\"type\":{\"image\":true}}", &tag_ev));
        assert_false(matches("{\"type\":{\"image\":true}}", &ctr_ev));
        assert_true(matches("{\"type\":[\"container\",\"image\"]}", &ctr_ev));
        assert_true(matches("{\"event\":{\"tag\":true,\"untag\":true}}", &tag_ev));
        assert_false(matches("{\"event\":{\"delete\":true}}", &tag_ev));
        /* image: the ID, the name attribute, or either without its tag. */
        assert_true(matches("{\"image\":{\"busybox\":true}}", &tag_ev));
        assert_true(matches("{\"image\":{\"busybox:latest\":true}}", &tag_ev));
        assert_true(matches("{\"image\":{\"sha256:abc\":true}}", &tag_ev));
        assert_false(matches("{\"image\":{\"alpine\":true}}", &tag_ev));
        /* container: an image event never matches; a container by ID prefix. */
        assert_false(matches("{\"container\":{\"0123\":true}}", &tag_ev));
        assert_true(matches("{\"container\":{\"0123\":true}}", &ctr_ev));
        assert_true(matches("{\"label\":{\"maintainer\":true}}", &tag_ev));
        assert_true(matches("{\"label\":{\"maintainer=me\":true}}", &tag_ev));
        assert_false(matches("{\"label\":{\"maintainer=you\":true}}", &tag_ev));
        /* Unknown keys change nothing, as in dockerd 20.10. */
        assert_true(matches("{\"bogus\":{\"x\":true}}", &tag_ev));
        assert_int_equal(events_filter_parse("{\"type\":\"image\"}", &f, &err), -EINVAL);
        assert_string_equal(err->msg, "invalid filter: {\"type\":\"image\"}");
}

static void
test_timestamps(void **state)
{
        int64_t t = 0;

        (void) state;
        assert_int_equal(events_parse_timestamp("1700000000", &t), 0);
        assert_true(t == 1700000000000000000LL);
        assert_int_equal(events_parse_timestamp("1700000000.5", &t), 0);
        assert_true(t == 1700000000500000000LL);
        assert_int_equal(events_parse_timestamp("1700000000.000000001", &t), 0);
        assert_true(t == 1700000000000000001LL);
        assert_int_equal(events_parse_timestamp("10m", &t), -EINVAL);
        assert_int_equal(events_parse_timestamp("1.", &t), -EINVAL);
        assert_int_equal(events_parse_timestamp("", &t), -EINVAL);
}

static void
test_message_shape(void **state)
{
        cleanup_json struct json_object *o = events_message_build(&tag_ev);
        cleanup_json struct json_object *c = events_message_build(&ctr_ev);

        (void) state;
        assert_string_equal(
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                "{\"status\":\"tag\",\"id\":\"sha256:abc\",\"Type\":\"image\",\"Action\":\"tag\","
                "\"Actor\":{\"ID\":\"sha256:abc\",\"Attributes\":{\"maintainer\":\"me\",\"name\":"
                "\"busybox:latest\"}},\"scope\":\"local\",\"time\":1700000000,\"timeNano\":"
                "1700000000123456789}");
        assert_false(json_object_object_get_ex(c, "from", NULL));
        assert_true(json_object_object_get_ex(c, "status", NULL));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_filters),
                cmocka_unit_test(test_timestamps),
                cmocka_unit_test(test_message_shape),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
