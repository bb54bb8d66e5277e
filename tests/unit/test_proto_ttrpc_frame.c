/* tests/unit/test_proto_ttrpc_frame.c: proto/ttrpc/frame.h: header bytes, the incremental reader
 * (split anywhere, several frames per read, the 4 MiB limit) and the output queue. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/xalloc.h"
#include "proto/ttrpc/frame.h"

static void
test_header_bytes(void **state)
{
        /* interfaces.md §1.2, observed: Shutdown's answer is "00000000 00000007 02 00". */
        static const uint8_t shutdown[] = {0, 0, 0, 0, 0, 0, 0, 7, 2, 0};
        struct ttrpc_frame_header h = {.length = 0x01020304, .stream_id = 0xa0b0c0d1, .type = 1};
        uint8_t out[TTRPC_FRAME_HEADER_LEN];

        (void) state;
        ttrpc_frame_header_format(&h, out);
        assert_memory_equal(out, ((uint8_t[]){1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd1, 1, 0}), 10);
        ttrpc_frame_header_parse(shutdown, &h);
        assert_int_equal(h.length, 0);
        assert_int_equal(h.stream_id, 7);
        assert_int_equal(h.type, TTRPC_FRAME_RESPONSE);
        assert_int_equal(h.flags, 0);
}

/* Frames for stream ids 1 (3 bytes "abc"), 3 (empty) and 5 ("z") back to back. */
static size_t
three_frames(uint8_t *buf)
{
        struct ttrpc_outq q = {0};
        size_t n;

        ttrpc_outq_push_frame(&q, 1, TTRPC_FRAME_REQUEST, "abc", 3);
        ttrpc_outq_push_frame(&q, 3, TTRPC_FRAME_REQUEST, NULL, 0);
        ttrpc_outq_push_frame(&q, 5, TTRPC_FRAME_RESPONSE, "z", 1);
        n = q.len;
        memcpy(buf, q.data + q.off, n);
        ttrpc_outq_done(&q);
        return n;
}

static void
check_three(struct ttrpc_frame *f)
{
        assert_int_equal(f[0].header.stream_id, 1);
        assert_int_equal(f[0].header.length, 3);
        assert_memory_equal(f[0].data, "abc", 3);
        assert_int_equal(f[1].header.stream_id, 3);
        assert_int_equal(f[1].header.length, 0);
        assert_null(f[1].data);
        assert_int_equal(f[2].header.stream_id, 5);
        assert_int_equal(f[2].header.type, TTRPC_FRAME_RESPONSE);
        assert_memory_equal(f[2].data, "z", 1);
        for (int i = 0; i < 3; i++) {
                assert_false(f[i].oversize);
                ttrpc_frame_done(&f[i]);
        }
}

static void
test_reader_whole_buffer(void **state)
{
        struct ttrpc_frame_reader r;
        struct ttrpc_frame f[3];
        uint8_t buf[64];
        size_t len = three_frames(buf), off = 0;
        int got = 0;

        (void) state;
        assert_int_equal(len, 3 * 10 + 4);
        ttrpc_frame_reader_init(&r);
        while (off < len) {
                bool ready;
                off += ttrpc_frame_reader_feed(&r, buf + off, len - off, &f[got], &ready);
                if (ready)
                        got++;
        }
        assert_int_equal(got, 3);
        assert_true(ttrpc_frame_reader_idle(&r));
        check_three(f);
        ttrpc_frame_reader_done(&r);
}

static void
test_reader_byte_by_byte(void **state)
{
        struct ttrpc_frame_reader r;
        struct ttrpc_frame f[3];
        uint8_t buf[64];
        size_t len = three_frames(buf);
        int got = 0;

        (void) state;
        ttrpc_frame_reader_init(&r);
        for (size_t i = 0; i < len; i++) {
                bool ready;
                assert_int_equal(ttrpc_frame_reader_feed(&r, buf + i, 1, &f[got], &ready), 1);
                if (ready)
                        got++;
                if (i == 4)
                        assert_false(ttrpc_frame_reader_idle(&r));
        }
        assert_int_equal(got, 3);
        check_three(f);
        ttrpc_frame_reader_done(&r);
}

/* Feed a frame of LENGTH data bytes (all 'x') in chunks, then "ok" on stream 9. */
static void
feed_oversize(uint32_t length, bool *ret_oversize, uint32_t *ret_len)
{
        struct ttrpc_frame_reader r;
        struct ttrpc_frame_header h = {.length = length, .stream_id = 7, .type = 1};
        struct ttrpc_outq tail = {0};
        uint8_t hdr[10], *chunk = xmalloc(100000);
        uint64_t left = length;
        struct ttrpc_frame f = {0};
        bool ready = false;
        size_t off = 0;

        memset(chunk, 'x', 100000);
        ttrpc_frame_reader_init(&r);
        ttrpc_frame_header_format(&h, hdr);
        assert_int_equal(ttrpc_frame_reader_feed(&r, hdr, 10, &f, &ready), 10);
        while (left > 0 && !ready) {
                size_t n = left > 100000 ? 100000 : left;
                size_t used = ttrpc_frame_reader_feed(&r, chunk, n, &f, &ready);
                assert_int_equal(used, n); /* never more than the frame's own bytes */
                left -= used;
        }
        assert_true(ready);
        assert_int_equal(left, 0);
        *ret_oversize = f.oversize;
        *ret_len = f.header.length;
        if (f.oversize)
                assert_null(f.data);
        ttrpc_frame_done(&f);
        /* The stream is still in step: the next frame reads normally. */
        ttrpc_outq_push_frame(&tail, 9, 1, "ok", 2);
        while (off < tail.len) {
                off += ttrpc_frame_reader_feed(&r, tail.data + off, tail.len - off, &f, &ready);
        }
        assert_true(ready);
        assert_int_equal(f.header.stream_id, 9);
        assert_memory_equal(f.data, "ok", 2);
        ttrpc_frame_done(&f);
        ttrpc_outq_done(&tail);
        ttrpc_frame_reader_done(&r);
        free(chunk);
}

static void
test_reader_limit(void **state)
{
        bool oversize;
        uint32_t len;

        (void) state;
        feed_oversize(TTRPC_FRAME_MAX_DATA, &oversize, &len); /* exactly 4 MiB: fine */
        assert_false(oversize);
        assert_int_equal(len, 4194304);
        feed_oversize(TTRPC_FRAME_MAX_DATA + 1, &oversize, &len);
        assert_true(oversize);
        assert_int_equal(len, 4194305);
}

static void
test_oversize_message(void **state)
{
        char *m = ttrpc_frame_format_oversize(5242880);

        (void) state;
        assert_string_equal(m, "message length 5242880 exceed maximum message size of 4194304");
        free(m);
}

static void
test_outq_partial_writes(void **state)
{
        struct ttrpc_outq q = {0};
        cleanup_error berth_error_t *err = NULL;
        uint8_t *big = xmalloc(1 << 20), *got = xmalloc((1 << 20) + 10);
        size_t have = 0;
        int sv[2], r, sndbuf = 4096;

        (void) state;
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
        for (size_t i = 0; i < (1 << 20); i++)
                big[i] = (uint8_t) (i * 7);
        ttrpc_outq_push_frame(&q, 1, 1, big, 1 << 20);
        r = ttrpc_outq_flush(&q, sv[0], &err);
        assert_int_equal(r, 1); /* the socket took part of it */
        while (have < (1 << 20) + 10) {
                ssize_t n = recv(sv[1], got + have, (1 << 20) + 10 - have, MSG_DONTWAIT);
                if (n > 0)
                        have += (size_t) n;
                r = ttrpc_outq_flush(&q, sv[0], &err);
                assert_true(r >= 0);
        }
        assert_int_equal(r, 0);
        assert_int_equal(q.len, 0);
        assert_memory_equal(got + 10, big, 1 << 20);
        /* A queued frame for a peer that has gone: EPIPE, no SIGPIPE. */
        ttrpc_outq_push_frame(&q, 3, 1, "x", 1);
        close(sv[1]);
        assert_int_equal(ttrpc_outq_flush(&q, sv[0], &err), -EPIPE);
        assert_int_equal(q.len, 0);
        close(sv[0]);
        ttrpc_outq_done(&q);
        free(big);
        free(got);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_header_bytes),
                cmocka_unit_test(test_reader_whole_buffer),
                cmocka_unit_test(test_reader_byte_by_byte),
                cmocka_unit_test(test_reader_limit),
                cmocka_unit_test(test_oversize_message),
                cmocka_unit_test(test_outq_partial_writes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
