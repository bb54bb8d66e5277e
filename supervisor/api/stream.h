/* supervisor/api/stream.h: streamed response bodies (pull progress, /events, logs -f, stats):
 * the handler hands a producer to the response; the HTTP glue runs it on a thread of its own
 * that writes into a pipe, and sends what arrives as it arrives (chunked), so the client sees
 * each JSON line at once. No HTTP library inside. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct api_response;
struct json_object;

/* The producer's end: write-only, owned by the HTTP glue. */
struct api_stream {
        int fd; /* the pipe's write end (a hijacked connection's socket: hijack.h) */
        /* Hijacked connections only (hijack.h): the client's side, -1 when it did not upgrade,
         * and the bytes the server had read past the request already. */
        int in_fd;
        const char *pending;
        size_t n_pending;
};

/* Runs on its own thread once the response headers are on their way; ARG is its own (freed by
 * the FREE_ARG given with it, after FN returns). Returning ends the body. */
typedef void (*api_stream_fn)(struct api_stream *s, void *arg);

/* Make RESP a streamed STATUS response of CONTENT_TYPE produced by FN(ARG). FREE_ARG (may be
 * NULL) frees ARG, also when the stream never starts (api_response_done). */
void api_response_stream(struct api_response *resp, unsigned status, const char *content_type,
                         api_stream_fn fn, void *arg, void (*free_arg)(void *));

/* Write all of BUF; -EPIPE once the client has gone (the producer should stop then). */
int api_stream_write(struct api_stream *s, const void *buf, size_t len);
/* OBJ's JSON text plus "\n" (one docker progress/event line). Does not take OBJ. */
int api_stream_write_json(struct api_stream *s, struct json_object *obj);
/* Whether the client has gone, waiting at most TIMEOUT_MS for that to happen (0: just look).
 * A producer that waits for something to send (events) calls this in its loop. */
bool api_stream_closed(struct api_stream *s, int timeout_ms);
/* The same, also returning (false) as soon as FD is readable (an inotify descriptor, say). */
bool api_stream_closed_or_ready(struct api_stream *s, int fd, int timeout_ms);
