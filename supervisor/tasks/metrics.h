/* supervisor/tasks/metrics.h: the shim's Stats payload (io.containerd.cgroups.v1.Metrics or
 * .v2.Metrics) turned into the parts of docker 20.10's stats JSON that come from the cgroup
 * (GET /containers/{id}/stats), plus the host side dockerd adds (/proc/stat). Pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct json_object;

/* Add "pids_stats", "blkio_stats", "cpu_stats" (cpu_usage, throttling_data) and "memory_stats"
 * to OUT from the Stats Any (TYPE_URL, DATA, LEN). MACHINE_MEMORY (bytes, 0: unknown) caps
 * memory_stats.limit as dockerd does for a container without a limit. -EINVAL for an unknown
 * type or bytes that do not decode. */
int task_metrics_to_docker(const char *type_url, const uint8_t *data, size_t len,
                           uint64_t machine_memory, struct json_object *out, berth_error_t **err);

/* docker's answer for a container that does not run: zeroed cpu, empty pids/memory, null blkio
 * lists; read/preread the zero time. *RET is the caller's. */
struct json_object *task_metrics_docker_zero(const char *name, const char *id);

/* From /proc/stat's text: the host's cpu time in ns as dockerd counts it (the first seven
 * fields of the "cpu" line, in ticks of TICKS_PER_SEC) and the number of "cpuN" lines.
 * -EINVAL when there is no "cpu" line. */
int task_metrics_system_cpu(const char *proc_stat, long ticks_per_sec, uint64_t *ret_ns,
                            uint32_t *ret_online, berth_error_t **err);
