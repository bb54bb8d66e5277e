/* supervisor/api/exec.c: docker's exec endpoints: POST /containers/{id}/exec (create),
 * POST /exec/{id}/start (Detach: run and return; else hijacked, stdio as FIFOs in the
 * container's bundle that the shim opens, copied both ways), GET /exec/{id}/json and
 * POST /exec/{id}/resize.
 *
 * Exec records live in berthd's memory only, as in dockerd: they are gone after a restart. */
#include <config.h>

#include "supervisor/api/containers_attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "supervisor/api/hijack.h"
#include "supervisor/containers/run.h"
#include "supervisor/metadata/containers.h"

struct exec_rec {
        char id[65];
        char *container_id;
        char *process_json;
        bool tty, in, out, err;
        bool running, started;
        int exit_code;
        uint32_t pid;
        uint32_t pend_w, pend_h; /* a resize that came before the process ran */
        struct exec_rec *next;
};

/* Never freed while berthd runs (dockerd keeps them until the container goes; a few hundred
 * bytes each). */
static pthread_mutex_t exec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct exec_rec *execs;

static struct exec_rec *
exec_find(const char *id)
{
        struct exec_rec *e;

        pthread_mutex_lock(&exec_lock);
        for (e = execs; e; e = e->next)
                if (strcmp(e->id, id) == 0)
                        break;
        pthread_mutex_unlock(&exec_lock);
        return e;
}

static struct json_object *
get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int
parse_id(const char *s, uint32_t *ret)
{
        char *end;
        unsigned long n;

        if (*s == '\0')
                return -1;
        errno = 0;
        n = strtoul(s, &end, 10);
        if (errno || *end || n > UINT32_MAX)
                return -1;
        *ret = (uint32_t) n;
        return 0;
}

int
api_exec_process_build(struct json_object *spec_process, struct json_object *req,
                       struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *p = NULL;
        struct json_object *cmd = get(req, "Cmd"), *env = get(req, "Env"), *v;
        const char *wd = json_object_get_string(get(req, "WorkingDir"));
        const char *user = json_object_get_string(get(req, "User"));

        if (cmd == NULL || !json_object_is_type(cmd, json_type_array)
            || json_object_array_length(cmd) == 0)
                return berth_error_new(err, EINVAL, "No exec command specified");
        if (spec_process == NULL || json_object_deep_copy(spec_process, &p, NULL) < 0)
                p = json_object_new_object();
        json_object_object_add(p, "args", json_object_get(cmd));
        json_object_object_add(p, "terminal",
                               json_object_new_boolean(json_object_get_boolean(get(req, "Tty"))));
        if (env && json_object_is_type(env, json_type_array)) {
                struct json_object *out = get(p, "env");
                if (out == NULL || !json_object_is_type(out, json_type_array)) {
                        out = json_object_new_array();
                        json_object_object_add(p, "env", out);
                }
                for (size_t i = 0; i < json_object_array_length(env); i++)
                        json_object_array_add(out, json_object_get(json_object_array_get_idx(env, i)));
        }
        if (wd && *wd)
                json_object_object_add(p, "cwd", json_object_new_string(wd));
        if (user && *user) {
                cleanup_free char *u = xstrdup(user);
                char *g = strchr(u, ':');
                uint32_t uid = 0, gid = 0;
                if (g)
                        *g++ = '\0';
                if (strcmp(u, "root") != 0 && parse_id(u, &uid) < 0)
                        return berth_error_new(err, EINVAL,
                                               "exec: user \"%s\": only numeric users are supported",
                                               user);
                if (g && strcmp(g, "root") != 0 && parse_id(g, &gid) < 0)
                        return berth_error_new(err, EINVAL,
                                               "exec: group \"%s\": only numeric groups are supported",
                                               g);
                v = json_object_new_object();
                json_object_object_add(v, "uid", json_object_new_int64(uid));
                json_object_object_add(v, "gid", json_object_new_int64(gid));
                json_object_object_add(p, "user", v);
        }
        *ret = TAKE_PTR(p);
        return 0;
}

void
api_exec_create(const struct api_ctx *ctx, const struct api_request *req,
                struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL, *spec = NULL, *proc = NULL;
        cleanup_free char *id = NULL, *spec_path = NULL, *text = NULL;
        struct exec_rec *e;
        struct task *t;
        uint8_t b[32];
        size_t len;

        if (ctx->runner == NULL) {
                api_response_error(resp, 501, "exec is not available in this berthd");
                return;
        }
        body = req->body ? json_tokener_parse(req->body) : NULL;
        if (body == NULL) {
                api_response_error(resp, 400, "exec: the request body is not JSON");
                return;
        }
        if (metadata_containers_resolve(ctx->db, req->param, &id, &err) < 0) {
                api_response_error(resp, err->code == ENOENT ? 404 : 500, "%s", err->msg);
                return;
        }
        t = container_run_task_get(ctx->runner, id);
        container_run_task_put(ctx->runner, t);
        if (t == NULL) {
                api_response_error(resp, 409, "Container %s is not running", id);
                return;
        }
        spec_path = xasprintf("%s/containers/%s/config.json", ctx->data_root, id);
        if (fs_read_file(AT_FDCWD, spec_path, &text, &len, &err) < 0) {
                api_response_error(resp, 500, "%s", err->msg);
                return;
        }
        spec = json_tokener_parse(text);
        if (api_exec_process_build(get(spec, "process"), body, &proc, &err) < 0) {
                api_response_error(resp, 400, "%s", err->msg);
                return;
        }
        e = xzalloc(sizeof(*e));
        if (getrandom(b, sizeof(b), 0) != (ssize_t) sizeof(b))
                abort(); /* cannot fail after early boot for 32 bytes */
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(e->id + 2 * i, 3, "%02x", b[i]);
        e->container_id = TAKE_PTR(id);
        e->process_json = xstrdup(json_object_to_json_string_ext(proc, JSON_C_TO_STRING_PLAIN));
        e->tty = json_object_get_boolean(get(body, "Tty"));
        e->in = json_object_get_boolean(get(body, "AttachStdin"));
        e->out = json_object_get_boolean(get(body, "AttachStdout"));
        e->err = json_object_get_boolean(get(body, "AttachStderr"));
        pthread_mutex_lock(&exec_lock);
        e->next = execs;
        execs = e;
        pthread_mutex_unlock(&exec_lock);
        {
                struct json_object *o = json_object_new_object();
                json_object_object_add(o, "Id", json_object_new_string(e->id));
                api_response_json(resp, 201, o);
        }
}

struct exec_run {
        struct container_runner *r;
        struct exec_rec *e;
        bool detach;
        struct task *t;
        int in_fd; /* our writer of the exec's stdin FIFO */
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
        free(x);
}

static void
exec_set(struct exec_rec *e, bool running, int code, uint32_t pid)
{
        pthread_mutex_lock(&exec_lock);
        e->running = running;
        e->exit_code = code;
        if (pid)
                e->pid = pid;
        pthread_mutex_unlock(&exec_lock);
}

/* Wait for the exec to end, record its status and delete it from the shim. */
static void
exec_reap(struct exec_run *x)
{
        cleanup_error berth_error_t *err = NULL;
        struct task_exit ex = {0};

        if (task_wait(x->t, x->e->id, &ex, &err) < 0) {
                exec_set(x->e, false, 126, 0);
                return;
        }
        exec_set(x->e, false, (int) ex.exit_status, 0);
        (void) task_delete(x->t, x->e->id, NULL, &err);
}

static void *
exec_detached(void *p)
{
        struct exec_run *x = p;

        exec_reap(x);
        exec_run_free(x);
        return NULL;
}

static void *
exec_stdin_pump(void *p)
{
        struct exec_run *x = p;
        char buf[16384];
        ssize_t n;

        while ((n = api_hijack_read(x->s, buf, sizeof(buf))) > 0)
                if (fs_write_all(x->in_fd, buf, (size_t) n) < 0)
                        break;
        if (n == 0) {
                cleanup_error berth_error_t *err = NULL;
                /* The client's CloseWrite: end of input for the process (fine if it ended). */
                close(x->in_fd);
                x->in_fd = -1;
                (void) task_close_stdin(x->t, x->e->id, &err);
        }
        return NULL;
}

static void
exec_session(struct api_stream *s, void *arg)
{
        struct exec_run *x = arg;
        cleanup_close int out = -1, errfd = -1;
        cleanup_error berth_error_t *err = NULL;
        struct task_stdio io = {.terminal = x->e->tty};
        pthread_t pump;
        bool pumping = false, gone = false;
        uint32_t pid = 0;
        char buf[16384];

        x->s = s;
        /* Our read ends first: the shim opens the write ends blocking. */
        if (x->paths[1] && (out = open(x->paths[1], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
                io.out = x->paths[1];
        if (x->paths[2] && (errfd = open(x->paths[2], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
                io.err = x->paths[2];
        if (x->paths[0])
                io.in = x->paths[0];
        if (task_exec(x->t, x->e->id, &io, x->e->process_json, &err) < 0
            || task_start(x->t, x->e->id, &pid, &err) < 0) {
                log_debug("exec %s: %s", x->e->id, err->msg);
                exec_set(x->e, false, 126, 0);
                if (!x->e->tty)
                        (void) api_hijack_write_frame(s, STDCOPY_STDERR, err->msg, strlen(err->msg));
                else
                        (void) api_hijack_write(s, err->msg, strlen(err->msg));
                return;
        }
        exec_set(x->e, true, 0, pid);
        {
                /* The CLI resizes as soon as the hijack is answered, maybe before this. */
                uint32_t w, h;
                pthread_mutex_lock(&exec_lock);
                w = x->e->pend_w;
                h = x->e->pend_h;
                pthread_mutex_unlock(&exec_lock);
                /* The shim gets the exec's console a moment after Start: retry briefly. */
                for (int i = 0; x->e->tty && w && h && i < 20; i++) {
                        cleanup_error berth_error_t *e2 = NULL;
                        if (task_resize_pty(x->t, x->e->id, w, h, &e2) == 0)
                                break;
                        log_debug("exec %s: resize: %s", x->e->id, e2->msg);
                        usleep(50000);
                }
        }
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
                if (k < 0 || (p[2].revents & (POLLHUP | POLLERR))) {
                        gone = true; /* the client went: the process runs on, unread */
                        break;
                }
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
                        if ((x->e->tty ? api_hijack_write(s, buf, (size_t) n)
                                       : api_hijack_write_frame(s, i == 0 ? STDCOPY_STDOUT
                                                                          : STDCOPY_STDERR,
                                                                buf, (size_t) n))
                            < 0) {
                                close(*fd);
                                *fd = -1;
                        }
                }
        }
        /* Close our read ends before waiting: a process writing to a gone client gets EPIPE
         * rather than blocking forever. */
        if (out >= 0)
                close(TAKE_FD(out));
        if (errfd >= 0)
                close(TAKE_FD(errfd));
        if (gone) {
                /* End the session now; a thread of its own waits for the process. */
                struct exec_run *y = xzalloc(sizeof(*y));
                pthread_attr_t attr;
                pthread_t th;

                if (pumping) {
                        if (s->in_fd >= 0)
                                shutdown(s->in_fd, SHUT_RD);
                        pthread_join(pump, NULL);
                }
                y->r = x->r;
                y->e = x->e;
                y->t = TAKE_PTR(x->t);
                y->in_fd = TAKE_FD(x->in_fd);
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                if (pthread_create(&th, &attr, exec_detached, y) != 0)
                        exec_detached(y);
                pthread_attr_destroy(&attr);
                return;
        }
        exec_reap(x);
        if (pumping) {
                if (s->in_fd >= 0)
                        shutdown(s->in_fd, SHUT_RD);
                pthread_join(pump, NULL);
        }
}

void
api_exec_start(const struct api_ctx *ctx, const struct api_request *req,
               struct api_response *resp)
{
        cleanup_json struct json_object *body = NULL;
        struct exec_rec *e = exec_find(req->param);
        struct exec_run *x;
        const char *dir_fmt = "%s/containers/%s/exec-%s-%s";
        static const char *const names[3] = {"stdin", "stdout", "stderr"};

        if (e == NULL) {
                api_response_error(resp, 404, "No such exec instance: %s", req->param);
                return;
        }
        body = req->body && req->body_len ? json_tokener_parse(req->body) : NULL;
        pthread_mutex_lock(&exec_lock);
        if (e->started) {
                pthread_mutex_unlock(&exec_lock);
                api_response_error(resp, 409, "exec %s has already been started", e->id);
                return;
        }
        e->started = true;
        pthread_mutex_unlock(&exec_lock);
        x = xzalloc(sizeof(*x));
        x->r = ctx->runner;
        x->e = e;
        x->in_fd = -1;
        x->detach = json_object_get_boolean(get(body, "Detach"));
        x->t = container_run_task_get(ctx->runner, e->container_id);
        if (x->t == NULL) {
                exec_run_free(x);
                api_response_error(resp, 409, "Container %s is not running", e->container_id);
                return;
        }
        if (!x->detach) {
                bool want[3] = {e->in, e->out, e->tty ? false : e->err};
                if (e->tty)
                        want[1] = true; /* the terminal's output */
                for (int i = 0; i < 3; i++) {
                        if (!want[i])
                                continue;
                        x->paths[i] = xasprintf(dir_fmt, ctx->exec_root, e->container_id, e->id,
                                                names[i]);
                        if (mkfifo(x->paths[i], 0600) < 0) {
                                int en = errno;
                                free(x->paths[i]);
                                x->paths[i] = NULL;
                                exec_run_free(x);
                                api_response_error(resp, 500, "exec: mkfifo: %s", strerror(en));
                                return;
                        }
                }
                api_response_hijack(resp, API_RAW_STREAM, exec_session, x, exec_run_free);
                return;
        }
        {
                cleanup_error berth_error_t *err = NULL;
                struct task_stdio io = {.terminal = e->tty};
                uint32_t pid = 0;
                pthread_attr_t attr;
                pthread_t th;

                if (task_exec(x->t, e->id, &io, e->process_json, &err) < 0
                    || task_start(x->t, e->id, &pid, &err) < 0) {
                        exec_set(e, false, 126, 0);
                        exec_run_free(x);
                        api_response_error(resp, 500, "%s", err->msg);
                        return;
                }
                exec_set(e, true, 0, pid);
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                if (pthread_create(&th, &attr, exec_detached, x) != 0)
                        exec_run_free(x); /* the exec runs on; its status stays unknown */
                pthread_attr_destroy(&attr);
                resp->status = 200;
        }
}

void
api_exec_inspect(const struct api_ctx *ctx, const struct api_request *req,
                 struct api_response *resp)
{
        struct exec_rec *e = exec_find(req->param);
        struct json_object *o, *pc;
        cleanup_json struct json_object *proc = NULL;

        (void) ctx;
        if (e == NULL) {
                api_response_error(resp, 404, "No such exec instance: %s", req->param);
                return;
        }
        proc = json_tokener_parse(e->process_json);
        o = json_object_new_object();
        pthread_mutex_lock(&exec_lock);
        json_object_object_add(o, "CanRemove", json_object_new_boolean(false));
        json_object_object_add(o, "ContainerID", json_object_new_string(e->container_id));
        json_object_object_add(o, "DetachKeys", json_object_new_string(""));
        json_object_object_add(o, "ExitCode",
                               e->started && !e->running ? json_object_new_int(e->exit_code)
                                                         : NULL);
        json_object_object_add(o, "ID", json_object_new_string(e->id));
        json_object_object_add(o, "OpenStderr", json_object_new_boolean(e->err));
        json_object_object_add(o, "OpenStdin", json_object_new_boolean(e->in));
        json_object_object_add(o, "OpenStdout", json_object_new_boolean(e->out));
        pc = json_object_new_object();
        {
                struct json_object *args = get(proc, "args");
                size_t n = args ? json_object_array_length(args) : 0;
                struct json_object *rest = json_object_new_array();
                json_object_object_add(pc, "arguments", rest);
                json_object_object_add(pc, "entrypoint",
                                       json_object_get(n ? json_object_array_get_idx(args, 0)
                                                         : NULL));
                for (size_t i = 1; i < n; i++)
                        json_object_array_add(rest,
                                              json_object_get(json_object_array_get_idx(args, i)));
        }
        json_object_object_add(pc, "privileged", json_object_new_boolean(false));
        json_object_object_add(pc, "tty", json_object_new_boolean(e->tty));
        json_object_object_add(pc, "user", json_object_new_string(""));
        json_object_object_add(o, "ProcessConfig", pc);
        json_object_object_add(o, "Running", json_object_new_boolean(e->running));
        json_object_object_add(o, "Pid", json_object_new_int64(e->pid));
        pthread_mutex_unlock(&exec_lock);
        api_response_json(resp, 200, o);
}

void
api_exec_resize(const struct api_ctx *ctx, const struct api_request *req,
                struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct exec_rec *e = exec_find(req->param);
        const char *hs = api_query_get(req, "h"), *ws = api_query_get(req, "w");
        uint32_t h, w;
        struct task *t;

        if (e == NULL) {
                api_response_error(resp, 404, "No such exec instance: %s", req->param);
                return;
        }
        if (hs == NULL || ws == NULL || parse_id(hs, &h) < 0 || parse_id(ws, &w) < 0) {
                api_response_error(resp, 400, "invalid resize: h and w must be numbers");
                return;
        }
        pthread_mutex_lock(&exec_lock);
        if (!e->running && e->exit_code == 0) {
                /* Not started yet (or just being started): applied once it runs. */
                e->pend_w = w;
                e->pend_h = h;
                pthread_mutex_unlock(&exec_lock);
                resp->status = 200;
                return;
        }
        pthread_mutex_unlock(&exec_lock);
        t = container_run_task_get(ctx->runner, e->container_id);
        if (t == NULL) {
                api_response_error(resp, 409, "Container %s is not running", e->container_id);
                return;
        }
        if (task_resize_pty(t, e->id, w, h, &err) < 0) {
                container_run_task_put(ctx->runner, t);
                api_response_error(resp, 500, "%s", err->msg);
                return;
        }
        container_run_task_put(ctx->runner, t);
        resp->status = 200;
}
