/* tests/unit/test_init_policy.c: berth-init's pure decisions (supervisor/init/policy.h). */
#include <config.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "supervisor/init/policy.h"

static void
test_forwarded(void **state)
{
        (void) state;
        assert_true(init_signal_forwarded(SIGTERM));
        assert_true(init_signal_forwarded(SIGINT));
        assert_true(init_signal_forwarded(SIGHUP));
        assert_true(init_signal_forwarded(SIGUSR1));
        assert_true(init_signal_forwarded(SIGWINCH));
        assert_true(init_signal_forwarded(SIGRTMIN + 2));
        assert_false(init_signal_forwarded(SIGCHLD));
        assert_false(init_signal_forwarded(SIGKILL));
        assert_false(init_signal_forwarded(SIGSTOP));
        assert_false(init_signal_forwarded(SIGSEGV));
        assert_false(init_signal_forwarded(0));
        assert_false(init_signal_forwarded(NSIG));
}

static void
test_exit_code(void **state)
{
        (void) state;
        assert_int_equal(init_exit_code(0), 0);
        assert_int_equal(init_exit_code(3 << 8), 3);
        assert_int_equal(init_exit_code(SIGTERM), 128 + SIGTERM);
        assert_int_equal(init_exit_code(SIGKILL), 137);
}

static void
test_command_index(void **state)
{
        (void) state;
        char *a1[] = {"init", "--", "ps", NULL};
        char *a2[] = {"init", "ps", "-ef", NULL};
        char *a3[] = {"init", "--", NULL};
        char *a4[] = {"init", NULL};
        assert_int_equal(init_command_index(3, a1), 2);
        assert_int_equal(init_command_index(3, a2), 1);
        assert_int_equal(init_command_index(2, a3), -1);
        assert_int_equal(init_command_index(1, a4), -1);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forwarded),
                cmocka_unit_test(test_exit_code),
                cmocka_unit_test(test_command_index),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
