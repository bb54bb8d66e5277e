/* supervisor/containers/nsjoin.h: `container:X` namespace modes (HostConfig.PidMode, IpcMode,
 * NetworkMode) as dockerd 20.10 has them: the target resolved to its full ID at create, checked
 * and joined at start through /proc/<target init pid>/ns/<type>. Pure decisions only; the start
 * path that looks the target up is run_nsjoin.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct json_object;

enum container_ns_kind {
        CONTAINER_NS_PID,
        CONTAINER_NS_IPC,
        CONTAINER_NS_NET,
};

/* The REF of a mode "container:REF" (possibly ""), NULL for any other mode (or NULL). */
const char *container_nsjoin_ref(const char *mode);

/* Look REF up among the containers: its full ID in *RET_ID (the caller's); -ENOENT "No such
 * container: REF" when there is none. */
typedef int (*container_nsjoin_resolve_fn)(void *ctx, const char *ref, char **ret_id,
                                           berth_error_t **err);

/* Create time, on HC (the caller's copy of the request's HostConfig, changed in place): each
 * container:REF mode becomes container:<full ID> as dockerd stores it. An unknown PID or IPC
 * target is -EINVAL "No such container: REF" (dockerd's 400 at create); an unknown network
 * target is kept as given (dockerd looks it up at start only); "container:" alone is kept for
 * PID and IPC (dockerd fails at start) and -EINVAL for the network. Then dockerd's conflicts of a
 * container network mode with the request's CONFIG (Hostname, MacAddress, ExposedPorts) and HC
 * (Links, Dns, ExtraHosts, PortBindings, PublishAllPorts), each -EINVAL. */
int container_nsjoin_resolve_modes(struct json_object *config, struct json_object *hc,
                                   container_nsjoin_resolve_fn resolve, void *ctx,
                                   berth_error_t **err);

/* What the start path knows of a target. */
struct container_nsjoin_target {
        const char *id;  /* full ID; NULL: no such container */
        bool running;    /* its task runs (State.Running and a task in the runner) */
        bool restarting; /* State.Restarting */
        uint32_t pid;    /* its init's pid when running */
        const char *shm; /* host path of its /dev/shm bind (container_nsjoin_shm_source) */
};

/* Start time: whether container SELF_ID may join T's namespace of KIND, REF being the mode's
 * stored reference; dockerd's texts: PID and IPC failures are -EIO (dockerd's createSpec errors
 * are 500s), the network's are -ENOENT (404) and -EBUSY (409) as dockerd's initializeNetworking. */
int container_nsjoin_check(enum container_ns_kind kind, const char *self_id, const char *ref,
                           const struct container_nsjoin_target *t, berth_error_t **err);

/* The source of SPEC's /dev/shm mount when it is a bind (a shareable, host or joined IPC
 * namespace's shm), NULL when it is a private tmpfs or missing (borrowed from SPEC). */
const char *container_nsjoin_shm_source(struct json_object *spec);

/* Rewrite config.json SPEC to join T's namespace of KIND: linux.namespaces' entry gets
 * path /proc/<pid>/ns/<pid|ipc|net> (added when missing); for IPC /dev/shm becomes a bind of
 * T->shm. -EINVAL when SPEC has no linux section. */
int container_nsjoin_spec_apply(struct json_object *spec, enum container_ns_kind kind,
                                const struct container_nsjoin_target *t, berth_error_t **err);

/* A network joiner's hostname and /etc/{hostname,hosts,resolv.conf} are the target's (dockerd's
 * initializeNetworking): set SPEC's hostname and process.env's HOSTNAME to HOSTNAME and the
 * binds of those files to the given paths (NULL: left as they are). */
void container_nsjoin_spec_net_files(struct json_object *spec, const char *hostname,
                                     const char *hostname_path, const char *hosts_path,
                                     const char *resolv_conf_path);
