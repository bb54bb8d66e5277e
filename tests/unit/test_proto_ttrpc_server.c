/* tests/unit/test_proto_ttrpc_server.c: proto/ttrpc/server.h in one thread: the server and an
 * attached client (or a raw socket playing a peer) share one loop over a socketpair or a
 * temporary UNIX socket. Concurrent calls answered out of order, asynchronous answers, errors and
 * unknown methods, the 4 MiB limit, odd stream ids, peer credentials, disconnects with calls
 * still pending. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/loop.h"
#include "lib/xalloc.h"
#include "proto/ttrpc/client.h"
#include "proto/ttrpc/frame.h"
#include "proto/ttrpc/server.h"
#include "proto/ttrpc/status.h"

#define SVC "berth.test.v1.Echo"

struct fixture {
        struct loop *loop;
        struct ttrpc_server *server;
        struct ttrpc_client *client;
        int raw;                    /* the peer's end when a test talks bytes itself */
        struct ttrpc_call *held[8]; /* calls the "Hold" handler keeps for the test to answer */
        int n_held;
        bool use_cancel;
        int cancelled;
        int64_t deadline_seen;
        char namespace_seen[64];
        char tmpdir[64]; /* test_listen's socket directory: teardown removes it, even on failure */
};

struct result {
        bool done;
        int order; /* completion order across a test */
        int code;  /* errno class, 0 on success */
        char *msg;
        uint8_t *payload;
        size_t len;
};

static int completions;

static void
on_reply(const uint8_t *payload, size_t len, const berth_error_t *err, void *userdata)
{
        struct result *r = userdata;

        r->done = true;
        r->order = ++completions;
        if (err) {
                r->code = err->code;
                r->msg = xstrdup(err->msg);
                return;
        }
        r->len = len;
        if (len > 0) {
                r->payload = xmalloc(len);
                memcpy(r->payload, payload, len);
        }
}

static void
result_done(struct result *r)
{
        free(r->msg);
        free(r->payload);
        memset(r, 0, sizeof(*r));
}

static void
echo(struct ttrpc_call *call, void *userdata)
{
        const struct ttrpc_request *req = ttrpc_call_request(call);

        (void) userdata;
        ttrpc_call_reply(call, req->payload, req->payload_len);
}

static void
on_cancel(struct ttrpc_call *call, void *userdata)
{
        struct fixture *f = userdata;

        f->cancelled++;
        for (int i = 0; i < f->n_held; i++) {
                if (f->held[i] == call)
                        f->held[i] = NULL;
        }
        assert_true(ttrpc_call_is_cancelled(call));
        ttrpc_call_reply(call, NULL, 0); /* goes nowhere; frees the call */
}

static void
hold(struct ttrpc_call *call, void *userdata)
{
        struct fixture *f = userdata;

        if (f->use_cancel)
                ttrpc_call_on_cancel(call, on_cancel, f);
        f->held[f->n_held++] = call;
}

static void
fail_handler(struct ttrpc_call *call, void *userdata)
{
        berth_error_t *e = NULL;

        (void) userdata;
        berth_error_new(&e, ENOENT, "thing \"%s\"", "x");
        ttrpc_call_reply_error(call, e);
        berth_error_free(e);
}

static void
meta(struct ttrpc_call *call, void *userdata)
{
        struct fixture *f = userdata;
        const char *ns = ttrpc_call_metadata(call, "containerd-namespace-ttrpc");

        snprintf(f->namespace_seen, sizeof(f->namespace_seen), "%s", ns ? ns : "(none)");
        f->deadline_seen = ttrpc_call_deadline(call);
        ttrpc_call_reply(call, NULL, 0);
}

static void
big(struct ttrpc_call *call, void *userdata)
{
        size_t n = 5 << 20;
        uint8_t *p = xzalloc(n);

        (void) userdata;
        ttrpc_call_reply(call, p, n);
        free(p);
}

static int
setup(void **state)
{
        struct fixture *f = xzalloc(sizeof(*f));
        berth_error_t *err = NULL;
        int sv[2];

        f->raw = -1;
        completions = 0;
        if (loop_new(&f->loop, &err) < 0 || ttrpc_server_new(f->loop, &f->server, &err) < 0)
                return -1;
        if (ttrpc_server_register(f->server, SVC, "Echo", echo, f, &err) < 0
            || ttrpc_server_register(f->server, SVC, "Hold", hold, f, &err) < 0
            || ttrpc_server_register(f->server, SVC, "Fail", fail_handler, f, &err) < 0
            || ttrpc_server_register(f->server, SVC, "Meta", meta, f, &err) < 0
            || ttrpc_server_register(f->server, SVC, "Big", big, f, &err) < 0)
                return -1;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        if (ttrpc_server_add_connection(f->server, sv[1], &err) < 0
            || ttrpc_client_new(sv[0], &f->client, &err) < 0
            || ttrpc_client_attach(f->client, f->loop, &err) < 0)
                return -1;
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        struct fixture *f = *state;

        ttrpc_client_free(f->client);
        ttrpc_server_free(f->server); /* answers nothing: held calls see their cancel callback */
        for (int i = 0; i < f->n_held; i++) {
                if (f->held[i])
                        ttrpc_call_reply(f->held[i], NULL, 0);
        }
        loop_free(f->loop);
        if (f->raw >= 0)
                close(f->raw);
        if (f->tmpdir[0]) {
                char path[128];
                snprintf(path, sizeof(path), "%s/s.sock", f->tmpdir);
                unlink(path);
                rmdir(f->tmpdir);
        }
        free(f);
        return 0;
}

/* Run the loop until *DONE, at most 5 s. */
static void
run_until(struct fixture *f, const bool *done)
{
        struct timespec start, now;

        clock_gettime(CLOCK_MONOTONIC, &start);
        while (!*done) {
                berth_error_t *err = NULL;
                assert_true(loop_run_once(f->loop, 50, &err) >= 0);
                clock_gettime(CLOCK_MONOTONIC, &now);
                assert_true(now.tv_sec - start.tv_sec < 5);
        }
}

static void
call(struct fixture *f, const char *method, const void *payload, size_t len, struct result *r)
{
        struct ttrpc_client_request req = {
                .service = SVC, .method = method, .payload = payload, .payload_len = len};
        berth_error_t *err = NULL;

        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, r, NULL, &err), 0);
}

static void
test_echo(void **state)
{
        struct fixture *f = *state;
        struct result r = {0}, empty = {0};

        call(f, "Echo", "hello", 5, &r);
        call(f, "Echo", NULL, 0, &empty);
        run_until(f, &r.done);
        run_until(f, &empty.done);
        assert_int_equal(r.code, 0);
        assert_int_equal(r.len, 5);
        assert_memory_equal(r.payload, "hello", 5);
        assert_int_equal(empty.code, 0);
        assert_int_equal(empty.len, 0);
        assert_null(empty.payload);
        result_done(&r);
        result_done(&empty);
}

static void
test_metadata_and_deadline(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_kv md[] = {{"containerd-namespace-ttrpc", "k8s.io"}};
        struct ttrpc_client_request req = {.service = SVC,
                                           .method = "Meta",
                                           .timeout_ns = 5000000000,
                                           .metadata = md,
                                           .n_metadata = 1};
        struct result r = {0};
        berth_error_t *err = NULL;
        struct timespec ts;
        int64_t now;

        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &r, NULL, &err), 0);
        run_until(f, &r.done);
        assert_int_equal(r.code, 0);
        assert_string_equal(f->namespace_seen, "k8s.io");
        clock_gettime(CLOCK_MONOTONIC, &ts);
        now = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
        assert_true(f->deadline_seen > now);
        assert_true(f->deadline_seen <= now + 5000000000);
        result_done(&r);
        /* No timeout: no deadline. */
        req.timeout_ns = 0;
        req.n_metadata = 0;
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &r, NULL, &err), 0);
        run_until(f, &r.done);
        assert_int_equal(f->deadline_seen, 0);
        assert_string_equal(f->namespace_seen, "(none)");
        result_done(&r);
}

static void
test_out_of_order(void **state)
{
        struct fixture *f = *state;
        struct result wait = {0}, fast[3] = {{0}};

        /* Like containerd: a Wait stays pending while other calls go through on the connection. */
        call(f, "Hold", "w", 1, &wait);
        for (int i = 0; i < 3; i++)
                call(f, "Echo", "e", 1, &fast[i]);
        for (int i = 0; i < 3; i++)
                run_until(f, &fast[i].done);
        assert_false(wait.done);
        assert_int_equal(f->n_held, 1);
        assert_memory_equal(ttrpc_call_request(f->held[0])->payload, "w", 1);
        ttrpc_call_reply(f->held[0], "exited", 6);
        f->held[0] = NULL;
        run_until(f, &wait.done);
        assert_int_equal(wait.order, 4);
        assert_int_equal(wait.len, 6);
        assert_memory_equal(wait.payload, "exited", 6);
        result_done(&wait);
        for (int i = 0; i < 3; i++) {
                assert_true(fast[i].order <= 3);
                result_done(&fast[i]);
        }
}

static void
test_many_concurrent(void **state)
{
        struct fixture *f = *state;
        struct result *r = xzalloc(200 * sizeof(*r));
        char buf[16];

        for (int i = 0; i < 200; i++) {
                int n = snprintf(buf, sizeof(buf), "%d", i);
                call(f, i % 2 ? "Echo" : "Fail", buf, (size_t) n, &r[i]);
        }
        for (int i = 0; i < 200; i++) {
                run_until(f, &r[i].done);
                if (i % 2) {
                        int n = snprintf(buf, sizeof(buf), "%d", i);
                        assert_int_equal(r[i].len, n);
                        assert_memory_equal(r[i].payload, buf, n);
                } else {
                        assert_int_equal(r[i].code, ENOENT);
                }
                result_done(&r[i]);
        }
        free(r);
}

static void
test_large_payloads(void **state)
{
        struct fixture *f = *state;
        size_t n = 4000000; /* under the limit with its envelope; far over any socket buffer */
        uint8_t *p = xmalloc(n);
        struct result r = {0};

        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (i % 251);
        call(f, "Echo", p, n, &r);
        run_until(f, &r.done);
        assert_int_equal(r.code, 0);
        assert_int_equal(r.len, n);
        assert_memory_equal(r.payload, p, n);
        result_done(&r);
        free(p);
}

static void
test_errors(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_client_request other = {.service = "nope.v1.Other", .method = "Echo"};
        struct result failed = {0}, no_method = {0}, no_service = {0};
        berth_error_t *err = NULL;

        call(f, "Fail", NULL, 0, &failed);
        call(f, "Nope", NULL, 0, &no_method);
        assert_int_equal(
                ttrpc_client_call_async(f->client, &other, on_reply, &no_service, NULL, &err), 0);
        run_until(f, &failed.done);
        run_until(f, &no_method.done);
        run_until(f, &no_service.done);
        /* errdefs.NotFound with containerd's wrapping */
        assert_int_equal(failed.code, ENOENT);
        assert_string_equal(failed.msg, "thing \"x\": not found");
        /* Go ttrpc services.go: UNIMPLEMENTED "method <name>", "service <name>" */
        assert_int_equal(no_method.code, EOPNOTSUPP);
        assert_string_equal(no_method.msg, "method Nope");
        assert_int_equal(no_service.code, EOPNOTSUPP);
        assert_string_equal(no_service.msg, "service nope.v1.Other");
        result_done(&failed);
        result_done(&no_method);
        result_done(&no_service);
}

static void
test_big_answer_refused(void **state)
{
        struct fixture *f = *state;
        struct result r = {0}, after = {0};

        call(f, "Big", NULL, 0, &r);
        run_until(f, &r.done);
        assert_int_equal(r.code, ENOBUFS);
        assert_string_equal(r.msg, "message length 5242885 exceed maximum message size of 4194304");
        call(f, "Echo", "x", 1, &after);
        run_until(f, &after.done);
        assert_int_equal(after.code, 0);
        result_done(&r);
        result_done(&after);
}

static void
test_duplicate_registration(void **state)
{
        struct fixture *f = *state;
        berth_error_t *err = NULL;

        assert_int_equal(ttrpc_server_register(f->server, SVC, "Echo", echo, f, &err), -EEXIST);
        assert_string_equal(err->msg, "ttrpc: method \"" SVC "/Echo\" registered twice");
        berth_error_free(err);
}

/* ---- a raw peer: frames written and read by hand ---- */

static void
raw_open(struct fixture *f)
{
        berth_error_t *err = NULL;
        int sv[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
        assert_int_equal(ttrpc_server_add_connection(f->server, sv[1], &err), 0);
        f->raw = sv[0];
}

/* Write all of BUF to the raw socket, running the loop while it is full. */
static void
raw_write(struct fixture *f, const void *buf, size_t len)
{
        const uint8_t *p = buf;
        berth_error_t *err = NULL;

        while (len > 0) {
                ssize_t n = send(f->raw, p, len, MSG_NOSIGNAL);
                if (n < 0) {
                        assert_true(errno == EAGAIN);
                        assert_true(loop_run_once(f->loop, 50, &err) >= 0);
                        continue;
                }
                p += n;
                len -= (size_t) n;
        }
}

static void
raw_request(struct fixture *f, uint32_t id, uint8_t type, const struct ttrpc_request *req)
{
        struct wire_buf b = {0};
        struct ttrpc_outq q = {0};

        ttrpc_request_format(req, &b);
        ttrpc_outq_push_frame(&q, id, type, b.data, b.len);
        raw_write(f, q.data, q.len);
        ttrpc_outq_done(&q);
        wire_buf_done(&b);
}

/* Run the loop until the raw peer has a whole frame; return its response. */
static void
raw_response(struct fixture *f, uint32_t *ret_id, struct ttrpc_response *ret)
{
        struct ttrpc_frame_reader r;
        struct ttrpc_frame fr = {0};
        bool ready = false;
        berth_error_t *err = NULL;
        uint8_t b;

        ttrpc_frame_reader_init(&r);
        while (!ready) {
                ssize_t n = recv(f->raw, &b, 1, 0);
                if (n < 0) {
                        assert_true(errno == EAGAIN);
                        assert_true(loop_run_once(f->loop, 50, &err) >= 0);
                        continue;
                }
                assert_int_equal(n, 1);
                ttrpc_frame_reader_feed(&r, &b, 1, &fr, &ready);
        }
        assert_int_equal(fr.header.type, TTRPC_FRAME_RESPONSE);
        assert_false(fr.oversize);
        *ret_id = fr.header.stream_id;
        assert_int_equal(ttrpc_response_parse(fr.data, fr.header.length, ret, &err), 0);
        ttrpc_frame_done(&fr);
        ttrpc_frame_reader_done(&r);
}

static void
expect_status(struct fixture *f, uint32_t id, int32_t code, const char *msg)
{
        struct ttrpc_response resp;
        uint32_t got;

        raw_response(f, &got, &resp);
        assert_int_equal(got, id);
        assert_true(resp.has_status);
        assert_int_equal(resp.status.code, code);
        assert_string_equal(resp.status.message, msg);
        ttrpc_response_done(&resp);
}

static void
expect_echo(struct fixture *f, uint32_t id)
{
        struct ttrpc_request req = {
                .service = SVC, .method = "Echo", .payload = (uint8_t *) "ok", .payload_len = 2};
        struct ttrpc_response resp;
        uint32_t got;

        raw_request(f, id, TTRPC_FRAME_REQUEST, &req);
        raw_response(f, &got, &resp);
        assert_int_equal(got, id);
        assert_false(resp.has_status);
        assert_int_equal(resp.payload_len, 2);
        ttrpc_response_done(&resp);
}

static void
test_raw_oversize(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_frame_header h = {.length = 5 << 20, .stream_id = 41, .type = 1};
        uint8_t hdr[10];
        uint8_t *junk = xzalloc(5 << 20);

        raw_open(f);
        /* Data past the limit is read and thrown away (exactly LENGTH bytes), the stream id gets
         * RESOURCE_EXHAUSTED with Go ttrpc's words, and the connection goes on. */
        ttrpc_frame_header_format(&h, hdr);
        raw_write(f, hdr, sizeof(hdr));
        raw_write(f, junk, 5 << 20);
        expect_status(f, 41, TTRPC_RESOURCE_EXHAUSTED,
                      "message length 5242880 exceed maximum message size of 4194304");
        expect_echo(f, 43);
        /* Exactly at the limit is still a frame: the request parses (field 15, skipped). */
        h.length = 4 << 20;
        h.stream_id = 45;
        ttrpc_frame_header_format(&h, hdr);
        junk[0] = 0x7a; /* field 15, WIRE_LEN */
        junk[1] = 0xfb;
        junk[2] = 0xff;
        junk[3] = 0xff;
        junk[4] = 0x01; /* varint 4194299: the rest of the 4 MiB */
        raw_write(f, hdr, sizeof(hdr));
        raw_write(f, junk, 5);
        raw_write(f, junk + 5, (4 << 20) - 5);
        expect_status(f, 45, TTRPC_UNIMPLEMENTED, "service ");
        free(junk);
}

static void
test_raw_protocol_errors(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_request req = {.service = SVC, .method = "Echo"};
        struct ttrpc_outq q = {0};

        raw_open(f);
        /* An even stream id: INVALID_ARGUMENT on that id (Go server.go). */
        raw_request(f, 2, TTRPC_FRAME_REQUEST, &req);
        expect_status(f, 2, TTRPC_INVALID_ARGUMENT,
                      "StreamID must be odd for client initiated streams");
        /* A Request that does not decode. */
        ttrpc_outq_push_frame(&q, 5, TTRPC_FRAME_REQUEST, "\x0a\x05", 2);
        raw_write(f, q.data, q.len);
        ttrpc_outq_done(&q);
        expect_status(f, 5, TTRPC_INVALID_ARGUMENT,
                      "unmarshal request error: field 1: length 5 runs past the end of the data");
        /* Frames of other types (ttrpc 1.2's data frames, responses) are ignored: the next answer
         * is the next request's. */
        raw_request(f, 7, 0x03, &req);
        raw_request(f, 9, TTRPC_FRAME_RESPONSE, &req);
        expect_echo(f, 11);
        /* Ids need not be increasing. */
        expect_echo(f, 1);
}

static void
test_disconnect_cancels(void **state)
{
        struct fixture *f = *state;
        struct result a = {0}, b = {0}, c = {0};

        f->use_cancel = true;
        call(f, "Hold", NULL, 0, &a);
        call(f, "Hold", NULL, 0, &b);
        while (f->n_held < 2)
                assert_true(loop_run_once(f->loop, 50, NULL) >= 0);
        f->use_cancel = false;
        call(f, "Hold", NULL, 0, &c);
        while (f->n_held < 3)
                assert_true(loop_run_once(f->loop, 50, NULL) >= 0);
        assert_int_equal(ttrpc_server_count_connections(f->server), 1);
        /* The client goes away with three calls pending: the callbacks of its calls are dropped
         * (freed client), the server cancels the two that asked for it. */
        ttrpc_client_free(f->client);
        f->client = NULL;
        while (ttrpc_server_count_connections(f->server) > 0)
                assert_true(loop_run_once(f->loop, 50, NULL) >= 0);
        assert_int_equal(f->cancelled, 2);
        assert_null(f->held[0]);
        assert_null(f->held[1]);
        /* The third had no cancel callback: answering it later is safe and sends nothing. */
        assert_true(ttrpc_call_is_cancelled(f->held[2]));
        ttrpc_call_reply(f->held[2], "late", 4);
        f->held[2] = NULL;
        assert_false(a.done || b.done || c.done);
}

static void
test_peer_credentials(void **state)
{
        struct fixture *f = *state;
        berth_error_t *err = NULL;
        int sv[2];

        /* Someone else's effective uid: refused, as Go's UnixSocketRequireSameUser. */
        ttrpc_server_set_peer_ids(f->server, geteuid() + 1, getegid());
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(ttrpc_server_add_connection(f->server, sv[1], &err), -EPERM);
        assert_non_null(strstr(err->msg, "invalid credentials"));
        berth_error_free(err);
        err = NULL;
        close(sv[0]);
        ttrpc_server_set_peer_ids(f->server, geteuid(), getegid() + 1);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(ttrpc_server_add_connection(f->server, sv[1], &err), -EPERM);
        berth_error_free(err);
        close(sv[0]);
        assert_int_equal(ttrpc_server_count_connections(f->server), 1);
}

struct closed {
        bool done;
        int calls;
};

static void
on_close(struct ttrpc_client *c, void *userdata)
{
        struct closed *cl = userdata;

        (void) c;
        cl->done = true;
        cl->calls++;
}

/* Listen on NAME, connect a client, and echo once; with REFUSE, the peer check fails instead. */
static void
listen_and_call(struct fixture *f, const char *name, bool abstract, bool refuse)
{
        cleanup_ttrpc_client struct ttrpc_client *c = NULL;
        struct ttrpc_client_request req = {
                .service = SVC, .method = "Echo", .payload = "p", .payload_len = 1};
        struct closed cl = {0};
        struct result r = {0};
        berth_error_t *err = NULL;

        assert_int_equal(ttrpc_server_listen_unix(f->server, name, abstract, &err), 0);
        assert_int_equal(ttrpc_client_connect_unix(name, abstract, &c, &err), 0);
        assert_int_equal(ttrpc_client_attach(c, f->loop, &err), 0);
        ttrpc_client_on_close(c, on_close, &cl);
        if (refuse)
                ttrpc_server_set_peer_ids(f->server, geteuid() + 1, getegid());
        assert_int_equal(ttrpc_client_call_async(c, &req, on_reply, &r, NULL, &err), 0);
        run_until(f, &r.done);
        if (refuse) {
                assert_int_equal(r.code, ECONNRESET);
                assert_string_equal(r.msg, "ttrpc: closed");
                run_until(f, &cl.done);
                assert_int_equal(cl.calls, 1);
                assert_int_equal(ttrpc_client_fd(c), -1);
                /* Later calls fail at once. */
                assert_int_equal(ttrpc_client_call_async(c, &req, on_reply, &r, NULL, &err),
                                 -ECONNRESET);
                berth_error_free(err);
        } else {
                assert_int_equal(r.code, 0);
                assert_memory_equal(r.payload, "p", 1);
        }
        result_done(&r);
        ttrpc_server_close_listeners(f->server);
        ttrpc_server_set_peer_ids(f->server, geteuid(), getegid());
}

static void
test_listen(void **state)
{
        struct fixture *f = *state;
        char path[128], abstract[64];

        snprintf(f->tmpdir, sizeof(f->tmpdir), "/tmp/berth-test-ttrpc.XXXXXX");
        assert_non_null(mkdtemp(f->tmpdir));
        snprintf(path, sizeof(path), "%s/s.sock", f->tmpdir);
        listen_and_call(f, path, false, false);
        unlink(path);
        listen_and_call(f, path, false, true);
        snprintf(abstract, sizeof(abstract), "berth-test-ttrpc-%d", (int) getpid());
        listen_and_call(f, abstract, true, false);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
                cmocka_unit_test_setup_teardown(test_metadata_and_deadline, setup, teardown),
                cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_many_concurrent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_payloads, setup, teardown),
                cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_big_answer_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_registration, setup, teardown),
                cmocka_unit_test_setup_teardown(test_raw_oversize, setup, teardown),
                cmocka_unit_test_setup_teardown(test_raw_protocol_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disconnect_cancels, setup, teardown),
                cmocka_unit_test_setup_teardown(test_peer_credentials, setup, teardown),
                cmocka_unit_test_setup_teardown(test_listen, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
