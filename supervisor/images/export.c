/* supervisor/images/export.c: docker save: one tar that is both a docker-archive and an OCI
 * image layout sharing blobs/sha256/ (the layout docker 25+ writes, which docker 20.10's load,
 * `ctr images import` and skopeo all read). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/images.h"

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

struct saved {
        char *id;
        char **keys; /* the names asked for that point at it */
};

static void
archive_write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}
#define cleanup_archive_write __attribute__((cleanup(archive_write_freep)))

/* libarchive says "Write error"; the errno behind it (ENOSPC: the data-root is full) is what
 * the user needs. */
static int
write_error(struct archive *a, const char *path, berth_error_t **err)
{
        int e = archive_errno(a);

        if (e > 0)
                return berth_error_sys(err, e, "save: write \"%s\"", path);
        return berth_error_new(err, EIO, "save: \"%s\": %s", path, archive_error_string(a));
}

static int
write_member(struct archive *a, const char *path, const void *data, size_t len, int fd,
             int64_t fd_size, berth_error_t **err)
{
        struct archive_entry *e = archive_entry_new();
        int r = 0;

        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, data || fd >= 0 ? AE_IFREG : AE_IFDIR);
        archive_entry_set_perm(e, data || fd >= 0 ? 0644 : 0755);
        archive_entry_set_size(e, fd >= 0 ? fd_size : (la_int64_t) len);
        archive_entry_set_mtime(e, 0, 0);
        if (archive_write_header(a, e) != ARCHIVE_OK)
                r = write_error(a, path, err);
        archive_entry_free(e);
        if (r < 0)
                return r;
        if (data && len && archive_write_data(a, data, len) < 0)
                return write_error(a, path, err);
        if (fd >= 0) {
                cleanup_free char *buf = xmalloc(65536);
                ssize_t n;
                while ((n = read(fd, buf, 65536)) > 0)
                        if (archive_write_data(a, buf, (size_t) n) < 0)
                                return write_error(a, path, err);
                if (n < 0)
                        return berth_error_sys(err, errno, "save: \"%s\": read", path);
        }
        return 0;
}

static int
write_blob(struct image_service *svc, struct archive *a, const char *digest, char ***written,
           berth_error_t **err)
{
        cleanup_free char *path = xasprintf("blobs/sha256/%s", digest + 7);
        cleanup_close int fd = -1;
        int64_t size = 0;
        int r;

        strv_foreach(w, *written)
                if (strcmp(w, digest) == 0)
                        return 0;
        r = content_store_stat_blob(svc->store, digest, &size, err);
        if (r < 0)
                return r;
        r = fd = content_store_open_blob(svc->store, digest, size, err);
        if (r < 0)
                return r;
        r = write_member(a, path, NULL, 0, fd, size, err);
        if (r < 0)
                return r;
        strv_push(written, digest);
        return 0;
}

/* The manifest's media type and its layer digests, read back from the store. */
static int
manifest_facts(struct image_service *svc, const char *digest, char **ret_type, int64_t *ret_size,
               char ***ret_layers, berth_error_t **err)
{
        cleanup_json struct json_object *m = NULL;
        cleanup_free char *buf = NULL;
        struct json_object *layers = NULL;
        const char *type = NULL;
        size_t len = 0;
        int64_t size = 0;
        int r;

        r = content_store_stat_blob(svc->store, digest, &size, err);
        if (r < 0)
                return r;
        {
                cleanup_free char *path = content_store_blob_path(svc->store, digest);
                r = fs_read_file(AT_FDCWD, path, &buf, &len, err);
        }
        if (r < 0)
                return r;
        r = json_parse_buffer(buf, len, &m, err);
        if (r < 0 || (r = json_get_string(m, NULL, "mediaType", &type, err)) < 0
            || (r = json_get_array(m, NULL, "layers", &layers, err)) < 0)
                return berth_error_prefix(err, "manifest %s", digest);
        for (size_t i = 0; layers && i < json_object_array_length(layers); i++) {
                const char *d = NULL;
                r = json_get_string(json_object_array_get_idx(layers, i), NULL, "digest", &d, err);
                if (r < 0)
                        return berth_error_prefix(err, "manifest %s", digest);
                strv_push(ret_layers, d ? d : "");
        }
        *ret_type = xstrdup(type ? type : OCI_MANIFEST);
        *ret_size = size;
        return 0;
}

static int
save_locked(struct image_service *svc, struct saved *imgs, size_t n, int fd, berth_error_t **err)
{
        cleanup_archive_write struct archive *a = archive_write_new();
        cleanup_json struct json_object *docker = json_object_new_array();
        cleanup_json struct json_object *index = json_object_new_object();
        cleanup_json struct json_object *repos = json_object_new_object();
        struct json_object *manifests = json_object_new_array();
        cleanup_strv char **written = NULL;
        const char *text;
        int r;

        json_object_object_add(index, "schemaVersion", json_object_new_int(2));
        json_object_object_add(index, "mediaType",
                               json_object_new_string("application/vnd.oci.image.index.v1+json"));
        json_object_object_add(index, "manifests", manifests);
        archive_write_set_format_pax_restricted(a);
        if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
                return berth_error_new(err, EIO, "save: %s", archive_error_string(a));
        r = write_member(a, "blobs", NULL, 0, -1, 0, err);
        if (r == 0)
                r = write_member(a, "blobs/sha256", NULL, 0, -1, 0, err);
        for (size_t i = 0; r == 0 && i < n; i++) {
                struct image_record rec = {0};
                cleanup_strv char **layers = NULL;
                cleanup_free char *mtype = NULL;
                struct json_object *entry = json_object_new_object();
                struct json_object *tags = json_object_new_array();
                struct json_object *lpaths = json_object_new_array();
                int64_t msize = 0;

                json_object_array_add(docker, entry);
                r = metadata_images_load(svc->db, imgs[i].id, &rec, err);
                if (r == 0)
                        r = manifest_facts(svc, rec.manifest, &mtype, &msize, &layers, err);
                if (r == 0)
                        r = write_blob(svc, a, rec.manifest, &written, err);
                if (r == 0)
                        r = write_blob(svc, a, rec.id, &written, err);
                strv_foreach(l, layers) {
                        cleanup_free char *p = xasprintf("blobs/sha256/%s", l + 7);
                        if (r == 0)
                                r = write_blob(svc, a, l, &written, err);
                        json_object_array_add(lpaths, json_object_new_string(p));
                }
                {
                        cleanup_free char *cp = xasprintf("blobs/sha256/%s", imgs[i].id + 7);
                        json_object_object_add(entry, "Config", json_object_new_string(cp));
                }
                json_object_object_add(entry, "RepoTags", tags);
                json_object_object_add(entry, "Layers", lpaths);
                strv_foreach(k, imgs[i].keys) {
                        cleanup_free char *fam = image_ref_familiar(k);
                        struct json_object *d = json_object_new_object();
                        struct json_object *ann = json_object_new_object();
                        char *colon = strrchr(fam, ':');
                        json_object_array_add(tags, json_object_new_string(fam));
                        json_object_object_add(d, "mediaType", json_object_new_string(mtype));
                        json_object_object_add(d, "digest", json_object_new_string(rec.manifest));
                        json_object_object_add(d, "size", json_object_new_int64(msize));
                        json_object_object_add(ann, "io.containerd.image.name",
                                               json_object_new_string(k));
                        json_object_object_add(ann, "org.opencontainers.image.ref.name",
                                               json_object_new_string(colon ? colon + 1 : ""));
                        json_object_object_add(d, "annotations", ann);
                        json_object_array_add(manifests, d);
                        if (colon && layers && layers[0]) {
                                cleanup_free char *repo = xstrndup(fam, (size_t) (colon - fam));
                                struct json_object *t = NULL;
                                if (!json_object_object_get_ex(repos, repo, &t)) {
                                        t = json_object_new_object();
                                        json_object_object_add(repos, repo, t);
                                }
                                json_object_object_add(
                                        t, colon + 1,
                                        json_object_new_string(layers[strv_length(layers) - 1]
                                                               + 7));
                        }
                }
                if (imgs[i].keys == NULL && rec.manifest) {
                        struct json_object *d = json_object_new_object();
                        json_object_object_add(
                                d, "mediaType",
                                json_object_new_string(mtype ? mtype : OCI_MANIFEST));
                        json_object_object_add(d, "digest", json_object_new_string(rec.manifest));
                        json_object_object_add(d, "size", json_object_new_int64(msize));
                        json_object_array_add(manifests, d);
                }
                image_record_done(&rec);
        }
        if (r < 0)
                return r;
        text = json_object_to_json_string_ext(index, JSON_C_TO_STRING_PLAIN
                                                             | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = write_member(a, "index.json", text, strlen(text), -1, 0, err);
        if (r == 0) {
                text = json_object_to_json_string_ext(
                        docker, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
                r = write_member(a, "manifest.json", text, strlen(text), -1, 0, err);
        }
        if (r == 0) {
                const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
                r = write_member(a, "oci-layout", layout, strlen(layout), -1, 0, err);
        }
        if (r == 0) {
                text = json_object_to_json_string_ext(repos, JSON_C_TO_STRING_PLAIN);
                r = write_member(a, "repositories", text, strlen(text), -1, 0, err);
        }
        if (r < 0)
                return r;
        if (archive_write_close(a) != ARCHIVE_OK)
                return write_error(a, "the archive's end", err);
        return 0;
}

int
image_service_save(struct image_service *svc, char *const *names, int fd, berth_error_t **err)
{
        struct saved *imgs = NULL;
        size_t n = 0;
        int r = 0;

        pthread_mutex_lock(&svc->lock);
        strv_foreach(name, names) {
                cleanup_free char *id = NULL, *key = NULL;
                size_t j;
                r = image_service_resolve(svc, name, &id, &key, err);
                if (r < 0)
                        break;
                for (j = 0; j < n && strcmp(imgs[j].id, id) != 0; j++)
                        ;
                if (j == n) {
                        imgs = xrealloc(imgs, (n + 1) * sizeof(*imgs));
                        imgs[n].id = TAKE_PTR(id);
                        imgs[n].keys = NULL;
                        n++;
                }
                if (key)
                        strv_push(&imgs[j].keys, key);
        }
        if (r >= 0)
                r = save_locked(svc, imgs, n, fd, err);
        for (size_t i = 0; r >= 0 && i < n; i++)
                image_service_log_event(svc, imgs[i].id, imgs[i].id, imgs[i].id, "save");
        pthread_mutex_unlock(&svc->lock);
        for (size_t i = 0; i < n; i++) {
                free(imgs[i].id);
                strv_free(imgs[i].keys);
        }
        free(imgs);
        return r;
}
