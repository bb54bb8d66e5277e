/* supervisor/containers/update.c: see update.h. */
#include <config.h>

#include "supervisor/containers/update.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/containers/run.h"
#include "supervisor/containers/service.h"
#include "supervisor/containers/spec.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/tasks/task.h"

static struct json_object *
get(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;
        if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v))
                return v;
        return NULL;
}

static const char *const int_fields[] = {
        "Memory",     "MemorySwap",  "MemoryReservation", "CpuShares", "NanoCpus",
        "CpuPeriod",  "CpuQuota",    "BlkioWeight",       "KernelMemory",
        "CpuRealtimePeriod", "CpuRealtimeRuntime", NULL};

/* A JSON number that fits an int64 (null: 0). */
static int
int_field(struct json_object *body, const char *k, int64_t *ret, berth_error_t **err)
{
        struct json_object *v = get(body, k);
        *ret = 0;
        if (v == NULL)
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return berth_error_new(err, EINVAL,
                                       "json: cannot unmarshal %s into Go struct field "
                                       "UpdateConfig.%s of type int64",
                                       json_object_is_type(v, json_type_string) ? "string"
                                                                                : "value",
                                       k);
        *ret = json_object_get_int64(v);
        return 0;
}

static int
str_field(struct json_object *body, const char *k, const char **ret, berth_error_t **err)
{
        struct json_object *v = get(body, k);
        *ret = NULL;
        if (v == NULL)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return berth_error_new(err, EINVAL,
                                       "json: cannot unmarshal %s into Go struct field "
                                       "UpdateConfig.%s of type string",
                                       json_type_word(v), k);
        *ret = json_object_get_string(v);
        return 0;
}

int
container_update_merge(struct json_object *hc, struct json_object *body, berth_error_t **err)
{
        int64_t v[16] = {0};
        const char *cpus, *mems;
        struct json_object *pids, *rp;
        int r;

        if (body == NULL || !json_object_is_type(body, json_type_object))
                return berth_error_new(err, EINVAL, "update: the body is not a JSON object");
        for (size_t i = 0; int_fields[i]; i++) {
                r = int_field(body, int_fields[i], &v[i], err);
                if (r < 0)
                        return r;
        }
        r = str_field(body, "CpusetCpus", &cpus, err);
        if (r == 0)
                r = str_field(body, "CpusetMems", &mems, err);
        if (r < 0)
                return r;
        /* v[]: Memory 0, MemorySwap 1, MemoryReservation 2, ..., KernelMemory 8 */
        if (v[8] != 0)
                return berth_error_new(err, EINVAL,
                                       "invalid argument: kernel memory limit is not supported "
                                       "on this host (cgroup v2 semantics); remove --kernel-memory");
        if (v[0] > 0 && v[1] == 0) {
                int64_t cur = json_object_get_int64(get(hc, "MemorySwap"));
                if (cur > 0 && v[0] > cur)
                        return berth_error_new(err, EINVAL,
                                               "Memory limit should be smaller than already set "
                                               "memoryswap limit, update the memoryswap at the same "
                                               "time");
        }
        for (size_t i = 0; int_fields[i]; i++)
                if (v[i] != 0)
                        json_object_object_add(hc, int_fields[i], json_object_new_int64(v[i]));
        /* NanoCpus and CpuPeriod/CpuQuota exclude each other: a new one drops the other. */
        if (v[4] != 0) {
                json_object_object_add(hc, "CpuPeriod", json_object_new_int64(0));
                json_object_object_add(hc, "CpuQuota", json_object_new_int64(0));
        } else if (v[5] != 0 || v[6] != 0) {
                json_object_object_add(hc, "NanoCpus", json_object_new_int64(0));
        }
        if (cpus && cpus[0])
                json_object_object_add(hc, "CpusetCpus", json_object_new_string(cpus));
        if (mems && mems[0])
                json_object_object_add(hc, "CpusetMems", json_object_new_string(mems));
        pids = get(body, "PidsLimit");
        if (pids) {
                if (!json_object_is_type(pids, json_type_int))
                        return berth_error_new(err, EINVAL,
                                               "json: cannot unmarshal %s into Go struct field "
                                               "UpdateConfig.PidsLimit of type int64",
                                               json_type_word(pids));
                json_object_object_add(hc, "PidsLimit", json_object_get(pids));
        }
        rp = get(body, "RestartPolicy");
        if (rp && json_object_is_type(rp, json_type_object)) {
                const char *name = json_object_get_string(get(rp, "Name"));
                if (name && name[0]) {
                        if (strcmp(name, "no") != 0 && strcmp(name, "always") != 0
                            && strcmp(name, "unless-stopped") != 0
                            && strcmp(name, "on-failure") != 0)
                                return berth_error_new(err, EINVAL,
                                                       "invalid restart policy '%s'", name);
                        if (strcmp(name, "no") != 0
                            && json_object_get_boolean(get(hc, "AutoRemove")))
                                return berth_error_new(
                                        err, EINVAL,
                                        "Restart policy cannot be updated because AutoRemove is "
                                        "enabled for the container");
                        json_object_object_add(hc, "RestartPolicy", json_object_get(rp));
                }
        }
        return 0;
}

int
container_update_resources(int ncpu, struct json_object *hc, struct json_object *body,
                           struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *res = NULL;
        struct json_object *pids = get(body, "PidsLimit");
        int r = container_spec_resources(ncpu, hc, &res, err);
        if (r < 0)
                return r;
        if (pids && json_object_get_int64(pids) <= 0) {
                struct json_object *p = json_object_new_object();
                json_object_object_add(p, "limit", json_object_new_int64(-1));
                json_object_object_add(res, "pids", p);
        }
        *ret = TAKE_PTR(res);
        return 0;
}

void
container_update_spec(struct json_object *spec, struct json_object *res)
{
        struct json_object *linux_ = get(spec, "linux"), *cur;

        if (linux_ == NULL) {
                linux_ = json_object_new_object();
                json_object_object_add(spec, "linux", linux_);
        }
        cur = get(linux_, "resources");
        if (cur == NULL) {
                cur = json_object_new_object();
                json_object_object_add(linux_, "resources", cur);
        }
        json_object_object_foreach(res, k, v)
        {
                json_object_object_add(cur, k, json_object_get(v));
        }
}

/* The stored config.json (<data-root>/containers/<id>/config.json, copied into the bundle at
 * every start) gets the new resources, so a start or restart applies them. */
static int
spec_store(struct container_runner *r, const char *id, struct json_object *res,
           berth_error_t **err)
{
        cleanup_free char *path = xasprintf("%s/containers/%s/config.json", r->svc->data_root, id);
        cleanup_json struct json_object *spec = NULL;
        const char *s;
        int rc = json_parse_file(path, &spec, err);
        if (rc < 0)
                return rc;
        container_update_spec(spec, res);
        s = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
        return fs_write_atomic(AT_FDCWD, path, s, strlen(s), 0600, err);
}

/* Under the service's lock. */
static int
update_locked(struct container_runner *r, const char *id, struct task *t,
              struct json_object *body, struct json_object **ret_res, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL, *res = NULL;
        struct json_object *hc;
        int rc;

        rc = metadata_containers_load(r->svc->db, id, &doc, err);
        if (rc < 0)
                return rc;
        hc = get(doc, "HostConfig");
        if (hc == NULL) {
                hc = json_object_new_object();
                json_object_object_add(doc, "HostConfig", hc);
        }
        rc = container_update_merge(hc, body, err);
        if (rc < 0)
                return rc;
        rc = container_update_resources((int) sysconf(_SC_NPROCESSORS_ONLN), hc, body, &res, err);
        if (rc < 0)
                return rc;
        if (t) {
                rc = task_update(t, json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN),
                                 err);
                if (rc < 0)
                        return berth_error_prefix(err, "Cannot update container %s", id);
        }
        rc = spec_store(r, id, res, err);
        if (rc < 0)
                return rc;
        rc = metadata_containers_update(r->svc->db, doc, err);
        if (rc == 0)
                *ret_res = TAKE_PTR(res);
        return rc;
}

int
container_run_update(struct container_runner *r, const char *ref, struct json_object *body,
                     berth_error_t **err)
{
        cleanup_free char *id = NULL;
        cleanup_json struct json_object *res = NULL;
        struct task *t;
        int rc;

        rc = metadata_containers_resolve(r->svc->db, ref, &id, err);
        if (rc < 0)
                return rc;
        /* The task first: the runner's lock is never taken under the service's. */
        t = container_run_task_get(r, id);
        pthread_mutex_lock(&r->svc->lock);
        rc = update_locked(r, id, t, body, &res, err);
        pthread_mutex_unlock(&r->svc->lock);
        if (t) {
                container_run_task_put(r, t);
                return rc;
        }
        /* Not running when we looked: a start that read the old config.json meanwhile gets the
         * new resources now. */
        if (rc == 0 && (t = container_run_task_get(r, id)) != NULL) {
                rc = task_update(t, json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN),
                                 err);
                container_run_task_put(r, t);
                if (rc < 0)
                        return berth_error_prefix(err, "Cannot update container %s", id);
        }
        return rc;
}

int
container_run_stats(struct container_runner *r, const char *ref, char **ret_id, char **ret_name,
                    char **ret_type_url, uint8_t **ret_data, size_t *ret_len, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        cleanup_json struct json_object *doc = NULL;
        struct task *t;
        const char *name;
        int rc;

        *ret_type_url = NULL;
        *ret_data = NULL;
        *ret_len = 0;
        rc = metadata_containers_resolve(r->svc->db, ref, &id, err);
        if (rc < 0)
                return rc;
        rc = metadata_containers_load(r->svc->db, id, &doc, err);
        if (rc < 0)
                return rc;
        name = json_object_get_string(get(doc, "Name"));
        t = container_run_task_get(r, id);
        if (t) {
                cleanup_error berth_error_t *e2 = NULL;
                /* A task that exits meanwhile reads as not running. */
                (void) task_stats(t, ret_type_url, ret_data, ret_len, &e2);
                container_run_task_put(r, t);
        }
        *ret_name = xstrdup(name ? name : "");
        *ret_id = TAKE_PTR(id);
        return 0;
}
