/* supervisor/api/hijack.h: hijacked connections (attach, exec start): the handler hands over a
 * session function; when the client asked for `Connection: Upgrade` + `Upgrade: tcp` (the docker
 * CLI always does) the HTTP glue answers 101 with `Connection: Upgrade`, `Upgrade: tcp` and runs
 * the session on a thread of its own with the raw socket both ways. A client that did not ask
 * gets a 200 streamed body (output only, stdin reads as EOF at once), as dockerd would still
 * send the raw stream to it. No HTTP library inside. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "supervisor/api/stdcopy.h"
#include "supervisor/api/stream.h"

struct api_response;

/* docker's content types of a hijacked stream (API 1.41 sends raw-stream in both cases; 1.42+
 * says multiplexed-stream when the framing is on). */
#define API_RAW_STREAM "application/vnd.docker.raw-stream"
#define API_MULTIPLEXED_STREAM "application/vnd.docker.multiplexed-stream"

/* Runs on a thread of its own once the response headers are sent. S->fd is where the client's
 * bytes go (the socket); read the client's with api_hijack_read. Returning closes the
 * connection. */
typedef api_stream_fn api_hijack_fn;

/* Make RESP a hijacked response of CONTENT_TYPE run by FN(ARG); FREE_ARG (may be NULL) frees ARG
 * after FN, or when the session never starts. */
void api_response_hijack(struct api_response *resp, const char *content_type, api_hijack_fn fn,
                         void *arg, void (*free_arg)(void *));

enum api_hijack_mode {
        API_HIJACK_PLAIN,   /* 200 and a streamed body */
        API_HIJACK_UPGRADE, /* 101 and the raw socket */
};
/* Pure: what the request's CONNECTION and UPGRADE headers (NULL when absent) ask for: an
 * "upgrade" token in Connection (case-insensitive, comma-separated) and Upgrade "tcp". */
enum api_hijack_mode api_hijack_mode_build(const char *connection, const char *upgrade);

/* Read the client's bytes: those the HTTP server had read already first, then the socket.
 * 0 when the client closed its write side (its stdin ended) or did not upgrade; -errno. */
ssize_t api_hijack_read(struct api_stream *s, void *buf, size_t len);
/* Wait (at most MAX_MS) until the client has read everything sent so far (the 101 headers, say):
 * docker-py reads the headers through a buffered reader and then the raw socket, so bytes that
 * arrive with the headers would be lost. Unread bytes are the socket's SIOCOUTQ; anything that is
 * not a socket returns at once. */
void api_hijack_wait_read(struct api_stream *s, int max_ms);
/* Write raw bytes (with a tty) or one docker frame on STREAM (without); -EPIPE once the client
 * has gone. */
int api_hijack_write(struct api_stream *s, const void *buf, size_t len);
int api_hijack_write_frame(struct api_stream *s, enum stdcopy_stream stream, const void *buf,
                           size_t len);
