/* supervisor/ctl/http_response.h: an HTTP/1.1 response read as it arrives (berthctl's client).
 *
 * Pure: bytes go in through http_response_feed, the status and body pieces come out through
 * the callbacks. Interim (1xx) responses are skipped; the body is framed by Content-Length,
 * chunked transfer coding or the end of the connection, as RFC 9112 §6.3 orders them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_response_state {
        HTTP_RESPONSE_STATUS,
        HTTP_RESPONSE_HEADERS,
        HTTP_RESPONSE_LENGTH,
        HTTP_RESPONSE_CHUNK_SIZE,
        HTTP_RESPONSE_CHUNK_DATA,
        HTTP_RESPONSE_CHUNK_END,
        HTTP_RESPONSE_TRAILER,
        HTTP_RESPONSE_UNTIL_EOF,
        HTTP_RESPONSE_DONE,
};

struct http_response_reader {
        bool no_body; /* the answer to a HEAD request */
        void (*on_head)(long status, void *ud); /* the final response's headers are in */
        void (*on_body)(const char *p, size_t n, void *ud);
        void *ud;

        enum http_response_state state;
        long status;
        bool chunked, have_length;
        uint64_t remaining;
        char line[8192];
        size_t line_len;
};

void http_response_reader_init(struct http_response_reader *r, bool no_body,
                               void (*on_head)(long status, void *ud),
                               void (*on_body)(const char *p, size_t n, void *ud), void *ud);
/* N more bytes: 0, or -EPROTO for what is not an HTTP/1.x response. */
int http_response_feed(struct http_response_reader *r, const char *p, size_t n);
/* The connection ended: 0 when the response was complete, else -ECONNRESET. */
int http_response_eof(struct http_response_reader *r);
/* Read FD until the response is complete: 0, -EPROTO, -ECONNRESET or -errno. */
int http_response_read(int fd, struct http_response_reader *r);
