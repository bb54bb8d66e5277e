/* runtime/linux/cgroup_resources.c: memory, cpu, cpuset, pids and blkio weight on v1 and v2.
 * The conversions are runc's (libcontainer/cgroups/utils.go, fs2/). */
#include <config.h>

#include "runtime/linux/cgroup_resources.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"

void
cgroup_plan_done(struct cgroup_plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->w[i].controller);
                free(p->w[i].file);
                free(p->w[i].value);
                free(p->w[i].json_path);
        }
        free(p->w);
        p->w = NULL;
        p->n = 0;
}

static void
plan_add(struct cgroup_plan *p, const char *controller, const char *file, const struct jpath *at,
         char *value)
{
        p->w = xreallocarray(p->w, p->n + 1, sizeof(*p->w));
        p->w[p->n++] = (struct cgroup_write){
                .controller = xstrdup(controller),
                .file = xstrdup(file),
                .value = value,
                .json_path = jpath_render(at),
        };
}

unsigned long long
cgroup_shares_to_weight(unsigned long long shares)
{
        /* [2, 262144] -> [1, 10000] */
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

unsigned long long
cgroup_blkio_to_io_weight(unsigned long long weight)
{
        /* [10, 1000] -> [1, 10000] */
        if (weight == 0)
                return 0;
        return 1 + (weight - 10) * 9999 / 990;
}

static char *
limit_str(int64_t v, bool v2)
{
        if (v < 0)
                return xstrdup(v2 ? "max" : "-1");
        return xasprintf("%" PRId64, v);
}

static int
plan_memory(struct json_object *mem, const struct jpath *at, bool v2, struct cgroup_plan *p,
            berth_error_t **err)
{
        int64_t limit = 0, reservation = 0, swap = 0;
        uint64_t swappiness = 0;
        bool has_limit, has_res, has_swap, has_swappiness, oom_disable = false;
        int r;

        if ((r = json_get_int64(mem, at, "limit", &limit, err)) < 0)
                return r;
        has_limit = r > 0;
        if ((r = json_get_int64(mem, at, "reservation", &reservation, err)) < 0)
                return r;
        has_res = r > 0;
        if ((r = json_get_int64(mem, at, "swap", &swap, err)) < 0)
                return r;
        has_swap = r > 0;
        if ((r = json_get_uint64(mem, at, "swappiness", &swappiness, err)) < 0)
                return r;
        has_swappiness = r > 0;
        if ((r = json_get_bool(mem, at, "disableOOMKiller", &oom_disable, err)) < 0)
                return r;
        if (has_swappiness && swappiness > 100)
                return json_error(err, JPATH_KEY(at, "swappiness"), "%" PRIu64 " is above 100", swappiness);
        if (has_limit && has_swap && limit > 0 && swap > 0 && swap < limit)
                return json_error(err, JPATH_KEY(at, "swap"),
                                  "memory+swap limit %" PRId64 " is below the memory limit %" PRId64, swap, limit);
        if (!v2) {
                if (has_limit && limit != 0)
                        plan_add(p, "memory", "memory.limit_in_bytes", JPATH_KEY(at, "limit"), limit_str(limit, false));
                if (has_swap && swap != 0)
                        plan_add(p, "memory", "memory.memsw.limit_in_bytes", JPATH_KEY(at, "swap"), limit_str(swap, false));
                if (has_res && reservation != 0)
                        plan_add(p, "memory", "memory.soft_limit_in_bytes", JPATH_KEY(at, "reservation"),
                                 limit_str(reservation, false));
                if (has_swappiness)
                        plan_add(p, "memory", "memory.swappiness", JPATH_KEY(at, "swappiness"),
                                 xasprintf("%" PRIu64, swappiness));
                if (oom_disable)
                        plan_add(p, "memory", "memory.oom_control", JPATH_KEY(at, "disableOOMKiller"), xstrdup("1"));
                return 0;
        }
        if (has_limit && limit != 0)
                plan_add(p, "", "memory.max", JPATH_KEY(at, "limit"), limit_str(limit, true));
        if (has_res && reservation != 0)
                plan_add(p, "", "memory.low", JPATH_KEY(at, "reservation"), limit_str(reservation, true));
        if (has_swap && swap != 0) {
                /* v1's swap is memory+swap; v2's swap.max is swap alone (runc
                 * ConvertMemorySwapToCgroupV2Value). */
                if (swap == -1) {
                        plan_add(p, "", "memory.swap.max", JPATH_KEY(at, "swap"), xstrdup("max"));
                } else if (!has_limit || limit <= 0) {
                        return json_error(err, JPATH_KEY(at, "swap"),
                                          "a swap limit needs a memory limit on cgroup v2");
                } else {
                        plan_add(p, "", "memory.swap.max", JPATH_KEY(at, "swap"),
                                 xasprintf("%" PRId64, swap - limit));
                }
        }
        if (has_swappiness)
                return json_error(err, JPATH_KEY(at, "swappiness"), "not supported on cgroup v2");
        if (oom_disable)
                return json_error(err, JPATH_KEY(at, "disableOOMKiller"), "not supported on cgroup v2");
        return 0;
}

static int
plan_cpu(struct json_object *cpu, const struct jpath *at, bool v2, struct cgroup_plan *p,
         berth_error_t **err)
{
        uint64_t shares = 0, period = 0, rt_period = 0;
        int64_t quota = 0, rt_runtime = 0;
        const char *cpus = NULL, *mems = NULL;
        bool has_shares, has_period, has_quota, has_rt_period, has_rt_runtime;
        int r;

        if ((r = json_get_uint64(cpu, at, "shares", &shares, err)) < 0)
                return r;
        has_shares = r > 0 && shares > 0;
        if ((r = json_get_int64(cpu, at, "quota", &quota, err)) < 0)
                return r;
        has_quota = r > 0 && quota != 0;
        if ((r = json_get_uint64(cpu, at, "period", &period, err)) < 0)
                return r;
        has_period = r > 0 && period > 0;
        if ((r = json_get_uint64(cpu, at, "realtimePeriod", &rt_period, err)) < 0)
                return r;
        has_rt_period = r > 0 && rt_period > 0;
        if ((r = json_get_int64(cpu, at, "realtimeRuntime", &rt_runtime, err)) < 0)
                return r;
        has_rt_runtime = r > 0 && rt_runtime != 0;
        if ((r = json_get_string(cpu, at, "cpus", &cpus, err)) < 0)
                return r;
        if ((r = json_get_string(cpu, at, "mems", &mems, err)) < 0)
                return r;
        if (!v2) {
                if (has_shares)
                        plan_add(p, "cpu", "cpu.shares", JPATH_KEY(at, "shares"), xasprintf("%" PRIu64, shares));
                /* The period first: the kernel checks the quota against it. */
                if (has_period)
                        plan_add(p, "cpu", "cpu.cfs_period_us", JPATH_KEY(at, "period"), xasprintf("%" PRIu64, period));
                if (has_quota)
                        plan_add(p, "cpu", "cpu.cfs_quota_us", JPATH_KEY(at, "quota"), xasprintf("%" PRId64, quota));
                if (has_rt_period)
                        plan_add(p, "cpu", "cpu.rt_period_us", JPATH_KEY(at, "realtimePeriod"), xasprintf("%" PRIu64, rt_period));
                if (has_rt_runtime)
                        plan_add(p, "cpu", "cpu.rt_runtime_us", JPATH_KEY(at, "realtimeRuntime"), xasprintf("%" PRId64, rt_runtime));
        } else {
                if (has_shares)
                        plan_add(p, "", "cpu.weight", JPATH_KEY(at, "shares"),
                                 xasprintf("%llu", cgroup_shares_to_weight(shares)));
                if (has_quota || has_period) {
                        char *q = has_quota && quota > 0 ? xasprintf("%" PRId64, quota) : xstrdup("max");
                        plan_add(p, "", "cpu.max", JPATH_KEY(at, has_quota ? "quota" : "period"),
                                 xasprintf("%s %" PRIu64, q, has_period ? period : 100000));
                        free(q);
                }
                if (has_rt_period || has_rt_runtime)
                        return json_error(err, JPATH_KEY(at, has_rt_period ? "realtimePeriod" : "realtimeRuntime"),
                                          "realtime scheduling is not supported on cgroup v2");
        }
        if (cpus && cpus[0])
                plan_add(p, v2 ? "" : "cpuset", v2 ? "cpuset.cpus" : "cpuset.cpus", JPATH_KEY(at, "cpus"), xstrdup(cpus));
        if (mems && mems[0])
                plan_add(p, v2 ? "" : "cpuset", "cpuset.mems", JPATH_KEY(at, "mems"), xstrdup(mems));
        return 0;
}

int
cgroup_resources_plan(struct json_object *resources, bool v2, struct cgroup_plan *ret,
                      berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(JPATH_KEY(NULL, "linux"), "resources");
        struct json_object *o;
        int r;

        memset(ret, 0, sizeof(*ret));
        if (!resources)
                return 0;
        o = NULL;
        if ((r = json_get_object(resources, at, "memory", &o, err)) < 0)
                goto fail;
        if (r > 0 && (r = plan_memory(o, JPATH_KEY(at, "memory"), v2, ret, err)) < 0)
                goto fail;
        o = NULL;
        if ((r = json_get_object(resources, at, "cpu", &o, err)) < 0)
                goto fail;
        if (r > 0 && (r = plan_cpu(o, JPATH_KEY(at, "cpu"), v2, ret, err)) < 0)
                goto fail;
        o = NULL;
        if ((r = json_get_object(resources, at, "pids", &o, err)) < 0)
                goto fail;
        if (r > 0) {
                int64_t limit = 0;
                const struct jpath *pat = JPATH_KEY(at, "pids");
                if ((r = json_get_int64(o, pat, "limit", &limit, err)) < 0)
                        goto fail;
                if (r == 0) {
                        r = json_error(err, JPATH_KEY(pat, "limit"), "required");
                        goto fail;
                }
                /* runc: zero or below means no limit */
                plan_add(ret, v2 ? "" : "pids", "pids.max", JPATH_KEY(pat, "limit"),
                         limit > 0 ? xasprintf("%" PRId64, limit) : xstrdup("max"));
        }
        o = NULL;
        if ((r = json_get_object(resources, at, "blockIO", &o, err)) < 0)
                goto fail;
        if (r > 0) {
                int64_t w = 0;
                const struct jpath *bat = JPATH_KEY(at, "blockIO");
                if ((r = json_get_int_range(o, bat, "weight", 0, 1000, &w, err)) < 0)
                        goto fail;
                if (r > 0 && w > 0) {
                        if (w < 10) {
                                r = json_error(err, JPATH_KEY(bat, "weight"), "%" PRId64 " is below 10", w);
                                goto fail;
                        }
                        if (v2)
                                plan_add(ret, "", "io.weight", JPATH_KEY(bat, "weight"),
                                         xasprintf("%llu", cgroup_blkio_to_io_weight((unsigned long long) w)));
                        else
                                plan_add(ret, "blkio", "blkio.weight", JPATH_KEY(bat, "weight"), xasprintf("%" PRId64, w));
                }
        }
        return 0;
fail:
        cgroup_plan_done(ret);
        return r;
}

static bool
has_controller(const char *list, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = list; p && *p;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t) (comma - p) : strlen(p);
                if (len == n && strncmp(p, name, n) == 0)
                        return true;
                p = comma ? comma + 1 : NULL;
        }
        return false;
}

int
cgroup_resources_apply(const struct cgroup_host *host, char *const *dirs,
                       const struct cgroup_plan *plan, berth_error_t **err)
{
        for (size_t i = 0; i < plan->n; i++) {
                const struct cgroup_write *w = &plan->w[i];
                const char *dir = NULL;
                for (size_t h = 0; h < host->n && dirs[h]; h++) {
                        bool match = w->controller[0] ? (!host->h[h].v2 && has_controller(host->h[h].controllers, w->controller))
                                                       : host->h[h].v2;
                        if (match) {
                                dir = dirs[h];
                                break;
                        }
                }
                if (!dir)
                        return berth_error_new(err, ENOTSUP, "%s: this host has no %s cgroup controller to write \"%s\"",
                                               w->json_path, w->controller[0] ? w->controller : "v2", w->file);
                cleanup_free char *path = xasprintf("%s/%s", dir, w->file);
                int r = fs_write_file(AT_FDCWD, path, w->value, strlen(w->value), err);
                if (r < 0)
                        return berth_error_prefix(err, "%s", w->json_path);
        }
        return 0;
}
