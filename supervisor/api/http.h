/* supervisor/api/http.h: the HTTP server (libmicrohttpd) on berthd's listening socket. */
#pragma once

#include "lib/error.h"
#include "supervisor/api/api.h"

struct api_http;

/* Serve the Docker Engine API on LISTEN_FD (a listening UNIX socket; taken: closed by
 * api_http_stop()) from libmicrohttpd's own threads. CTX is borrowed and must outlive the
 * server. */
int api_http_start(const struct api_ctx *ctx, int listen_fd, struct api_http **ret,
                   berth_error_t **err);
/* Stop accepting, finish or drop open connections, close the socket. NULL is fine. */
void api_http_stop(struct api_http *h);
