/* tests/unit/test_api_stream.c: supervisor/api/stream.h: the producer's side of a streamed
 * response over a pipe (the HTTP glue's reader is exercised by the integration tests). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "supervisor/api/api.h"
#include "supervisor/api/router.h"
#include "supervisor/api/stream.h"

static void
produce_nothing(struct api_stream *s, void *arg)
{
        (void) s;
        (void) arg;
}

static int freed;

static void
count_free(void *arg)
{
        freed++;
        free(arg);
}

static void
test_write_json_lines(void **state)
{
        int fds[2];
        char buf[256];
        struct api_stream s;
        struct json_object *o = json_object_new_object();
        ssize_t n;

        (void) state;
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        s.fd = fds[1];
        json_object_object_add(o, "status", json_object_new_string("Pulling fs/layer"));
        assert_int_equal(api_stream_write_json(&s, o), 0);
        assert_int_equal(api_stream_write(&s, "x", 1), 0);
        json_object_put(o);
        n = read(fds[0], buf, sizeof(buf) - 1);
        assert_true(n > 0);
        buf[n] = '\0';
        /* One line per object, slashes not escaped (as Go's encoder). */
        assert_string_equal(buf, "{\"status\":\"Pulling fs/layer\"}\nx");
        assert_false(api_stream_closed(&s, 0));
        close(fds[0]);
        assert_true(api_stream_closed(&s, 0));
        assert_int_equal(api_stream_write(&s, "y", 1), -EPIPE);
        close(fds[1]);
}

static void
test_unstarted_stream_frees_its_argument(void **state)
{
        struct api_response resp = {0};

        (void) state;
        freed = 0;
        api_response_stream(&resp, 200, "application/json", produce_nothing, malloc(8), count_free);
        assert_int_equal(resp.status, 200);
        assert_ptr_equal(resp.stream_fn, produce_nothing);
        api_response_done(&resp);
        assert_int_equal(freed, 1);
        assert_null(resp.stream_fn);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_write_json_lines),
                cmocka_unit_test(test_unstarted_stream_frees_its_argument),
        };
        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
