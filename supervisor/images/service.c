/* supervisor/images/service.c: resolve names as docker does, tag, remove, prune and collect. */
#include <config.h>

#include "supervisor/images/service.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/reference.h"
#include "supervisor/metadata/gc.h"
#include "supervisor/metadata/images.h"
#include "supervisor/snapshots/snapshotter.h"

void
image_service_init(struct image_service *svc, struct metadata_db *db, struct content_store *store,
                   struct snapshotter *snapshots, const char *driver)
{
        svc->db = db;
        svc->store = store;
        svc->snapshots = snapshots;
        svc->driver = driver;
        svc->pins = NULL;
        svc->container_using = NULL;
        svc->container_using_ud = NULL;
        pthread_mutex_init(&svc->lock, NULL);
}

void
image_service_done(struct image_service *svc)
{
        strv_free(svc->pins);
        svc->pins = NULL;
        pthread_mutex_destroy(&svc->lock);
}

void
image_service_pin_locked(struct image_service *svc, const char *digest)
{
        strv_push(&svc->pins, digest);
}

void
image_service_unpin_locked(struct image_service *svc, char *const *digests)
{
        strv_foreach(d, digests) {
                size_t n = strv_length(svc->pins);
                for (size_t i = 0; i < n; i++) {
                        if (strcmp(svc->pins[i], d) != 0)
                                continue;
                        free(svc->pins[i]);
                        memmove(&svc->pins[i], &svc->pins[i + 1], (n - i) * sizeof(char *));
                        break;
                }
        }
}

int
image_service_resolve(struct image_service *svc, const char *name, char **ret_id, char **ret_key,
                      berth_error_t **err)
{
        cleanup_error berth_error_t *miss = NULL; /* a miss falls through to the next form */
        struct image_ref ref = {0};
        cleanup_free char *key = NULL, *id = NULL;
        int n;

        /* As dockerd's GetImage: a full "sha256:<ID>" first, then a reference, then an ID
         * prefix (so "busybox" the name wins over an ID starting with hex letters). */
        if (strncmp(name, "sha256:", 7) == 0 && strlen(name) == 71) {
                struct image_record rec = {0};
                if (metadata_images_load(svc->db, name, &rec, &miss) == 0) {
                        image_record_done(&rec);
                        *ret_id = xstrdup(name);
                        if (ret_key)
                                *ret_key = NULL;
                        return 0;
                }
        } else if (image_ref_parse(name, &ref, &miss) == 0) {
                key = image_ref_key(&ref);
                image_ref_done(&ref);
                if (metadata_images_resolve(svc->db, key, &id, &miss) == 0) {
                        *ret_id = TAKE_PTR(id);
                        if (ret_key)
                                *ret_key = TAKE_PTR(key);
                        return 0;
                }
        }
        if (image_ref_is_id_prefix(name)) {
                n = metadata_images_match_id(svc->db, name, &id, err);
                if (n < 0)
                        return n;
                if (n == 1) {
                        *ret_id = TAKE_PTR(id);
                        if (ret_key)
                                *ret_key = NULL;
                        return 0;
                }
        }
        return berth_error_new(err, ENOENT, "No such image: %s", name);
}

int64_t
image_service_collect_locked(struct image_service *svc)
{
        cleanup_error berth_error_t *err =
                NULL; /* a failed sweep is retried after the next change */
        cleanup_strv char **keep = NULL;
        struct image_record *recs = NULL;
        int64_t bytes = 0;
        int n;

        n = metadata_images_list(svc->db, &recs, &err);
        if (n < 0)
                return 0;
        for (int i = 0; i < n; i++)
                if (recs[i].chain_id)
                        strv_push(&keep, recs[i].chain_id);
        image_records_free(recs, (size_t) n);
        strv_foreach(p, svc->pins)
                strv_push(&keep, p);
        if (snapshotter_gc(svc->snapshots, keep, &err) < 0)
                return 0;
        if (metadata_gc_blobs_keep(svc->db, svc->store, svc->pins, &bytes, &err) < 0)
                return 0;
        return bytes;
}

static void
add_entry(struct json_object *result, const char *what, const char *value)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, what, json_object_new_string(value));
        json_object_array_add(result, o);
}

static char *
short_id(const char *id)
{
        const char *hex = strchr(id, ':') ? strchr(id, ':') + 1 : id;
        return xstrndup(hex, 12);
}

/* Distinct repositories among NAMES ("docker.io/library/a:1" and ":2" are one). */
static size_t
count_repos(char *const *names)
{
        size_t n = 0;

        for (size_t i = 0; names && names[i]; i++) {
                size_t li = strcspn(names[i], "@");
                char *colon = strrchr(names[i], ':');
                bool seen = false;
                if (colon && !strchr(colon, '/') && (size_t) (colon - names[i]) < li)
                        li = (size_t) (colon - names[i]);
                for (size_t j = 0; j < i && !seen; j++)
                        seen = strncmp(names[i], names[j], li) == 0
                               && (names[j][li] == ':' || names[j][li] == '@');
                if (!seen)
                        n++;
        }
        return n;
}

static int
delete_image_locked(struct image_service *svc, const char *id, char *const *names,
                    struct json_object *result, berth_error_t **err)
{
        int r;

        r = metadata_images_delete(svc->db, id, err);
        if (r < 0)
                return r;
        /* The config blob is collected later, so untag events still carry the labels; dockerd
         * 20.10 names the image ID in untag and delete events (image_delete.go). */
        strv_foreach(n, names) {
                cleanup_free char *fam = image_ref_familiar(n);
                add_entry(result, "Untagged", fam);
                image_service_log_event(svc, id, id, id, "untag");
        }
        add_entry(result, "Deleted", id);
        image_service_log_event(svc, id, id, NULL, "delete");
        return 0;
}

/* dockerd: untagging the last tag of a repository also drops that repository's digest
 * references (a pulled image has both); true when only such references would remain. */
static bool
only_digests_of_repo_remain(char *const *names, const char *key)
{
        cleanup_free char *repo = xstrdup(key);
        char *slash = strrchr(repo, '/'), *colon;
        size_t n;

        if (strchr(key, '@'))
                return false;
        colon = strrchr(slash ? slash : repo, ':');
        if (colon)
                *colon = '\0';
        n = strlen(repo);
        strv_foreach(other, names) {
                if (strcmp(other, key) == 0)
                        continue;
                if (strncmp(other, repo, n) != 0 || other[n] != '@')
                        return false;
        }
        return true;
}

static char *
container_using(struct image_service *svc, const char *id)
{
        return svc->container_using ? svc->container_using(svc->container_using_ud, id) : NULL;
}

static int
remove_locked(struct image_service *svc, const char *name, bool force, struct json_object *result,
              berth_error_t **err)
{
        cleanup_free char *id = NULL, *key = NULL, *user = NULL;
        struct image_record rec = {0};
        int r;

        r = image_service_resolve(svc, name, &id, &key, err);
        if (r < 0)
                return r;
        r = metadata_images_load(svc->db, id, &rec, err);
        if (r < 0)
                return r;
        if (key && strv_length(rec.names) > 1 && !only_digests_of_repo_remain(rec.names, key)) {
                /* A name of several: untag only. */
                cleanup_free char *fam = image_ref_familiar(key);
                r = metadata_images_untag(svc->db, key, err);
                if (r == 0) {
                        add_entry(result, "Untagged", fam);
                        image_service_log_event(svc, id, id, id, "untag");
                }
        } else if (key == NULL && !force && count_repos(rec.names) > 1) {
                cleanup_free char *s = short_id(id);
                r = berth_error_new(
                        err, EBUSY,
                        "conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories",
                        s);
        } else if (!force && (user = container_using(svc, id)) != NULL) {
                /* dockerd (daemon/images/image_delete.go): a container's image loses its last
                 * reference only with force; with it, the stopped container keeps its own
                 * snapshot (and the layers under it) while the image goes. */
                cleanup_free char *s = short_id(id);
                if (key)
                        r = berth_error_new(
                                err, EBUSY,
                                "conflict: unable to remove repository reference \"%s\" (must force) - container %.12s is using its referenced image %s",
                                name, user, s);
                else
                        r = berth_error_new(
                                err, EBUSY,
                                "conflict: unable to delete %s (must be forced) - image is being used by stopped container %.12s",
                                s, user);
        } else {
                r = delete_image_locked(svc, id, rec.names, result, err);
        }
        image_record_done(&rec);
        return r;
}

int
image_service_remove(struct image_service *svc, const char *name, bool force, bool noprune,
                     struct json_object *result, berth_error_t **err)
{
        int r;

        (void) noprune;
        pthread_mutex_lock(&svc->lock);
        r = remove_locked(svc, name, force, result, err);
        if (r >= 0)
                image_service_collect_locked(svc);
        pthread_mutex_unlock(&svc->lock);
        return r;
}

int
image_service_tag(struct image_service *svc, const char *source, const char *target,
                  berth_error_t **err)
{
        cleanup_free char *id = NULL, *key = NULL;
        struct image_ref ref = {0};
        int r;

        r = image_ref_parse(target, &ref, err);
        if (r < 0)
                return r;
        if (ref.digest) {
                image_ref_done(&ref);
                return berth_error_new(err, EINVAL,
                                       "refusing to create a tag with a digest reference");
        }
        key = image_ref_key(&ref);
        image_ref_done(&ref);
        pthread_mutex_lock(&svc->lock);
        r = image_service_resolve(svc, source, &id, NULL, err);
        if (r >= 0)
                r = metadata_images_tag(svc->db, key, id, err);
        if (r >= 0) {
                cleanup_free char *fam = image_ref_familiar(key);
                image_service_log_event(svc, id, fam, id, "tag");
                image_service_collect_locked(svc); /* a moved tag may leave an image unused */
        }
        pthread_mutex_unlock(&svc->lock);
        return r;
}

int
image_service_prune(struct image_service *svc, bool all, struct json_object *result,
                    int64_t *ret_reclaimed, berth_error_t **err)
{
        struct image_record *recs = NULL;
        int n, r = 0;

        pthread_mutex_lock(&svc->lock);
        n = metadata_images_list(svc->db, &recs, err);
        if (n < 0) {
                pthread_mutex_unlock(&svc->lock);
                return n;
        }
        for (int i = 0; i < n && r >= 0; i++) {
                cleanup_free char *user = NULL;
                if (!all && recs[i].names != NULL)
                        continue;
                /* Images that containers use are never pruned (dockerd's ImagesPrune). */
                user = container_using(svc, recs[i].id);
                if (user == NULL)
                        r = delete_image_locked(svc, recs[i].id, recs[i].names, result, err);
        }
        image_records_free(recs, (size_t) n);
        *ret_reclaimed = image_service_collect_locked(svc);
        pthread_mutex_unlock(&svc->lock);
        return r < 0 ? r : 0;
}

int
image_service_load_config(struct image_service *svc, const char *id, struct json_object **ret,
                          berth_error_t **err)
{
        cleanup_free char *path = content_store_blob_path(svc->store, id);
        cleanup_free char *buf = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(AT_FDCWD, path, &buf, &len, err);
        if (r < 0)
                return r;
        return json_parse_buffer(buf, len, ret, err);
}

int
image_service_list(struct image_service *svc, struct image_record **ret, berth_error_t **err)
{
        int n;

        pthread_mutex_lock(&svc->lock);
        n = metadata_images_list(svc->db, ret, err);
        pthread_mutex_unlock(&svc->lock);
        return n;
}
