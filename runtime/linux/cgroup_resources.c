/* runtime/linux/cgroup_resources.c: linux.resources (runtime-spec 1.2) as a plan of cgroup file
 * writes. The file names, the order and the conversions are runc 1.1's (libcontainer/cgroups/fs
 * and fs2, specconv, utils.go), with the runc 1.2 additions for the fields 1.1 does not know (cpu
 * burst and idle, hugetlb .rsvd, memory.checkBeforeUpdate). The host-dependent parts of those
 * (which weight file exists, the current limit) are flags on a write for the apply step. */
#include <config.h>

#include "runtime/linux/cgroup_resources.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/hugetlb.h"

/* How a controller is spelled on this host. */
enum spelling {
        SPELL_V1,     /* a v1 hierarchy carries it */
        SPELL_V2,     /* no v1 hierarchy does, and the host has a cgroup2 hierarchy */
        SPELL_NONE,   /* neither: writing it is an error */
        SPELL_IGNORE, /* runc ignores it on this layout: plan nothing */
};

struct plan_ctx {
        const struct cgroup_host *host;
        struct cgroup_plan *p;
        enum spelling sp;     /* of the section being planned */
        const char *v1_name;  /* its v1 controller, for the "no such controller" error */
};

void
cgroup_plan_done(struct cgroup_plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->w[i].controller);
                free(p->w[i].file);
                free(p->w[i].value);
                free(p->w[i].alt_file);
                free(p->w[i].alt_value);
                free(p->w[i].json_path);
        }
        free(p->w);
        strv_free(p->warnings);
        p->w = NULL;
        p->n = 0;
        p->warnings = NULL;
}

unsigned long long
cgroup_shares_to_weight(unsigned long long shares)
{
        /* [2, 262144] -> [1, 10000] (runc ConvertCPUSharesToCgroupV2Value). runc does not clamp and
         * so hands the kernel an out-of-range weight for shares outside the v1 range; the v1
         * kernel clamps them, and so does berth, to the same end. */
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
        /* [10, 1000] -> [1, 10000] (runc ConvertBlkIOToIOWeightValue) */
        if (weight == 0)
                return 0;
        return 1 + (weight - 10) * 9999 / 990;
}

static bool
host_v1_has(const struct cgroup_host *host, const char *controller)
{
        size_t n = strlen(controller);

        for (size_t i = 0; i < host->n; i++) {
                if (host->h[i].v2)
                        continue;
                for (const char *p = host->h[i].controllers; p && *p;) {
                        const char *comma = strchr(p, ',');
                        size_t len = comma ? (size_t) (comma - p) : strlen(p);
                        if (len == n && strncmp(p, controller, n) == 0)
                                return true;
                        p = comma ? comma + 1 : NULL;
                }
        }
        return false;
}

static bool
host_has_v2(const struct cgroup_host *host)
{
        for (size_t i = 0; i < host->n; i++) {
                if (host->h[i].v2)
                        return true;
        }
        return false;
}

/* Per controller, not per host: on a hybrid host hugetlb may live only on the cgroup2 mount. */
static enum spelling
spelling_of(const struct cgroup_host *host, const char *v1_name, bool has_v2_files)
{
        if (host_v1_has(host, v1_name))
                return SPELL_V1;
        if (!host_has_v2(host))
                return SPELL_NONE;
        if (has_v2_files)
                return SPELL_V2;
        /* net_cls and net_prio have no v2 files: runc's fs2 driver ignores linux.resources.network
         * on a unified host, while its fs driver fails on a v1 or hybrid host without them. */
        return host->layout == CGROUP_LAYOUT_UNIFIED ? SPELL_IGNORE : SPELL_NONE;
}

static void
section(struct plan_ctx *c, const char *v1_name, bool has_v2_files)
{
        c->sp = spelling_of(c->host, v1_name, has_v2_files);
        c->v1_name = v1_name;
}

static bool
v2(const struct plan_ctx *c)
{
        return c->sp == SPELL_V2;
}

/* Add a write of VALUE (taken) to FILE of CONTROLLER (its name in the section's spelling). */
static int
add(struct plan_ctx *c, const char *controller, const char *file, const struct jpath *at, char *value,
    unsigned flags, berth_error_t **err)
{
        struct cgroup_plan *p = c->p;

        if (c->sp == SPELL_NONE) {
                free(value);
                return json_error(err, at, "this host has no %s cgroup controller", c->v1_name);
        }
        if (c->sp == SPELL_IGNORE) {
                free(value);
                return 0;
        }
        p->w = xreallocarray(p->w, p->n + 1, sizeof(*p->w));
        p->w[p->n++] = (struct cgroup_write){
                .controller = xstrdup(controller),
                .v2 = v2(c),
                .file = xstrdup(file),
                .value = value,
                .flags = flags,
                .json_path = jpath_render(at),
        };
        return 0;
}

/* The last write falls back to ALT_FILE (with ALT_VALUE, taken, or the same value). */
static void
set_alt(struct plan_ctx *c, const char *alt_file, char *alt_value)
{
        struct cgroup_write *w = &c->p->w[c->p->n - 1];

        w->alt_file = xstrdup(alt_file);
        w->alt_value = alt_value;
}

static void
warn(struct plan_ctx *c, const struct jpath *at, const char *text)
{
        cleanup_free char *path = jpath_render(at);
        cleanup_free char *line = xasprintf("%s: %s", path, text);

        strv_push(&c->p->warnings, line);
}

static char *
i64(int64_t v)
{
        return xasprintf("%" PRId64, v);
}

static char *
u64(uint64_t v)
{
        return xasprintf("%" PRIu64, v);
}

/* Every member of the memory section, as config.json has it (absent members are 0/false). */
struct memory_in {
        int64_t limit, reservation, swap;
        uint64_t swappiness;
        bool has_swappiness, oom_disable, check_before_update;
};

static int
plan_memory_v1(struct plan_ctx *c, const struct memory_in *m, const struct jpath *at, berth_error_t **err)
{
        int64_t swap = m->swap;
        unsigned swap_flags = 0;
        int r;

        /* runc setMemoryAndSwap: an unlimited memory without a swap setting means an unlimited
         * memory+swap too, where the kernel accounts swap at all. */
        if (m->limit == -1 && swap == 0) {
                swap = -1;
                swap_flags = CGROUP_WRITE_OPTIONAL;
        }
        if (m->limit != 0) {
                /* With both, which goes first depends on the current limit: apply decides. */
                unsigned f = CGROUP_WRITE_USAGE_EBUSY | (swap != 0 ? CGROUP_WRITE_SWAP_ORDER : 0);
                r = add(c, "memory", "memory.limit_in_bytes", JPATH_KEY(at, "limit"), i64(m->limit), f, err);
                if (r < 0)
                        return r;
        }
        if (swap != 0) {
                r = add(c, "memory", "memory.memsw.limit_in_bytes", JPATH_KEY(at, m->swap ? "swap" : "limit"),
                        i64(swap), swap_flags, err);
                if (r < 0)
                        return r;
        }
        if (m->reservation != 0) {
                r = add(c, "memory", "memory.soft_limit_in_bytes", JPATH_KEY(at, "reservation"),
                        i64(m->reservation), 0, err);
                if (r < 0)
                        return r;
        }
        if (m->oom_disable) {
                r = add(c, "memory", "memory.oom_control", JPATH_KEY(at, "disableOOMKiller"), xstrdup("1"), 0, err);
                if (r < 0)
                        return r;
        }
        /* UINT64_MAX is runc's "-1": leave swappiness as it is. */
        if (m->has_swappiness && m->swappiness != UINT64_MAX) {
                if (m->swappiness > 100)
                        return json_error(err, JPATH_KEY(at, "swappiness"), "%" PRIu64 " is above 100", m->swappiness);
                r = add(c, "memory", "memory.swappiness", JPATH_KEY(at, "swappiness"), u64(m->swappiness), 0, err);
                if (r < 0)
                        return r;
        }
        /* checkBeforeUpdate is a v2 feature in runc 1.2; on v1 the kernel itself refuses a limit
         * below the usage (EBUSY, reported with the usage). */
        return 0;
}

static int
plan_memory_v2(struct plan_ctx *c, const struct memory_in *m, const struct jpath *at, berth_error_t **err)
{
        int64_t swap;
        char *swap_value = NULL;
        unsigned swap_flags = 0;
        const char *swap_key = "swap";
        int r;

        /* runc ConvertMemorySwapToCgroupV2Value: v1's swap is memory+swap, v2's swap.max is swap
         * alone. runc converts with the limit of its saved config, which `update` merges the new
         * values into; berth keeps no second copy, and the saved limit is the current
         * memory.max, so apply reads that where the new resources leave the limit out. */
        if (m->limit == -1 && m->swap == 0) {
                swap = -1;
        } else if (m->swap == -1) {
                swap = m->swap;
        } else if (m->swap == 0) {
                /* A new limit alone: runc converts the saved memory+swap with it, which keeps
                 * memory+swap where it is. No numeric swap.max, nothing to keep (create). */
                swap = 0;
                if (m->limit > 0) {
                        swap_value = i64(m->limit);
                        swap_flags = CGROUP_WRITE_SWAP_KEEP | CGROUP_WRITE_OPTIONAL;
                        swap_key = "limit";
                }
        } else if (m->limit == -1) {
                return json_error(err, JPATH_KEY(at, "swap"), "a swap limit needs a memory limit on cgroup v2");
        } else if (m->limit < -1) {
                return json_error(err, JPATH_KEY(at, "limit"), "%" PRId64 " is not a memory limit", m->limit);
        } else if (m->limit == 0) {
                /* a new memory+swap alone: less the current limit, at apply */
                swap = m->swap;
                swap_flags = CGROUP_WRITE_SWAP_TOTAL;
        } else {
                swap = m->swap - m->limit;
        }
        if (swap_flags)
                swap_value = swap_value ? swap_value : i64(swap);
        else if (swap == -1)
                swap_value = xstrdup("max");
        else if (swap != 0 || m->swap > 0) /* memory+swap equal to memory: no swap at all */
                swap_value = i64(swap);
        /* runc 1.2 CheckMemoryUsage: refuse limits at or below what is in use, before any write. */
        if (m->check_before_update && (m->limit > 0 || m->swap > 0)) {
                r = add(c, "memory", "memory.current", JPATH_KEY(at, "checkBeforeUpdate"),
                        xasprintf("%" PRId64 " %" PRId64, m->limit, m->swap), CGROUP_WRITE_CHECK_USAGE, err);
                if (r < 0) {
                        free(swap_value);
                        return r;
                }
        }
        /* runc fs2 setMemory: swap.max, max, low, in this order; 0 leaves a value alone. */
        if (swap_value) {
                r = add(c, "memory", "memory.swap.max", JPATH_KEY(at, swap_key), swap_value, swap_flags, err);
                if (r < 0)
                        return r;
        }
        if (m->limit != 0) {
                r = add(c, "memory", "memory.max", JPATH_KEY(at, "limit"),
                        m->limit == -1 ? xstrdup("max") : i64(m->limit), 0, err);
                if (r < 0)
                        return r;
        }
        if (m->reservation != 0) {
                r = add(c, "memory", "memory.low", JPATH_KEY(at, "reservation"),
                        m->reservation == -1 ? xstrdup("max") : i64(m->reservation), 0, err);
                if (r < 0)
                        return r;
        }
        /* runc's fs2 driver ignores swappiness and disableOOMKiller: v2 has neither file. */
        return 0;
}

static int
plan_memory(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "memory");
        struct json_object *mem = NULL;
        struct memory_in m = {0};
        int64_t kernel = 0;
        bool hierarchy = false, warned = false;
        int r;

        r = json_get_object(res, up, "memory", &mem, err);
        if (r <= 0)
                return r;
        if ((r = json_get_int64(mem, at, "limit", &m.limit, err)) < 0)
                return r;
        if ((r = json_get_int64(mem, at, "reservation", &m.reservation, err)) < 0)
                return r;
        if ((r = json_get_int64(mem, at, "swap", &m.swap, err)) < 0)
                return r;
        if ((r = json_get_uint64(mem, at, "swappiness", &m.swappiness, err)) < 0)
                return r;
        m.has_swappiness = r > 0;
        if ((r = json_get_bool(mem, at, "disableOOMKiller", &m.oom_disable, err)) < 0)
                return r;
        if ((r = json_get_bool(mem, at, "checkBeforeUpdate", &m.check_before_update, err)) < 0)
                return r;
        /* COMPAT(runc 1.1): kernel memory limits are ignored with one warning (specconv), on
         * every kernel; since Linux 6.1 memory.kmem.limit_in_bytes takes writes and does nothing. */
        for (size_t i = 0; i < 2; i++) {
                const char *key = i == 0 ? "kernel" : "kernelTCP";
                if ((r = json_get_int64(mem, at, key, &kernel, err)) < 0)
                        return r;
                if (r > 0 && !warned) {
                        warn(c, JPATH_KEY(at, key), "kernel memory limits are obsolete, ignoring");
                        warned = true;
                }
        }
        /* COMPAT(runc 1.1): useHierarchy is not read by runc; the kernel has forced it on since
         * Linux 5.x (writing 0 to memory.use_hierarchy is EINVAL). */
        if ((r = json_get_bool(mem, at, "useHierarchy", &hierarchy, err)) < 0)
                return r;
        if (m.limit > 0 && m.swap > 0 && m.swap < m.limit)
                return json_error(err, JPATH_KEY(at, "swap"),
                                  "memory+swap limit %" PRId64 " is below the memory limit %" PRId64, m.swap, m.limit);
        section(c, "memory", true);
        return v2(c) ? plan_memory_v2(c, &m, at, err) : plan_memory_v1(c, &m, at, err);
}

struct cpu_in {
        uint64_t shares, period, rt_period, burst;
        int64_t quota, rt_runtime, idle;
        bool has_burst, has_idle;
        const char *cpus, *mems;
};

static int
plan_cpu_v1(struct plan_ctx *c, const struct cpu_in *u, const struct jpath *at, berth_error_t **err)
{
        /* The period and the burst are checked by the kernel against the quota: on EINVAL runc
         * retries them after the quota (fs/cpu.go). */
        unsigned defer = u->quota != 0 ? CGROUP_WRITE_DEFER_EINVAL : 0;
        int r;

        if (u->shares != 0) {
                r = add(c, "cpu", "cpu.shares", JPATH_KEY(at, "shares"), u64(u->shares), CGROUP_WRITE_READBACK, err);
                if (r < 0)
                        return r;
        }
        if (u->period != 0) {
                r = add(c, "cpu", "cpu.cfs_period_us", JPATH_KEY(at, "period"), u64(u->period), defer, err);
                if (r < 0)
                        return r;
        }
        if (u->has_burst) {
                /* runc 1.2: a kernel without the burst knob (before 5.14) is not an error. */
                r = add(c, "cpu", "cpu.cfs_burst_us", JPATH_KEY(at, "burst"), u64(u->burst),
                        CGROUP_WRITE_OPTIONAL | defer, err);
                if (r < 0)
                        return r;
        }
        if (u->quota != 0) {
                r = add(c, "cpu", "cpu.cfs_quota_us", JPATH_KEY(at, "quota"), i64(u->quota), 0, err);
                if (r < 0)
                        return r;
        }
        if (u->has_idle) {
                r = add(c, "cpu", "cpu.idle", JPATH_KEY(at, "idle"), i64(u->idle), 0, err);
                if (r < 0)
                        return r;
        }
        if (u->rt_period != 0) {
                r = add(c, "cpu", "cpu.rt_period_us", JPATH_KEY(at, "realtimePeriod"), u64(u->rt_period), 0, err);
                if (r < 0)
                        return r;
        }
        if (u->rt_runtime != 0) {
                r = add(c, "cpu", "cpu.rt_runtime_us", JPATH_KEY(at, "realtimeRuntime"), i64(u->rt_runtime), 0, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int
plan_cpu_v2(struct plan_ctx *c, const struct cpu_in *u, const struct jpath *at, berth_error_t **err)
{
        int r;

        /* runc 1.2 fs2 setCpu: idle, weight, burst, max. */
        if (u->has_idle) {
                r = add(c, "cpu", "cpu.idle", JPATH_KEY(at, "idle"), i64(u->idle), 0, err);
                if (r < 0)
                        return r;
        }
        if (u->shares != 0) {
                r = add(c, "cpu", "cpu.weight", JPATH_KEY(at, "shares"),
                        xasprintf("%llu", cgroup_shares_to_weight(u->shares)), 0, err);
                if (r < 0)
                        return r;
        }
        if (u->has_burst) {
                r = add(c, "cpu", "cpu.max.burst", JPATH_KEY(at, "burst"), u64(u->burst),
                        u->quota != 0 ? CGROUP_WRITE_DEFER_EINVAL : 0, err);
                if (r < 0)
                        return r;
        }
        /* cpu.max is "<quota|max> <period>"; a write of the quota alone keeps the period. runc
         * fills the missing half from the container's config (update) or the default 100000
         * (create); the kernel's current value is the same thing without a saved config. */
        if (u->quota != 0) {
                char *q = u->quota > 0 ? i64(u->quota) : xstrdup("max");
                char *v = u->period != 0 ? xasprintf("%s %" PRIu64, q, u->period) : xstrdup(q);
                free(q);
                r = add(c, "cpu", "cpu.max", JPATH_KEY(at, "quota"), v, 0, err);
                if (r < 0)
                        return r;
        } else if (u->period != 0) {
                r = add(c, "cpu", "cpu.max", JPATH_KEY(at, "period"), u64(u->period), CGROUP_WRITE_KEEP_QUOTA, err);
                if (r < 0)
                        return r;
        }
        /* runc's fs2 driver ignores realtimePeriod and realtimeRuntime: v2 has no RT groups. */
        return 0;
}

static int
parse_cpu(struct json_object *cpu, const struct jpath *at, struct cpu_in *u, berth_error_t **err)
{
        int r;

        if ((r = json_get_uint64(cpu, at, "shares", &u->shares, err)) < 0)
                return r;
        if ((r = json_get_int64(cpu, at, "quota", &u->quota, err)) < 0)
                return r;
        if ((r = json_get_uint64(cpu, at, "burst", &u->burst, err)) < 0)
                return r;
        u->has_burst = r > 0;
        if ((r = json_get_uint64(cpu, at, "period", &u->period, err)) < 0)
                return r;
        if ((r = json_get_uint64(cpu, at, "realtimePeriod", &u->rt_period, err)) < 0)
                return r;
        if ((r = json_get_int64(cpu, at, "realtimeRuntime", &u->rt_runtime, err)) < 0)
                return r;
        if ((r = json_get_int64(cpu, at, "idle", &u->idle, err)) < 0)
                return r;
        u->has_idle = r > 0;
        if ((r = json_get_string(cpu, at, "cpus", &u->cpus, err)) < 0)
                return r;
        if ((r = json_get_string(cpu, at, "mems", &u->mems, err)) < 0)
                return r;
        return 0;
}

static int
plan_cpu(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "cpu");
        struct json_object *cpu = NULL;
        struct cpu_in u = {0};
        int r;

        r = json_get_object(res, up, "cpu", &cpu, err);
        if (r <= 0)
                return r;
        if ((r = parse_cpu(cpu, at, &u, err)) < 0)
                return r;
        section(c, "cpu", true);
        return v2(c) ? plan_cpu_v2(c, &u, at, err) : plan_cpu_v1(c, &u, at, err);
}

static int
plan_cpuset(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "cpu");
        struct json_object *cpu = NULL;
        struct cpu_in u = {0};
        int r;

        r = json_get_object(res, up, "cpu", &cpu, err);
        if (r <= 0)
                return r;
        if ((r = parse_cpu(cpu, at, &u, err)) < 0)
                return r;
        section(c, "cpuset", true);
        if (u.cpus && u.cpus[0]) {
                r = add(c, "cpuset", "cpuset.cpus", JPATH_KEY(at, "cpus"), xstrdup(u.cpus), 0, err);
                if (r < 0)
                        return r;
        }
        if (u.mems && u.mems[0]) {
                r = add(c, "cpuset", "cpuset.mems", JPATH_KEY(at, "mems"), xstrdup(u.mems), 0, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int
plan_pids(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "pids");
        struct json_object *pids = NULL;
        int64_t limit = 0;
        int r;

        r = json_get_object(res, up, "pids", &pids, err);
        if (r <= 0)
                return r;
        /* runc 1.1: 0 (or no limit member) leaves pids.max alone, below 0 is "max". */
        if ((r = json_get_int64(pids, at, "limit", &limit, err)) < 0)
                return r;
        if (limit == 0)
                return 0;
        section(c, "pids", true);
        return add(c, "pids", "pids.max", JPATH_KEY(at, "limit"), limit > 0 ? i64(limit) : xstrdup("max"), 0, err);
}

/* A blkio weight: 0 is unset, else the kernel's [10, 1000]. */
static int
get_weight(struct json_object *o, const struct jpath *at, const char *key, int64_t *ret, berth_error_t **err)
{
        int r = json_get_int_range(o, at, key, 0, 1000, ret, err);

        if (r > 0 && *ret > 0 && *ret < 10)
                return json_error(err, JPATH_KEY(at, key), "%" PRId64 " is below 10", *ret);
        return r;
}

static int
get_device(struct json_object *o, const struct jpath *at, int64_t *major, int64_t *minor, berth_error_t **err)
{
        int r;

        if ((r = json_need_int_range(o, at, "major", 0, INT64_MAX, major, err)) < 0)
                return r;
        if ((r = json_need_int_range(o, at, "minor", 0, INT64_MAX, minor, err)) < 0)
                return r;
        return 0;
}

static int
plan_weight_devices(struct plan_ctx *c, struct json_object *bio, const struct jpath *at, berth_error_t **err)
{
        const struct jpath *dat = JPATH_KEY(at, "weightDevice");
        struct json_object *arr = NULL;
        int r;

        if ((r = json_get_array(bio, at, "weightDevice", &arr, err)) <= 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *d = json_object_array_get_idx(arr, i);
                const struct jpath *iat = JPATH_IDX(dat, i);
                int64_t major = 0, minor = 0, weight = 0, leaf = 0;
                if ((r = json_expect_object(d, iat, err)) < 0)
                        return r;
                if ((r = get_device(d, iat, &major, &minor, err)) < 0)
                        return r;
                if ((r = get_weight(d, iat, "weight", &weight, err)) < 0)
                        return r;
                if ((r = get_weight(d, iat, "leafWeight", &leaf, err)) < 0)
                        return r;
                if (v2(c)) {
                        /* runc fs2 setIo: per-device weights only through BFQ, and only where
                         * io.bfq.weight takes them (Linux 5.4+); silently ignored otherwise, and
                         * leaf weights always (v2 has none). */
                        if (weight != 0) {
                                r = add(c, "io", "io.bfq.weight", JPATH_KEY(iat, "weight"),
                                        xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, major, minor, weight),
                                        CGROUP_WRITE_BFQ_DEVICE, err);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                if (weight != 0) {
                        r = add(c, "blkio", "blkio.weight_device", JPATH_KEY(iat, "weight"),
                                xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, major, minor, weight), 0, err);
                        if (r < 0)
                                return r;
                        set_alt(c, "blkio.bfq.weight_device", NULL);
                }
                if (leaf != 0) {
                        r = add(c, "blkio", "blkio.leaf_weight_device", JPATH_KEY(iat, "leafWeight"),
                                xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, major, minor, leaf), 0, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int
plan_throttle(struct plan_ctx *c, struct json_object *bio, const struct jpath *at, const char *key,
              const char *v1_file, const char *v2_op, berth_error_t **err)
{
        const struct jpath *tat = JPATH_KEY(at, key);
        struct json_object *arr = NULL;
        int r;

        if ((r = json_get_array(bio, at, key, &arr, err)) <= 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *d = json_object_array_get_idx(arr, i);
                const struct jpath *iat = JPATH_IDX(tat, i);
                int64_t major = 0, minor = 0;
                uint64_t rate = 0;
                if ((r = json_expect_object(d, iat, err)) < 0)
                        return r;
                if ((r = get_device(d, iat, &major, &minor, err)) < 0)
                        return r;
                if ((r = json_need_uint64(d, iat, "rate", &rate, err)) < 0)
                        return r;
                if (v2(c))
                        r = add(c, "io", "io.max", iat,
                                xasprintf("%" PRId64 ":%" PRId64 " %s=%" PRIu64, major, minor, v2_op, rate), 0, err);
                else
                        r = add(c, "blkio", v1_file, iat, xasprintf("%" PRId64 ":%" PRId64 " %" PRIu64, major, minor, rate),
                                0, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int
plan_blkio(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "blockIO");
        struct json_object *bio = NULL;
        int64_t weight = 0, leaf = 0;
        int r;

        r = json_get_object(res, up, "blockIO", &bio, err);
        if (r <= 0)
                return r;
        if ((r = get_weight(bio, at, "weight", &weight, err)) < 0)
                return r;
        if ((r = get_weight(bio, at, "leafWeight", &leaf, err)) < 0)
                return r;
        section(c, "blkio", true);
        if (weight != 0) {
                if (v2(c)) {
                        /* runc fs2 setIo: BFQ's own weight where BFQ is there, else io.weight
                         * with the weight mapped onto [1, 10000]. */
                        r = add(c, "io", "io.bfq.weight", JPATH_KEY(at, "weight"), i64(weight), 0, err);
                        if (r == 0)
                                set_alt(c, "io.weight", xasprintf("%llu", cgroup_blkio_to_io_weight((unsigned long long) weight)));
                } else {
                        /* runc fs/blkio.go: CFQ's file where it exists, else BFQ's. */
                        r = add(c, "blkio", "blkio.weight", JPATH_KEY(at, "weight"), i64(weight), 0, err);
                        if (r == 0)
                                set_alt(c, "blkio.bfq.weight", NULL);
                }
                if (r < 0)
                        return r;
        }
        /* runc's fs2 driver ignores leafWeight: v2 has no leaf weights. */
        if (leaf != 0 && !v2(c)) {
                r = add(c, "blkio", "blkio.leaf_weight", JPATH_KEY(at, "leafWeight"), i64(leaf), 0, err);
                if (r < 0)
                        return r;
        }
        if ((r = plan_weight_devices(c, bio, at, err)) < 0)
                return r;
        if ((r = plan_throttle(c, bio, at, "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps", err)) < 0)
                return r;
        if ((r = plan_throttle(c, bio, at, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps", err)) < 0)
                return r;
        if ((r = plan_throttle(c, bio, at, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops", err)) < 0)
                return r;
        return plan_throttle(c, bio, at, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops", err);
}

/* "2MB", "64KB", "1GB": the kernel's names for its huge page sizes (mm/hugetlb_cgroup.c). */
static bool
valid_page_size(const char *s)
{
        size_t digits = strspn(s, "0123456789");

        return digits > 0 && s[0] != '0' && (s[digits] == 'K' || s[digits] == 'M' || s[digits] == 'G')
               && s[digits + 1] == 'B' && s[digits + 2] == '\0';
}

static int
plan_hugetlb(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "hugepageLimits");
        struct json_object *arr = NULL;
        int r;

        if ((r = json_get_array(res, up, "hugepageLimits", &arr, err)) <= 0)
                return r;
        section(c, "hugetlb", true);
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *h = json_object_array_get_idx(arr, i);
                const struct jpath *iat = JPATH_IDX(at, i);
                const char *size = NULL;
                uint64_t limit = 0;
                if ((r = json_expect_object(h, iat, err)) < 0)
                        return r;
                if ((r = json_need_string(h, iat, "pageSize", &size, err)) < 0)
                        return r;
                /* It becomes part of a file name: only the kernel's spelling. Whether this host
                 * has such pages is for the apply step. */
                if (!valid_page_size(size))
                        return json_error(err, JPATH_KEY(iat, "pageSize"),
                                          "\"%s\" is not a huge page size such as \"2MB\" or \"1GB\"", size);
                if ((r = json_need_uint64(h, iat, "limit", &limit, err)) < 0)
                        return r;
                /* runc 1.2 also limits reservations (.rsvd, Linux 5.7+) to the same value, where
                 * the kernel has them. */
                const char *suffix = v2(c) ? "max" : "limit_in_bytes";
                cleanup_free char *file = xasprintf("hugetlb.%s.%s", size, suffix);
                cleanup_free char *rsvd = xasprintf("hugetlb.%s.rsvd.%s", size, suffix);
                if ((r = add(c, "hugetlb", file, iat, u64(limit), CGROUP_WRITE_PAGESIZE, err)) < 0)
                        return r;
                if ((r = add(c, "hugetlb", rsvd, iat, u64(limit), CGROUP_WRITE_OPTIONAL, err)) < 0)
                        return r;
        }
        return 0;
}

/* A word that goes into a "<name> <value>" line of a cgroup file. */
static bool
valid_word(const char *s)
{
        if (!s[0])
                return false;
        for (; *s; s++) {
                if (isspace((unsigned char) *s) || !isprint((unsigned char) *s))
                        return false;
        }
        return true;
}

static int
plan_network(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "network");
        const struct jpath *pat = JPATH_KEY(at, "priorities");
        struct json_object *net = NULL, *arr = NULL;
        int64_t classid = 0;
        int r;

        r = json_get_object(res, up, "network", &net, err);
        if (r <= 0)
                return r;
        if ((r = json_get_int_range(net, at, "classID", 0, UINT32_MAX, &classid, err)) < 0)
                return r;
        section(c, "net_cls", false);
        if (classid != 0) {
                r = add(c, "net_cls", "net_cls.classid", JPATH_KEY(at, "classID"), i64(classid), 0, err);
                if (r < 0)
                        return r;
        }
        if ((r = json_get_array(net, at, "priorities", &arr, err)) <= 0)
                return r;
        section(c, "net_prio", false);
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *p = json_object_array_get_idx(arr, i);
                const struct jpath *iat = JPATH_IDX(pat, i);
                const char *name = NULL;
                int64_t prio = 0;
                if ((r = json_expect_object(p, iat, err)) < 0)
                        return r;
                if ((r = json_need_string(p, iat, "name", &name, err)) < 0)
                        return r;
                if (!valid_word(name))
                        return json_error(err, JPATH_KEY(iat, "name"), "\"%s\" is not an interface name", name);
                if ((r = json_need_int_range(p, iat, "priority", 0, UINT32_MAX, &prio, err)) < 0)
                        return r;
                r = add(c, "net_prio", "net_prio.ifpriomap", iat, xasprintf("%s %" PRId64, name, prio), 0, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int
plan_rdma(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "rdma");
        struct json_object *rdma = NULL;
        int r;

        r = json_get_object(res, up, "rdma", &rdma, err);
        if (r <= 0)
                return r;
        section(c, "rdma", true);
        json_object_object_foreach(rdma, dev, limits)
        {
                const struct jpath *dat = JPATH_KEY(at, dev);
                int64_t handles = 0, objects = 0;
                bool has_handles, has_objects;
                if ((r = json_expect_object(limits, dat, err)) < 0)
                        return r;
                if (!valid_word(dev))
                        return json_error(err, dat, "\"%s\" is not an RDMA device name", dev);
                if ((r = json_get_int_range(limits, dat, "hcaHandles", 0, UINT32_MAX, &handles, err)) < 0)
                        return r;
                has_handles = r > 0;
                if ((r = json_get_int_range(limits, dat, "hcaObjects", 0, UINT32_MAX, &objects, err)) < 0)
                        return r;
                has_objects = r > 0;
                /* rdma.max takes "<device> hca_handle=<n> hca_object=<n>" (fscommon/rdma.go). */
                cleanup_free char *h = has_handles ? xasprintf(" hca_handle=%" PRId64, handles) : xstrdup("");
                cleanup_free char *o = has_objects ? xasprintf(" hca_object=%" PRId64, objects) : xstrdup("");
                r = add(c, "rdma", "rdma.max", dat, xasprintf("%s%s%s", dev, h, o), 0, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int
plan_unified(struct plan_ctx *c, struct json_object *res, const struct jpath *up, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(up, "unified");
        struct json_object *uni = NULL;
        int r;

        r = json_get_object(res, up, "unified", &uni, err);
        if (r <= 0 || json_object_object_length(uni) == 0)
                return r;
        /* Keys are cgroup2 file names, written verbatim into the container's cgroup2 directory;
         * on a hybrid host that is the cgroup2 mount's (runc 1.1 refuses unified on any host
         * that is not unified). */
        if (!host_has_v2(c->host))
                return json_error(err, at, "this host has no cgroup v2 hierarchy");
        c->sp = SPELL_V2;
        json_object_object_foreach(uni, key, val)
        {
                const struct jpath *kat = JPATH_KEY(at, key);
                const char *value = NULL;
                const char *dot = strchr(key, '.');
                if ((r = json_value_string(val, kat, &value, err)) < 0)
                        return r;
                if (strchr(key, '/') || strstr(key, ".."))
                        return json_error(err, kat, "\"%s\" must be a file name (no \"/\" or \"..\")", key);
                if (!dot || dot == key || !dot[1])
                        return json_error(err, kat, "\"%s\" must be in the form CONTROLLER.PARAMETER", key);
                cleanup_free char *controller = xstrndup(key, (size_t) (dot - key));
                r = add(c, controller, key, kat, xstrdup(value), CGROUP_WRITE_UNIFIED, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef int (*plan_section_fn)(struct plan_ctx *c, struct json_object *res, const struct jpath *at,
                               berth_error_t **err);

/* runc's order: the fs driver's subsystems list where the host has v1 hierarchies, fs2's
 * manager.Set on a unified host; unified last either way. */
static const plan_section_fn v1_order[] = {plan_cpuset, plan_memory,  plan_cpu,  plan_pids,    plan_blkio,
                                           plan_hugetlb, plan_network, plan_rdma, plan_unified};
static const plan_section_fn v2_order[] = {plan_pids,    plan_memory, plan_blkio,  plan_cpu,    plan_cpuset,
                                           plan_hugetlb, plan_rdma,   plan_network, plan_unified};

int
cgroup_resources_plan(struct json_object *resources, const struct cgroup_host *host,
                      struct cgroup_plan *ret, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(JPATH_KEY(NULL, "linux"), "resources");
        struct cgroup_plan p = {0};
        struct plan_ctx c = {.host = host, .p = &p};
        bool unified = host->layout == CGROUP_LAYOUT_UNIFIED;
        const plan_section_fn *order = unified ? v2_order : v1_order;
        size_t n = unified ? sizeof(v2_order) / sizeof(v2_order[0]) : sizeof(v1_order) / sizeof(v1_order[0]);

        memset(ret, 0, sizeof(*ret));
        if (!resources)
                return 0;
        for (size_t i = 0; i < n; i++) {
                int r = order[i](&c, resources, at, err);
                if (r < 0) {
                        cgroup_plan_done(&p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

/* ---- apply ---- */

/* CONTROLLER in a comma-separated (v1 mount options) or space-separated (cgroup.controllers) list. */
static bool
list_has(const char *list, const char *controller, const char *seps)
{
        size_t n = strlen(controller);

        for (const char *p = list; p && *p;) {
                size_t len = strcspn(p, seps);
                if (len == n && strncmp(p, controller, n) == 0)
                        return true;
                p += len;
                p += strspn(p, seps);
        }
        return false;
}

static bool
strv_has(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++) {
                if (strcmp(v[i], s) == 0)
                        return true;
        }
        return false;
}

/* An error about W: "<json path>: <text>", with the path kept apart too. */
static int __attribute__((format(printf, 4, 5)))
write_error(berth_error_t **err, const struct cgroup_write *w, int code, const char *fmt, ...)
{
        cleanup_free char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        text = xvasprintf(fmt, ap);
        va_end(ap);
        r = berth_error_new(err, code, "%s: %s", w->json_path, text);
        if (err && *err)
                (*err)->json_path = xstrdup(w->json_path);
        return r;
}

/* Put W's JSON path in front of an error made below. */
static int
write_prefix(berth_error_t **err, const struct cgroup_write *w)
{
        int r = berth_error_prefix(err, "%s", w->json_path);

        if (err && *err && !(*err)->json_path)
                (*err)->json_path = xstrdup(w->json_path);
        return r;
}

static char *
read_trimmed(const char *dir, const char *file)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, file);
        char *buf = NULL;

        if (fs_read_file(AT_FDCWD, path, &buf, NULL, NULL) < 0)
                return NULL;
        buf[strcspn(buf, "\n")] = '\0';
        return buf;
}

static bool
exists(const char *dir, const char *file)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, file);

        return access(path, F_OK) == 0;
}

/* The index in HOST (and DIRS) of the hierarchy that holds W's file, or -1. */
static ssize_t
hierarchy_for(const struct cgroup_host *host, char *const *dirs, const struct cgroup_write *w)
{
        for (size_t h = 0; h < host->n && dirs[h]; h++) {
                if (w->v2 ? host->h[h].v2 : (!host->h[h].v2 && list_has(host->h[h].controllers, w->controller, ",")))
                        return (ssize_t) h;
        }
        return -1;
}

/* A cgroup2 controller is usable in a cgroup only once every ancestor below the root lists it in
 * cgroup.subtree_control. cgroup_create delegates every controller only on a unified host, and then
 * best effort; runc (fs2 CreateCgroupPath) and crun enable controllers on the way down, and so does
 * this, strictly, for what the plan writes (through the same cgroup_v2_enable_controllers). */
static int
enable_controller(const char *mountpoint, const char *dir, const struct cgroup_write *w, berth_error_t **err)
{
        cleanup_free char *own = read_trimmed(dir, "cgroup.controllers");
        cleanup_free char *avail = NULL;

        if (!own)
                return write_error(err, w, ENOENT, "cannot read \"%s/cgroup.controllers\"", dir);
        if (list_has(own, w->controller, " ") || strcmp(w->controller, "cgroup") == 0)
                return 0;
        avail = read_trimmed(mountpoint, "cgroup.controllers");
        if (!avail || !list_has(avail, w->controller, " ")) {
                /* A unified key's write says what is missing; it may not need a controller. */
                if (w->flags & CGROUP_WRITE_UNIFIED)
                        return 0;
                return write_error(err, w, ENOTSUP, "this host has no %s cgroup controller (the cgroup v2 hierarchy at \"%s\" offers \"%s\")",
                                   w->controller, mountpoint, avail ? avail : "");
        }
        if (cgroup_v2_enable_controllers(mountpoint, dir, (char *const[]){w->controller, NULL}, err) < 0)
                return write_prefix(err, w);
        return 0;
}

static int
enable_controllers(const struct cgroup_host *host, char *const *dirs, const struct cgroup_plan *plan,
                   berth_error_t **err)
{
        cleanup_strv char **done = NULL;

        for (size_t i = 0; i < plan->n; i++) {
                const struct cgroup_write *w = &plan->w[i];
                ssize_t h;
                int r;
                if (!w->v2 || strv_has(done, w->controller))
                        continue;
                h = hierarchy_for(host, dirs, w);
                if (h < 0)
                        return write_error(err, w, ENOTSUP, "this host has no cgroup v2 hierarchy");
                r = enable_controller(host->h[h].mountpoint, dirs[h], w, err);
                if (r < 0)
                        return r;
                strv_push(&done, w->controller);
        }
        return 0;
}

/* runc 1.2 CheckMemoryUsage: best effort, so an unreadable memory.current passes. */
static int
check_usage(const char *dir, const struct cgroup_write *w, berth_error_t **err)
{
        cleanup_free char *cur = read_trimmed(dir, "memory.current");
        long long limit = 0, swap = 0;
        unsigned long long usage;

        if (!cur || sscanf(w->value, "%lld %lld", &limit, &swap) != 2)
                return 0;
        usage = strtoull(cur, NULL, 10);
        if (swap > 0 && (unsigned long long) swap <= usage)
                return write_error(err, w, EBUSY, "rejecting memory+swap limit %lld <= usage %llu", swap, usage);
        if (limit > 0 && (unsigned long long) limit <= usage)
                return write_error(err, w, EBUSY, "rejecting memory limit %lld <= usage %llu", limit, usage);
        return 0;
}

static int
check_page_size(const struct cgroup_write *w, berth_error_t **err)
{
        const char *size = w->file + strlen("hugetlb.");
        cleanup_free char *name = xstrndup(size, strcspn(size, "."));
        cleanup_strv char **sizes = NULL;
        cleanup_free char *list = NULL;
        int r;

        r = hugetlb_page_sizes(&sizes, err);
        if (r < 0)
                return write_prefix(err, w);
        if (strv_has(sizes, name))
                return 0;
        list = strv_join(sizes, ", ");
        r = berth_error_new(err, EINVAL, "%s.pageSize: this host has no \"%s\" huge pages (it has %s)", w->json_path,
                            name, list[0] ? list : "none");
        if (err && *err)
                (*err)->json_path = xasprintf("%s.pageSize", w->json_path);
        return r;
}

/* A whole number in DIR's FILE, or -1 for "max", a missing file or anything else. */
static long long
read_number(const char *dir, const char *file)
{
        cleanup_free char *v = read_trimmed(dir, file);
        char *end = NULL;
        long long n;

        if (!v || v[0] < '0' || v[0] > '9')
                return -1;
        errno = 0;
        n = strtoll(v, &end, 10);
        return errno || *end ? -1 : n;
}

/* The swap.max of a CGROUP_WRITE_SWAP_TOTAL or _KEEP write, from the current memory.max (and
 * swap.max): runc's conversion with the limit of its saved config, which is what the kernel has.
 * Returns 1 when there is nothing to write. */
static int
v2_swap_value(const char *dir, const struct cgroup_write *w, char **ret, berth_error_t **err)
{
        long long want = strtoll(w->value, NULL, 10);
        long long limit = read_number(dir, "memory.max");

        if (w->flags & CGROUP_WRITE_SWAP_TOTAL) {
                if (limit < 0)
                        return write_error(err, w, EINVAL, "a swap limit needs a memory limit on cgroup v2");
                if (want < limit)
                        return write_error(err, w, EINVAL, "memory+swap limit %lld is below the memory limit %lld",
                                           want, limit);
                *ret = xasprintf("%lld", want - limit);
                return 0;
        }
        /* CGROUP_WRITE_SWAP_KEEP: VALUE is the new limit; without a numeric limit and swap.max
         * there is no memory+swap to keep. */
        long long swap = read_number(dir, "memory.swap.max");
        if (limit < 0 || swap < 0)
                return 1;
        if (want > limit + swap)
                return write_error(err, w, EINVAL, "memory limit %lld is above the memory+swap limit %lld", want,
                                   limit + swap);
        *ret = xasprintf("%lld", limit + swap - want);
        return 0;
}

/* io.bfq.weight lists per-device weights since Linux 5.4; before, it holds one number. */
static bool
bfq_device_weights(const char *dir)
{
        cleanup_free char *v = read_trimmed(dir, "io.bfq.weight");

        return v && v[strspn(v, "0123456789")] != '\0';
}

/* Write W into its directory. Returns 1 when an EINVAL was deferred (MAY_DEFER and the flag). */
static int
write_one(const struct cgroup_host *host, char *const *dirs, const struct cgroup_write *w, bool may_defer,
          berth_error_t **err)
{
        ssize_t h = hierarchy_for(host, dirs, w);
        cleanup_free char *path = NULL;
        cleanup_free char *value = NULL;
        cleanup_error berth_error_t *e = NULL;
        const char *dir;
        int r;

        if (h < 0)
                return write_error(err, w, ENOTSUP, "this host has no %s cgroup controller to write \"%s\"",
                                   w->v2 ? "cgroup v2" : w->controller, w->file);
        dir = dirs[h];
        if (w->flags & CGROUP_WRITE_CHECK_USAGE)
                return check_usage(dir, w, err);
        if ((w->flags & CGROUP_WRITE_PAGESIZE) && (r = check_page_size(w, err)) < 0)
                return r;
        path = xasprintf("%s/%s", dir, w->file);
        value = xstrdup(w->value);
        if (access(path, F_OK) < 0 && errno == ENOENT) {
                if (w->alt_file) {
                        if (!exists(dir, w->alt_file))
                                return write_error(err, w, ENOENT, "neither \"%s\" nor \"%s\" exists in \"%s\"", w->file,
                                                   w->alt_file, dir);
                        free(path);
                        path = xasprintf("%s/%s", dir, w->alt_file);
                        if (w->alt_value) {
                                free(value);
                                value = xstrdup(w->alt_value);
                        }
                } else if (w->flags & CGROUP_WRITE_OPTIONAL) {
                        return 0;
                }
        }
        if ((w->flags & CGROUP_WRITE_BFQ_DEVICE) && !bfq_device_weights(dir))
                return 0;
        if (w->flags & (CGROUP_WRITE_SWAP_TOTAL | CGROUP_WRITE_SWAP_KEEP)) {
                free(value);
                value = NULL;
                r = v2_swap_value(dir, w, &value, err);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        if (w->flags & CGROUP_WRITE_KEEP_QUOTA) {
                cleanup_free char *cur = read_trimmed(dir, "cpu.max");
                const char *quota = cur && cur[0] ? cur : "max";
                char *v = xasprintf("%.*s %s", (int) strcspn(quota, " "), quota, w->value);
                free(value);
                value = v;
        }
        r = fs_write_file(AT_FDCWD, path, value, strlen(value), &e);
        if (r == -EINVAL && may_defer && (w->flags & CGROUP_WRITE_DEFER_EINVAL))
                return 1;
        if (r == -EBUSY && (w->flags & CGROUP_WRITE_USAGE_EBUSY)) {
                /* runc fs/memory.go setMemory: below the usage, say what the usage is. */
                cleanup_free char *usage = read_trimmed(dir, "memory.usage_in_bytes");
                cleanup_free char *peak = read_trimmed(dir, "memory.max_usage_in_bytes");
                return write_error(err, w, EBUSY, "unable to set memory limit to %s (current usage: %s, peak usage: %s)",
                                   w->value, usage ? usage : "?", peak ? peak : "?");
        }
        if (r == -ENOENT && (w->flags & CGROUP_WRITE_UNIFIED)) {
                /* runc fs2 setUnified's message */
                cleanup_free char *own = read_trimmed(dir, "cgroup.controllers");
                if (strcmp(w->controller, "cgroup") != 0 && !(own && list_has(own, w->controller, " ")))
                        return write_error(err, w, ENOTSUP, "unified resource \"%s\" can't be set: controller \"%s\" not available",
                                           w->file, w->controller);
        }
        if (r < 0) {
                *err = TAKE_PTR(e);
                return write_prefix(err, w);
        }
        if (w->flags & CGROUP_WRITE_READBACK) {
                /* runc fs/cpu.go: the kernel clamps cpu.shares to [2, 262144] without an error. */
                cleanup_free char *back = read_trimmed(dir, w->file);
                unsigned long long want = strtoull(w->value, NULL, 10), got = back ? strtoull(back, NULL, 10) : want;
                if (want > got)
                        return write_error(err, w, EINVAL, "the maximum allowed cpu-shares is %llu", got);
                if (want < got)
                        return write_error(err, w, EINVAL, "the minimum allowed cpu-shares is %llu", got);
        }
        return 0;
}

/* runc fs/memory.go setMemoryAndSwap: with both limits, raising goes swap first and lowering
 * memory first, or the kernel refuses memory > memory+swap in between. */
static int
write_memory_and_swap(const struct cgroup_host *host, char *const *dirs, const struct cgroup_write *mem,
                      const struct cgroup_write *swap, berth_error_t **err)
{
        ssize_t h = hierarchy_for(host, dirs, mem);
        cleanup_free char *cur = h >= 0 ? read_trimmed(dirs[h], "memory.limit_in_bytes") : NULL;
        long long want_swap = strtoll(swap->value, NULL, 10);
        bool swap_first = want_swap == -1 || (cur && strtoull(cur, NULL, 10) < (unsigned long long) want_swap);
        int r;

        r = write_one(host, dirs, swap_first ? swap : mem, false, err);
        if (r < 0)
                return r;
        return write_one(host, dirs, swap_first ? mem : swap, false, err);
}

int
cgroup_resources_apply(const struct cgroup_host *host, char *const *dirs, const struct cgroup_plan *plan,
                       berth_error_t **err)
{
        cleanup_free const struct cgroup_write **deferred = NULL;
        size_t n_deferred = 0;
        int r;

        r = enable_controllers(host, dirs, plan, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < plan->n; i++) {
                const struct cgroup_write *w = &plan->w[i];
                if ((w->flags & CGROUP_WRITE_SWAP_ORDER) && i + 1 < plan->n) {
                        r = write_memory_and_swap(host, dirs, w, &plan->w[i + 1], err);
                        i++;
                } else {
                        r = write_one(host, dirs, w, true, err);
                }
                if (r < 0)
                        return r;
                if (r == 1) {
                        deferred = xreallocarray(deferred, n_deferred + 1, sizeof(*deferred));
                        deferred[n_deferred++] = w;
                        continue;
                }
                if (w->flags & CGROUP_WRITE_DEFER_EINVAL)
                        continue;
                /* The write the deferred ones waited for is done: retry them now. */
                for (size_t d = 0; d < n_deferred; d++) {
                        r = write_one(host, dirs, deferred[d], false, err);
                        if (r < 0)
                                return r;
                }
                n_deferred = 0;
        }
        for (size_t d = 0; d < n_deferred; d++) {
                r = write_one(host, dirs, deferred[d], false, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
