/* runtime/cli/update.c: `berth update`: new linux.resources for a running container, from
 * --resources (a file or "-": an OCI LinuxResources object, as the containerd shim and podman send
 * it) or from runc's individual flags. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"
#include "runtime/linux/cgroup.h"
#include "runtime/linux/cgroup_resources.h"

static int
read_all_stdin(char **ret, size_t *len, berth_error_t **err)
{
        size_t cap = 4096, n = 0;
        char *buf = xmalloc(cap);

        for (;;) {
                if (n + 1 >= cap)
                        buf = xrealloc(buf, cap *= 2);
                ssize_t k = read(STDIN_FILENO, buf + n, cap - n - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        free(buf);
                        return berth_error_sys(err, errno, "read stdin");
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = '\0';
        *ret = buf;
        *len = n;
        return 0;
}

/* "--memory 64m" style values: bytes with an optional k/m/g suffix; -1 for unlimited. */
static int
parse_size(const char *flag, const char *v, int64_t *ret, berth_error_t **err)
{
        char *end;
        long long n = strtoll(v, &end, 10);
        long long mul = 1;

        if (end == v)
                return berth_error_new(err, EINVAL, "--%s: invalid value \"%s\"", flag, v);
        if (*end) {
                switch (*end | 0x20) {
                case 'k':
                        mul = 1LL << 10;
                        break;
                case 'm':
                        mul = 1LL << 20;
                        break;
                case 'g':
                        mul = 1LL << 30;
                        break;
                default:
                        return berth_error_new(err, EINVAL, "--%s: invalid value \"%s\"", flag, v);
                }
                if (end[1] && !((end[1] | 0x20) == 'b' && !end[2]))
                        return berth_error_new(err, EINVAL, "--%s: invalid value \"%s\"", flag, v);
        }
        *ret = n * mul;
        return 0;
}

static void
set_in(struct json_object *res, const char *section, const char *key, struct json_object *v)
{
        struct json_object *sec = NULL;

        if (!json_object_object_get_ex(res, section, &sec)) {
                sec = json_object_new_object();
                json_object_object_add(res, section, sec);
        }
        json_object_object_add(sec, key, v);
}

int
cli_update(struct cli_ctx *ctx, int argc, char **argv)
{
        const char *resources = NULL, *memory = NULL, *reservation = NULL, *swap = NULL;
        const char *cpuset_cpus = NULL, *cpuset_mems = NULL;
        int blkio = -1, period = -1, shares = -1, rt_period = -1, rt_runtime = -1;
        const char *quota_s = NULL, *pids_s = NULL, *kmem = NULL, *kmem_tcp = NULL, *l3 = NULL, *mba = NULL;
        bool help = false;
        const struct opt opts[] = {
                {"resources", 'r', OPT_STRING, &resources, "path to the file containing the resources to update or '-' to read from the standard input"},
                {"blkio-weight", 0, OPT_INT, &blkio, "Specifies per cgroup weight, range is from 10 to 1000"},
                {"cpu-period", 0, OPT_INT, &period, "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
                {"cpu-quota", 0, OPT_STRING, &quota_s, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
                {"cpu-share", 0, OPT_INT, &shares, "CPU shares (relative weight vs. other containers)"},
                {"cpu-rt-period", 0, OPT_INT, &rt_period, "CPU realtime period to be used for hardcapping (in usecs)"},
                {"cpu-rt-runtime", 0, OPT_INT, &rt_runtime, "CPU realtime hardcap limit (in usecs)"},
                {"cpuset-cpus", 0, OPT_STRING, &cpuset_cpus, "CPU(s) to use"},
                {"cpuset-mems", 0, OPT_STRING, &cpuset_mems, "Memory node(s) to use"},
                {"memory", 0, OPT_STRING, &memory, "Memory limit (in bytes)"},
                {"memory-reservation", 0, OPT_STRING, &reservation, "Memory reservation or soft_limit (in bytes)"},
                {"memory-swap", 0, OPT_STRING, &swap, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
                {"pids-limit", 0, OPT_STRING, &pids_s, "Maximum number of pids allowed in the container"},
                {"kernel-memory", 0, OPT_STRING, &kmem, "(obsoleted; do not use)"},
                {"kernel-memory-tcp", 0, OPT_STRING, &kmem_tcp, "(obsoleted; do not use)"},
                {"l3-cache-schema", 0, OPT_STRING, &l3, "The string of Intel RDT/CAT L3 cache schema"},
                {"mem-bw-schema", 0, OPT_STRING, &mba, "The string of Intel RDT/MBA memory bandwidth schema"},
                {0},
        };
        cleanup_json struct json_object *res = NULL;
        struct container_state s = {0};
        struct cgroup_host host = {0};
        struct cgroup_plan plan = {0};
        char **pos = NULL;
        const char *id;
        int64_t v;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("update [command options] <container-id>", "update - update container resource constraints", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "update", pos, &id);
        if (r < 0)
                goto out;
        if (kmem || kmem_tcp || l3 || mba) {
                r = berth_error_new(&ctx->err, ENOTSUP, "--%s is not supported", kmem ? "kernel-memory" : kmem_tcp ? "kernel-memory-tcp" : l3 ? "l3-cache-schema" : "mem-bw-schema");
                goto out;
        }
        if (resources) {
                cleanup_free char *buf = NULL;
                size_t len = 0;
                r = strcmp(resources, "-") == 0 ? read_all_stdin(&buf, &len, &ctx->err)
                                                : fs_read_file(AT_FDCWD, resources, &buf, &len, &ctx->err);
                if (r == 0)
                        r = json_parse_buffer(buf, len, &res, &ctx->err);
                if (r == 0)
                        r = json_expect_object(res, NULL, &ctx->err);
                if (r < 0) {
                        berth_error_prefix(&ctx->err, "--resources");
                        goto out;
                }
        } else {
                res = json_object_new_object();
        }
        /* Flags win over the file, as in runc. */
        if (memory && (r = parse_size("memory", memory, &v, &ctx->err)) == 0)
                set_in(res, "memory", "limit", json_object_new_int64(v));
        if (r == 0 && reservation && (r = parse_size("memory-reservation", reservation, &v, &ctx->err)) == 0)
                set_in(res, "memory", "reservation", json_object_new_int64(v));
        if (r == 0 && swap && (r = parse_size("memory-swap", swap, &v, &ctx->err)) == 0)
                set_in(res, "memory", "swap", json_object_new_int64(v));
        if (r == 0 && quota_s && (r = parse_size("cpu-quota", quota_s, &v, &ctx->err)) == 0)
                set_in(res, "cpu", "quota", json_object_new_int64(v));
        if (r == 0 && pids_s && (r = parse_size("pids-limit", pids_s, &v, &ctx->err)) == 0)
                set_in(res, "pids", "limit", json_object_new_int64(v));
        if (r < 0)
                goto out;
        if (blkio >= 0)
                set_in(res, "blockIO", "weight", json_object_new_int(blkio));
        if (period >= 0)
                set_in(res, "cpu", "period", json_object_new_int(period));
        if (shares >= 0)
                set_in(res, "cpu", "shares", json_object_new_int(shares));
        if (rt_period >= 0)
                set_in(res, "cpu", "realtimePeriod", json_object_new_int(rt_period));
        if (rt_runtime >= 0)
                set_in(res, "cpu", "realtimeRuntime", json_object_new_int(rt_runtime));
        if (cpuset_cpus)
                set_in(res, "cpu", "cpus", json_object_new_string(cpuset_cpus));
        if (cpuset_mems)
                set_in(res, "cpu", "mems", json_object_new_string(cpuset_mems));

        r = container_load(&ctx->rt, id, &s, &ctx->err);
        if (r == 0)
                r = cgroup_host_detect(&host, &ctx->err);
        if (r == 0)
                r = cgroup_resources_plan(res, host.layout == CGROUP_LAYOUT_UNIFIED, &plan, &ctx->err);
        if (r == 0)
                r = cgroup_resources_apply(&host, s.cgroup_dirs, &plan, &ctx->err);
out:
        cgroup_plan_done(&plan);
        cgroup_host_done(&host);
        state_done(&s);
        free(pos);
        return r < 0 ? 1 : 0;
}
