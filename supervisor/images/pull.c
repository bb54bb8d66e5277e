/* supervisor/images/pull.c: docker pull: resolve a reference at its registry (manifest, or an
 * index and this host's manifest in it), fetch the config and layers into the content store,
 * then unpack and record the image as a load does (internal.h). The transport, auth and mirrors
 * are registry.h's sessions. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/internal.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/registry.h"
#include "supervisor/images/service.h"

#define MAX_MANIFEST (4 << 20)

static void
sha256_hex(const char *buf, size_t len, char ret[CONTENT_DIGEST_BUF])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;

        EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
        strcpy(ret, "sha256:");
        for (unsigned int i = 0; i < n; i++)
                sprintf(ret + 7 + 2 * i, "%02x", md[i]);
}

static const char *
host_arch(void)
{
        static const struct {
                const char *uname, *go;
        } map[] = {{"x86_64", "amd64"}, {"aarch64", "arm64"},   {"armv7l", "arm"},
                   {"i686", "386"},     {"ppc64le", "ppc64le"}, {"s390x", "s390x"}};
        struct utsname u;

        uname(&u);
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (strcmp(u.machine, map[i].uname) == 0)
                        return map[i].go;
        return u.machine[0] ? "unknown" : "amd64";
}

static void
push_status(struct json_object *progress, const char *status, const char *id)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "status", json_object_new_string(status));
        if (id)
                json_object_object_add(o, "id", json_object_new_string(id));
        json_object_array_add(progress, o);
}

static bool
is_index(const char *t)
{
        return strcmp(t, "application/vnd.oci.image.index.v1+json") == 0
               || strcmp(t, "application/vnd.docker.distribution.manifest.list.v2+json") == 0;
}

static bool
is_manifest(const char *t)
{
        return strcmp(t, "application/vnd.oci.image.manifest.v1+json") == 0
               || strcmp(t, "application/vnd.docker.distribution.manifest.v2+json") == 0;
}

struct pull_target {
        const char *display;        /* what the user asked for, for messages */
        struct registry_session *s; /* the registry endpoint and repository */
};

/* GET a manifest by tag or digest and store it; *ret_doc is its JSON, *ret_type its media
 * type (the document's own mediaType, else the Content-Type). */
static int
fetch_manifest(struct image_service *svc, const struct pull_target *t, const char *ref,
               const char *want_digest, char ret_digest[CONTENT_DIGEST_BUF],
               struct json_object **ret_doc, char **ret_type, berth_error_t **err)
{
        cleanup_free char *suffix = xasprintf("manifests/%s", ref);
        cleanup_free char *url = xasprintf("%s/v2/%s/%s", t->s->base, t->s->repository, suffix);
        cleanup_free char *wref = NULL;
        struct registry_response resp = {0};
        struct json_object *doc = NULL, *mt = NULL;
        char digest[CONTENT_DIGEST_BUF];
        int r;

        r = registry_session_get(t->s, suffix, REGISTRY_MANIFEST_ACCEPT, MAX_MANIFEST, &resp, err);
        if (r < 0)
                return r;
        free(url);
        url = xasprintf("%s/v2/%s/%s", t->s->base, t->s->repository, suffix); /* scheme settled */
        if (resp.status != 200) {
                cleanup_free char *why = registry_format_errors(resp.body, resp.len);
                long status = resp.status;
                registry_response_done(&resp);
                if (status == 404)
                        return berth_error_new(err, ENOENT, "manifest for %s not found: %s",
                                               t->display, why ? why : "manifest unknown");
                return berth_error_new(err, EIO, "Get \"%s\": HTTP %ld%s%s", url, status,
                                       why ? ": " : "", why ? why : "");
        }
        sha256_hex(resp.body, resp.len, digest);
        if (want_digest && strcmp(digest, want_digest) != 0) {
                registry_response_done(&resp);
                return berth_error_new(err, EINVAL, "manifest verification failed for digest %s",
                                       want_digest);
        }
        r = json_parse_buffer(resp.body, resp.len, &doc, err);
        if (r < 0) {
                registry_response_done(&resp);
                return berth_error_prefix(err, "manifest %s", digest);
        }
        wref = xasprintf("manifest-%s", digest + 7);
        r = content_store_write_blob(svc->store, wref, resp.body, resp.len, digest,
                                     (int64_t) resp.len, err);
        if (r == -EEXIST) {
                berth_error_free(*err); /* stored already */
                *err = NULL;
                r = 0;
        }
        if (r < 0) {
                json_object_put(doc);
                registry_response_done(&resp);
                return r;
        }
        if (json_object_object_get_ex(doc, "mediaType", &mt)
            && json_object_is_type(mt, json_type_string))
                *ret_type = xstrdup(json_object_get_string(mt));
        else
                *ret_type = xstrdup(resp.content_type);
        registry_response_done(&resp);
        strcpy(ret_digest, digest);
        *ret_doc = doc;
        return 0;
}

static int
descriptor(struct json_object *d, const struct jpath *at, const char **ret_digest,
           int64_t *ret_size, const char **ret_type, berth_error_t **err)
{
        const char *digest = NULL, *type = NULL;
        int64_t size = -1;
        int r;

        if ((r = json_expect_object(d, at, err)) < 0
            || (r = json_get_string(d, at, "digest", &digest, err)) < 0
            || (r = json_get_string(d, at, "mediaType", &type, err)) < 0
            || (r = json_get_int_range(d, at, "size", 0, INT64_MAX, &size, err)) < 0)
                return r;
        if (digest == NULL || content_digest_validate(digest, err) < 0) {
                if (*err) {
                        berth_error_free(*err); /* replaced by the JSON path's message */
                        *err = NULL;
                }
                return json_error(err, JPATH_KEY(at, "digest"), "missing or invalid");
        }
        if (size < 0)
                return json_error(err, JPATH_KEY(at, "size"), "missing");
        *ret_digest = digest;
        *ret_size = size;
        *ret_type = type ? type : "";
        return 0;
}

/* From an index, the linux/<host arch> manifest's digest; -ENOENT as docker words it. */
static int
pick_platform(struct json_object *idx, const char *display, char **ret_digest, berth_error_t **err)
{
        struct json_object *ms = NULL;
        int r;

        (void) display;
        r = json_get_array(idx, NULL, "manifests", &ms, err);
        if (r < 0)
                return r;
        for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
                struct json_object *d = json_object_array_get_idx(ms, i), *plat = NULL;
                const struct jpath *at = JPATH_IDX(JPATH_KEY(NULL, "manifests"), i);
                const char *dg, *type, *os = NULL, *arch = NULL;
                int64_t sz;
                r = descriptor(d, at, &dg, &sz, &type, err);
                if (r < 0)
                        return r;
                if (json_get_object(d, at, "platform", &plat, err) < 0
                    || (plat
                        && (json_get_string(plat, at, "os", &os, err) < 0
                            || json_get_string(plat, at, "architecture", &arch, err) < 0)))
                        return -(*err)->code;
                if (os && arch && strcmp(os, "linux") == 0 && strcmp(arch, host_arch()) == 0) {
                        *ret_digest = xstrdup(dg);
                        return 0;
                }
        }
        return berth_error_new(err, ENOENT,
                               "no matching manifest for linux/%s in the manifest list entries",
                               host_arch());
}

static int
plan_layers(struct json_object *m, struct image_plan *plan, berth_error_t **err)
{
        struct json_object *config = NULL, *layers = NULL;
        const char *cd, *ct;
        int64_t cs;
        int r;

        if ((r = json_get_object(m, NULL, "config", &config, err)) < 0
            || (r = json_get_array(m, NULL, "layers", &layers, err)) < 0)
                return r;
        if (config == NULL)
                return json_error(err, JPATH_KEY(NULL, "config"), "missing");
        r = descriptor(config, JPATH_KEY(NULL, "config"), &cd, &cs, &ct, err);
        if (r < 0)
                return r;
        plan->config_digest = xstrdup(cd);
        plan->layer_sizes = xzalloc((json_object_array_length(layers) + 1) * sizeof(int64_t));
        for (size_t i = 0; layers && i < json_object_array_length(layers); i++) {
                const char *ld, *lt;
                int64_t ls;
                r = descriptor(json_object_array_get_idx(layers, i),
                               JPATH_IDX(JPATH_KEY(NULL, "layers"), i), &ld, &ls, &lt, err);
                if (r < 0)
                        return r;
                strv_push(&plan->layers, ld);
                strv_push(&plan->layer_types, lt);
                plan->layer_sizes[i] = ls;
        }
        (void) cs;
        return 0;
}

static int
pull_locked(struct image_service *svc, const struct image_ref *ref, const char *display,
            const struct registry_config *cfg, const struct registry_creds *creds,
            struct json_object *progress, struct image_plan *plan, berth_error_t **err)
{
        struct registry_endpoint *eps = NULL;
        size_t n_eps = 0;
        cleanup_registry_session struct registry_session *sess = NULL;
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *type = NULL, *platform_digest = NULL, *host = NULL, *path = NULL;
        cleanup_free char *key = NULL, *status = NULL;
        char digest[CONTENT_DIGEST_BUF];
        char top_digest[CONTENT_DIGEST_BUF];
        const char *slash = strchr(ref->name, '/');
        struct pull_target t = {.display = display};
        struct json_object *cfgd = NULL;
        int64_t cfg_size = -1;
        int r;

        host = xstrndup(ref->name, (size_t) (slash - ref->name));
        path = xstrdup(slash + 1);
        r = registry_endpoints_build(host, cfg->mirrors, cfg->insecure, &eps, &n_eps, err);
        if (r < 0)
                return r;
        /* Mirrors (Docker Hub only) in order, then the registry: the first that resolves the
         * reference serves the whole pull. */
        for (size_t i = 0; i < n_eps; i++) {
                r = registry_session_new(cfg, &eps[i], host, path, "pull", creds, &sess, err);
                if (r < 0)
                        break;
                t.s = sess;
                r = fetch_manifest(svc, &t, ref->digest ? ref->digest : ref->tag, ref->digest,
                                   top_digest, &doc, &type, err);
                if (r >= 0 || i + 1 == n_eps)
                        break;
                /* This mirror failed; the next endpoint decides (dockerd falls back too). */
                berth_error_free(*err);
                *err = NULL;
                registry_session_free(TAKE_PTR(sess));
        }
        registry_endpoints_free(eps, n_eps);
        if (r < 0)
                return r;
        {
                cleanup_free char *s = xasprintf("Pulling from %s", path);
                push_status(progress, s, ref->digest ? ref->digest : ref->tag);
        }
        strcpy(digest, top_digest);
        if (is_index(type)) {
                r = pick_platform(doc, display, &platform_digest, err);
                if (r < 0)
                        return berth_error_prefix(err, "index %s", top_digest);
                json_object_put(doc);
                doc = NULL;
                free(type);
                type = NULL;
                r = fetch_manifest(svc, &t, platform_digest, platform_digest, digest, &doc, &type,
                                   err);
                if (r < 0)
                        return r;
        }
        if (!is_manifest(type))
                return berth_error_new(err, EOPNOTSUPP,
                                       "manifest %s: media type \"%s\" not supported", digest,
                                       type);
        plan->manifest_digest = xstrdup(digest);
        r = plan_layers(doc, plan, err);
        if (r < 0)
                return berth_error_prefix(err, "manifest %s", digest);
        json_object_object_get_ex(doc, "config", &cfgd);
        json_object_object_get_ex(cfgd, "size", &cfgd);
        cfg_size = cfgd ? json_object_get_int64(cfgd) : -1;
        r = registry_session_fetch_blob(sess, svc->store, plan->config_digest, cfg_size, err);
        if (r < 0)
                return berth_error_prefix(err, "config");
        for (size_t i = 0; plan->layers && plan->layers[i]; i++) {
                cleanup_free char *shortid = xstrndup(plan->layers[i] + 7, 12);
                r = registry_session_fetch_blob(sess, svc->store, plan->layers[i],
                                                plan->layer_sizes[i], err);
                if (r < 0)
                        return r;
                push_status(progress, "Pull complete", shortid);
        }
        /* The names: the tag asked for, and NAME@<manifest digest> (docker's RepoDigests; the
         * digest the registry resolved the tag to, the index's when there was one). */
        key = image_ref_key(ref);
        strv_push(&plan->names, key);
        if (ref->tag && ref->digest == NULL) {
                cleanup_free char *dkey = xasprintf("%s@%s", ref->name, top_digest);
                strv_push(&plan->names, dkey);
        }
        r = image_plan_commit(svc, plan, err);
        if (r < 0)
                return r;
        status = xasprintf("Digest: %s", top_digest);
        push_status(progress, status, NULL);
        return 0;
}

int
image_service_pull(struct image_service *svc, const char *name, char *const *insecure,
                   struct json_object *progress, berth_error_t **err)
{
        struct registry_config cfg = {.insecure = insecure};

        return image_service_pull_from(svc, name, &cfg, NULL, progress, err);
}

int
image_service_pull_from(struct image_service *svc, const char *name,
                        const struct registry_config *cfg, const struct registry_creds *creds,
                        struct json_object *progress, berth_error_t **err)
{
        struct image_ref ref = {0};
        struct image_plan plan = {0};
        cleanup_free char *display = NULL, *status = NULL;
        int r;

        r = image_ref_parse(name, &ref, err);
        if (r < 0)
                return r;
        display = image_ref_key(&ref);
        {
                char *fam = image_ref_familiar(display);
                free(display);
                display = fam;
        }
        pthread_mutex_lock(&svc->lock);
        r = pull_locked(svc, &ref, display, cfg, creds, progress, &plan, err);
        /* Whatever a failed pull stored (manifests, blobs, snapshots) no record holds: it goes. */
        image_service_collect_locked(svc);
        if (r >= 0) {
                /* dockerd: actor the familiar reference, name the familiar repository. */
                cleanup_free char *repo = image_ref_familiar(ref.name);
                image_service_log_event(svc, display, repo, display, "pull");
        }
        pthread_mutex_unlock(&svc->lock);
        image_plan_done(&plan);
        image_ref_done(&ref);
        if (r < 0)
                return r;
        status = xasprintf("Status: Downloaded newer image for %s", display);
        push_status(progress, status, NULL);
        return 0;
}
