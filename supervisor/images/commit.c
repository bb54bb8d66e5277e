/* supervisor/images/commit.c: docker commit's new image (commit.h). */
#include <config.h>

#include "supervisor/images/commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/internal.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/images.h"

#define BLOCK (256 * 1024)

static int
read_json_blob(struct image_service *svc, const char *digest, struct json_object **ret,
               berth_error_t **err)
{
        cleanup_free char *path = content_store_blob_path(svc->store, digest), *buf = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(AT_FDCWD, path, &buf, &len, err);
        if (r < 0)
                return r;
        return json_parse_buffer(buf, len, ret, err);
}

/* The gzip writer's sink: the compressed bytes go to the ingest. */
struct gz_sink {
        struct content_ingest *in;
        berth_error_t **err;
        int r;
};

static la_ssize_t
gz_write(struct archive *a, void *arg, const void *buf, size_t len)
{
        struct gz_sink *g = arg;
        (void) a;
        if (g->r == 0)
                g->r = content_ingest_write(g->in, buf, len, g->err);
        return g->r < 0 ? -1 : (la_ssize_t) len;
}

static void
archive_write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}

/* Store the layer tar read from FD gzip-compressed, as dockerd does for a commit (so that a
 * push sends what a registry expects): *RET_DIFF_ID is the digest of the tar, RET_DIGEST and
 * *RET_SIZE are the compressed blob's. libarchive's "raw" format is the gzip filter alone. */
static int
store_layer(struct image_service *svc, int fd, char ret_digest[CONTENT_DIGEST_BUF],
            int64_t *ret_size, char ret_diff_id[CONTENT_DIGEST_BUF], berth_error_t **err)
{
        cleanup_content_ingest struct content_ingest *in = NULL;
        cleanup_free char *ref = NULL, *buf = xmalloc(BLOCK);
        __attribute__((cleanup(archive_write_freep))) struct archive *a = archive_write_new();
        struct archive_entry *e = NULL;
        struct gz_sink g = {.err = err};
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        EVP_MD_CTX *sha = EVP_MD_CTX_new();
        int64_t resumed = 0;
        ssize_t n;
        int r;

        ref = xasprintf("commit-%d-%lld", (int) getpid(), (long long) time(NULL));
        r = content_ingest_open(svc->store, ref, &in, &resumed, err);
        if (r < 0) {
                EVP_MD_CTX_free(sha);
                return r;
        }
        g.in = in;
        EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
        /* No block padding: zeros after the gzip stream would be trailing garbage to a reader;
         * no timestamp in the gzip header, so the same tar gives the same blob. */
        if (archive_write_set_format_raw(a) != ARCHIVE_OK
            || archive_write_add_filter_gzip(a) != ARCHIVE_OK
            || archive_write_set_filter_option(a, "gzip", "timestamp", NULL) < ARCHIVE_WARN
            || archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK
            || archive_write_open(a, &g, NULL, gz_write, NULL) != ARCHIVE_OK) {
                r = berth_error_new(err, EIO, "commit: gzip: %s", archive_error_string(a));
        } else {
                e = archive_entry_new();
                archive_entry_set_pathname(e, "layer.tar");
                archive_entry_set_filetype(e, AE_IFREG);
                if (archive_write_header(a, e) != ARCHIVE_OK)
                        r = berth_error_new(err, EIO, "commit: gzip: %s", archive_error_string(a));
                archive_entry_free(e);
        }
        while (r >= 0 && (n = read(fd, buf, BLOCK)) != 0) {
                if (n < 0) {
                        r = berth_error_sys(err, errno, "commit: read layer");
                        break;
                }
                EVP_DigestUpdate(sha, buf, (size_t) n);
                if (archive_write_data(a, buf, (size_t) n) != n) {
                        r = g.r < 0 ? g.r
                                    : berth_error_new(err, EIO, "commit: gzip: %s",
                                                      archive_error_string(a));
                        break;
                }
        }
        if (r >= 0 && (archive_write_close(a) != ARCHIVE_OK || g.r < 0))
                r = g.r < 0 ? g.r
                            : berth_error_new(err, EIO, "commit: gzip: %s",
                                              archive_error_string(a));
        EVP_DigestFinal_ex(sha, md, &mdlen);
        EVP_MD_CTX_free(sha);
        if (r < 0) {
                content_ingest_abort(in);
                return r;
        }
        strcpy(ret_diff_id, "sha256:");
        for (unsigned i = 0; i < mdlen; i++)
                snprintf(ret_diff_id + 7 + 2 * i, 3, "%02x", md[i]);
        content_ingest_digest(in, ret_digest);
        *ret_size = content_ingest_size(in);
        r = content_ingest_commit(in, ret_digest, *ret_size, err);
        r = content_stored_ok(r, err);
        return r;
}

static void
set(struct json_object *o, const char *k, struct json_object *v)
{
        json_object_object_del(o, k);
        json_object_object_add(o, k, v);
}

static int
store_config(struct image_service *svc, struct json_object *parent,
             const struct image_commit_options *o, const char *diff_id,
             char ret_digest[CONTENT_DIGEST_BUF], berth_error_t **err)
{
        cleanup_json struct json_object *c = NULL;
        cleanup_free char *created = time_now_rfc3339(), *ref = NULL;
        struct json_object *rootfs, *ids, *hist, *h = json_object_new_object();
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        const char *text;
        int r;

        r = json_object_deep_copy(parent, &c, NULL);
        if (r < 0 || c == NULL) {
                json_object_put(h);
                return berth_error_new(err, ENOMEM, "commit: copy config");
        }
        set(c, "config", json_object_get(o->config));
        if (o->container_config)
                set(c, "container_config", json_object_get(o->container_config));
        set(c, "container", json_object_new_string(o->container_id ? o->container_id : ""));
        set(c, "created", json_object_new_string(created));
        set(c, "docker_version", json_object_new_string(PACKAGE_VERSION));
        if (o->author && o->author[0])
                set(c, "author", json_object_new_string(o->author));
        else
                json_object_object_del(c, "author");
        if (o->comment && o->comment[0])
                set(c, "comment", json_object_new_string(o->comment));
        else
                json_object_object_del(c, "comment");
        json_object_object_add(h, "created", json_object_new_string(created));
        if (o->author && o->author[0])
                json_object_object_add(h, "author", json_object_new_string(o->author));
        json_object_object_add(h, "created_by",
                               json_object_new_string(o->created_by ? o->created_by : ""));
        if (o->comment && o->comment[0])
                json_object_object_add(h, "comment", json_object_new_string(o->comment));
        hist = json_key(c, "history");
        if (hist == NULL || !json_object_is_type(hist, json_type_array)) {
                hist = json_object_new_array();
                set(c, "history", hist);
        }
        json_object_array_add(hist, h);
        rootfs = json_key(c, "rootfs");
        if (rootfs == NULL) {
                rootfs = json_object_new_object();
                json_object_object_add(rootfs, "type", json_object_new_string("layers"));
                set(c, "rootfs", rootfs);
        }
        ids = json_key(rootfs, "diff_ids");
        if (ids == NULL || !json_object_is_type(ids, json_type_array)) {
                ids = json_object_new_array();
                set(rootfs, "diff_ids", ids);
        }
        json_object_array_add(ids, json_object_new_string(diff_id));
        text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
        EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
        strcpy(ret_digest, "sha256:");
        for (unsigned i = 0; i < mdlen; i++)
                snprintf(ret_digest + 7 + 2 * i, 3, "%02x", md[i]);
        ref = xasprintf("config-%s", ret_digest + 7);
        r = content_store_write_blob(svc->store, ref, text, strlen(text), ret_digest,
                                     (int64_t) strlen(text), err);
        r = content_stored_ok(r, err);
        return r;
}

/* The new manifest is docker's v2s2 (as dockerd writes it): an OCI parent's layer types become
 * their docker names, or registries and skopeo refuse the mix. */
static const char *
docker_layer_type(const char *mt)
{
        if (mt == NULL || strcmp(mt, "application/vnd.oci.image.layer.v1.tar+gzip") == 0)
                return "application/vnd.docker.image.rootfs.diff.tar.gzip";
        if (strcmp(mt, "application/vnd.oci.image.layer.v1.tar") == 0)
                return "application/vnd.docker.image.rootfs.diff.tar";
        return mt;
}

int
image_service_commit(struct image_service *svc, int layer_fd,
                     const struct image_commit_options *o, char **ret_id, berth_error_t **err)
{
        cleanup_json struct json_object *manifest = NULL, *parent = NULL;
        cleanup_free char *key = NULL;
        struct image_record rec = {0};
        struct image_plan plan = {0};
        struct json_object *layers;
        char layer[CONTENT_DIGEST_BUF], config[CONTENT_DIGEST_BUF], diff_id[CONTENT_DIGEST_BUF];
        int64_t size = 0;
        size_t n;
        int r;

        if (o->name && o->name[0]) {
                struct image_ref ref = {0};
                r = image_ref_parse(o->name, &ref, err);
                if (r < 0)
                        return r;
                if (ref.digest) {
                        image_ref_done(&ref);
                        return berth_error_new(err, EINVAL, "cannot commit to digest reference");
                }
                key = image_ref_key(&ref);
                image_ref_done(&ref);
        }
        pthread_mutex_lock(&svc->lock);
        r = metadata_images_load(svc->db, o->parent_id, &rec, err);
        if (r >= 0)
                r = read_json_blob(svc, rec.manifest, &manifest, err);
        if (r >= 0)
                r = read_json_blob(svc, rec.id, &parent, err);
        if (r >= 0)
                r = store_layer(svc, layer_fd, layer, &size, diff_id, err);
        if (r >= 0)
                r = store_config(svc, parent, o, diff_id, config, err);
        if (r >= 0) {
                layers = json_key(manifest, "layers");
                n = layers ? json_object_array_length(layers) : 0;
                plan.config_digest = xstrdup(config);
                plan.layer_sizes = xzalloc((n + 2) * sizeof(int64_t));
                for (size_t i = 0; i < n; i++) {
                        struct json_object *d = json_object_array_get_idx(layers, i);
                        const char *mt = json_object_get_string(json_key(d, "mediaType"));
                        strv_push(&plan.layers, json_object_get_string(json_key(d, "digest")));
                        strv_push(&plan.layer_types, docker_layer_type(mt));
                        plan.layer_sizes[i] = json_object_get_int64(json_key(d, "size"));
                }
                strv_push(&plan.layers, layer);
                strv_push(&plan.layer_types, "application/vnd.docker.image.rootfs.diff.tar.gzip");
                plan.layer_sizes[n] = size;
                if (key)
                        strv_push(&plan.names, key);
                r = image_plan_commit(svc, &plan, err);
                if (r < 0)
                        berth_error_prefix(err, "commit");
        }
        if (r >= 0 && key) {
                cleanup_free char *fam = image_ref_familiar(key);
                image_service_log_event(svc, config, fam, config, "tag");
        }
        image_service_collect_locked(svc);
        pthread_mutex_unlock(&svc->lock);
        image_record_done(&rec);
        image_plan_done(&plan);
        if (r < 0)
                return r;
        *ret_id = xstrdup(config);
        return 0;
}
