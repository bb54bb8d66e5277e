/* supervisor/api/containers_run.c: POST /containers/{id}/start, stop, kill, wait, restart,
 * pause, unpause and GET /containers/{id}/top, in dockerd 20.10's shapes and status codes. */
#include <config.h>

#include "supervisor/api/containers_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/api/containers_attach.h"
#include "supervisor/api/stream.h"
#include "supervisor/containers/run.h"

/* api_response_berror's statuses, plus 304 for a start or stop with nothing to do. */
static void
fail(struct api_response *resp, const berth_error_t *e)
{
        if (e->code == EALREADY)
                resp->status = 304;
        else
                api_response_berror(resp, e);
}

static bool
no_runner(const struct api_ctx *ctx, struct api_response *resp)
{
        if (ctx->runner)
                return false;
        api_response_error(resp, 501, "running containers is not available in this berthd");
        return true;
}

void
api_containers_start(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;

        if (no_runner(ctx, resp))
                return;
        if (container_run_start(ctx->runner, req->param, &err) < 0) {
                fail(resp, err);
                return;
        }
        resp->status = 204;
}

static int
timeout_of(const struct api_request *req)
{
        const char *t = api_query_get(req, "t");
        if (t == NULL || *t == '\0')
                return -1;
        return atoi(t);
}

void
api_containers_stop(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;

        if (no_runner(ctx, resp))
                return;
        if (container_run_stop(ctx->runner, req->param, timeout_of(req), &err) < 0) {
                fail(resp, err);
                return;
        }
        resp->status = 204;
}

void
api_containers_restart(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;

        if (no_runner(ctx, resp))
                return;
        if (container_run_restart(ctx->runner, req->param, timeout_of(req), &err) < 0) {
                fail(resp, err);
                return;
        }
        resp->status = 204;
}

void
api_containers_kill(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;

        if (no_runner(ctx, resp))
                return;
        if (container_run_kill(ctx->runner, req->param, api_query_get(req, "signal"), &err) < 0) {
                fail(resp, err);
                return;
        }
        resp->status = 204;
}

static void
pause_common(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp,
             bool pause)
{
        cleanup_error berth_error_t *err = NULL;

        if (no_runner(ctx, resp))
                return;
        if (container_run_pause(ctx->runner, req->param, pause, &err) < 0) {
                fail(resp, err);
                return;
        }
        resp->status = 204;
}

void
api_containers_pause(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp)
{
        pause_common(ctx, req, resp, true);
}

void
api_containers_unpause(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp)
{
        pause_common(ctx, req, resp, false);
}

struct wait_arg {
        struct container_runner *r;
        struct container_wait w;
};

static void
wait_free(void *arg)
{
        struct wait_arg *a = arg;
        container_wait_done(&a->w);
        free(a);
}

/* The headers go out first; the body when the condition is met (the docker CLI relies on
 * that to know the wait is registered before it starts the container). */
static void
wait_stream(struct api_stream *s, void *arg)
{
        struct wait_arg *a = arg;
        int code = 0;

        for (;;) {
                if (container_run_wait_poll(a->r, &a->w, 500, &code) == 0)
                        break;
                if (api_stream_closed(s, 0))
                        return;
        }
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "StatusCode", json_object_new_int(code));
        if (a->w.error) {
                struct json_object *e = json_object_new_object();
                json_object_object_add(e, "Message", json_object_new_string(a->w.error));
                json_object_object_add(o, "Error", e);
        } else {
                json_object_object_add(o, "Error", NULL);
        }
        (void) api_stream_write_json(s, o);
        json_object_put(o);
}

void
api_containers_wait(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        const char *c = api_query_get(req, "condition");
        int cond = container_wait_condition_parse(c);
        struct wait_arg *a;

        if (no_runner(ctx, resp))
                return;
        if (cond < 0) {
                api_response_error(resp, 400, "invalid condition: \"%s\"", c);
                return;
        }
        a = xzalloc(sizeof(*a));
        a->r = ctx->runner;
        if (container_run_wait_begin(ctx->runner, req->param, cond, &a->w, &err) < 0) {
                free(a);
                fail(resp, err);
                return;
        }
        api_response_stream(resp, 200, "application/json", wait_stream, a, wait_free);
}

/* Run ps ARGS and read its output. */
static int
run_ps(const char *args, char **ret, berth_error_t **err)
{
        cleanup_strv char **argv = NULL;
        cleanup_free char *copy = xstrdup(args);
        int p[2], status = 0;
        pid_t pid;
        size_t len = 0, cap = 0;
        char *buf = NULL;

        strv_push(&argv, "ps");
        for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok;
             tok = strtok_r(NULL, " \t", &save))
                strv_push(&argv, tok);
        if (pipe2(p, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "pipe");
        pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return berth_error_sys(err, errno, "fork");
        }
        if (pid == 0) {
                dup2(p[1], 1);
                execvp("ps", argv);
                _exit(127);
        }
        close(p[1]);
        for (;;) {
                if (len + 4096 + 1 > cap)
                        buf = xrealloc(buf, cap = (len + 4096 + 1) * 2);
                ssize_t n = read(p[0], buf + len, cap - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        close(p[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (buf == NULL)
                buf = xstrdup("");
        buf[len] = '\0';
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                free(buf);
                return berth_error_new(err, EIO, "ps: exit status %d", WEXITSTATUS(status));
        }
        *ret = buf;
        return 0;
}

void
api_containers_top(const struct api_ctx *ctx, const struct api_request *req,
                   struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *id = NULL, *out = NULL;
        cleanup_free uint32_t *pids = NULL;
        const char *args = api_query_get(req, "ps_args");
        size_t n = 0;
        struct json_object *titles, *procs, *o;
        int pid_col = -1, n_titles = 0;
        char *save = NULL, *line;

        if (no_runner(ctx, resp))
                return;
        if (container_run_pids(ctx->runner, req->param, &id, &pids, &n, &err) < 0) {
                fail(resp, err);
                return;
        }
        if (run_ps(args && *args ? args : "-ef", &out, &err) < 0) {
                api_response_error(resp, 500, "Error running ps: %s", err->msg);
                return;
        }
        titles = json_object_new_array();
        procs = json_object_new_array();
        line = strtok_r(out, "\n", &save);
        if (line) {
                char *s2 = NULL;
                for (char *t = strtok_r(line, " \t", &s2); t; t = strtok_r(NULL, " \t", &s2)) {
                        if (strcmp(t, "PID") == 0)
                                pid_col = n_titles;
                        json_object_array_add(titles, json_object_new_string(t));
                        n_titles++;
                }
        }
        if (pid_col < 0) {
                json_object_put(titles);
                json_object_put(procs);
                api_response_error(resp, 500, "Couldn't find PID field in ps output");
                return;
        }
        while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
                struct json_object *row = json_object_new_array();
                char *p = line;
                bool ours = false;
                for (int i = 0; i < n_titles; i++) {
                        while (*p == ' ' || *p == '\t')
                                p++;
                        char *start = p;
                        if (i < n_titles - 1)
                                while (*p && *p != ' ' && *p != '\t')
                                        p++;
                        else
                                p += strlen(p);
                        cleanup_free char *field = xstrndup(start, (size_t) (p - start));
                        if (i == pid_col) {
                                unsigned long v = strtoul(field, NULL, 10);
                                for (size_t k = 0; k < n; k++)
                                        if (pids[k] == v)
                                                ours = true;
                        }
                        json_object_array_add(row, json_object_new_string(field));
                }
                if (ours)
                        json_object_array_add(procs, row);
                else
                        json_object_put(row);
        }
        o = json_object_new_object();
        json_object_object_add(o, "Processes", procs);
        json_object_object_add(o, "Titles", titles);
        api_response_json(resp, 200, o);
}

void
api_containers_exec_create(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL;
        cleanup_free char *id = NULL;
        struct json_object *o;

        if (no_runner(ctx, resp))
                return;
        if (req->body == NULL || req->body_len == 0
            || json_parse_buffer(req->body, req->body_len, &body, &err) < 0
            || !json_object_is_type(body, json_type_object)) {
                api_response_error(resp, 400, "bad exec configuration");
                return;
        }
        if (container_exec_create(ctx->runner, req->param, body, &id, &err) < 0) {
                fail(resp, err);
                return;
        }
        o = json_object_new_object();
        json_object_object_add(o, "Id", json_object_new_string(id));
        api_response_json(resp, 201, o);
}

void
api_exec_start(const struct api_ctx *ctx, const struct api_request *req,
               struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL;
        struct json_object *v = NULL;

        if (no_runner(ctx, resp))
                return;
        if (req->body && req->body_len > 0
            && json_parse_buffer(req->body, req->body_len, &body, &err) < 0) {
                api_response_error(resp, 400, "%s", err->msg);
                return;
        }
        if (!(body && json_object_object_get_ex(body, "Detach", &v) && json_object_get_boolean(v))) {
                api_exec_start_attached(ctx, req, resp); /* hijacked: exec.c */
                return;
        }
        if (container_exec_start_detached(ctx->runner, req->param, &err) < 0) {
                if (err->code == EEXIST)
                        api_response_error(resp, 409, "%s", err->msg);
                else
                        fail(resp, err);
                return;
        }
        resp->status = 200;
}

void
api_exec_inspect(const struct api_ctx *ctx, const struct api_request *req,
                 struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *o = NULL;

        if (no_runner(ctx, resp))
                return;
        if (container_exec_inspect(ctx->runner, req->param, &o, &err) < 0) {
                fail(resp, err);
                return;
        }
        api_response_json(resp, 200, o);
}
