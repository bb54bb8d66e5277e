/* supervisor/api/http.c: libmicrohttpd glue: collect a request, hand it to the router, send back
 * what the router filled in. Nothing Docker-specific lives here. */
#include <config.h>

#include "supervisor/api/http.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/api/hijack.h"
#include "supervisor/api/idle.h"
#include "supervisor/api/router.h"
#include "supervisor/api/stream.h"

/* Docker API bodies are JSON documents (container create is the largest, some KiB); image
 * uploads will stream and not pass through here. */
#define MAX_BODY (4u << 20)

struct api_http {
        struct MHD_Daemon *mhd;
        const struct api_ctx *ctx;
        /* Streamed bodies' producer threads still running: api_http_stop waits for them, since
         * they use the daemon's subsystems. */
        pthread_mutex_t lock;
        pthread_cond_t idle;
        unsigned producers;
        struct api_idle trim; /* memory given back when no request is in flight */
        /* Hijacked connections still open (hijack.h): api_http_stop shuts their sockets and
         * waits for them before it stops MHD, which must not see them open. */
        struct hijack_session *hijacks;
        unsigned n_hijacks;
        bool closing;
};

/* One hijacked connection: the handler's session function and, once upgraded, the socket. */
struct hijack_session {
        struct api_http *h;
        void (*fn)(struct api_stream *s, void *arg);
        void *arg;
        void (*free_arg)(void *arg);
        struct api_stream s;
        char *pending; /* a copy of MHD's extra_in */
        struct MHD_UpgradeResponseHandle *urh;
        struct hijack_session *next;
};

struct request_state {
        char *body;
        size_t len;
        bool too_large;
        int upload_fd; /* POST /images/load: the body goes to an unnamed file, not memory */
        int upload_errno;
        char **query;
        char *registry_auth; /* X-Registry-Auth */
        enum api_hijack_mode hijack_mode;
        struct hijack_session *hijack; /* queued, not yet upgraded: freed with the request */
        struct timespec started; /* the headers arrived (the debug log's duration) */
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
        char ***q = cls;

        (void) kind;
        strv_push(q, key);
        strv_push(q, value ? value : "");
        return MHD_YES;
}

static bool
is_upload(const char *method, const char *url)
{
        size_t n = strlen(url), sl = strlen("/images/load"), al = strlen("/archive");
        /* docker cp into a container (PUT /containers/{id}/archive) uploads a tar too. */
        if (strcmp(method, "PUT") == 0 && n >= al && strcmp(url + n - al, "/archive") == 0)
                return true;
        return strcmp(method, "POST") == 0 && n >= sl && strcmp(url + n - sl, "/images/load") == 0;
}

/* docker import (POST /images/create?fromSrc=-) uploads a rootfs tar: streamed as a load's. */
static bool
is_import(const char *method, const char *url, char *const *query)
{
        size_t n = strlen(url), sl = strlen("/images/create");

        if (strcmp(method, "POST") != 0 || n < sl || strcmp(url + n - sl, "/images/create") != 0)
                return false;
        for (size_t i = 0; query && query[i] && query[i + 1]; i += 2)
                if (strcmp(query[i], "fromSrc") == 0)
                        return strcmp(query[i + 1], "-") == 0;
        return false;
}

/* An O_TMPFILE in the content store's ingest directory: on the store's filesystem, and gone
 * by itself when berthd dies mid-upload. */
static int
open_upload(const struct api_ctx *ctx)
{
        cleanup_free char *dir = xasprintf("%s/content/ingest", ctx->data_root);
        int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        return fd < 0 ? -errno : fd;
}

/* A streamed body: the producer thread writes into a pipe; MHD's connection thread reads it. */
struct stream_producer {
        struct api_http *h;
        struct api_stream s;
        void (*fn)(struct api_stream *s, void *arg);
        void *arg;
        void (*free_arg)(void *arg);
};

struct stream_reader {
        int fd;     /* the pipe's read end */
        int sockfd; /* the client's connection, watched for hang-up */
};

static void *
stream_produce(void *p)
{
        struct stream_producer *sp = p;

        struct api_http *h = sp->h;

        sp->fn(&sp->s, sp->arg);
        close(sp->s.fd); /* the body's end */
        if (sp->free_arg)
                sp->free_arg(sp->arg);
        free(sp);
        pthread_mutex_lock(&h->lock);
        if (--h->producers == 0)
                pthread_cond_broadcast(&h->idle);
        pthread_mutex_unlock(&h->lock);
        return NULL;
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
        struct stream_reader *sr = cls;
        struct pollfd p[2] = {{.fd = sr->fd, .events = POLLIN},
                              {.fd = sr->sockfd, .events = POLLRDHUP}};
        ssize_t n;

        (void) pos;
        for (;;) {
                /* Wait for the producer, but give up when the client hangs up meanwhile (an idle
                 * /events stream must not outlive its client). */
                int k = poll(p, sr->sockfd >= 0 ? 2 : 1, -1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return MHD_CONTENT_READER_END_WITH_ERROR;
                if (p[0].revents)
                        break;
                if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
                        return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        do
                n = read(sr->fd, buf, max);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return MHD_CONTENT_READER_END_WITH_ERROR;
        return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void
stream_reader_free(void *cls)
{
        struct stream_reader *sr = cls;

        close(sr->fd); /* the producer's next write gets EPIPE, its poll POLLERR */
        free(sr);
}

/* Start R's producer and make the MHD response that relays it; NULL on failure (R's argument
 * is then still R's). */
static struct MHD_Response *
stream_start(struct api_http *h, struct MHD_Connection *conn, const struct api_response *r)
{
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct stream_producer *sp;
        struct stream_reader *sr;
        struct MHD_Response *resp;
        pthread_attr_t attr;
        pthread_t t;
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) < 0)
                return NULL;
        sr = xzalloc(sizeof(*sr));
        sr->fd = fds[0];
        sr->sockfd = ci ? ci->connect_fd : -1;
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, sr,
                                                 stream_reader_free);
        if (resp == NULL) {
                close(fds[0]);
                close(fds[1]);
                free(sr);
                return NULL;
        }
        sp = xzalloc(sizeof(*sp));
        sp->h = h;
        sp->s.fd = fds[1];
        sp->s.in_fd = -1; /* a hijack without upgrade: no stdin */
        sp->fn = r->stream_fn;
        sp->arg = r->stream_arg;
        sp->free_arg = r->stream_free;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_mutex_lock(&h->lock);
        h->producers++;
        pthread_mutex_unlock(&h->lock);
        if (pthread_create(&t, &attr, stream_produce, sp) != 0) {
                pthread_attr_destroy(&attr);
                pthread_mutex_lock(&h->lock);
                h->producers--;
                pthread_mutex_unlock(&h->lock);
                close(fds[1]);
                free(sp);
                MHD_destroy_response(resp); /* closes fds[0] */
                return NULL;
        }
        pthread_attr_destroy(&attr);
        return resp;
}

static void
hijack_session_free(struct hijack_session *hs)
{
        if (hs == NULL)
                return;
        if (hs->free_arg && hs->arg)
                hs->free_arg(hs->arg);
        free(hs->pending);
        free(hs);
}

static void *
hijack_run(void *p)
{
        struct hijack_session *hs = p;
        struct api_http *h = hs->h;
        int sock = hs->s.fd;

        hs->fn(&hs->s, hs->arg);
        pthread_mutex_lock(&h->lock);
        for (struct hijack_session **pp = &h->hijacks; *pp; pp = &(*pp)->next)
                if (*pp == hs) {
                        *pp = hs->next;
                        break;
                }
        pthread_mutex_unlock(&h->lock);
        /* The client reads until EOF: say the stream is over before MHD closes the socket. */
        shutdown(sock, SHUT_RDWR);
        MHD_upgrade_action(hs->urh, MHD_UPGRADE_ACTION_CLOSE);
        hijack_session_free(hs);
        pthread_mutex_lock(&h->lock);
        if (--h->n_hijacks == 0)
                pthread_cond_broadcast(&h->idle);
        pthread_mutex_unlock(&h->lock);
        return NULL;
}

/* MHD's upgrade handler, on the connection's thread once the 101 is sent: hand the socket to a
 * session thread of its own, so that MHD's thread is free for the upgrade bookkeeping. */
static void
on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
           size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
        struct hijack_session *hs = cls;
        struct request_state *st = con_cls;
        struct api_http *h = hs->h;
        pthread_attr_t attr;
        pthread_t t;
        int fl;

        (void) conn;
        if (st && st->hijack == hs)
                st->hijack = NULL; /* the session's now */
        hs->urh = urh;
        /* MHD made the socket non-blocking for its own loop; the session blocks on it. */
        fl = fcntl(sock, F_GETFL);
        if (fl >= 0)
                fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
        hs->s.fd = sock;
        hs->s.in_fd = sock;
        if (extra_in_size > 0) {
                hs->pending = xmalloc(extra_in_size);
                memcpy(hs->pending, extra_in, extra_in_size);
                hs->s.pending = hs->pending;
                hs->s.n_pending = extra_in_size;
        }
        pthread_mutex_lock(&h->lock);
        if (h->closing) {
                pthread_mutex_unlock(&h->lock);
                MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
                hijack_session_free(hs);
                return;
        }
        hs->next = h->hijacks;
        h->hijacks = hs;
        h->n_hijacks++;
        pthread_mutex_unlock(&h->lock);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, hijack_run, hs) != 0) {
                log_warn("api: cannot start a thread for a hijacked connection");
                pthread_mutex_lock(&h->lock);
                h->hijacks = hs->next;
                h->n_hijacks--;
                pthread_mutex_unlock(&h->lock);
                MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
                hijack_session_free(hs);
        }
        pthread_attr_destroy(&attr);
}

/* The 101 answer of a hijack; the session waits in ST until MHD calls on_upgrade. */
static struct MHD_Response *
hijack_start(struct api_http *h, struct request_state *st, struct api_response *r)
{
        struct hijack_session *hs = xzalloc(sizeof(*hs));
        struct MHD_Response *resp;

        hs->h = h;
        hs->fn = r->stream_fn;
        hs->arg = r->stream_arg;
        hs->free_arg = r->stream_free;
        hs->s.fd = hs->s.in_fd = -1;
        resp = MHD_create_response_for_upgrade(on_upgrade, hs);
        if (resp == NULL) {
                free(hs);
                return NULL;
        }
        r->stream_arg = NULL;
        r->stream_free = NULL;
        st->hijack = hs;
        r->status = MHD_HTTP_SWITCHING_PROTOCOLS;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "Upgrade");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
        return resp;
}

static enum MHD_Result
send_response(struct api_http *h, struct MHD_Connection *conn, struct request_state *st,
              struct api_response *r)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;

        if (r->stream_fn && r->hijack && st->hijack_mode == API_HIJACK_UPGRADE) {
                resp = hijack_start(h, st, r);
                if (resp == NULL)
                        return MHD_NO;
        } else if (r->stream_fn) {
                resp = stream_start(h, conn, r);
                if (resp == NULL)
                        return MHD_NO;
                r->stream_arg = NULL; /* the producer's now */
                r->stream_free = NULL;
        } else if (r->body_fd_plus1 > 0) {
                struct stat st;
                int fd = r->body_fd_plus1 - 1;
                /* MHD takes the fd and closes it once sent. */
                if (fstat(fd, &st) < 0) {
                        close(fd);
                        return MHD_NO;
                }
                resp = MHD_create_response_from_fd((uint64_t) st.st_size, fd);
        } else {
                resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_COPY);
        }
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
                api_idle_enter(&h->trim);
                st = xzalloc(sizeof(struct request_state));
                st->upload_fd = -1;
                clock_gettime(CLOCK_MONOTONIC, &st->started);
                MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &st->query);
                {
                        const char *xra = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                                      "X-Registry-Auth");
                        st->registry_auth = xra ? xstrdup(xra) : NULL;
                }
                st->hijack_mode = api_hijack_mode_build(
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Connection"),
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Upgrade"));
                if (is_upload(method, url) || is_import(method, url, st->query)) {
                        st->upload_fd = open_upload(h->ctx);
                        if (st->upload_fd < 0)
                                st->upload_errno = -st->upload_fd;
                }
                *con_cls = st;
                return MHD_YES;
        }
        if (*upload_data_size > 0 && (st->upload_fd >= 0 || st->upload_errno)) {
                if (st->upload_fd >= 0 && st->upload_errno == 0) {
                        int r = fs_write_all(st->upload_fd, upload_data, *upload_data_size);
                        if (r < 0)
                                st->upload_errno = -r;
                }
                *upload_data_size = 0;
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
        } else if (st->upload_errno) {
                memset(&resp, 0, sizeof(resp));
                /* Name where the bytes were going: ENOSPC here means the data-root is full. */
                api_response_error(&resp, 500,
                                   "write the uploaded archive to \"%s/content/ingest\": %s",
                                   h->ctx->data_root, strerror(st->upload_errno));
        } else {
                struct api_request in = {.body = st->body,
                                         .body_len = st->len,
                                         .body_fd = st->upload_fd,
                                         .query = st->query,
                                         .registry_auth = st->registry_auth};
                if (st->upload_fd >= 0)
                        lseek(st->upload_fd, 0, SEEK_SET);
                api_route_request(h->ctx, method, url, &in, &resp);
        }
        {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                log_debug("api: %s %s -> %u (%.1f ms)", method, url, resp.status,
                          (double) (now.tv_sec - st->started.tv_sec) * 1e3
                                  + (double) (now.tv_nsec - st->started.tv_nsec) / 1e6);
        }
        ret = send_response(h, conn, st, &resp);
        resp.body_fd_plus1 = 0; /* handed to MHD */
        api_response_done(&resp);
        return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
        struct api_http *h = cls;
        struct request_state *st = *con_cls;

        (void) conn;
        (void) toe;
        if (st) {
                api_idle_leave(&h->trim);
                if (st->upload_fd >= 0)
                        close(st->upload_fd);
                strv_free(st->query);
                free(st->registry_auth);
                free(st->body);
                hijack_session_free(st->hijack);
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
        pthread_mutex_init(&h->lock, NULL);
        pthread_cond_init(&h->idle, NULL);
        api_idle_start(&h->trim);
        /* A thread per connection: the docker CLI holds few connections, and attach/exec will
         * block on hijacked ones. MHD_USE_ITC lets MHD_stop_daemon() wake the listener. */
        h->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD
                                          | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE,
                                  0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET,
                                  (MHD_socket) listen_fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                  h, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 0, MHD_OPTION_END);
        if (h->mhd == NULL) {
                api_idle_stop(&h->trim);
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
        /* Hijacked sessions first: shut their sockets so that they end, and wait (MHD must not
         * be stopped under an upgraded connection that is still open). */
        pthread_mutex_lock(&h->lock);
        h->closing = true;
        for (struct hijack_session *hs = h->hijacks; hs; hs = hs->next)
                shutdown(hs->s.fd, SHUT_RDWR);
        while (h->n_hijacks > 0) {
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += 10;
                if (pthread_cond_timedwait(&h->idle, &h->lock, &until) == ETIMEDOUT)
                        break;
        }
        if (h->n_hijacks > 0) {
                log_warn("api: %u hijacked connections still open at shutdown", h->n_hijacks);
                pthread_mutex_unlock(&h->lock);
                return;
        }
        pthread_mutex_unlock(&h->lock);
        MHD_stop_daemon(h->mhd);
        api_idle_stop(&h->trim);
        /* The connections are closed, so every producer sees EPIPE (or POLLERR) at its next
         * write or wait; give the slow ones (a pull between two layers) some seconds. */
        pthread_mutex_lock(&h->lock);
        while (h->producers > 0) {
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += 10;
                if (pthread_cond_timedwait(&h->idle, &h->lock, &until) == ETIMEDOUT)
                        break;
        }
        if (h->producers > 0) {
                /* Still running: leave H to them (the process is about to exit). */
                log_warn("api: %u streamed responses still running at shutdown", h->producers);
                pthread_mutex_unlock(&h->lock);
                return;
        }
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_destroy(&h->lock);
        pthread_cond_destroy(&h->idle);
        free(h);
}
