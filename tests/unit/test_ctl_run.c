/* tests/unit/test_ctl_run.c: supervisor/ctl/run.h: demultiplexing docker's stream framing fed in
 * arbitrary pieces, and logs' --since/--until values. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "supervisor/ctl/run.h"

struct got {
        char out[64], err[64];
        size_t no, ne;
};

static void
collect(int stream, const uint8_t *p, size_t n, void *ud)
{
        struct got *g = ud;
        if (stream == 2) {
                memcpy(g->err + g->ne, p, n);
                g->ne += n;
        } else {
                memcpy(g->out + g->no, p, n);
                g->no += n;
        }
}

static const uint8_t msg[] = {1, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', '\n', 2, 0, 0, 0, 0, 0, 0, 2, 'e', '\n',
                              1, 0, 0, 0, 0, 0, 0, 0};

/* Feed MSG in pieces of STEP bytes. */
static void
feed(size_t step)
{
        struct ctl_demux d = {0};
        struct got g = {0};
        for (size_t i = 0; i < sizeof(msg); i += step)
                ctl_demux_feed(&d, msg + i, i + step > sizeof(msg) ? sizeof(msg) - i : step, collect, &g);
        assert_int_equal(g.no, 3);
        assert_memory_equal(g.out, "ab\n", 3);
        assert_int_equal(g.ne, 2);
        assert_memory_equal(g.err, "e\n", 2);
}

static void
test_demux(void **state)
{
        (void) state;
        feed(sizeof(msg));
        feed(1);
        feed(5);
        feed(8);
}

static void
test_time_arg(void **state)
{
        char *s;
        (void) state;
        s = ctl_logs_time_arg("1700000000.5", 0);
        assert_string_equal(s, "1700000000.5");
        free(s);
        s = ctl_logs_time_arg("2023-11-14T22:13:20Z", 0);
        assert_string_equal(s, "1700000000.000000000");
        free(s);
        s = ctl_logs_time_arg("10m", 1700000600);
        assert_string_equal(s, "1700000000.000000000");
        free(s);
        assert_null(ctl_logs_time_arg("nonsense", 0));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_demux),
                cmocka_unit_test(test_time_arg),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
