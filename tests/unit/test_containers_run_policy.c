/* tests/unit/test_containers_run_policy.c: the pure parts of supervisor/containers/run.h:
 * signal names, wait conditions, restart decisions and dockerd's backoff. */
#include <config.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "supervisor/containers/run.h"

static void
test_signals(void **state)
{
        (void) state;
        assert_int_equal(container_signal_parse("KILL"), SIGKILL);
        assert_int_equal(container_signal_parse("SIGTERM"), SIGTERM);
        assert_int_equal(container_signal_parse("sigusr1"), SIGUSR1);
        assert_int_equal(container_signal_parse("9"), 9);
        assert_int_equal(container_signal_parse("RTMIN+1"), SIGRTMIN + 1);
        assert_int_equal(container_signal_parse("FOO"), -1);
        assert_int_equal(container_signal_parse("0"), -1);
        assert_int_equal(container_signal_parse(""), -1);
}

static void
test_wait_conditions(void **state)
{
        (void) state;
        assert_int_equal(container_wait_condition_parse(NULL), CONTAINER_WAIT_NOT_RUNNING);
        assert_int_equal(container_wait_condition_parse(""), CONTAINER_WAIT_NOT_RUNNING);
        assert_int_equal(container_wait_condition_parse("not-running"), CONTAINER_WAIT_NOT_RUNNING);
        assert_int_equal(container_wait_condition_parse("next-exit"), CONTAINER_WAIT_NEXT_EXIT);
        assert_int_equal(container_wait_condition_parse("removed"), CONTAINER_WAIT_REMOVED);
        assert_int_equal(container_wait_condition_parse("x"), -1);
}

static void
test_restart(void **state)
{
        (void) state;
        assert_false(container_restart_wanted("no", 0, 0, 1, false));
        assert_false(container_restart_wanted(NULL, 0, 0, 1, false));
        assert_true(container_restart_wanted("always", 0, 5, 0, false));
        assert_false(container_restart_wanted("always", 0, 5, 0, true));
        assert_true(container_restart_wanted("unless-stopped", 0, 0, 0, false));
        assert_false(container_restart_wanted("unless-stopped", 0, 0, 0, true));
        assert_true(container_restart_wanted("on-failure", 0, 100, 1, false));
        assert_false(container_restart_wanted("on-failure", 0, 0, 0, false));
        assert_true(container_restart_wanted("on-failure", 2, 1, 1, false));
        assert_false(container_restart_wanted("on-failure", 2, 2, 1, false));
        assert_int_equal(container_restart_delay(0, 0), 100);
        assert_int_equal(container_restart_delay(100, 50), 200);
        assert_int_equal(container_restart_delay(200, 9999), 400);
        assert_int_equal(container_restart_delay(400, 10000), 100);
        assert_int_equal(container_restart_delay(51200, 10), 60000);
        assert_int_equal(container_restart_delay(60000, 10), 60000);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_signals),
                cmocka_unit_test(test_wait_conditions),
                cmocka_unit_test(test_restart),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
