/* tests/unit/test_api_hijack.c: docker's stream framing (supervisor/api/stdcopy.h) and the pure
 * parts of a hijacked connection (supervisor/api/hijack.h): the upgrade decision and reading the
 * client's bytes (pending first, EOF on half-close). The MHD side is exercised by
 * tests/integration/berthd_attach.bats. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "supervisor/api/api.h"
#include "supervisor/api/hijack.h"
#include "supervisor/api/stdcopy.h"

static void
test_header_format(void **state)
{
        uint8_t h[8];

        (void) state;
        stdcopy_format_header(h, STDCOPY_STDOUT, 4);
        assert_memory_equal(h, "\x01\0\0\0\0\0\0\x04", 8);
        stdcopy_format_header(h, STDCOPY_STDERR, 0x01020304);
        assert_memory_equal(h, "\x02\0\0\0\x01\x02\x03\x04", 8);
}

struct sink {
        char out[256], err[256];
        size_t n_out, n_err;
        int calls;
};

static int
collect(int stream, const void *buf, size_t len, void *arg)
{
        struct sink *s = arg;

        s->calls++;
        if (stream == STDCOPY_STDOUT) {
                memcpy(s->out + s->n_out, buf, len);
                s->n_out += len;
        } else if (stream == STDCOPY_STDERR) {
                memcpy(s->err + s->n_err, buf, len);
                s->n_err += len;
        } else {
                return -EBADMSG;
        }
        return 0;
}

/* What docker's capture shows for `sh -c 'echo out; echo err >&2'`, written by our encoder. */
static size_t
encode_out_err(uint8_t *buf)
{
        int p[2];
        ssize_t n;

        assert_int_equal(pipe(p), 0);
        assert_int_equal(stdcopy_write_frame(p[1], STDCOPY_STDOUT, "out\n", 4), 0);
        assert_int_equal(stdcopy_write_frame(p[1], STDCOPY_STDERR, "err\n", 4), 0);
        assert_int_equal(stdcopy_write_frame(p[1], STDCOPY_STDOUT, "", 0), 0);
        close(p[1]);
        n = read(p[0], buf, 64);
        close(p[0]);
        return (size_t) n;
}

static void
test_encode_matches_capture(void **state)
{
        uint8_t buf[64];

        (void) state;
        assert_int_equal(encode_out_err(buf), 8 + 4 + 8 + 4 + 8);
        assert_memory_equal(buf, "\x01\0\0\0\0\0\0\x04out\n\x02\0\0\0\0\0\0\x04" "err\n", 24);
        assert_memory_equal(buf + 24, "\x01\0\0\0\0\0\0\0", 8);
}

static void
test_decode_any_split(void **state)
{
        uint8_t buf[64];
        size_t n;

        (void) state;
        n = encode_out_err(buf);
        /* Every way of cutting the stream in two, and byte by byte. */
        for (size_t cut = 0; cut <= n; cut++) {
                struct stdcopy_decoder d = {0};
                struct sink s = {0};
                assert_int_equal(stdcopy_decode(&d, buf, cut, collect, &s, NULL), 0);
                assert_int_equal(stdcopy_decode(&d, buf + cut, n - cut, collect, &s, NULL), 0);
                assert_int_equal(s.n_out, 4);
                assert_int_equal(s.n_err, 4);
                assert_memory_equal(s.out, "out\n", 4);
                assert_memory_equal(s.err, "err\n", 4);
                assert_int_equal(d.left, 0);
                assert_int_equal(d.have, 0);
        }
        {
                struct stdcopy_decoder d = {0};
                struct sink s = {0};
                for (size_t i = 0; i < n; i++)
                        assert_int_equal(stdcopy_decode(&d, buf + i, 1, collect, &s, NULL), 0);
                assert_int_equal(s.calls, 8);
                assert_memory_equal(s.out, "out\n", 4);
        }
}

static void
test_decode_bad_header(void **state)
{
        struct stdcopy_decoder d = {0};
        struct sink s = {0};
        berth_error_t *err = NULL;

        (void) state;
        /* Raw tty bytes fed to the decoder: "HTTP/1.1" is not a frame. */
        assert_int_equal(stdcopy_decode(&d, "HTTP/1.1 200", 12, collect, &s, &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "bad frame header"));
        berth_error_free(err);
}

static void
test_decode_sink_error_stops(void **state)
{
        struct stdcopy_decoder d = {0};
        struct sink s = {0};

        (void) state;
        /* systemerr (3) is a valid stream the sink refuses. */
        assert_int_equal(stdcopy_decode(&d, "\x03\0\0\0\0\0\0\x02oops", 10, collect, &s, NULL),
                         -EBADMSG);
}

static void
test_mode(void **state)
{
        (void) state;
        assert_int_equal(api_hijack_mode_build("Upgrade", "tcp"), API_HIJACK_UPGRADE);
        assert_int_equal(api_hijack_mode_build("keep-alive, upgrade", "TCP"), API_HIJACK_UPGRADE);
        assert_int_equal(api_hijack_mode_build("keep-alive", "tcp"), API_HIJACK_PLAIN);
        assert_int_equal(api_hijack_mode_build("Upgrade", "websocket"), API_HIJACK_PLAIN);
        assert_int_equal(api_hijack_mode_build("Upgrades", "tcp"), API_HIJACK_PLAIN);
        assert_int_equal(api_hijack_mode_build(NULL, "tcp"), API_HIJACK_PLAIN);
        assert_int_equal(api_hijack_mode_build("Upgrade", NULL), API_HIJACK_PLAIN);
}

static void
test_response_hijack(void **state)
{
        struct api_response r = {0};
        int x = 0;

        (void) state;
        api_response_hijack(&r, API_RAW_STREAM, NULL, &x, NULL);
        assert_true(r.hijack);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.content_type, "application/vnd.docker.raw-stream");
        assert_ptr_equal(r.stream_arg, &x);
}

static void
test_read_pending_then_socket_then_eof(void **state)
{
        int sv[2];
        char buf[16];
        struct api_stream s;

        (void) state;
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        s = (struct api_stream){.fd = sv[0], .in_fd = sv[0], .pending = "abc", .n_pending = 3};
        assert_int_equal(write(sv[1], "def", 3), 3);
        assert_int_equal(api_hijack_read(&s, buf, 2), 2);
        assert_memory_equal(buf, "ab", 2);
        assert_int_equal(api_hijack_read(&s, buf, sizeof(buf)), 1);
        assert_memory_equal(buf, "c", 1);
        assert_int_equal(api_hijack_read(&s, buf, sizeof(buf)), 3);
        assert_memory_equal(buf, "def", 3);
        /* The client's CloseWrite: EOF for stdin, and the connection still takes our output. */
        assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
        assert_int_equal(api_hijack_read(&s, buf, sizeof(buf)), 0);
        assert_int_equal(api_hijack_write_frame(&s, STDCOPY_STDOUT, "x", 1), 0);
        assert_int_equal(read(sv[1], buf, sizeof(buf)), 9);
        assert_memory_equal(buf, "\x01\0\0\0\0\0\0\x01x", 9);
        close(sv[0]);
        close(sv[1]);
        /* Without an upgrade there is no client side: EOF at once. */
        s = (struct api_stream){.fd = -1, .in_fd = -1};
        assert_int_equal(api_hijack_read(&s, buf, sizeof(buf)), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_header_format),
                cmocka_unit_test(test_encode_matches_capture),
                cmocka_unit_test(test_decode_any_split),
                cmocka_unit_test(test_decode_bad_header),
                cmocka_unit_test(test_decode_sink_error_stops),
                cmocka_unit_test(test_mode),
                cmocka_unit_test(test_response_hijack),
                cmocka_unit_test(test_read_pending_then_socket_then_eof),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
