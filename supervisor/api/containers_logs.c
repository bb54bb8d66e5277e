/* supervisor/api/containers_logs.c: GET /containers/{id}/logs from the json-file log the
 * container's berth-logger writes (and its rotated files): stdout, stderr, since, until, tail,
 * timestamps, follow; docker's 8-byte stream framing without a tty, raw bytes with one. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/api/containers_run.h"
#include "supervisor/api/stream.h"
#include "supervisor/containers/run.h"
#include "supervisor/logger/jsonfile.h"
#include "supervisor/metadata/containers.h"

#define MAX_ROTATED 64

struct logs_arg {
        struct container_runner *r;
        char *id;
        char *path;
        bool tty, out, err, follow, timestamps;
        long tail;
        int64_t since, until;
};

static void
logs_free(void *arg)
{
        struct logs_arg *a = arg;
        free(a->id);
        free(a->path);
        free(a);
}

static int
send_entry(struct api_stream *s, const struct logs_arg *a, const struct jsonfile_entry *e)
{
        char ts[64] = "";
        size_t tl = 0;
        uint8_t hdr[8];

        if (a->timestamps) {
                jsonfile_time_format(e->time_ns / 1000000000, (int32_t) (e->time_ns % 1000000000),
                                     ts, sizeof(ts) - 1);
                strcat(ts, " ");
                tl = strlen(ts);
        }
        if (!a->tty) {
                stdcopy_header(hdr, e->stream, (uint32_t) (tl + e->log_len));
                if (api_stream_write(s, hdr, sizeof(hdr)) < 0)
                        return -1;
        }
        if (tl && api_stream_write(s, ts, tl) < 0)
                return -1;
        return api_stream_write(s, e->log, e->log_len) < 0 ? -1 : 0;
}

/* Append every line of the file at PATH from *OFF to ENTRIES; *OFF moves past complete lines. */
static void
read_lines(const char *path, off_t *off, struct jsonfile_entry **entries, size_t *n, size_t *cap)
{
        FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t lcap = 0;
        ssize_t len;

        if (f == NULL)
                return;
        if (fseeko(f, *off, SEEK_SET) < 0) {
                fclose(f);
                return;
        }
        while ((len = getline(&line, &lcap, f)) > 0) {
                if (line[len - 1] != '\n')
                        break; /* a line still being written */
                *off += len;
                struct jsonfile_entry e;
                if (jsonfile_entry_parse(line, (size_t) len, &e) < 0)
                        continue;
                if (*n == *cap)
                        *entries = xrealloc(*entries, (*cap = *cap * 2 + 64) * sizeof(**entries));
                (*entries)[(*n)++] = e;
        }
        free(line);
        fclose(f);
}

static int
send_all(struct api_stream *s, const struct logs_arg *a, struct jsonfile_entry *v, size_t n,
         long tail)
{
        size_t first = 0, shown = 0;
        int r = 0;

        if (tail >= 0) {
                /* The last TAIL wanted entries. */
                size_t wanted = 0;
                for (size_t i = n; i > 0; i--)
                        if (jsonfile_entry_wanted(&v[i - 1], a->out, a->err, a->since, a->until)) {
                                if (wanted == (size_t) tail)
                                        break;
                                wanted++;
                                first = i - 1;
                        }
                if (wanted == 0)
                        first = n;
        }
        for (size_t i = first; i < n && r == 0; i++) {
                if (jsonfile_entry_wanted(&v[i], a->out, a->err, a->since, a->until)) {
                        r = send_entry(s, a, &v[i]);
                        shown++;
                }
        }
        for (size_t i = 0; i < n; i++)
                jsonfile_entry_done(&v[i]);
        return r;
}

static void
logs_stream(struct api_stream *s, void *arg)
{
        struct logs_arg *a = arg;
        struct jsonfile_entry *v = NULL;
        size_t n = 0, cap = 0;
        off_t off = 0;
        struct stat st;
        ino_t ino = 0;

        for (unsigned i = MAX_ROTATED; i > 0; i--) {
                cleanup_free char *p = jsonfile_rotated_name(a->path, i);
                off_t o = 0;
                read_lines(p, &o, &v, &n, &cap);
        }
        if (stat(a->path, &st) == 0)
                ino = st.st_ino;
        read_lines(a->path, &off, &v, &n, &cap);
        if (send_all(s, a, v, n, a->tail) < 0 || !a->follow) {
                free(v);
                return;
        }
        /* Followed: woken by the logger's writes, renames and creations in the log's directory
         * (inotify) rather than finding them on the next tick; the tick stays, shorter, for the
         * container's exit and the until deadline. */
        cleanup_close int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (in >= 0) {
                cleanup_free char *dir = xstrdup(a->path);
                char *slash = strrchr(dir, '/');
                if (slash)
                        *slash = '\0';
                if (slash == NULL
                    || inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO
                                                          | IN_CLOSE_WRITE)
                               < 0) {
                        close(in);
                        in = -1;
                }
        }
        for (;;) {
                struct task *t = container_run_task_get(a->r, a->id);
                bool running = t != NULL;
                container_run_task_put(a->r, t);
                if (stat(a->path, &st) == 0 && st.st_ino != ino) {
                        ino = st.st_ino; /* rotated: the new file from its start */
                        off = 0;
                }
                n = 0;
                read_lines(a->path, &off, &v, &n, &cap);
                if (send_all(s, a, v, n, -1) < 0)
                        break;
                if (!running)
                        break;
                if (a->until > 0) {
                        struct timespec now;
                        clock_gettime(CLOCK_REALTIME, &now);
                        if ((int64_t) now.tv_sec * 1000000000 + now.tv_nsec > a->until)
                                break;
                }
                if (in >= 0) {
                        char buf[4096];
                        if (api_stream_closed_or_ready(s, in, 50))
                                break;
                        while (read(in, buf, sizeof(buf)) > 0)
                                ;
                } else if (api_stream_closed(s, 200)) {
                        break;
                }
        }
        free(v);
}

void
api_containers_logs(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *id = NULL;
        struct json_object *cfg = NULL, *v = NULL;
        struct logs_arg *a;
        const char *since = api_query_get(req, "since"), *until = api_query_get(req, "until");

        if (ctx->runner == NULL) {
                api_response_error(resp, 501, "logs are not available in this berthd");
                return;
        }
        if (metadata_containers_resolve(ctx->db, req->param, &id, &err) < 0
            || metadata_containers_load(ctx->db, id, &doc, &err) < 0) {
                api_response_error(resp, err->code == ENOENT ? 404 : 500, "%s", err->msg);
                return;
        }
        a = xzalloc(sizeof(*a));
        a->r = ctx->runner;
        a->out = api_query_bool(req, "stdout", false);
        a->err = api_query_bool(req, "stderr", false);
        a->follow = api_query_bool(req, "follow", false);
        a->timestamps = api_query_bool(req, "timestamps", false);
        a->tail = jsonfile_tail_parse(api_query_get(req, "tail"));
        if (a->tail == -2)
                a->tail = -1; /* dockerd: a bad tail means all */
        if (!a->out && !a->err) {
                free(a);
                api_response_error(resp, 400,
                                   "Bad parameters: you must choose at least one stream");
                return;
        }
        if ((since && *since && jsonfile_timestamp_parse(since, &a->since) < 0)
            || (until && *until && jsonfile_timestamp_parse(until, &a->until) < 0)) {
                free(a);
                api_response_error(resp, 400, "invalid value for \"%s\"",
                                   since && *since && jsonfile_timestamp_parse(since, &a->since) < 0
                                           ? "since"
                                           : "until");
                return;
        }
        if (json_object_object_get_ex(doc, "Config", &cfg)
            && json_object_object_get_ex(cfg, "Tty", &v))
                a->tty = json_object_get_boolean(v);
        a->path = xasprintf("%s/containers/%s/%s-json.log", ctx->data_root, id, id);
        a->id = TAKE_PTR(id);
        api_response_stream(resp, 200,
                            a->tty ? "application/vnd.docker.raw-stream"
                                   : "application/vnd.docker.multiplexed-stream",
                            logs_stream, a, logs_free);
}
