/* runtime/linux/cgroup_resources.h: linux.resources as a plan of cgroup file writes, for v1
 * and for v2 (with runc's conversions), then applied to the container's directories. Building the
 * plan is pure, so both versions are unit-tested on any host. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/error.h"
#include "runtime/linux/cgroup.h"

struct cgroup_write {
        char *controller; /* v1 controller whose hierarchy holds FILE ("memory"); v2: "" */
        char *file;       /* "memory.limit_in_bytes" */
        char *value;
        char *json_path;  /* the setting it comes from, for errors */
};

struct cgroup_plan {
        struct cgroup_write *w;
        size_t n;
};

/* RESOURCES is config.json's linux.resources (may be NULL). Unsupported values on a version are
 * errors with their JSON path. Device rules are not part of the plan (cgroup_apply_devices). */
int cgroup_resources_plan(struct json_object *resources, bool v2, struct cgroup_plan *ret,
                          berth_error_t **err);
void cgroup_plan_done(struct cgroup_plan *p);
/* Pure: runc's conversions. */
unsigned long long cgroup_shares_to_weight(unsigned long long shares);
unsigned long long cgroup_blkio_to_io_weight(unsigned long long weight);
/* Write the plan into the container's DIRS (one per hierarchy of HOST, same order). */
int cgroup_resources_apply(const struct cgroup_host *host, char *const *dirs,
                           const struct cgroup_plan *plan, berth_error_t **err);
