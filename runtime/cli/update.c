/* runtime/cli/update.c: `berth update`: new linux.resources for a container, from --resources (a
 * file or "-": an OCI LinuxResources object, as the containerd shim and podman send it) or from
 * runc's individual flags; with --resources the other resource flags are ignored, as in runc.
 * Zero means "leave as is", in the file and in the flags alike. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
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

/* runc's memory flags: "-1" (unlimited) or go-units RAMInBytes: a decimal number, an optional
 * space, then an optional k/m/g/t/p, "i" and "b" in any case, all binary ("1.5g", "64MiB"). */
static int
parse_ram(const char *flag, const char *v, int64_t *ret, berth_error_t **err)
{
        static const char units[] = "kmgtp";
        const char *p = v;
        char *end = NULL;
        double n, mul = 1;

        if (strcmp(v, "-1") == 0) {
                *ret = -1;
                return 0;
        }
        if (*p < '0' || *p > '9')
                return berth_error_new(err, EINVAL, "--%s: invalid size \"%s\"", flag, v);
        p += strspn(p, "0123456789");
        if (*p == '.') {
                if (p[1] < '0' || p[1] > '9')
                        return berth_error_new(err, EINVAL, "--%s: invalid size \"%s\"", flag, v);
                p += 1 + strspn(p + 1, "0123456789");
        }
        n = strtod(v, &end);
        if (end != p)
                return berth_error_new(err, EINVAL, "--%s: invalid size \"%s\"", flag, v);
        if (*p == ' ')
                p++;
        if (*p && strchr(units, *p | 0x20)) {
                for (const char *u = units; *u; u++) {
                        mul *= 1024;
                        if (*u == (*p | 0x20))
                                break;
                }
                p++;
        }
        if ((*p | 0x20) == 'i')
                p++;
        if ((*p | 0x20) == 'b')
                p++;
        if (*p || n * mul >= 9223372036854775807.0)
                return berth_error_new(err, EINVAL, "--%s: invalid size \"%s\"", flag, v);
        *ret = (int64_t) (n * mul);
        return 0;
}

static int
parse_int(const char *flag, const char *v, bool is_signed, int64_t *ret, berth_error_t **err)
{
        char *end = NULL;

        errno = 0;
        if (is_signed) {
                long long n = strtoll(v, &end, 10);
                if (errno || end == v || *end)
                        return berth_error_new(err, EINVAL, "--%s: invalid value \"%s\"", flag, v);
                *ret = n;
        } else {
                unsigned long long n = strtoull(v, &end, 10);
                if (errno || end == v || *end || v[0] == '-' || n > INT64_MAX)
                        return berth_error_new(err, EINVAL, "--%s: invalid value \"%s\"", flag, v);
                *ret = (int64_t) n;
        }
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

struct update_flags {
        const char *resources, *memory, *reservation, *swap, *kmem, *kmem_tcp;
        const char *cpuset_cpus, *cpuset_mems, *period, *quota, *shares, *rt_period, *rt_runtime;
        const char *pids, *l3, *mba;
        int blkio;
};

enum flag_kind { RAM, SIGNED, UNSIGNED, STRING, WEIGHT };

/* Each resource flag and the linux.resources member runc sets from it. */
static const struct flag_member {
        const char *flag, *section, *key;
        size_t off;
        enum flag_kind kind;
} flag_members[] = {
        {"blkio-weight", "blockIO", "weight", offsetof(struct update_flags, blkio), WEIGHT},
        {"cpuset-cpus", "cpu", "cpus", offsetof(struct update_flags, cpuset_cpus), STRING},
        {"cpuset-mems", "cpu", "mems", offsetof(struct update_flags, cpuset_mems), STRING},
        {"cpu-period", "cpu", "period", offsetof(struct update_flags, period), UNSIGNED},
        {"cpu-rt-period", "cpu", "realtimePeriod", offsetof(struct update_flags, rt_period), UNSIGNED},
        {"cpu-share", "cpu", "shares", offsetof(struct update_flags, shares), UNSIGNED},
        {"cpu-quota", "cpu", "quota", offsetof(struct update_flags, quota), SIGNED},
        {"cpu-rt-runtime", "cpu", "realtimeRuntime", offsetof(struct update_flags, rt_runtime), SIGNED},
        {"memory", "memory", "limit", offsetof(struct update_flags, memory), RAM},
        {"memory-swap", "memory", "swap", offsetof(struct update_flags, swap), RAM},
        {"kernel-memory", "memory", "kernel", offsetof(struct update_flags, kmem), RAM},
        {"kernel-memory-tcp", "memory", "kernelTCP", offsetof(struct update_flags, kmem_tcp), RAM},
        {"memory-reservation", "memory", "reservation", offsetof(struct update_flags, reservation), RAM},
        {"pids-limit", "pids", "limit", offsetof(struct update_flags, pids), SIGNED},
};

/* LINE begins with the JSON path of a member some flag sets ("linux.resources.memory.limit:
 * ..."): the same line with the flag instead ("--memory: ..."); else NULL. Errors about a flag's
 * value then name the flag the user typed, as those the flag parsers make do. */
static char *
flag_line(const char *line)
{
        static const char root[] = "linux.resources.";

        if (!line || strncmp(line, root, strlen(root)) != 0)
                return NULL;
        for (size_t i = 0; i < sizeof(flag_members) / sizeof(flag_members[0]); i++) {
                const struct flag_member *m = &flag_members[i];
                cleanup_free char *path = xasprintf("%s%s.%s", root, m->section, m->key);
                size_t n = strlen(path);
                if (strncmp(line, path, n) == 0 && line[n] == ':')
                        return xasprintf("--%s%s", m->flag, line + n);
        }
        return NULL;
}

/* An error about the new resources names where they came from: "--resources: <json path>: ..."
 * for the file, the flag for a member a flag set. */
static void
resources_error(berth_error_t **err, bool from_file)
{
        char *line;

        if (!err || !*err)
                return;
        if (from_file) {
                berth_error_prefix(err, "--resources");
                return;
        }
        line = flag_line((*err)->msg);
        if (line) {
                free((*err)->msg);
                (*err)->msg = line;
        }
}

/* The resource flags as the LinuxResources object runc builds from them. */
static int
flags_to_resources(const struct update_flags *f, struct json_object *res, berth_error_t **err)
{
        for (size_t i = 0; i < sizeof(flag_members) / sizeof(flag_members[0]); i++) {
                const struct flag_member *m = &flag_members[i];
                const void *field = (const char *) f + m->off;
                const char *v = m->kind == WEIGHT ? NULL : *(const char *const *) field;
                int64_t n = 0;
                int r;
                if (m->kind == WEIGHT) {
                        /* runc: 0, the default, leaves the weight alone */
                        if (*(const int *) field > 0)
                                set_in(res, m->section, m->key, json_object_new_int(*(const int *) field));
                        continue;
                }
                if (!v || !v[0])
                        continue;
                if (m->kind == STRING) {
                        set_in(res, m->section, m->key, json_object_new_string(v));
                        continue;
                }
                r = m->kind == RAM ? parse_ram(m->flag, v, &n, err)
                                   : parse_int(m->flag, v, m->kind == SIGNED, &n, err);
                if (r < 0)
                        return r;
                set_in(res, m->section, m->key, json_object_new_int64(n));
        }
        return 0;
}

/* runc: the schemata flags need Intel RDT, which berth does not manage. */
static int
check_rdt(const struct update_flags *f, berth_error_t **err)
{
        struct statfs sfs;
        bool resctrl = statfs("/sys/fs/resctrl", &sfs) == 0 && sfs.f_type == 0x7655821; /* RDTGROUP_SUPER_MAGIC */

        if (!f->l3 && !f->mba)
                return 0;
        if (!resctrl)
                return berth_error_new(err, ENOTSUP, "%s",
                                       f->l3 ? "Intel RDT/CAT: l3 cache schema is not enabled"
                                             : "Intel RDT/MBA: memory bandwidth schema is not enabled");
        return berth_error_new(err, ENOTSUP, "--%s: Intel RDT is not supported by berth",
                               f->l3 ? "l3-cache-schema" : "mem-bw-schema");
}

int
cli_update(struct cli_ctx *ctx, int argc, char **argv)
{
        struct update_flags f = {.blkio = 0};
        bool help = false;
        const struct opt opts[] = {
                {"resources", 'r', OPT_STRING, &f.resources, "path to the file containing the resources to update or '-' to read from the standard input; all other resource options are then ignored"},
                {"blkio-weight", 0, OPT_INT, &f.blkio, "Specifies per cgroup weight, range is from 10 to 1000"},
                {"cpu-period", 0, OPT_STRING, &f.period, "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
                {"cpu-quota", 0, OPT_STRING, &f.quota, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
                {"cpu-share", 0, OPT_STRING, &f.shares, "CPU shares (relative weight vs. other containers)"},
                {"cpu-rt-period", 0, OPT_STRING, &f.rt_period, "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
                {"cpu-rt-runtime", 0, OPT_STRING, &f.rt_runtime, "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
                {"cpuset-cpus", 0, OPT_STRING, &f.cpuset_cpus, "CPU(s) to use"},
                {"cpuset-mems", 0, OPT_STRING, &f.cpuset_mems, "Memory node(s) to use"},
                {"kernel-memory", 0, OPT_STRING, &f.kmem, "(obsoleted; do not use)"},
                {"kernel-memory-tcp", 0, OPT_STRING, &f.kmem_tcp, "(obsoleted; do not use)"},
                {"memory", 0, OPT_STRING, &f.memory, "Memory limit (in bytes)"},
                {"memory-reservation", 0, OPT_STRING, &f.reservation, "Memory reservation or soft_limit (in bytes)"},
                {"memory-swap", 0, OPT_STRING, &f.swap, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
                {"pids-limit", 0, OPT_STRING, &f.pids, "Maximum number of pids allowed in the container"},
                {"l3-cache-schema", 0, OPT_STRING, &f.l3, "The string of Intel RDT/CAT L3 cache schema"},
                {"mem-bw-schema", 0, OPT_STRING, &f.mba, "The string of Intel RDT/MBA memory bandwidth schema"},
                {0},
        };
        cleanup_json struct json_object *res = NULL;
        struct container_state s = {0};
        struct cgroup_host host = {0};
        struct cgroup_plan plan = {0};
        char **pos = NULL;
        const char *id;
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
        if (f.resources) {
                cleanup_free char *buf = NULL;
                size_t len = 0;
                r = strcmp(f.resources, "-") == 0 ? read_all_stdin(&buf, &len, &ctx->err)
                                                  : fs_read_file(AT_FDCWD, f.resources, &buf, &len, &ctx->err);
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
                r = flags_to_resources(&f, res, &ctx->err);
                if (r < 0)
                        goto out;
        }

        r = container_load(&ctx->rt, id, &s, &ctx->err);
        if (r < 0)
                goto out;
        r = cgroup_host_detect(&host, &ctx->err);
        if (r < 0)
                goto out;
        r = cgroup_resources_plan(res, &host, &plan, &ctx->err);
        if (r < 0) {
                resources_error(&ctx->err, f.resources != NULL);
                goto out;
        }
        strv_foreach(w, plan.warnings)
        {
                cleanup_free char *line = f.resources ? NULL : flag_line(w);
                log_warn("%s: %s", id, line ? line : w);
        }
        /* runc checks the schemata flags after the resources, with or without --resources. */
        r = check_rdt(&f, &ctx->err);
        if (r < 0)
                goto out;
        r = cgroup_resources_apply(&host, s.cgroup_dirs, &plan, &ctx->err);
        if (r < 0)
                resources_error(&ctx->err, f.resources != NULL);
out:
        cgroup_plan_done(&plan);
        cgroup_host_done(&host);
        state_done(&s);
        free(pos);
        return r < 0 ? 1 : 0;
}
