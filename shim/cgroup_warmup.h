/* shim/cgroup_warmup.h: start the kernel's cgroup-migration grace period early.
 *
 * The runtime's first write to a cgroup.procs file (`create` moving the container's init, `exec`
 * moving an exec) takes the kernel's global cgroup_threadgroup_rwsem for writing, and the first
 * writer after a quiet spell waits for an RCU grace period (rcu_sync_enter: 8-24 ms measured on
 * this host, v1 and v2 alike); writers during that grace period or within one grace period after
 * the last writer left go straight through. So the shim starts one such write itself, in a
 * throw-away child that moves itself into the cgroup it is already in (a no-op migration), when
 * it learns a runtime call is coming (Create, an exec's Start): the grace period
 * then runs while the shim mounts the rootfs and the runtime starts up, instead of after, and
 * the child's writes every few ms keep the fast path open until the runtime's own write comes.
 * The kernel holds cgroup_mutex through that first grace period, so a runtime that reaches its
 * first cgroup mkdir sooner waits there for the rest of it: what is saved is the time between
 * the warm-up's start and that mkdir (about 4 ms of server start, Create and runtime start-up
 * here), never more than the wait itself. Nothing depends on it: if it fails or comes too late,
 * the runtime waits as it did before.
 * berth itself needs none of it: it puts its processes into their cgroups without that lock
 * (runtime/linux/cgroup_join.h), and a warm-up would then only hold up its cgroup mkdirs for the
 * grace period. So only other runtimes (runc, crun through BinaryName) get one. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Pure: the cgroup.procs file of the calling process's own cgroup in the first hierarchy of
 * MOUNTINFO (a /proc/self/mountinfo text) that SELF_CGROUP (its /proc/self/cgroup) places it in;
 * NULL when there is none. */
char *shim_cgroup_warmup_file(const char *mountinfo, const char *self_cgroup);
/* Pure: whether runtime BINARY (a name or a path) gets a warm-up: any but berth. */
bool shim_cgroup_warmup_wanted(const char *binary);
/* Fork the warm-up child unless one is still running: it writes every 3 ms, for 150 ms at most,
 * and is reaped through shim_cgroup_warmup_reaped(). Best effort: nothing is reported. */
void shim_cgroup_warmup_spawn(void);
/* The runtime call it was for has returned: end the child (if any) now. */
void shim_cgroup_warmup_stop(void);
/* PID was reaped: true when it was the warm-up child (nothing else to do with it). */
bool shim_cgroup_warmup_reaped(pid_t pid);
