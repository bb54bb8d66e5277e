/* supervisor/api/http.c: libmicrohttpd glue: collect a request, hand it to the router, send back
 * what the router filled in. Nothing Docker-specific lives here. */
#include <config.h>

#include "supervisor/api/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"
#include "lib/xalloc.h"
#include "supervisor/api/router.h"

/* Docker API bodies are JSON documents (container create is the largest, some KiB); image
 * uploads will stream and not pass through here. */
#define MAX_BODY (4u << 20)

struct api_http {
        struct MHD_Daemon *mhd;
        const struct api_ctx *ctx;
};

struct request_state {
        char *body;
        size_t len;
        bool too_large;
};

static enum MHD_Result
send_response(struct MHD_Connection *conn, const struct api_response *r)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;

        resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_COPY);
        if (resp == NULL)
                return MHD_NO;
        if (r->content_type)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
        for (size_t i = 0; i < r->n_headers; i++)
                MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
        ret = MHD_queue_response(conn, r->status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
        struct api_http *h = cls;
        struct request_state *st = *con_cls;
        struct api_response resp;
        enum MHD_Result ret;

        (void) version;
        if (st == NULL) {
                /* First call: headers only. The body, if any, follows in later calls. */
                *con_cls = xzalloc(sizeof(struct request_state));
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                if (!st->too_large && st->len + *upload_data_size <= MAX_BODY) {
                        st->body = xrealloc(st->body, st->len + *upload_data_size + 1);
                        memcpy(st->body + st->len, upload_data, *upload_data_size);
                        st->len += *upload_data_size;
                        st->body[st->len] = '\0';
                } else {
                        st->too_large = true;
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (st->too_large) {
                memset(&resp, 0, sizeof(resp));
                api_response_error(&resp, 413, "request body larger than %u bytes", MAX_BODY);
        } else {
                api_route(h->ctx, method, url, st->body, st->len, &resp);
        }
        log_debug("api: %s %s -> %u", method, url, resp.status);
        ret = send_response(conn, &resp);
        api_response_done(&resp);
        return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
        struct request_state *st = *con_cls;

        (void) cls;
        (void) conn;
        (void) toe;
        if (st) {
                free(st->body);
                free(st);
        }
        *con_cls = NULL;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
        cleanup_free char *msg = xvasprintf(fmt, ap);
        size_t n = strlen(msg);

        (void) cls;
        while (n > 0 && msg[n - 1] == '\n')
                msg[--n] = '\0';
        log_debug("api: libmicrohttpd: %s", msg);
}

int
api_http_start(const struct api_ctx *ctx, int listen_fd, struct api_http **ret, berth_error_t **err)
{
        struct api_http *h = xzalloc(sizeof(*h));

        h->ctx = ctx;
        /* A thread per connection: the docker CLI holds few connections, and attach/exec will
         * block on hijacked ones. MHD_USE_ITC lets MHD_stop_daemon() wake the listener. */
        h->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD
                                          | MHD_USE_ITC | MHD_USE_ERROR_LOG,
                                  0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET,
                                  (MHD_socket) listen_fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                  NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 0, MHD_OPTION_END);
        if (h->mhd == NULL) {
                free(h);
                return berth_error_new(err, EIO, "api: cannot start the HTTP server on fd %d",
                                       listen_fd);
        }
        *ret = h;
        return 0;
}

void
api_http_stop(struct api_http *h)
{
        if (h == NULL)
                return;
        MHD_stop_daemon(h->mhd);
        free(h);
}
