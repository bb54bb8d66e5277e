/* runtime/linux/cgroup_stats.c: cpu, memory, pids and blkio usage; v1 and v2 spell it apart. */
#include <config.h>

#include "runtime/linux/cgroup_stats.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/xalloc.h"

uint64_t
cgroup_keyed_value(const char *text, const char *key)
{
        size_t n = strlen(key);

        for (const char *p = text; p && *p;) {
                if (strncmp(p, key, n) == 0 && p[n] == ' ')
                        return strtoull(p + n + 1, NULL, 10);
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return 0;
}

/* The contents of FILE in the first of DIRS that has it, or NULL. */
static char *
read_any(char *const *dirs, const char *file)
{
        for (size_t i = 0; dirs && dirs[i]; i++) {
                cleanup_free char *p = xasprintf("%s/%s", dirs[i], file);
                char *buf = NULL;
                if (fs_read_file(AT_FDCWD, p, &buf, NULL, NULL) == 0)
                        return buf;
        }
        return NULL;
}

static uint64_t
num(const char *s)
{
        if (!s)
                return 0;
        if (strncmp(s, "max", 3) == 0)
                return UINT64_MAX;
        return strtoull(s, NULL, 10);
}

static struct json_object *
u64(uint64_t v)
{
        return json_object_new_uint64(v);
}

static struct json_object *
memory_entry(uint64_t usage, uint64_t max, uint64_t failcnt, uint64_t limit)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "limit", u64(limit));
        json_object_object_add(o, "usage", u64(usage));
        json_object_object_add(o, "max", u64(max));
        json_object_object_add(o, "failcnt", u64(failcnt));
        return o;
}

static struct json_object *
raw_stat(const char *text)
{
        struct json_object *o = json_object_new_object();
        cleanup_free char *copy = xstrdup(text ? text : "");
        char *save = NULL;

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(line, ' ');
                if (!sp)
                        continue;
                *sp = '\0';
                json_object_object_add(o, line, u64(strtoull(sp + 1, NULL, 10)));
        }
        return o;
}

static void
add_cpu(struct json_object *data, char *const *dirs)
{
        struct json_object *cpu = json_object_new_object();
        struct json_object *usage = json_object_new_object();
        struct json_object *thr = json_object_new_object();
        struct json_object *percpu = json_object_new_array();
        cleanup_free char *v1_total = read_any(dirs, "cpuacct.usage");
        cleanup_free char *cpustat = read_any(dirs, "cpu.stat");

        if (v1_total) {
                cleanup_free char *per = read_any(dirs, "cpuacct.usage_percpu");
                cleanup_free char *st = read_any(dirs, "cpuacct.stat");
                long hz = sysconf(_SC_CLK_TCK);
                uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t) hz : 10000000ULL;
                char *save = NULL;
                for (char *t = per ? strtok_r(per, " \n", &save) : NULL; t; t = strtok_r(NULL, " \n", &save))
                        json_object_array_add(percpu, u64(strtoull(t, NULL, 10)));
                json_object_object_add(usage, "total", u64(num(v1_total)));
                json_object_object_add(usage, "kernel", u64(cgroup_keyed_value(st, "system") * ns_per_tick));
                json_object_object_add(usage, "user", u64(cgroup_keyed_value(st, "user") * ns_per_tick));
                json_object_object_add(thr, "periods", u64(cgroup_keyed_value(cpustat, "nr_periods")));
                json_object_object_add(thr, "throttledPeriods", u64(cgroup_keyed_value(cpustat, "nr_throttled")));
                json_object_object_add(thr, "throttledTime", u64(cgroup_keyed_value(cpustat, "throttled_time")));
        } else {
                /* v2: microseconds in cpu.stat */
                json_object_object_add(usage, "total", u64(cgroup_keyed_value(cpustat, "usage_usec") * 1000));
                json_object_object_add(usage, "kernel", u64(cgroup_keyed_value(cpustat, "system_usec") * 1000));
                json_object_object_add(usage, "user", u64(cgroup_keyed_value(cpustat, "user_usec") * 1000));
                json_object_object_add(thr, "periods", u64(cgroup_keyed_value(cpustat, "nr_periods")));
                json_object_object_add(thr, "throttledPeriods", u64(cgroup_keyed_value(cpustat, "nr_throttled")));
                json_object_object_add(thr, "throttledTime", u64(cgroup_keyed_value(cpustat, "throttled_usec") * 1000));
        }
        json_object_object_add(usage, "percpu", percpu);
        json_object_object_add(cpu, "usage", usage);
        json_object_object_add(cpu, "throttling", thr);
        json_object_object_add(data, "cpu", cpu);
}

static void
add_memory(struct json_object *data, char *const *dirs)
{
        struct json_object *mem = json_object_new_object();
        cleanup_free char *v1 = read_any(dirs, "memory.usage_in_bytes");
        cleanup_free char *stat = read_any(dirs, "memory.stat");

        if (v1) {
                cleanup_free char *max = read_any(dirs, "memory.max_usage_in_bytes");
                cleanup_free char *fail = read_any(dirs, "memory.failcnt");
                cleanup_free char *lim = read_any(dirs, "memory.limit_in_bytes");
                cleanup_free char *sw = read_any(dirs, "memory.memsw.usage_in_bytes");
                cleanup_free char *swmax = read_any(dirs, "memory.memsw.max_usage_in_bytes");
                cleanup_free char *swfail = read_any(dirs, "memory.memsw.failcnt");
                cleanup_free char *swlim = read_any(dirs, "memory.memsw.limit_in_bytes");
                json_object_object_add(mem, "cache", u64(cgroup_keyed_value(stat, "cache")));
                json_object_object_add(mem, "usage", memory_entry(num(v1), num(max), num(fail), num(lim)));
                json_object_object_add(mem, "swap", memory_entry(num(sw), num(swmax), num(swfail), num(swlim)));
        } else {
                cleanup_free char *cur = read_any(dirs, "memory.current");
                cleanup_free char *lim = read_any(dirs, "memory.max");
                cleanup_free char *peak = read_any(dirs, "memory.peak");
                cleanup_free char *sw = read_any(dirs, "memory.swap.current");
                cleanup_free char *swlim = read_any(dirs, "memory.swap.max");
                cleanup_free char *events = read_any(dirs, "memory.events");
                json_object_object_add(mem, "cache", u64(cgroup_keyed_value(stat, "file")));
                json_object_object_add(mem, "usage", memory_entry(num(cur), num(peak), cgroup_keyed_value(events, "max"), num(lim)));
                json_object_object_add(mem, "swap", memory_entry(num(sw), 0, 0, num(swlim)));
        }
        json_object_object_add(mem, "raw", raw_stat(stat));
        json_object_object_add(data, "memory", mem);
}

/* The number of lines of cgroup.procs in the first of DIRS that has it. */
static uint64_t
count_procs(char *const *dirs)
{
        cleanup_free char *procs = read_any(dirs, "cgroup.procs");
        uint64_t n = 0;

        for (const char *p = procs; p && *p; p++)
                n += *p == '\n';
        return n;
}

static void
add_pids(struct json_object *data, char *const *dirs)
{
        struct json_object *p = json_object_new_object();
        cleanup_free char *cur = read_any(dirs, "pids.current");
        cleanup_free char *max = read_any(dirs, "pids.max");

        /* Without the pids controller (a cgroup2 hierarchy where it is not enabled), runc counts
         * the processes in cgroup.procs instead (fs2 statPidsFromCgroupProcs). */
        json_object_object_add(p, "current", u64(cur ? num(cur) : count_procs(dirs)));
        /* runc reports no limit as 0 */
        json_object_object_add(p, "limit", u64(num(max) == UINT64_MAX ? 0 : num(max)));
        json_object_object_add(data, "pids", p);
}

struct json_object *
cgroup_stats_collect(char *const *dirs)
{
        struct json_object *data = json_object_new_object();
        struct json_object *blkio = json_object_new_object();
        static const char *const blkio_keys[] = {"ioServiceBytesRecursive", "ioServicedRecursive",
                                                 "ioQueueRecursive", "ioServiceTimeRecursive",
                                                 "ioWaitTimeRecursive", "ioMergedRecursive",
                                                 "ioTimeRecursive", "sectorsRecursive"};

        add_cpu(data, dirs);
        add_memory(data, dirs);
        add_pids(data, dirs);
        /* Per-device block I/O counters come with the blkio work of issue 5; the keys are there so
         * readers (go-runc) find the shape they expect. */
        for (size_t i = 0; i < sizeof(blkio_keys) / sizeof(blkio_keys[0]); i++)
                json_object_object_add(blkio, blkio_keys[i], json_object_new_array());
        json_object_object_add(data, "blkio", blkio);
        json_object_object_add(data, "hugetlb", json_object_new_object());
        return data;
}

uint64_t
cgroup_oom_kills(char *const *dirs)
{
        cleanup_free char *v1 = read_any(dirs, "memory.oom_control");
        cleanup_free char *v2 = v1 ? NULL : read_any(dirs, "memory.events");

        return cgroup_keyed_value(v1 ? v1 : v2, "oom_kill");
}
