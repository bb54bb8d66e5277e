/* supervisor/containers/nsjoin.c: the pure half of `container:X` namespace modes: resolving the
 * target at create, dockerd's checks and texts at start, and the config.json rewrite (moby
 * daemon/container_operations_unix.go getPidContainer/getIpcContainer, container_operations.go
 * getNetworkedContainer, runconfig/hostconfig_unix.go validateNetContainerMode). */
#include <config.h>

#include "supervisor/containers/nsjoin.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static const char *
get_str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);

        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* A non-empty array or object. */
static bool
not_empty(struct json_object *v)
{
        if (v == NULL)
                return false;
        if (json_object_is_type(v, json_type_array))
                return json_object_array_length(v) > 0;
        if (json_object_is_type(v, json_type_object))
                return json_object_object_length(v) > 0;
        return false;
}

const char *
container_nsjoin_ref(const char *mode)
{
        if (mode == NULL || strncmp(mode, "container:", 10) != 0)
                return NULL;
        return mode + 10;
}

static int
resolve_mode(struct json_object *hc, const char *key, bool keep_unknown,
             container_nsjoin_resolve_fn resolve, void *ctx, berth_error_t **err)
{
        const char *ref = container_nsjoin_ref(get_str(hc, key));
        cleanup_free char *id = NULL;
        int r;

        if (ref == NULL || ref[0] == '\0')
                return 0;
        r = resolve(ctx, ref, &id, err);
        if (r == -ENOENT && keep_unknown) {
                berth_error_free(*err);
                *err = NULL;
                return 0;
        }
        if (r == -ENOENT) {
                /* dockerd's create answers 400 for it, not 404. */
                (*err)->code = EINVAL;
                return -EINVAL;
        }
        if (r < 0)
                return r;
        {
                cleanup_free char *mode = xasprintf("container:%s", id);
                json_object_object_add(hc, key, json_object_new_string(mode));
        }
        return 0;
}

/* moby runconfig validateNetContainerMode, in its order. */
static int
check_net_conflicts(struct json_object *config, struct json_object *hc, berth_error_t **err)
{
        struct json_object *pa = json_key(hc, "PublishAllPorts");

        if (get_str(config, "Hostname")[0] != '\0')
                return berth_error_new(err, EINVAL,
                                       "conflicting options: hostname and the network mode");
        if (not_empty(json_key(hc, "Links")))
                return berth_error_new(err, EINVAL,
                                       "conflicting options: container type network can't be used "
                                       "with links. This would result in undefined behavior");
        if (not_empty(json_key(hc, "Dns")))
                return berth_error_new(err, EINVAL,
                                       "conflicting options: dns and the network mode");
        if (not_empty(json_key(hc, "ExtraHosts")))
                return berth_error_new(
                        err, EINVAL,
                        "conflicting options: custom host-to-IP mapping and the network mode");
        if (get_str(config, "MacAddress")[0] != '\0')
                return berth_error_new(err, EINVAL,
                                       "conflicting options: mac-address and the network mode");
        if (not_empty(json_key(hc, "PortBindings"))
            || (pa && json_object_is_type(pa, json_type_boolean) && json_object_get_boolean(pa)))
                return berth_error_new(
                        err, EINVAL,
                        "conflicting options: port publishing and the container type network mode");
        if (not_empty(json_key(config, "ExposedPorts")))
                return berth_error_new(
                        err, EINVAL,
                        "conflicting options: port exposing and the container type network mode");
        return 0;
}

int
container_nsjoin_resolve_modes(struct json_object *config, struct json_object *hc,
                               container_nsjoin_resolve_fn resolve, void *ctx, berth_error_t **err)
{
        const char *net = container_nsjoin_ref(get_str(hc, "NetworkMode"));
        int r;

        if (hc == NULL || !json_object_is_type(hc, json_type_object))
                return 0;
        if (net) {
                if (net[0] == '\0')
                        return berth_error_new(err, EINVAL,
                                               "Invalid network mode: invalid container format "
                                               "container:<name|id>");
                r = check_net_conflicts(config, hc, err);
                if (r < 0)
                        return r;
        }
        if ((r = resolve_mode(hc, "PidMode", false, resolve, ctx, err)) < 0
            || (r = resolve_mode(hc, "IpcMode", false, resolve, ctx, err)) < 0
            || (r = resolve_mode(hc, "NetworkMode", true, resolve, ctx, err)) < 0)
                return r;
        return 0;
}

int
container_nsjoin_check(enum container_ns_kind kind, const char *self_id, const char *ref,
                       const struct container_nsjoin_target *t, berth_error_t **err)
{
        switch (kind) {
        case CONTAINER_NS_PID:
                if (t->id == NULL)
                        return berth_error_new(err, EIO,
                                               "cannot join PID of a non running container: %s: "
                                               "No such container: %s",
                                               ref, ref);
                if (!t->running)
                        return berth_error_new(err, EIO, "container %s is not running", t->id);
                if (t->restarting)
                        return berth_error_new(
                                err, EIO,
                                "Container %s is restarting, wait until the container is running",
                                t->id);
                return 0;
        case CONTAINER_NS_IPC:
                if (t->id == NULL)
                        return berth_error_new(err, EIO,
                                               "can't join IPC of container %s: No such container: "
                                               "%s",
                                               ref, ref);
                if (!t->running)
                        return berth_error_new(
                                err, EIO,
                                "can't join IPC of container %s: container %s is not running",
                                t->id, t->id);
                if (t->restarting)
                        return berth_error_new(err, EIO,
                                               "can't join IPC of container %s: Container %s is "
                                               "restarting, wait until the container is running",
                                               t->id, t->id);
                if (t->shm == NULL)
                        return berth_error_new(err, EIO,
                                               "can't join IPC of container %s: non-shareable IPC "
                                               "(hint: use IpcMode:shareable for the donor "
                                               "container)",
                                               t->id);
                return 0;
        case CONTAINER_NS_NET:
                if (t->id == NULL)
                        return berth_error_new(err, ENOENT, "No such container: %s", ref);
                if (self_id && strcmp(t->id, self_id) == 0)
                        return berth_error_new(err, EINVAL, "cannot join own network");
                if (!t->running)
                        return berth_error_new(err, EBUSY,
                                               "cannot join network of a non running container: %s",
                                               ref);
                if (t->restarting)
                        return berth_error_new(
                                err, EBUSY,
                                "Container %s is restarting, wait until the container is running",
                                t->id);
                return 0;
        }
        return berth_error_new(err, EINVAL, "unknown namespace kind %d", (int) kind);
}

/* SPEC's mount entry whose destination is DEST (its index in *RET_IDX), NULL when none. */
static struct json_object *
mount_at(struct json_object *spec, const char *dest, size_t *ret_idx)
{
        struct json_object *mounts = json_key(spec, "mounts");

        if (mounts == NULL || !json_object_is_type(mounts, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i);
                if (strcmp(get_str(m, "destination"), dest) == 0) {
                        if (ret_idx)
                                *ret_idx = i;
                        return m;
                }
        }
        return NULL;
}

const char *
container_nsjoin_shm_source(struct json_object *spec)
{
        struct json_object *m = mount_at(spec, "/dev/shm", NULL);

        if (m == NULL || strcmp(get_str(m, "type"), "bind") != 0 || get_str(m, "source")[0] == '\0')
                return NULL;
        return get_str(m, "source");
}

static const char *
ns_type(enum container_ns_kind kind)
{
        switch (kind) {
        case CONTAINER_NS_PID:
                return "pid";
        case CONTAINER_NS_IPC:
                return "ipc";
        case CONTAINER_NS_NET:
                return "network";
        }
        return "";
}

static struct json_object *
bind_mount_new(const char *dest, const char *source)
{
        struct json_object *m = json_object_new_object(), *o = json_object_new_array();

        json_object_object_add(m, "destination", json_object_new_string(dest));
        json_object_object_add(m, "type", json_object_new_string("bind"));
        json_object_object_add(m, "source", json_object_new_string(source));
        json_object_array_add(o, json_object_new_string("rbind"));
        json_object_array_add(o, json_object_new_string("rprivate"));
        json_object_object_add(m, "options", o);
        return m;
}

int
container_nsjoin_spec_apply(struct json_object *spec, enum container_ns_kind kind,
                            const struct container_nsjoin_target *t, berth_error_t **err)
{
        struct json_object *linux_ = json_key(spec, "linux"), *nss = json_key(linux_, "namespaces");
        struct json_object *entry = NULL;
        const char *type = ns_type(kind);
        cleanup_free char *path = xasprintf("/proc/%" PRIu32 "/ns/%s", t->pid,
                                            kind == CONTAINER_NS_NET ? "net" : type);

        if (linux_ == NULL || !json_object_is_type(linux_, json_type_object))
                return berth_error_new(err, EINVAL, "config.json: linux: missing");
        if (nss == NULL || !json_object_is_type(nss, json_type_array)) {
                nss = json_object_new_array();
                json_object_object_add(linux_, "namespaces", nss);
        }
        for (size_t i = 0; i < json_object_array_length(nss); i++) {
                struct json_object *n = json_object_array_get_idx(nss, i);
                if (strcmp(get_str(n, "type"), type) == 0)
                        entry = n;
        }
        if (entry == NULL) {
                entry = json_object_new_object();
                json_object_object_add(entry, "type", json_object_new_string(type));
                json_object_array_add(nss, entry);
        }
        json_object_object_add(entry, "path", json_object_new_string(path));

        if (kind == CONTAINER_NS_IPC && t->shm) {
                /* dockerd binds the donor's shm mount (its ShmPath) at /dev/shm. */
                struct json_object *mounts = json_key(spec, "mounts");
                size_t idx = 0;
                if (mounts == NULL || !json_object_is_type(mounts, json_type_array)) {
                        mounts = json_object_new_array();
                        json_object_object_add(spec, "mounts", mounts);
                }
                if (mount_at(spec, "/dev/shm", &idx))
                        json_object_array_put_idx(mounts, idx, bind_mount_new("/dev/shm", t->shm));
                else
                        json_object_array_add(mounts, bind_mount_new("/dev/shm", t->shm));
        }
        return 0;
}

static void
set_bind_source(struct json_object *spec, const char *dest, const char *source)
{
        struct json_object *m;

        if (source == NULL || (m = mount_at(spec, dest, NULL)) == NULL)
                return;
        json_object_object_add(m, "source", json_object_new_string(source));
}

void
container_nsjoin_spec_net_files(struct json_object *spec, const char *hostname,
                                const char *hostname_path, const char *hosts_path,
                                const char *resolv_conf_path)
{
        struct json_object *env = json_key(json_key(spec, "process"), "env");

        if (hostname && json_key(spec, "hostname"))
                json_object_object_add(spec, "hostname", json_object_new_string(hostname));
        /* and the HOSTNAME variable docker sets from it */
        for (size_t i = 0; hostname && env && json_object_is_type(env, json_type_array)
                           && i < json_object_array_length(env);
             i++) {
                const char *e = json_object_get_string(json_object_array_get_idx(env, i));
                if (e && strncmp(e, "HOSTNAME=", 9) == 0) {
                        cleanup_free char *v = xasprintf("HOSTNAME=%s", hostname);
                        json_object_array_put_idx(env, i, json_object_new_string(v));
                }
        }
        set_bind_source(spec, "/etc/hostname", hostname_path);
        set_bind_source(spec, "/etc/hosts", hosts_path);
        set_bind_source(spec, "/etc/resolv.conf", resolv_conf_path);
}
