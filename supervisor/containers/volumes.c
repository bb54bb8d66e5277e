/* supervisor/containers/volumes.c: volumes as containers use them (moby daemon/volumes.go,
 * volumes_unix.go and mounts.go): made at create, mounted and copied into at start, released at
 * stop, their users for rm/ls/prune, anonymous ones removed by rm -v. */
#include <config.h>

#include "supervisor/containers/volumes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/service.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/volumes/copyup.h"
#include "supervisor/volumes/filter.h"
#include "supervisor/volumes/plan.h"
#include "supervisor/volumes/store.h"

static size_t
count(struct json_object *a)
{
        return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static bool
has_host_binds(struct json_object *hc)
{
        struct json_object *binds = json_key(hc, "Binds"), *mounts = json_key(hc, "Mounts");

        for (size_t i = 0; i < count(binds); i++) {
                const char *b = json_object_get_string(json_object_array_get_idx(binds, i));
                if (b && !volume_plan_bind_is_volume(b))
                        return true;
        }
        for (size_t i = 0; i < count(mounts); i++) {
                const char *t = json_key_str(json_object_array_get_idx(mounts, i), "Type");
                if (t && strcmp(t, "bind") == 0)
                        return true;
        }
        return false;
}

/* HostConfig.VolumesFrom ("container[:ro|rw]") into the plan's FROM list: each source's volumes,
 * read-only when it or the option says so (moby's registerMountPoints). Its bind mounts are not
 * carried over yet: such a source is refused. */
static int
volumes_from(struct container_service *svc, struct json_object *list, struct json_object **ret,
             berth_error_t **err)
{
        cleanup_json struct json_object *out = json_object_new_array();

        for (size_t i = 0; i < count(list); i++) {
                const char *spec = json_object_get_string(json_object_array_get_idx(list, i));
                cleanup_free char *ref = xstrdup(spec ? spec : ""), *id = NULL;
                cleanup_json struct json_object *src = NULL;
                char *mode = strchr(ref, ':');
                struct json_object *vols;
                bool ro = false;
                int r;
                if (mode)
                        *mode++ = '\0';
                if (ref[0] == '\0')
                        return berth_error_new(
                                err, EINVAL,
                                "volumes-from specification cannot be an empty string");
                if (mode && strcmp(mode, "ro") == 0)
                        ro = true;
                else if (mode && strcmp(mode, "rw") != 0)
                        return berth_error_new(err, EINVAL, "invalid mode: %s", mode);
                r = metadata_containers_resolve(svc->db, ref, &id, err);
                if (r < 0)
                        return r;
                r = metadata_containers_load(svc->db, id, &src, err);
                if (r < 0)
                        return r;
                if (has_host_binds(json_key(src, "HostConfig")))
                        return berth_error_new(
                                err, EOPNOTSUPP,
                                "--volumes-from %s: the bind mounts of a container are not carried over yet",
                                ref);
                vols = json_key(src, "BerthVolumes");
                for (size_t j = 0; j < count(vols); j++) {
                        struct json_object *v = json_object_array_get_idx(vols, j), *c = NULL;
                        json_object_deep_copy(v, &c, NULL);
                        if (ro)
                                json_object_object_add(c, "RW", json_object_new_boolean(false));
                        json_object_array_add(out, c);
                }
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int
container_volumes_prepare(struct container_service *svc, struct json_object *config,
                          struct json_object *hc, struct json_object **ret, char ***ret_created,
                          berth_error_t **err)
{
        struct volume_plan plan = {0};
        cleanup_json struct json_object *out = json_object_new_array();
        cleanup_strv char **created = NULL;
        cleanup_json struct json_object *from = NULL;
        int r;

        r = volumes_from(svc, json_key(hc, "VolumesFrom"), &from, err);
        if (r < 0)
                return r;
        r = volume_plan_build_from(config, hc, from, &plan, err);
        if (r < 0)
                return r;
        if (plan.n > 0 && svc->volumes == NULL) {
                volume_plan_done(&plan);
                return berth_error_new(err, EOPNOTSUPP, "volumes: not available");
        }
        for (size_t i = 0; i < plan.n; i++) {
                const struct volume_mount *m = &plan.mounts[i];
                cleanup_json struct json_object *vol = NULL;
                struct volume_create_req req = {
                        .name = m->name,
                        .driver = m->driver,
                        .opts = m->driver_opts,
                        .labels = m->labels,
                        .anonymous = m->anonymous,
                };
                struct json_object *e;
                bool made = false;
                r = volume_store_create(svc->volumes, &req, &vol, &made, err);
                if (r < 0)
                        break;
                if (made)
                        strv_push(&created, json_key_str(vol, "Name"));
                e = json_object_new_object();
                json_object_object_add(e, "Name",
                                       json_object_new_string(json_key_str(vol, "Name")));
                json_object_object_add(e, "Source",
                                       json_object_new_string(json_key_str(vol, "Mountpoint")));
                json_object_object_add(e, "Destination", json_object_new_string(m->destination));
                json_object_object_add(e, "Driver", json_object_new_string(m->driver));
                json_object_object_add(e, "Mode", json_object_new_string(m->mode));
                json_object_object_add(e, "RW", json_object_new_boolean(m->rw));
                json_object_object_add(e, "CopyData", json_object_new_boolean(m->copy_data));
                json_object_object_add(e, "Anonymous", json_object_new_boolean(m->anonymous));
                json_object_array_add(out, e);
        }
        volume_plan_done(&plan);
        if (r < 0) {
                container_volumes_undo(svc, created);
                return r;
        }
        *ret = TAKE_PTR(out);
        *ret_created = TAKE_PTR(created);
        return 0;
}

void
container_volumes_undo(struct container_service *svc, char *const *created)
{
        strv_foreach(n, created) {
                cleanup_error berth_error_t *e = NULL; /* best effort: the create failed */
                (void) volume_store_remove(svc->volumes, n, NULL, &e);
        }
}

void
container_volumes_inspect(struct json_object *rec, struct json_object *out)
{
        struct json_object *vols = json_key(rec, "BerthVolumes");

        for (size_t i = 0; i < count(vols); i++) {
                struct json_object *v = json_object_array_get_idx(vols, i);
                struct json_object *m = json_object_new_object();
                json_object_object_add(m, "Type", json_object_new_string("volume"));
                json_object_object_add(m, "Name",
                                       json_object_new_string(json_key_str(v, "Name") ?: ""));
                json_object_object_add(m, "Source",
                                       json_object_new_string(json_key_str(v, "Source") ?: ""));
                json_object_object_add(
                        m, "Destination",
                        json_object_new_string(json_key_str(v, "Destination") ?: ""));
                json_object_object_add(
                        m, "Driver", json_object_new_string(json_key_str(v, "Driver") ?: "local"));
                json_object_object_add(m, "Mode",
                                       json_object_new_string(json_key_str(v, "Mode") ?: ""));
                json_object_object_add(
                        m, "RW",
                        json_object_new_boolean(json_object_get_boolean(json_key(v, "RW"))));
                json_object_object_add(m, "Propagation", json_object_new_string(""));
                json_object_array_add(out, m);
        }
}

int
container_volumes_mount(struct container_service *svc, struct json_object *rec, const char *rootfs,
                        berth_error_t **err)
{
        struct json_object *vols = json_key(rec, "BerthVolumes");
        const char *id = json_key_str(rec, "Id");
        size_t i;
        int r = 0;

        if (count(vols) == 0 || svc->volumes == NULL)
                return 0;
        for (i = 0; i < count(vols); i++) {
                struct json_object *v = json_object_array_get_idx(vols, i);
                const char *name = json_key_str(v, "Name"), *dst = json_key_str(v, "Destination");
                bool rw = json_object_get_boolean(json_key(v, "RW"));
                char *attrs[] = {"container",  (char *) id,           "destination",
                                 (char *) dst, "propagation",         "",
                                 "read/write", rw ? "true" : "false", NULL};
                r = volume_store_use(svc->volumes, name, id, rootfs ? attrs : NULL, err);
                if (r < 0)
                        break;
                if (rootfs && json_object_get_boolean(json_key(v, "CopyData"))) {
                        cleanup_free char *data = volume_store_data_path(svc->volumes, name);
                        /* dockerd copies only into an empty volume, so a volume's data is
                         * never overwritten by a later container's image. */
                        if (volume_dir_is_empty(data)) {
                                r = volume_copy_up(rootfs, dst, data, err);
                                if (r < 0) {
                                        i++;
                                        break;
                                }
                        }
                }
        }
        if (r < 0) {
                for (size_t j = 0; j < i; j++) {
                        cleanup_error berth_error_t *e = NULL; /* best effort: the start failed */
                        (void) volume_store_release(
                                svc->volumes,
                                json_key_str(json_object_array_get_idx(vols, j), "Name"), id, &e);
                }
                return r;
        }
        return 0;
}

void
container_volumes_unmount(struct container_service *svc, struct json_object *rec)
{
        struct json_object *vols = json_key(rec, "BerthVolumes");
        const char *id = json_key_str(rec, "Id");

        if (svc->volumes == NULL || id == NULL)
                return;
        for (size_t i = 0; i < count(vols); i++) {
                cleanup_error berth_error_t *e = NULL; /* logged */
                const char *name = json_key_str(json_object_array_get_idx(vols, i), "Name");
                if (name && volume_store_release(svc->volumes, name, id, &e) < 0)
                        log_warn("container %s: volume %s: %s, ignoring", id, name, e->msg);
        }
}

/* The IDs of the records in ALL that refer to volume NAME (other than SKIP). */
static char **
users_of(struct json_object *all, const char *name, const char *skip)
{
        char **ids = NULL;

        for (size_t i = 0; i < count(all); i++) {
                struct json_object *rec = json_object_array_get_idx(all, i);
                struct json_object *vols = json_key(rec, "BerthVolumes");
                const char *id = json_key_str(rec, "Id");
                if (id == NULL || (skip && strcmp(id, skip) == 0))
                        continue;
                for (size_t j = 0; j < count(vols); j++) {
                        const char *n = json_key_str(json_object_array_get_idx(vols, j), "Name");
                        if (n && strcmp(n, name) == 0) {
                                strv_push(&ids, id);
                                break;
                        }
                }
        }
        return ids;
}

void
container_volumes_remove_anonymous(struct container_service *svc, struct json_object *rec)
{
        cleanup_json struct json_object *all = NULL;
        cleanup_error berth_error_t *err = NULL; /* unreadable records: keep the volumes */
        struct json_object *vols = json_key(rec, "BerthVolumes");
        const char *id = json_key_str(rec, "Id");

        if (svc->volumes == NULL || count(vols) == 0)
                return;
        if (metadata_containers_list(svc->db, &all, &err) < 0) {
                log_warn("container %s: remove its volumes: %s, ignoring", id, err->msg);
                return;
        }
        for (size_t i = 0; i < count(vols); i++) {
                struct json_object *v = json_object_array_get_idx(vols, i);
                const char *name = json_key_str(v, "Name");
                cleanup_strv char **users = NULL;
                cleanup_error berth_error_t *e = NULL; /* logged */
                if (name == NULL || !json_object_get_boolean(json_key(v, "Anonymous")))
                        continue;
                users = users_of(all, name, id);
                if (users) /* used by another container: kept, as dockerd */
                        continue;
                if (volume_store_remove(svc->volumes, name, NULL, &e) < 0 && e->code != ENOENT)
                        log_warn("container %s: remove volume %s: %s, ignoring", id, name, e->msg);
        }
}

int
container_volumes_remove(struct container_service *svc, const char *name, bool force,
                         berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL;
        cleanup_strv char **users = NULL;
        int r;

        if (svc->volumes == NULL)
                return berth_error_new(err, EOPNOTSUPP, "volumes: not available");
        pthread_mutex_lock(&svc->lock);
        r = metadata_containers_list(svc->db, &all, err);
        if (r >= 0)
                users = users_of(all, name, NULL);
        if (r >= 0 && users) {
                cleanup_free char *list = strv_join(users, ", ");
                r = berth_error_new(err, EBUSY, "remove %s: volume is in use - [%s]", name, list);
        }
        if (r >= 0)
                r = volume_store_remove(svc->volumes, name, NULL, err);
        pthread_mutex_unlock(&svc->lock);
        if (r == -ENOENT && force) {
                berth_error_free(*err);
                *err = NULL;
                return 0;
        }
        return r;
}

int
container_volumes_list(struct container_service *svc, const struct volume_filters *f,
                       struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL, *vols = NULL;
        struct json_object *out;
        int r;

        if (svc->volumes == NULL)
                return berth_error_new(err, EOPNOTSUPP, "volumes: not available");
        r = metadata_containers_list(svc->db, &all, err);
        if (r < 0)
                return r;
        r = volume_store_list(svc->volumes, &vols, err);
        if (r < 0)
                return r;
        out = json_object_new_array();
        for (size_t i = 0; i < count(vols); i++) {
                struct json_object *v = json_object_array_get_idx(vols, i);
                cleanup_strv char **users = users_of(all, json_key_str(v, "Name"), NULL);
                if (!volume_filters_match(f, v, users != NULL))
                        continue;
                json_object_object_del(v, "Anonymous");
                json_object_array_add(out, json_object_get(v));
        }
        *ret = out;
        return 0;
}

int
container_volumes_prune(struct container_service *svc, const struct volume_filters *f,
                        struct json_object *deleted, int64_t *ret_reclaimed, berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL, *vols = NULL;
        int64_t total = 0;
        int r;

        if (svc->volumes == NULL)
                return berth_error_new(err, EOPNOTSUPP, "volumes: not available");
        pthread_mutex_lock(&svc->lock);
        r = metadata_containers_list(svc->db, &all, err);
        if (r >= 0)
                r = volume_store_list(svc->volumes, &vols, err);
        for (size_t i = 0; r >= 0 && i < count(vols); i++) {
                struct json_object *v = json_object_array_get_idx(vols, i);
                const char *name = json_key_str(v, "Name");
                cleanup_strv char **users = users_of(all, name, NULL);
                int64_t size = 0;
                /* API 1.41 (dockerd 20.10): every unused local volume, named or anonymous;
                 * dockerd 23 (API 1.42) prunes only anonymous ones unless all=true. */
                if (users || !volume_filters_match(f, v, false))
                        continue;
                r = volume_store_remove(svc->volumes, name, &size, err);
                if (r == -EBUSY) { /* mounted by a starting container: not unused after all */
                        berth_error_free(*err);
                        *err = NULL;
                        r = 0;
                        continue;
                }
                if (r >= 0) {
                        json_object_array_add(deleted, json_object_new_string(name));
                        total += size;
                }
        }
        pthread_mutex_unlock(&svc->lock);
        *ret_reclaimed = total;
        return r < 0 ? r : 0;
}
