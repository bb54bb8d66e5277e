/* supervisor/api/containers.c: /containers/create, /containers/json, /containers/{id}/json,
 * DELETE /containers/{id}, /containers/{id}/rename, /containers/prune: decode, call
 * supervisor/containers/, encode docker 20.10's shapes. */
#include <config.h>

#include "supervisor/api/containers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/list.h"
#include "supervisor/containers/run.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/containers/service.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/images.h"
#include "supervisor/snapshots/active.h"
#include "supervisor/snapshots/snapshotter.h"

void
api_containers_create(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL;
        cleanup_free char *id = NULL;
        struct json_object *warnings = json_object_new_array(), *o;

        if (req->body == NULL || req->body_len == 0) {
                json_object_put(warnings);
                api_response_error(resp, 400,
                                   "config cannot be empty in order to create a container");
                return;
        }
        if (json_parse_buffer(req->body, req->body_len, &body, &err) < 0
            || container_service_create(ctx->containers, api_query_get(req, "name"), body, warnings,
                                        &id, &err)
                       < 0) {
                json_object_put(warnings);
                api_response_berror(resp, err);
                return;
        }
        container_run_event(ctx->runner, id, "create", NULL, NULL);
        o = json_object_new_object();
        json_object_object_add(o, "Id", json_object_new_string(id));
        json_object_object_add(o, "Warnings", warnings);
        api_response_json(resp, 201, o);
}

static int64_t
size_root_of(const struct api_ctx *ctx, struct json_object *rec, int64_t rw)
{
        cleanup_error berth_error_t *err = NULL; /* an image gone (rmi -f) counts as 0 */
        struct image_record *recs = NULL;
        const char *img = json_object_get_string(json_key(rec, "Image"));
        int64_t size = 0;
        int n = image_service_list(ctx->images, &recs, &err);

        for (int i = 0; i < n; i++)
                if (img && strcmp(recs[i].id, img) == 0)
                        size = recs[i].size;
        if (n > 0)
                image_records_free(recs, (size_t) n);
        return size + rw;
}

/* docker ps shows the image's ID instead of the name it was created from once that name
 * points elsewhere or nowhere (rmi -f, a moved tag). */
static void
fix_image_name(const struct api_ctx *ctx, struct json_object *rec, struct json_object *summary)
{
        cleanup_error berth_error_t *err = NULL; /* unresolvable: show the ID */
        cleanup_free char *id = NULL;
        struct json_object *cfg = json_key(rec, "Config"), *img = json_key(rec, "Image");
        const char *name = json_object_get_string(json_key(cfg, "Image"));

        if (img == NULL || name == NULL)
                return;
        if (image_service_resolve(ctx->images, name, &id, NULL, &err) == 0
            && strcmp(id, json_object_get_string(img)) == 0)
                return;
        json_object_object_add(summary, "Image", json_object_get(img));
}

void
api_containers_list(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *all = NULL, *sel = NULL, *filters = NULL;
        cleanup_strv char **anc = NULL;
        struct container_list_opts opts = {.all = api_query_bool(req, "all", false)};
        const char *f = api_query_get(req, "filters"), *limit = api_query_get(req, "limit");
        bool size = api_query_bool(req, "size", false);
        struct json_object *out;
        int64_t now = (int64_t) time(NULL);

        if (limit && limit[0])
                opts.limit = strtoll(limit, NULL, 10);
        if (f && f[0] && json_parse_buffer(f, strlen(f), &filters, &err) < 0) {
                api_response_error(resp, 400, "invalid filter: %s", err->msg);
                return;
        }
        opts.filters = filters;
        container_list_filter_values(filters, "ancestor", &anc);
        strv_foreach(a, anc) {
                cleanup_error berth_error_t *miss = NULL; /* dockerd ignores unknown images */
                cleanup_free char *id = NULL;
                if (image_service_resolve(ctx->images, a, &id, NULL, &miss) == 0)
                        strv_push(&opts.ancestor_ids, id);
        }
        if (container_service_list(ctx->containers, &all, &err) < 0
            || container_list_select(all, &opts, &sel, &err) < 0) {
                strv_free(opts.ancestor_ids);
                api_response_berror(resp, err);
                return;
        }
        strv_free(opts.ancestor_ids);
        out = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(sel); i++) {
                struct json_object *rec = json_object_array_get_idx(sel, i);
                int64_t rw = -1, root = 0;
                if (size) {
                        rw = snapshotter_active_size(ctx->containers->snapshots,
                                                     json_object_get_string(json_key(rec, "Id")));
                        root = size_root_of(ctx, rec, rw);
                }
                struct json_object *summary = container_list_summary(rec, rw, root, now);
                fix_image_name(ctx, rec, summary);
                json_object_array_add(out, summary);
        }
        api_response_json(resp, 200, out);
}

static char *
lowers_of(const struct api_ctx *ctx, const char *id)
{
        cleanup_error berth_error_t *err = NULL; /* no snapshot: no LowerDir */
        cleanup_free char *type = NULL, *source = NULL, *options = NULL;
        const char *l, *end;

        if (snapshotter_active_mount_args(ctx->containers->snapshots, id, &type, &source, &options,
                                          &err)
                    < 0
            || (l = strstr(options, "lowerdir=")) == NULL)
                return NULL;
        l += strlen("lowerdir=");
        end = strchr(l, ',');
        return end ? xstrndup(l, (size_t) (end - l)) : xstrdup(l);
}

void
api_containers_inspect(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *rec = NULL;
        cleanup_free char *upper = NULL, *lowers = NULL;
        struct json_object *o;
        const char *id, *driver;

        if (container_service_get(ctx->containers, req->param, &rec, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        id = json_object_get_string(json_key(rec, "Id"));
        driver = json_object_get_string(json_key(rec, "Driver"));
        upper = snapshotter_active_upper(ctx->containers->snapshots, id);
        lowers = lowers_of(ctx, id);
        o = container_inspect_build(rec, driver ? driver : "overlay2", upper, lowers);
        if (api_query_bool(req, "size", false)) {
                int64_t rw = snapshotter_active_size(ctx->containers->snapshots, id);
                json_object_object_add(o, "SizeRw", json_object_new_int64(rw));
                json_object_object_add(o, "SizeRootFs",
                                       json_object_new_int64(size_root_of(ctx, rec, rw)));
        }
        api_response_json(resp, 200, o);
}

void
api_containers_remove(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;

        if (api_query_bool(req, "link", false)) {
                api_response_error(resp, 501, "links: not implemented");
                return;
        }
        cleanup_free char *id = NULL;
        cleanup_json struct json_object *doc = NULL;
        /* rm -f of a running container: kill it and wait for its exit path first. */
        if (ctx->runner && api_query_bool(req, "force", false)
            && container_run_kill_wait(ctx->runner, req->param, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        if (ctx->runner && metadata_containers_resolve(ctx->db, req->param, &id, &err) == 0)
                (void) metadata_containers_load(ctx->db, id, &doc, &err);
        berth_error_free(err), err = NULL;
        for (int tries = 0;; tries++) {
                if (container_service_remove(ctx->containers, req->param,
                                             api_query_bool(req, "force", false),
                                             api_query_bool(req, "v", false), &err)
                    == 0)
                        break;
                /* rm -f raced a restart by policy (it started again between the kill and the
                 * removal): the kill marked it stopped by hand, so one more kill ends it. */
                if (!(ctx->runner && err->code == EOPNOTSUPP && tries < 5)) {
                        api_response_berror(resp, err);
                        return;
                }
                berth_error_free(err), err = NULL;
                if (container_run_kill_wait(ctx->runner, req->param, &err) < 0) {
                        api_response_berror(resp, err);
                        return;
                }
        }
        if (ctx->runner && id)
                container_run_removed(ctx->runner, id, doc);
        resp->status = 204;
}

void
api_containers_rename(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *id = NULL, *old = NULL;
        cleanup_json struct json_object *doc = NULL;
        struct json_object *n = NULL;

        /* The old name for the rename event's oldName. */
        if (metadata_containers_resolve(ctx->db, req->param, &id, &err) == 0
            && metadata_containers_load(ctx->db, id, &doc, &err) == 0
            && json_object_object_get_ex(doc, "Name", &n))
                old = xstrdup(json_object_get_string(n));
        berth_error_free(err), err = NULL;
        if (container_service_rename(ctx->containers, req->param, api_query_get(req, "name"), &err)
            < 0) {
                api_response_berror(resp, err);
                return;
        }
        if (id)
                container_run_event(ctx->runner, id, "rename", "oldName", old ? old : "");
        resp->status = 204;
}

void
api_containers_prune(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *deleted = json_object_new_array(), *o;
        int64_t reclaimed = 0;

        (void) req;
        if (container_service_prune(ctx->containers, deleted, &reclaimed, &err) < 0) {
                json_object_put(deleted);
                api_response_berror(resp, err);
                return;
        }
        for (size_t i = 0; i < json_object_array_length(deleted); i++)
                container_run_removed(ctx->runner,
                                      json_object_get_string(json_object_array_get_idx(deleted, i)),
                                      NULL);
        o = json_object_new_object();
        /* dockerd sends null, not [], when nothing was removed. */
        if (json_object_array_length(deleted) == 0) {
                json_object_put(deleted);
                deleted = NULL;
        }
        json_object_object_add(o, "ContainersDeleted", deleted);
        json_object_object_add(o, "SpaceReclaimed", json_object_new_int64(reclaimed));
        api_response_json(resp, 200, o);
}

void
api_containers_count(const struct api_ctx *ctx, int64_t *ret_total, int64_t *ret_running,
                     int64_t *ret_paused, int64_t *ret_stopped)
{
        cleanup_error berth_error_t *err = NULL; /* the caller reports -1 */
        cleanup_json struct json_object *all = NULL;

        *ret_total = *ret_running = *ret_paused = *ret_stopped = 0;
        if (ctx->containers == NULL)
                return;
        if (container_service_list(ctx->containers, &all, &err) < 0) {
                *ret_total = -1;
                return;
        }
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                struct json_object *st = json_key(json_object_array_get_idx(all, i), "State");
                (*ret_total)++;
                if (json_object_get_boolean(json_key(st, "Paused")))
                        (*ret_paused)++;
                else if (json_object_get_boolean(json_key(st, "Running")))
                        (*ret_running)++;
                else
                        (*ret_stopped)++;
        }
}

struct json_object *
api_containers_df(const struct api_ctx *ctx)
{
        cleanup_error berth_error_t *err = NULL; /* an unreadable store lists nothing */
        cleanup_json struct json_object *all = NULL;
        struct json_object *out = json_object_new_array();
        int64_t now = (int64_t) time(NULL);

        if (ctx->containers == NULL || container_service_list(ctx->containers, &all, &err) < 0)
                return out;
        for (size_t i = json_object_array_length(all); i-- > 0;) {
                struct json_object *rec = json_object_array_get_idx(all, i);
                int64_t rw = snapshotter_active_size(ctx->containers->snapshots,
                                                     json_object_get_string(json_key(rec, "Id")));
                json_object_array_add(
                        out, container_list_summary(rec, rw, size_root_of(ctx, rec, rw), now));
        }
        return out;
}
