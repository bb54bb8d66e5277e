/* shim/cgroup_mounts.h: the cgroup hierarchies a /proc/self/mountinfo text shows, for the OOM
 * watcher (where is the memory controller) and the start action (where is ShimCgroup). Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct shim_cgroup_mount {
        char *path;    /* the mount point */
        bool v2;       /* cgroup2, else a v1 hierarchy */
        char *options; /* the super options, e.g. "rw,memory" (v1's controllers are among them) */
};

/* Every cgroup and cgroup2 mount, in MOUNTINFO's order; NULL and *RET_N 0 when there is none. */
struct shim_cgroup_mount *shim_cgroup_mounts(const char *mountinfo, size_t *ret_n);
void shim_cgroup_mounts_free(struct shim_cgroup_mount *m, size_t n);
/* M is a v1 hierarchy carrying CONTROLLER. */
bool shim_cgroup_mount_has(const struct shim_cgroup_mount *m, const char *controller);
