/* runtime/linux/cgroup_join.h: how a new process (a container's init, an exec'd process) gets
 * into its cgroups without waiting for an RCU grace period.
 *
 * Writing a pid to cgroup.procs takes the kernel's global cgroup_threadgroup_rwsem for writing,
 * and the first writer after a quiet spell waits for a grace period (5-20 ms on this kind of
 * host) while holding cgroup_mutex, so every create and exec paid it, and every cgroup mkdir
 * nearby waited too. Two ways in skip that lock:
 *  - cgroup v2: clone3(CLONE_INTO_CGROUP) starts the child in the cgroup (kernel 5.7);
 *  - cgroup v1: a single-threaded process writing "0" to the `tasks` file moves itself (the
 *    kernel takes the rwsem only to move a whole thread group or another task's).
 * So the plan splits the directories three ways; whatever cannot go either way (the child in a
 * new user namespace cannot write the host's cgroup files; clone3 refused) is written by the
 * parent to cgroup.procs as before. Choosing is pure, for the unit tests. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "runtime/linux/cgroup.h"

struct cgroup_join {
        char *v2_dir;       /* started in by CLONE_INTO_CGROUP; NULL: none */
        int v2_fd;          /* open by cgroup_join_open, else -1 */
        char **child_tasks; /* v1 "<dir>/tasks" files the child writes "0" to */
        char **parent_dirs; /* cgroups the parent puts the child's pid in (cgroup.procs) */
};

/* The hierarchy DIR lies in: the longest mountpoint that is a path prefix of it; NULL: none. */
const struct cgroup_hierarchy *cgroup_hierarchy_of(const struct cgroup_host *host, const char *dir);

/* Pure: split DIRS (NULL-terminated). CHILD_WRITES: the child can write the host's v1 cgroup
 * files itself (no user namespace). The first v2 directory goes to v2_dir. */
void cgroup_join_plan(const struct cgroup_host *host, char *const *dirs, bool child_writes,
                      struct cgroup_join *ret);
/* Open v2_dir for clone3. A directory that cannot be opened goes to parent_dirs, whose write
 * then reports the error. */
void cgroup_join_open(struct cgroup_join *j);
/* clone(FLAGS | SIGCHLD) as fork: with v2_fd, through clone3 CLONE_INTO_CGROUP; when the kernel
 * refuses that (too old, a seccomp filter, a cgroup v2 with processes below), v2_dir moves to
 * parent_dirs and a plain clone follows. Returns the pid, 0 in the child, -1 with errno. */
pid_t cgroup_join_clone(struct cgroup_join *j, unsigned long flags);
/* In the child, before it makes threads or leaves the host's mount namespace. */
int cgroup_join_child(const struct cgroup_join *j, berth_error_t **err);
void cgroup_join_done(struct cgroup_join *j);
#define cleanup_cgroup_join __attribute__((cleanup(cgroup_join_done)))
