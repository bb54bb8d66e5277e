/* supervisor/containers/run_nsjoin.c: joining other containers' namespaces at start (the
 * decisions are nsjoin.c's): targets are looked up in the records and the runner, whose task
 * says whether they run, and their init pid is the record's State.Pid. */
#include <config.h>

#include "supervisor/containers/run_nsjoin.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/containers/ipc_shm.h"
#include "supervisor/containers/nsjoin.h"
#include "supervisor/containers/run.h"
#include "supervisor/containers/service.h"
#include "supervisor/metadata/containers.h"

static const char *
get_str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);

        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A target as the start path sees it; the strings live as long as it. */
struct target {
        struct container_nsjoin_target t;
        char *id;
        char *shm;
        struct json_object *doc;
};

static void
target_done(struct target *t)
{
        free(t->id);
        free(t->shm);
        json_object_put(t->doc);
        *t = (struct target){0};
}

/* Look REF up; a missing target is not an error here (nsjoin_check words it). */
static int
target_load(struct container_runner *r, const char *ref, struct target *ret, berth_error_t **err)
{
        cleanup_error berth_error_t *miss = NULL; /* no such container: t.id stays NULL */
        struct json_object *st;
        struct task *task;
        int rc;

        *ret = (struct target){0};
        rc = metadata_containers_resolve(r->svc->db, ref, &ret->id, &miss);
        if (rc == -ENOENT)
                return 0;
        if (rc < 0) {
                *err = TAKE_PTR(miss);
                return rc;
        }
        rc = metadata_containers_load(r->svc->db, ret->id, &ret->doc, &miss);
        if (rc == -ENOENT) {
                free(TAKE_PTR(ret->id));
                return 0;
        }
        if (rc < 0) {
                *err = TAKE_PTR(miss);
                free(TAKE_PTR(ret->id));
                return rc;
        }
        ret->t.id = ret->id;
        st = json_key(ret->doc, "State");
        task = container_run_task_get(r, ret->id);
        ret->t.running = task != NULL && json_key(st, "Running")
                         && json_object_get_boolean(json_key(st, "Running"));
        if (task)
                container_run_task_put(r, task);
        ret->t.restarting =
                json_key(st, "Restarting") && json_object_get_boolean(json_key(st, "Restarting"));
        ret->t.pid = (uint32_t) json_object_get_int64(json_key(st, "Pid"));
        if (ret->t.pid == 0)
                ret->t.running = false;
        {
                /* The donor's shm is what its bundle binds at /dev/shm, when that is still
                 * there (a shareable one's tmpfs, the host's, or its own donor's). */
                cleanup_free char *cfg =
                        xasprintf("%s/containers/%s/config.json", r->svc->exec_root, ret->id);
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *e2 = NULL; /* no bundle: not shareable */
                const char *src;
                struct stat sb;
                if (json_parse_file(cfg, &spec, &e2) == 0
                    && (src = container_nsjoin_shm_source(spec)) != NULL && stat(src, &sb) == 0
                    && S_ISDIR(sb.st_mode)) {
                        ret->shm = xstrdup(src);
                        ret->t.shm = ret->shm;
                }
        }
        return 0;
}

/* A network joiner shows the target's hostname and /etc files in inspect, as dockerd's. */
static int
record_net_files(struct container_runner *r, const char *id, struct json_object *tdoc,
                 berth_error_t **err)
{
        static const char *const keys[] = {"HostnamePath", "HostsPath", "ResolvConfPath"};
        cleanup_json struct json_object *doc = NULL;
        const char *hostname = get_str(json_key(tdoc, "Config"), "Hostname");
        int rc;

        pthread_mutex_lock(&r->svc->lock);
        rc = metadata_containers_load(r->svc->db, id, &doc, err);
        if (rc == 0) {
                for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                        if (get_str(tdoc, keys[i]))
                                json_object_object_add(
                                        doc, keys[i],
                                        json_object_new_string(get_str(tdoc, keys[i])));
                if (hostname && json_key(doc, "Config"))
                        json_object_object_add(json_key(doc, "Config"), "Hostname",
                                               json_object_new_string(hostname));
                rc = metadata_containers_update(r->svc->db, doc, err);
        }
        pthread_mutex_unlock(&r->svc->lock);
        return rc;
}

static int
join(struct container_runner *r, const char *id, struct json_object *doc, struct json_object *spec,
     enum container_ns_kind kind, const char *key, berth_error_t **err)
{
        const char *ref = container_nsjoin_ref(get_str(json_key(doc, "HostConfig"), key));
        struct target t = {0};
        int rc;

        if (ref == NULL)
                return 0;
        rc = target_load(r, ref, &t, err);
        if (rc < 0)
                return rc;
        rc = container_nsjoin_check(kind, id, ref, &t.t, err);
        if (rc == 0)
                rc = container_nsjoin_spec_apply(spec, kind, &t.t, err);
        if (rc == 0 && kind == CONTAINER_NS_NET)
                container_nsjoin_spec_net_files(
                        spec, get_str(json_key(t.doc, "Config"), "Hostname"),
                        get_str(t.doc, "HostnamePath"), get_str(t.doc, "HostsPath"),
                        get_str(t.doc, "ResolvConfPath"));
        if (rc == 0 && kind == CONTAINER_NS_NET)
                rc = record_net_files(r, id, t.doc, err);
        target_done(&t);
        return rc;
}

int
container_run_nsjoin_prepare(struct container_runner *r, const char *id, struct json_object *doc,
                             const char *bundle, berth_error_t **err)
{
        struct json_object *hc = json_key(doc, "HostConfig");
        cleanup_free char *path = NULL;
        cleanup_json struct json_object *spec = NULL;
        const char *out;
        int rc;

        if (strcmp(get_str(hc, "IpcMode") ? get_str(hc, "IpcMode") : "", "shareable") == 0) {
                cleanup_free char *shm = container_ipc_shm_path(r->svc->exec_root, id);
                rc = container_ipc_shm_mount(shm, json_object_get_int64(json_key(hc, "ShmSize")),
                                             err);
                if (rc < 0)
                        return rc;
        }
        if (!container_nsjoin_ref(get_str(hc, "PidMode"))
            && !container_nsjoin_ref(get_str(hc, "IpcMode"))
            && !container_nsjoin_ref(get_str(hc, "NetworkMode")))
                return 0;
        path = xasprintf("%s/config.json", bundle);
        rc = json_parse_file(path, &spec, err);
        if (rc < 0)
                return rc;
        /* dockerd's order: the network at initializeNetworking, then PID and IPC in the spec. */
        if ((rc = join(r, id, doc, spec, CONTAINER_NS_NET, "NetworkMode", err)) < 0
            || (rc = join(r, id, doc, spec, CONTAINER_NS_PID, "PidMode", err)) < 0
            || (rc = join(r, id, doc, spec, CONTAINER_NS_IPC, "IpcMode", err)) < 0)
                return rc;
        out = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE);
        /* The exec-root is state for this boot only (/run): no fsync, as bundle.c. */
        return fs_replace_file(AT_FDCWD, path, out, strlen(out), 0600, err);
}
