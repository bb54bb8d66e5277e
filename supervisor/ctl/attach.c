/* supervisor/ctl/attach.c: berthctl run (attached), attach and exec over hijacked connections
 * (see attach.h). libcurl cannot hand over its socket, so the hijacked request is written by
 * hand on the daemon's UNIX socket; everything else goes through client.c. */
#include <config.h>

#include "supervisor/ctl/attach.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/detach_keys.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/api/stdcopy.h"
#include "supervisor/ctl/client.h"
#include "supervisor/ctl/login.h"

int
ctl_http_status_parse(const char *head)
{
        int code;

        if (strncmp(head, "HTTP/1.", 7) != 0 || head[7] == '\0' || head[8] != ' ')
                return -1;
        if (sscanf(head + 9, "%3d", &code) != 1 || code < 100 || code > 599)
                return -1;
        return code;
}

/* A hijacked connection: the socket, and what came after the response head. */
struct hijack {
        int fd;
        char extra[4096];
        size_t n_extra;
};

/* METHOD PATH with JSON (may be NULL), asking for `Upgrade: tcp`. 0 with H open on 101 or 200;
 * else the exit status after printing the daemon's message. */
static int
hijack_open(const char *host, const char *method, const char *path, const char *json,
            struct hijack *h)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        cleanup_free char *req = NULL;
        char head[16384];
        size_t n = 0;
        char *end = NULL;
        int code;

        if (strncmp(host, "unix://", 7) != 0 || strlen(host + 7) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "berthctl: host \"%s\": want unix:///path/to/socket\n", host);
                return 125;
        }
        strcpy(sa.sun_path, host + 7);
        h->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (h->fd < 0 || connect(h->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "berthctl: cannot connect to berthd at %s: %s (is berthd running?)\n",
                        host, strerror(errno));
                return 125;
        }
        req = xasprintf("%s /v" CTL_CLIENT_API "%s HTTP/1.1\r\nHost: api.moby.localhost\r\n"
                        "User-Agent: berthctl\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                        "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n%s",
                        method, path, json ? "application/json" : "text/plain",
                        json ? strlen(json) : 0, json ? json : "");
        if (fs_write_all(h->fd, req, strlen(req)) < 0) {
                fprintf(stderr, "berthctl: %s %s: %s\n", method, path, strerror(errno));
                return 125;
        }
        while (n < sizeof(head) - 1) {
                ssize_t k = read(h->fd, head + n, sizeof(head) - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
                head[n] = '\0';
                if ((end = strstr(head, "\r\n\r\n")) != NULL)
                        break;
        }
        if (end == NULL || (code = ctl_http_status_parse(head)) < 0) {
                fprintf(stderr, "berthctl: %s %s: no HTTP answer\n", method, path);
                return 125;
        }
        end += 4;
        if (code == 101 || code == 200) {
                h->n_extra = n - (size_t) (end - head);
                memcpy(h->extra, end, h->n_extra);
                return 0;
        }
        {
                /* An error: {"message": ...} (read whatever else comes within a moment). */
                struct pollfd p = {.fd = h->fd, .events = POLLIN};
                cleanup_json struct json_object *o = NULL;
                while (n < sizeof(head) - 1 && poll(&p, 1, 200) > 0) {
                        ssize_t k = read(h->fd, head + n, sizeof(head) - 1 - n);
                        if (k <= 0)
                                break;
                        n += (size_t) k;
                }
                head[n] = '\0';
                o = json_tokener_parse(strstr(head, "\r\n\r\n") + 4);
                fprintf(stderr, "Error response from daemon: %s\n",
                        o ? json_object_get_string(json_key(o, "message")) : "(no message)");
        }
        return code == 404 ? 1 : 125;
}

static struct termios saved_tio;
static bool raw_on;

static void
raw_mode(bool on)
{
        if (on && !raw_on && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
                struct termios t = saved_tio;
                cfmakeraw(&t);
                t.c_oflag |= OPOST; /* docker keeps output processing: \n stays \r\n */
                if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
                        raw_on = true;
        } else if (!on && raw_on) {
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
                raw_on = false;
        }
}

/* The signal thread: SIGWINCH resizes PATH's tty (RESIZE_PATH "/containers/ID/resize" or
 * "/exec/ID/resize"), the others go to the container with KILL_PATH (NULL: not proxied). */
struct sigs {
        const char *host;
        char *resize_path;
        char *kill_path;
        sigset_t set;
};

static void
resize_now(const char *host, const char *path)
{
        struct winsize ws;
        struct ctl_reply r;
        cleanup_free char *p = NULL;

        if (path == NULL || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0)
                return;
        p = xasprintf("%s?h=%u&w=%u", path, ws.ws_row, ws.ws_col);
        if (ctl_request_json(host, "POST", p, NULL, &r) == 0)
                ctl_reply_done(&r);
}

static void *
sig_thread(void *arg)
{
        struct sigs *s = arg;

        for (;;) {
                int sig;
                if (sigwait(&s->set, &sig) != 0)
                        continue;
                if (sig == SIGWINCH) {
                        resize_now(s->host, s->resize_path);
                } else if (s->kill_path) {
                        cleanup_free char *p = xasprintf("%s?signal=%d", s->kill_path, sig);
                        struct ctl_reply r;
                        if (ctl_request_json(s->host, "POST", p, NULL, &r) == 0)
                                ctl_reply_done(&r);
                }
        }
        return NULL;
}

/* Block the signals the signal thread takes (before any other thread exists) and start it. */
static void
sigs_start(struct sigs *s)
{
        static const int sigs[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
        pthread_t t;

        sigemptyset(&s->set);
        sigaddset(&s->set, SIGWINCH);
        if (s->kill_path)
                for (size_t i = 1; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                        sigaddset(&s->set, sigs[i]);
        pthread_sigmask(SIG_BLOCK, &s->set, NULL);
        if (pthread_create(&t, NULL, sig_thread, s) == 0)
                pthread_detach(t);
}

struct stdin_copy {
        int fd;
        bool tty;
        struct detach_keys dk;
        volatile bool detached;
};

static void *
stdin_thread(void *arg)
{
        struct stdin_copy *c = arg;
        char buf[16384], pass[sizeof(buf) + DETACH_KEYS_MAX];
        ssize_t n;

        while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
                size_t m = (size_t) n;
                const char *out = buf;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break;
                /* As the docker CLI: with a tty the detach keys are caught here too, so the
                 * client knows it detached (berthd would end the stream either way). */
                if (c->tty) {
                        c->detached = detach_keys_scan(&c->dk, buf, m, pass, &m);
                        out = pass;
                }
                if (m > 0 && fs_write_all(c->fd, out, m) < 0)
                        break;
                if (c->detached) {
                        shutdown(c->fd, SHUT_RDWR);
                        return NULL;
                }
        }
        /* CloseWrite: the container's stdin ends, its output still comes. */
        shutdown(c->fd, SHUT_WR);
        return NULL;
}

/* The detach keys: the flag's, else the client config's detachKeys; NULL: docker's default. */
static char *
detach_keys_spec(const char *flag)
{
        return flag ? xstrdup(flag) : ctl_config_string("detachKeys");
}

/* SPEC for a query string ("&detachKeys=…"), or "" when there is none. */
static char *
detach_keys_query(const char *spec)
{
        cleanup_free char *e = NULL;

        if (spec == NULL || spec[0] == '\0')
                return xstrdup("");
        e = ctl_escape(spec);
        return xasprintf("&detachKeys=%s", e);
}

static int
demux_out(int stream, const void *buf, size_t len, void *arg)
{
        (void) arg;
        return fs_write_all(stream == STDCOPY_STDERR ? STDERR_FILENO : STDOUT_FILENO, buf, len) < 0
                       ? -EPIPE
                       : 0;
}

/* Copy H both ways until the daemon ends the stream: stdin (when IN) to it, its output to ours
 * (framed unless TTY). With a TTY, KEYS (a detach keys spec, NULL: the default; a bad one is
 * the default, as the docker CLI) end it from our side. Returns true when the user detached. */
static bool
hijack_stream(struct hijack *h, bool in, bool tty, const char *keys)
{
        struct stdcopy_decoder d = {0};
        /* Static: the stdin thread may outlive this call (blocked in read(0)). */
        static struct stdin_copy c;
        cleanup_error berth_error_t *err = NULL;
        char buf[16384];
        pthread_t t;
        ssize_t n;

        c = (struct stdin_copy){.fd = h->fd, .tty = tty};
        if (detach_keys_parse(keys, &c.dk, &err) < 0) {
                berth_error_free(TAKE_PTR(err));
                (void) detach_keys_parse(NULL, &c.dk, &err);
        }
        if (in && pthread_create(&t, NULL, stdin_thread, &c) == 0)
                pthread_detach(t); /* blocked in read(0) at the end: exit() takes it */
        if (h->n_extra > 0) {
                int r = tty ? fs_write_all(STDOUT_FILENO, h->extra, h->n_extra)
                            : stdcopy_decode(&d, h->extra, h->n_extra, demux_out, NULL, &err);
                if (r < 0)
                        return c.detached;
        }
        while ((n = read(h->fd, buf, sizeof(buf))) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break;
                if (tty) {
                        if (fs_write_all(STDOUT_FILENO, buf, (size_t) n) < 0)
                                break;
                } else if (stdcopy_decode(&d, buf, (size_t) n, demux_out, NULL, &err) < 0) {
                        break;
                }
        }
        return c.detached;
}

struct waiter {
        const char *host;
        char *path;
        int code;
        int rc;
        char *body; /* the 2xx body, collected */
        size_t len;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool ready; /* the wait is registered (its headers came), or the request is over */
};

static void
waiter_ready(void *arg)
{
        struct waiter *w = arg;

        pthread_mutex_lock(&w->lock);
        w->ready = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
}

static void
waiter_body(const char *data, size_t len, void *arg)
{
        struct waiter *w = arg;

        w->body = xrealloc(w->body, w->len + len + 1);
        memcpy(w->body + w->len, data, len);
        w->len += len;
        w->body[w->len] = '\0';
}

static void *
wait_thread(void *arg)
{
        struct waiter *w = arg;
        struct ctl_reply r;
        cleanup_json struct json_object *o = NULL;

        w->rc = -1;
        if (ctl_request_stream_ready(w->host, "POST", w->path, waiter_body, waiter_ready, w, &r)
            == 0) {
                if (r.status == 200 && w->body && (o = json_tokener_parse(w->body)) != NULL) {
                        w->code = json_object_get_int(json_key(o, "StatusCode"));
                        w->rc = 0;
                        if (json_key(json_key(o, "Error"), "Message")) {
                                /* docker's CLI: the message, status 125. */
                                fprintf(stderr, "Error waiting for container: %s\n",
                                        json_object_get_string(
                                                json_key(json_key(o, "Error"), "Message")));
                                w->code = 125;
                        }
                }
                ctl_reply_done(&r);
        }
        free(w->body);
        waiter_ready(w); /* failed before its headers: do not keep the start waiting */
        return NULL;
}

int
ctl_run_attached(const char *host, const char *id, const struct ctl_attach_options *o)
{
        bool rm = o->rm, sig_proxy = o->sig_proxy;
        cleanup_free char *keys = detach_keys_spec(o->detach_keys), *kq = detach_keys_query(keys);
        cleanup_free char *e = ctl_escape(id), *path = NULL, *ipath = NULL;
        cleanup_json struct json_object *info = NULL;
        struct hijack h = {.fd = -1};
        struct sigs s = {.host = host};
        struct waiter w = {.host = host,
                           .lock = PTHREAD_MUTEX_INITIALIZER,
                           .cond = PTHREAD_COND_INITIALIZER};
        struct json_object *cfg;
        struct ctl_reply r;
        bool tty, in, out, errs;
        pthread_t wt;
        int rc;

        ipath = xasprintf("/containers/%s/json", e);
        info = ctl_get_json(host, ipath);
        if (info == NULL)
                return 125;
        cfg = json_key(info, "Config");
        tty = json_object_get_boolean(json_key(cfg, "Tty"));
        if (o->streams < 0) {
                in = json_object_get_boolean(json_key(cfg, "AttachStdin"));
                out = json_object_get_boolean(json_key(cfg, "AttachStdout"));
                errs = json_object_get_boolean(json_key(cfg, "AttachStderr"));
        } else {
                in = (o->streams & 1) && json_object_get_boolean(json_key(cfg, "OpenStdin"));
                out = o->streams & 2;
                errs = o->streams & 4;
        }
        s.resize_path = tty ? xasprintf("/containers/%s/resize", e) : NULL;
        s.kill_path = sig_proxy && !tty ? xasprintf("/containers/%s/kill", e) : NULL;
        sigs_start(&s);
        if (in || out || errs) {
                path = xasprintf("/containers/%s/attach?stream=1%s%s%s%s", e, in ? "&stdin=1" : "",
                                 out ? "&stdout=1" : "", errs ? "&stderr=1" : "", kq);
                rc = hijack_open(host, "POST", path, NULL, &h);
                if (rc != 0)
                        return rc;
        }
        /* As the docker CLI: the wait is registered before the start. */
        w.path = xasprintf("/containers/%s/wait?condition=%s", e, rm ? "removed" : "next-exit");
        if (pthread_create(&wt, NULL, wait_thread, &w) != 0)
                return 125;
        pthread_mutex_lock(&w.lock);
        while (!w.ready)
                pthread_cond_wait(&w.cond, &w.lock);
        pthread_mutex_unlock(&w.lock);
        free(path);
        path = xasprintf("/containers/%s/start", e);
        if (ctl_request_json(host, "POST", path, NULL, &r) < 0)
                return 125;
        if (r.status >= 300) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                return rm ? 125 : 127;
        }
        ctl_reply_done(&r);
        if (tty) {
                raw_mode(in);
                resize_now(host, s.resize_path);
        }
        if (h.fd >= 0 && hijack_stream(&h, in, tty, keys)) {
                /* Detached: the container runs on; docker run and start say nothing. */
                raw_mode(false);
                return 0;
        }
        raw_mode(false);
        pthread_join(wt, NULL);
        free(w.path);
        if (h.fd >= 0)
                close(h.fd);
        return w.rc == 0 ? w.code : 125;
}

static int
cmd_attach(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"no-stdin", no_argument, NULL, 'n'},
                                             {"sig-proxy", optional_argument, NULL, 's'},
                                             {"detach-keys", required_argument, NULL, 'k'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *e = NULL, *path = NULL, *keys = NULL, *kq = NULL;
        cleanup_json struct json_object *info = NULL, *after = NULL;
        struct hijack h = {.fd = -1};
        struct sigs s = {.host = host};
        bool no_stdin = false, proxy = true, tty, in;
        const char *keys_flag = NULL;
        int c, rc;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                if (c == 'n')
                        no_stdin = true;
                else if (c == 's')
                        proxy = !(optarg && (strcmp(optarg, "false") == 0 || strcmp(optarg, "0") == 0));
                else if (c == 'k')
                        keys_flag = optarg;
                else
                        return 125;
        }
        keys = detach_keys_spec(keys_flag);
        kq = detach_keys_query(keys);
        if (optind + 1 != argc) {
                fprintf(stderr, "\"attach\" requires exactly 1 argument.\n");
                return 125;
        }
        e = ctl_escape(argv[optind]);
        path = xasprintf("/containers/%s/json", e);
        info = ctl_get_json(host, path);
        if (info == NULL)
                return 1;
        if (!json_object_get_boolean(json_key(json_key(info, "State"), "Running"))) {
                fprintf(stderr, "You cannot attach to a stopped container, start it first\n");
                return 1;
        }
        tty = json_object_get_boolean(json_key(json_key(info, "Config"), "Tty"));
        in = !no_stdin && json_object_get_boolean(json_key(json_key(info, "Config"), "OpenStdin"));
        s.resize_path = tty ? xasprintf("/containers/%s/resize", e) : NULL;
        s.kill_path = proxy && !tty ? xasprintf("/containers/%s/kill", e) : NULL;
        sigs_start(&s);
        free(path);
        path = xasprintf("/containers/%s/attach?stream=1&stdout=1&stderr=1%s%s", e,
                         in ? "&stdin=1" : "", kq);
        rc = hijack_open(host, "POST", path, NULL, &h);
        if (rc != 0)
                return rc;
        if (tty) {
                raw_mode(in);
                resize_now(host, s.resize_path);
        }
        if (hijack_stream(&h, in, tty, keys)) {
                /* The docker CLI's words and status for a detach. */
                raw_mode(false);
                close(h.fd);
                fprintf(stderr, "read escape sequence\n");
                return 1;
        }
        raw_mode(false);
        close(h.fd);
        /* docker attach ends with the container's status. */
        free(path);
        path = xasprintf("/containers/%s/json", e);
        after = ctl_get_json(host, path);
        return after ? json_object_get_int(json_key(json_key(after, "State"), "ExitCode")) : 0;
}

static int
cmd_exec(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"detach", no_argument, NULL, 'd'},
                                             {"interactive", no_argument, NULL, 'i'},
                                             {"tty", no_argument, NULL, 't'},
                                             {"env", required_argument, NULL, 'e'},
                                             {"workdir", required_argument, NULL, 'w'},
                                             {"user", required_argument, NULL, 'u'},
                                             {"privileged", no_argument, NULL, 'p'},
                                             {"detach-keys", required_argument, NULL, 'k'},
                                             {NULL, 0, NULL, 0}};
        cleanup_json struct json_object *body = json_object_new_object(), *reply = NULL,
                                        *info = NULL;
        struct json_object *env = json_object_new_array(), *cmd = json_object_new_array();
        cleanup_free char *e = NULL, *path = NULL, *eid = NULL, *start = NULL, *keys = NULL;
        bool detach = false, in = false, tty = false;
        const char *keys_flag = NULL;
        struct hijack h = {.fd = -1};
        struct sigs s = {.host = host};
        struct ctl_reply r;
        int c, rc;

        json_object_object_add(body, "Env", env);
        json_object_object_add(body, "Cmd", cmd);
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+ditpe:w:u:", opts, NULL)) != -1) {
                switch (c) {
                case 'd': detach = true; break;
                case 'i': in = true; break;
                case 't': tty = true; break;
                case 'p':
                        json_object_object_add(body, "Privileged", json_object_new_boolean(true));
                        break;
                case 'e':
                        if (strchr(optarg, '=') == NULL) {
                                const char *v = getenv(optarg);
                                if (v == NULL)
                                        break;
                                json_object_array_add(env, json_object_new_string(
                                                                   (path = xasprintf("%s=%s", optarg, v))));
                                free(path);
                                path = NULL;
                        } else {
                                json_object_array_add(env, json_object_new_string(optarg));
                        }
                        break;
                case 'w':
                        json_object_object_add(body, "WorkingDir", json_object_new_string(optarg));
                        break;
                case 'u':
                        json_object_object_add(body, "User", json_object_new_string(optarg));
                        break;
                case 'k':
                        keys_flag = optarg;
                        break;
                default:
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (optind + 2 > argc) {
                fprintf(stderr, "\"exec\" requires at least 2 arguments.\n");
                return 125;
        }
        for (int i = optind + 1; i < argc; i++)
                json_object_array_add(cmd, json_object_new_string(argv[i]));
        json_object_object_add(body, "Tty", json_object_new_boolean(tty));
        json_object_object_add(body, "AttachStdin", json_object_new_boolean(in && !detach));
        json_object_object_add(body, "AttachStdout", json_object_new_boolean(!detach));
        json_object_object_add(body, "AttachStderr", json_object_new_boolean(!detach));
        json_object_object_add(body, "Detach", json_object_new_boolean(detach));
        keys = detach_keys_spec(keys_flag);
        json_object_object_add(body, "DetachKeys", json_object_new_string(keys ? keys : ""));
        e = ctl_escape(argv[optind]);
        path = xasprintf("/containers/%s/exec", e);
        if (ctl_request_json(host, "POST", path,
                             json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), &r) < 0)
                return 125;
        if (r.status != 201 || (reply = json_tokener_parse(r.body)) == NULL) {
                rc = ctl_print_error(&r);
                ctl_reply_done(&r);
                return rc;
        }
        ctl_reply_done(&r);
        eid = ctl_escape(json_object_get_string(json_key(reply, "Id")));
        free(path);
        path = xasprintf("/exec/%s/start", eid);
        start = xasprintf("{\"Detach\":%s,\"Tty\":%s}", detach ? "true" : "false",
                          tty ? "true" : "false");
        if (detach) {
                if (ctl_request_json(host, "POST", path, start, &r) < 0)
                        return 125;
                rc = r.status >= 300 ? ctl_print_error(&r) : 0;
                ctl_reply_done(&r);
                return rc;
        }
        s.resize_path = tty ? xasprintf("/exec/%s/resize", eid) : NULL;
        sigs_start(&s);
        rc = hijack_open(host, "POST", path, start, &h);
        if (rc != 0)
                return rc;
        if (tty) {
                raw_mode(in);
                resize_now(host, s.resize_path);
        }
        if (hijack_stream(&h, in, tty, keys)) {
                raw_mode(false);
                close(h.fd);
                fprintf(stderr, "read escape sequence\n");
                return 1;
        }
        raw_mode(false);
        close(h.fd);
        free(path);
        path = xasprintf("/exec/%s/json", eid);
        info = ctl_get_json(host, path);
        return info ? json_object_get_int(json_key(info, "ExitCode")) : 125;
}

bool
ctl_attach_known(const char *verb)
{
        return strcmp(verb, "attach") == 0 || strcmp(verb, "exec") == 0;
}

int
ctl_attach_main(const char *host, int argc, char **argv)
{
        if (strcmp(argv[0], "attach") == 0)
                return cmd_attach(host, argc, argv);
        return cmd_exec(host, argc, argv);
}
