/* supervisor/images/import.c: docker load: read a docker-archive (manifest.json, as `docker
 * save` writes) or an OCI image layout (index.json, as docker 25+, skopeo and mkimage.py write)
 * from one pass over the tar, putting each file into the content store as it streams by, then
 * unpack and record each image. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
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
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/internal.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/images.h"
#include "supervisor/snapshots/snapshotter.h"

#define MAX_JSON_FILE (16 << 20)
#define MAX_LINKS     16

struct tar_file {
        char *path;
        char *digest; /* NULL for a symlink */
        char *link;   /* the path a symlink points to */
        int64_t size;
};

struct tar_index {
        struct tar_file *files;
        size_t n;
        char *manifest_json; /* docker-archive */
        size_t manifest_len;
        char *index_json; /* OCI layout */
        size_t index_len;
};

static void
tar_index_done(struct tar_index *t)
{
        for (size_t i = 0; i < t->n; i++) {
                free(t->files[i].path);
                free(t->files[i].digest);
                free(t->files[i].link);
        }
        free(t->files);
        free(t->manifest_json);
        free(t->index_json);
}

/* "./a/b/../c" → "a/c"; NULL when it climbs out of the root. */
static char *
clean_path(const char *p)
{
        cleanup_strv char **parts = NULL;
        cleanup_free char *copy = xstrdup(p);
        char *save = NULL;
        size_t n = 0;

        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        if (n == 0)
                                return NULL;
                        free(parts[--n]);
                        parts[n] = NULL;
                        continue;
                }
                strv_push(&parts, c);
                n++;
        }
        return parts ? strv_join(parts, "/") : xstrdup("");
}

static void
archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}
#define cleanup_archive_read __attribute__((cleanup(archive_read_freep)))

static int
read_small(struct archive *a, const char *path, char **ret, size_t *ret_len, berth_error_t **err)
{
        int64_t size = 0;
        char *buf;
        la_ssize_t n;
        size_t got = 0;

        (void) size;
        buf = xmalloc(MAX_JSON_FILE + 1);
        while ((n = archive_read_data(a, buf + got, MAX_JSON_FILE - got)) > 0)
                got += (size_t) n;
        if (n < 0) {
                free(buf);
                return berth_error_new(err, EINVAL, "archive: \"%s\": %s", path,
                                       archive_error_string(a));
        }
        if (got == MAX_JSON_FILE) {
                free(buf);
                return berth_error_new(err, EINVAL, "archive: \"%s\": larger than %d bytes", path,
                                       MAX_JSON_FILE);
        }
        buf[got] = '\0';
        *ret = buf;
        *ret_len = got;
        return 0;
}

static int
ingest_entry(struct image_service *svc, struct archive *a, const char *path, size_t seq,
             struct tar_file *f, berth_error_t **err)
{
        cleanup_content_ingest struct content_ingest *in = NULL;
        cleanup_free char *ref =
                xasprintf("load-%d-%lld-%zu", (int) getpid(), (long long) time(NULL), seq);
        char digest[CONTENT_DIGEST_BUF];
        const void *buf;
        size_t len;
        la_int64_t off;
        int64_t resumed = 0;
        int rc, r;

        r = content_ingest_open(svc->store, ref, &in, &resumed, err);
        if (r < 0)
                return r;
        if (resumed != 0)
                content_ingest_abort(in); /* refs are unique per load: never resume one */
        while (resumed == 0 && (rc = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
                r = content_ingest_write(in, buf, len, err);
                if (r < 0) {
                        content_ingest_abort(in);
                        return r;
                }
        }
        if (resumed != 0)
                return berth_error_new(err, EEXIST, "archive: \"%s\": ingest \"%s\" exists",
                                       path, ref);
        if (rc != ARCHIVE_EOF) {
                content_ingest_abort(in);
                return berth_error_new(err, EINVAL, "archive: \"%s\": %s", path,
                                       archive_error_string(a));
        }
        content_ingest_digest(in, digest);
        f->size = content_ingest_size(in);
        /* An OCI layout names each blob by its digest: the bytes must match the name. */
        if (strncmp(path, "blobs/sha256/", 13) == 0 && strcmp(path + 13, digest + 7) != 0) {
                content_ingest_abort(in);
                return berth_error_new(err, EINVAL,
                                       "archive: \"%s\": digest mismatch: the content hashes to %s",
                                       path, digest);
        }
        r = content_ingest_commit(in, digest, f->size, err);
        r = content_stored_ok(r, err);
        if (r < 0)
                return r;
        f->digest = xstrdup(digest);
        return 0;
}

static int
index_tar(struct image_service *svc, int fd, struct tar_index *t, berth_error_t **err)
{
        cleanup_archive_read struct archive *a = archive_read_new();
        struct archive_entry *e;
        int rc, r;

        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK)
                return berth_error_new(err, EINVAL, "archive: %s", archive_error_string(a));
        while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                cleanup_free char *path = clean_path(archive_entry_pathname(e));
                struct tar_file f = {0};
                mode_t type = archive_entry_filetype(e);

                if (path == NULL)
                        return berth_error_new(err, EINVAL, "archive: \"%s\": outside the archive",
                                               archive_entry_pathname(e));
                if (type == AE_IFLNK) {
                        cleanup_free char *dir = xstrdup(path);
                        cleanup_free char *joined = NULL;
                        char *slash = strrchr(dir, '/');
                        const char *target = archive_entry_symlink(e);
                        if (slash)
                                *slash = '\0';
                        else
                                dir[0] = '\0';
                        joined = target[0] == '/' ? xstrdup(target)
                                                  : xasprintf("%s/%s", dir, target);
                        f.link = clean_path(joined);
                        if (f.link == NULL)
                                return berth_error_new(err, EINVAL,
                                                       "archive: \"%s\": link outside the archive",
                                                       path);
                } else if (type != AE_IFREG) {
                        continue;
                } else if (strcmp(path, "manifest.json") == 0) {
                        r = read_small(a, path, &t->manifest_json, &t->manifest_len, err);
                        if (r < 0)
                                return r;
                        continue;
                } else if (strcmp(path, "index.json") == 0) {
                        r = read_small(a, path, &t->index_json, &t->index_len, err);
                        if (r < 0)
                                return r;
                        continue;
                } else if (strcmp(path, "repositories") == 0 || strcmp(path, "oci-layout") == 0) {
                        continue;
                } else {
                        r = ingest_entry(svc, a, path, t->n, &f, err);
                        if (r < 0)
                                return r;
                }
                f.path = TAKE_PTR(path);
                t->files = xrealloc(t->files, (t->n + 1) * sizeof(*t->files));
                t->files[t->n++] = f;
        }
        if (rc != ARCHIVE_EOF)
                return berth_error_new(err, EINVAL, "archive: %s", archive_error_string(a));
        return 0;
}

static const struct tar_file *
tar_lookup(const struct tar_index *t, const char *path)
{
        cleanup_free char *cur = clean_path(path);

        for (int hops = 0; cur && hops < MAX_LINKS; hops++) {
                const struct tar_file *f = NULL;
                for (size_t i = 0; i < t->n; i++)
                        if (strcmp(t->files[i].path, cur) == 0)
                                f = &t->files[i];
                if (f == NULL || f->digest)
                        return f;
                free(cur);
                cur = xstrdup(f->link);
        }
        return NULL;
}

void
image_plan_done(struct image_plan *p)
{
        free(p->manifest_digest);
        free(p->config_digest);
        strv_free(p->layers);
        free(p->layer_sizes);
        strv_free(p->layer_types);
        strv_free(p->names);
}

static int
add_name(struct image_plan *p, const char *name, berth_error_t **err)
{
        struct image_ref ref = {0};
        cleanup_free char *key = NULL;
        int r;

        r = image_ref_parse(name, &ref, err);
        if (r < 0)
                return berth_error_prefix(err, "image name \"%s\"", name);
        key = image_ref_key(&ref);
        image_ref_done(&ref);
        strv_push(&p->names, key);
        return 0;
}

static void
add_layer(struct image_plan *p, const char *digest, int64_t size, const char *type)
{
        size_t n = strv_length(p->layers);
        strv_push(&p->layers, digest);
        strv_push(&p->layer_types, type);
        p->layer_sizes = xrealloc(p->layer_sizes, (n + 1) * sizeof(int64_t));
        p->layer_sizes[n] = size;
}

static int
plan_docker_entry(const struct tar_index *t, struct json_object *m, const struct jpath *at,
                  struct image_plan *plan, berth_error_t **err)
{
        struct json_object *layers = NULL;
        cleanup_strv char **tags = NULL;
        const char *config = NULL;
        const struct tar_file *f;
        int r;

        if ((r = json_expect_object(m, at, err)) < 0
            || (r = json_get_string(m, at, "Config", &config, err)) < 0
            || (r = json_get_strv(m, at, "RepoTags", &tags, err)) < 0
            || (r = json_get_array(m, at, "Layers", &layers, err)) < 0)
                return r;
        if (config == NULL || (f = tar_lookup(t, config)) == NULL)
                return json_error(err, JPATH_KEY(at, "Config"), "\"%s\" not in the archive",
                                  config ? config : "");
        plan->config_digest = xstrdup(f->digest);
        for (size_t j = 0; layers && j < json_object_array_length(layers); j++) {
                const char *lp = NULL;
                const struct jpath *lat = JPATH_IDX(JPATH_KEY(at, "Layers"), j);
                r = json_value_string(json_object_array_get_idx(layers, j), lat, &lp, err);
                if (r < 0)
                        return r;
                f = tar_lookup(t, lp);
                if (f == NULL)
                        return json_error(err, lat, "\"%s\" not in the archive", lp);
                add_layer(plan, f->digest, f->size, "application/vnd.docker.image.rootfs.diff.tar");
        }
        strv_foreach(tag, tags) {
                r = add_name(plan, tag, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void
plans_free(struct image_plan *plans, size_t n)
{
        for (size_t i = 0; plans && i < n; i++)
                image_plan_done(&plans[i]);
        free(plans);
}

static int
plan_docker_archive(const struct tar_index *t, struct image_plan **ret, size_t *ret_n,
                    berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        struct image_plan *plans = NULL;
        size_t n;
        int r;

        r = json_parse_buffer(t->manifest_json, t->manifest_len, &doc, err);
        if (r < 0)
                return berth_error_prefix(err, "manifest.json");
        if (!json_object_is_type(doc, json_type_array))
                return berth_error_new(err, EINVAL, "manifest.json: want an array");
        n = json_object_array_length(doc);
        plans = xzalloc((n ? n : 1) * sizeof(*plans));
        for (size_t i = 0; i < n; i++) {
                r = plan_docker_entry(t, json_object_array_get_idx(doc, i), JPATH_IDX(NULL, i),
                                      &plans[i], err);
                if (r < 0) {
                        plans_free(plans, n);
                        return berth_error_prefix(err, "manifest.json");
                }
        }
        *ret = plans;
        *ret_n = n;
        return 0;
}

/* A JSON blob of the store, checked against its descriptor's size. */
static int
read_blob_json(struct image_service *svc, const char *digest, int64_t size,
               struct json_object **ret, berth_error_t **err)
{
        cleanup_close int fd = -1;
        cleanup_free char *buf = NULL;
        ssize_t n;
        int r;

        if (size > MAX_JSON_FILE)
                return berth_error_new(err, EINVAL, "blob %s: too large for JSON", digest);
        r = fd = content_store_open_blob(svc->store, digest, size, err);
        if (r < 0)
                return r;
        buf = xmalloc(MAX_JSON_FILE + 1);
        n = fs_read_all(fd, buf, MAX_JSON_FILE);
        if (n < 0)
                return berth_error_sys(err, (int) -n, "blob %s: read", digest);
        return json_parse_buffer(buf, (size_t) n, ret, err) < 0
                       ? berth_error_prefix(err, "blob %s", digest)
                       : 0;
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
                        berth_error_free(*err);
                        *err = NULL;
                }
                return json_error(err, JPATH_KEY(at, "digest"), "missing or invalid");
        }
        if (size < 0)
                return json_error(err, JPATH_KEY(at, "size"), "missing");
        *ret_digest = digest;
        *ret_size = size;
        if (ret_type)
                *ret_type = type ? type : "";
        return 0;
}

static const char *
go_arch(void)
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
        return "amd64";
}

static bool
is_index_type(const char *t)
{
        return strcmp(t, "application/vnd.oci.image.index.v1+json") == 0
               || strcmp(t, "application/vnd.docker.distribution.manifest.list.v2+json") == 0;
}

/* From an index, the manifest for this host (linux and its architecture), else the first. */
static int
pick_manifest(struct image_service *svc, const char *digest, int64_t size, char **ret_digest,
              int64_t *ret_size, berth_error_t **err)
{
        cleanup_json struct json_object *idx = NULL;
        struct json_object *ms = NULL;
        const char *best = NULL;
        int64_t best_size = 0;
        int r;

        r = read_blob_json(svc, digest, size, &idx, err);
        if (r < 0)
                return r;
        r = json_get_array(idx, NULL, "manifests", &ms, err);
        if (r < 0)
                return berth_error_prefix(err, "index %s", digest);
        for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
                struct json_object *d = json_object_array_get_idx(ms, i), *plat = NULL;
                const char *dg, *type, *os = NULL, *arch = NULL;
                int64_t sz;
                r = descriptor(d, JPATH_IDX(JPATH_KEY(NULL, "manifests"), i), &dg, &sz, &type, err);
                if (r < 0)
                        return berth_error_prefix(err, "index %s", digest);
                if (json_get_object(d, NULL, "platform", &plat, err) < 0
                    || (plat
                        && (json_get_string(plat, NULL, "os", &os, err) < 0
                            || json_get_string(plat, NULL, "architecture", &arch, err) < 0)))
                        return berth_error_prefix(err, "index %s", digest);
                if (is_index_type(type))
                        continue;
                if (best == NULL
                    || (os && arch && strcmp(os, "linux") == 0 && strcmp(arch, go_arch()) == 0)) {
                        bool exact = os && arch && strcmp(os, "linux") == 0
                                     && strcmp(arch, go_arch()) == 0;
                        /* Skip manifests whose blob the archive lacks (other platforms). */
                        int64_t have = 0;
                        cleanup_error berth_error_t *miss = NULL; /* absent: not this one */
                        if (content_store_stat_blob(svc->store, dg, &have, &miss) < 0)
                                continue;
                        best = dg;
                        best_size = sz;
                        if (exact)
                                break;
                }
        }
        if (best == NULL)
                return berth_error_new(err, ENOENT, "index %s: no manifest for linux/%s", digest,
                                       go_arch());
        *ret_digest = xstrdup(best);
        *ret_size = best_size;
        return 0;
}

static int
plan_oci_manifest(struct image_service *svc, const char *digest, int64_t size,
                  struct image_plan *plan, berth_error_t **err)
{
        cleanup_json struct json_object *m = NULL;
        struct json_object *config = NULL, *layers = NULL;
        const char *cd, *ct;
        int64_t cs;
        int r;

        r = read_blob_json(svc, digest, size, &m, err);
        if (r < 0)
                return r;
        if ((r = json_get_object(m, NULL, "config", &config, err)) < 0
            || (r = json_get_array(m, NULL, "layers", &layers, err)) < 0)
                return berth_error_prefix(err, "manifest %s", digest);
        if (config == NULL)
                return berth_error_new(err, EINVAL, "manifest %s: config: missing", digest);
        r = descriptor(config, JPATH_KEY(NULL, "config"), &cd, &cs, &ct, err);
        if (r < 0)
                return berth_error_prefix(err, "manifest %s", digest);
        plan->manifest_digest = xstrdup(digest);
        plan->config_digest = xstrdup(cd);
        for (size_t i = 0; layers && i < json_object_array_length(layers); i++) {
                const char *ld, *lt;
                int64_t ls;
                r = descriptor(json_object_array_get_idx(layers, i),
                               JPATH_IDX(JPATH_KEY(NULL, "layers"), i), &ld, &ls, &lt, err);
                if (r < 0)
                        return berth_error_prefix(err, "manifest %s", digest);
                add_layer(plan, ld, ls, lt);
        }
        return 0;
}

static int
plan_oci_layout(struct image_service *svc, const struct tar_index *t, struct image_plan **ret,
                size_t *ret_n, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        struct json_object *ms = NULL;
        struct image_plan *plans = NULL;
        size_t n;
        int r;

        r = json_parse_buffer(t->index_json, t->index_len, &doc, err);
        if (r < 0 || (r = json_get_array(doc, NULL, "manifests", &ms, err)) < 0)
                return berth_error_prefix(err, "index.json");
        n = ms ? json_object_array_length(ms) : 0;
        plans = xzalloc((n ? n : 1) * sizeof(*plans));
        for (size_t i = 0; i < n; i++) {
                struct json_object *d = json_object_array_get_idx(ms, i), *ann = NULL;
                const struct jpath *at = JPATH_IDX(JPATH_KEY(NULL, "manifests"), i);
                cleanup_free char *md = NULL;
                const char *dg, *type, *name = NULL, *refname = NULL;
                int64_t sz, msz = 0;

                r = descriptor(d, at, &dg, &sz, &type, err);
                if (r == 0)
                        r = json_get_object(d, at, "annotations", &ann, err);
                if (r >= 0 && ann)
                        r = json_get_string(ann, JPATH_KEY(at, "annotations"),
                                            "io.containerd.image.name", &name, err);
                if (r >= 0 && ann)
                        r = json_get_string(ann, JPATH_KEY(at, "annotations"),
                                            "org.opencontainers.image.ref.name", &refname, err);
                if (r < 0) {
                        plans_free(plans, n);
                        return berth_error_prefix(err, "index.json");
                }
                if (is_index_type(type)) {
                        r = pick_manifest(svc, dg, sz, &md, &msz, err);
                } else {
                        md = xstrdup(dg);
                        msz = sz;
                }
                if (r >= 0)
                        r = plan_oci_manifest(svc, md, msz, &plans[i], err);
                /* ref.name alone is a tag (image-spec annotations.md) unless it is a whole
                 * reference, as some writers put there. */
                if (r >= 0 && name == NULL && refname && strpbrk(refname, "/:"))
                        name = refname;
                if (r >= 0 && name)
                        r = add_name(&plans[i], name, err);
                if (r < 0) {
                        plans_free(plans, n);
                        return r;
                }
        }
        *ret = plans;
        *ret_n = n;
        return 0;
}

static void
sha256_text(const char *text, char ret[CONTENT_DIGEST_BUF])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;

        EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
        strcpy(ret, "sha256:");
        for (unsigned int i = 0; i < len && i < 32; i++)
                snprintf(ret + 7 + 2 * i, 3, "%02x", md[i]);
}

/* docker-archive has no manifest blob: make and store the one a registry would have served.
 * *ret_digest is the caller's. */
static int
synth_manifest(struct image_service *svc, const struct image_plan *p, char **ret_digest,
               berth_error_t **err)
{
        cleanup_json struct json_object *m = json_object_new_object();
        struct json_object *config = json_object_new_object(), *layers = json_object_new_array();
        char digest[CONTENT_DIGEST_BUF];
        cleanup_free char *ref = NULL;
        int64_t csize = 0;
        const char *text;
        int r;

        json_object_object_add(m, "config", config);
        json_object_object_add(m, "layers", layers);
        r = content_store_stat_blob(svc->store, p->config_digest, &csize, err);
        if (r < 0)
                return r;
        json_object_object_add(m, "schemaVersion", json_object_new_int(2));
        json_object_object_add(
                m, "mediaType",
                json_object_new_string("application/vnd.docker.distribution.manifest.v2+json"));
        json_object_object_add(
                config, "mediaType",
                json_object_new_string("application/vnd.docker.container.image.v1+json"));
        json_object_object_add(config, "size", json_object_new_int64(csize));
        json_object_object_add(config, "digest", json_object_new_string(p->config_digest));
        for (size_t i = 0; p->layers && p->layers[i]; i++) {
                struct json_object *l = json_object_new_object();
                json_object_object_add(l, "mediaType", json_object_new_string(p->layer_types[i]));
                json_object_object_add(l, "size", json_object_new_int64(p->layer_sizes[i]));
                json_object_object_add(l, "digest", json_object_new_string(p->layers[i]));
                json_object_array_add(layers, l);
        }
        text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
        sha256_text(text, digest);
        ref = xasprintf("manifest-%s", digest + 7);
        r = content_store_write_blob(svc->store, ref, text, strlen(text), digest,
                                     (int64_t) strlen(text), err);
        r = content_stored_ok(r, err);
        if (r < 0)
                return r;
        *ret_digest = xstrdup(digest);
        return 0;
}

static int
config_facts(struct image_service *svc, const char *digest, char ***ret_diff_ids,
             char **ret_created, berth_error_t **err)
{
        cleanup_json struct json_object *c = NULL;
        struct json_object *rootfs = NULL;
        const char *created = NULL;
        int64_t size = 0;
        int r;

        r = content_store_stat_blob(svc->store, digest, &size, err);
        if (r < 0)
                return r;
        r = read_blob_json(svc, digest, size, &c, err);
        if (r < 0)
                return r;
        if ((r = json_get_string(c, NULL, "created", &created, err)) < 0
            || (r = json_get_object(c, NULL, "rootfs", &rootfs, err)) < 0
            || (rootfs
                && (r = json_get_strv(rootfs, JPATH_KEY(NULL, "rootfs"), "diff_ids", ret_diff_ids,
                                      err))
                           < 0))
                return berth_error_prefix(err, "image config %s", digest);
        *ret_created = xstrdup(created ? created : "");
        return 0;
}

int
image_plan_commit(struct image_service *svc, struct image_plan *p, berth_error_t **err)
{
        cleanup_strv char **diff_ids = NULL;
        cleanup_strv char **blobs = NULL;
        cleanup_free char *created = NULL, *chain = NULL, *manifest = NULL;
        struct image_record rec = {0};
        int64_t size = 0, have = 0;
        size_t n = strv_length(p->layers);
        int r;

        r = content_store_stat_blob(svc->store, p->config_digest, &have, err);
        if (r < 0)
                return r;
        r = config_facts(svc, p->config_digest, &diff_ids, &created, err);
        if (r < 0)
                return r;
        if (strv_length(diff_ids) != n)
                return berth_error_new(err, EINVAL, "image config %s: %zu diff_ids for %zu layers",
                                       p->config_digest, strv_length(diff_ids), n);
        if (p->manifest_digest) {
                manifest = xstrdup(p->manifest_digest);
        } else {
                r = synth_manifest(svc, p, &manifest, err);
                if (r < 0)
                        return r;
        }
        strv_push(&blobs, manifest);
        strv_push(&blobs, p->config_digest);
        for (size_t i = 0; i < n; i++) {
                cleanup_close int fd = -1;
                char *next = NULL;
                /* The blob's digest was checked at ingest; its size is checked here. */
                r = fd = content_store_open_blob(svc->store, p->layers[i], p->layer_sizes[i], err);
                if (r < 0)
                        return berth_error_prefix(err, "layer %zu", i);
                r = snapshotter_unpack(svc->snapshots, chain, diff_ids[i], fd, &next, err);
                if (r < 0)
                        return berth_error_prefix(err, "layer %s", p->layers[i]);
                free(chain);
                chain = next;
                size += snapshotter_layer_size(svc->snapshots, chain);
                strv_push(&blobs, p->layers[i]);
        }
        rec.id = p->config_digest;
        rec.manifest = manifest;
        rec.created = created;
        rec.size = size;
        rec.chain_id = chain;
        rec.blobs = blobs;
        return metadata_images_put(svc->db, &rec, p->names, err);
}

int
image_service_load(struct image_service *svc, int fd, char ***ret_lines, berth_error_t **err)
{
        struct tar_index t = {0};
        struct image_plan *plans = NULL;
        cleanup_strv char **lines = NULL;
        size_t n = 0;
        int r;

        pthread_mutex_lock(&svc->lock);
        r = index_tar(svc, fd, &t, err);
        if (r >= 0) {
                if (t.manifest_json)
                        r = plan_docker_archive(&t, &plans, &n, err);
                else if (t.index_json)
                        r = plan_oci_layout(svc, &t, &plans, &n, err);
                else
                        r = berth_error_new(err, EINVAL,
                                            "archive: neither manifest.json nor index.json found");
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = image_plan_commit(svc, &plans[i], err);
                if (r < 0)
                        break;
                image_service_log_event(svc, plans[i].config_digest, plans[i].config_digest,
                                        plans[i].config_digest, "load");
                if (plans[i].names == NULL) {
                        cleanup_free char *l =
                                xasprintf("Loaded image ID: %s", plans[i].config_digest);
                        strv_push(&lines, l);
                }
                strv_foreach(name, plans[i].names) {
                        cleanup_free char *fam = image_ref_familiar(name);
                        cleanup_free char *l = xasprintf("Loaded image: %s", fam);
                        strv_push(&lines, l);
                }
        }
        /* Whatever this load stored but no record holds (a failure's blobs and snapshots,
         * archive files that were not blobs) goes now. */
        image_service_collect_locked(svc);
        pthread_mutex_unlock(&svc->lock);
        plans_free(plans, n);
        tar_index_done(&t);
        if (r < 0)
                return r;
        *ret_lines = TAKE_PTR(lines);
        return 0;
}
