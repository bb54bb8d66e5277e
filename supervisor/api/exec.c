/* supervisor/api/exec.c: the hijacked half of docker's exec: POST /exec/{id}/start without
 * Detach (called from api_exec_start in containers_run.c) and POST /exec/{id}/resize. The
 * records, create, inspect and detached starts are supervisor/containers/run_exec.c's.
 *
 * Stdio: FIFOs <bundle>/exec-<id>-std{in,out,err} (our read ends opened before the shim's
 * blocking opens), copied both ways to the connection, framed without a tty; the exit code is
 * recorded by run_exec.c from the shim's TaskExit, and the session waits for it before it ends
 * the stream, so that GET /exec/{id}/json has it when the CLI asks. With a tty, as dockerd: the
 * exec's DetachKeys (default ctrl-p ctrl-q) in its stdin end the session and leave the process
 * running (an "exec_detach" event), and so does the end of the client's input. */
#include <config.h>

#include "supervisor/api/containers_attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/detach_keys.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "supervisor/api/hijack.h"
#include "supervisor/containers/run.h"

/* Terminal sizes asked for before the process ran (the CLI resizes as soon as the hijack is
 * answered): applied by the session right after Start. */
struct pending_size {
        char *id;
        bool started;
        uint32_t w, h;
        struct pending_size *next;
};
static pthread_mutex_t sizes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending_size *sizes;

static struct pending_size *
size_find(const char *id, bool add)
{
        struct pending_size *p;

        for (p = sizes; p; p = p->next)
                if (strcmp(p->id, id) == 0)
                        return p;
        if (!add)
                return NULL;
        p = xzalloc(sizeof(*p));
        p->id = xstrdup(id);
        p->next = sizes;
        sizes = p;
        return p;
}

static void
size_forget(const char *id)
{
        pthread_mutex_lock(&sizes_lock);
        for (struct pending_size **pp = &sizes; *pp; pp = &(*pp)->next)
                if (strcmp((*pp)->id, id) == 0) {
                        struct pending_size *p = *pp;
                        *pp = p->next;
                        free(p->id);
                        free(p);
                        break;
                }
        pthread_mutex_unlock(&sizes_lock);
}

struct exec_run {
        struct container_runner *r;
        char *id;
        char *container;
        bool tty, in;
        struct task *t;
        int in_fd; /* our writer of the exec's stdin FIFO */
        struct detach_keys dk; /* scanned for with a tty */
        char *paths[3];
        struct api_stream *s;
};

static void
exec_run_free(void *p)
{
        struct exec_run *x = p;

        if (x->in_fd >= 0)
                close(x->in_fd);
        for (int i = 0; i < 3; i++) {
                if (x->paths[i])
                        unlink(x->paths[i]);
                free(x->paths[i]);
        }
        if (x->t)
                container_run_task_put(x->r, x->t);
        if (x->id)
                size_forget(x->id);
        free(x->id);
        free(x->container);
        free(x);
}

static void
sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
}

/* Wait until run_exec.c has recorded the exit (or the record is gone). */
static void
exec_wait_done(struct exec_run *x)
{
        int code;

        while (!container_exec_wait_done(x->r, x->id, 1000, &code))
                ;
}

static void *
exec_stdin_pump(void *p)
{
        struct exec_run *x = p;
        char buf[16384], pass[sizeof(buf) + DETACH_KEYS_MAX];
        bool detached = false;
        ssize_t n;

        while ((n = api_hijack_read(x->s, buf, sizeof(buf))) > 0) {
                size_t m = (size_t) n;
                const char *out = buf;
                if (x->tty) {
                        detached = detach_keys_scan(&x->dk, buf, (size_t) n, pass, &m);
                        out = pass;
                }
                if (m > 0 && fs_write_all(x->in_fd, out, m) < 0)
                        break;
                if (detached)
                        break;
        }
        if (x->tty) {
                /* dockerd: with a tty, detaching or the end of input ends the session; the
                 * process keeps its stdin. Shutting the socket wakes the session's poll. */
                if (detached)
                        container_run_event(x->r, x->container, "exec_detach", "execID", x->id);
                shutdown(x->s->fd, SHUT_RDWR);
                return NULL;
        }
        if (n == 0) {
                cleanup_error berth_error_t *err = NULL;
                /* The client's CloseWrite: end of input for the process (fine if it ended). */
                close(x->in_fd);
                x->in_fd = -1;
                (void) task_close_stdin(x->t, x->id, &err);
        }
        return NULL;
}

static void
apply_pending_size(struct exec_run *x)
{
        uint32_t w = 0, h = 0;

        pthread_mutex_lock(&sizes_lock);
        {
                struct pending_size *p = size_find(x->id, true);
                p->started = true;
                w = p->w;
                h = p->h;
        }
        pthread_mutex_unlock(&sizes_lock);
        /* The shim gets the exec's console a moment after Start: retry briefly. */
        for (int i = 0; x->tty && w && h && i < 20; i++) {
                cleanup_error berth_error_t *err = NULL;
                if (task_resize_pty(x->t, x->id, w, h, &err) == 0)
                        break;
                log_debug("exec %s: resize: %s", x->id, err->msg);
                sleep_ms(50);
        }
}

/* Whether the client has gone altogether (not just closed its write side). */
static bool
client_is_gone(struct api_stream *s)
{
        struct pollfd p = {.fd = s->fd, .events = 0};

        return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static void
exec_session(struct api_stream *s, void *arg)
{
        struct exec_run *x = arg;
        cleanup_close int out = -1, errfd = -1;
        cleanup_error berth_error_t *err = NULL;
        struct task_stdio io = {0};
        pthread_t pump;
        bool pumping = false;
        char buf[16384];

        x->s = s;
        /* Our read ends first: the shim opens the write ends blocking. */
        if (x->paths[1] && (out = open(x->paths[1], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
                io.out = x->paths[1];
        if (x->paths[2] && (errfd = open(x->paths[2], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
                io.err = x->paths[2];
        if (x->paths[0])
                io.in = x->paths[0];
        api_hijack_wait_read(s, 500);
        if (container_exec_start_io(x->r, x->id, &io, NULL, &err) < 0) {
                /* dockerd writes the error and "\r\n" to the stream's stdout; the CLI then
                 * reads ExitCode 126 from the exec's inspect. */
                cleanup_free char *line = xasprintf("%s\r\n", err->msg);
                log_debug("exec %s: %s", x->id, err->msg);
                if (!x->tty)
                        (void) api_hijack_write_frame(s, STDCOPY_STDOUT, line, strlen(line));
                else
                        (void) api_hijack_write(s, line, strlen(line));
                return;
        }
        apply_pending_size(x);
        if (x->paths[0]) {
                /* Read and write: never blocks, whoever opened first. */
                x->in_fd = open(x->paths[0], O_RDWR | O_CLOEXEC);
                if (x->in_fd >= 0 && s->in_fd >= 0)
                        pumping = pthread_create(&pump, NULL, exec_stdin_pump, x) == 0;
        }
        while (out >= 0 || errfd >= 0) {
                struct pollfd p[3] = {{.fd = out, .events = POLLIN},
                                      {.fd = errfd, .events = POLLIN},
                                      {.fd = s->fd, .events = 0}};
                int k = poll(p, 3, -1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 || (p[2].revents & (POLLHUP | POLLERR)))
                        break; /* the client went: the process runs on, its exit still recorded */
                for (int i = 0; i < 2; i++) {
                        int *fd = i == 0 ? &out : &errfd;
                        ssize_t n;
                        if (*fd < 0 || p[i].revents == 0)
                                continue;
                        n = read(*fd, buf, sizeof(buf));
                        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                                continue;
                        if (n <= 0) {
                                close(*fd);
                                *fd = -1;
                                continue;
                        }
                        if ((x->tty ? api_hijack_write(s, buf, (size_t) n)
                                    : api_hijack_write_frame(s, i == 0 ? STDCOPY_STDOUT
                                                                       : STDCOPY_STDERR,
                                                             buf, (size_t) n))
                            < 0) {
                                close(*fd);
                                *fd = -1;
                        }
                }
        }
        /* Our read ends go first: a process writing to a gone client gets EPIPE rather than
         * blocking forever. */
        if (out >= 0)
                close(TAKE_FD(out));
        if (errfd >= 0)
                close(TAKE_FD(errfd));
        if (!client_is_gone(s))
                exec_wait_done(x);
        if (pumping) {
                if (s->in_fd >= 0)
                        shutdown(s->in_fd, SHUT_RD);
                pthread_join(pump, NULL);
        }
}

void
api_exec_start_attached(const struct api_ctx *ctx, const struct api_request *req,
                        struct api_response *resp)
{
        static const char *const names[3] = {"stdin", "stdout", "stderr"};
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *o = NULL;
        struct exec_run *x;
        bool want[3];

        if (container_exec_inspect(ctx->runner, req->param, &o, &err) < 0) {
                api_response_error(resp, err->code == ENOENT ? 404 : 500, "%s", err->msg);
                return;
        }
        x = xzalloc(sizeof(*x));
        x->r = ctx->runner;
        x->in_fd = -1;
        x->id = xstrdup(req->param);
        x->container = xstrdup(json_object_get_string(json_key(o, "ContainerID")));
        x->tty = json_object_get_boolean(json_key(json_key(o, "ProcessConfig"), "tty"));
        /* Checked when the exec was made. */
        if (detach_keys_parse(json_object_get_string(json_key(o, "DetachKeys")), &x->dk, &err)
            < 0) {
                berth_error_free(TAKE_PTR(err));
                (void) detach_keys_parse(NULL, &x->dk, &err);
        }
        want[0] = json_object_get_boolean(json_key(o, "OpenStdin"));
        /* With a terminal its output is one stream. */
        want[1] = x->tty || json_object_get_boolean(json_key(o, "OpenStdout"));
        want[2] = !x->tty && json_object_get_boolean(json_key(o, "OpenStderr"));
        x->t = container_run_task_get(ctx->runner, x->container);
        if (x->t == NULL) {
                api_response_error(resp, 409, "Container %s is not running", x->container);
                exec_run_free(x);
                return;
        }
        for (int i = 0; i < 3; i++) {
                if (!want[i])
                        continue;
                x->paths[i] = xasprintf("%s/containers/%s/exec-%s-%s", ctx->exec_root,
                                        x->container, x->id, names[i]);
                if (mkfifo(x->paths[i], 0600) < 0) {
                        int en = errno;
                        free(x->paths[i]);
                        x->paths[i] = NULL;
                        api_response_error(resp, 500, "exec: mkfifo: %s", strerror(en));
                        exec_run_free(x);
                        return;
                }
        }
        api_response_hijack(resp, API_RAW_STREAM, exec_session, x, exec_run_free);
}

static int
parse_u16(const char *s, uint32_t *ret)
{
        char *end;
        unsigned long n;

        if (s == NULL || *s == '\0')
                return -1;
        errno = 0;
        n = strtoul(s, &end, 10);
        if (errno || *end || n > UINT16_MAX)
                return -1;
        *ret = (uint32_t) n;
        return 0;
}

void
api_exec_resize(const struct api_ctx *ctx, const struct api_request *req,
                struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *o = NULL;
        uint32_t h, w;
        struct task *t;

        if (ctx->runner == NULL) {
                api_response_error(resp, 501, "resize is not available in this berthd");
                return;
        }
        if (parse_u16(api_query_get(req, "h"), &h) < 0 || parse_u16(api_query_get(req, "w"), &w) < 0) {
                api_response_error(resp, 400, "invalid resize: h and w must be numbers");
                return;
        }
        if (container_exec_inspect(ctx->runner, req->param, &o, &err) < 0) {
                api_response_error(resp, err->code == ENOENT ? 404 : 500, "%s", err->msg);
                return;
        }
        pthread_mutex_lock(&sizes_lock);
        {
                struct pending_size *p =
                        size_find(req->param, !json_object_get_boolean(json_key(o, "Running"))
                                                      && !json_key(o, "ExitCode"));
                if (p && !p->started) {
                        /* Not started yet: the session applies it after Start. */
                        p->w = w;
                        p->h = h;
                        pthread_mutex_unlock(&sizes_lock);
                        resp->status = 200;
                        return;
                }
        }
        pthread_mutex_unlock(&sizes_lock);
        t = container_run_task_get(ctx->runner, json_object_get_string(json_key(o, "ContainerID")));
        if (t == NULL) {
                api_response_error(resp, 409, "Container %s is not running",
                                   json_object_get_string(json_key(o, "ContainerID")));
                return;
        }
        if (task_resize_pty(t, req->param, w, h, &err) < 0) {
                container_run_task_put(ctx->runner, t);
                api_response_error(resp, 500, "%s", err->msg);
                return;
        }
        container_run_task_put(ctx->runner, t);
        resp->status = 200;
}
