/* supervisor/ctl/stats_pure.c: the pure parts of berthctl stats and update (stats.h). */
#include <config.h>

#include "supervisor/ctl/stats.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/create_flags.h"

static struct json_object *
get(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;
        if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v))
                return v;
        return NULL;
}

static uint64_t
u64(struct json_object *o, const char *k)
{
        struct json_object *v = get(o, k);
        return v ? (uint64_t) json_object_get_uint64(v) : 0;
}

double
ctl_stats_cpu_percent(struct json_object *stats)
{
        struct json_object *cpu = get(stats, "cpu_stats"), *pre = get(stats, "precpu_stats");
        double cpu_delta = (double) u64(get(cpu, "cpu_usage"), "total_usage")
                           - (double) u64(get(pre, "cpu_usage"), "total_usage");
        double sys_delta = (double) u64(cpu, "system_cpu_usage")
                           - (double) u64(pre, "system_cpu_usage");
        double online = (double) u64(cpu, "online_cpus");

        if (online == 0) {
                struct json_object *per = get(get(cpu, "cpu_usage"), "percpu_usage");
                online = per && json_object_is_type(per, json_type_array)
                                 ? (double) json_object_array_length(per)
                                 : 0;
        }
        if (sys_delta > 0 && cpu_delta > 0)
                return cpu_delta / sys_delta * online * 100.0;
        return 0;
}

uint64_t
ctl_stats_mem_usage(struct json_object *stats)
{
        struct json_object *mem = get(stats, "memory_stats"), *st = get(mem, "stats");
        uint64_t usage = u64(mem, "usage");
        struct json_object *v = get(st, "total_inactive_file");

        if (v == NULL)
                v = get(st, "inactive_file");
        if (v) {
                uint64_t inactive = (uint64_t) json_object_get_uint64(v);
                if (inactive < usage)
                        return usage - inactive;
        }
        return usage;
}

double
ctl_stats_mem_percent(uint64_t usage, uint64_t limit)
{
        if (limit == 0)
                return 0;
        return (double) usage / (double) limit * 100.0;
}

static void
custom_size(const char *fmt_prec, double n, double base, const char *const *units, char *buf,
            size_t len)
{
        size_t i = 0;
        while (n >= base && units[i + 1]) {
                n /= base;
                i++;
        }
        snprintf(buf, len, fmt_prec, n);
        strncat(buf, units[i], len - strlen(buf) - 1);
}

void
ctl_stats_bytes_binary(double n, char *buf, size_t len)
{
        static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", NULL};
        custom_size("%.4g", n, 1024, u, buf, len);
}

void
ctl_stats_bytes_decimal(double n, char *buf, size_t len)
{
        static const char *const u[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", NULL};
        custom_size("%.3g", n, 1000, u, buf, len);
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
        json_object_object_add(o, k, json_object_new_string(v));
}

/* The sums of a blkio list's "read" and "write" entries (either case, as the CLI). */
static void
blkio_sums(struct json_object *stats, uint64_t *ret_read, uint64_t *ret_write)
{
        struct json_object *list = get(get(stats, "blkio_stats"), "io_service_bytes_recursive");
        *ret_read = *ret_write = 0;
        if (list == NULL || !json_object_is_type(list, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *e = json_object_array_get_idx(list, i);
                const char *op = json_object_get_string(get(e, "op"));
                if (op == NULL)
                        continue;
                if (strcasecmp(op, "read") == 0)
                        *ret_read += u64(e, "value");
                else if (strcasecmp(op, "write") == 0)
                        *ret_write += u64(e, "value");
        }
}

struct json_object *
ctl_stats_row(struct json_object *stats, const char *container, bool no_trunc)
{
        struct json_object *row = json_object_new_object();
        const char *id = json_object_get_string(get(stats, "id"));
        const char *name = json_object_get_string(get(stats, "name"));
        struct json_object *mem = get(stats, "memory_stats");
        uint64_t usage = ctl_stats_mem_usage(stats), limit = u64(mem, "limit");
        uint64_t rd = 0, wr = 0, rx = 0, tx = 0;
        char a[32], b[32], cell[80];
        struct json_object *nets = get(stats, "networks");

        if (id == NULL)
                id = "";
        if (name == NULL)
                name = "";
        add_str(row, "Container", container ? container : id);
        snprintf(cell, sizeof(cell), "%.*s", no_trunc ? 64 : 12, id);
        add_str(row, "ID", cell);
        add_str(row, "Name", name[0] == '/' ? name + 1 : name);
        snprintf(cell, sizeof(cell), "%.2f%%", ctl_stats_cpu_percent(stats));
        add_str(row, "CPUPerc", cell);
        ctl_stats_bytes_binary((double) usage, a, sizeof(a));
        ctl_stats_bytes_binary((double) limit, b, sizeof(b));
        snprintf(cell, sizeof(cell), "%s / %s", a, b);
        add_str(row, "MemUsage", cell);
        snprintf(cell, sizeof(cell), "%.2f%%", ctl_stats_mem_percent(usage, limit));
        add_str(row, "MemPerc", cell);
        if (nets && json_object_is_type(nets, json_type_object)) {
                json_object_object_foreach(nets, k, v)
                {
                        (void) k;
                        rx += u64(v, "rx_bytes");
                        tx += u64(v, "tx_bytes");
                }
        }
        ctl_stats_bytes_decimal((double) rx, a, sizeof(a));
        ctl_stats_bytes_decimal((double) tx, b, sizeof(b));
        snprintf(cell, sizeof(cell), "%s / %s", a, b);
        add_str(row, "NetIO", cell);
        blkio_sums(stats, &rd, &wr);
        ctl_stats_bytes_decimal((double) rd, a, sizeof(a));
        ctl_stats_bytes_decimal((double) wr, b, sizeof(b));
        snprintf(cell, sizeof(cell), "%s / %s", a, b);
        add_str(row, "BlockIO", cell);
        snprintf(cell, sizeof(cell), "%" PRIu64, u64(get(stats, "pids_stats"), "current"));
        add_str(row, "PIDs", cell);
        return row;
}

struct json_object *
ctl_stats_headers(void)
{
        struct json_object *h = json_object_new_object();
        add_str(h, "Container", "CONTAINER");
        add_str(h, "ID", "CONTAINER ID");
        add_str(h, "Name", "NAME");
        add_str(h, "CPUPerc", "CPU %");
        add_str(h, "MemUsage", "MEM USAGE / LIMIT");
        add_str(h, "MemPerc", "MEM %");
        add_str(h, "NetIO", "NET I/O");
        add_str(h, "BlockIO", "BLOCK I/O");
        add_str(h, "PIDs", "PIDS");
        return h;
}

enum {
        U_MEMORY_SWAP = 1000,
        U_MEMORY_RESERVATION,
        U_KERNEL_MEMORY,
        U_CPUS,
        U_CPU_PERIOD,
        U_CPU_QUOTA,
        U_CPUSET_CPUS,
        U_CPUSET_MEMS,
        U_PIDS_LIMIT,
        U_BLKIO_WEIGHT,
        U_RESTART,
};

static const struct option update_opts[] = {
        {"memory", required_argument, NULL, 'm'},
        {"memory-swap", required_argument, NULL, U_MEMORY_SWAP},
        {"memory-reservation", required_argument, NULL, U_MEMORY_RESERVATION},
        {"kernel-memory", required_argument, NULL, U_KERNEL_MEMORY},
        {"cpus", required_argument, NULL, U_CPUS},
        {"cpu-shares", required_argument, NULL, 'c'},
        {"cpu-period", required_argument, NULL, U_CPU_PERIOD},
        {"cpu-quota", required_argument, NULL, U_CPU_QUOTA},
        {"cpuset-cpus", required_argument, NULL, U_CPUSET_CPUS},
        {"cpuset-mems", required_argument, NULL, U_CPUSET_MEMS},
        {"pids-limit", required_argument, NULL, U_PIDS_LIMIT},
        {"blkio-weight", required_argument, NULL, U_BLKIO_WEIGHT},
        {"restart", required_argument, NULL, U_RESTART},
        {NULL, 0, NULL, 0},
};

static void
set_i64(struct json_object *o, const char *k, int64_t v)
{
        json_object_object_add(o, k, json_object_new_int64(v));
}

static int
update_flag(struct json_object *body, int c, const char *arg, berth_error_t **err)
{
        int64_t n = 0;
        int r = 0;

        switch (c) {
        case 'm':
                r = ctl_parse_bytes(arg, &n, err);
                if (r == 0)
                        set_i64(body, "Memory", n);
                return r;
        case U_MEMORY_SWAP:
                if (strcmp(arg, "-1") == 0)
                        n = -1;
                else
                        r = ctl_parse_bytes(arg, &n, err);
                if (r == 0)
                        set_i64(body, "MemorySwap", n);
                return r;
        case U_MEMORY_RESERVATION:
                r = ctl_parse_bytes(arg, &n, err);
                if (r == 0)
                        set_i64(body, "MemoryReservation", n);
                return r;
        case U_KERNEL_MEMORY:
                r = ctl_parse_bytes(arg, &n, err);
                if (r == 0)
                        set_i64(body, "KernelMemory", n);
                return r;
        case U_CPUS: {
                char *end = NULL;
                double v = strtod(arg, &end);
                if (end == arg || *end != '\0' || v < 0)
                        return berth_error_new(
                                err, EINVAL,
                                "invalid argument \"%s\" for \"--cpus\" flag: failed to parse %s as a rational number",
                                arg, arg);
                set_i64(body, "NanoCpus", (int64_t) (v * 1e9 + 0.5));
                return 0;
        }
        case 'c':
                r = ctl_parse_int(arg, "-c, --cpu-shares", &n, err);
                if (r == 0)
                        set_i64(body, "CpuShares", n);
                return r;
        case U_CPU_PERIOD:
                r = ctl_parse_int(arg, "--cpu-period", &n, err);
                if (r == 0)
                        set_i64(body, "CpuPeriod", n);
                return r;
        case U_CPU_QUOTA:
                r = ctl_parse_int(arg, "--cpu-quota", &n, err);
                if (r == 0)
                        set_i64(body, "CpuQuota", n);
                return r;
        case U_CPUSET_CPUS:
                add_str(body, "CpusetCpus", arg);
                return 0;
        case U_CPUSET_MEMS:
                add_str(body, "CpusetMems", arg);
                return 0;
        case U_PIDS_LIMIT:
                r = ctl_parse_int(arg, "--pids-limit", &n, err);
                if (r == 0)
                        set_i64(body, "PidsLimit", n);
                return r;
        case U_BLKIO_WEIGHT:
                r = ctl_parse_int(arg, "--blkio-weight", &n, err);
                if (r == 0)
                        set_i64(body, "BlkioWeight", n);
                return r;
        case U_RESTART:
                return ctl_parse_restart_policy(body, arg, err);
        default:
                return berth_error_new(err, EINVAL, "unknown flag");
        }
}

int
ctl_update_parse(int argc, char **argv, struct json_object **ret_body, int *ret_first,
                 berth_error_t **err)
{
        cleanup_json struct json_object *body = json_object_new_object();
        int c, r;
        int nflags = 0;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+m:c:", update_opts, NULL)) != -1) {
                if (c == '?' || c == ':')
                        return berth_error_new(err, EINVAL, "unknown flag: %s",
                                               argv[optind - 1]);
                r = update_flag(body, c, optarg, err);
                if (r < 0)
                        return r;
                nflags++;
        }
        if (optind >= argc)
                return berth_error_new(err, EINVAL,
                                       "\"update\" requires at least 1 argument.");
        if (nflags == 0)
                return berth_error_new(err, EINVAL,
                                       "you must provide one or more flags when using this "
                                       "command");
        *ret_first = optind;
        *ret_body = TAKE_PTR(body);
        return 0;
}
