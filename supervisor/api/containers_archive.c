/* supervisor/api/containers_archive.c: docker cp, diff, export and commit (the header says
 * which endpoints). Tars are streamed: a chrooted child writes them into the response pipe. */
#include <config.h>

#include "supervisor/api/containers_archive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/api/stream.h"
#include "supervisor/containers/archive.h"
#include "supervisor/containers/commit.h"

static const char *
path_arg(const struct api_request *req, struct api_response *resp)
{
        const char *p = api_query_get(req, "path");

        if (p == NULL || p[0] == '\0')
                api_response_error(resp, 400, "path cannot be empty");
        return p && p[0] ? p : NULL;
}

/* Stat PATH and add docker's header; fills ROOT on success. */
static int
stat_into(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp,
          const char *path, struct container_root *root)
{
        cleanup_error berth_error_t *err = NULL;
        struct container_path_info info = {0};
        struct container_path_stat st;
        cleanup_free char *hdr = NULL;

        if (container_root_open(ctx->containers, req->param, true, root, &err) < 0) {
                api_response_berror(resp, err);
                return -1;
        }
        if (container_archive_stat(root, path, req->param, &info, &err) < 0) {
                container_root_close(root);
                api_response_berror(resp, err);
                return -1;
        }
        st.name = info.name;
        st.size = info.size;
        st.mode = info.mode;
        st.mtime_sec = info.mtime_sec;
        st.mtime_nsec = info.mtime_nsec;
        st.link_target = info.link_target;
        hdr = container_path_stat_header(&st);
        api_response_add_header(resp, "X-Docker-Container-Path-Stat", hdr);
        container_path_info_done(&info);
        return 0;
}

void
api_containers_archive_head(const struct api_ctx *ctx, const struct api_request *req,
                            struct api_response *resp)
{
        struct container_root root = {0};
        const char *path = path_arg(req, resp);

        if (path == NULL || stat_into(ctx, req, resp, path, &root) < 0)
                return;
        container_root_close(&root);
        resp->status = 200;
}

struct tar_stream {
        struct container_root root;
        char *path; /* NULL: export the whole root */
};

static void
tar_stream_free(void *arg)
{
        struct tar_stream *t = arg;

        container_root_close(&t->root);
        free(t->path);
        free(t);
}

static void
tar_stream_run(struct api_stream *s, void *arg)
{
        struct tar_stream *t = arg;
        cleanup_error berth_error_t *err = NULL; /* logged: the status line is sent already */
        int r;

        r = t->path ? container_archive_write(&t->root, t->path, s->fd, &err)
                    : container_export_write(&t->root, s->fd, &err);
        if (r < 0 && err)
                log_warn("api: %s", err->msg);
}

void
api_containers_archive_get(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp)
{
        struct tar_stream *t;
        const char *path = path_arg(req, resp);

        if (path == NULL)
                return;
        t = xzalloc(sizeof(*t));
        if (stat_into(ctx, req, resp, path, &t->root) < 0) {
                free(t);
                return;
        }
        t->path = xstrdup(path);
        api_response_stream(resp, 200, "application/x-tar", tar_stream_run, t, tar_stream_free);
}

void
api_containers_archive_put(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct container_root root = {0};
        struct container_extract_options o = {
                .no_overwrite_dir_non_dir = api_query_bool(req, "noOverwriteDirNonDir", false),
                .copy_uidgid = api_query_bool(req, "copyUIDGID", false),
        };
        const char *path = path_arg(req, resp);
        int r;

        if (path == NULL)
                return;
        if (container_root_open(ctx->containers, req->param, true, &root, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        r = container_archive_extract(&root, path, req->param, req->body_fd, req->body,
                                      req->body_len, &o, &err);
        container_root_close(&root);
        if (r < 0) {
                api_response_berror(resp, err);
                return;
        }
        resp->status = 200;
}

void
api_containers_changes(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *out = NULL;

        if (container_changes(ctx->containers, req->param, &out, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        api_response_json(resp, 200, out);
}

void
api_containers_export(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct tar_stream *t = xzalloc(sizeof(*t));

        if (container_root_open(ctx->containers, req->param, false, &t->root, &err) < 0) {
                free(t);
                api_response_berror(resp, err);
                return;
        }
        api_response_stream(resp, 200, "application/x-tar", tar_stream_run, t, tar_stream_free);
}

void
api_commit(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL;
        cleanup_strv char **changes = NULL;
        cleanup_free char *id = NULL;
        struct container_commit_request c = {0};
        const char *ref = api_query_get(req, "container");
        struct json_object *o;

        if (ref == NULL || ref[0] == '\0') {
                api_response_error(resp, 400, "No container name or ID supplied");
                return;
        }
        if (req->body && req->body_len > 0
            && json_parse_buffer(req->body, req->body_len, &body, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        for (size_t i = 0; req->query && req->query[i] && req->query[i + 1]; i += 2)
                if (strcmp(req->query[i], "changes") == 0 && req->query[i + 1][0])
                        strv_push(&changes, req->query[i + 1]);
        c.repo = api_query_get(req, "repo");
        c.tag = api_query_get(req, "tag");
        c.comment = api_query_get(req, "comment");
        c.author = api_query_get(req, "author");
        c.changes = changes;
        c.pause = api_query_bool(req, "pause", true);
        c.config = body && json_object_is_type(body, json_type_object) ? body : NULL;
        if (container_commit(ctx->containers, ctx->runner, ref, &c, &id, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        o = json_object_new_object();
        json_object_object_add(o, "Id", json_object_new_string(id));
        api_response_json(resp, 201, o);
}
