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
/* Pure: a v1 blkio stat file ("8:0 Read 4096" or "8:0 4096" lines; "Total N" skipped) as an
 * array of {major, minor, op, value} ("op" only where the line has one). -EINVAL on a line of
 * another shape. */
int cgroup_blkio_parse(const char *text, struct json_object **ret, berth_error_t **err);
/* Pure: v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...") as runc maps it onto v1's tables:
 * bytes to ioServiceBytesRecursive, ios to ioServicedRecursive, op "Read" or "Write"; the other
 * keys are skipped. Appends to the two arrays. */
int cgroup_io_stat_parse(const char *text, struct json_object *bytes, struct json_object *ios,
                         berth_error_t **err);
