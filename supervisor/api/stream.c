/* supervisor/api/stream.c: the producer's side of a streamed response (see stream.h). */
#include <config.h>

#include "supervisor/api/stream.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "supervisor/api/api.h"

void
api_response_stream(struct api_response *resp, unsigned status, const char *content_type,
                    api_stream_fn fn, void *arg, void (*free_arg)(void *))
{
        resp->status = status;
        resp->content_type = content_type;
        resp->stream_fn = fn;
        resp->stream_arg = arg;
        resp->stream_free = free_arg;
}

int
api_stream_write(struct api_stream *s, const void *buf, size_t len)
{
        int r = fs_write_all(s->fd, buf, len);
        return r < 0 ? r : 0;
}

int
api_stream_write_json(struct api_stream *s, struct json_object *obj)
{
        size_t len;
        const char *text = json_object_to_json_string_length(
                obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
        /* One write: the HTTP glue may cut a chunk between two, and docker-py's JSON stream
         * reader fails on a trailing chunk that is only the newline. */
        char *line = xmalloc(len + 1);
        int r;

        memcpy(line, text, len);
        line[len] = '\n';
        r = api_stream_write(s, line, len + 1);
        free(line);
        return r;
}

bool
api_stream_closed(struct api_stream *s, int timeout_ms)
{
        /* The write end of a pipe polls POLLERR once its read end is closed: the HTTP glue
         * closes it when the client goes. */
        struct pollfd p = {.fd = s->fd, .events = 0};
        int n;

        do
                n = poll(&p, 1, timeout_ms);
        while (n < 0 && errno == EINTR);
        return n > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

bool
api_stream_closed_or_ready(struct api_stream *s, int fd, int timeout_ms)
{
        struct pollfd p[2] = {{.fd = s->fd, .events = 0}, {.fd = fd, .events = POLLIN}};
        int n;

        do
                n = poll(p, 2, timeout_ms);
        while (n < 0 && errno == EINTR);
        return n > 0 && (p[0].revents & (POLLERR | POLLHUP | POLLNVAL));
}
