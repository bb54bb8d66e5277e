/* tests/unit/test_api_idle.c: supervisor/api/idle.h: the trimmer runs once after start-up and
 * after the last request in flight ends, never while one is in flight. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "lib/idle_trim.h"
#include "supervisor/api/idle.h"

static void
wait_ms(long ms)
{
        struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        while (nanosleep(&t, &t) != 0)
                ;
}

static bool
dirty(struct api_idle *idle)
{
        bool d;
        pthread_mutex_lock(&idle->lock);
        d = idle->dirty;
        pthread_mutex_unlock(&idle->lock);
        return d;
}

static void
test_trims_when_quiet_only(void **state)
{
        struct api_idle idle;

        (void) state;
        api_idle_start(&idle);
        assert_true(idle.started);
        wait_ms(IDLE_TRIM_MS * 3);
        assert_false(dirty(&idle)); /* start-up's trim */
        api_idle_enter(&idle);
        api_idle_enter(&idle);
        wait_ms(IDLE_TRIM_MS * 2);
        assert_true(dirty(&idle)); /* two in flight: no trim */
        api_idle_leave(&idle);
        wait_ms(IDLE_TRIM_MS * 2);
        assert_true(dirty(&idle)); /* one still in flight */
        api_idle_leave(&idle);
        wait_ms(IDLE_TRIM_MS * 3);
        assert_false(dirty(&idle));
        api_idle_stop(&idle);
}

static void
test_stop_while_waiting(void **state)
{
        struct api_idle idle;

        (void) state;
        api_idle_start(&idle);
        api_idle_enter(&idle);
        api_idle_stop(&idle); /* joins a thread blocked with a request in flight */
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_trims_when_quiet_only),
                cmocka_unit_test(test_stop_while_waiting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
