/* shim/daemon_setup.h: what the start action does to the server it started, as containerd's
 * runc shim does (interfaces.md §2.3 step 6): move it into Options.shim_cgroup, and give it
 * containerd's oom_score_adj + 1 (so the kernel picks the shim before containerd). */
#pragma once

#include <sys/types.h>

#include "lib/error.h"

/* Pure: the cgroup.procs files of PATH in every cgroup hierarchy MOUNTINFO (a
 * /proc/self/mountinfo text) shows, as a strv (NULL when there is none). */
char **shim_cgroup_procs_files(const char *mountinfo, const char *path);
/* Write PID into PATH's cgroup.procs in every hierarchy where PATH exists; -ENOENT naming PATH
 * when it exists in none. */
int shim_join_cgroup(pid_t pid, const char *path, berth_error_t **err);
/* PID's oom_score_adj becomes PARENT's + 1 (at most 1000). */
int shim_adjust_oom_score(pid_t pid, pid_t parent, berth_error_t **err);
