/* tests/unit/test_lib_loop.c: lib/loop.h with pipes: delivery, interest changes, removal from
 * inside a batch, quit. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/loop.h"

struct rec {
        struct loop *loop;
        int calls;
        uint32_t events;
        int remove_fd; /* removed by this callback, if >= 0 */
        int quit;
};

static void
on_event(int fd, uint32_t events, void *userdata)
{
        struct rec *r = userdata;

        (void) fd;
        r->calls++;
        r->events = events;
        if (r->remove_fd >= 0)
                loop_remove_fd(r->loop, r->remove_fd);
        if (r->quit)
                loop_quit(r->loop);
}

static void
test_delivers_and_quits(void **state)
{
        cleanup_loop struct loop *l = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct rec r = {.remove_fd = -1, .quit = 1};
        int p[2];

        (void) state;
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(loop_new(&l, &err), 0);
        r.loop = l;
        assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, on_event, &r, &err), 0);
        assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, on_event, &r, &err), -EEXIST);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(loop_run_once(l, 0, &err), 0);
        assert_int_equal(write(p[1], "x", 1), 1);
        assert_int_equal(loop_run(l, &err), 0);
        assert_int_equal(r.calls, 1);
        assert_true(r.events & EPOLLIN);
        /* Interest off: nothing is delivered although the pipe is still readable. */
        assert_int_equal(loop_set_events(l, p[0], 0, &err), 0);
        assert_int_equal(loop_run_once(l, 0, &err), 0);
        assert_int_equal(r.calls, 1);
        loop_remove_fd(l, p[0]);
        loop_remove_fd(l, p[0]); /* twice: ignored */
        close(p[0]);
        close(p[1]);
}

static void
test_remove_inside_batch(void **state)
{
        cleanup_loop struct loop *l = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct rec a = {.remove_fd = -1}, b = {.remove_fd = -1};
        int p[2], q[2];

        (void) state;
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(pipe2(q, O_CLOEXEC), 0);
        assert_int_equal(loop_new(&l, &err), 0);
        a.loop = b.loop = l;
        /* Whichever runs first removes the other: exactly one callback may run. */
        a.remove_fd = q[0];
        b.remove_fd = p[0];
        assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, on_event, &a, &err), 0);
        assert_int_equal(loop_add_fd(l, q[0], EPOLLIN, on_event, &b, &err), 0);
        assert_int_equal(write(p[1], "x", 1), 1);
        assert_int_equal(write(q[1], "x", 1), 1);
        assert_int_equal(loop_run_once(l, 1000, &err), 2);
        assert_int_equal(a.calls + b.calls, 1);
        close(p[0]);
        close(p[1]);
        close(q[0]);
        close(q[1]);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_delivers_and_quits),
                cmocka_unit_test(test_remove_inside_batch),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
