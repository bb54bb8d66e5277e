/* tests/unit/test_proto_ttrpc_client.c: proto/ttrpc/client.h against a raw peer (frames read and
 * written by hand: stream ids, timeout_nano, metadata, odd answers) and against the C server in a
 * child process (synchronous calls, timeouts, errors, the connection's end). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/loop.h"
#include "lib/xalloc.h"
#include "proto/ttrpc/client.h"
#include "proto/ttrpc/frame.h"
#include "proto/ttrpc/server.h"
#include "proto/ttrpc/status.h"

#define SVC "berth.test.v1.Echo"

struct result {
        bool done;
        int calls;
        int code;
        char *msg;
        uint8_t *payload;
        size_t len;
};

static void
on_reply(const uint8_t *payload, size_t len, const berth_error_t *err, void *userdata)
{
        struct result *r = userdata;

        r->done = true;
        r->calls++;
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

struct fixture {
        struct ttrpc_client *client;
        int peer; /* the raw peer's end, blocking */
        pid_t server_pid;
};

static int
setup_raw(void **state)
{
        struct fixture *f = xzalloc(sizeof(*f));
        berth_error_t *err = NULL;
        int sv[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        if (ttrpc_client_new(sv[0], &f->client, &err) < 0)
                return -1;
        f->peer = sv[1];
        f->server_pid = -1;
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        struct fixture *f = *state;
        int status;

        ttrpc_client_free(f->client);
        if (f->peer >= 0)
                close(f->peer);
        if (f->server_pid > 0) {
                /* It exits when the connection closes; the kill is for a test that failed. */
                if (waitpid(f->server_pid, &status, WNOHANG) == 0) {
                        kill(f->server_pid, SIGKILL);
                        waitpid(f->server_pid, &status, 0);
                }
        }
        free(f);
        return 0;
}

/* Read one whole frame from the raw peer. */
static void
peer_read_frame(struct fixture *f, struct ttrpc_frame *ret)
{
        struct ttrpc_frame_reader r;
        bool ready = false;
        uint8_t b;

        ttrpc_frame_reader_init(&r);
        while (!ready) {
                assert_int_equal(recv(f->peer, &b, 1, 0), 1);
                ttrpc_frame_reader_feed(&r, &b, 1, ret, &ready);
        }
        ttrpc_frame_reader_done(&r);
}

static void
peer_read_request(struct fixture *f, uint32_t *ret_id, struct ttrpc_request *ret)
{
        struct ttrpc_frame fr;
        berth_error_t *err = NULL;

        peer_read_frame(f, &fr);
        assert_int_equal(fr.header.type, TTRPC_FRAME_REQUEST);
        assert_int_equal(fr.header.flags, 0);
        *ret_id = fr.header.stream_id;
        assert_int_equal(ttrpc_request_parse(fr.data, fr.header.length, ret, &err), 0);
        ttrpc_frame_done(&fr);
}

static void
peer_send(struct fixture *f, uint32_t id, uint8_t type, const void *data, size_t len)
{
        struct ttrpc_outq q = {0};
        berth_error_t *err = NULL;

        ttrpc_outq_push_frame(&q, id, type, data, len);
        while (q.len > 0)
                assert_true(ttrpc_outq_flush(&q, f->peer, &err) >= 0);
        ttrpc_outq_done(&q);
}

static void
peer_send_response(struct fixture *f, uint32_t id, const struct ttrpc_response *resp)
{
        struct wire_buf b = {0};

        ttrpc_response_format(resp, &b);
        peer_send(f, id, TTRPC_FRAME_RESPONSE, b.data, b.len);
        wire_buf_done(&b);
}

/* Process the client until R is done (the peer has already written what it will write). */
static void
client_until(struct fixture *f, const struct result *r)
{
        berth_error_t *err = NULL;

        for (int i = 0; i < 500 && !r->done; i++) {
                if (ttrpc_client_process(f->client, &err) < 0) {
                        berth_error_free(err);
                        err = NULL;
                        break;
                }
                if (!r->done)
                        usleep(10000);
        }
        assert_true(r->done);
}

static void
test_stream_ids_and_envelope(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_kv md[] = {{"containerd-namespace-ttrpc", "default"}, {"x", "1"}, {"x", "2"}};
        struct ttrpc_client_request req = {.service = "containerd.task.v2.Task",
                                           .method = "State",
                                           .payload = "\x0a\x02t1",
                                           .payload_len = 4,
                                           .timeout_ns = 1500000000,
                                           .metadata = md,
                                           .n_metadata = 3};
        struct result r[3] = {{0}};
        berth_error_t *err = NULL;
        uint32_t ids[3], id;

        for (int i = 0; i < 3; i++) {
                assert_int_equal(
                        ttrpc_client_call_async(f->client, &req, on_reply, &r[i], &ids[i], &err),
                        0);
                assert_int_equal(ids[i], 1 + 2 * i); /* 1, 3, 5: as the Go client */
        }
        assert_int_equal(ttrpc_client_count_pending(f->client), 3);
        for (int i = 0; i < 3; i++) {
                struct ttrpc_request got;
                peer_read_request(f, &id, &got);
                assert_int_equal(id, ids[i]);
                assert_string_equal(got.service, "containerd.task.v2.Task");
                assert_string_equal(got.method, "State");
                assert_int_equal(got.payload_len, 4);
                assert_memory_equal(got.payload, "\x0a\x02t1", 4);
                assert_int_equal(got.timeout_nano, 1500000000);
                assert_int_equal(got.n_metadata, 3);
                assert_string_equal(got.metadata[0].value, "default");
                assert_string_equal(got.metadata[2].value, "2");
                ttrpc_request_done(&got);
        }
        /* Answers in reverse order, each to its own call; one for an unknown id is dropped. */
        for (int i = 2; i >= 0; i--) {
                uint8_t payload = (uint8_t) ('a' + i);
                struct ttrpc_response resp = {.payload = &payload, .payload_len = 1};
                if (i == 1)
                        peer_send_response(f, 99, &resp);
                peer_send_response(f, ids[i], &resp);
        }
        for (int i = 0; i < 3; i++) {
                client_until(f, &r[i]);
                assert_int_equal(r[i].code, 0);
                assert_int_equal(r[i].payload[0], 'a' + i);
                assert_int_equal(r[i].calls, 1);
                result_done(&r[i]);
        }
        assert_int_equal(ttrpc_client_count_pending(f->client), 0);
}

static void
test_odd_answers(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_client_request req = {.service = SVC, .method = "M"};
        struct result over = {0}, wrong_type = {0}, garbage = {0}, status = {0}, ok = {0};
        struct ttrpc_response st = {
                .has_status = true,
                .status = {.code = TTRPC_FAILED_PRECONDITION,
                           .message = "container must be created: failed precondition"}};
        struct ttrpc_response zero = {.has_status = true}; /* a status with code 0 is OK */
        struct ttrpc_frame_header h;
        uint8_t hdr[10], *junk = xzalloc(4194305);
        berth_error_t *err = NULL;
        uint32_t id[5];
        pid_t pid;

        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &over, &id[0], &err),
                         0);
        assert_int_equal(
                ttrpc_client_call_async(f->client, &req, on_reply, &wrong_type, &id[1], &err), 0);
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &garbage, &id[2], &err),
                         0);
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &status, &id[3], &err),
                         0);
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &ok, &id[4], &err), 0);
        /* Over the limit: skipped, the call fails with RESOURCE_EXHAUSTED's class. The socket
         * buffer is smaller than the frame: write it from a child while we read. */
        h = (struct ttrpc_frame_header){.length = 4194305, .stream_id = id[0], .type = 2};
        ttrpc_frame_header_format(&h, hdr);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (send(f->peer, hdr, 10, MSG_NOSIGNAL) != 10)
                        _exit(1);
                for (size_t off = 0; off < 4194305;) {
                        ssize_t n = send(f->peer, junk + off, 4194305 - off, MSG_NOSIGNAL);
                        if (n <= 0)
                                _exit(1);
                        off += (size_t) n;
                }
                _exit(0);
        }
        client_until(f, &over);
        {
                int status_;
                assert_int_equal(waitpid(pid, &status_, 0), pid);
                assert_true(WIFEXITED(status_) && WEXITSTATUS(status_) == 0);
        }
        assert_int_equal(over.code, ENOBUFS);
        assert_string_equal(over.msg,
                            "message length 4194305 exceed maximum message size of 4194304");
        /* A frame of another type on a pending id: that call fails (Go: "unknown message type"). */
        peer_send(f, id[1], TTRPC_FRAME_REQUEST, NULL, 0);
        client_until(f, &wrong_type);
        assert_int_equal(wrong_type.code, EPROTO);
        assert_string_equal(wrong_type.msg, "ttrpc: unknown message type 1 received");
        peer_send(f, id[2], TTRPC_FRAME_RESPONSE, "\x0a\x09", 2);
        client_until(f, &garbage);
        assert_int_equal(garbage.code, EPROTO);
        assert_string_equal(garbage.msg,
                            "ttrpc: bad response: field 1: length 9 runs past the end of the data");
        peer_send_response(f, id[3], &st);
        client_until(f, &status);
        assert_int_equal(status.code, EBUSY);
        assert_string_equal(status.msg, "container must be created: failed precondition");
        peer_send_response(f, id[4], &zero);
        client_until(f, &ok);
        assert_int_equal(ok.code, 0);
        assert_int_equal(ok.len, 0);
        result_done(&over);
        result_done(&wrong_type);
        result_done(&garbage);
        result_done(&status);
        result_done(&ok);
        free(junk);
}

static void
test_cancel_and_oversize_request(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_client_request req = {.service = SVC, .method = "M"};
        struct ttrpc_response resp = {0};
        struct result a = {0}, b = {0};
        berth_error_t *err = NULL;
        uint32_t ida, idb;

        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &a, &ida, &err), 0);
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &b, &idb, &err), 0);
        ttrpc_client_cancel(f->client, ida);
        peer_send_response(f, ida, &resp);
        peer_send_response(f, idb, &resp);
        client_until(f, &b);
        assert_false(a.done);
        result_done(&b);
        /* A request over 4 MiB is refused before it is sent (as ttrpc 1.2 clients do). */
        req.payload_len = 4 << 20;
        req.payload = xzalloc(req.payload_len);
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &a, NULL, &err),
                         -ENOBUFS);
        assert_true(strncmp(err->msg, "message length 41943", 20) == 0);
        assert_non_null(strstr(err->msg, " exceed maximum message size of 4194304"));
        berth_error_free(err);
        free((void *) req.payload);
        assert_int_equal(ttrpc_client_count_pending(f->client), 0);
}

struct close_seen {
        int calls;
        size_t pending_then;
};

static void
on_close(struct ttrpc_client *c, void *userdata)
{
        struct close_seen *cs = userdata;

        cs->calls++;
        cs->pending_then = ttrpc_client_count_pending(c);
}

static void
test_peer_closes(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_client_request req = {.service = SVC, .method = "M"};
        struct result a = {0}, b = {0};
        struct close_seen cs = {0};
        berth_error_t *err = NULL;

        ttrpc_client_on_close(f->client, on_close, &cs);
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &a, NULL, &err), 0);
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &b, NULL, &err), 0);
        close(f->peer);
        f->peer = -1;
        client_until(f, &a);
        client_until(f, &b);
        assert_int_equal(a.code, ECONNRESET);
        assert_string_equal(a.msg, "ttrpc: closed");
        assert_int_equal(b.code, ECONNRESET);
        assert_int_equal(cs.calls, 1);
        assert_int_equal(cs.pending_then, 0);
        assert_int_equal(ttrpc_client_fd(f->client), -1);
        assert_int_equal(ttrpc_client_process(f->client, &err), -ECONNRESET);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply, &a, NULL, &err),
                         -ECONNRESET);
        assert_string_equal(err->msg, "ttrpc: closed");
        berth_error_free(err);
        assert_int_equal(cs.calls, 1);
        result_done(&a);
        result_done(&b);
}

/* ---- against the C server, in a child ---- */

static void
srv_echo(struct ttrpc_call *call, void *userdata)
{
        const struct ttrpc_request *req = ttrpc_call_request(call);

        (void) userdata;
        ttrpc_call_reply(call, req->payload, req->payload_len);
}

static void
srv_fail(struct ttrpc_call *call, void *userdata)
{
        (void) userdata;
        ttrpc_call_reply_status(call, TTRPC_NOT_FOUND, "process does not exist %s: not found",
                                "e1");
}

static void
srv_never(struct ttrpc_call *call, void *userdata)
{
        struct ttrpc_call **slot = userdata;

        *slot = call; /* answered when the connection ends: reply to a cancelled call */
}

static void
srv_quit(struct ttrpc_call *call, void *userdata)
{
        (void) userdata;
        ttrpc_call_reply(call, NULL, 0);
}

static int
run_server(int fd)
{
        struct loop *l = NULL;
        struct ttrpc_server *s = NULL;
        struct ttrpc_call *held = NULL;
        berth_error_t *err = NULL;

        if (loop_new(&l, &err) < 0 || ttrpc_server_new(l, &s, &err) < 0)
                return 1;
        if (ttrpc_server_register(s, SVC, "Echo", srv_echo, NULL, &err) < 0
            || ttrpc_server_register(s, SVC, "Fail", srv_fail, NULL, &err) < 0
            || ttrpc_server_register(s, SVC, "Never", srv_never, &held, &err) < 0
            || ttrpc_server_register(s, SVC, "Quit", srv_quit, NULL, &err) < 0
            || ttrpc_server_add_connection(s, fd, &err) < 0)
                return 1;
        while (ttrpc_server_count_connections(s) > 0) {
                if (loop_run_once(l, 1000, &err) < 0)
                        return 1;
        }
        if (held) {
                if (!ttrpc_call_is_cancelled(held))
                        return 1;
                ttrpc_call_reply(held, NULL, 0);
        }
        ttrpc_server_free(s);
        loop_free(l);
        return 0;
}

static int
setup_server(void **state)
{
        struct fixture *f = xzalloc(sizeof(*f));
        berth_error_t *err = NULL;
        int sv[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        f->server_pid = fork();
        if (f->server_pid < 0)
                return -1;
        if (f->server_pid == 0) {
                close(sv[0]);
                _exit(run_server(sv[1]));
        }
        close(sv[1]);
        f->peer = -1;
        if (ttrpc_client_new(sv[0], &f->client, &err) < 0)
                return -1;
        *state = f;
        return 0;
}

static void
test_sync_calls(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_client_request req = {.service = SVC,
                                           .method = "Echo",
                                           .payload = "abc",
                                           .payload_len = 3,
                                           .timeout_ns = 5000000000};
        uint8_t *out = NULL;
        size_t len = 0;
        berth_error_t *err = NULL;
        int status;

        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), 0);
        assert_int_equal(len, 3);
        assert_memory_equal(out, "abc", 3);
        free(out);
        req.payload_len = 0;
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), 0);
        assert_null(out);
        assert_int_equal(len, 0);
        /* A failed status: the errno class and the message as sent. */
        req.method = "Fail";
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), -ENOENT);
        assert_string_equal(err->msg, "process does not exist e1: not found");
        berth_error_free(err);
        err = NULL;
        req.method = "Nope";
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), -EOPNOTSUPP);
        assert_string_equal(err->msg, "method Nope");
        berth_error_free(err);
        err = NULL;
        /* No answer in time: ETIMEDOUT; the connection stays usable. */
        req.method = "Never";
        req.timeout_ns = 200000000;
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), -ETIMEDOUT);
        assert_string_equal(err->msg, "context deadline exceeded");
        berth_error_free(err);
        err = NULL;
        assert_int_equal(ttrpc_client_count_pending(f->client), 0);
        req.method = "Echo";
        req.timeout_ns = 0;
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), 0);
        req.timeout_ns = -1;
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), -ETIMEDOUT);
        berth_error_free(err);
        /* Closing our end ends the server, which cancels the call it still holds. */
        ttrpc_client_free(f->client);
        f->client = NULL;
        assert_int_equal(waitpid(f->server_pid, &status, 0), f->server_pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        f->server_pid = -1;
}

struct nested {
        struct ttrpc_client *client;
        struct result inner;
        bool done;
};

/* An async answer that makes a synchronous call from its callback. */
static void
on_reply_nested(const uint8_t *payload, size_t len, const berth_error_t *err, void *userdata)
{
        struct nested *n = userdata;
        struct ttrpc_client_request req = {
                .service = SVC, .method = "Echo", .payload = "in", .payload_len = 2};
        uint8_t *out = NULL;
        size_t out_len = 0;
        berth_error_t *e = NULL;

        (void) payload;
        (void) len;
        assert_null(err);
        assert_int_equal(ttrpc_client_call(n->client, &req, &out, &out_len, &e), 0);
        assert_int_equal(out_len, 2);
        free(out);
        n->done = true;
}

static void
test_async_during_sync(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_client_request req = {
                .service = SVC, .method = "Echo", .payload = "x", .payload_len = 1};
        struct nested n = {.client = f->client};
        uint8_t *out = NULL;
        size_t len = 0;
        berth_error_t *err = NULL;

        /* Its answer arrives while the synchronous call below waits: the callback runs then,
         * and itself waits for another call. */
        assert_int_equal(ttrpc_client_call_async(f->client, &req, on_reply_nested, &n, NULL, &err),
                         0);
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), 0);
        free(out);
        for (int i = 0; i < 100 && !n.done; i++) {
                assert_int_equal(ttrpc_client_process(f->client, &err), 0);
                usleep(10000);
        }
        assert_true(n.done);
}

static void
test_server_gone(void **state)
{
        struct fixture *f = *state;
        struct ttrpc_client_request req = {.service = SVC, .method = "Never"};
        uint8_t *out = NULL;
        size_t len = 0;
        berth_error_t *err = NULL;

        kill(f->server_pid, SIGKILL);
        assert_int_equal(ttrpc_client_call(f->client, &req, &out, &len, &err), -ECONNRESET);
        assert_string_equal(err->msg, "ttrpc: closed");
        berth_error_free(err);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_stream_ids_and_envelope, setup_raw, teardown),
                cmocka_unit_test_setup_teardown(test_odd_answers, setup_raw, teardown),
                cmocka_unit_test_setup_teardown(test_cancel_and_oversize_request, setup_raw,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_peer_closes, setup_raw, teardown),
                cmocka_unit_test_setup_teardown(test_sync_calls, setup_server, teardown),
                cmocka_unit_test_setup_teardown(test_async_during_sync, setup_server, teardown),
                cmocka_unit_test_setup_teardown(test_server_gone, setup_server, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
