/* runtime/linux/cgroup_resources.h: linux.resources as a plan of cgroup file writes, spelled per
 * controller for the host's layout (v1 where a v1 hierarchy carries the controller, else v2), with
 * runc's file names, order and conversions; then applied to the container's directories. Building
 * the plan is pure, so unified, hybrid and legacy hosts are all unit-tested on any machine. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/error.h"
#include "runtime/linux/cgroup.h"

/* What the apply step does beyond a plain write; each is a runc behaviour, named where used. */
enum cgroup_write_flag {
        CGROUP_WRITE_OPTIONAL = 1 << 0,    /* skip when FILE does not exist */
        CGROUP_WRITE_DEFER_EINVAL = 1 << 1, /* on EINVAL, retry after the next write that is not deferrable */
        CGROUP_WRITE_SWAP_ORDER = 1 << 2,  /* v1 memory limit followed by memsw: order the two by the current limit */
        CGROUP_WRITE_READBACK = 1 << 3,    /* v1 cpu.shares: the kernel clamps; fail unless it kept VALUE */
        CGROUP_WRITE_USAGE_EBUSY = 1 << 4, /* v1 memory limit: EBUSY names the current and peak usage */
        CGROUP_WRITE_KEEP_QUOTA = 1 << 5,  /* v2 cpu.max given only a period: keep the current quota */
        CGROUP_WRITE_BFQ_DEVICE = 1 << 6,  /* v2 device weight: only where io.bfq.weight takes them */
        CGROUP_WRITE_PAGESIZE = 1 << 7,    /* hugetlb.<size>.*: the host must have <size> pages */
        CGROUP_WRITE_CHECK_USAGE = 1 << 8, /* not a write: VALUE "<limit> <memory+swap>" must be above memory.current */
        CGROUP_WRITE_UNIFIED = 1 << 9,     /* a linux.resources.unified key: errors name its controller */
        CGROUP_WRITE_SWAP_TOTAL = 1 << 10, /* v2 swap.max: VALUE is memory+swap; less the current memory.max */
        CGROUP_WRITE_SWAP_KEEP = 1 << 11,  /* v2 swap.max: VALUE is the new memory.max; keep memory+swap as it is */
};

struct cgroup_write {
        char *controller; /* the controller whose hierarchy holds FILE ("memory", "blkio"; v2: "io") */
        bool v2;          /* FILE is in the cgroup2 hierarchy */
        char *file;       /* "memory.limit_in_bytes" */
        char *value;
        char *alt_file;   /* written instead when FILE does not exist (blkio.bfq.weight), or NULL */
        char *alt_value;  /* with ALT_FILE, or NULL for VALUE */
        unsigned flags;   /* enum cgroup_write_flag */
        char *json_path;  /* the setting it comes from, for errors */
};

struct cgroup_plan {
        struct cgroup_write *w;
        size_t n;
        char **warnings; /* settings accepted but ignored, as runc does; for the caller to log */
};

/* RESOURCES is config.json's linux.resources (or `update --resources`; may be NULL). Each
 * controller is spelled for HOST: its v1 files where a v1 hierarchy carries it, else its v2 files
 * where HOST has a cgroup2 hierarchy, else an error naming the JSON path. Values a layout cannot
 * express are errors too, except where runc ignores them (then so does the plan). Zero means
 * "leave as is" wherever it does in runc, so the same plan serves create and update. Device rules
 * are not part of it (cgroup_apply_devices). Nothing here reads the host. */
int cgroup_resources_plan(struct json_object *resources, const struct cgroup_host *host,
                          struct cgroup_plan *ret, berth_error_t **err);
void cgroup_plan_done(struct cgroup_plan *p);
/* Pure: runc's conversions. */
unsigned long long cgroup_shares_to_weight(unsigned long long shares);
unsigned long long cgroup_blkio_to_io_weight(unsigned long long weight);

/* Write the plan into the container's DIRS (one per hierarchy of HOST, same order): first enable
 * in cgroup.subtree_control, from the cgroup2 root down to the container's parent, the v2
 * controllers the plan needs, then every write in order. Errors start with the JSON path. */
int cgroup_resources_apply(const struct cgroup_host *host, char *const *dirs,
                           const struct cgroup_plan *plan, berth_error_t **err);
