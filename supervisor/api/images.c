/* supervisor/api/images.c: /images/... and the images part of /system/df: decode the request,
 * call supervisor/images/service.h, encode docker's shapes (API 1.41). */
#include <config.h>

#include "supervisor/api/images.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/api/import.h"
#include "supervisor/api/pull.h"
#include "supervisor/api/images_filter.h"
#include "supervisor/api/containers.h"
#include "supervisor/api/volumes.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/registry.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/images.h"
#include "supervisor/snapshots/snapshotter.h"

static unsigned
status_of(const berth_error_t *e)
{
        switch (e->code) {
        case ENOENT:
                return 404;
        case EBUSY:
        case EEXIST:
                return 409;
        case EINVAL:
                return 400;
        default:
                return 500;
        }
}

static void
fail(struct api_response *resp, const berth_error_t *e)
{
        api_response_error(resp, status_of(e), "%s", e->msg);
}

long long
api_parse_created(const char *s)
{
        struct tm tm = {0};
        const char *p;
        long long t;

        if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
                return 0;
        t = (long long) timegm(&tm);
        if (*p == '.')
                p += 1 + strspn(p + 1, "0123456789");
        if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
                long long off = (p[1] - '0') * 36000 + (p[2] - '0') * 3600 + (p[4] - '0') * 600
                                + (p[5] - '0') * 60;
                t += *p == '+' ? -off : off;
        }
        return t;
}

static struct json_object *
familiar_tags(char *const *names, bool digests)
{
        struct json_object *a = json_object_new_array();

        strv_foreach(n, names) {
                cleanup_free char *fam = image_ref_familiar(n);
                if ((strchr(n, '@') != NULL) == digests)
                        json_object_array_add(a, json_object_new_string(fam));
        }
        return a;
}

static struct json_object *
labels_of(struct json_object *config)
{
        struct json_object *cfg = NULL, *labels = NULL;

        if (config && json_object_object_get_ex(config, "config", &cfg)
            && json_object_object_get_ex(cfg, "Labels", &labels)
            && json_object_is_type(labels, json_type_object))
                return json_object_get(labels);
        return NULL;
}

static struct json_object *
summary(const struct api_ctx *ctx, const struct image_record *rec, bool df)
{
        struct json_object *o = json_object_new_object();
        cleanup_json struct json_object *config = NULL;
        cleanup_error berth_error_t *err = NULL; /* an unreadable config lists without labels */
        struct json_object *tags = familiar_tags(rec->names, false);
        struct json_object *digests = familiar_tags(rec->names, true);

        image_service_load_config(ctx->images, rec->id, &config, &err);
        /* API 1.41 shows an untagged image as "<none>:<none>" (dockerd 20.10). */
        if (json_object_array_length(tags) == 0 && json_object_array_length(digests) == 0) {
                json_object_array_add(tags, json_object_new_string("<none>:<none>"));
                json_object_array_add(digests, json_object_new_string("<none>@<none>"));
        }
        json_object_object_add(o, "Containers", json_object_new_int(df ? 0 : -1));
        json_object_object_add(o, "Created",
                               json_object_new_int64(api_parse_created(rec->created)));
        json_object_object_add(o, "Id", json_object_new_string(rec->id));
        json_object_object_add(o, "Labels", labels_of(config));
        json_object_object_add(o, "ParentId", json_object_new_string(""));
        json_object_object_add(o, "RepoDigests", digests);
        json_object_object_add(o, "RepoTags", tags);
        json_object_object_add(o, "SharedSize", json_object_new_int64(df ? 0 : -1));
        json_object_object_add(o, "Size", json_object_new_int64(rec->size));
        json_object_object_add(o, "VirtualSize", json_object_new_int64(rec->size));
        return o;
}

/* filters={"reference":{"busybox":true},"dangling":{"true":true}} (the older list form too). */
static int
filter_values(struct json_object *filters, const char *key, char ***ret)
{
        struct json_object *v = NULL;

        if (filters == NULL || !json_object_object_get_ex(filters, key, &v))
                return 0;
        if (json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, k, val) {
                        (void) val;
                        strv_push(ret, k);
                }
        } else if (json_object_is_type(v, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        struct json_object *s = json_object_array_get_idx(v, i);
                        if (json_object_is_type(s, json_type_string))
                                strv_push(ret, json_object_get_string(s));
                }
        } else {
                return -EINVAL;
        }
        return 0;
}

static bool
reference_matches(char *const *patterns, char *const *names)
{
        strv_foreach(pat, patterns) {
                strv_foreach(n, names) {
                        cleanup_free char *fam = image_ref_familiar(n);
                        char *sep = strrchr(fam, strchr(fam, '@') ? '@' : ':');
                        if (fnmatch(pat, fam, FNM_PATHNAME) == 0)
                                return true;
                        if (sep && strchr(sep, '/') == NULL) {
                                *sep = '\0';
                                if (fnmatch(pat, fam, FNM_PATHNAME) == 0)
                                        return true;
                        }
                }
        }
        return false;
}

/* The creation time of the last image NAMES names into *RET (left alone without NAMES); an
 * unknown image is dockerd's 404. */
static int
created_of(const struct api_ctx *ctx, char *const *names, long long *ret, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *id = NULL;
        struct image_record rec = {0};
        size_t n = strv_length(names);

        if (n == 0)
                return 0;
        if (image_service_resolve(ctx->images, names[n - 1], &id, NULL, &err) < 0
            || metadata_images_load(ctx->images->db, id, &rec, &err) < 0) {
                fail(resp, err);
                return -1;
        }
        *ret = api_images_created_nanos(rec.created);
        image_record_done(&rec);
        return 0;
}

void
api_images_list(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *filters = NULL;
        cleanup_strv char **refs = NULL;
        cleanup_strv char **dangling = NULL;
        cleanup_strv char **labels = NULL, **before = NULL, **since = NULL;
        long long before_ns = -1, since_ns = -1;
        struct image_record *recs = NULL;
        struct json_object *out;
        const char *f = api_query_get(req, "filters");
        int n;

        if (f && f[0]) {
                if (json_parse_buffer(f, strlen(f), &filters, &err) < 0
                    || !json_object_is_type(filters, json_type_object)) {
                        api_response_error(resp, 400, "invalid filter: %s", f);
                        return;
                }
                if (filter_values(filters, "reference", &refs) < 0
                    || filter_values(filters, "dangling", &dangling) < 0
                    || filter_values(filters, "label", &labels) < 0
                    || filter_values(filters, "before", &before) < 0
                    || filter_values(filters, "since", &since) < 0) {
                        api_response_error(resp, 400, "invalid filter: %s", f);
                        return;
                }
                /* dockerd: dangling is true or false; before and since name images, whose
                 * creation times bound the list (the last value given wins). */
                strv_foreach(v, dangling) {
                        if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0
                            && strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
                                api_response_error(resp, 400, "Invalid filter 'dangling=[%s]'", v);
                                return;
                        }
                }
                if (created_of(ctx, before, &before_ns, resp) < 0
                    || created_of(ctx, since, &since_ns, resp) < 0)
                        return;
                json_object_object_foreach(filters, k, v) {
                        (void) v;
                        if (strcmp(k, "reference") != 0 && strcmp(k, "dangling") != 0
                            && strcmp(k, "label") != 0 && strcmp(k, "before") != 0
                            && strcmp(k, "since") != 0) {
                                /* dockerd 20.10's wording, capital included. */
                                api_response_error(resp, 400, "Invalid filter '%s'", k);
                                return;
                        }
                }
        }
        n = image_service_list(ctx->images, &recs, &err);
        if (n < 0) {
                fail(resp, err);
                return;
        }
        out = json_object_new_array();
        for (int i = 0; i < n; i++) {
                bool is_dangling = recs[i].names == NULL;
                bool want_dangling =
                        dangling
                        && (strcasecmp(dangling[0], "true") == 0 || strcmp(dangling[0], "1") == 0);
                long long created = api_images_created_nanos(recs[i].created);
                if (dangling && want_dangling != is_dangling)
                        continue;
                if ((before_ns >= 0 && created >= before_ns)
                    || (since_ns >= 0 && created <= since_ns))
                        continue;
                if (labels) {
                        cleanup_json struct json_object *config = NULL;
                        cleanup_error berth_error_t *cerr = NULL; /* unreadable: no labels */
                        struct json_object *cfg = NULL, *lab = NULL;
                        if (image_service_load_config(ctx->images, recs[i].id, &config, &cerr) == 0
                            && json_object_object_get_ex(config, "config", &cfg))
                                json_object_object_get_ex(cfg, "Labels", &lab);
                        if (!api_images_labels_match(lab, labels))
                                continue;
                }
                if (refs) {
                        /* As dockerd: the image is listed with the names that matched only. */
                        cleanup_strv char **matched = NULL;
                        struct image_record view = recs[i];
                        strv_foreach(n, recs[i].names) {
                                char *one[] = {n, NULL};
                                if (reference_matches(refs, one))
                                        strv_push(&matched, n);
                        }
                        if (matched == NULL)
                                continue;
                        view.names = matched;
                        json_object_array_add(out, summary(ctx, &view, false));
                        continue;
                }
                json_object_array_add(out, summary(ctx, &recs[i], false));
        }
        image_records_free(recs, (size_t) n);
        api_response_json(resp, 200, out);
}

static int
lookup(const struct api_ctx *ctx, const char *name, struct image_record *rec,
       struct json_object **config, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        int r;

        r = image_service_resolve(ctx->images, name, &id, NULL, err);
        if (r < 0)
                return r;
        r = metadata_images_load(ctx->images->db, id, rec, err);
        if (r < 0)
                return r;
        if (config)
                r = image_service_load_config(ctx->images, id, config, err);
        return r;
}

static struct json_object *
member_or(struct json_object *o, const char *key, struct json_object *dflt)
{
        struct json_object *v = NULL;

        if (o && json_object_object_get_ex(o, key, &v) && v) {
                json_object_put(dflt);
                return json_object_get(v);
        }
        return dflt;
}

static struct json_object *
graph_driver(const struct api_ctx *ctx, const struct image_record *rec)
{
        struct json_object *g = json_object_new_object();
        struct json_object *data = json_object_new_object();
        bool overlay = strcmp(ctx->driver, "overlay2") == 0;

        json_object_object_add(g, "Name", json_object_new_string(overlay ? "overlay2" : "vfs"));
        if (rec->chain_id) {
                cleanup_free char *top = snapshotter_path(ctx->images->snapshots, rec->chain_id);
                json_object_object_add(data, overlay ? "UpperDir" : "Dir",
                                       json_object_new_string(top));
        }
        json_object_object_add(g, "Data", data);
        return g;
}

void
api_images_inspect(const struct api_ctx *ctx, const struct api_request *req,
                   struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *config = NULL;
        struct image_record rec = {0};
        struct json_object *o, *rootfs, *meta, *cfgrootfs = NULL, *diff_ids = NULL;

        if (lookup(ctx, req->param, &rec, &config, &err) < 0) {
                image_record_done(&rec);
                fail(resp, err);
                return;
        }
        o = json_object_new_object();
        json_object_object_add(o, "Id", json_object_new_string(rec.id));
        json_object_object_add(o, "RepoTags", familiar_tags(rec.names, false));
        json_object_object_add(o, "RepoDigests", familiar_tags(rec.names, true));
        json_object_object_add(o, "Parent", json_object_new_string(""));
        json_object_object_add(o, "Comment",
                               member_or(config, "comment", json_object_new_string("")));
        json_object_object_add(o, "Created", json_object_new_string(rec.created));
        json_object_object_add(o, "Container",
                               member_or(config, "container", json_object_new_string("")));
        json_object_object_add(o, "ContainerConfig",
                               member_or(config, "container_config", json_object_new_object()));
        json_object_object_add(o, "DockerVersion",
                               member_or(config, "docker_version", json_object_new_string("")));
        json_object_object_add(o, "Author",
                               member_or(config, "author", json_object_new_string("")));
        json_object_object_add(o, "Config", member_or(config, "config", json_object_new_object()));
        json_object_object_add(o, "Architecture",
                               member_or(config, "architecture", json_object_new_string("")));
        if (config && json_object_object_get_ex(config, "variant", NULL))
                json_object_object_add(o, "Variant", member_or(config, "variant", NULL));
        json_object_object_add(o, "Os", member_or(config, "os", json_object_new_string("")));
        json_object_object_add(o, "Size", json_object_new_int64(rec.size));
        json_object_object_add(o, "VirtualSize", json_object_new_int64(rec.size));
        json_object_object_add(o, "GraphDriver", graph_driver(ctx, &rec));
        rootfs = json_object_new_object();
        json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
        if (config && json_object_object_get_ex(config, "rootfs", &cfgrootfs))
                json_object_object_get_ex(cfgrootfs, "diff_ids", &diff_ids);
        json_object_object_add(rootfs, "Layers",
                               diff_ids ? json_object_get(diff_ids) : json_object_new_array());
        json_object_object_add(o, "RootFS", rootfs);
        meta = json_object_new_object();
        json_object_object_add(meta, "LastTagTime", json_object_new_string("0001-01-01T00:00:00Z"));
        json_object_object_add(o, "Metadata", meta);
        image_record_done(&rec);
        api_response_json(resp, 200, o);
}

static bool
empty_layer(struct json_object *h)
{
        struct json_object *v = NULL;
        return json_object_object_get_ex(h, "empty_layer", &v)
               && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* Each layer's size, from its snapshot (chain IDs rebuilt from the config's diff IDs). */
static int64_t *
layer_sizes(const struct api_ctx *ctx, struct json_object *config, size_t *ret_n)
{
        struct json_object *rootfs = NULL, *ids = NULL;
        cleanup_free char *chain = NULL;
        int64_t *out;
        size_t n;

        *ret_n = 0;
        if (!json_object_object_get_ex(config, "rootfs", &rootfs)
            || !json_object_object_get_ex(rootfs, "diff_ids", &ids)
            || !json_object_is_type(ids, json_type_array))
                return NULL;
        n = json_object_array_length(ids);
        out = xzalloc((n ? n : 1) * sizeof(*out));
        for (size_t i = 0; i < n; i++) {
                const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
                char *next = snapshot_chain_id(chain, d ? d : "");
                free(chain);
                chain = next;
                out[i] = snapshotter_layer_size(ctx->images->snapshots, chain);
        }
        *ret_n = n;
        return out;
}

void
api_images_history(const struct api_ctx *ctx, const struct api_request *req,
                   struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *config = NULL;
        struct image_record rec = {0};
        struct json_object *hist = NULL, *out = json_object_new_array();
        int64_t *sizes = NULL;
        size_t n, nsizes = 0, layer = 0;

        if (lookup(ctx, req->param, &rec, &config, &err) < 0) {
                image_record_done(&rec);
                json_object_put(out);
                fail(resp, err);
                return;
        }
        if (!json_object_object_get_ex(config, "history", &hist)
            || !json_object_is_type(hist, json_type_array))
                hist = NULL;
        n = hist ? json_object_array_length(hist) : 0;
        sizes = layer_sizes(ctx, config, &nsizes);
        /* Entries without empty_layer made the layers, in order: the last such has the last
         * layer's size. Count them first so the newest-first walk can index from the top. */
        for (size_t k = 0; k < n; k++)
                if (!empty_layer(json_object_array_get_idx(hist, k)))
                        layer++;
        /* Newest first; the newest entry carries the image's ID and tags, older ones
         * "<missing>" (dockerd has no IDs for them either after a load). */
        for (size_t k = n; k-- > 0;) {
                struct json_object *h = json_object_array_get_idx(hist, k), *e = NULL;
                struct json_object *o = json_object_new_object();
                int64_t size = 0;
                if (!empty_layer(h) && layer > 0) {
                        layer--;
                        size = layer < nsizes ? sizes[layer] : 0;
                }
                json_object_object_add(o, "Comment",
                                       member_or(h, "comment", json_object_new_string("")));
                json_object_object_get_ex(h, "created", &e);
                json_object_object_add(o, "Created",
                                       json_object_new_int64(api_parse_created(
                                               e ? json_object_get_string(e) : NULL)));
                json_object_object_add(o, "CreatedBy",
                                       member_or(h, "created_by", json_object_new_string("")));
                json_object_object_add(
                        o, "Id", json_object_new_string(k == n - 1 ? rec.id : "<missing>"));
                json_object_object_add(o, "Size", json_object_new_int64(size));
                json_object_object_add(o, "Tags",
                                       k == n - 1 && rec.names ? familiar_tags(rec.names, false)
                                                               : NULL);
                json_object_array_add(out, o);
        }
        free(sizes);
        image_record_done(&rec);
        api_response_json(resp, 200, out);
}

void
api_images_tag(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *target = NULL;
        const char *repo = api_query_get(req, "repo"), *tag = api_query_get(req, "tag");

        if (repo == NULL || repo[0] == '\0') {
                api_response_error(resp, 400, "repository name must have at least one component");
                return;
        }
        target = tag && tag[0] ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
        if (image_service_tag(ctx->images, req->param, target, &err) < 0) {
                fail(resp, err);
                return;
        }
        resp->status = 201;
        resp->content_type = "text/plain; charset=utf-8";
}

void
api_images_remove(const struct api_ctx *ctx, const struct api_request *req,
                  struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *out = json_object_new_array();

        if (image_service_remove(ctx->images, req->param, api_query_bool(req, "force", false),
                                 api_query_bool(req, "noprune", false), out, &err)
            < 0) {
                json_object_put(out);
                fail(resp, err);
                return;
        }
        api_response_json(resp, 200, out);
}

static void
append_line(char **buf, struct json_object *o)
{
        cleanup_free char *old = *buf;
        *buf = xasprintf("%s%s\n", old ? old : "",
                         json_object_to_json_string_ext(
                                 o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}

void
api_images_load(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_strv char **lines = NULL;
        char *body = NULL;

        (void) api_query_bool(req, "quiet", false); /* berthd prints no progress bars anyway */
        if (req->body_fd < 0) {
                api_response_error(resp, 500, "load: no upload");
                return;
        }
        /* As dockerd: the stream is 200 and a failure is its last message, which the docker
         * CLI prints and exits 1 on. */
        if (image_service_load(ctx->images, req->body_fd, &lines, &err) < 0) {
                struct json_object *o = json_object_new_object(), *d = json_object_new_object();
                json_object_object_add(d, "message", json_object_new_string(err->msg));
                json_object_object_add(o, "errorDetail", d);
                json_object_object_add(o, "error", json_object_new_string(err->msg));
                append_line(&body, o);
        }
        strv_foreach(l, lines) {
                struct json_object *o = json_object_new_object();
                cleanup_free char *s = xasprintf("%s\n", l);
                json_object_object_add(o, "stream", json_object_new_string(s));
                append_line(&body, o);
        }
        resp->status = 200;
        resp->content_type = "application/json";
        resp->body = body ? body : xstrdup("");
        resp->body_len = strlen(resp->body);
}

/* POST /images/create: docker pull (fromImage, supervisor/api/pull.c) or docker import
 * (fromSrc). */
void
api_images_create(const struct api_ctx *ctx, const struct api_request *req,
                  struct api_response *resp)
{
        if (api_query_get(req, "fromSrc")) {
                api_images_import(ctx, req, resp);
                return;
        }
        api_images_pull(ctx, req, resp);
}

void
api_images_save(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_strv char **names = NULL;
        cleanup_free char *dir = xasprintf("%s/content/ingest", ctx->data_root);
        cleanup_close int fd = -1;

        if (req->param) {
                strv_push(&names, req->param);
        } else {
                for (size_t i = 0; req->query && req->query[i] && req->query[i + 1]; i += 2)
                        if (strcmp(req->query[i], "names") == 0)
                                strv_push(&names, req->query[i + 1]);
        }
        if (names == NULL) {
                api_response_error(resp, 400, "no images specified");
                return;
        }
        /* Written whole before the reply: an error can still be an HTTP status then. */
        fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
                api_response_error(resp, 500, "save: %s", strerror(errno));
                return;
        }
        if (image_service_save(ctx->images, names, fd, &err) < 0) {
                /* Say where the archive was being built when the disk failed it. */
                if (err->code == ENOSPC || err->code == EDQUOT || err->code == EIO)
                        berth_error_prefix(&err, "archive in \"%s\"", dir);
                fail(resp, err);
                return;
        }
        lseek(fd, 0, SEEK_SET);
        resp->status = 200;
        resp->content_type = "application/x-tar";
        resp->body_fd_plus1 = TAKE_FD(fd) + 1;
}

void
api_images_prune(const struct api_ctx *ctx, const struct api_request *req,
                 struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *filters = NULL;
        cleanup_strv char **dangling = NULL;
        struct json_object *deleted = json_object_new_array(), *o;
        const char *f = api_query_get(req, "filters");
        int64_t reclaimed = 0;
        bool all = false;

        if (f && f[0]) {
                if (json_parse_buffer(f, strlen(f), &filters, &err) < 0
                    || filter_values(filters, "dangling", &dangling) < 0) {
                        json_object_put(deleted);
                        api_response_error(resp, 400, "invalid filter: %s", f);
                        return;
                }
                all = dangling
                      && (strcmp(dangling[0], "false") == 0 || strcmp(dangling[0], "0") == 0);
        }
        if (image_service_prune(ctx->images, all, deleted, &reclaimed, &err) < 0) {
                json_object_put(deleted);
                fail(resp, err);
                return;
        }
        o = json_object_new_object();
        if (json_object_array_length(deleted) == 0) {
                json_object_put(deleted);
                deleted = NULL;
        }
        json_object_object_add(o, "ImagesDeleted", deleted);
        json_object_object_add(o, "SpaceReclaimed", json_object_new_int64(reclaimed));
        api_response_json(resp, 200, o);
}

void
api_system_df(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        struct image_record *recs = NULL;
        struct json_object *o, *images;
        int64_t total = 0;
        int n;

        (void) req;
        n = image_service_list(ctx->images, &recs, &err);
        if (n < 0) {
                fail(resp, err);
                return;
        }
        images = json_object_new_array();
        for (int i = 0; i < n; i++) {
                json_object_array_add(images, summary(ctx, &recs[i], true));
                total += recs[i].size;
        }
        image_records_free(recs, (size_t) n);
        o = json_object_new_object();
        json_object_object_add(o, "LayersSize", json_object_new_int64(total));
        json_object_object_add(o, "Images", images);
        json_object_object_add(o, "Containers", api_containers_df(ctx));
        json_object_object_add(o, "Volumes", api_volumes_df(ctx));
        json_object_object_add(o, "BuildCache", json_object_new_array());
        api_response_json(resp, 200, o);
}
