/* tests/unit/test_ctl_http_response.c: supervisor/ctl/http_response.h: berthctl's response
 * reader, fed whole and a byte at a time. */
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

#include "supervisor/ctl/http_response.h"

struct got {
        long status;
        int heads;
        char body[4096];
        size_t len;
};

static void
on_head(long status, void *ud)
{
        struct got *g = ud;
        g->status = status;
        g->heads++;
}

static void
on_body(const char *p, size_t n, void *ud)
{
        struct got *g = ud;
        assert_true(g->len + n < sizeof(g->body));
        memcpy(g->body + g->len, p, n);
        g->len += n;
        g->body[g->len] = '\0';
}

/* TEXT fed whole (BYTEWISE false) or a byte at a time, then the end of the connection: the
 * feed's result, else the end's. */
static int
run(const char *text, bool no_body, bool bytewise, struct got *g)
{
        struct http_response_reader r;
        size_t n = strlen(text);
        int rc = 0;

        memset(g, 0, sizeof(*g));
        http_response_reader_init(&r, no_body, on_head, on_body, g);
        if (bytewise) {
                for (size_t i = 0; i < n && rc == 0; i++)
                        rc = http_response_feed(&r, text + i, 1);
        } else {
                rc = http_response_feed(&r, text, n);
        }
        return rc < 0 ? rc : http_response_eof(&r);
}

#define BOTH(text, no_body, want_rc, want_status, want_body)                                    \
        do {                                                                                     \
                for (int bw_ = 0; bw_ < 2; bw_++) {                                              \
                        struct got g_;                                                           \
                        assert_int_equal(run(text, no_body, bw_, &g_), want_rc);                 \
                        if ((want_rc) == 0) {                                                    \
                                assert_int_equal(g_.status, want_status);                        \
                                assert_int_equal(g_.heads, 1);                                   \
                                assert_string_equal(g_.len ? g_.body : "", want_body);           \
                        }                                                                        \
                }                                                                                \
        } while (0)

static void
test_content_length(void **state)
{
        (void) state;
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: x\r\n\r\nhello", false, 0,
             200, "hello");
        /* What follows the body is not read as part of it. */
        BOTH("HTTP/1.1 201 Created\r\ncontent-length:  2 \r\n\r\nokEXTRA", false, 0, 201, "ok");
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, 0, 200, "");
        /* Bare LF line ends are taken too. */
        BOTH("HTTP/1.0 404 Not Found\nContent-Length: 3\n\nnot", false, 0, 404, "not");
        /* The same length twice is fine, two different ones are not. */
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", false, 0, 200,
             "x");
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy", false,
             -EPROTO, 0, "");
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, -EPROTO, 0, "");
}

static void
test_chunked(void **state)
{
        (void) state;
        BOTH("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
             false, 0, 200, "hello 0123456789");
        BOTH("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, 0, 200, "");
        /* Chunked wins over a Content-Length (RFC 9112 6.3). */
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\r\nab\r\n0\r\n\r\n",
             false, 0, 200, "ab");
        BOTH("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, -EPROTO, 0,
             "");
        BOTH("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", false, -EPROTO,
             0, "");
        BOTH("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, -EPROTO, 0, "");
        /* Cut off mid-chunk or before the last chunk: not complete. */
        BOTH("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", false, -ECONNRESET,
             0, "");
        BOTH("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", false,
             -ECONNRESET, 0, "");
}

static void
test_no_body(void **state)
{
        (void) state;
        BOTH("HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\n", false, 0, 204, "");
        BOTH("HTTP/1.1 304 Not Modified\r\n\r\n", false, 0, 304, "");
        /* HEAD: the length describes a body that is not sent. */
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", true, 0, 200, "");
}

static void
test_interim_and_eof(void **state)
{
        (void) state;
        /* 1xx answers are skipped: the callback sees only the final one. */
        BOTH("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\n"
             "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
             false, 0, 200, "ok");
        /* No length and not chunked: the body runs to the end of the connection. */
        BOTH("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\n", false, 0, 200,
             "{\"a\":1}\n");
        /* The connection ends before the headers or the body do. */
        BOTH("", false, -ECONNRESET, 0, "");
        BOTH("HTTP/1.1 200 OK\r\nContent-Le", false, -ECONNRESET, 0, "");
        BOTH("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", false, -ECONNRESET, 0, "");
}

static void
test_malformed(void **state)
{
        (void) state;
        BOTH("SSH-2.0-OpenSSH\r\n", false, -EPROTO, 0, "");
        BOTH("HTTP/2 200\r\n\r\n", false, -EPROTO, 0, "");
        BOTH("HTTP/1.1 2000 OK\r\n\r\n", false, -EPROTO, 0, "");
        BOTH("HTTP/1.1 99 Low\r\n\r\n", false, -EPROTO, 0, "");
        BOTH("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", false, -EPROTO, 0, "");
        /* A status line without a reason phrase is still one. */
        BOTH("HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", false, 0, 200, "x");
        {
                /* A header line longer than the reader keeps. */
                size_t n = 10000;
                char *big = malloc(n + 64);
                strcpy(big, "HTTP/1.1 200 OK\r\nX: ");
                memset(big + strlen(big), 'a', n);
                strcpy(big + 20 + n, "\r\n\r\n");
                struct got g;
                assert_int_equal(run(big, false, false, &g), -EPROTO);
                free(big);
        }
}

static void
test_read_fd(void **state)
{
        /* http_response_read over a real socket: a chunked answer written in pieces. */
        int sv[2];
        struct http_response_reader r;
        struct got g = {0};
        const char *parts[] = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab",
                               "c\r\n0\r\n\r\n"};

        (void) state;
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        for (size_t i = 0; i < 2; i++)
                assert_int_equal(write(sv[1], parts[i], strlen(parts[i])),
                                 (ssize_t) strlen(parts[i]));
        http_response_reader_init(&r, false, on_head, on_body, &g);
        assert_int_equal(http_response_read(sv[0], &r), 0);
        assert_string_equal(g.body, "abc");
        /* The server hangs up before the body ends. */
        memset(&g, 0, sizeof(g));
        const char *cut = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab";
        assert_int_equal(write(sv[1], cut, strlen(cut)), (ssize_t) strlen(cut));
        close(sv[1]);
        http_response_reader_init(&r, false, on_head, on_body, &g);
        assert_int_equal(http_response_read(sv[0], &r), -ECONNRESET);
        close(sv[0]);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_content_length), cmocka_unit_test(test_chunked),
                cmocka_unit_test(test_no_body),        cmocka_unit_test(test_interim_and_eof),
                cmocka_unit_test(test_malformed),      cmocka_unit_test(test_read_fd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
