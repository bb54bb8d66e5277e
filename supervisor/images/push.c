/* supervisor/images/push.c: docker push: send a stored image's blobs (HEAD first, a
 * cross-repository mount when another repository of the registry has them, else an upload,
 * monolithic or in chunks) and then its manifest, as stored, to a registry through a registry
 * session (TLS, bearer or basic auth, retries); docker's progress. */
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
#include "supervisor/images/registry_scope.h"
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
        struct registry_session *sess; /* the target endpoint and repository, pinged */
        const char *host;              /* "127.0.0.1:5000" */
        const char *repo;              /* "test/busybox" */
        char *base;                    /* "https://127.0.0.1:5000/v2/test/busybox" */
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

static bool
status_retriable(long status)
{
        return status == 429 || (status >= 500 && status <= 599);
}

/* Whether a failed step may be tried again: a dropped connection (-EIO from
 * registry_request_perform) or a 5xx/429 (-EAGAIN from reply_error). */
static bool
error_retriable(int r)
{
        return r == -EIO || r == -EAGAIN;
}

/* An unexpected reply as an error: the registry's errcode text when it sent one. A refusal is
 * what docker prints for it: the bearer challenge's error (insufficient_scope: "denied:
 * requested access to the resource is denied"), else the errcode body, else "unauthorized:
 * authentication required". */
static int
reply_error(berth_error_t **err, const char *what, const struct registry_reply *rep)
{
        cleanup_free char *why = registry_format_errors(rep->body, rep->len);

        if (rep->status == 401 || rep->status == 403) {
                struct registry_challenge ch = {0};
                cleanup_free char *text = NULL;
                cleanup_error berth_error_t *bad = NULL; /* no usable challenge: the body says */
                if (rep->www_authenticate
                    && registry_challenge_parse(rep->www_authenticate, &ch, &bad) == 0) {
                        text = registry_bearer_error_text(ch.error, ch.error_description);
                        registry_challenge_done(&ch);
                }
                return berth_error_new(err, EACCES, "%s",
                                       text  ? text
                                       : why ? why
                                             : "unauthorized: authentication required");
        }
        return berth_error_new(err,
                               rep->status == 404              ? ENOENT
                               : status_retriable(rep->status) ? EAGAIN
                                                               : EIO,
                               "%s: HTTP %ld%s%s", what, rep->status, why ? ": " : "",
                               why ? why : "");
}

static void
md_ctx_freep(EVP_MD_CTX **m)
{
        EVP_MD_CTX_free(*m);
}
#define cleanup_md_ctx __attribute__((cleanup(md_ctx_freep)))

/* Perform REQ through the session: a 401 is answered once (a new token with the session's
 * scopes, or basic auth) and the request sent again; with RETRY (an idempotent request: HEAD,
 * the manifest PUT, DELETE) transport errors, 5xx and 429 are tried again with the session's
 * backoff. Each new try sends the body again from where it started (fd offset and hash state
 * rewound). */
static int
perform(const struct push_ctx *c, struct registry_request *req, bool retry,
        struct registry_reply *rep, berth_error_t **err)
{
        off_t off0 = req->body_fd >= 0 ? lseek(req->body_fd, 0, SEEK_CUR) : 0;
        cleanup_md_ctx EVP_MD_CTX *hash0 = NULL;
        bool reauthed = false;
        int r;

        if (req->hash) {
                hash0 = EVP_MD_CTX_new();
                if (hash0 == NULL || EVP_MD_CTX_copy_ex(hash0, req->hash) != 1)
                        abort();
        }
        req->session = c->sess;
        for (int try = 1;;) {
                bool again = false;
                r = registry_request_perform(req, rep, err);
                if (r == -EIO && retry && try < c->sess->tries) {
                        berth_error_free(*err); /* tried again below */
                        *err = NULL;
                        again = true;
                } else if (r < 0) {
                        return r;
                } else if (rep->status == 401 && !reauthed) {
                        reauthed = true;
                        r = registry_session_authorize(c->sess, rep->www_authenticate, err);
                        if (r < 0) {
                                registry_reply_done(rep);
                                return r;
                        }
                        registry_reply_done(rep);
                        try--; /* not a failure of the registry */
                        again = true;
                } else if (retry && status_retriable(rep->status) && try < c->sess->tries) {
                        registry_reply_done(rep);
                        again = true;
                }
                if (!again)
                        return 0;
                if (try > 0)
                        registry_session_backoff(c->sess, try);
                try++;
                if (req->body_fd >= 0 && lseek(req->body_fd, off0, SEEK_SET) < 0)
                        return berth_error_sys(err, errno, "%s %s: rewinding the body", req->method,
                                               req->url);
                if (hash0 && EVP_MD_CTX_copy_ex(req->hash, hash0) != 1)
                        abort();
        }
}

/* HEAD the blob in the target repository: 1 when the registry has it, 0 when not. */
static int
blob_exists(const struct push_ctx *c, const struct push_blob *b, berth_error_t **err)
{
        cleanup_free char *url = xasprintf("%s/blobs/%s", c->base, b->digest);
        struct registry_request req = {.method = "HEAD", .url = url, .body_fd = -1};
        struct registry_reply rep = {0};
        int r;

        r = perform(c, &req, true, &rep, err);
        if (r < 0)
                return r;
        if (rep.status == 401 || rep.status == 403 || status_retriable(rep.status))
                r = reply_error(err, "checking for a blob", &rep);
        else
                r = rep.status == 200;
        registry_reply_done(&rep);
        return r;
}

/* Cancel an upload session (best effort: the registry expires it anyway). */
static void
upload_cancel(const struct push_ctx *c, const char *location)
{
        cleanup_error berth_error_t *ignored = NULL; /* nothing more to do if it fails */
        struct registry_request req = {.method = "DELETE", .url = location, .body_fd = -1};
        struct registry_reply rep = {0};

        if (location && perform(c, &req, false, &rep, &ignored) == 0)
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
        r = perform(c, &req, false, &rep, err);
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
        /* EBADMSG: not a transport failure, never tried again. */
        if (strcmp(got, b->digest) != 0)
                return berth_error_new(err, EBADMSG, "blob %s: the stored content hashes to %s",
                                       b->digest, got);
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berth_error_sys(err, errno, "blob %s: seek", b->digest);
        return 0;
}

/* Upload B from FD (read from its start) into the session at LOCATION (which it owns and
 * cancels on failure). */
static int
upload_blob(const struct push_ctx *c, const struct push_blob *b, int fd, char *location,
            berth_error_t **err)
{
        cleanup_free char *loc = location, *done_url = NULL;
        cleanup_md_ctx EVP_MD_CTX *md = EVP_MD_CTX_new();
        struct registry_reply rep = {0};
        int64_t off = 0;
        int r;

        if (lseek(fd, 0, SEEK_SET) < 0) {
                upload_cancel(c, loc);
                return berth_error_sys(err, errno, "blob %s: seek", b->digest);
        }
        if (b->size <= c->chunk_size) {
                /* Monolithic: PUT <session>?digest= with the whole blob. */
                struct registry_request req = {.method = "PUT",
                                               .content_type = "application/octet-stream",
                                               .body_fd = fd,
                                               .body_size = b->size};
                r = check_stored_digest(fd, b, err);
                if (r < 0) {
                        upload_cancel(c, loc);
                        return r;
                }
                done_url = registry_url_add_query(loc, "digest", b->digest);
                req.url = done_url;
                r = perform(c, &req, false, &rep, err);
                if (r < 0) {
                        upload_cancel(c, loc);
                        return r;
                }
                if (rep.status != 201) {
                        r = reply_error(err, "uploading", &rep);
                        registry_reply_done(&rep);
                        upload_cancel(c, loc);
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
                        upload_cancel(c, loc);
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
                r = perform(c, &req, false, &rep, err);
                if (r < 0) {
                        upload_cancel(c, loc);
                        return r;
                }
                if (rep.status != 202) {
                        r = reply_error(err, "uploading a chunk", &rep);
                        registry_reply_done(&rep);
                        upload_cancel(c, loc);
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
                        upload_cancel(c, loc);
                        return berth_error_new(err, EBADMSG,
                                               "blob %s: the stored content hashes to %s",
                                               b->digest, got);
                }
        }
        {
                struct registry_request req = {.method = "PUT", .body_fd = -1};
                done_url = registry_url_add_query(loc, "digest", b->digest);
                req.url = done_url;
                r = perform(c, &req, false, &rep, err);
        }
        if (r < 0) {
                upload_cancel(c, loc);
                return r;
        }
        if (rep.status != 201) {
                r = reply_error(err, "finishing an upload", &rep);
                registry_reply_done(&rep);
                upload_cancel(c, loc);
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

/* Try the cross-repository mounts of B from SOURCES: 1 when one mounted it; 0 otherwise, with
 * *ret_location an upload session a registry opened instead (or NULL). Asking for a source's
 * pull scope, or a mount the token does not cover, failing only means no mount. */
static int
try_mounts(const struct push_ctx *c, const struct push_blob *b, char *const *sources,
           char **ret_location, berth_error_t **err)
{
        char *location = NULL;
        int r;

        /* At most MAX_MOUNT_TRIES sources, as dockerd limits its candidates; a registry that
         * cannot mount from one opens an ordinary upload session instead (202), which the last
         * try keeps and the others cancel. */
        for (size_t i = 0; sources && sources[i] && i < MAX_MOUNT_TRIES; i++) {
                bool last = sources[i + 1] == NULL || i + 1 == MAX_MOUNT_TRIES;
                cleanup_free char *scope = registry_scope_repository(sources[i], "pull");
                cleanup_error berth_error_t *no = NULL; /* no mount from there; upload it */
                /* docker asks for "repository:FROM:pull" beside the push scope. */
                if (registry_session_add_scope(c->sess, scope, &no) < 0)
                        break;
                r = upload_start(c, b, sources[i], &location, &no);
                if (r == -EACCES)
                        continue;
                if (r < 0) {
                        *err = TAKE_PTR(no);
                        return r;
                }
                if (r == 1) {
                        if (b->progress_id) {
                                cleanup_free char *s = xasprintf("Mounted from %s", sources[i]);
                                emit_status(c, s, b->progress_id);
                        }
                        return 1;
                }
                if (last)
                        break;
                upload_cancel(c, location);
                free(location);
                location = NULL;
        }
        *ret_location = location;
        return 0;
}

/* One blob of a tag's push with what was taken under the service lock: its fd (a reference
 * that keeps the bytes even if the blob is collected meanwhile) and its mount sources. */
struct push_item_blob {
        int fd;
        char **sources;
};

static int
push_blob(const struct push_ctx *c, const struct push_blob *b, const struct push_item_blob *ib,
          berth_error_t **err)
{
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
        r = try_mounts(c, b, ib->sources, &location, err);
        if (r != 0)
                return r < 0 ? r : 0;
        /* A failed upload (the connection dropped, 5xx, 429) starts again from scratch with a
         * new session: its half-sent state at the registry is not worth resuming. */
        for (int try = 1;; try++) {
                if (location == NULL)
                        r = upload_start(c, b, NULL, &location, err);
                if (r >= 0)
                        r = upload_blob(c, b, ib->fd, TAKE_PTR(location), err);
                if (r >= 0)
                        break;
                free(TAKE_PTR(location));
                if (!error_retriable(r) || try >= c->sess->tries || *c->cancelled)
                        return r;
                berth_error_free(*err); /* tried again from scratch */
                *err = NULL;
                registry_session_backoff(c->sess, try);
        }
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

/* One tag to push, everything it needs taken under the service lock (push_item_prepare), so
 * the network part runs without it. */
struct push_item {
        char *tag;
        char *id;
        char *manifest;
        size_t mlen;
        char digest[CONTENT_DIGEST_BUF];
        struct push_plan plan;
        struct push_item_blob *blobs; /* plan.n_blobs of them */
};

static void
push_item_done(struct push_item *it)
{
        for (size_t i = 0; it->blobs && i < it->plan.n_blobs; i++) {
                if (it->blobs[i].fd >= 0)
                        close(it->blobs[i].fd);
                strv_free(it->blobs[i].sources);
        }
        free(it->blobs);
        push_plan_done(&it->plan);
        free(it->tag);
        free(it->id);
        free(it->manifest);
        memset(it, 0, sizeof(*it));
}

/* Under svc->lock: the manifest (checked against its digest), the plan, an open fd on every
 * blob to send and where each could be mounted from. */
static int
push_item_prepare(struct image_service *svc, const char *host, const char *repo, const char *id,
                  const char *tag, struct image_record *recs, int n, struct push_item *ret,
                  berth_error_t **err)
{
        struct push_item it = {.tag = xstrdup(tag), .id = xstrdup(id)};
        struct image_record rec = {0};
        cleanup_json struct json_object *config = NULL;
        int r;

        r = metadata_images_load(svc->db, id, &rec, err);
        if (r < 0) {
                push_item_done(&it);
                return r;
        }
        r = read_manifest(svc, rec.manifest, &it.manifest, &it.mlen, err);
        if (r >= 0 && image_service_load_config(svc, id, &config, err) < 0)
                r = -(*err)->code;
        if (r >= 0 && push_plan_build(it.manifest, it.mlen, config, &it.plan, err) < 0)
                r = berth_error_prefix(err, "manifest %s", rec.manifest);
        if (r >= 0 && strcmp(it.plan.blobs[0].digest, id) != 0)
                r = berth_error_new(err, EINVAL, "manifest %s: config %s is not the image %s",
                                    rec.manifest, it.plan.blobs[0].digest, id);
        if (r >= 0) {
                /* The manifest is sent from memory: check its bytes against its name too. */
                cleanup_md_ctx EVP_MD_CTX *md = EVP_MD_CTX_new();
                char got[CONTENT_DIGEST_BUF];
                EVP_DigestInit_ex(md, EVP_sha256(), NULL);
                EVP_DigestUpdate(md, it.manifest, it.mlen);
                digest_final(md, got);
                if (strcmp(got, rec.manifest) != 0)
                        r = berth_error_new(err, EIO,
                                            "manifest %s: the stored content hashes to %s",
                                            rec.manifest, got);
                else
                        strcpy(it.digest, rec.manifest);
        }
        image_record_done(&rec);
        if (r >= 0) {
                it.blobs = xzalloc(it.plan.n_blobs * sizeof(*it.blobs));
                for (size_t i = 0; i < it.plan.n_blobs; i++)
                        it.blobs[i].fd = -1;
        }
        for (size_t i = 0; r >= 0 && i < it.plan.n_blobs; i++) {
                const struct push_blob *b = &it.plan.blobs[i];
                cleanup_strv char **holders = NULL;
                if (b->foreign)
                        continue;
                r = content_store_open_blob(svc->store, b->digest, b->size, err);
                if (r < 0)
                        break;
                it.blobs[i].fd = r;
                holders = names_holding(recs, n, b->digest);
                it.blobs[i].sources = push_mount_sources(holders, host, repo);
        }
        if (r < 0) {
                push_item_done(&it);
                return r;
        }
        *ret = it;
        return 0;
}

/* Push one prepared tag: its blobs (the layers, then the config, which dockerd pushes last,
 * without progress), then its manifest; the digest line and the aux object. */
static int
push_item_send(const struct push_ctx *c, const struct push_item *it, berth_error_t **err)
{
        cleanup_free char *murl = NULL, *status = NULL;
        struct registry_reply rep = {0};
        const struct push_plan *plan = &it->plan;
        int r = 0;

        for (size_t i = 1; i < plan->n_blobs; i++)
                if (!plan->blobs[i].foreign)
                        emit_status(c, "Preparing", plan->blobs[i].progress_id);
        for (size_t i = 1; i <= plan->n_blobs && r >= 0; i++)
                r = push_blob(c, &plan->blobs[i % plan->n_blobs], &it->blobs[i % plan->n_blobs],
                              err);
        if (r < 0)
                return r;
        r = check_cancelled(c, err);
        if (r < 0)
                return r;
        murl = xasprintf("%s/manifests/%s", c->base, it->tag);
        {
                struct registry_request req = {.method = "PUT",
                                               .url = murl,
                                               .content_type = plan->manifest_type,
                                               .body = it->manifest,
                                               .body_len = it->mlen,
                                               .body_fd = -1};
                r = perform(c, &req, true, &rep, err);
        }
        if (r < 0)
                return r;
        if (rep.status != 201) {
                r = reply_error(err, "putting the manifest", &rep);
                registry_reply_done(&rep);
                return r;
        }
        if (rep.content_digest && strcmp(rep.content_digest, it->digest) != 0) {
                r = berth_error_new(err, EIO,
                                    "the registry stored the manifest %s as %s (not byte for byte)",
                                    it->digest, rep.content_digest);
                registry_reply_done(&rep);
                return r;
        }
        registry_reply_done(&rep);
        status = xasprintf("%s: digest: %s size: %zu", it->tag, it->digest, it->mlen);
        emit_status(c, status, NULL);
        {
                struct json_object *o = json_object_new_object(), *aux = json_object_new_object();
                json_object_object_add(o, "progressDetail", json_object_new_object());
                json_object_object_add(aux, "Tag", json_object_new_string(it->tag));
                json_object_object_add(aux, "Digest", json_object_new_string(it->digest));
                json_object_object_add(aux, "Size", json_object_new_int64((int64_t) it->mlen));
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
push_target_parse(const char *name, const char *tag, struct push_target *ret, berth_error_t **err)
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
        *ret = t;
        return 0;
}

int
image_service_push_check(struct image_service *svc, const char *name, const char *tag,
                         berth_error_t **err)
{
        cleanup_strv char **tags = NULL;
        struct push_target t = {0};
        int r;

        r = push_target_parse(name, tag, &t, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&svc->lock);
        r = resolve_tags(svc, &t.ref, t.tag_given, t.familiar, &tags, err);
        pthread_mutex_unlock(&svc->lock);
        push_target_done(&t);
        return r;
}

/* Under svc->lock: every tag's push_item. */
static int
prepare_locked(struct image_service *svc, const struct push_target *t, struct push_item **ret,
               size_t *ret_n, berth_error_t **err)
{
        cleanup_strv char **tags = NULL;
        struct image_record *recs = NULL;
        struct push_item *items = NULL;
        size_t n = 0;
        int nrecs, r;

        r = resolve_tags(svc, &t->ref, t->tag_given, t->familiar, &tags, err);
        if (r < 0)
                return r;
        nrecs = metadata_images_list(svc->db, &recs, err);
        if (nrecs < 0)
                return nrecs;
        for (size_t i = 0; tags && tags[i]; i += 2) {
                items = xreallocarray(items, n + 1, sizeof(*items));
                r = push_item_prepare(svc, t->host, t->repo, tags[i + 1], tags[i], recs, nrecs,
                                      &items[n], err);
                if (r < 0)
                        break;
                n++;
        }
        image_records_free(recs, (size_t) nrecs);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        push_item_done(&items[i]);
                free(items);
                return r;
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

/* The target's endpoint (never a mirror: dockerd pushes to the registry itself), pinged. */
static int
session_open(const struct push_target *t, const struct registry_config *cfg,
             const struct registry_creds *creds, struct registry_session **ret, berth_error_t **err)
{
        struct registry_endpoint *eps = NULL;
        size_t n_eps = 0;
        struct registry_session *s = NULL;
        int r;

        r = registry_endpoints_build(t->host, NULL, cfg ? cfg->insecure : NULL, &eps, &n_eps, err);
        if (r < 0)
                return r;
        r = registry_session_new(cfg, &eps[n_eps - 1], t->host, t->repo, "pull,push", creds, &s,
                                 err);
        registry_endpoints_free(eps, n_eps);
        if (r < 0)
                return r;
        r = registry_session_ping(s, err);
        if (r == -EACCES && strstr((*err)->msg, "login attempt to") != NULL) {
                /* The ping checks basic credentials in docker login's words; a push refused
                 * for them is docker push's "unauthorized: authentication required". */
                berth_error_free(*err);
                *err = NULL;
                r = berth_error_new(err, EACCES, "unauthorized: authentication required");
        }
        if (r < 0) {
                registry_session_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int
image_service_push(struct image_service *svc, const char *name, const char *tag,
                   const struct registry_config *cfg, const struct registry_creds *creds,
                   const struct image_push_options *opts, image_push_progress_fn progress,
                   void *arg, berth_error_t **err)
{
        cleanup_free char *base = NULL, *status = NULL;
        cleanup_registry_session struct registry_session *sess = NULL;
        struct push_target t = {0};
        struct push_item *items = NULL;
        size_t n = 0;
        bool cancelled = false;
        struct push_ctx c = {.svc = svc, .emit = progress, .arg = arg, .cancelled = &cancelled};
        int r;

        r = push_target_parse(name, tag, &t, err);
        if (r < 0)
                return r;
        c.host = t.host;
        c.repo = t.repo;
        c.chunk_size = opts && opts->chunk_size > 0 ? opts->chunk_size : IMAGE_PUSH_CHUNK_SIZE;
        /* The lock is held only to take what the push reads: the records, the manifests and an
         * open fd on every blob. An fd keeps its blob's bytes even if a concurrent rmi and
         * collection unlink it, so the network part runs unlocked and other image calls do
         * not wait for the registry. */
        pthread_mutex_lock(&svc->lock);
        r = prepare_locked(svc, &t, &items, &n, err);
        pthread_mutex_unlock(&svc->lock);
        if (r >= 0) {
                status = xasprintf("The push refers to repository [%s]", t.ref.name);
                emit_status(&c, status, NULL);
                r = session_open(&t, cfg, creds, &sess, err);
        }
        if (r >= 0) {
                base = xasprintf("%s/v2/%s", sess->base, t.repo);
                c.sess = sess;
                c.base = base;
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = push_item_send(&c, &items[i], err);
                if (r < 0)
                        break;
                /* As dockerd, the image now carries the digest reference the registry knows it
                 * by (unless it was removed meanwhile). */
                pthread_mutex_lock(&svc->lock);
                {
                        cleanup_free char *dref =
                                xasprintf("%s/%s@%s", t.host, t.repo, items[i].digest);
                        cleanup_error berth_error_t *ignored = NULL; /* the push succeeded */
                        struct image_record rec = {0};
                        if (metadata_images_load(svc->db, items[i].id, &rec, &ignored) >= 0) {
                                image_record_done(&rec);
                                metadata_images_tag(svc->db, dref, items[i].id, &ignored);
                        }
                }
                {
                        /* dockerd: actor the reference pushed, name its repository. */
                        cleanup_free char *name = xasprintf("%s/%s", t.host, t.repo);
                        cleanup_free char *actor = xasprintf("%s:%s", name, items[i].tag);
                        image_service_log_event(svc, actor, name, items[i].id, "push");
                }
                pthread_mutex_unlock(&svc->lock);
        }
        for (size_t i = 0; i < n; i++)
                push_item_done(&items[i]);
        free(items);
        push_target_done(&t);
        return r < 0 ? r : 0;
}
