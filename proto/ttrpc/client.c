/* proto/ttrpc/client.c: stream ids, pending calls, reading answers, synchronous waits. */
#include <config.h>

#include "proto/ttrpc/client.h"

#include <fcntl.h>
#include <poll.h>
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

/* Reads per ttrpc_client_process(), so that a loop-driven client shares the loop fairly. */
#define CLIENT_READS_PER_CALL 64

struct pending {
        uint32_t stream_id;
        ttrpc_reply_fn fn;
        void *userdata;
        struct pending *next;
};

struct ttrpc_client {
        int fd; /* -1 once the connection has ended */
        bool closed;
        uint32_t next_id;
        struct ttrpc_frame_reader reader;
        struct ttrpc_outq out;
        struct pending *pending;
        size_t n_pending;
        struct loop *loop;
        uint32_t events;
        ttrpc_close_fn on_close;
        void *on_close_data;
};

static int
closed_error(berth_error_t **err)
{
        /* Go ttrpc's ErrClosed text. */
        return berth_error_new(err, ECONNRESET, "ttrpc: closed");
}

int
ttrpc_client_new(int fd, struct ttrpc_client **ret, berth_error_t **err)
{
        cleanup_close int owned = fd;
        struct ttrpc_client *c;
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return berth_error_sys(err, errno, "ttrpc: connection");
        c = xzalloc(sizeof(*c));
        c->fd = TAKE_FD(owned);
        c->next_id = 1;
        ttrpc_frame_reader_init(&c->reader);
        *ret = c;
        return 0;
}

int
ttrpc_client_connect_unix(const char *path, bool abstract, struct ttrpc_client **ret,
                          berth_error_t **err)
{
        int fd = abstract ? sock_connect_unix_abstract(path, err) : sock_connect_unix(path, err);

        if (fd < 0)
                return fd;
        return ttrpc_client_new(fd, ret, err);
}

static void
pending_free_all(struct ttrpc_client *c)
{
        while (c->pending) {
                struct pending *p = c->pending;
                c->pending = p->next;
                free(p);
        }
        c->n_pending = 0;
}

void
ttrpc_client_free(struct ttrpc_client *c)
{
        if (!c)
                return;
        if (c->fd >= 0) {
                if (c->loop)
                        loop_remove_fd(c->loop, c->fd);
                close(c->fd);
        }
        pending_free_all(c);
        ttrpc_frame_reader_done(&c->reader);
        ttrpc_outq_done(&c->out);
        free(c);
}

void
ttrpc_client_on_close(struct ttrpc_client *c, ttrpc_close_fn fn, void *userdata)
{
        c->on_close = fn;
        c->on_close_data = userdata;
}

int
ttrpc_client_fd(const struct ttrpc_client *c)
{
        return c->fd;
}

bool
ttrpc_client_wants_write(const struct ttrpc_client *c)
{
        return c->out.len > 0;
}

size_t
ttrpc_client_count_pending(const struct ttrpc_client *c)
{
        return c->n_pending;
}

static struct pending *
pending_take(struct ttrpc_client *c, uint32_t stream_id)
{
        for (struct pending **pp = &c->pending; *pp; pp = &(*pp)->next) {
                struct pending *p = *pp;
                if (p->stream_id == stream_id) {
                        *pp = p->next;
                        c->n_pending--;
                        return p;
                }
        }
        return NULL;
}

static bool
pending_has(const struct ttrpc_client *c, uint32_t stream_id)
{
        for (const struct pending *p = c->pending; p; p = p->next) {
                if (p->stream_id == stream_id)
                        return true;
        }
        return false;
}

static void
client_update_events(struct ttrpc_client *c)
{
        cleanup_error berth_error_t *e = NULL;
        uint32_t want = EPOLLIN | (c->out.len > 0 ? EPOLLOUT : 0);

        if (!c->loop || c->fd < 0 || want == c->events)
                return;
        /* Cannot fail for an fd the loop holds; the error is only worth a debug line. */
        if (loop_set_events(c->loop, c->fd, want, &e) == 0)
                c->events = want;
        else
                log_debug("ttrpc: %s", e->msg);
}

/* The connection is over: fail every pending call, then tell the owner. */
static void
client_end(struct ttrpc_client *c)
{
        cleanup_error berth_error_t *closed = NULL;

        if (c->closed)
                return;
        c->closed = true;
        if (c->loop)
                loop_remove_fd(c->loop, c->fd);
        close(c->fd);
        c->fd = -1;
        ttrpc_frame_reader_done(&c->reader);
        ttrpc_outq_done(&c->out);
        closed_error(&closed);
        while (c->pending) {
                struct pending *p = c->pending;
                c->pending = p->next;
                c->n_pending--;
                p->fn(NULL, 0, closed, p->userdata);
                free(p);
        }
        if (c->on_close)
                c->on_close(c, c->on_close_data);
}

/* One answer: find its call and complete it. */
static void
client_dispatch(struct ttrpc_client *c, const struct ttrpc_frame *f)
{
        cleanup_error berth_error_t *e = NULL;
        cleanup_free struct pending *p = pending_take(c, f->header.stream_id);
        struct ttrpc_response resp;

        if (!p) {
                log_debug("ttrpc: answer for unknown stream %u, ignoring", f->header.stream_id);
                return;
        }
        if (f->oversize) {
                cleanup_free char *msg = ttrpc_frame_format_oversize(f->header.length);
                berth_error_new(&e, ttrpc_code_to_errno(TTRPC_RESOURCE_EXHAUSTED), "%s", msg);
                p->fn(NULL, 0, e, p->userdata);
                return;
        }
        if (f->header.type != TTRPC_FRAME_RESPONSE) {
                berth_error_new(&e, EPROTO, "ttrpc: unknown message type %u received",
                                f->header.type);
                p->fn(NULL, 0, e, p->userdata);
                return;
        }
        if (ttrpc_response_parse(f->data, f->header.length, &resp, &e) < 0) {
                berth_error_prefix(&e, "ttrpc: bad response");
                e->code = EPROTO;
                p->fn(NULL, 0, e, p->userdata);
                return;
        }
        if (resp.has_status && ttrpc_status_to_error(&resp.status, &e) < 0)
                p->fn(NULL, 0, e, p->userdata);
        else
                p->fn(resp.payload, resp.payload_len, NULL, p->userdata);
        ttrpc_response_done(&resp);
}

int
ttrpc_client_process(struct ttrpc_client *c, berth_error_t **err)
{
        struct ttrpc_frame *frames = NULL;
        size_t n_frames = 0;
        bool ended = false;
        uint8_t buf[65536];

        if (c->closed)
                return closed_error(err);
        if (c->out.len > 0) {
                cleanup_error berth_error_t *e = NULL;
                if (ttrpc_outq_flush(&c->out, c->fd, &e) < 0) {
                        /* The reason is only a debug line: every call learns "ttrpc: closed". */
                        log_debug("%s", e->msg);
                        ended = true;
                }
        }
        /* Take in everything first, then run callbacks: a callback may make a synchronous
         * call, which reads this socket again and must find the reader between our bytes. */
        for (int i = 0; i < CLIENT_READS_PER_CALL && !ended; i++) {
                ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
                size_t off = 0;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        break;
                if (n <= 0) {
                        if (n < 0)
                                log_debug("ttrpc: read: %s", strerror(errno));
                        ended = true;
                        break;
                }
                while (off < (size_t) n) {
                        struct ttrpc_frame f = {0};
                        bool ready;
                        off += ttrpc_frame_reader_feed(&c->reader, buf + off, (size_t) n - off, &f,
                                                       &ready);
                        if (ready) {
                                frames = xreallocarray(frames, n_frames + 1, sizeof(*frames));
                                frames[n_frames++] = f;
                        }
                }
        }
        for (size_t i = 0; i < n_frames; i++) {
                client_dispatch(c, &frames[i]);
                ttrpc_frame_done(&frames[i]);
        }
        free(frames);
        if (ended)
                client_end(c);
        if (c->closed)
                return closed_error(err);
        client_update_events(c);
        return 0;
}

static void
client_event(int fd, uint32_t events, void *userdata)
{
        struct ttrpc_client *c = userdata;
        cleanup_error berth_error_t *e = NULL;

        (void) fd;
        (void) events;
        /* An ended connection is reported to the calls and to on_close; nothing else to do. */
        (void) ttrpc_client_process(c, &e);
}

int
ttrpc_client_attach(struct ttrpc_client *c, struct loop *loop, berth_error_t **err)
{
        int r;

        if (c->closed)
                return closed_error(err);
        c->events = EPOLLIN | (c->out.len > 0 ? EPOLLOUT : 0);
        r = loop_add_fd(loop, c->fd, c->events, client_event, c, err);
        if (r < 0)
                return r;
        c->loop = loop;
        return 0;
}

int
ttrpc_client_call_async(struct ttrpc_client *c, const struct ttrpc_client_request *req,
                        ttrpc_reply_fn fn, void *userdata, uint32_t *ret_stream_id,
                        berth_error_t **err)
{
        struct ttrpc_request msg = {
                .service = (char *) req->service,
                .method = (char *) req->method,
                .payload = (uint8_t *) req->payload,
                .payload_len = req->payload_len,
                .timeout_nano = req->timeout_ns,
                .metadata = (struct ttrpc_kv *) req->metadata,
                .n_metadata = req->n_metadata,
        };
        cleanup_error berth_error_t *e = NULL;
        struct wire_buf b = {0};
        struct pending *p;
        uint32_t id;

        if (c->closed)
                return closed_error(err);
        ttrpc_request_format(&msg, &b);
        if (b.len > TTRPC_FRAME_MAX_DATA) {
                /* Refused here, as ttrpc 1.2 clients do: the server would only throw it away. */
                cleanup_free char *text = ttrpc_frame_format_oversize(b.len);
                wire_buf_done(&b);
                return berth_error_new(err, ttrpc_code_to_errno(TTRPC_RESOURCE_EXHAUSTED), "%s",
                                       text);
        }
        /* Odd ids from 1, +2 per call, wrapping; an id still waiting for its answer is skipped. */
        id = c->next_id;
        while (pending_has(c, id))
                id += 2;
        c->next_id = id + 2;
        ttrpc_outq_push_frame(&c->out, id, TTRPC_FRAME_REQUEST, b.data, b.len);
        wire_buf_done(&b);
        p = xzalloc(sizeof(*p));
        p->stream_id = id;
        p->fn = fn;
        p->userdata = userdata;
        p->next = c->pending;
        c->pending = p;
        c->n_pending++;
        if (ttrpc_outq_flush(&c->out, c->fd, &e) < 0) {
                /* This call fails through its return value only, the others through their
                 * callbacks, all with "ttrpc: closed"; the write error itself is a debug line. */
                log_debug("%s", e->msg);
                free(pending_take(c, id));
                client_end(c);
                return closed_error(err);
        }
        client_update_events(c);
        if (ret_stream_id)
                *ret_stream_id = id;
        return 0;
}

void
ttrpc_client_cancel(struct ttrpc_client *c, uint32_t stream_id)
{
        free(pending_take(c, stream_id));
}

struct sync_result {
        bool done;
        uint8_t *payload;
        size_t len;
        berth_error_t *err;
};

static void
sync_done(const uint8_t *payload, size_t len, const berth_error_t *err, void *userdata)
{
        struct sync_result *res = userdata;

        res->done = true;
        if (err) {
                berth_error_new(&res->err, err->code, "%s", err->msg);
                return;
        }
        if (len > 0) {
                res->payload = xmalloc(len);
                memcpy(res->payload, payload, len);
        }
        res->len = len;
}

static int64_t
monotonic_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
ttrpc_client_call(struct ttrpc_client *c, const struct ttrpc_client_request *req,
                  uint8_t **ret_payload, size_t *ret_len, berth_error_t **err)
{
        struct sync_result res = {0};
        int64_t deadline = 0;
        uint32_t id;
        int r;

        if (req->timeout_ns < 0)
                return berth_error_new(err, ETIMEDOUT, "context deadline exceeded");
        if (req->timeout_ns > 0)
                deadline = monotonic_ns() + req->timeout_ns;
        r = ttrpc_client_call_async(c, req, sync_done, &res, &id, err);
        if (r < 0)
                return r;
        while (!res.done) {
                cleanup_error berth_error_t *e = NULL;
                struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
                int timeout_ms = -1;
                if (deadline) {
                        int64_t left = deadline - monotonic_ns();
                        if (left <= 0) {
                                ttrpc_client_cancel(c, id);
                                return berth_error_new(err, ETIMEDOUT, "context deadline exceeded");
                        }
                        timeout_ms = left / 1000000 >= 0x7fffffff
                                             ? 0x7fffffff
                                             : (int) ((left + 999999) / 1000000);
                }
                if (c->out.len > 0)
                        pfd.events |= POLLOUT;
                if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) {
                        int saved = errno;
                        ttrpc_client_cancel(c, id); /* its callback points at this frame */
                        return berth_error_sys(err, saved, "ttrpc: poll");
                }
                /* When the connection ends, our own call has been failed through sync_done
                 * with the same error: that is the one reported. */
                (void) ttrpc_client_process(c, &e);
        }
        if (res.err) {
                r = -res.err->code;
                if (err)
                        *err = res.err;
                else
                        berth_error_free(res.err);
                return r;
        }
        *ret_payload = res.payload;
        *ret_len = res.len;
        return 0;
}
