/* supervisor/ctl/http_response.c: see http_response.h. */
#include <config.h>

#include "supervisor/ctl/http_response.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void
http_response_reader_init(struct http_response_reader *r, bool no_body,
                          void (*on_head)(long status, void *ud),
                          void (*on_body)(const char *p, size_t n, void *ud), void *ud)
{
        memset(r, 0, sizeof(*r));
        r->no_body = no_body;
        r->on_head = on_head;
        r->on_body = on_body;
        r->ud = ud;
        r->state = HTTP_RESPONSE_STATUS;
}

static int
parse_status(struct http_response_reader *r, const char *line)
{
        char *end = NULL;
        long code;

        if (strncmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' || line[8] != ' ')
                return -EPROTO;
        code = strtol(line + 9, &end, 10);
        if (end != line + 12 || code < 100 || code > 599 || (*end != ' ' && *end != '\0'))
                return -EPROTO;
        r->status = code;
        r->chunked = r->have_length = false;
        r->remaining = 0;
        r->state = HTTP_RESPONSE_HEADERS;
        return 0;
}

static int
parse_header(struct http_response_reader *r, char *line)
{
        char *colon = strchr(line, ':'), *v;

        if (colon == NULL)
                return -EPROTO;
        *colon = '\0';
        for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
                ;
        for (size_t n = strlen(v); n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
                v[n - 1] = '\0';
        if (strcasecmp(line, "Transfer-Encoding") == 0) {
                if (strcasecmp(v, "chunked") != 0)
                        return -EPROTO;
                r->chunked = true;
        } else if (strcasecmp(line, "Content-Length") == 0) {
                char *end = NULL;
                unsigned long long n;
                if (*v < '0' || *v > '9')
                        return -EPROTO;
                errno = 0;
                n = strtoull(v, &end, 10);
                if (errno || *end != '\0' || (r->have_length && r->remaining != n))
                        return -EPROTO;
                r->have_length = true;
                r->remaining = n;
        }
        return 0;
}

/* The blank line after the headers: where the body's end will be. */
static void
headers_done(struct http_response_reader *r)
{
        if (r->status < 200) {
                r->state = HTTP_RESPONSE_STATUS; /* an interim answer: the real one follows */
                return;
        }
        if (r->on_head)
                r->on_head(r->status, r->ud);
        if (r->no_body || r->status == 204 || r->status == 304)
                r->state = HTTP_RESPONSE_DONE;
        else if (r->chunked)
                r->state = HTTP_RESPONSE_CHUNK_SIZE;
        else if (r->have_length)
                r->state = r->remaining ? HTTP_RESPONSE_LENGTH : HTTP_RESPONSE_DONE;
        else
                r->state = HTTP_RESPONSE_UNTIL_EOF;
}

static int
parse_chunk_size(struct http_response_reader *r, const char *line)
{
        char *end = NULL;
        unsigned long long n;

        if (!((*line >= '0' && *line <= '9') || (*line >= 'a' && *line <= 'f')
              || (*line >= 'A' && *line <= 'F')))
                return -EPROTO;
        errno = 0;
        n = strtoull(line, &end, 16);
        if (errno || (*end != '\0' && *end != ';' && *end != ' ' && *end != '\t'))
                return -EPROTO;
        r->remaining = n;
        r->state = n ? HTTP_RESPONSE_CHUNK_DATA : HTTP_RESPONSE_TRAILER;
        return 0;
}

/* A whole line (without its CRLF) in the current state. */
static int
on_line(struct http_response_reader *r, char *line)
{
        switch (r->state) {
        case HTTP_RESPONSE_STATUS:
                return parse_status(r, line);
        case HTTP_RESPONSE_HEADERS:
                if (*line == '\0') {
                        headers_done(r);
                        return 0;
                }
                return parse_header(r, line);
        case HTTP_RESPONSE_CHUNK_SIZE:
                return parse_chunk_size(r, line);
        case HTTP_RESPONSE_CHUNK_END:
                if (*line != '\0')
                        return -EPROTO;
                r->state = HTTP_RESPONSE_CHUNK_SIZE;
                return 0;
        case HTTP_RESPONSE_TRAILER:
                if (*line == '\0')
                        r->state = HTTP_RESPONSE_DONE;
                return 0;
        default:
                return -EPROTO;
        }
}

static bool
in_body(enum http_response_state s)
{
        return s == HTTP_RESPONSE_LENGTH || s == HTTP_RESPONSE_CHUNK_DATA
               || s == HTTP_RESPONSE_UNTIL_EOF;
}

int
http_response_feed(struct http_response_reader *r, const char *p, size_t n)
{
        while (n > 0) {
                if (r->state == HTTP_RESPONSE_DONE)
                        return 0; /* what follows a complete answer is not ours */
                if (in_body(r->state)) {
                        size_t k = n;
                        if (r->state != HTTP_RESPONSE_UNTIL_EOF && k > r->remaining)
                                k = (size_t) r->remaining;
                        if (r->on_body && k > 0)
                                r->on_body(p, k, r->ud);
                        p += k;
                        n -= k;
                        if (r->state == HTTP_RESPONSE_UNTIL_EOF)
                                continue;
                        r->remaining -= k;
                        if (r->remaining == 0)
                                r->state = r->state == HTTP_RESPONSE_LENGTH ? HTTP_RESPONSE_DONE
                                                                             : HTTP_RESPONSE_CHUNK_END;
                        continue;
                }
                /* A line: up to LF, a CR before it dropped. */
                {
                        const char *lf = memchr(p, '\n', n);
                        size_t k = lf ? (size_t) (lf - p) : n;
                        int rc;
                        if (r->line_len + k >= sizeof(r->line))
                                return -EPROTO;
                        memcpy(r->line + r->line_len, p, k);
                        r->line_len += k;
                        p += k;
                        n -= k;
                        if (lf == NULL)
                                return 0;
                        p++;
                        n--;
                        if (r->line_len > 0 && r->line[r->line_len - 1] == '\r')
                                r->line_len--;
                        r->line[r->line_len] = '\0';
                        r->line_len = 0;
                        rc = on_line(r, r->line);
                        if (rc < 0)
                                return rc;
                }
        }
        return 0;
}

int
http_response_eof(struct http_response_reader *r)
{
        if (r->state == HTTP_RESPONSE_DONE)
                return 0;
        if (r->state == HTTP_RESPONSE_UNTIL_EOF) {
                r->state = HTTP_RESPONSE_DONE;
                return 0;
        }
        return -ECONNRESET;
}

int
http_response_read(int fd, struct http_response_reader *r)
{
        char buf[65536];

        while (r->state != HTTP_RESPONSE_DONE) {
                ssize_t k = read(fd, buf, sizeof(buf));
                int rc;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return errno == ECONNRESET ? -ECONNRESET : -errno;
                if (k == 0)
                        return http_response_eof(r);
                rc = http_response_feed(r, buf, (size_t) k);
                if (rc < 0)
                        return rc;
        }
        return 0;
}
