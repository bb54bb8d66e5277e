/* supervisor/images/push.c: docker push: send a stored image's blobs (HEAD first, a
 * cross-repository mount when another repository of the registry has them, else an upload,
 * monolithic or in chunks) and then its manifest, as stored, to a registry; docker's progress. */
#include <config.h>

#include "supervisor/images/push.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/registry.h"
#include "supervisor/images/registry_upload.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/images.h"

#define MAX_MANIFEST    (4 << 20)
#define MAX_MOUNT_TRIES 3

void
push_plan_done(struct push_plan *p)
{
        for (size_t i = 0; i < p->n_blobs; i++) {
                free(p->blobs[i].digest);
                free(p->blobs[i].media_type);
                free(p->blobs[i].progress_id);
        }
        free(p->blobs);
        free(p->manifest_type);
        memset(p, 0, sizeof(*p));
}

static bool
is_image_manifest(const char *t)
{
        return strcmp(t, "application/vnd.oci.image.manifest.v1+json") == 0
               || strcmp(t, "application/vnd.docker.distribution.manifest.v2+json") == 0;
}

/* Layers a registry does not hold (their URLs point elsewhere): distribution's foreign and
 * OCI's non-distributable media types. */
static bool
is_foreign(const char *t)
{
        return strstr(t, ".foreign.") != NULL || strstr(t, ".nondistributable.") != NULL;
}

static int
plan_add(struct push_plan *p, struct json_object *d, const struct jpath *at,
         const char *progress_id, berth_error_t **err)
{
        const char *digest = NULL, *type = NULL;
        int64_t size = -1;
        struct push_blob *b;
        int r;

        if ((r = json_expect_object(d, at, err)) < 0
            || (r = json_need_string(d, at, "digest", &digest, err)) < 0
            || (r = json_get_string(d, at, "mediaType", &type, err)) < 0
            || (r = json_need_int_range(d, at, "size", 0, INT64_MAX, &size, err)) < 0)
                return r;
        {
                cleanup_error berth_error_t *bad = NULL; /* replaced by the JSON path's message */
                if (content_digest_validate(digest, &bad) < 0)
                        return json_error(err, JPATH_KEY(at, "digest"), "invalid digest \"%s\"",
                                          digest);
        }
        p->blobs = xreallocarray(p->blobs, p->n_blobs + 1, sizeof(*p->blobs));
        b = &p->blobs[p->n_blobs++];
        memset(b, 0, sizeof(*b));
        b->digest = xstrdup(digest);
        b->size = size;
        b->media_type = xstrdup(type ? type : "");
        b->foreign = type && is_foreign(type);
        if (progress_id) {
                const char *hex =
                        strchr(progress_id, ':') ? strchr(progress_id, ':') + 1 : progress_id;
                b->progress_id = xstrndup(hex, 12);
        }
        return 0;
}

static int
plan_build(struct json_object *m, struct json_object *config, struct push_plan *p,
           berth_error_t **err)
{
        struct json_object *cfg = NULL, *layers = NULL, *rootfs = NULL, *diff_ids = NULL;
        const char *type = NULL;
        size_t n;
        int r;

        if ((r = json_expect_object(m, NULL, err)) < 0
            || (r = json_get_string(m, NULL, "mediaType", &type, err)) < 0)
                return r;
        /* OCI manifests may leave mediaType out; an index never has "config" and "layers". */
        if (type == NULL)
                type = json_object_object_get_ex(m, "layers", NULL)
                               ? "application/vnd.oci.image.manifest.v1+json"
                               : "";
        if (!is_image_manifest(type))
                return berth_error_new(err, EOPNOTSUPP, "media type \"%s\": not an image manifest",
                                       type);
        p->manifest_type = xstrdup(type);
        if ((r = json_need_object(m, NULL, "config", &cfg, err)) < 0
            || (r = json_get_array(m, NULL, "layers", &layers, err)) < 0)
                return r;
        r = plan_add(p, cfg, JPATH_KEY(NULL, "config"), NULL, err);
        if (r < 0)
                return r;
        if (config && json_object_object_get_ex(config, "rootfs", &rootfs)
            && json_object_is_type(rootfs, json_type_object))
                json_object_object_get_ex(rootfs, "diff_ids", &diff_ids);
        if (diff_ids && !json_object_is_type(diff_ids, json_type_array))
                diff_ids = NULL;
        n = layers ? json_object_array_length(layers) : 0;
        for (size_t i = 0; i < n; i++) {
                struct json_object *l = json_object_array_get_idx(layers, i), *dg = NULL, *id;
                const char *pid = NULL;
                /* docker names a layer's progress after its diff ID; the layer digest when the
                 * config does not say. */
                id = diff_ids && json_object_array_length(diff_ids) == n
                             ? json_object_array_get_idx(diff_ids, i)
                             : NULL;
                if (id && json_object_is_type(id, json_type_string))
                        pid = json_object_get_string(id);
                else if (json_object_is_type(l, json_type_object)
                         && json_object_object_get_ex(l, "digest", &dg)
                         && json_object_is_type(dg, json_type_string))
                        pid = json_object_get_string(dg);
                r = plan_add(p, l, JPATH_IDX(JPATH_KEY(NULL, "layers"), i), pid ? pid : "", err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int
push_plan_build(const char *manifest, size_t len, struct json_object *config, struct push_plan *ret,
                berth_error_t **err)
{
        cleanup_json struct json_object *m = NULL;
        struct push_plan p = {0};
        int r;

        r = json_parse_buffer(manifest, len, &m, err);
        if (r < 0)
                return r;
        r = plan_build(m, config, &p, err);
        if (r < 0) {
                push_plan_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

/* NAME ("host/path:tag", "host/path@sha256:…") split into host and path; false when it has no
 * host part. */
static bool
split_name(const char *name, char **ret_host, char **ret_repo)
{
        const char *slash = strchr(name, '/');
        size_t end = strcspn(name, "@");
        const char *colon;

        if (slash == NULL)
                return false;
        colon = memrchr(name, ':', end);
        if (colon && colon > slash)
                end = (size_t) (colon - name);
        *ret_host = xstrndup(name, (size_t) (slash - name));
        *ret_repo = xstrndup(slash + 1, end - (size_t) (slash - name) - 1);
        return true;
}

char **
push_mount_sources(char *const *names, const char *host, const char *repo)
{
        char **out = NULL;

        /* Two passes: digest references first. */
        for (int pass = 0; pass < 2; pass++) {
                strv_foreach(n, names) {
                        cleanup_free char *h = NULL, *r = NULL;
                        bool dup = false;
                        if ((strchr(n, '@') != NULL) != (pass == 0))
                                continue;
                        if (!split_name(n, &h, &r) || strcmp(h, host) != 0 || strcmp(r, repo) == 0)
                                continue;
                        strv_foreach(o, out) {
                                if (strcmp(o, r) == 0)
                                        dup = true;
                        }
                        if (!dup)
                                strv_push(&out, r);
                }
        }
        return out;
}

/* go-units' HumanSize: decimal units, four significant digits. */
static char *
human_size(int64_t n)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = (double) n;
        size_t u = 0;

        while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000;
                u++;
        }
        return xasprintf("%.4g%s", v, units[u]);
}

char *
push_progress_bar(int64_t current, int64_t total)
{
        char bar[54];
        cleanup_free char *cur = human_size(current);
        cleanup_free char *tot = NULL;
        int64_t n;
        size_t i = 0;

        if (total <= 0)
                return xasprintf("%8s", cur);
        /* "[", N "=", ">", 50 - N spaces, "]"; past the total the bar is full and only the
         * current size is shown (docker's jsonmessage). */
        n = current >= total ? 50 : 50 * current / total;
        bar[i++] = '[';
        for (int64_t k = 0; k < n; k++)
                bar[i++] = '=';
        bar[i++] = '>';
        for (int64_t k = n; k < 50; k++)
                bar[i++] = ' ';
        bar[i++] = ']';
        bar[i] = '\0';
        if (current > total)
                return xasprintf("%s %8s", bar, cur);
        tot = human_size(total);
        return xasprintf("%s %8s/%s", bar, cur, tot);
}

/* ---- the push itself ---- */

struct push_ctx {
        struct image_service *svc;
        const char *host; /* "127.0.0.1:5000" */
        const char *repo; /* "test/busybox" */
        const char *base; /* "http://127.0.0.1:5000/v2/test/busybox" */
        int64_t chunk_size;
        image_push_progress_fn emit;
        void *arg;
        bool *cancelled; /* set once EMIT failed: the client is gone, stop at the next step */
};

static void
emit(const struct push_ctx *c, struct json_object *o)
{
        if (c->emit(o, c->arg) < 0)
                *c->cancelled = true;
}

static int
check_cancelled(const struct push_ctx *c, berth_error_t **err)
{
        if (*c->cancelled)
                return berth_error_new(err, ECANCELED, "push %s/%s: the client went away", c->host,
                                       c->repo);
        return 0;
}

static void
emit_status(const struct push_ctx *c, const char *status, const char *id)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "status", json_object_new_string(status));
        if (id) {
                json_object_object_add(o, "progressDetail", json_object_new_object());
                json_object_object_add(o, "id", json_object_new_string(id));
        }
        emit(c, o);
}

static void
emit_pushing(const struct push_ctx *c, const char *id, int64_t current, int64_t total)
{
        struct json_object *o = json_object_new_object(), *d = json_object_new_object();
        cleanup_free char *bar = push_progress_bar(current, total);

        json_object_object_add(o, "status", json_object_new_string("Pushing"));
        json_object_object_add(d, "current", json_object_new_int64(current));
        json_object_object_add(d, "total", json_object_new_int64(total));
        json_object_object_add(o, "progressDetail", d);
        json_object_object_add(o, "progress", json_object_new_string(bar));
        json_object_object_add(o, "id", json_object_new_string(id));
        emit(c, o);
}

/* An unexpected reply as an error: the registry's errcode text when it sent one. */
static int
reply_error(berth_error_t **err, const char *what, const struct registry_reply *rep)
{
        cleanup_free char *why = registry_format_errors(rep->body, rep->len);

        return berth_error_new(err, rep->status == 404 ? ENOENT : EIO, "%s: HTTP %ld%s%s", what,
                               rep->status, why ? ": " : "", why ? why : "");
}

static int
perform(struct registry_request *req, struct registry_reply *rep, berth_error_t **err)
{
        return registry_request_perform(req, rep, err);
}

/* HEAD the blob in the target repository: 1 when the registry has it with SIZE bytes. */
static int
blob_exists(const struct push_ctx *c, const struct push_blob *b, berth_error_t **err)
{
        cleanup_free char *url = xasprintf("%s/blobs/%s", c->base, b->digest);
        struct registry_request req = {.method = "HEAD", .url = url, .body_fd = -1};
        struct registry_reply rep = {0};
        int r;

        r = perform(&req, &rep, err);
        if (r < 0)
                return r;
        r = rep.status == 200;
        registry_reply_done(&rep);
        return r;
}

/* Cancel an upload session (best effort: the registry expires it anyway). */
static void
upload_cancel(const char *location)
{
        cleanup_error berth_error_t *ignored = NULL; /* nothing more to do if it fails */
        struct registry_request req = {.method = "DELETE", .url = location, .body_fd = -1};
        struct registry_reply rep = {0};

        if (registry_request_perform(&req, &rep, &ignored) == 0)
                registry_reply_done(&rep);
}

/* POST .../blobs/uploads/ (with ?mount=&from= when FROM is set): 1 when mounted (201), 0 with
 * *ret_location the upload session's URL (202). */
static int
upload_start(const struct push_ctx *c, const struct push_blob *b, const char *from,
             char **ret_location, berth_error_t **err)
{
        cleanup_free char *url = xasprintf("%s/blobs/uploads/", c->base);
        struct registry_request req = {.method = "POST", .body_fd = -1};
        struct registry_reply rep = {0};
        int r;

        if (from) {
                cleanup_free char *u1 = registry_url_add_query(url, "mount", b->digest);
                free(url);
                url = registry_url_add_query(u1, "from", from);
        }
        req.url = url;
        r = perform(&req, &rep, err);
        if (r < 0)
                return r;
        if (from && rep.status == 201) {
                registry_reply_done(&rep);
                return 1;
        }
        if (rep.status != 202 || rep.location == NULL) {
                r = reply_error(err, "starting an upload", &rep);
                registry_reply_done(&rep);
                return r;
        }
        *ret_location = registry_url_resolve(url, rep.location);
        registry_reply_done(&rep);
        return 0;
}

static void
md_ctx_freep(EVP_MD_CTX **m)
{
        EVP_MD_CTX_free(*m);
}
#define cleanup_md_ctx __attribute__((cleanup(md_ctx_freep)))

static void
digest_final(EVP_MD_CTX *md, char ret[CONTENT_DIGEST_BUF])
{
        unsigned char raw[EVP_MAX_MD_SIZE];
        unsigned int n = 0;

        EVP_DigestFinal_ex(md, raw, &n);
        strcpy(ret, "sha256:");
        for (unsigned int i = 0; i < n && i < 32; i++)
                snprintf(ret + 7 + 2 * i, 3, "%02x", raw[i]);
}

/* The stored bytes of B must hash to its digest: a pre-pass for the monolithic upload. */
static int
check_stored_digest(int fd, const struct push_blob *b, berth_error_t **err)
{
        cleanup_md_ctx EVP_MD_CTX *md = EVP_MD_CTX_new();
        cleanup_free char *buf = xmalloc(65536);
        char got[CONTENT_DIGEST_BUF];
        ssize_t n;

        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        while ((n = read(fd, buf, 65536)) > 0)
                EVP_DigestUpdate(md, buf, (size_t) n);
        if (n < 0)
                return berth_error_sys(err, errno, "blob %s: read", b->digest);
        digest_final(md, got);
        if (strcmp(got, b->digest) != 0)
                return berth_error_new(err, EIO, "blob %s: the stored content hashes to %s",
                                       b->digest, got);
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berth_error_sys(err, errno, "blob %s: seek", b->digest);
        return 0;
}

/* Upload B into the session at LOCATION (which it owns and cancels on failure). */
static int
upload_blob(const struct push_ctx *c, const struct push_blob *b, char *location,
            berth_error_t **err)
{
        cleanup_free char *loc = location, *done_url = NULL;
        cleanup_md_ctx EVP_MD_CTX *md = EVP_MD_CTX_new();
        cleanup_close int fd = -1;
        struct registry_reply rep = {0};
        int64_t off = 0;
        int r;

        r = fd = content_store_open_blob(c->svc->store, b->digest, b->size, err);
        if (r < 0) {
                upload_cancel(loc);
                return r;
        }
        if (b->size <= c->chunk_size) {
                /* Monolithic: PUT <session>?digest= with the whole blob. */
                struct registry_request req = {.method = "PUT",
                                               .content_type = "application/octet-stream",
                                               .body_fd = fd,
                                               .body_size = b->size};
                r = check_stored_digest(fd, b, err);
                if (r < 0) {
                        upload_cancel(loc);
                        return r;
                }
                done_url = registry_url_add_query(loc, "digest", b->digest);
                req.url = done_url;
                r = perform(&req, &rep, err);
                if (r < 0) {
                        upload_cancel(loc);
                        return r;
                }
                if (rep.status != 201) {
                        r = reply_error(err, "uploading", &rep);
                        registry_reply_done(&rep);
                        upload_cancel(loc);
                        return r;
                }
                registry_reply_done(&rep);
                if (b->progress_id)
                        emit_pushing(c, b->progress_id, b->size, b->size);
                return 0;
        }
        /* Chunked: PATCH each CHUNK_SIZE piece with its Content-Range, following the session's
         * new Location each time (its state moves on), hashing what is sent; then PUT ?digest=
         * with no body once the bytes sent are known to hash to the digest. */
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        while (off < b->size) {
                if (check_cancelled(c, err) < 0) {
                        upload_cancel(loc);
                        return -ECANCELED;
                }
                int64_t n = b->size - off < c->chunk_size ? b->size - off : c->chunk_size;
                cleanup_free char *range = xasprintf("%" PRId64 "-%" PRId64, off, off + n - 1);
                struct registry_request req = {.method = "PATCH",
                                               .url = loc,
                                               .content_type = "application/octet-stream",
                                               .content_range = range,
                                               .body_fd = fd,
                                               .body_size = n,
                                               .hash = md};
                r = perform(&req, &rep, err);
                if (r < 0) {
                        upload_cancel(loc);
                        return r;
                }
                if (rep.status != 202) {
                        r = reply_error(err, "uploading a chunk", &rep);
                        registry_reply_done(&rep);
                        upload_cancel(loc);
                        return r;
                }
                if (rep.location) {
                        char *next = registry_url_resolve(loc, rep.location);
                        free(loc);
                        loc = next;
                }
                registry_reply_done(&rep);
                off += n;
                if (b->progress_id)
                        emit_pushing(c, b->progress_id, off, b->size);
        }
        {
                char got[CONTENT_DIGEST_BUF];
                digest_final(md, got);
                if (strcmp(got, b->digest) != 0) {
                        upload_cancel(loc);
                        return berth_error_new(err, EIO, "blob %s: the stored content hashes to %s",
                                               b->digest, got);
                }
        }
        {
                struct registry_request req = {.method = "PUT", .body_fd = -1};
                done_url = registry_url_add_query(loc, "digest", b->digest);
                req.url = done_url;
                r = perform(&req, &rep, err);
        }
        if (r < 0) {
                upload_cancel(loc);
                return r;
        }
        if (rep.status != 201) {
                r = reply_error(err, "finishing an upload", &rep);
                registry_reply_done(&rep);
                upload_cancel(loc);
                return r;
        }
        registry_reply_done(&rep);
        return 0;
}

/* Every stored name of every image that holds blob DIGEST. */
static char **
names_holding(struct image_record *recs, int n, const char *digest)
{
        char **out = NULL;

        for (int i = 0; i < n; i++) {
                bool holds = false;
                strv_foreach(b, recs[i].blobs) {
                        if (strcmp(b, digest) == 0)
                                holds = true;
                }
                if (!holds)
                        continue;
                strv_foreach(name, recs[i].names)
                        strv_push(&out, name);
        }
        return out;
}

static int
push_blob(const struct push_ctx *c, const struct push_blob *b, struct image_record *recs, int n,
          berth_error_t **err)
{
        cleanup_strv char **holders = NULL, **sources = NULL;
        char *location = NULL;
        int r;

        r = check_cancelled(c, err);
        if (r < 0)
                return r;
        if (b->foreign) {
                if (b->progress_id)
                        emit_status(c, "Skipped foreign layer", b->progress_id);
                return 0;
        }
        r = blob_exists(c, b, err);
        if (r < 0)
                return r;
        if (r == 1) {
                if (b->progress_id)
                        emit_status(c, "Layer already exists", b->progress_id);
                return 0;
        }
        /* A cross-repository mount from a repository of this registry known to hold it (at
         * most MAX_MOUNT_TRIES of them, as dockerd limits its candidates); a registry that
         * cannot mount from one opens an ordinary upload session instead (202), which the
         * last try keeps and the others cancel. */
        holders = names_holding(recs, n, b->digest);
        sources = push_mount_sources(holders, c->host, c->repo);
        for (size_t i = 0; sources && sources[i] && i < MAX_MOUNT_TRIES; i++) {
                bool last = sources[i + 1] == NULL || i + 1 == MAX_MOUNT_TRIES;
                r = upload_start(c, b, sources[i], &location, err);
                if (r < 0)
                        return r;
                if (r == 1) {
                        if (b->progress_id) {
                                cleanup_free char *s = xasprintf("Mounted from %s", sources[i]);
                                emit_status(c, s, b->progress_id);
                        }
                        return 0;
                }
                if (last)
                        break;
                upload_cancel(location);
                free(location);
                location = NULL;
        }
        if (location == NULL) {
                r = upload_start(c, b, NULL, &location, err);
                if (r < 0)
                        return r;
        }
        r = upload_blob(c, b, location, err);
        if (r < 0)
                return r;
        if (b->progress_id)
                emit_status(c, "Pushed", b->progress_id);
        return 0;
}

static int
read_manifest(struct image_service *svc, const char *digest, char **ret_buf, size_t *ret_len,
              berth_error_t **err)
{
        cleanup_free char *path = content_store_blob_path(svc->store, digest);
        int64_t size = 0;
        int r;

        r = content_store_stat_blob(svc->store, digest, &size, err);
        if (r < 0)
                return r;
        if (size > MAX_MANIFEST)
                return berth_error_new(err, EINVAL, "manifest %s: larger than %d bytes", digest,
                                       MAX_MANIFEST);
        return fs_read_file(AT_FDCWD, path, ret_buf, ret_len, err);
}

/* Push the image ID as TAG: its blobs, then its manifest; the digest line and the aux object. */
static int
push_tag(const struct push_ctx *c, const char *id, const char *tag, berth_error_t **err)
{
        struct image_record rec = {0}, *recs = NULL;
        struct push_plan plan = {0};
        cleanup_json struct json_object *config = NULL;
        cleanup_free char *manifest = NULL, *murl = NULL, *status = NULL, *dref = NULL;
        struct registry_reply rep = {0};
        char digest[CONTENT_DIGEST_BUF];
        size_t mlen = 0;
        int n = 0, r;

        r = metadata_images_load(c->svc->db, id, &rec, err);
        if (r < 0)
                return r;
        r = read_manifest(c->svc, rec.manifest, &manifest, &mlen, err);
        if (r >= 0 && image_service_load_config(c->svc, id, &config, err) < 0)
                r = -(*err)->code;
        if (r >= 0 && push_plan_build(manifest, mlen, config, &plan, err) < 0)
                r = berth_error_prefix(err, "manifest %s", rec.manifest);
        if (r >= 0 && strcmp(plan.blobs[0].digest, id) != 0)
                r = berth_error_new(err, EINVAL, "manifest %s: config %s is not the image %s",
                                    rec.manifest, plan.blobs[0].digest, id);
        if (r >= 0) {
                /* The manifest is sent from memory: check its bytes against its name too. */
                cleanup_md_ctx EVP_MD_CTX *md = EVP_MD_CTX_new();
                char got[CONTENT_DIGEST_BUF];
                EVP_DigestInit_ex(md, EVP_sha256(), NULL);
                EVP_DigestUpdate(md, manifest, mlen);
                digest_final(md, got);
                if (strcmp(got, rec.manifest) != 0)
                        r = berth_error_new(err, EIO,
                                            "manifest %s: the stored content hashes to %s",
                                            rec.manifest, got);
                else
                        strcpy(digest, rec.manifest);
        }
        image_record_done(&rec);
        if (r < 0) {
                push_plan_done(&plan);
                return r;
        }
        for (size_t i = 1; i < plan.n_blobs; i++)
                if (!plan.blobs[i].foreign)
                        emit_status(c, "Preparing", plan.blobs[i].progress_id);
        n = metadata_images_list(c->svc->db, &recs, err);
        if (n < 0) {
                push_plan_done(&plan);
                return n;
        }
        /* The layers, then the config (dockerd pushes it last, without progress). */
        for (size_t i = 1; i <= plan.n_blobs && r >= 0; i++)
                r = push_blob(c, &plan.blobs[i % plan.n_blobs], recs, n, err);
        image_records_free(recs, (size_t) n);
        if (r < 0) {
                push_plan_done(&plan);
                return r;
        }
        r = check_cancelled(c, err);
        if (r < 0) {
                push_plan_done(&plan);
                return r;
        }
        murl = xasprintf("%s/manifests/%s", c->base, tag);
        {
                struct registry_request req = {.method = "PUT",
                                               .url = murl,
                                               .content_type = plan.manifest_type,
                                               .body = manifest,
                                               .body_len = mlen,
                                               .body_fd = -1};
                r = perform(&req, &rep, err);
        }
        push_plan_done(&plan);
        if (r < 0)
                return r;
        if (rep.status != 201) {
                r = reply_error(err, "putting the manifest", &rep);
                registry_reply_done(&rep);
                return r;
        }
        if (rep.content_digest && strcmp(rep.content_digest, digest) != 0) {
                r = berth_error_new(err, EIO,
                                    "the registry stored the manifest %s as %s (not byte for byte)",
                                    digest, rep.content_digest);
                registry_reply_done(&rep);
                return r;
        }
        registry_reply_done(&rep);
        /* As dockerd, the image now carries the digest reference the registry knows it by. */
        dref = xasprintf("%s/%s@%s", c->host, c->repo, digest);
        {
                cleanup_error berth_error_t *ignored = NULL; /* the push itself succeeded */
                metadata_images_tag(c->svc->db, dref, id, &ignored);
        }
        status = xasprintf("%s: digest: %s size: %zu", tag, digest, mlen);
        emit_status(c, status, NULL);
        {
                struct json_object *o = json_object_new_object(), *aux = json_object_new_object();
                json_object_object_add(o, "progressDetail", json_object_new_object());
                json_object_object_add(aux, "Tag", json_object_new_string(tag));
                json_object_object_add(aux, "Digest", json_object_new_string(digest));
                json_object_object_add(aux, "Size", json_object_new_int64((int64_t) mlen));
                json_object_object_add(o, "aux", aux);
                emit(c, o);
        }
        return 0;
}

/* The tags to push, with their image IDs: "tag", "id", "tag", "id", … */
static int
resolve_tags(struct image_service *svc, const struct image_ref *ref, bool tag_given,
             const char *familiar, char ***ret, berth_error_t **err)
{
        struct image_record *recs = NULL;
        size_t nl = strlen(ref->name);
        char **out = NULL;
        bool repo_known = false;
        int n;

        n = metadata_images_list(svc->db, &recs, err);
        if (n < 0)
                return n;
        for (int i = 0; i < n; i++) {
                strv_foreach(name, recs[i].names) {
                        if (strncmp(name, ref->name, nl) != 0
                            || (name[nl] != ':' && name[nl] != '@'))
                                continue;
                        repo_known = true;
                        if (name[nl] != ':' || (tag_given && strcmp(name + nl + 1, ref->tag) != 0))
                                continue;
                        strv_push(&out, name + nl + 1);
                        strv_push(&out, recs[i].id);
                }
        }
        image_records_free(recs, (size_t) n);
        /* dockerd's words: distribution/push.go (no image in the repository) and push_v2.go (no
         * such tag in it). */
        if (!repo_known)
                return berth_error_new(
                        err, ENOENT, "An image does not exist locally with the tag: %s", familiar);
        if (out == NULL) {
                cleanup_free char *key = image_ref_key(ref);
                cleanup_free char *fam = image_ref_familiar(key);
                return berth_error_new(err, ENOENT, "tag does not exist: %s", fam);
        }
        *ret = out;
        return 0;
}

/* NAME and TAG as a push target: the reference, its registry host and repository path, the
 * name docker shows, and whether a tag was given at all. */
struct push_target {
        struct image_ref ref;
        char *host, *repo, *familiar;
        bool tag_given;
};

static void
push_target_done(struct push_target *t)
{
        image_ref_done(&t->ref);
        free(t->host);
        free(t->repo);
        free(t->familiar);
}

static int
push_target_parse(const char *name, const char *tag, char *const *insecure, struct push_target *ret,
                  berth_error_t **err)
{
        cleanup_free char *full = NULL, *repo_key = NULL;
        struct push_target t = {0};
        const char *slash, *last;
        char *fam;
        int r;

        if (tag && tag[0])
                full = xasprintf("%s:%s", name, tag);
        else
                full = xstrdup(name);
        /* A tag in NAME itself: a ":" after the last "/" (before that it is a port). */
        slash = strrchr(full, '/');
        last = strrchr(slash ? slash : full, ':');
        t.tag_given = last != NULL;
        r = image_ref_parse(full, &t.ref, err);
        if (r < 0)
                return r;
        if (t.ref.digest) {
                push_target_done(&t);
                return berth_error_new(err, EINVAL, "cannot push a digest reference");
        }
        split_name(t.ref.name, &t.host, &t.repo);
        repo_key = xasprintf("%s:x", t.ref.name);
        fam = image_ref_familiar(repo_key);
        fam[strlen(fam) - 2] = '\0';
        t.familiar = fam;
        if (!registry_host_allows_http(t.host, insecure)) {
                r = berth_error_new(err, EOPNOTSUPP,
                                    "push %s: registry \"%s\": TLS registries: not implemented "
                                    "yet (plain HTTP is used for 127.0.0.0/8 and "
                                    "insecure-registries only)",
                                    t.familiar, t.host);
                push_target_done(&t);
                return r;
        }
        *ret = t;
        return 0;
}

int
image_service_push_check(struct image_service *svc, const char *name, const char *tag,
                         char *const *insecure, berth_error_t **err)
{
        cleanup_strv char **tags = NULL;
        struct push_target t = {0};
        int r;

        r = push_target_parse(name, tag, insecure, &t, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&svc->lock);
        r = resolve_tags(svc, &t.ref, t.tag_given, t.familiar, &tags, err);
        pthread_mutex_unlock(&svc->lock);
        push_target_done(&t);
        return r;
}

int
image_service_push(struct image_service *svc, const char *name, const char *tag,
                   char *const *insecure, const struct image_push_options *opts,
                   image_push_progress_fn progress, void *arg, berth_error_t **err)
{
        cleanup_free char *base = NULL, *status = NULL;
        cleanup_strv char **tags = NULL;
        struct push_target t = {0};
        bool cancelled = false;
        struct push_ctx c = {.svc = svc, .emit = progress, .arg = arg, .cancelled = &cancelled};
        int r;

        r = push_target_parse(name, tag, insecure, &t, err);
        if (r < 0)
                return r;
        base = xasprintf("http://%s/v2/%s", t.host, t.repo);
        c.host = t.host;
        c.repo = t.repo;
        c.base = base;
        c.chunk_size = opts && opts->chunk_size > 0 ? opts->chunk_size : IMAGE_PUSH_CHUNK_SIZE;
        pthread_mutex_lock(&svc->lock);
        r = resolve_tags(svc, &t.ref, t.tag_given, t.familiar, &tags, err);
        if (r >= 0) {
                status = xasprintf("The push refers to repository [%s]", t.ref.name);
                emit_status(&c, status, NULL);
        }
        for (size_t i = 0; r >= 0 && tags && tags[i]; i += 2)
                r = push_tag(&c, tags[i + 1], tags[i], err);
        pthread_mutex_unlock(&svc->lock);
        push_target_done(&t);
        return r < 0 ? r : 0;
}
