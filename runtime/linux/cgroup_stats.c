/* runtime/linux/cgroup_stats.c: cpu, memory, pids, blkio and hugetlb usage; v1 and v2 spell it
 * apart. What is read, and from which file first, is runc 1.1's (the GetStats methods of
 * libcontainer/cgroups/fs and fs2). */
#include <config.h>

#include "runtime/linux/cgroup_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/hugetlb.h"

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

/* v1 kernel memory accounting, where the kernel still has it (runc fs/memory.go). */
static void
add_kmem(struct json_object *mem, char *const *dirs, const char *key, const char *prefix)
{
        cleanup_free char *u = xasprintf("%s.usage_in_bytes", prefix);
        cleanup_free char *m = xasprintf("%s.max_usage_in_bytes", prefix);
        cleanup_free char *f = xasprintf("%s.failcnt", prefix);
        cleanup_free char *l = xasprintf("%s.limit_in_bytes", prefix);
        cleanup_free char *usage = read_any(dirs, u);
        cleanup_free char *max = read_any(dirs, m);
        cleanup_free char *fail = read_any(dirs, f);
        cleanup_free char *limit = read_any(dirs, l);

        json_object_object_add(mem, key, memory_entry(num(usage), num(max), num(fail), num(limit)));
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
                add_kmem(mem, dirs, "kernel", "memory.kmem");
                add_kmem(mem, dirs, "kernelTCP", "memory.kmem.tcp");
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

static struct json_object *
blkio_entry(uint64_t major, uint64_t minor, const char *op, uint64_t value)
{
        struct json_object *e = json_object_new_object();

        json_object_object_add(e, "major", u64(major));
        json_object_object_add(e, "minor", u64(minor));
        if (op)
                json_object_object_add(e, "op", json_object_new_string(op));
        json_object_object_add(e, "value", u64(value));
        return e;
}

/* A whole decimal number, nothing after it. */
static bool
parse_u64(const char *s, uint64_t *ret)
{
        char *end = NULL;

        if (!s || *s < '0' || *s > '9')
                return false;
        errno = 0;
        *ret = strtoull(s, &end, 10);
        return errno == 0 && *end == '\0';
}

/* "8:0" */
static bool
parse_dev(const char *s, uint64_t *major, uint64_t *minor)
{
        cleanup_free char *copy = xstrdup(s);
        char *colon = strchr(copy, ':');

        if (!colon)
                return false;
        *colon = '\0';
        return parse_u64(copy, major) && parse_u64(colon + 1, minor);
}

int
cgroup_blkio_parse(const char *text, struct json_object **ret, berth_error_t **err)
{
        cleanup_free char *copy = xstrdup(text ? text : "");
        struct json_object *arr = json_object_new_array();
        char *save = NULL;

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                cleanup_free char *whole = xstrdup(line);
                char *f[4] = {0};
                size_t n = 0;
                char *s2 = NULL;
                uint64_t major, minor, value;
                for (char *t = strtok_r(line, " ", &s2); t; t = strtok_r(NULL, " ", &s2)) {
                        if (n == 4) {
                                n = 5;
                                break;
                        }
                        f[n++] = t;
                }
                /* "Total 12345" closes the per-device lines */
                if (n == 2 && strcmp(f[0], "Total") == 0)
                        continue;
                if ((n != 2 && n != 3) || !parse_dev(f[0], &major, &minor)
                    || !parse_u64(f[n - 1], &value)) {
                        json_object_put(arr);
                        return berth_error_new(err, EINVAL, "malformed blkio line \"%s\"", whole);
                }
                json_object_array_add(arr, blkio_entry(major, minor, n == 3 ? f[1] : NULL, value));
        }
        *ret = arr;
        return 0;
}

int
cgroup_io_stat_parse(const char *text, struct json_object *bytes, struct json_object *ios,
                     berth_error_t **err)
{
        static const struct {
                const char *key, *op;
                bool bytes;
        } map[] = {
                {"rbytes", "Read", true}, {"wbytes", "Write", true}, {"rios", "Read", false}, {"wios", "Write", false},
        };
        cleanup_free char *copy = xstrdup(text ? text : "");
        char *save = NULL;

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *s2 = NULL;
                char *dev = strtok_r(line, " ", &s2);
                uint64_t major, minor;
                if (!dev || !parse_dev(dev, &major, &minor))
                        continue;
                for (char *kv = strtok_r(NULL, " ", &s2); kv; kv = strtok_r(NULL, " ", &s2)) {
                        char *eq = strchr(kv, '=');
                        uint64_t value;
                        if (!eq)
                                continue;
                        *eq = '\0';
                        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
                                if (strcmp(kv, map[i].key) != 0)
                                        continue;
                                if (!parse_u64(eq + 1, &value))
                                        return berth_error_new(err, EINVAL, "io.stat: malformed value \"%s=%s\"", kv, eq + 1);
                                json_object_array_add(map[i].bytes ? bytes : ios, blkio_entry(major, minor, map[i].op, value));
                        }
                }
        }
        return 0;
}

/* runc fs/blkio.go GetStats: the first group whose first file has lines wins (BFQ with its
 * debug files, BFQ, CFQ, the throttle layer's recursive files, then its plain ones); within a
 * group a missing or empty later file ends the collection. */
static void
add_blkio_v1(struct json_object *blkio, char *const *dirs)
{
        struct stat_file {
                const char *file, *key;
        };
        static const struct stat_file bfq_debug[] = {
                {"blkio.bfq.sectors_recursive", "sectorsRecursive"},
                {"blkio.bfq.io_service_time_recursive", "ioServiceTimeRecursive"},
                {"blkio.bfq.io_wait_time_recursive", "ioWaitTimeRecursive"},
                {"blkio.bfq.io_merged_recursive", "ioMergedRecursive"},
                {"blkio.bfq.io_queued_recursive", "ioQueueRecursive"},
                {"blkio.bfq.time_recursive", "ioTimeRecursive"},
                {"blkio.bfq.io_serviced_recursive", "ioServicedRecursive"},
                {"blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"},
                {NULL, NULL},
        };
        static const struct stat_file bfq[] = {
                {"blkio.bfq.io_serviced_recursive", "ioServicedRecursive"},
                {"blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"},
                {NULL, NULL},
        };
        static const struct stat_file cfq[] = {
                {"blkio.sectors_recursive", "sectorsRecursive"},
                {"blkio.io_service_time_recursive", "ioServiceTimeRecursive"},
                {"blkio.io_wait_time_recursive", "ioWaitTimeRecursive"},
                {"blkio.io_merged_recursive", "ioMergedRecursive"},
                {"blkio.io_queued_recursive", "ioQueueRecursive"},
                {"blkio.time_recursive", "ioTimeRecursive"},
                {"blkio.io_serviced_recursive", "ioServicedRecursive"},
                {"blkio.io_service_bytes_recursive", "ioServiceBytesRecursive"},
                {NULL, NULL},
        };
        static const struct stat_file throttle_recursive[] = {
                {"blkio.throttle.io_serviced_recursive", "ioServicedRecursive"},
                {"blkio.throttle.io_service_bytes_recursive", "ioServiceBytesRecursive"},
                {NULL, NULL},
        };
        static const struct stat_file throttle[] = {
                {"blkio.throttle.io_serviced", "ioServicedRecursive"},
                {"blkio.throttle.io_service_bytes", "ioServiceBytesRecursive"},
                {NULL, NULL},
        };
        static const struct stat_file *const groups[] = {bfq_debug, bfq, cfq, throttle_recursive, throttle};

        for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
                for (const struct stat_file *f = groups[g]; f->file; f++) {
                        cleanup_free char *text = read_any(dirs, f->file);
                        struct json_object *arr = NULL;
                        if (!text || cgroup_blkio_parse(text, &arr, NULL) < 0 || json_object_array_length(arr) == 0) {
                                json_object_put(arr);
                                if (f == groups[g])
                                        break; /* try the next group */
                                return;
                        }
                        json_object_object_add(blkio, f->key, arr);
                        if (!f[1].file)
                                return;
                }
        }
}

static void
add_blkio(struct json_object *data, char *const *dirs)
{
        static const char *const keys[] = {"ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive",
                                           "ioServiceTimeRecursive",  "ioWaitTimeRecursive", "ioMergedRecursive",
                                           "ioTimeRecursive",         "sectorsRecursive"};
        struct json_object *blkio = json_object_new_object();
        cleanup_free char *v1 = read_any(dirs, "blkio.throttle.io_serviced");
        cleanup_free char *io_stat = v1 ? NULL : read_any(dirs, "io.stat");

        /* Every key is there, empty when the kernel says nothing, so readers (go-runc) find the
         * shape they expect; runc leaves empty ones out, which decodes the same. */
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                json_object_object_add(blkio, keys[i], json_object_new_array());
        if (v1) {
                add_blkio_v1(blkio, dirs);
        } else if (io_stat) {
                struct json_object *bytes = json_object_new_array();
                struct json_object *ios = json_object_new_array();
                if (cgroup_io_stat_parse(io_stat, bytes, ios, NULL) == 0) {
                        json_object_object_add(blkio, "ioServiceBytesRecursive", bytes);
                        json_object_object_add(blkio, "ioServicedRecursive", ios);
                } else {
                        json_object_put(bytes);
                        json_object_put(ios);
                }
        }
        json_object_object_add(data, "blkio", blkio);
}

/* {"2MB": {usage, max, failcnt}} for each of the host's page sizes, from v1's files (runc
 * fs/hugetlb.go) or v2's (fs2/hugetlb.go: no peak usage there); nothing without the controller. */
static void
add_hugetlb(struct json_object *data, char *const *dirs)
{
        struct json_object *h = json_object_new_object();
        cleanup_strv char **sizes = NULL;

        if (hugetlb_page_sizes(&sizes, NULL) < 0)
                sizes = NULL;
        strv_foreach(size, sizes)
        {
                cleanup_free char *usage_file = xasprintf("hugetlb.%s.usage_in_bytes", size);
                cleanup_free char *usage = read_any(dirs, usage_file);
                struct json_object *e;
                if (usage) {
                        cleanup_free char *max_file = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
                        cleanup_free char *fail_file = xasprintf("hugetlb.%s.failcnt", size);
                        cleanup_free char *max = read_any(dirs, max_file);
                        cleanup_free char *fail = read_any(dirs, fail_file);
                        e = json_object_new_object();
                        json_object_object_add(e, "usage", u64(num(usage)));
                        json_object_object_add(e, "max", u64(num(max)));
                        json_object_object_add(e, "failcnt", u64(num(fail)));
                } else {
                        cleanup_free char *cur_file = xasprintf("hugetlb.%s.current", size);
                        cleanup_free char *events_file = xasprintf("hugetlb.%s.events", size);
                        cleanup_free char *cur = read_any(dirs, cur_file);
                        cleanup_free char *events = read_any(dirs, events_file);
                        if (!cur)
                                continue;
                        e = json_object_new_object();
                        json_object_object_add(e, "usage", u64(num(cur)));
                        json_object_object_add(e, "max", u64(0));
                        json_object_object_add(e, "failcnt", u64(cgroup_keyed_value(events, "max")));
                }
                json_object_object_add(h, size, e);
        }
        json_object_object_add(data, "hugetlb", h);
}

struct json_object *
cgroup_stats_collect(char *const *dirs)
{
        struct json_object *data = json_object_new_object();

        add_cpu(data, dirs);
        add_memory(data, dirs);
        add_pids(data, dirs);
        add_blkio(data, dirs);
        add_hugetlb(data, dirs);
        return data;
}

uint64_t
cgroup_oom_kills(char *const *dirs)
{
        cleanup_free char *v1 = read_any(dirs, "memory.oom_control");
        cleanup_free char *v2 = v1 ? NULL : read_any(dirs, "memory.events");

        return cgroup_keyed_value(v1 ? v1 : v2, "oom_kill");
}
