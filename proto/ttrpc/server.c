/* proto/ttrpc/server.c: listeners, connections (buffers, peer check, dispatch) and calls. */
#include <config.h>

#include "proto/ttrpc/server.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "lib/sock.h"
#include "lib/xalloc.h"
#include "proto/ttrpc/frame.h"
#include "proto/ttrpc/status.h"

/* Stop reading requests from a peer that does not read its answers once this much is queued. */
#define CONN_OUTPUT_HIGH (8u << 20)
/* Reads per wake-up, so that one busy peer cannot starve the rest of the loop. */
#define CONN_READS_PER_EVENT 64

struct handler {
        char *service;
        char *method;
        ttrpc_handler_fn fn;
        void *userdata;
};

struct conn;

struct ttrpc_call {
        struct conn *conn; /* NULL once the peer has gone */
        uint32_t stream_id;
        struct ttrpc_request req;
        int64_t deadline;
        ttrpc_cancel_fn cancel;
        void *cancel_data;
        struct ttrpc_call *prev, *next; /* in conn->calls */
};

struct conn {
        struct ttrpc_server *server;
        int fd;
        uint32_t events; /* what the loop watches for */
        bool in_event;   /* conn_event() is on the stack: the conn must not go away */
        bool broken;     /* a write failed: close at the next event */
        struct ttrpc_frame_reader reader;
        struct ttrpc_outq out;
        struct ttrpc_call *calls; /* pending: handed to a handler, not answered yet */
        struct conn *prev, *next;
};

struct ttrpc_server {
        struct loop *loop;
        uid_t peer_uid;
        gid_t peer_gid;
        struct handler *handlers;
        size_t n_handlers;
        int *listeners;
        size_t n_listeners;
        struct conn *conns;
        size_t n_conns;
};

static int64_t
monotonic_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
ttrpc_server_new(struct loop *loop, struct ttrpc_server **ret, berth_error_t **err)
{
        struct ttrpc_server *s = xzalloc(sizeof(*s));

        (void) err;
        s->loop = loop;
        s->peer_uid = geteuid();
        s->peer_gid = getegid();
        *ret = s;
        return 0;
}

void
ttrpc_server_set_peer_ids(struct ttrpc_server *s, uid_t uid, gid_t gid)
{
        s->peer_uid = uid;
        s->peer_gid = gid;
}

int
ttrpc_server_register(struct ttrpc_server *s, const char *service, const char *method,
                      ttrpc_handler_fn fn, void *userdata, berth_error_t **err)
{
        struct handler *h;

        for (size_t i = 0; i < s->n_handlers; i++) {
                if (strcmp(s->handlers[i].service, service) == 0
                    && strcmp(s->handlers[i].method, method) == 0)
                        return berth_error_new(err, EEXIST,
                                               "ttrpc: method \"%s/%s\" registered twice", service,
                                               method);
        }
        s->handlers = xreallocarray(s->handlers, s->n_handlers + 1, sizeof(*s->handlers));
        h = &s->handlers[s->n_handlers++];
        h->service = xstrdup(service);
        h->method = xstrdup(method);
        h->fn = fn;
        h->userdata = userdata;
        return 0;
}

/* ---- connections ---- */

static void
conn_update_events(struct conn *c)
{
        uint32_t want = 0;
        cleanup_error berth_error_t *e = NULL;

        if (c->out.len < CONN_OUTPUT_HIGH && !c->broken)
                want |= EPOLLIN;
        if (c->out.len > 0 || c->broken)
                want |= EPOLLOUT; /* a broken socket is writable (with EPOLLERR): that wakes us */
        if (want == c->events)
                return;
        /* Cannot fail for an fd the loop holds; if it did, the next event still comes (the
         * error is released: nothing better to do with it here). */
        if (loop_set_events(c->server->loop, c->fd, want, &e) == 0)
                c->events = want;
        else
                log_debug("ttrpc: %s", e->msg);
}

static void
conn_flush(struct conn *c)
{
        cleanup_error berth_error_t *e = NULL;

        if (c->broken)
                return;
        if (ttrpc_outq_flush(&c->out, c->fd, &e) < 0) {
                log_debug("%s, closing the connection", e->msg);
                c->broken = true;
        }
}

/* Queue RESP on STREAM_ID and try to send it. Never closes the connection itself: a handler may
 * answer calls of several connections in a row, and must not see others cancelled under it. */
static void
conn_send_response(struct conn *c, uint32_t stream_id, const struct ttrpc_response *resp)
{
        struct wire_buf b = {0};

        if (c->broken)
                return;
        ttrpc_response_format(resp, &b);
        if (b.len > TTRPC_FRAME_MAX_DATA) {
                /* Go ttrpc 1.1 clients crash on an over-limit frame; refuse as ttrpc 1.2 does. */
                struct ttrpc_response big = {.has_status = true};
                big.status.code = TTRPC_RESOURCE_EXHAUSTED;
                big.status.message = ttrpc_frame_format_oversize(b.len);
                wire_buf_done(&b);
                ttrpc_response_format(&big, &b);
                ttrpc_status_done(&big.status);
        }
        ttrpc_outq_push_frame(&c->out, stream_id, TTRPC_FRAME_RESPONSE, b.data, b.len);
        wire_buf_done(&b);
        conn_flush(c);
        conn_update_events(c);
}

static void
conn_send_status(struct conn *c, uint32_t stream_id, int32_t code, const char *msg)
{
        struct ttrpc_response resp = {.has_status = true};

        resp.status.code = code;
        resp.status.message = (char *) msg;
        conn_send_response(c, stream_id, &resp);
}

static void
call_unlink(struct ttrpc_call *call)
{
        struct conn *c = call->conn;

        if (!c)
                return;
        if (call->prev)
                call->prev->next = call->next;
        else
                c->calls = call->next;
        if (call->next)
                call->next->prev = call->prev;
        call->prev = call->next = NULL;
        call->conn = NULL;
}

static void
conn_free(struct conn *c)
{
        struct ttrpc_server *s = c->server;

        loop_remove_fd(s->loop, c->fd);
        close(c->fd);
        c->fd = -1;
        /* Detach every pending call first, then tell the handlers: a cancel callback may answer
         * (and so free) any of them. */
        while (c->calls) {
                struct ttrpc_call *call = c->calls;
                call_unlink(call);
                if (call->cancel)
                        call->cancel(call, call->cancel_data);
        }
        ttrpc_frame_reader_done(&c->reader);
        ttrpc_outq_done(&c->out);
        if (c->prev)
                c->prev->next = c->next;
        else
                s->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        s->n_conns--;
        free(c);
}

static const struct handler *
find_handler(const struct ttrpc_server *s, const char *service, const char *method,
             bool *ret_service_known)
{
        *ret_service_known = false;
        for (size_t i = 0; i < s->n_handlers; i++) {
                if (strcmp(s->handlers[i].service, service) != 0)
                        continue;
                *ret_service_known = true;
                if (strcmp(s->handlers[i].method, method) == 0)
                        return &s->handlers[i];
        }
        return NULL;
}

/* One frame from the peer. Checks in Go ttrpc's order (server.go): size, type, decoding, stream
 * id, then the method. */
static void
conn_handle_frame(struct conn *c, struct ttrpc_frame *f)
{
        cleanup_error berth_error_t *e = NULL;
        const struct handler *h;
        struct ttrpc_request req;
        struct ttrpc_call *call;
        bool service_known;

        if (f->oversize) {
                cleanup_free char *msg = ttrpc_frame_format_oversize(f->header.length);
                conn_send_status(c, f->header.stream_id, TTRPC_RESOURCE_EXHAUSTED, msg);
                return;
        }
        if (f->header.type != TTRPC_FRAME_REQUEST)
                return; /* as ttrpc 1.1: other types are ignored, for what later versions add */
        if (ttrpc_request_parse(f->data, f->header.length, &req, &e) < 0) {
                cleanup_free char *msg = xasprintf("unmarshal request error: %s", e->msg);
                conn_send_status(c, f->header.stream_id, TTRPC_INVALID_ARGUMENT, msg);
                return;
        }
        if (f->header.stream_id % 2 != 1) {
                conn_send_status(c, f->header.stream_id, TTRPC_INVALID_ARGUMENT,
                                 "StreamID must be odd for client initiated streams");
                ttrpc_request_done(&req);
                return;
        }
        h = find_handler(c->server, req.service, req.method, &service_known);
        if (!h) {
                /* ttrpc services.go resolve(): "service %v", then "method %v" */
                cleanup_free char *msg = service_known ? xasprintf("method %s", req.method)
                                                       : xasprintf("service %s", req.service);
                conn_send_status(c, f->header.stream_id, TTRPC_UNIMPLEMENTED, msg);
                ttrpc_request_done(&req);
                return;
        }
        call = xzalloc(sizeof(*call));
        call->conn = c;
        call->stream_id = f->header.stream_id;
        call->req = req;
        if (req.timeout_nano != 0) {
                call->deadline = monotonic_ns() + req.timeout_nano;
                if (call->deadline <= 0)
                        call->deadline = 1; /* negative: already expired, but still "a deadline" */
        }
        call->next = c->calls;
        if (c->calls)
                c->calls->prev = call;
        c->calls = call;
        h->fn(call, h->userdata);
}

/* Read what the socket has and dispatch whole frames. False when the peer is gone. */
static bool
conn_read(struct conn *c)
{
        uint8_t buf[65536];

        for (int i = 0; i < CONN_READS_PER_EVENT && !c->broken; i++) {
                ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
                size_t off = 0;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                return true;
                        log_debug("ttrpc: read: %s, closing the connection", strerror(errno));
                        return false;
                }
                if (n == 0) {
                        if (!ttrpc_frame_reader_idle(&c->reader))
                                log_debug("ttrpc: connection closed in the middle of a frame");
                        return false;
                }
                while (off < (size_t) n && !c->broken) {
                        struct ttrpc_frame f = {0};
                        bool ready;
                        off += ttrpc_frame_reader_feed(&c->reader, buf + off, (size_t) n - off, &f,
                                                       &ready);
                        if (ready) {
                                conn_handle_frame(c, &f);
                                ttrpc_frame_done(&f);
                        }
                }
                if (c->out.len >= CONN_OUTPUT_HIGH)
                        break;
        }
        return true;
}

static void
conn_event(int fd, uint32_t events, void *userdata)
{
        struct conn *c = userdata;
        bool alive = true;

        (void) fd;
        if (c->in_event)
                return; /* a handler runs the loop again: this conn resumes afterwards */
        c->in_event = true;
        if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->broken)
                alive = conn_read(c);
        if (alive && c->out.len > 0)
                conn_flush(c);
        c->in_event = false;
        if (!alive || c->broken) {
                conn_free(c);
                return;
        }
        conn_update_events(c);
}

static int
check_peer(const struct ttrpc_server *s, int fd, berth_error_t **err)
{
        struct ucred cred;
        socklen_t len = sizeof(cred);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return berth_error_sys(err, errno, "ttrpc: peer credentials");
        /* Go ttrpc's UnixSocketRequireSameUser() compares the effective ids at connect() time,
         * which is what SO_PEERCRED reports (unixcreds_linux.go). */
        if (cred.uid != s->peer_uid || cred.gid != s->peer_gid)
                return berth_error_new(
                        err, EPERM,
                        "ttrpc: refusing peer pid %d with uid %u gid %u: invalid credentials",
                        (int) cred.pid, (unsigned) cred.uid, (unsigned) cred.gid);
        return 0;
}

int
ttrpc_server_add_connection(struct ttrpc_server *s, int fd, berth_error_t **err)
{
        cleanup_close int owned = fd;
        struct conn *c;
        int flags, r;

        r = check_peer(s, fd, err);
        if (r < 0)
                return r;
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return berth_error_sys(err, errno, "ttrpc: connection");
        c = xzalloc(sizeof(*c));
        c->server = s;
        c->fd = fd;
        c->events = EPOLLIN;
        ttrpc_frame_reader_init(&c->reader);
        r = loop_add_fd(s->loop, fd, c->events, conn_event, c, err);
        if (r < 0) {
                free(c);
                return r;
        }
        owned = -1;
        c->next = s->conns;
        if (s->conns)
                s->conns->prev = c;
        s->conns = c;
        s->n_conns++;
        return 0;
}

size_t
ttrpc_server_count_connections(const struct ttrpc_server *s)
{
        return s->n_conns;
}

/* ---- listeners ---- */

static void
listener_event(int fd, uint32_t events, void *userdata)
{
        struct ttrpc_server *s = userdata;

        (void) events;
        for (;;) {
                cleanup_error berth_error_t *e = NULL;
                int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (cfd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno != EAGAIN && errno != EWOULDBLOCK)
                                log_debug("ttrpc: accept: %s", strerror(errno));
                        return;
                }
                /* A refused peer is closed and forgotten, as by the Go server; the error is
                 * released after the debug line because there is no caller to give it to. */
                if (ttrpc_server_add_connection(s, cfd, &e) < 0)
                        log_debug("%s", e->msg);
        }
}

int
ttrpc_server_add_listener(struct ttrpc_server *s, int fd, berth_error_t **err)
{
        cleanup_close int owned = fd;
        int flags, r;

        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return berth_error_sys(err, errno, "ttrpc: listener");
        r = loop_add_fd(s->loop, fd, EPOLLIN, listener_event, s, err);
        if (r < 0)
                return r;
        s->listeners = xreallocarray(s->listeners, s->n_listeners + 1, sizeof(*s->listeners));
        s->listeners[s->n_listeners++] = TAKE_FD(owned);
        return 0;
}

int
ttrpc_server_listen_unix(struct ttrpc_server *s, const char *path, bool abstract,
                         berth_error_t **err)
{
        int fd = sock_listen_unix(path, abstract, SOMAXCONN, err);

        if (fd < 0)
                return fd;
        return ttrpc_server_add_listener(s, fd, err);
}

void
ttrpc_server_close_listeners(struct ttrpc_server *s)
{
        for (size_t i = 0; i < s->n_listeners; i++) {
                loop_remove_fd(s->loop, s->listeners[i]);
                close(s->listeners[i]);
        }
        free(s->listeners);
        s->listeners = NULL;
        s->n_listeners = 0;
}

void
ttrpc_server_free(struct ttrpc_server *s)
{
        if (!s)
                return;
        ttrpc_server_close_listeners(s);
        while (s->conns)
                conn_free(s->conns);
        for (size_t i = 0; i < s->n_handlers; i++) {
                free(s->handlers[i].service);
                free(s->handlers[i].method);
        }
        free(s->handlers);
        free(s);
}

/* ---- calls ---- */

const struct ttrpc_request *
ttrpc_call_request(const struct ttrpc_call *call)
{
        return &call->req;
}

const char *
ttrpc_call_metadata(const struct ttrpc_call *call, const char *key)
{
        return ttrpc_metadata_get(call->req.metadata, call->req.n_metadata, key);
}

int64_t
ttrpc_call_deadline(const struct ttrpc_call *call)
{
        return call->deadline;
}

bool
ttrpc_call_is_cancelled(const struct ttrpc_call *call)
{
        return call->conn == NULL;
}

void
ttrpc_call_on_cancel(struct ttrpc_call *call, ttrpc_cancel_fn fn, void *userdata)
{
        call->cancel = fn;
        call->cancel_data = userdata;
}

static void
call_finish(struct ttrpc_call *call, const struct ttrpc_response *resp)
{
        struct conn *c = call->conn;

        call_unlink(call);
        if (c)
                conn_send_response(c, call->stream_id, resp);
        ttrpc_request_done(&call->req);
        free(call);
}

void
ttrpc_call_reply(struct ttrpc_call *call, const void *payload, size_t len)
{
        /* Success: no status at all, as the Go server sends it (interfaces.md §1.4). */
        struct ttrpc_response resp = {.payload = (uint8_t *) payload, .payload_len = len};

        call_finish(call, &resp);
}

void
ttrpc_call_reply_error(struct ttrpc_call *call, const berth_error_t *e)
{
        struct ttrpc_response resp = {.has_status = true};

        ttrpc_status_from_error(e, &resp.status);
        call_finish(call, &resp);
        ttrpc_status_done(&resp.status);
}

void
ttrpc_call_reply_bad_payload(struct ttrpc_call *call, const char *detail)
{
        ttrpc_call_reply_status(call, TTRPC_INTERNAL, "ttrpc: error unmarshalling payload: %s",
                                detail);
}

void
ttrpc_call_reply_status(struct ttrpc_call *call, int32_t code, const char *fmt, ...)
{
        struct ttrpc_response resp = {.has_status = true};
        va_list ap;

        va_start(ap, fmt);
        resp.status.code = code;
        resp.status.message = xvasprintf(fmt, ap);
        va_end(ap);
        call_finish(call, &resp);
        ttrpc_status_done(&resp.status);
}
