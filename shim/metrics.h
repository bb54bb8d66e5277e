/* shim/metrics.h: Stats for CRI (interfaces.md §3.7): the runtime's `events --stats` JSON
 * (§6.5) turned into io.containerd.cgroups.v1.Metrics, or .v2.Metrics on a cgroup2-only host
 * (as the runc shim decides: by what /sys/fs/cgroup is). The conversion is pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

bool shim_metrics_host_v2(void);
/* *RET_TYPE_URL is static; *RET_BUF is the caller's. */
int shim_metrics_from_stats_json(const char *json, bool v2, const char **ret_type_url,
                                 uint8_t **ret_buf, size_t *ret_len, berth_error_t **err);
