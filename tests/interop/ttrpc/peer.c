/* tests/interop/ttrpc/peer.c: the C side of the ttrpc interoperability test: berth's server and
 * client (proto/ttrpc) facing Go ttrpc 1.1.1 (main.go beside this file). Built by `make check`,
 * run by tests/integration/ttrpc_interop.bats.
 *
 *   ttrpc-peer server ADDR    serve berth.interop.v1.Echo until SIGTERM ("@name": abstract)
 *   ttrpc-peer client ADDR    check a server (the Go one), one "ok" line per check
 *   ttrpc-peer raw ADDR       hand-made frames; prints what comes back, for comparing servers
 *   ttrpc-peer refused ADDR   expect the server to drop us (run under another uid)
 *
 * Every method takes and returns a google.protobuf.StringValue (field 1, string). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/loop.h"
#include "lib/sock.h"
#include "lib/xalloc.h"
#include "proto/ttrpc/client.h"
#include "proto/ttrpc/frame.h"
#include "proto/ttrpc/server.h"
#include "proto/ttrpc/status.h"

#define SERVICE "berth.interop.v1.Echo"
#define NS_KEY  "containerd-namespace-ttrpc"

/* ---- google.protobuf.StringValue ---- */

static void
sv_format(const char *s, size_t n, struct wire_buf *out)
{
        if (n > 0) /* proto3: the empty string is not sent */
                wire_put_bytes_field(out, 1, s, n);
}

/* The value as a C string (Echo values here never hold NUL bytes). */
static int
sv_parse(const uint8_t *data, size_t len, char **ret, berth_error_t **err)
{
        cleanup_free char *v = NULL;
        struct wire_reader r;
        struct wire_field f;
        int n;

        wire_reader_init(&r, data, len);
        while ((n = wire_reader_next(&r, &f, err)) > 0) {
                if (f.number == 1 && wire_field_string(&f, &v, err) < 0)
                        return -EBADMSG;
        }
        if (n < 0)
                return n;
        *ret = v ? TAKE_PTR(v) : xstrdup("");
        return 0;
}

static void
reply_string(struct ttrpc_call *call, const char *s, size_t n)
{
        struct wire_buf b = {0};

        sv_format(s, n, &b);
        ttrpc_call_reply(call, b.data, b.len);
        wire_buf_done(&b);
}

/* The request's StringValue, or an INTERNAL answer as the Go server gives (services.go). */
static char *
call_value(struct ttrpc_call *call)
{
        const struct ttrpc_request *req = ttrpc_call_request(call);
        cleanup_error berth_error_t *e = NULL;
        char *v = NULL;

        if (sv_parse(req->payload, req->payload_len, &v, &e) < 0) {
                ttrpc_call_reply_bad_payload(call, e->msg);
                return NULL;
        }
        return v;
}

/* ---- server ---- */

struct peer_server {
        struct loop *loop;
        struct ttrpc_server *server;
};

struct sleeper {
        struct peer_server *ps;
        struct ttrpc_call *call;
        int tfd;
        char *value;
};

static void
sleeper_free(struct sleeper *s)
{
        loop_remove_fd(s->ps->loop, s->tfd);
        close(s->tfd);
        free(s->value);
        free(s);
}

static void
sleeper_fire(int fd, uint32_t events, void *userdata)
{
        struct sleeper *s = userdata;
        cleanup_free char *text = xasprintf("slept %s", s->value);

        (void) fd;
        (void) events;
        reply_string(s->call, text, strlen(text));
        sleeper_free(s);
}

static void
sleeper_cancel(struct ttrpc_call *call, void *userdata)
{
        struct sleeper *s = userdata;

        fprintf(stderr, "ttrpc-peer: cancelled Sleep %s\n", s->value);
        ttrpc_call_reply(call, NULL, 0); /* the peer is gone: frees the call */
        sleeper_free(s);
}

static void
h_echo(struct ttrpc_call *call, void *userdata)
{
        cleanup_free char *v = call_value(call);

        (void) userdata;
        if (v)
                reply_string(call, v, strlen(v));
}

/* Answered later, from a timerfd in the loop: the asynchronous path a shim's Wait takes. */
static void
h_sleep(struct ttrpc_call *call, void *userdata)
{
        struct peer_server *ps = userdata;
        cleanup_free char *v = call_value(call);
        cleanup_error berth_error_t *e = NULL;
        struct itimerspec its = {0};
        struct sleeper *s;
        char *end;
        long ms;

        if (!v)
                return;
        ms = strtol(v, &end, 10);
        if (*v == '\0' || *end != '\0' || ms < 0) {
                berth_error_new(&e, EINVAL, "sleep \"%s\"", v);
                ttrpc_call_reply_error(call, e);
                return;
        }
        s = xzalloc(sizeof(*s));
        s->ps = ps;
        s->call = call;
        s->value = TAKE_PTR(v);
        s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        its.it_value.tv_sec = ms / 1000;
        its.it_value.tv_nsec = (ms % 1000) * 1000000 + 1;
        if (s->tfd < 0 || timerfd_settime(s->tfd, 0, &its, NULL) < 0
            || loop_add_fd(ps->loop, s->tfd, EPOLLIN, sleeper_fire, s, &e) < 0) {
                berth_error_t *sys = NULL;
                berth_error_sys(&sys, errno ? errno : EIO, "sleep timer");
                ttrpc_call_reply_error(call, sys);
                berth_error_free(sys);
                if (s->tfd >= 0)
                        close(s->tfd);
                free(s->value);
                free(s);
                return;
        }
        ttrpc_call_on_cancel(call, sleeper_cancel, s);
}

static void
h_fail(struct ttrpc_call *call, void *userdata)
{
        cleanup_free char *v = call_value(call);
        cleanup_error berth_error_t *e = NULL;

        (void) userdata;
        if (!v)
                return;
        /* An errdefs.ErrNotFound on the Go side: NOT_FOUND "<detail>: not found". */
        berth_error_new(&e, ENOENT, "thing \"%s\"", v);
        ttrpc_call_reply_error(call, e);
}

static void
h_meta(struct ttrpc_call *call, void *userdata)
{
        cleanup_free char *v = call_value(call);
        cleanup_free char *text = NULL;
        const char *ns;

        (void) userdata;
        if (!v)
                return;
        ns = ttrpc_call_metadata(call, NS_KEY);
        text = xasprintf("ns=%s timeout=%s", ns ? ns : "",
                         ttrpc_call_deadline(call) ? "yes" : "no");
        reply_string(call, text, strlen(text));
}

static void
h_big(struct ttrpc_call *call, void *userdata)
{
        cleanup_free char *v = call_value(call);
        cleanup_free char *big = NULL;
        size_t n;

        (void) userdata;
        if (!v)
                return;
        n = strtoul(v, NULL, 10);
        big = xmalloc(n + 1);
        memset(big, 'x', n);
        reply_string(call, big, n); /* over 4 MiB: the server turns it into RESOURCE_EXHAUSTED */
}

static void
on_signal(int fd, uint32_t events, void *userdata)
{
        struct peer_server *ps = userdata;
        struct signalfd_siginfo si;

        (void) events;
        if (read(fd, &si, sizeof(si)) == (ssize_t) sizeof(si))
                loop_quit(ps->loop);
}

/* "@name" is an abstract socket, as Go and `ss` write it. */
static bool
addr_split(const char *addr, const char **ret_name)
{
        *ret_name = addr[0] == '@' ? addr + 1 : addr;
        return addr[0] == '@';
}

static int
run_server(const char *addr)
{
        cleanup_error berth_error_t *err = NULL;
        struct peer_server ps = {0};
        const char *name;
        bool abstract = addr_split(addr, &name);
        sigset_t mask;
        int sfd, r;

        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                perror("ttrpc-peer: signalfd");
                return 1;
        }
        r = loop_new(&ps.loop, &err);
        if (r >= 0)
                r = loop_add_fd(ps.loop, sfd, EPOLLIN, on_signal, &ps, &err);
        if (r >= 0)
                r = ttrpc_server_new(ps.loop, &ps.server, &err);
        if (r >= 0)
                r = ttrpc_server_register(ps.server, SERVICE, "Echo", h_echo, &ps, &err);
        if (r >= 0)
                r = ttrpc_server_register(ps.server, SERVICE, "Sleep", h_sleep, &ps, &err);
        if (r >= 0)
                r = ttrpc_server_register(ps.server, SERVICE, "Fail", h_fail, &ps, &err);
        if (r >= 0)
                r = ttrpc_server_register(ps.server, SERVICE, "Meta", h_meta, &ps, &err);
        if (r >= 0)
                r = ttrpc_server_register(ps.server, SERVICE, "Big", h_big, &ps, &err);
        if (r >= 0)
                r = ttrpc_server_listen_unix(ps.server, name, abstract, &err);
        if (r < 0) {
                fprintf(stderr, "ttrpc-peer: %s\n", err->msg);
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        r = loop_run(ps.loop, &err);
        ttrpc_server_free(ps.server);
        loop_remove_fd(ps.loop, sfd);
        close(sfd);
        loop_free(ps.loop);
        if (!abstract)
                unlink(name);
        if (r < 0) {
                fprintf(stderr, "ttrpc-peer: %s\n", err->msg);
                return 1;
        }
        return 0;
}

/* ---- client ---- */

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "ttrpc-peer: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

struct outcome {
        bool done;
        int code;
        char *msg;
        char *value;
};

static void
outcome_done(struct outcome *o)
{
        free(o->msg);
        free(o->value);
        memset(o, 0, sizeof(*o));
}

static void
on_reply(const uint8_t *payload, size_t len, const berth_error_t *err, void *userdata)
{
        struct outcome *o = userdata;
        berth_error_t *e = NULL;

        o->done = true;
        if (err) {
                o->code = err->code;
                o->msg = xstrdup(err->msg);
        } else if (sv_parse(payload, len, &o->value, &e) < 0) {
                o->code = EBADMSG;
                o->msg = xstrdup(e->msg);
                berth_error_free(e);
        }
}

static struct ttrpc_client_request
request(const char *method, const char *value, struct wire_buf *b)
{
        struct ttrpc_client_request req = {.service = SERVICE, .method = method};

        sv_format(value, strlen(value), b);
        req.payload = b->data;
        req.payload_len = b->len;
        return req;
}

/* Synchronous call: 0 and *RET_VALUE, or -errno and *RET_MSG. */
static int
call_sync(struct ttrpc_client *c, const char *method, const char *value, int64_t timeout_ns,
          const struct ttrpc_kv *md, size_t n_md, char **ret_value, char **ret_msg)
{
        struct wire_buf b = {0};
        struct ttrpc_client_request req = request(method, value, &b);
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *out = NULL;
        size_t len = 0;
        int r;

        req.timeout_ns = timeout_ns;
        req.metadata = md;
        req.n_metadata = n_md;
        r = ttrpc_client_call(c, &req, &out, &len, &err);
        wire_buf_done(&b);
        if (r < 0) {
                *ret_msg = xstrdup(err->msg);
                return r;
        }
        if (sv_parse(out, len, ret_value, &err) < 0)
                die("%s: bad answer: %s", method, err->msg);
        return 0;
}

static void
call_async(struct ttrpc_client *c, const char *method, const char *value, struct outcome *o)
{
        struct wire_buf b = {0};
        struct ttrpc_client_request req = request(method, value, &b);
        cleanup_error berth_error_t *err = NULL;

        if (ttrpc_client_call_async(c, &req, on_reply, o, NULL, &err) < 0)
                die("%s: %s", method, err->msg);
        wire_buf_done(&b);
}

/* Drive the client until O is done (10 s at most). */
static void
pump(struct ttrpc_client *c, const struct outcome *o)
{
        for (int i = 0; i < 1000 && !o->done; i++) {
                struct pollfd p = {.fd = ttrpc_client_fd(c), .events = POLLIN};
                cleanup_error berth_error_t *err = NULL;
                if (ttrpc_client_wants_write(c))
                        p.events |= POLLOUT;
                if (p.fd < 0)
                        break;
                (void) poll(&p, 1, 10);
                (void) ttrpc_client_process(c, &err);
        }
        if (!o->done)
                die("no answer");
}

static void
expect_echo(struct ttrpc_client *c, const char *what, const char *value)
{
        cleanup_free char *got = NULL, *msg = NULL;

        if (call_sync(c, "Echo", value, 0, NULL, 0, &got, &msg) < 0)
                die("%s: echo: %s", what, msg);
        if (strcmp(got, value) != 0)
                die("%s: echo \"%s\" came back as \"%s\"", what, value, got);
}

static void
expect_error(struct ttrpc_client *c, const char *what, const char *method, const char *value,
             int code, const char *msg_want)
{
        cleanup_free char *got = NULL, *msg = NULL;
        int r = call_sync(c, method, value, 0, NULL, 0, &got, &msg);

        if (r != -code || (msg_want && strcmp(msg, msg_want) != 0))
                die("%s: want -%d \"%s\", got %d \"%s\"", what, code, msg_want ? msg_want : "*", r,
                    msg ? msg : got);
}

static struct ttrpc_client *
connect_to(const char *addr)
{
        cleanup_error berth_error_t *err = NULL;
        struct ttrpc_client *c = NULL;
        const char *name;
        bool abstract = addr_split(addr, &name);

        if (ttrpc_client_connect_unix(name, abstract, &c, &err) < 0)
                die("%s", err->msg);
        return c;
}

static int
run_client(const char *addr)
{
        cleanup_ttrpc_client struct ttrpc_client *c = connect_to(addr);
        struct ttrpc_kv md[] = {{NS_KEY, "default"}};
        char *got = NULL, *msg = NULL;
        char *v;
        int r;

        expect_echo(c, "echo", "hello");
        expect_echo(c, "echo", "");
        printf("ok - echo\n");

        {
                struct outcome sleep = {0};
                call_async(c, "Sleep", "700", &sleep);
                for (int i = 0; i < 5; i++)
                        expect_echo(c, "echo while a call is pending", "e");
                if (sleep.done)
                        die("pending call: answered before the echoes");
                pump(c, &sleep);
                if (sleep.code || strcmp(sleep.value, "slept 700") != 0)
                        die("pending call: %d %s", sleep.code, sleep.msg ? sleep.msg : sleep.value);
                outcome_done(&sleep);
        }
        printf("ok - a pending call does not hold up the others (answered out of order)\n");

        {
                struct outcome o[100] = {{0}};
                char *vals[100];
                for (int i = 0; i < 100; i++) {
                        vals[i] = xasprintf("%d-%0*d", i, i, 0);
                        call_async(c, "Echo", vals[i], &o[i]);
                }
                for (int i = 0; i < 100; i++) {
                        pump(c, &o[i]);
                        if (o[i].code || strcmp(o[i].value, vals[i]) != 0)
                                die("concurrent call %d: %s", i, o[i].msg ? o[i].msg : o[i].value);
                        outcome_done(&o[i]);
                        free(vals[i]);
                }
        }
        printf("ok - 100 concurrent calls on one connection\n");

        expect_error(c, "errdefs NotFound", "Fail", "x", ENOENT, "thing \"x\": not found");
        printf("ok - errdefs NotFound round trip\n");

        expect_error(c, "unknown method", "Nope", "", EOPNOTSUPP, "method Nope");
        {
                struct ttrpc_client_request req = {.service = "berth.interop.v1.Nope",
                                                   .method = "Echo"};
                cleanup_error berth_error_t *err = NULL;
                cleanup_free uint8_t *out = NULL;
                size_t len;
                r = ttrpc_client_call(c, &req, &out, &len, &err);
                if (r != -EOPNOTSUPP || strcmp(err->msg, "service berth.interop.v1.Nope") != 0)
                        die("unknown service: %d %s", r, err ? err->msg : "");
        }
        printf("ok - unknown method and service\n");

        r = call_sync(c, "Meta", "", 10000000000, md, 1, &got, &msg);
        if (r < 0 || strcmp(got, "ns=default timeout=yes") != 0)
                die("meta: %s", r < 0 ? msg : got);
        free(got);
        r = call_sync(c, "Meta", "", 0, NULL, 0, &got, &msg);
        if (r < 0 || strcmp(got, "ns= timeout=no") != 0)
                die("meta without: %s", r < 0 ? msg : got);
        free(got);
        printf("ok - metadata and timeout reach the handler\n");

        r = call_sync(c, "Sleep", "3000", 300000000, NULL, 0, &got, &msg);
        if (r != -ETIMEDOUT || strcmp(msg, "context deadline exceeded") != 0)
                die("timeout: %d %s", r, r < 0 ? msg : got);
        free(msg);
        expect_echo(c, "after a timeout", "after");
        printf("ok - a call times out, the connection goes on\n");

        v = xmalloc((5 << 20) + 1);
        memset(v, 'y', 5 << 20);
        v[5 << 20] = '\0';
        r = call_sync(c, "Echo", v, 0, NULL, 0, &got, &msg);
        free(v);
        if (r != -ENOBUFS || !strstr(msg, " exceed maximum message size of 4194304"))
                die("over-limit request: %d %s", r, r < 0 ? msg : "");
        free(msg);
        printf("ok - over-limit request refused before sending\n");

        r = call_sync(c, "Big", "5242880", 0, NULL, 0, &got, &msg);
        if (r != -ENOBUFS || strncmp(msg, "message length 52428", 20) != 0
            || !strstr(msg, " exceed maximum message size of 4194304"))
                die("over-limit answer: %d %s", r, r < 0 ? msg : "(a value)");
        free(msg);
        expect_echo(c, "after an over-limit answer", "after");
        printf("ok - over-limit answer skipped, the connection goes on\n");

        {
                struct ttrpc_client *c2 = connect_to(addr);
                struct outcome sleep = {0};
                call_async(c2, "Sleep", "5000", &sleep);
                usleep(300000);
                (void) ttrpc_client_process(c2, NULL);
                ttrpc_client_free(c2);
                expect_echo(c, "after a client left with a call pending", "still");
        }
        printf("ok - a client that goes away with a call pending\n");
        return 0;
}

static int
run_refused(const char *addr)
{
        cleanup_ttrpc_client struct ttrpc_client *c = connect_to(addr);
        cleanup_free char *got = NULL, *msg = NULL;
        int r = call_sync(c, "Echo", "x", 5000000000, NULL, 0, &got, &msg);

        if (r != -ECONNRESET || strcmp(msg, "ttrpc: closed") != 0)
                die("refused: want -ECONNRESET \"ttrpc: closed\", got %d %s", r, r < 0 ? msg : got);
        printf("ok - refused\n");
        return 0;
}

/* ---- raw frames ---- */

static void
raw_write(int fd, const void *data, size_t len)
{
        const uint8_t *p = data;

        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        die("raw write: %s", strerror(errno));
                p += n;
                len -= (size_t) n;
        }
}

static void
raw_frame(int fd, uint32_t id, uint8_t type, const void *data, size_t len)
{
        struct ttrpc_frame_header h = {.length = (uint32_t) len, .stream_id = id, .type = type};
        uint8_t hdr[TTRPC_FRAME_HEADER_LEN];

        ttrpc_frame_header_format(&h, hdr);
        raw_write(fd, hdr, sizeof(hdr));
        raw_write(fd, data, len);
}

static void
raw_request(int fd, uint32_t id, uint8_t type, const struct ttrpc_request *req,
            const struct wire_buf *extra)
{
        struct wire_buf b = {0};

        ttrpc_request_format(req, &b);
        if (extra)
                wire_put_raw(&b, extra->data, extra->len);
        raw_frame(fd, id, type, b.data, b.len);
        wire_buf_done(&b);
}

/* Read one answer and print it: "<id> code=<c> message=<m> value=<v>"; with QUIET_MESSAGE the
 * message is left out (its text differs between implementations: decoder errors). */
static void
raw_print_answer(int fd, bool quiet_message)
{
        struct ttrpc_frame_reader r;
        struct ttrpc_frame f = {0};
        struct ttrpc_response resp;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *v = NULL;
        bool ready = false;
        uint8_t buf[4096];

        ttrpc_frame_reader_init(&r);
        while (!ready) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                ssize_t n;
                size_t off = 0;
                if (poll(&p, 1, 10000) != 1)
                        die("raw: no answer in 10 s");
                /* One byte at a time would be slow; never read past this frame, though. */
                n = recv(fd, buf,
                         r.hdr_len < TTRPC_FRAME_HEADER_LEN
                                 ? TTRPC_FRAME_HEADER_LEN - r.hdr_len
                                 : (r.header.length - r.data_len < sizeof(buf)
                                            ? r.header.length - r.data_len
                                            : sizeof(buf)),
                         0);
                if (n <= 0)
                        die("raw: connection closed");
                while (off < (size_t) n && !ready)
                        off += ttrpc_frame_reader_feed(&r, buf + off, (size_t) n - off, &f, &ready);
        }
        ttrpc_frame_reader_done(&r);
        if (f.header.type != TTRPC_FRAME_RESPONSE)
                die("raw: frame type %u", f.header.type);
        if (ttrpc_response_parse(f.data, f.header.length, &resp, &err) < 0)
                die("raw: %s", err->msg);
        if (sv_parse(resp.payload, resp.payload_len, &v, &err) < 0)
                die("raw: %s", err->msg);
        printf("%u code=%d", f.header.stream_id, resp.has_status ? resp.status.code : 0);
        if (resp.has_status && !quiet_message)
                printf(" message=%s", resp.status.message);
        if (*v)
                printf(" value=%s", v);
        printf("\n");
        fflush(stdout);
        ttrpc_response_done(&resp);
        ttrpc_frame_done(&f);
}

static int
run_raw(const char *addr)
{
        cleanup_error berth_error_t *err = NULL;
        struct wire_buf payload = {0}, extra = {0}, junk_field = {0};
        struct ttrpc_kv md[] = {{NS_KEY, "k8s.io"}, {NS_KEY, "second"}};
        struct ttrpc_request echo = {.service = SERVICE, .method = "Echo"};
        struct ttrpc_request meta = {.service = SERVICE,
                                     .method = "Meta",
                                     .timeout_nano = 30000000000,
                                     .metadata = md,
                                     .n_metadata = 2};
        struct ttrpc_request nope_svc = {.service = "nope.v1.X", .method = "Echo"};
        struct ttrpc_request nope_method = {.service = SERVICE, .method = "Nope"};
        const char *name;
        bool abstract = addr_split(addr, &name);
        int fd = abstract ? sock_connect_unix_abstract(name, &err) : sock_connect_unix(name, &err);
        uint8_t *big;

        if (fd < 0)
                die("%s", err->msg);
        sv_format("raw", 3, &payload);
        echo.payload = payload.data;
        echo.payload_len = payload.len;

        /* Over the limit: exactly LENGTH bytes skipped, RESOURCE_EXHAUSTED on that id. */
        big = xzalloc(5 << 20);
        raw_frame(fd, 1, TTRPC_FRAME_REQUEST, big, 5 << 20);
        raw_print_answer(fd, false);
        /* An even stream id. */
        raw_request(fd, 2, TTRPC_FRAME_REQUEST, &echo, NULL);
        raw_print_answer(fd, false);
        /* A Request that does not decode (field 1 runs past the end). */
        raw_frame(fd, 3, TTRPC_FRAME_REQUEST, "\x0a\x05", 2);
        raw_print_answer(fd, true);
        /* Frames of other types are ignored: ttrpc 1.2's data frame, a response. */
        raw_request(fd, 5, 0x03, &echo, NULL);
        raw_request(fd, 7, TTRPC_FRAME_RESPONSE, &echo, NULL);
        raw_request(fd, 9, TTRPC_FRAME_REQUEST, &echo, NULL);
        raw_print_answer(fd, false);
        raw_request(fd, 11, TTRPC_FRAME_REQUEST, &nope_svc, NULL);
        raw_print_answer(fd, false);
        raw_request(fd, 13, TTRPC_FRAME_REQUEST, &nope_method, NULL);
        raw_print_answer(fd, false);
        /* Unknown Request fields of every wire type, a group among them. */
        wire_put_varint_field(&extra, 99, 1);
        wire_put_tag(&extra, 100, WIRE_I64);
        wire_put_raw(&extra, "12345678", 8);
        wire_put_tag(&extra, 101, WIRE_I32);
        wire_put_raw(&extra, "1234", 4);
        wire_put_bytes_field(&extra, 102, "opaque", 6);
        wire_put_tag(&extra, 103, WIRE_SGROUP);
        wire_put_varint_field(&extra, 1, 5);
        wire_put_tag(&extra, 103, WIRE_EGROUP);
        raw_request(fd, 15, TTRPC_FRAME_REQUEST, &echo, &extra);
        raw_print_answer(fd, false);
        /* Metadata (a multimap: the first value is what a lookup gives) and a timeout. */
        raw_request(fd, 17, TTRPC_FRAME_REQUEST, &meta, NULL);
        raw_print_answer(fd, false);
        /* Exactly at the limit: a frame like any other (empty service, one big unknown field). */
        wire_put_tag(&junk_field, 15, WIRE_LEN);
        wire_put_varint(&junk_field, (4u << 20) - 5);
        memcpy(big, junk_field.data, junk_field.len);
        raw_frame(fd, 19, TTRPC_FRAME_REQUEST, big, 4u << 20);
        raw_print_answer(fd, false);
        /* Ids need not grow. */
        raw_request(fd, 1, TTRPC_FRAME_REQUEST, &echo, NULL);
        raw_print_answer(fd, false);
        free(big);
        wire_buf_done(&payload);
        wire_buf_done(&extra);
        wire_buf_done(&junk_field);

        /* The same connection, now under the client: calls still work. */
        {
                cleanup_ttrpc_client struct ttrpc_client *c = NULL;
                if (ttrpc_client_new(fd, &c, &err) < 0)
                        die("%s", err->msg);
                expect_echo(c, "client on the raw connection", "done");
                printf("client echo ok\n");
        }
        return 0;
}

int
main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: ttrpc-peer server|client|raw|refused ADDR\n");
                return 2;
        }
        if (strcmp(argv[1], "server") == 0)
                return run_server(argv[2]);
        if (strcmp(argv[1], "client") == 0)
                return run_client(argv[2]);
        if (strcmp(argv[1], "raw") == 0)
                return run_raw(argv[2]);
        if (strcmp(argv[1], "refused") == 0)
                return run_refused(argv[2]);
        fprintf(stderr, "ttrpc-peer: unknown mode \"%s\"\n", argv[1]);
        return 2;
}
