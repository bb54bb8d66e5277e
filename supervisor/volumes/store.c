/* supervisor/volumes/store.c: the volume store: records, directories, mounts of the local
 * driver's options, users, events (moby volume/service and volume/local, in C). */
#include <config.h>

#include "supervisor/volumes/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/events/bus.h"
#include "supervisor/metadata/volumes.h"
#include "supervisor/volumes/name.h"
#include "supervisor/volumes/options.h"

char *
volume_store_data_path(const struct volume_store *s, const char *name)
{
        return xasprintf("%s/%s/_data", s->root, name);
}

/* PATH is the root of a mount (statx's STATX_ATTR_MOUNT_ROOT, Linux 5.8). */
static bool
is_mountpoint(const char *path)
{
        struct statx stx;

        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
                return false;
        return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
               && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int
unmount_data(const char *path, berth_error_t **err)
{
        /* Stacked mounts come off one by one; a few rounds at most. */
        for (int i = 0; i < 16 && is_mountpoint(path); i++) {
                if (umount2(path, UMOUNT_NOFOLLOW) == 0)
                        continue;
                if (errno != EBUSY)
                        return berth_error_sys(err, errno, "unmount \"%s\"", path);
                /* Busy (a process still in there): detach it; it goes with the last user. */
                if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        return berth_error_sys(err, errno, "unmount \"%s\"", path);
        }
        if (is_mountpoint(path))
                return berth_error_new(err, EBUSY, "unmount \"%s\": still mounted", path);
        return 0;
}

static void
publish(struct volume_store *s, const char *action, const char *name, const char *driver,
        char *const *extra)
{
        cleanup_strv char **attrs = NULL;

        strv_foreach(x, extra) {
                strv_push(&attrs, x);
        }
        strv_push(&attrs, "driver");
        strv_push(&attrs, driver ? driver : "local");
        events_publish(s->events, "volume", action, name, attrs);
}

static bool
has_record(struct json_object *all, const char *name)
{
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                const char *n = json_key_str(json_object_array_get_idx(all, i), "Name");
                if (n && strcmp(n, name) == 0)
                        return true;
        }
        return false;
}

int
volume_store_open(struct volume_store *s, struct metadata_db *db, struct event_bus *events,
                  const char *data_root, berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL;
        cleanup_dir DIR *d = NULL;
        struct dirent *de;
        int r;

        *s = (struct volume_store){.db = db, .events = events};
        s->root = xasprintf("%s/volumes", data_root);
        pthread_mutex_init(&s->lock, NULL);
        r = fs_mkdir_p(s->root, 0701, err);
        if (r < 0)
                return r;
        r = metadata_volumes_list(db, &all, err);
        if (r < 0)
                return r;
        d = opendir(s->root);
        if (d == NULL)
                return berth_error_sys(err, errno, "open \"%s\"", s->root);
        while ((de = readdir(d)) != NULL) {
                cleanup_free char *data = NULL;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (de->d_name[0] != '.' && has_record(all, de->d_name))
                        continue;
                /* A create cut before its record or a remove cut after it. */
                data = volume_store_data_path(s, de->d_name);
                r = unmount_data(data, err);
                if (r < 0)
                        return r;
                r = fs_remove_tree(dirfd(d), de->d_name, err);
                if (r < 0)
                        return r;
                log_info("volumes: removed \"%s\", which no record holds", de->d_name);
        }
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                const char *n = json_key_str(json_object_array_get_idx(all, i), "Name");
                cleanup_free char *data = n ? volume_store_data_path(s, n) : NULL;
                if (data && access(data, F_OK) < 0) {
                        r = fs_mkdir_p(data, 0755, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

void
volume_store_close(struct volume_store *s)
{
        for (size_t i = 0; i < s->n_uses; i++) {
                free(s->uses[i].name);
                strv_free(s->uses[i].users);
        }
        free(s->uses);
        free(s->root);
        pthread_mutex_destroy(&s->lock);
        *s = (struct volume_store){0};
}

/* The API shape of record DOC: docker's Volume (CreatedAt, Driver, Labels, Mountpoint, Name,
 * Options, Scope), plus "Anonymous" when WITH_ANON. */
static struct json_object *
api_shape(const struct volume_store *s, struct json_object *doc, bool with_anon)
{
        struct json_object *o = json_object_new_object();
        const char *name = json_key_str(doc, "Name");
        cleanup_free char *mp = volume_store_data_path(s, name ? name : "");

        json_object_object_add(o, "CreatedAt",
                               json_object_new_string(json_key_str(doc, "CreatedAt") ?: ""));
        json_object_object_add(o, "Driver",
                               json_object_new_string(json_key_str(doc, "Driver") ?: "local"));
        json_object_object_add(o, "Labels", json_object_get(json_key(doc, "Labels")));
        json_object_object_add(o, "Mountpoint", json_object_new_string(mp));
        json_object_object_add(o, "Name", json_object_new_string(name ? name : ""));
        json_object_object_add(o, "Options", json_object_get(json_key(doc, "Options")));
        json_object_object_add(o, "Scope", json_object_new_string("local"));
        if (with_anon)
                json_object_object_add(o, "Anonymous",
                                       json_object_new_boolean(json_object_get_boolean(
                                               json_key(doc, "Anonymous"))));
        return o;
}

/* docker's CreatedAt: RFC 3339 in seconds, local offset; berthd runs in UTC terms. */
static char *
created_now(void)
{
        char buf[64];
        time_t t = time(NULL);
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return xstrdup(buf);
}

static struct json_object *
copy_or_null(struct json_object *o)
{
        struct json_object *out = NULL;

        if (o == NULL || !json_object_is_type(o, json_type_object))
                return NULL;
        json_object_deep_copy(o, &out, NULL);
        return out;
}

static int
create_locked(struct volume_store *s, const struct volume_create_req *req, struct json_object **ret,
              bool *ret_created, berth_error_t **err)
{
        cleanup_free char *gen = NULL, *dir = NULL, *data = NULL, *created = NULL;
        cleanup_json struct json_object *doc = NULL, *old = NULL;
        cleanup_error berth_error_t *miss = NULL; /* not there yet: made below */
        const char *name = req->name, *driver = req->driver;
        bool anonymous = req->anonymous;
        int r;

        if (driver == NULL || driver[0] == '\0')
                driver = "local";
        if (name == NULL || name[0] == '\0')
                name = gen = volume_name_generate();
        r = volume_name_check(name, err);
        if (r < 0)
                return r;
        if (metadata_volumes_load(s->db, name, &old, &miss) == 0) {
                const char *od = json_key_str(old, "Driver");
                if (od && strcmp(od, driver) != 0)
                        return berth_error_new(
                                err, EEXIST,
                                "create %s: volume name must be unique: a volume with driver \"%s\" exists",
                                name, od);
                *ret = api_shape(s, old, false);
                *ret_created = false;
                return 0;
        }
        if (strcmp(driver, "local") != 0)
                return berth_error_new(
                        err, EOPNOTSUPP,
                        "create %s: volume driver \"%s\": only the local driver is supported", name,
                        driver);
        r = volume_options_check(name, req->opts, err);
        if (r < 0)
                return r;
        if (req->labels && !json_object_is_type(req->labels, json_type_object))
                return berth_error_new(err, EINVAL, "create %s: labels: expected an object", name);
        /* The directory first, then the record: a crash between the two leaves a directory
         * that volume_store_open sweeps, never a record without its data. */
        dir = xasprintf("%s/%s", s->root, name);
        data = xasprintf("%s/_data", dir);
        if (mkdir(dir, 0701) < 0 && errno != EEXIST)
                return berth_error_sys(err, errno, "create %s: mkdir \"%s\"", name, dir);
        if (mkdir(data, 0755) < 0 && errno != EEXIST) {
                r = berth_error_sys(err, errno, "create %s: mkdir \"%s\"", name, data);
                cleanup_error berth_error_t *e2 = NULL; /* best effort: the create failed */
                (void) fs_remove_tree(AT_FDCWD, dir, &e2);
                return r;
        }
        created = created_now();
        doc = json_object_new_object();
        json_object_object_add(doc, "v", json_object_new_int(VOLUME_RECORD_VERSION));
        json_object_object_add(doc, "Name", json_object_new_string(name));
        json_object_object_add(doc, "Driver", json_object_new_string(driver));
        json_object_object_add(doc, "Labels", copy_or_null(req->labels));
        json_object_object_add(doc, "Options", copy_or_null(req->opts));
        json_object_object_add(doc, "CreatedAt", json_object_new_string(created));
        json_object_object_add(doc, "Anonymous", json_object_new_boolean(anonymous));
        r = metadata_volumes_create(s->db, doc, err);
        if (r < 0) {
                cleanup_error berth_error_t *e2 = NULL; /* best effort: the create failed */
                (void) fs_remove_tree(AT_FDCWD, dir, &e2);
                return r;
        }
        publish(s, "create", name, driver, NULL);
        *ret = api_shape(s, doc, false);
        *ret_created = true;
        return 0;
}

int
volume_store_create(struct volume_store *s, const struct volume_create_req *req,
                    struct json_object **ret, bool *ret_created, berth_error_t **err)
{
        int r;

        pthread_mutex_lock(&s->lock);
        r = create_locked(s, req, ret, ret_created, err);
        pthread_mutex_unlock(&s->lock);
        return r;
}

int
volume_store_load(struct volume_store *s, const char *name, struct json_object **ret,
                  berth_error_t **err)
{
        return metadata_volumes_load(s->db, name, ret, err);
}

int
volume_store_get(struct volume_store *s, const char *name, struct json_object **ret,
                 berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        int r = metadata_volumes_load(s->db, name, &doc, err);

        if (r < 0)
                return r;
        *ret = api_shape(s, doc, false);
        return 0;
}

int
volume_store_list(struct volume_store *s, struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL;
        struct json_object *out;
        int r = metadata_volumes_list(s->db, &all, err);

        if (r < 0)
                return r;
        out = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(all); i++)
                json_object_array_add(out, api_shape(s, json_object_array_get_idx(all, i), true));
        *ret = out;
        return 0;
}

static struct volume_use *
use_find(struct volume_store *s, const char *name)
{
        for (size_t i = 0; i < s->n_uses; i++)
                if (strcmp(s->uses[i].name, name) == 0)
                        return &s->uses[i];
        return NULL;
}

static void
use_drop(struct volume_store *s, struct volume_use *u)
{
        size_t i = (size_t) (u - s->uses);

        free(u->name);
        strv_free(u->users);
        memmove(&s->uses[i], &s->uses[i + 1], (s->n_uses - i - 1) * sizeof(*s->uses));
        s->n_uses--;
}

static int64_t
tree_size(int dfd, dev_t dev)
{
        cleanup_dir DIR *d = fdopendir(dfd);
        struct dirent *de;
        int64_t total = 0;

        if (d == NULL) {
                close(dfd);
                return 0;
        }
        while ((de = readdir(d)) != NULL) {
                struct stat st;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int fd;
                        if (st.st_dev != dev)
                                continue;
                        fd = openat(dirfd(d), de->d_name,
                                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0)
                                total += tree_size(fd, dev);
                } else if (st.st_nlink <= 1 || S_ISLNK(st.st_mode)) {
                        total += st.st_size;
                } else {
                        /* A hard link counts once: by its first name only, roughly (dockerd
                         * keeps a set of inodes; the difference is the links' count). */
                        total += st.st_size / (int64_t) st.st_nlink;
                }
        }
        return total;
}

int64_t
volume_dir_size(const char *dir)
{
        struct stat st;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return 0;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return 0;
        }
        return tree_size(fd, st.st_dev);
}

int
volume_store_remove(struct volume_store *s, const char *name, int64_t *ret_size,
                    berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *dir = NULL, *data = NULL;
        int r;

        pthread_mutex_lock(&s->lock);
        r = metadata_volumes_load(s->db, name, &doc, err);
        if (r >= 0 && use_find(s, name))
                r = berth_error_new(err, EBUSY, "remove %s: volume is in use", name);
        if (r < 0) {
                pthread_mutex_unlock(&s->lock);
                return r;
        }
        dir = xasprintf("%s/%s", s->root, name);
        data = volume_store_data_path(s, name);
        if (ret_size)
                *ret_size = volume_dir_size(data);
        /* The record first: after a crash the directory left is swept at the next start. */
        r = metadata_volumes_delete(s->db, name, err);
        if (r >= 0)
                r = unmount_data(data, err);
        /* Never remove files through a mount still in place (a bind volume's are the host's). */
        if (r >= 0 && is_mountpoint(data))
                r = berth_error_new(err, EBUSY, "remove %s: \"%s\" is still mounted", name, data);
        if (r >= 0)
                r = fs_remove_tree(AT_FDCWD, dir, err);
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;
        publish(s, "destroy", name, json_key_str(doc, "Driver"), NULL);
        return 0;
}

static int
mount_options(const char *name, struct json_object *opts, const char *data, berth_error_t **err)
{
        struct volume_mount_args a = {0};
        int r;

        r = volume_options_build(opts, &a, err);
        if (r < 0)
                return berth_error_prefix(err, "mount %s", name);
        if (mount(a.source, data, a.fstype, a.flags, a.data) < 0) {
                r = berth_error_sys(
                        err, errno,
                        "error while mounting volume '%s': failed to mount local volume: mount \"%s\"",
                        data, a.source);
                volume_mount_args_done(&a);
                return r;
        }
        if (a.remount_ro && mount(NULL, data, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
                r = berth_error_sys(err, errno,
                                    "error while mounting volume '%s': remount read-only", data);
                cleanup_error berth_error_t *e2 = NULL; /* best effort: the mount failed */
                (void) unmount_data(data, &e2);
                volume_mount_args_done(&a);
                return r;
        }
        volume_mount_args_done(&a);
        return 0;
}

int
volume_store_use(struct volume_store *s, const char *name, const char *id, char *const *attrs,
                 berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *data = NULL;
        struct volume_use *u;
        int r;

        pthread_mutex_lock(&s->lock);
        r = metadata_volumes_load(s->db, name, &doc, err);
        if (r < 0) {
                pthread_mutex_unlock(&s->lock);
                return r;
        }
        u = use_find(s, name);
        if (u) {
                bool known = false;
                strv_foreach(x, u->users) {
                        known |= strcmp(x, id) == 0;
                }
                if (!known)
                        strv_push(&u->users, id);
                pthread_mutex_unlock(&s->lock);
                if (!known && attrs)
                        publish(s, "mount", name, json_key_str(doc, "Driver"), attrs);
                return 0;
        }
        data = volume_store_data_path(s, name);
        /* Mounted already: a berthd that died left it for a container that still runs. */
        if (volume_options_need_mount(json_key(doc, "Options")) && !is_mountpoint(data)) {
                r = mount_options(name, json_key(doc, "Options"), data, err);
                if (r < 0) {
                        pthread_mutex_unlock(&s->lock);
                        return r;
                }
        }
        s->uses = xreallocarray(s->uses, s->n_uses + 1, sizeof(*s->uses));
        u = &s->uses[s->n_uses++];
        *u = (struct volume_use){.name = xstrdup(name)};
        strv_push(&u->users, id);
        pthread_mutex_unlock(&s->lock);
        if (attrs)
                publish(s, "mount", name, json_key_str(doc, "Driver"), attrs);
        return 0;
}

int
volume_store_release(struct volume_store *s, const char *name, const char *id, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *gone = NULL; /* removed meanwhile: nothing to unmount */
        struct volume_use *u;
        char **left = NULL;
        bool was = false;
        int r = 0;

        pthread_mutex_lock(&s->lock);
        u = use_find(s, name);
        if (u == NULL) {
                pthread_mutex_unlock(&s->lock);
                return 0;
        }
        strv_foreach(x, u->users) {
                if (strcmp(x, id) == 0)
                        was = true;
                else
                        strv_push(&left, x);
        }
        strv_free(u->users);
        u->users = left;
        if (u->users == NULL) {
                use_drop(s, u);
                if (metadata_volumes_load(s->db, name, &doc, &gone) == 0
                    && volume_options_need_mount(json_key(doc, "Options"))) {
                        cleanup_free char *data = volume_store_data_path(s, name);
                        r = unmount_data(data, err);
                }
        }
        pthread_mutex_unlock(&s->lock);
        if (was) {
                char *attrs[] = {"container", (char *) id, NULL};
                publish(s, "unmount", name, doc ? json_key_str(doc, "Driver") : "local", attrs);
        }
        return r;
}

int
volume_store_sweep_mounts(struct volume_store *s)
{
        cleanup_json struct json_object *all = NULL;
        cleanup_error berth_error_t *err = NULL; /* unreadable: nothing swept, logged */
        int n = 0;

        if (metadata_volumes_list(s->db, &all, &err) < 0) {
                log_warn("volumes: sweep mounts: %s, ignoring", err->msg);
                return 0;
        }
        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                const char *name = json_key_str(json_object_array_get_idx(all, i), "Name");
                cleanup_free char *data = name ? volume_store_data_path(s, name) : NULL;
                cleanup_error berth_error_t *e = NULL; /* logged */
                if (data == NULL || use_find(s, name) || !is_mountpoint(data))
                        continue;
                if (unmount_data(data, &e) < 0)
                        log_warn("volume %s: %s, ignoring", name, e->msg);
                else
                        n++;
        }
        pthread_mutex_unlock(&s->lock);
        return n;
}
