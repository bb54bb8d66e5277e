/* runtime/linux/cgroup_stats.h: a container's resource usage from its cgroup files, in the shape
 * of runc's `events` stats (interfaces.md 6.5), from v1 or v2 files alike. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "lib/error.h"

/* The stats object ("data" of a stats event) for the container's DIRS. */
struct json_object *cgroup_stats_collect(char *const *dirs);
/* The number of OOM kills so far (v1 memory.oom_control oom_kill, v2 memory.events oom_kill). */
uint64_t cgroup_oom_kills(char *const *dirs);
/* Pure: the value of KEY in "key value" lines, or 0. */
uint64_t cgroup_keyed_value(const char *text, const char *key);
