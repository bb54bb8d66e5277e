/* supervisor/api/containers_attach.c: POST /containers/{id}/attach (hijacked) and
 * /containers/{id}/resize.
 *
 * Output comes from the json-file log the container's berth-logger writes (the init's only
 * stdout/stderr, supervisor/containers/run.h): the session follows it from where it stood at
 * attach time (from its start with logs=1) until the container's next exit, framed without a
 * tty, raw with one. Stdin goes to the init's stdin FIFO (<bundle>/init-stdin, made at start
 * when Config.OpenStdin), opened once the container runs; with Config.StdinOnce the client's end
 * of input (its CloseWrite) closes the container's stdin (CloseIO), as dockerd does.
 *
 * With a tty, as dockerd's attach (container/stream/attach.go): stdin is scanned for the detach
 * keys (the detachKeys query parameter, default ctrl-p ctrl-q), which end the session and leave
 * the container running (a "detach" event); the end of the client's input also ends the session
 * and never closes the container's stdin. */
#include <config.h>

#include "supervisor/api/containers_attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
#include "supervisor/containers/service.h"
#include "supervisor/logger/jsonfile.h"
#include "supervisor/logger/lock.h"
#include "supervisor/metadata/containers.h"

struct attach_arg {
        struct container_runner *r;
        char *id;
        char *log_path;
        char *stdin_path; /* NULL: stdin not attached */
        bool tty, out, err, stdin_once;
        FILE *log; /* kept open: a --rm container's log is unlinked as soon as it exits */
        off_t off;
        ino_t ino;
        struct container_wait w;
        bool has_wait;
        atomic_bool stop; /* the session is over: the stdin pump gives up waiting */
        struct detach_keys dk; /* scanned for with a tty */
        struct api_stream *s;
};

static void
attach_free(void *p)
{
        struct attach_arg *a = p;

        if (a->has_wait)
                container_wait_done(&a->w);
        if (a->log)
                fclose(a->log);
        free(a->id);
        free(a->log_path);
        free(a->stdin_path);
        free(a);
}

static void
sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
}

/* The init's stdin FIFO, opened for writing once the container runs; -1 when the session ends
 * first. */
static int
open_stdin_wait(struct attach_arg *a)
{
        while (!atomic_load(&a->stop)) {
                struct task *t = container_run_task_get(a->r, a->id);
                int fd = -1;
                if (t) {
                        /* The shim holds a reader (and a writer of its own): no blocking. */
                        fd = open(a->stdin_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
                        if (fd >= 0) {
                                int fl = fcntl(fd, F_GETFL);
                                fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
                        }
                }
                container_run_task_put(a->r, t);
                if (fd >= 0)
                        return fd;
                sleep_ms(50);
        }
        return -1;
}

static void *
stdin_pump(void *p)
{
        struct attach_arg *a = p;
        char buf[16384], pass[sizeof(buf) + DETACH_KEYS_MAX];
        bool detached = false;
        int fd = -1;
        ssize_t n;

        while ((n = api_hijack_read(a->s, buf, sizeof(buf))) > 0) {
                size_t m = (size_t) n;
                const char *out = buf;
                if (a->tty) {
                        detached = detach_keys_scan(&a->dk, buf, (size_t) n, pass, &m);
                        out = pass;
                }
                if (m > 0 && fd < 0)
                        fd = open_stdin_wait(a);
                if (m > 0 && (fd < 0 || fs_write_all(fd, out, m) < 0))
                        break;
                if (detached)
                        break;
        }
        if (fd >= 0)
                close(fd);
        if (a->tty) {
                /* dockerd: with a tty the end of input (or the detach keys) ends the attach,
                 * never the container's stdin. Shutting the socket wakes the session. */
                if (detached)
                        container_run_event(a->r, a->id, "detach", NULL, NULL);
                shutdown(a->s->fd, SHUT_RDWR);
                return NULL;
        }
        if (a->stdin_once) {
                /* The client's input ended: so does the container's, once it runs. */
                if (fd < 0 && n == 0 && (fd = open_stdin_wait(a)) >= 0)
                        close(fd);
                struct task *t = container_run_task_get(a->r, a->id);
                if (t) {
                        cleanup_error berth_error_t *err = NULL;
                        /* A container that exited meanwhile has no stdin to close. */
                        (void) task_close_stdin(t, NULL, &err);
                }
                container_run_task_put(a->r, t);
        }
        return NULL;
}

/* Send the log's entries past A->off; < 0 once the client has gone. *RET_MORE: something was
 * sent. */
static int
send_new(struct attach_arg *a, bool *ret_more)
{
        struct stat st;
        FILE *f;
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        int r = 0;

        *ret_more = false;
        if (a->log == NULL || (stat(a->log_path, &st) == 0 && st.st_ino != a->ino
                               && fstat(fileno(a->log), &st) == 0 && st.st_size <= a->off)) {
                /* None yet, or rotated and the old one read to its end: the new one from its
                 * start. */
                FILE *n = fopen(a->log_path, "re");
                if (n == NULL)
                        return 0;
                if (a->log)
                        fclose(a->log);
                a->log = n;
                a->ino = fstat(fileno(n), &st) == 0 ? st.st_ino : 0;
                a->off = 0;
        }
        f = a->log;
        if (fseeko(f, a->off, SEEK_SET) < 0)
                return 0;
        while (r == 0 && (len = getline(&line, &cap, f)) > 0) {
                struct jsonfile_entry e;
                if (line[len - 1] != '\n')
                        break; /* still being written */
                a->off += len;
                if (jsonfile_entry_parse(line, (size_t) len, &e) < 0)
                        continue;
                if ((e.stream == 1 && a->out) || (e.stream == 2 && a->err)) {
                        *ret_more = true;
                        if (a->tty)
                                r = api_hijack_write(a->s, e.log, e.log_len);
                        else
                                r = api_hijack_write_frame(a->s, (enum stdcopy_stream) e.stream,
                                                           e.log, e.log_len);
                }
                jsonfile_entry_done(&e);
        }
        free(line);
        clearerr(f);
        return r;
}

/* Whether the client has gone altogether (not just closed its write side). */
static bool
client_gone(struct api_stream *s)
{
        struct pollfd p = {.fd = s->fd, .events = 0};

        if (poll(&p, 1, 0) <= 0)
                return false;
        return p.revents & (POLLHUP | POLLERR | POLLNVAL);
}

static void
attach_session(struct api_stream *s, void *arg)
{
        struct attach_arg *a = arg;
        pthread_t pump;
        bool pumping = false, more;
        int code;

        a->s = s;
        if (a->stdin_path && s->in_fd >= 0)
                pumping = pthread_create(&pump, NULL, stdin_pump, a) == 0;
        for (;;) {
                if (send_new(a, &more) < 0 || client_gone(s))
                        break;
                if (!a->has_wait || container_run_wait_poll(a->r, &a->w, 100, &code) == 0) {
                        /* Exited: the logger may still be writing the last lines; it exits after
                         * them (at most 5 s: a process of the container's that keeps its stdout
                         * open keeps the logger too). */
                        for (int i = 0; i < 1000 && !logger_lock_free(a->log_path); i++) {
                                sleep_ms(5);
                                if (send_new(a, &more) < 0)
                                        break;
                        }
                        (void) send_new(a, &more);
                        break;
                }
        }
        atomic_store(&a->stop, true);
        if (pumping) {
                if (s->in_fd >= 0)
                        shutdown(s->in_fd, SHUT_RD); /* the pump's read ends */
                pthread_join(pump, NULL);
        }
}

void
api_containers_attach(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *id = NULL;
        struct json_object *cfg;
        struct attach_arg *a;
        struct stat st;

        if (ctx->runner == NULL) {
                api_response_error(resp, 501, "attach is not available in this berthd");
                return;
        }
        if (metadata_containers_resolve(ctx->db, req->param, &id, &err) < 0
            || metadata_containers_load(ctx->db, id, &doc, &err) < 0) {
                api_response_error(resp, err->code == ENOENT ? 404 : 500, "%s", err->msg);
                return;
        }
        cfg = json_key(doc, "Config");
        a = xzalloc(sizeof(*a));
        if (detach_keys_parse(api_query_get(req, "detachKeys"), &a->dk, &err) < 0) {
                api_response_error(resp, 400, "%s", err->msg);
                free(a);
                return;
        }
        a->r = ctx->runner;
        a->id = xstrdup(id);
        a->tty = json_object_get_boolean(json_key(cfg, "Tty"));
        a->out = api_query_bool(req, "stdout", false);
        a->err = api_query_bool(req, "stderr", false);
        a->stdin_once = json_object_get_boolean(json_key(cfg, "StdinOnce"));
        a->log_path = xasprintf("%s/containers/%s/%s-json.log", ctx->data_root, id, id);
        if (api_query_bool(req, "stdin", false)
            && json_object_get_boolean(json_key(cfg, "OpenStdin")))
                a->stdin_path = xasprintf("%s/containers/%s/init-stdin", ctx->exec_root, id);
        /* Follow from here on; logs=1 replays what the current file holds first. */
        {
                /* Made here when the container never ran: berth-logger appends to it. */
                int fd = open(a->log_path, O_RDONLY | O_CREAT | O_CLOEXEC, 0640);
                if (fd >= 0 && fstat(fd, &st) == 0 && (a->log = fdopen(fd, "r")) != NULL) {
                        a->ino = st.st_ino;
                        a->off = api_query_bool(req, "logs", false) ? 0 : st.st_size;
                } else if (fd >= 0) {
                        close(fd);
                }
        }
        if (api_query_bool(req, "stream", false)) {
                if (container_run_wait_begin(ctx->runner, id, CONTAINER_WAIT_NEXT_EXIT, &a->w,
                                             &err) < 0) {
                        api_response_error(resp, err->code == ENOENT ? 404 : 500, "%s", err->msg);
                        attach_free(a);
                        return;
                }
                a->has_wait = true;
        }
        api_response_hijack(resp, API_RAW_STREAM, attach_session, a, attach_free);
}

static int
query_uint(const struct api_request *req, const char *key, uint32_t *ret)
{
        const char *v = api_query_get(req, key);
        char *end;
        unsigned long n;

        if (v == NULL || *v == '\0')
                return -1;
        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno || *end || n > UINT16_MAX)
                return -1;
        *ret = (uint32_t) n;
        return 0;
}

void
api_containers_resize(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *id = NULL;
        uint32_t h, w;
        struct task *t;

        if (ctx->runner == NULL) {
                api_response_error(resp, 501, "resize is not available in this berthd");
                return;
        }
        if (query_uint(req, "h", &h) < 0 || query_uint(req, "w", &w) < 0) {
                api_response_error(resp, 400, "invalid resize: h and w must be numbers");
                return;
        }
        if (metadata_containers_resolve(ctx->db, req->param, &id, &err) < 0) {
                api_response_error(resp, err->code == ENOENT ? 404 : 500, "%s", err->msg);
                return;
        }
        t = container_run_task_get(ctx->runner, id);
        if (t == NULL) {
                api_response_error(resp, 409, "Container %s is not running", id);
                return;
        }
        if (task_resize_pty(t, NULL, w, h, &err) < 0) {
                container_run_task_put(ctx->runner, t);
                api_response_error(resp, 500, "%s", err->msg);
                return;
        }
        container_run_task_put(ctx->runner, t);
        resp->status = 200;
}
