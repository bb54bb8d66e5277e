/* runtime/linux/cgroup.h: the host's cgroup layout (unified, hybrid, legacy) and a container's
 * cgroup in every hierarchy: create, enter, list, signal, remove. Parsing the layout is pure so
 * each layout is unit-tested on any host. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

enum cgroup_layout { CGROUP_LAYOUT_UNIFIED, CGROUP_LAYOUT_HYBRID, CGROUP_LAYOUT_LEGACY };

struct cgroup_hierarchy {
        char *mountpoint;  /* /sys/fs/cgroup/memory, /sys/fs/cgroup/unified, /sys/fs/cgroup */
        char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
        bool v2;
        char *own;         /* the caller's cgroup in it (from /proc/self/cgroup), "/" at the root */
};

struct cgroup_host {
        enum cgroup_layout layout;
        struct cgroup_hierarchy *h;
        size_t n;
};

/* Pure: from the text of /proc/self/mountinfo and /proc/self/cgroup. */
int cgroup_host_parse(const char *mountinfo, const char *self_cgroup, struct cgroup_host *ret,
                      berth_error_t **err);
int cgroup_host_detect(struct cgroup_host *ret, berth_error_t **err);
void cgroup_host_done(struct cgroup_host *host);
const char *cgroup_layout_name(enum cgroup_layout l);

/* Pure: the container's cgroup inside hierarchy H of a host with LAYOUT: an absolute cgroupsPath
 * as it is, a relative one (or, when empty, the container id) below the caller's own cgroup, as
 * runc's fs driver does; on a unified host below the parent of the caller's own cgroup, as runc's
 * fs2 driver does. Rejects ".." components. Returns the directory path (mountpoint + cgroup). */
int cgroup_container_dir(const struct cgroup_hierarchy *h, enum cgroup_layout layout,
                         const char *cgroups_path, const char *id, char **ret, berth_error_t **err);
/* Pure: the cgroups from the root of the v2 hierarchy at MOUNTPOINT down to the parent of DIR
 * (a cgroup below it), top first, NULL-terminated: where cgroup_create delegates controllers. */
char **cgroup_v2_ancestors(const char *mountpoint, const char *dir);
/* Enable each of CONTROLLERS (names, NULL-terminated) in cgroup.subtree_control of every cgroup
 * cgroup_v2_ancestors lists for DIR, top down, where it is not on yet; the first refusal fails,
 * naming the controller and the file. The one mechanism behind cgroup_create's delegation (best
 * effort) and cgroup_resources_apply's (strict). */
int cgroup_v2_enable_controllers(const char *mountpoint, const char *dir, char *const *controllers,
                                 berth_error_t **err);

/* The directories a container owns, one per hierarchy, NULL-terminated. */
int cgroup_create(const struct cgroup_host *host, const char *cgroups_path, const char *id,
                  char ***ret_dirs, berth_error_t **err);
int cgroup_enter(char *const *dirs, pid_t pid, berth_error_t **err);
/* Remove every directory; retries briefly while the kernel still counts dying tasks. */
int cgroup_destroy(char *const *dirs, berth_error_t **err);
/* The pids in the container's cgroup (from the first hierarchy that lists them). */
int cgroup_pids(char *const *dirs, pid_t **ret, size_t *ret_n, berth_error_t **err);
/* Freeze (FROZEN true) or thaw every process, through the v1 freezer or v2 cgroup.freeze, and
 * wait until the kernel reports the state reached. -ENOTSUP without a freezer. */
int cgroup_freeze(char *const *dirs, bool frozen, berth_error_t **err);
/* Signal every process in the cgroup, freezing it meanwhile when a freezer is there so no
 * process forks away (runc's signalAllProcesses). */
int cgroup_kill_all(char *const *dirs, int sig, berth_error_t **err);

/* Pure: the cgroup v1 devices.allow / devices.deny lines for RULES plus runc's default
 * allowed devices; each line prefixed "a " (allow) or "d " (deny). */
char **cgroup_v1_device_lines(const struct spec_device_rule *rules, size_t n);
/* v1 (legacy and hybrid hosts): those lines into devices.allow / devices.deny. Unified hosts: a
 * BPF device program (devices_bpf.h) on the container's cgroup, replacing any attached there.
 * Either way the rules must pass device_policy_build(). */
int cgroup_apply_devices(const struct cgroup_host *host, char *const *dirs,
                         const struct spec_device_rule *rules, size_t n, berth_error_t **err);
