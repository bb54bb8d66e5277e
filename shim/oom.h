/* shim/oom.h: OOM kills in a container's memory cgroup become TaskOOM events (interfaces.md
 * §2.8): v1 through an eventfd on memory.oom_control, v2 through inotify on memory.events; both
 * then compare the oom_kill counter, so a cgroup's removal (which also wakes v1's eventfd) or
 * any other change tells nothing. A host without a memory controller just has no OOM events. */
#pragma once

#include <stdint.h>

struct loop;
struct shim_service;
struct shim_container;

void shim_oom_watch(struct shim_service *s, struct shim_container *ct);
void shim_oom_unwatch(struct loop *l, struct shim_container *ct);
/* Look at the counter now (the init just exited: an OOM kill may not have woken us yet). */
void shim_oom_check(struct shim_service *s, struct shim_container *ct);

/* Pure: the oom_kill counter in a memory.oom_control or memory.events text, or 0. */
uint64_t shim_oom_parse_count(const char *text);
/* Pure: the memory cgroup's directory for a process, from its /proc/PID/cgroup text and the
 * shim's /proc/self/mountinfo text: v1's "memory" hierarchy first, else cgroup2. NULL if none. */
char *shim_oom_cgroup_dir(const char *proc_cgroup, const char *mountinfo, int *ret_v2);
