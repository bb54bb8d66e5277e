/* supervisor/api/volumes.c: POST /volumes/create, GET /volumes, GET and DELETE
 * /volumes/{name}, POST /volumes/prune (docker 20.10's shapes, API 1.41): decode, call
 * supervisor/containers/volumes.c and supervisor/volumes/, encode. */
#include <config.h>

#include "supervisor/api/volumes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/service.h"
#include "supervisor/containers/volumes.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/volumes/filter.h"
#include "supervisor/volumes/store.h"

static struct volume_store *
store_of(const struct api_ctx *ctx)
{
        return ctx->containers ? ctx->containers->volumes : NULL;
}

/* Labels and DriverOpts: a JSON object of strings, or null/absent. */
static int
check_map(struct json_object *o, const char *what, berth_error_t **err)
{
        if (o == NULL || json_object_is_type(o, json_type_null))
                return 0;
        if (!json_object_is_type(o, json_type_object))
                return berth_error_new(err, EINVAL, "%s: expected an object", what);
        json_object_object_foreach(o, k, v) {
                if (!json_object_is_type(v, json_type_string))
                        return berth_error_new(err, EINVAL, "%s.%s: expected a string", what, k);
        }
        return 0;
}

void
api_volumes_create(const struct api_ctx *ctx, const struct api_request *req,
                   struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL;
        struct json_object *vol = NULL, *name, *driver;
        struct volume_create_req cr = {0};
        bool created = false;

        if (store_of(ctx) == NULL) {
                api_response_error(resp, 501, "volumes: not available");
                return;
        }
        if (req->body_len > 0 && json_parse_buffer(req->body, req->body_len, &body, &err) < 0) {
                api_response_error(resp, 400, "%s", err->msg);
                return;
        }
        if (body && !json_object_is_type(body, json_type_object)) {
                api_response_error(resp, 400, "body: expected a JSON object");
                return;
        }
        name = json_key(body, "Name");
        driver = json_key(body, "Driver");
        if ((name && !json_object_is_type(name, json_type_string))
            || (driver && !json_object_is_type(driver, json_type_string))) {
                api_response_error(resp, 400, "Name and Driver: expected strings");
                return;
        }
        if (check_map(json_key(body, "DriverOpts"), "DriverOpts", &err) < 0
            || check_map(json_key(body, "Labels"), "Labels", &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        cr.name = name ? json_object_get_string(name) : NULL;
        cr.driver = driver ? json_object_get_string(driver) : NULL;
        cr.opts = json_object_is_type(json_key(body, "DriverOpts"), json_type_object)
                          ? json_key(body, "DriverOpts")
                          : NULL;
        cr.labels = json_object_is_type(json_key(body, "Labels"), json_type_object)
                            ? json_key(body, "Labels")
                            : NULL;
        if (volume_store_create(store_of(ctx), &cr, &vol, &created, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        api_response_json(resp, 201, vol);
}

static int
parse_filters(const struct api_request *req, enum volume_filter_use use, struct volume_filters *f,
              struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;

        if (volume_filters_parse(api_query_get(req, "filters"), use, f, &err) < 0) {
                api_response_error(resp, 400, "%s", err->msg);
                return -1;
        }
        return 0;
}

void
api_volumes_list(const struct api_ctx *ctx, const struct api_request *req,
                 struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct volume_filters f = {0};
        struct json_object *vols = NULL, *o;

        if (parse_filters(req, VOLUME_FILTER_LIST, &f, resp) < 0)
                return;
        if (container_volumes_list(ctx->containers, &f, &vols, &err) < 0) {
                volume_filters_done(&f);
                api_response_berror(resp, err);
                return;
        }
        volume_filters_done(&f);
        o = json_object_new_object();
        json_object_object_add(o, "Volumes", vols);
        json_object_object_add(o, "Warnings", NULL);
        api_response_json(resp, 200, o);
}

void
api_volumes_inspect(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *vol = NULL;

        if (store_of(ctx) == NULL) {
                api_response_error(resp, 501, "volumes: not available");
                return;
        }
        if (volume_store_get(store_of(ctx), req->param, &vol, &err) < 0) {
                api_response_berror(resp, err);
                return;
        }
        api_response_json(resp, 200, vol);
}

void
api_volumes_remove(const struct api_ctx *ctx, const struct api_request *req,
                   struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;

        if (container_volumes_remove(ctx->containers, req->param,
                                     api_query_bool(req, "force", false), &err)
            < 0) {
                api_response_berror(resp, err);
                return;
        }
        resp->status = 204;
}

void
api_volumes_prune(const struct api_ctx *ctx, const struct api_request *req,
                  struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct volume_filters f = {0};
        struct json_object *deleted = json_object_new_array(), *o;
        int64_t reclaimed = 0;

        if (parse_filters(req, VOLUME_FILTER_PRUNE, &f, resp) < 0) {
                json_object_put(deleted);
                return;
        }
        if (container_volumes_prune(ctx->containers, &f, deleted, &reclaimed, &err) < 0) {
                volume_filters_done(&f);
                json_object_put(deleted);
                api_response_berror(resp, err);
                return;
        }
        volume_filters_done(&f);
        o = json_object_new_object();
        /* dockerd sends null, not [], when nothing was removed. */
        if (json_object_array_length(deleted) == 0) {
                json_object_put(deleted);
                deleted = NULL;
        }
        json_object_object_add(o, "VolumesDeleted", deleted);
        json_object_object_add(o, "SpaceReclaimed", json_object_new_int64(reclaimed));
        api_response_json(resp, 200, o);
}

struct json_object *
api_volumes_df(const struct api_ctx *ctx)
{
        cleanup_error berth_error_t *err = NULL; /* unreadable: no volumes shown */
        cleanup_json struct json_object *vols = NULL, *all = NULL;
        struct volume_filters f = {.dangling = -1};
        struct json_object *out = json_object_new_array();

        if (store_of(ctx) == NULL || container_volumes_list(ctx->containers, &f, &vols, &err) < 0
            || metadata_containers_list(ctx->db, &all, &err) < 0)
                return out;
        for (size_t i = 0; i < json_object_array_length(vols); i++) {
                struct json_object *v = json_object_array_get_idx(vols, i), *u;
                const char *name = json_object_get_string(json_key(v, "Name"));
                cleanup_free char *data = volume_store_data_path(store_of(ctx), name);
                int refs = 0;
                for (size_t j = 0; j < json_object_array_length(all); j++) {
                        struct json_object *bv =
                                json_key(json_object_array_get_idx(all, j), "BerthVolumes");
                        for (size_t k = 0; bv && k < json_object_array_length(bv); k++)
                                if (strcmp(json_object_get_string(json_key(
                                                   json_object_array_get_idx(bv, k), "Name")),
                                           name)
                                    == 0) {
                                        refs++;
                                        break;
                                }
                }
                u = json_object_new_object();
                json_object_object_add(u, "RefCount", json_object_new_int(refs));
                json_object_object_add(u, "Size", json_object_new_int64(volume_dir_size(data)));
                json_object_object_add(v, "UsageData", u);
                json_object_array_add(out, json_object_get(v));
        }
        return out;
}
