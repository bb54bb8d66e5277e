/* supervisor/tasks/metrics.c: see metrics.h. Field names and units are dockerd 20.10's
 * (daemon/daemon_unix.go statsV1/statsV2 behaviour): ns for cpu, bytes for memory. */
#include <config.h>

#include "supervisor/tasks/metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cgroups/v1/metrics.pb-c.h"
#include "cgroups/v2/metrics.pb-c.h"
#include "lib/cleanup.h"

#define TYPE_V1 "io.containerd.cgroups.v1.Metrics"
#define TYPE_V2 "io.containerd.cgroups.v2.Metrics"

static void
add_u64(struct json_object *o, const char *k, uint64_t v)
{
        json_object_object_add(o, k, json_object_new_uint64(v));
}

static struct json_object *
throttling(uint64_t periods, uint64_t throttled, uint64_t time_ns)
{
        struct json_object *t = json_object_new_object();
        add_u64(t, "periods", periods);
        add_u64(t, "throttled_periods", throttled);
        add_u64(t, "throttled_time", time_ns);
        return t;
}

static const char *const blkio_keys[] = {
        "io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive",
        "io_service_time_recursive",  "io_wait_time_recursive", "io_merged_recursive",
        "io_time_recursive",          "sectors_recursive",      NULL};

/* Every list null, as Go encodes a nil slice. */
static struct json_object *
blkio_null(void)
{
        struct json_object *b = json_object_new_object();
        for (size_t i = 0; blkio_keys[i]; i++)
                json_object_object_add(b, blkio_keys[i], NULL);
        return b;
}

static struct json_object *
blkio_entry(uint64_t major, uint64_t minor, const char *op, uint64_t value)
{
        struct json_object *e = json_object_new_object();
        add_u64(e, "major", major);
        add_u64(e, "minor", minor);
        json_object_object_add(e, "op", json_object_new_string(op));
        add_u64(e, "value", value);
        return e;
}

static struct json_object *
blkio_v1_list(Io__Containerd__Cgroups__V1__BlkIOEntry **v, size_t n)
{
        if (n == 0)
                return NULL;
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, blkio_entry(v[i]->major, v[i]->minor,
                                                     v[i]->op ? v[i]->op : "", v[i]->value));
        return a;
}

static uint64_t
cap_limit(uint64_t limit, uint64_t machine_memory)
{
        if (machine_memory > 0 && limit > machine_memory)
                return machine_memory;
        return limit;
}

static void
convert_v1(const Io__Containerd__Cgroups__V1__Metrics *m, uint64_t machine_memory,
           struct json_object *out)
{
        struct json_object *pids = json_object_new_object();
        struct json_object *cpu = json_object_new_object(), *usage = json_object_new_object();
        struct json_object *mem = json_object_new_object();
        struct json_object *blkio;

        if (m->pids) {
                add_u64(pids, "current", m->pids->current);
                if (m->pids->limit)
                        add_u64(pids, "limit", m->pids->limit);
        }
        json_object_object_add(out, "pids_stats", pids);

        if (m->blkio) {
                const Io__Containerd__Cgroups__V1__BlkIOStat *b = m->blkio;
                blkio = json_object_new_object();
                json_object_object_add(blkio, blkio_keys[0],
                                       blkio_v1_list(b->io_service_bytes_recursive,
                                                     b->n_io_service_bytes_recursive));
                json_object_object_add(blkio, blkio_keys[1],
                                       blkio_v1_list(b->io_serviced_recursive,
                                                     b->n_io_serviced_recursive));
                json_object_object_add(blkio, blkio_keys[2],
                                       blkio_v1_list(b->io_queued_recursive,
                                                     b->n_io_queued_recursive));
                json_object_object_add(blkio, blkio_keys[3],
                                       blkio_v1_list(b->io_service_time_recursive,
                                                     b->n_io_service_time_recursive));
                json_object_object_add(blkio, blkio_keys[4],
                                       blkio_v1_list(b->io_wait_time_recursive,
                                                     b->n_io_wait_time_recursive));
                json_object_object_add(blkio, blkio_keys[5],
                                       blkio_v1_list(b->io_merged_recursive,
                                                     b->n_io_merged_recursive));
                json_object_object_add(blkio, blkio_keys[6],
                                       blkio_v1_list(b->io_time_recursive,
                                                     b->n_io_time_recursive));
                json_object_object_add(blkio, blkio_keys[7],
                                       blkio_v1_list(b->sectors_recursive,
                                                     b->n_sectors_recursive));
        } else {
                blkio = blkio_null();
        }
        json_object_object_add(out, "blkio_stats", blkio);

        if (m->cpu && m->cpu->usage) {
                const Io__Containerd__Cgroups__V1__CPUUsage *u = m->cpu->usage;
                add_u64(usage, "total_usage", u->total);
                if (u->n_per_cpu > 0) {
                        struct json_object *per = json_object_new_array();
                        for (size_t i = 0; i < u->n_per_cpu; i++)
                                json_object_array_add(per, json_object_new_uint64(u->per_cpu[i]));
                        json_object_object_add(usage, "percpu_usage", per);
                }
                add_u64(usage, "usage_in_kernelmode", u->kernel);
                add_u64(usage, "usage_in_usermode", u->user);
        } else {
                add_u64(usage, "total_usage", 0);
                add_u64(usage, "usage_in_kernelmode", 0);
                add_u64(usage, "usage_in_usermode", 0);
        }
        json_object_object_add(cpu, "cpu_usage", usage);
        if (m->cpu && m->cpu->throttling)
                json_object_object_add(cpu, "throttling_data",
                                       throttling(m->cpu->throttling->periods,
                                                  m->cpu->throttling->throttled_periods,
                                                  m->cpu->throttling->throttled_time));
        else
                json_object_object_add(cpu, "throttling_data", throttling(0, 0, 0));
        json_object_object_add(out, "cpu_stats", cpu);

        if (m->memory) {
                const Io__Containerd__Cgroups__V1__MemoryStat *s = m->memory;
                struct json_object *st = json_object_new_object();
                add_u64(st, "active_anon", s->active_anon);
                add_u64(st, "active_file", s->active_file);
                add_u64(st, "cache", s->cache);
                add_u64(st, "dirty", s->dirty);
                add_u64(st, "hierarchical_memory_limit", s->hierarchical_memory_limit);
                add_u64(st, "hierarchical_memsw_limit", s->hierarchical_swap_limit);
                add_u64(st, "inactive_anon", s->inactive_anon);
                add_u64(st, "inactive_file", s->inactive_file);
                add_u64(st, "mapped_file", s->mapped_file);
                add_u64(st, "pgfault", s->pg_fault);
                add_u64(st, "pgmajfault", s->pg_maj_fault);
                add_u64(st, "pgpgin", s->pg_pg_in);
                add_u64(st, "pgpgout", s->pg_pg_out);
                add_u64(st, "rss", s->rss);
                add_u64(st, "rss_huge", s->rss_huge);
                add_u64(st, "total_active_anon", s->total_active_anon);
                add_u64(st, "total_active_file", s->total_active_file);
                add_u64(st, "total_cache", s->total_cache);
                add_u64(st, "total_dirty", s->total_dirty);
                add_u64(st, "total_inactive_anon", s->total_inactive_anon);
                add_u64(st, "total_inactive_file", s->total_inactive_file);
                add_u64(st, "total_mapped_file", s->total_mapped_file);
                add_u64(st, "total_pgfault", s->total_pg_fault);
                add_u64(st, "total_pgmajfault", s->total_pg_maj_fault);
                add_u64(st, "total_pgpgin", s->total_pg_pg_in);
                add_u64(st, "total_pgpgout", s->total_pg_pg_out);
                add_u64(st, "total_rss", s->total_rss);
                add_u64(st, "total_rss_huge", s->total_rss_huge);
                add_u64(st, "total_unevictable", s->total_unevictable);
                add_u64(st, "total_writeback", s->total_writeback);
                add_u64(st, "unevictable", s->unevictable);
                add_u64(st, "writeback", s->writeback);
                if (s->usage) {
                        add_u64(mem, "usage", s->usage->usage);
                        add_u64(mem, "max_usage", s->usage->max);
                }
                json_object_object_add(mem, "stats", st);
                if (s->usage) {
                        add_u64(mem, "failcnt", s->usage->failcnt);
                        add_u64(mem, "limit", cap_limit(s->usage->limit, machine_memory));
                }
        }
        json_object_object_add(out, "memory_stats", mem);
}

static void
convert_v2(const Io__Containerd__Cgroups__V2__Metrics *m, uint64_t machine_memory,
           struct json_object *out)
{
        struct json_object *pids = json_object_new_object();
        struct json_object *cpu = json_object_new_object(), *usage = json_object_new_object();
        struct json_object *mem = json_object_new_object();
        struct json_object *blkio = blkio_null();

        if (m->pids) {
                add_u64(pids, "current", m->pids->current);
                if (m->pids->limit)
                        add_u64(pids, "limit", m->pids->limit);
        }
        json_object_object_add(out, "pids_stats", pids);

        if (m->io && m->io->n_usage > 0) {
                struct json_object *bytes = json_object_new_array();
                struct json_object *ios = json_object_new_array();
                for (size_t i = 0; i < m->io->n_usage; i++) {
                        const Io__Containerd__Cgroups__V2__IOEntry *e = m->io->usage[i];
                        json_object_array_add(bytes,
                                              blkio_entry(e->major, e->minor, "read", e->rbytes));
                        json_object_array_add(bytes,
                                              blkio_entry(e->major, e->minor, "write", e->wbytes));
                        json_object_array_add(ios,
                                              blkio_entry(e->major, e->minor, "read", e->rios));
                        json_object_array_add(ios,
                                              blkio_entry(e->major, e->minor, "write", e->wios));
                }
                json_object_object_add(blkio, blkio_keys[0], bytes);
                json_object_object_add(blkio, blkio_keys[1], ios);
        }
        json_object_object_add(out, "blkio_stats", blkio);

        if (m->cpu) {
                add_u64(usage, "total_usage", m->cpu->usage_usec * 1000);
                add_u64(usage, "usage_in_kernelmode", m->cpu->system_usec * 1000);
                add_u64(usage, "usage_in_usermode", m->cpu->user_usec * 1000);
                json_object_object_add(cpu, "cpu_usage", usage);
                json_object_object_add(cpu, "throttling_data",
                                       throttling(m->cpu->nr_periods, m->cpu->nr_throttled,
                                                  m->cpu->throttled_usec * 1000));
        } else {
                add_u64(usage, "total_usage", 0);
                add_u64(usage, "usage_in_kernelmode", 0);
                add_u64(usage, "usage_in_usermode", 0);
                json_object_object_add(cpu, "cpu_usage", usage);
                json_object_object_add(cpu, "throttling_data", throttling(0, 0, 0));
        }
        json_object_object_add(out, "cpu_stats", cpu);

        if (m->memory) {
                const Io__Containerd__Cgroups__V2__MemoryStat *s = m->memory;
                struct json_object *st = json_object_new_object();
                add_u64(st, "active_anon", s->active_anon);
                add_u64(st, "active_file", s->active_file);
                add_u64(st, "anon", s->anon);
                add_u64(st, "anon_thp", s->anon_thp);
                add_u64(st, "file", s->file);
                add_u64(st, "file_dirty", s->file_dirty);
                add_u64(st, "file_mapped", s->file_mapped);
                add_u64(st, "file_writeback", s->file_writeback);
                add_u64(st, "inactive_anon", s->inactive_anon);
                add_u64(st, "inactive_file", s->inactive_file);
                add_u64(st, "kernel_stack", s->kernel_stack);
                add_u64(st, "pgactivate", s->pgactivate);
                add_u64(st, "pgdeactivate", s->pgdeactivate);
                add_u64(st, "pgfault", s->pgfault);
                add_u64(st, "pglazyfree", s->pglazyfree);
                add_u64(st, "pglazyfreed", s->pglazyfreed);
                add_u64(st, "pgmajfault", s->pgmajfault);
                add_u64(st, "pgrefill", s->pgrefill);
                add_u64(st, "pgscan", s->pgscan);
                add_u64(st, "pgsteal", s->pgsteal);
                add_u64(st, "shmem", s->shmem);
                add_u64(st, "slab", s->slab);
                add_u64(st, "slab_reclaimable", s->slab_reclaimable);
                add_u64(st, "slab_unreclaimable", s->slab_unreclaimable);
                add_u64(st, "sock", s->sock);
                add_u64(st, "thp_collapse_alloc", s->thp_collapse_alloc);
                add_u64(st, "thp_fault_alloc", s->thp_fault_alloc);
                add_u64(st, "unevictable", s->unevictable);
                add_u64(st, "workingset_activate", s->workingset_activate);
                add_u64(st, "workingset_nodereclaim", s->workingset_nodereclaim);
                add_u64(st, "workingset_refault", s->workingset_refault);
                add_u64(mem, "usage", s->usage);
                json_object_object_add(mem, "stats", st);
                add_u64(mem, "limit", cap_limit(s->usage_limit, machine_memory));
        }
        json_object_object_add(out, "memory_stats", mem);
}

int
task_metrics_to_docker(const char *type_url, const uint8_t *data, size_t len,
                       uint64_t machine_memory, struct json_object *out, berth_error_t **err)
{
        const char *slash = type_url ? strrchr(type_url, '/') : NULL;
        const char *type = slash ? slash + 1 : (type_url ? type_url : "");

        if (strcmp(type, TYPE_V1) == 0) {
                Io__Containerd__Cgroups__V1__Metrics *m =
                        io__containerd__cgroups__v1__metrics__unpack(NULL, len, data);
                if (m == NULL)
                        return berth_error_new(err, EINVAL, "stats: %s does not decode", type);
                convert_v1(m, machine_memory, out);
                io__containerd__cgroups__v1__metrics__free_unpacked(m, NULL);
                return 0;
        }
        if (strcmp(type, TYPE_V2) == 0) {
                Io__Containerd__Cgroups__V2__Metrics *m =
                        io__containerd__cgroups__v2__metrics__unpack(NULL, len, data);
                if (m == NULL)
                        return berth_error_new(err, EINVAL, "stats: %s does not decode", type);
                convert_v2(m, machine_memory, out);
                io__containerd__cgroups__v2__metrics__free_unpacked(m, NULL);
                return 0;
        }
        return berth_error_new(err, EINVAL, "stats: unknown metrics type \"%s\"", type);
}

static struct json_object *
cpu_zero(void)
{
        struct json_object *cpu = json_object_new_object(), *usage = json_object_new_object();
        add_u64(usage, "total_usage", 0);
        add_u64(usage, "usage_in_kernelmode", 0);
        add_u64(usage, "usage_in_usermode", 0);
        json_object_object_add(cpu, "cpu_usage", usage);
        json_object_object_add(cpu, "throttling_data", throttling(0, 0, 0));
        return cpu;
}

struct json_object *
task_metrics_docker_zero(const char *name, const char *id)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "read", json_object_new_string("0001-01-01T00:00:00Z"));
        json_object_object_add(o, "preread", json_object_new_string("0001-01-01T00:00:00Z"));
        json_object_object_add(o, "pids_stats", json_object_new_object());
        json_object_object_add(o, "blkio_stats", blkio_null());
        json_object_object_add(o, "num_procs", json_object_new_int(0));
        json_object_object_add(o, "storage_stats", json_object_new_object());
        json_object_object_add(o, "cpu_stats", cpu_zero());
        json_object_object_add(o, "precpu_stats", cpu_zero());
        json_object_object_add(o, "memory_stats", json_object_new_object());
        json_object_object_add(o, "name", json_object_new_string(name ? name : ""));
        json_object_object_add(o, "id", json_object_new_string(id ? id : ""));
        return o;
}

int
task_metrics_system_cpu(const char *proc_stat, long ticks_per_sec, uint64_t *ret_ns,
                        uint32_t *ret_online, berth_error_t **err)
{
        const char *p = proc_stat;
        bool found = false;
        uint64_t total = 0;
        uint32_t online = 0;

        while (p && *p) {
                const char *eol = strchr(p, '\n');
                if (strncmp(p, "cpu ", 4) == 0) {
                        const char *q = p + 4;
                        found = true;
                        for (int i = 0; i < 7; i++) {
                                char *end;
                                unsigned long long v = strtoull(q, &end, 10);
                                if (end == q)
                                        break;
                                total += v;
                                q = end;
                        }
                } else if (strncmp(p, "cpu", 3) == 0 && p[3] >= '0' && p[3] <= '9') {
                        online++;
                }
                p = eol ? eol + 1 : NULL;
        }
        if (!found || ticks_per_sec <= 0)
                return berth_error_new(err, EINVAL, "/proc/stat: no cpu line");
        *ret_ns = total * (1000000000ULL / (uint64_t) ticks_per_sec);
        *ret_online = online;
        return 0;
}
