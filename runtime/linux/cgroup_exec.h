/* runtime/linux/cgroup_exec.h: where `exec` puts its process: the container's cgroup, or the
 * existing sub-cgroups that `--cgroup [<controller>[,<controller>...]:]<path>` names (runc 1.1).
 * Parsing the arguments and choosing the directories are pure, for the unit tests. */
#pragma once

#include "lib/error.h"
#include "runtime/linux/cgroup.h"

struct cgroup_sub {
        char *controller; /* "cpu", "name=systemd"; NULL: every hierarchy */
        char *path;       /* below the container's cgroup */
};

struct cgroup_subs {
        struct cgroup_sub *s;
        size_t n;
};

/* runc's rules: one argument without a controller prefix, or any number with one; a controller
 * named twice, an empty controller, a path with ".." and more than one ':' are errors. */
int cgroup_subs_parse(char *const *args, struct cgroup_subs *ret, berth_error_t **err);
void cgroup_subs_done(struct cgroup_subs *subs);

/* Pure: for each of the container's DIRS (one per hierarchy, NULL-terminated), the directory
 * the exec'd process joins: DIR itself, or DIR/<path> when SUBS names a controller of that
 * hierarchy, or has a path for all. A controller prefix on a unified host, a controller the
 * container has no hierarchy for, and two paths for one hierarchy are errors. */
int cgroup_exec_dirs(const struct cgroup_host *host, char *const *dirs,
                     const struct cgroup_subs *subs, char ***ret_dirs, berth_error_t **err);

/* Each of DIRS exists and is a directory: the error names the first that is not. */
int cgroup_exec_check(char *const *dirs, berth_error_t **err);

/* Put PID into the container's cgroup as `exec` does (DIRS from cgroup_exec_dirs, found by
 * cgroup_exec_check before the process was made). On cgroup v2 a container that made
 * sub-cgroups with controllers of its own can no longer take processes at its top (no internal
 * processes); as runc, the process then joins the cgroup of the container's init (INIT_PID),
 * unless a sub-cgroup was asked for. */
int cgroup_exec_enter(const struct cgroup_host *host, char *const *dirs, bool sub_asked,
                      pid_t init_pid, pid_t pid, berth_error_t **err);
