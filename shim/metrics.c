/* shim/metrics.c: see metrics.h. */
#include "shim/metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include <json-c/json.h>

#include "cgroups/v1/metrics.pb.h"
#include "cgroups/v2/metrics.pb.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "proto/nano_callbacks.h"

#ifndef CGROUP2_SUPER_MAGIC
#        define CGROUP2_SUPER_MAGIC 0x63677270
#endif

bool
shim_metrics_host_v2(void)
{
        struct statfs sfs;

        return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static struct json_object *
jget(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (!o || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

static uint64_t
ju(struct json_object *o, const char *key)
{
        struct json_object *v = jget(o, key);

        return v ? (uint64_t) json_object_get_int64(v) : 0;
}

static void
memory_entry(struct json_object *o, io_containerd_cgroups_v1_MemoryEntry *e, bool *has)
{
        if (!o)
                return;
        *has = true;
        e->limit = ju(o, "limit");
        e->usage = ju(o, "usage");
        e->max = ju(o, "max");
        e->failcnt = ju(o, "failcnt");
}

static int
metrics_v1(struct json_object *data, uint8_t **ret_buf, size_t *ret_len, berth_error_t **err)
{
        io_containerd_cgroups_v1_Metrics *m = xmalloc(sizeof(*m));
        struct json_object *cpu = jget(data, "cpu"), *mem = jget(data, "memory"),
                           *pids = jget(data, "pids");
        uint64_t *percpu = NULL;
        struct nano_u64s pc = {0};
        int r;

        *m = (io_containerd_cgroups_v1_Metrics) io_containerd_cgroups_v1_Metrics_init_zero;
        if (pids) {
                m->has_pids = true;
                m->pids.current = ju(pids, "current");
                m->pids.limit = ju(pids, "limit");
        }
        if (cpu) {
                struct json_object *u = jget(cpu, "usage"), *t = jget(cpu, "throttling"),
                                   *p = jget(u, "percpu");
                m->has_cpu = true;
                m->cpu.has_usage = true;
                m->cpu.usage.total = ju(u, "total");
                m->cpu.usage.kernel = ju(u, "kernel");
                m->cpu.usage.user = ju(u, "user");
                if (p && json_object_is_type(p, json_type_array)) {
                        pc.n = json_object_array_length(p);
                        percpu = xmalloc((pc.n ? pc.n : 1) * sizeof(*percpu));
                        for (size_t i = 0; i < pc.n; i++)
                                percpu[i] = (uint64_t) json_object_get_int64(
                                        json_object_array_get_idx(p, i));
                        pc.v = percpu;
                        m->cpu.usage.per_cpu.funcs.encode = nano_encode_packed_u64;
                        m->cpu.usage.per_cpu.arg = &pc;
                }
                if (t) {
                        m->cpu.has_throttling = true;
                        m->cpu.throttling.periods = ju(t, "periods");
                        m->cpu.throttling.throttled_periods = ju(t, "throttledPeriods");
                        m->cpu.throttling.throttled_time = ju(t, "throttledTime");
                }
        }
        if (mem) {
                struct json_object *raw = jget(mem, "raw");
                io_containerd_cgroups_v1_MemoryStat *ms = &m->memory;
                m->has_memory = true;
                ms->cache = ju(mem, "cache");
                ms->rss = ju(raw, "rss");
                ms->rss_huge = ju(raw, "rss_huge");
                ms->mapped_file = ju(raw, "mapped_file");
                ms->dirty = ju(raw, "dirty");
                ms->writeback = ju(raw, "writeback");
                ms->pg_pg_in = ju(raw, "pgpgin");
                ms->pg_pg_out = ju(raw, "pgpgout");
                ms->pg_fault = ju(raw, "pgfault");
                ms->pg_maj_fault = ju(raw, "pgmajfault");
                ms->inactive_anon = ju(raw, "inactive_anon");
                ms->active_anon = ju(raw, "active_anon");
                ms->inactive_file = ju(raw, "inactive_file");
                ms->active_file = ju(raw, "active_file");
                ms->unevictable = ju(raw, "unevictable");
                ms->hierarchical_memory_limit = ju(raw, "hierarchical_memory_limit");
                ms->hierarchical_swap_limit = ju(raw, "hierarchical_memsw_limit");
                ms->total_cache = ju(raw, "total_cache");
                ms->total_rss = ju(raw, "total_rss");
                ms->total_rss_huge = ju(raw, "total_rss_huge");
                ms->total_mapped_file = ju(raw, "total_mapped_file");
                ms->total_dirty = ju(raw, "total_dirty");
                ms->total_writeback = ju(raw, "total_writeback");
                ms->total_pg_pg_in = ju(raw, "total_pgpgin");
                ms->total_pg_pg_out = ju(raw, "total_pgpgout");
                ms->total_pg_fault = ju(raw, "total_pgfault");
                ms->total_pg_maj_fault = ju(raw, "total_pgmajfault");
                ms->total_inactive_anon = ju(raw, "total_inactive_anon");
                ms->total_active_anon = ju(raw, "total_active_anon");
                ms->total_inactive_file = ju(raw, "total_inactive_file");
                ms->total_active_file = ju(raw, "total_active_file");
                ms->total_unevictable = ju(raw, "total_unevictable");
                memory_entry(jget(mem, "usage"), &ms->usage, &ms->has_usage);
                memory_entry(jget(mem, "swap"), &ms->swap, &ms->has_swap);
                memory_entry(jget(mem, "kernel"), &ms->kernel, &ms->has_kernel);
                memory_entry(jget(mem, "kernelTCP"), &ms->kernel_tcp, &ms->has_kernel_tcp);
        }
        r = nano_encode(io_containerd_cgroups_v1_Metrics_fields, m, ret_buf, ret_len, err);
        free(percpu);
        free(m);
        return r;
}

/* v2 hosts: runc's JSON keeps v1's shape (cpu usage in ns; memory.stat keys in raw). */
static int
metrics_v2(struct json_object *data, uint8_t **ret_buf, size_t *ret_len, berth_error_t **err)
{
        io_containerd_cgroups_v2_Metrics *m = xmalloc(sizeof(*m));
        struct json_object *cpu = jget(data, "cpu"), *mem = jget(data, "memory"),
                           *pids = jget(data, "pids");
        int r;

        *m = (io_containerd_cgroups_v2_Metrics) io_containerd_cgroups_v2_Metrics_init_zero;
        if (pids) {
                m->has_pids = true;
                m->pids.current = ju(pids, "current");
                m->pids.limit = ju(pids, "limit");
        }
        if (cpu) {
                struct json_object *u = jget(cpu, "usage"), *t = jget(cpu, "throttling");
                m->has_cpu = true;
                m->cpu.usage_usec = ju(u, "total") / 1000;
                m->cpu.user_usec = ju(u, "user") / 1000;
                m->cpu.system_usec = ju(u, "kernel") / 1000;
                m->cpu.nr_periods = ju(t, "periods");
                m->cpu.nr_throttled = ju(t, "throttledPeriods");
                m->cpu.throttled_usec = ju(t, "throttledTime") / 1000;
        }
        if (mem) {
                struct json_object *raw = jget(mem, "raw"), *usage = jget(mem, "usage"),
                                   *swap = jget(mem, "swap");
                io_containerd_cgroups_v2_MemoryStat *ms = &m->memory;
                m->has_memory = true;
                ms->anon = ju(raw, "anon");
                ms->file = ju(raw, "file");
                ms->kernel_stack = ju(raw, "kernel_stack");
                ms->slab = ju(raw, "slab");
                ms->sock = ju(raw, "sock");
                ms->shmem = ju(raw, "shmem");
                ms->file_mapped = ju(raw, "file_mapped");
                ms->file_dirty = ju(raw, "file_dirty");
                ms->file_writeback = ju(raw, "file_writeback");
                ms->anon_thp = ju(raw, "anon_thp");
                ms->inactive_anon = ju(raw, "inactive_anon");
                ms->active_anon = ju(raw, "active_anon");
                ms->inactive_file = ju(raw, "inactive_file");
                ms->active_file = ju(raw, "active_file");
                ms->unevictable = ju(raw, "unevictable");
                ms->slab_reclaimable = ju(raw, "slab_reclaimable");
                ms->slab_unreclaimable = ju(raw, "slab_unreclaimable");
                ms->pgfault = ju(raw, "pgfault");
                ms->pgmajfault = ju(raw, "pgmajfault");
                ms->usage = ju(usage, "usage");
                ms->usage_limit = ju(usage, "limit");
                ms->swap_usage = ju(swap, "usage");
                ms->swap_limit = ju(swap, "limit");
        }
        r = nano_encode(io_containerd_cgroups_v2_Metrics_fields, m, ret_buf, ret_len, err);
        free(m);
        return r;
}

int
shim_metrics_from_stats_json(const char *json, bool v2, const char **ret_type_url,
                             uint8_t **ret_buf, size_t *ret_len, berth_error_t **err)
{
        cleanup_json struct json_object *o = NULL;
        int r;

        r = json_parse_buffer(json, strlen(json), &o, err);
        if (r < 0)
                return berth_error_prefix(err, "stats");
        struct json_object *data = jget(o, "data");
        if (!data || !json_object_is_type(data, json_type_object))
                return berth_error_new(err, EIO, "stats: the runtime's events output has no data");
        *ret_type_url =
                v2 ? "io.containerd.cgroups.v2.Metrics" : "io.containerd.cgroups.v1.Metrics";
        return v2 ? metrics_v2(data, ret_buf, ret_len, err)
                  : metrics_v1(data, ret_buf, ret_len, err);
}
