/* tests/unit/test_events_bus.c: supervisor/events/bus.c: the ring's bound and order, replay from
 * a time, listeners counted, close wakes listeners. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "supervisor/events/bus.h"

static void
test_replay_from_time(void **state)
{
        struct event_bus bus;
        struct event_subscription sub;
        struct event ev = {0};
        char *attrs[] = {"name", "a:1", "dangling", NULL};

        (void) state;
        events_bus_init(&bus);
        events_publish_at(&bus, 100, "image", "tag", "sha256:1", attrs);
        events_publish_at(&bus, 200, "image", "untag", "sha256:1", NULL);
        events_publish_at(&bus, 300, "image", "delete", "sha256:1", NULL);
        events_subscribe(&bus, 200, &sub);
        assert_int_equal(events_bus_listeners(&bus), 1);
        assert_int_equal(events_next(&sub, 0, &ev), 1);
        assert_string_equal(ev.action, "untag");
        assert_int_equal(ev.time_nano, 200);
        event_done(&ev);
        assert_int_equal(events_next(&sub, 0, &ev), 1);
        assert_string_equal(ev.action, "delete");
        event_done(&ev);
        assert_int_equal(events_next(&sub, 10, &ev), 0);
        events_unsubscribe(&sub);
        /* Only new ones without a replay time; attributes are pairs (a lone key is dropped). */
        events_subscribe(&bus, -1, &sub);
        assert_int_equal(events_next(&sub, 0, &ev), 0);
        events_publish_at(&bus, 400, "image", "tag", "sha256:2", attrs);
        assert_int_equal(events_next(&sub, 0, &ev), 1);
        assert_string_equal(event_attr(&ev, "name"), "a:1");
        assert_null(event_attr(&ev, "dangling"));
        event_done(&ev);
        events_unsubscribe(&sub);
        assert_int_equal(events_bus_listeners(&bus), 0);
        events_bus_done(&bus);
}

static void
test_ring_is_bounded_and_ordered(void **state)
{
        struct event_bus bus;
        struct event_subscription sub;
        struct event ev = {0};
        char id[32];
        int n = 0;

        (void) state;
        events_bus_init(&bus);
        for (int i = 0; i < EVENTS_RING_SIZE + 44; i++) {
                snprintf(id, sizeof(id), "e%d", i);
                events_publish_at(&bus, 1000 + i, "image", "tag", id, NULL);
        }
        /* A clock going back does not reorder the ring. */
        events_publish_at(&bus, 5, "image", "untag", "late", NULL);
        events_subscribe(&bus, 0, &sub);
        assert_int_equal(events_next(&sub, 0, &ev), 1);
        assert_string_equal(ev.actor_id, "e45"); /* the 45 oldest are gone */
        event_done(&ev);
        n = 1;
        while (events_next(&sub, 0, &ev) == 1) {
                n++;
                if (strcmp(ev.actor_id, "late") == 0)
                        assert_int_equal(ev.time_nano, 1000 + EVENTS_RING_SIZE + 43);
                event_done(&ev);
        }
        assert_int_equal(n, EVENTS_RING_SIZE);
        events_unsubscribe(&sub);
        events_bus_done(&bus);
}

static void
test_slow_listener_skips_overwritten(void **state)
{
        struct event_bus bus;
        struct event_subscription sub;
        struct event ev = {0};

        (void) state;
        events_bus_init(&bus);
        events_subscribe(&bus, -1, &sub);
        for (int i = 0; i < EVENTS_RING_SIZE * 2; i++)
                events_publish_at(&bus, i, "image", "tag", i == EVENTS_RING_SIZE ? "first" : "x",
                                  NULL);
        assert_int_equal(events_next(&sub, 0, &ev), 1);
        assert_string_equal(ev.actor_id, "first");
        event_done(&ev);
        events_bus_close(&bus);
        assert_int_equal(events_next(&sub, 1000, &ev), -ESHUTDOWN);
        events_unsubscribe(&sub);
        events_publish(NULL, "image", "tag", "x", NULL); /* no bus: nothing */
        events_bus_done(&bus);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_replay_from_time),
                cmocka_unit_test(test_ring_is_bounded_and_ordered),
                cmocka_unit_test(test_slow_listener_skips_overwritten),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
