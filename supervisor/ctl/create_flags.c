/* supervisor/ctl/create_flags.c: docker create/run flags → the API's create body. Written once
 * here for berthctl create (and run, later). */
#include <config.h>

#include "supervisor/ctl/create_flags.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

void
ctl_create_done(struct ctl_create *c)
{
        if (c == NULL)
                return;
        if (c->body)
                json_object_put(c->body);
        free(c->name);
        free(c->cidfile);
        memset(c, 0, sizeof(*c));
}

int
ctl_parse_bytes(const char *s, int64_t *ret, berth_error_t **err)
{
        char *end = NULL;
        double v;
        int64_t mult = 1;

        errno = 0;
        v = strtod(s, &end);
        if (end == s || errno != 0 || v < 0)
                return berth_error_new(err, EINVAL, "invalid size: '%s'", s);
        switch (tolower((unsigned char) *end)) {
        case '\0':
                break;
        case 'b':
                break;
        case 'k':
                mult = 1024;
                break;
        case 'm':
                mult = 1024 * 1024;
                break;
        case 'g':
                mult = 1024LL * 1024 * 1024;
                break;
        case 't':
                mult = 1024LL * 1024 * 1024 * 1024;
                break;
        default:
                return berth_error_new(err, EINVAL, "invalid size: '%s'", s);
        }
        if (*end) {
                end++;
                if (tolower((unsigned char) *end) == 'b' && end[-1] != 'b' && end[-1] != 'B')
                        end++;
                if (*end != '\0')
                        return berth_error_new(err, EINVAL, "invalid size: '%s'", s);
        }
        *ret = (int64_t) (v * (double) mult);
        return 0;
}

int
ctl_parse_duration(const char *s, int64_t *ret, berth_error_t **err)
{
        static const struct {
                const char *unit;
                double ns;
        } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
        const char *p = s;
        double total = 0;

        if (strcmp(s, "0") == 0) {
                *ret = 0;
                return 0;
        }
        if (*p == '\0')
                return berth_error_new(err, EINVAL, "time: invalid duration \"%s\"", s);
        while (*p) {
                char *end = NULL;
                double v = strtod(p, &end);
                size_t best = 0;
                double mult = 0;
                if (end == p)
                        return berth_error_new(err, EINVAL, "time: invalid duration \"%s\"", s);
                for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                        size_t n = strlen(units[i].unit);
                        if (strncmp(end, units[i].unit, n) == 0 && n > best) {
                                best = n;
                                mult = units[i].ns;
                        }
                }
                if (best == 0)
                        return berth_error_new(err, EINVAL, "time: missing unit in duration \"%s\"",
                                               s);
                total += v * mult;
                p = end + best;
        }
        *ret = (int64_t) total;
        return 0;
}

static struct json_object *
obj(struct json_object *parent, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(parent, key, &v) || v == NULL) {
                v = json_object_new_object();
                json_object_object_add(parent, key, v);
        }
        return v;
}

static struct json_object *
arr(struct json_object *parent, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(parent, key, &v) || v == NULL) {
                v = json_object_new_array();
                json_object_object_add(parent, key, v);
        }
        return v;
}

static void
push(struct json_object *parent, const char *key, const char *s)
{
        json_object_array_add(arr(parent, key), json_object_new_string(s));
}

static const char *
env_lookup(char *const *env, const char *key)
{
        size_t n = strlen(key);
        strv_foreach(e, env)
                if (strncmp(e, key, n) == 0 && e[n] == '=')
                        return e + n + 1;
        return NULL;
}

/* -e KEY=V as is; -e KEY takes the client's value, or is dropped when unset (docker). */
static void
add_env(struct json_object *cfg, const char *kv, char *const *env)
{
        const char *v;
        if (strchr(kv, '=')) {
                push(cfg, "Env", kv);
                return;
        }
        v = env_lookup(env, kv);
        if (v) {
                cleanup_free char *s = xasprintf("%s=%s", kv, v);
                push(cfg, "Env", s);
        }
}

static int
add_env_file(struct json_object *cfg, const char *path, char *const *env, berth_error_t **err)
{
        cleanup_free char *buf = NULL;
        size_t len = 0;
        char *save = NULL;
        int r = fs_read_file(AT_FDCWD, path, &buf, &len, err);

        if (r < 0)
                return r;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *l = line + strspn(line, " \t");
                size_t n = strlen(l);
                if (n && l[n - 1] == '\r')
                        l[n - 1] = '\0';
                if (l[0] == '\0' || l[0] == '#')
                        continue;
                add_env(cfg, l, env);
        }
        return 0;
}

/* --security-opt as the docker CLI sends it (cli/command/container/opts.go parseSecurityOpts):
 * "seccomp=FILE" becomes "seccomp=<FILE's JSON, compacted>"; "unconfined" and "builtin" stay. */
static int
add_security_opt(struct json_object *hc, const char *arg, berth_error_t **err)
{
        size_t klen = strcspn(arg, "=:");
        const char *file = arg + klen + 1;
        cleanup_json struct json_object *profile = NULL;
        cleanup_free char *buf = NULL;
        cleanup_free char *opt = NULL;
        size_t len = 0;
        int r;

        if (klen != 7 || strncmp(arg, "seccomp", 7) != 0 || arg[klen] == '\0'
            || strcmp(file, "unconfined") == 0 || strcmp(file, "builtin") == 0) {
                push(hc, "SecurityOpt", arg);
                return 0;
        }
        r = fs_read_file(AT_FDCWD, file, &buf, &len, err);
        if (r < 0)
                return berth_error_prefix(err, "opening seccomp profile (%s) failed", file);
        r = json_parse_buffer(buf, len, &profile, err);
        if (r < 0)
                return berth_error_prefix(err, "compacting json for seccomp profile (%s) failed",
                                          file);
        opt = xasprintf("seccomp=%s",
                        json_object_to_json_string_ext(
                                profile, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        push(hc, "SecurityOpt", opt);
        return 0;
}

static int
kv_into(struct json_object *o, const char *s, bool need_value, const char *what,
        berth_error_t **err)
{
        const char *eq = strchr(s, '=');
        cleanup_free char *k = eq ? xstrndup(s, (size_t) (eq - s)) : xstrdup(s);

        if (k[0] == '\0' || (need_value && eq == NULL))
                return berth_error_new(err, EINVAL, "invalid argument \"%s\" for \"%s\" flag", s,
                                       what);
        json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
        return 0;
}

static int
add_ulimit(struct json_object *hc, const char *s, berth_error_t **err)
{
        const char *eq = strchr(s, '=');
        cleanup_free char *name = NULL;
        char *end = NULL;
        long long soft, hard;
        struct json_object *u;

        if (eq == NULL)
                return berth_error_new(err, EINVAL, "invalid ulimit argument: %s", s);
        name = xstrndup(s, (size_t) (eq - s));
        soft = strtoll(eq + 1, &end, 10);
        if (end == eq + 1)
                return berth_error_new(err, EINVAL, "invalid ulimit argument: %s", s);
        hard = soft;
        if (*end == ':') {
                const char *h = end + 1;
                hard = strtoll(h, &end, 10);
                if (end == h)
                        return berth_error_new(err, EINVAL, "invalid ulimit argument: %s", s);
        }
        if (*end != '\0')
                return berth_error_new(err, EINVAL, "invalid ulimit argument: %s", s);
        u = json_object_new_object();
        json_object_object_add(u, "Name", json_object_new_string(name));
        json_object_object_add(u, "Hard", json_object_new_int64(hard));
        json_object_object_add(u, "Soft", json_object_new_int64(soft));
        json_object_array_add(arr(hc, "Ulimits"), u);
        return 0;
}

static int
add_device(struct json_object *hc, const char *s, berth_error_t **err)
{
        cleanup_free char *c = xstrdup(s);
        char *dst = strchr(c, ':'), *perm = NULL;
        struct json_object *d = json_object_new_object();

        if (dst) {
                *dst++ = '\0';
                perm = strchr(dst, ':');
                if (perm)
                        *perm++ = '\0';
                else if (dst[0] != '/') {
                        perm = dst;
                        dst = NULL;
                }
        }
        if (c[0] != '/') {
                json_object_put(d);
                return berth_error_new(err, EINVAL, "invalid argument \"%s\" for \"--device\" flag",
                                       s);
        }
        json_object_object_add(d, "PathOnHost", json_object_new_string(c));
        json_object_object_add(d, "PathInContainer", json_object_new_string(dst ? dst : c));
        json_object_object_add(d, "CgroupPermissions", json_object_new_string(perm ? perm : "rwm"));
        json_object_array_add(arr(hc, "Devices"), d);
        return 0;
}

/* --mount's volume-nocopy, volume-driver, volume-opt=K=V and volume-label=K=V into
 * VolumeOptions (NoCopy, DriverConfig {Name, Options}, Labels), as the docker CLI sends them. */
static bool
volume_option(struct json_object *m, const char *k, const char *v, bool has_value)
{
        struct json_object *vo = obj(m, "VolumeOptions");

        if (strcmp(k, "nocopy") == 0) {
                json_object_object_add(vo, "NoCopy",
                                       json_object_new_boolean(!has_value || strcmp(v, "true") == 0
                                                               || strcmp(v, "1") == 0));
                return true;
        }
        if (strcmp(k, "driver") == 0) {
                json_object_object_add(obj(vo, "DriverConfig"), "Name", json_object_new_string(v));
                return true;
        }
        if (strcmp(k, "opt") == 0 || strcmp(k, "label") == 0) {
                const char *eq = strchr(v, '=');
                cleanup_free char *key = eq ? xstrndup(v, (size_t) (eq - v)) : xstrdup(v);
                struct json_object *into = strcmp(k, "opt") == 0
                                                   ? obj(obj(vo, "DriverConfig"), "Options")
                                                   : obj(vo, "Labels");
                json_object_object_add(into, key, json_object_new_string(eq ? eq + 1 : ""));
                return true;
        }
        return false;
}

static int
add_mount(struct json_object *hc, const char *s, berth_error_t **err)
{
        cleanup_free char *c = xstrdup(s);
        struct json_object *m = json_object_new_object();
        char *save = NULL;

        for (char *kv = strtok_r(c, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '=');
                const char *k = kv, *v = eq ? eq + 1 : "";
                if (eq)
                        *eq = '\0';
                if (strcmp(k, "type") == 0)
                        json_object_object_add(m, "Type", json_object_new_string(v));
                else if (strcmp(k, "source") == 0 || strcmp(k, "src") == 0)
                        json_object_object_add(m, "Source", json_object_new_string(v));
                else if (strcmp(k, "target") == 0 || strcmp(k, "destination") == 0
                         || strcmp(k, "dst") == 0)
                        json_object_object_add(m, "Target", json_object_new_string(v));
                else if (strcmp(k, "readonly") == 0 || strcmp(k, "ro") == 0)
                        json_object_object_add(m, "ReadOnly",
                                               json_object_new_boolean(!eq || strcmp(v, "true") == 0
                                                                       || strcmp(v, "1") == 0));
                else if (strcmp(k, "bind-propagation") == 0) {
                        struct json_object *bo = json_object_new_object();
                        json_object_object_add(bo, "Propagation", json_object_new_string(v));
                        json_object_object_add(m, "BindOptions", bo);
                } else if (strncmp(k, "volume-", 7) == 0
                           && volume_option(m, k + 7, v, eq != NULL)) {
                        ;
                } else {
                        json_object_put(m);
                        return berth_error_new(err, EINVAL, "unexpected key '%s' in '%s'", k, s);
                }
        }
        if (!json_object_object_get_ex(m, "Type", NULL))
                json_object_object_add(m, "Type", json_object_new_string("volume"));
        json_object_array_add(arr(hc, "Mounts"), m);
        return 0;
}

int
ctl_parse_restart_policy(struct json_object *hc, const char *s, berth_error_t **err)
{
        struct json_object *rp = json_object_new_object();
        const char *colon = strchr(s, ':');
        cleanup_free char *name = colon ? xstrndup(s, (size_t) (colon - s)) : xstrdup(s);
        long n = colon ? strtol(colon + 1, NULL, 10) : 0;

        if (strcmp(name, "no") != 0 && strcmp(name, "always") != 0
            && strcmp(name, "unless-stopped") != 0 && strcmp(name, "on-failure") != 0) {
                json_object_put(rp);
                return berth_error_new(err, EINVAL, "invalid restart policy '%s'", name);
        }
        if (colon && strcmp(name, "on-failure") != 0) {
                json_object_put(rp);
                return berth_error_new(
                        err, EINVAL, "maximum retry count cannot be used with restart policy '%s'",
                        name);
        }
        json_object_object_add(rp, "Name", json_object_new_string(name));
        json_object_object_add(rp, "MaximumRetryCount", json_object_new_int64(n));
        json_object_object_add(hc, "RestartPolicy", rp);
        return 0;
}

enum {
        O_NAME = 1000,
        O_ENTRYPOINT,
        O_ADD_HOST,
        O_INIT,
        O_READ_ONLY,
        O_TMPFS,
        O_PRIVILEGED,
        O_CAP_ADD,
        O_CAP_DROP,
        O_DEVICE,
        O_SECURITY_OPT,
        O_ULIMIT,
        O_STOP_SIGNAL,
        O_STOP_TIMEOUT,
        O_LOG_OPT,
        O_LOG_DRIVER,
        O_RESTART,
        O_MEMORY_SWAP,
        O_MEMORY_RESERVATION,
        O_OOM_KILL_DISABLE,
        O_OOM_SCORE_ADJ,
        O_CPUS,
        O_CPUSET_CPUS,
        O_PIDS_LIMIT,
        O_BLKIO_WEIGHT,
        O_PID,
        O_IPC,
        O_UTS,
        O_CGROUPNS,
        O_CGROUP_PARENT,
        O_SYSCTL,
        O_GROUP_ADD,
        O_SHM_SIZE,
        O_CIDFILE,
        O_HEALTH_CMD,
        O_HEALTH_INTERVAL,
        O_HEALTH_TIMEOUT,
        O_HEALTH_RETRIES,
        O_HEALTH_START,
        O_NO_HEALTH,
        O_ENV_FILE,
        O_RM,
        O_MOUNT,
        O_VOLUMES_FROM,
        O_NETWORK,
        O_DNS,
        O_DNS_SEARCH,
        O_DNS_OPTION,
        O_DOMAINNAME,
        O_EXPOSE,
        O_PLATFORM,
        O_PULL,
        O_SIG_PROXY,
        O_DETACH_KEYS,
};

static const struct option create_opts[] = {
        {"detach", no_argument, NULL, 'd'},
        {"attach", required_argument, NULL, 'a'},
        {"sig-proxy", optional_argument, NULL, O_SIG_PROXY},
        {"detach-keys", required_argument, NULL, O_DETACH_KEYS},
        {"interactive", no_argument, NULL, 'i'},
        {"tty", no_argument, NULL, 't'},
        {"rm", no_argument, NULL, O_RM},
        {"name", required_argument, NULL, O_NAME},
        {"env", required_argument, NULL, 'e'},
        {"env-file", required_argument, NULL, O_ENV_FILE},
        {"workdir", required_argument, NULL, 'w'},
        {"user", required_argument, NULL, 'u'},
        {"entrypoint", required_argument, NULL, O_ENTRYPOINT},
        {"hostname", required_argument, NULL, 'h'},
        {"domainname", required_argument, NULL, O_DOMAINNAME},
        {"add-host", required_argument, NULL, O_ADD_HOST},
        {"label", required_argument, NULL, 'l'},
        {"init", no_argument, NULL, O_INIT},
        {"read-only", no_argument, NULL, O_READ_ONLY},
        {"tmpfs", required_argument, NULL, O_TMPFS},
        {"privileged", no_argument, NULL, O_PRIVILEGED},
        {"cap-add", required_argument, NULL, O_CAP_ADD},
        {"cap-drop", required_argument, NULL, O_CAP_DROP},
        {"device", required_argument, NULL, O_DEVICE},
        {"security-opt", required_argument, NULL, O_SECURITY_OPT},
        {"ulimit", required_argument, NULL, O_ULIMIT},
        {"stop-signal", required_argument, NULL, O_STOP_SIGNAL},
        {"stop-timeout", required_argument, NULL, O_STOP_TIMEOUT},
        {"log-opt", required_argument, NULL, O_LOG_OPT},
        {"log-driver", required_argument, NULL, O_LOG_DRIVER},
        {"restart", required_argument, NULL, O_RESTART},
        {"memory", required_argument, NULL, 'm'},
        {"memory-swap", required_argument, NULL, O_MEMORY_SWAP},
        {"memory-reservation", required_argument, NULL, O_MEMORY_RESERVATION},
        {"oom-kill-disable", no_argument, NULL, O_OOM_KILL_DISABLE},
        {"oom-score-adj", required_argument, NULL, O_OOM_SCORE_ADJ},
        {"cpus", required_argument, NULL, O_CPUS},
        {"cpu-shares", required_argument, NULL, 'c'},
        {"cpuset-cpus", required_argument, NULL, O_CPUSET_CPUS},
        {"pids-limit", required_argument, NULL, O_PIDS_LIMIT},
        {"blkio-weight", required_argument, NULL, O_BLKIO_WEIGHT},
        {"pid", required_argument, NULL, O_PID},
        {"ipc", required_argument, NULL, O_IPC},
        {"uts", required_argument, NULL, O_UTS},
        {"cgroupns", required_argument, NULL, O_CGROUPNS},
        {"cgroup-parent", required_argument, NULL, O_CGROUP_PARENT},
        {"sysctl", required_argument, NULL, O_SYSCTL},
        {"group-add", required_argument, NULL, O_GROUP_ADD},
        {"shm-size", required_argument, NULL, O_SHM_SIZE},
        {"cidfile", required_argument, NULL, O_CIDFILE},
        {"health-cmd", required_argument, NULL, O_HEALTH_CMD},
        {"health-interval", required_argument, NULL, O_HEALTH_INTERVAL},
        {"health-timeout", required_argument, NULL, O_HEALTH_TIMEOUT},
        {"health-retries", required_argument, NULL, O_HEALTH_RETRIES},
        {"health-start-period", required_argument, NULL, O_HEALTH_START},
        {"no-healthcheck", no_argument, NULL, O_NO_HEALTH},
        {"volume", required_argument, NULL, 'v'},
        {"mount", required_argument, NULL, O_MOUNT},
        {"volumes-from", required_argument, NULL, O_VOLUMES_FROM},
        {"network", required_argument, NULL, O_NETWORK},
        {"net", required_argument, NULL, O_NETWORK},
        {"dns", required_argument, NULL, O_DNS},
        {"dns-search", required_argument, NULL, O_DNS_SEARCH},
        {"dns-option", required_argument, NULL, O_DNS_OPTION},
        {"expose", required_argument, NULL, O_EXPOSE},
        {"platform", required_argument, NULL, O_PLATFORM},
        {"pull", required_argument, NULL, O_PULL},
        {NULL, 0, NULL, 0},
};

int
ctl_parse_int(const char *s, const char *flag, int64_t *ret, berth_error_t **err)
{
        char *end = NULL;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0')
                return berth_error_new(
                        err, EINVAL,
                        "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: parsing \"%s\": invalid syntax",
                        s, flag, s);
        *ret = v;
        return 0;
}

static int
health_duration(struct json_object *hc_health, const char *key, const char *s, const char *flag,
                berth_error_t **err)
{
        int64_t ns = 0;
        int r = ctl_parse_duration(s, &ns, err);
        if (r < 0)
                return berth_error_prefix(err, "invalid argument \"%s\" for \"%s\" flag", s, flag);
        json_object_object_add(hc_health, key, json_object_new_int64(ns));
        return 0;
}

static int
one_flag(int c, const char *arg, struct json_object *cfg, struct json_object *hc,
         struct ctl_create *out, char *const *env, berth_error_t **err)
{
        int64_t n = 0;
        int r = 0;

        switch (c) {
        case 'd':
                out->detach = true;
                break;
        case 'i':
                json_object_object_add(cfg, "OpenStdin", json_object_new_boolean(true));
                json_object_object_add(cfg, "AttachStdin", json_object_new_boolean(true));
                json_object_object_add(cfg, "StdinOnce", json_object_new_boolean(true));
                break;
        case 't':
                json_object_object_add(cfg, "Tty", json_object_new_boolean(true));
                break;
        case 'a':
                if (strcasecmp(arg, "stdin") == 0)
                        out->attach |= 1;
                else if (strcasecmp(arg, "stdout") == 0)
                        out->attach |= 2;
                else if (strcasecmp(arg, "stderr") == 0)
                        out->attach |= 4;
                else
                        r = berth_error_new(err, EINVAL,
                                            "invalid argument \"%s\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR",
                                            arg);
                break;
        case O_SIG_PROXY:
                out->no_sig_proxy = arg && (strcmp(arg, "false") == 0 || strcmp(arg, "0") == 0);
                break;
        case O_DETACH_KEYS:
                break; /* the client's (run.c reads it), not the container's */
        case O_RM:
                out->rm = true;
                json_object_object_add(hc, "AutoRemove", json_object_new_boolean(true));
                break;
        case O_NAME:
                free(out->name);
                out->name = xstrdup(arg);
                break;
        case 'e':
                add_env(cfg, arg, env);
                break;
        case O_ENV_FILE:
                r = add_env_file(cfg, arg, env, err);
                break;
        case 'w':
                json_object_object_add(cfg, "WorkingDir", json_object_new_string(arg));
                break;
        case 'u':
                json_object_object_add(cfg, "User", json_object_new_string(arg));
                break;
        case O_ENTRYPOINT: {
                /* `--entrypoint ""` resets the image's: the CLI sends [""]. */
                struct json_object *a = json_object_new_array();
                json_object_array_add(a, json_object_new_string(arg));
                json_object_object_add(cfg, "Entrypoint", a);
                break;
        }
        case 'h':
                json_object_object_add(cfg, "Hostname", json_object_new_string(arg));
                break;
        case O_DOMAINNAME:
                json_object_object_add(cfg, "Domainname", json_object_new_string(arg));
                break;
        case O_ADD_HOST:
                push(hc, "ExtraHosts", arg);
                break;
        case 'l':
                r = kv_into(obj(cfg, "Labels"), arg, false, "--label", err);
                break;
        case O_INIT:
                json_object_object_add(hc, "Init", json_object_new_boolean(true));
                break;
        case O_READ_ONLY:
                json_object_object_add(hc, "ReadonlyRootfs", json_object_new_boolean(true));
                break;
        case O_TMPFS: {
                const char *colon = strchr(arg, ':');
                cleanup_free char *p = colon ? xstrndup(arg, (size_t) (colon - arg)) : xstrdup(arg);
                json_object_object_add(obj(hc, "Tmpfs"), p,
                                       json_object_new_string(colon ? colon + 1 : ""));
                break;
        }
        case O_PRIVILEGED:
                json_object_object_add(hc, "Privileged", json_object_new_boolean(true));
                break;
        case O_CAP_ADD:
                push(hc, "CapAdd", arg);
                break;
        case O_CAP_DROP:
                push(hc, "CapDrop", arg);
                break;
        case O_DEVICE:
                r = add_device(hc, arg, err);
                break;
        case O_SECURITY_OPT:
                r = add_security_opt(hc, arg, err);
                break;
        case O_ULIMIT:
                r = add_ulimit(hc, arg, err);
                break;
        case O_LOG_OPT:
        case O_LOG_DRIVER: {
                /* HostConfig.LogConfig {Type, Config{k: v}} as the docker CLI sends it. */
                struct json_object *lc = NULL, *lcc = NULL;
                if (!json_object_object_get_ex(hc, "LogConfig", &lc)) {
                        lc = json_object_new_object();
                        json_object_object_add(lc, "Type", json_object_new_string(""));
                        json_object_object_add(lc, "Config", json_object_new_object());
                        json_object_object_add(hc, "LogConfig", lc);
                }
                if (c == O_LOG_DRIVER) {
                        json_object_object_add(lc, "Type", json_object_new_string(arg));
                        break;
                }
                const char *eq = strchr(arg, '=');
                if (eq == NULL) {
                        r = berth_error_new(err, EINVAL,
                                            "invalid argument \"%s\" for \"--log-opt\" flag: invalid key value pair format", arg);
                        break;
                }
                json_object_object_get_ex(lc, "Config", &lcc);
                cleanup_free char *k = xstrndup(arg, (size_t) (eq - arg));
                json_object_object_add(lcc, k, json_object_new_string(eq + 1));
                break;
        }
        case O_STOP_SIGNAL:
                json_object_object_add(cfg, "StopSignal", json_object_new_string(arg));
                break;
        case O_STOP_TIMEOUT:
                r = ctl_parse_int(arg, "--stop-timeout", &n, err);
                if (r == 0)
                        json_object_object_add(cfg, "StopTimeout", json_object_new_int64(n));
                break;
        case O_RESTART:
                r = ctl_parse_restart_policy(hc, arg, err);
                break;
        case 'm':
        case O_MEMORY_RESERVATION:
        case O_SHM_SIZE:
                r = ctl_parse_bytes(arg, &n, err);
                if (r == 0)
                        json_object_object_add(hc,
                                               c == 'm'          ? "Memory"
                                               : c == O_SHM_SIZE ? "ShmSize"
                                                                 : "MemoryReservation",
                                               json_object_new_int64(n));
                break;
        case O_MEMORY_SWAP:
                if (strcmp(arg, "-1") == 0)
                        n = -1;
                else
                        r = ctl_parse_bytes(arg, &n, err);
                if (r == 0)
                        json_object_object_add(hc, "MemorySwap", json_object_new_int64(n));
                break;
        case O_OOM_KILL_DISABLE:
                json_object_object_add(hc, "OomKillDisable", json_object_new_boolean(true));
                break;
        case O_OOM_SCORE_ADJ:
                r = ctl_parse_int(arg, "--oom-score-adj", &n, err);
                if (r == 0)
                        json_object_object_add(hc, "OomScoreAdj", json_object_new_int64(n));
                break;
        case O_CPUS: {
                char *end = NULL;
                double v = strtod(arg, &end);
                if (end == arg || *end != '\0' || v < 0)
                        return berth_error_new(
                                err, EINVAL,
                                "invalid argument \"%s\" for \"--cpus\" flag: failed to parse %s as a rational number",
                                arg, arg);
                json_object_object_add(hc, "NanoCpus",
                                       json_object_new_int64((int64_t) (v * 1e9 + 0.5)));
                break;
        }
        case 'c':
                r = ctl_parse_int(arg, "--cpu-shares", &n, err);
                if (r == 0)
                        json_object_object_add(hc, "CpuShares", json_object_new_int64(n));
                break;
        case O_CPUSET_CPUS:
                json_object_object_add(hc, "CpusetCpus", json_object_new_string(arg));
                break;
        case O_PIDS_LIMIT:
                r = ctl_parse_int(arg, "--pids-limit", &n, err);
                if (r == 0)
                        json_object_object_add(hc, "PidsLimit", json_object_new_int64(n));
                break;
        case O_BLKIO_WEIGHT:
                r = ctl_parse_int(arg, "--blkio-weight", &n, err);
                if (r == 0)
                        json_object_object_add(hc, "BlkioWeight", json_object_new_int64(n));
                break;
        case O_PID:
                json_object_object_add(hc, "PidMode", json_object_new_string(arg));
                break;
        case O_IPC:
                json_object_object_add(hc, "IpcMode", json_object_new_string(arg));
                break;
        case O_UTS:
                json_object_object_add(hc, "UTSMode", json_object_new_string(arg));
                break;
        case O_CGROUPNS:
                json_object_object_add(hc, "CgroupnsMode", json_object_new_string(arg));
                break;
        case O_CGROUP_PARENT:
                json_object_object_add(hc, "CgroupParent", json_object_new_string(arg));
                break;
        case O_SYSCTL:
                r = kv_into(obj(hc, "Sysctls"), arg, true, "--sysctl", err);
                break;
        case O_GROUP_ADD:
                push(hc, "GroupAdd", arg);
                break;
        case O_CIDFILE:
                free(out->cidfile);
                out->cidfile = xstrdup(arg);
                break;
        case O_HEALTH_CMD: {
                struct json_object *t = json_object_new_array();
                json_object_array_add(t, json_object_new_string("CMD-SHELL"));
                json_object_array_add(t, json_object_new_string(arg));
                json_object_object_add(obj(cfg, "Healthcheck"), "Test", t);
                break;
        }
        case O_HEALTH_INTERVAL:
                r = health_duration(obj(cfg, "Healthcheck"), "Interval", arg, "--health-interval",
                                    err);
                break;
        case O_HEALTH_TIMEOUT:
                r = health_duration(obj(cfg, "Healthcheck"), "Timeout", arg, "--health-timeout",
                                    err);
                break;
        case O_HEALTH_START:
                r = health_duration(obj(cfg, "Healthcheck"), "StartPeriod", arg,
                                    "--health-start-period", err);
                break;
        case O_HEALTH_RETRIES:
                r = ctl_parse_int(arg, "--health-retries", &n, err);
                if (r == 0)
                        json_object_object_add(obj(cfg, "Healthcheck"), "Retries",
                                               json_object_new_int64(n));
                break;
        case O_NO_HEALTH: {
                struct json_object *t = json_object_new_array();
                json_object_array_add(t, json_object_new_string("NONE"));
                json_object_object_add(obj(cfg, "Healthcheck"), "Test", t);
                break;
        }
        case 'v': {
                /* "/path" alone is an anonymous volume; "src:dst[:opts]" a bind, or for a
                 * name a named volume. */
                if (strchr(arg, ':') == NULL)
                        json_object_object_add(obj(cfg, "Volumes"), arg, json_object_new_object());
                else
                        push(hc, "Binds", arg);
                break;
        }
        case O_MOUNT:
                r = add_mount(hc, arg, err);
                break;
        case O_VOLUMES_FROM:
                push(hc, "VolumesFrom", arg);
                break;
        case O_NETWORK:
                json_object_object_add(hc, "NetworkMode", json_object_new_string(arg));
                break;
        case O_DNS:
                push(hc, "Dns", arg);
                break;
        case O_DNS_SEARCH:
                push(hc, "DnsSearch", arg);
                break;
        case O_DNS_OPTION:
                push(hc, "DnsOptions", arg);
                break;
        case O_EXPOSE: {
                cleanup_free char *p = strchr(arg, '/') ? xstrdup(arg) : xasprintf("%s/tcp", arg);
                json_object_object_add(obj(cfg, "ExposedPorts"), p, json_object_new_object());
                break;
        }
        case O_PLATFORM:
        case O_PULL:
                break;
        default:
                return berth_error_new(err, EINVAL, "unknown flag");
        }
        return r;
}

int
ctl_create_parse(int argc, char **argv, char *const *env, struct ctl_create *ret,
                 berth_error_t **err)
{
        struct ctl_create out = {0};
        struct json_object *cfg = json_object_new_object(), *hc = json_object_new_object();
        int c, r;

        out.body = cfg;
        json_object_object_add(cfg, "HostConfig", hc);
        optind = 0;
        opterr = 0;
        /* "+": flags end at the image name; what follows is the command. */
        while ((c = getopt_long(argc, argv, "+a:dith:e:w:u:l:m:c:v:", create_opts, NULL)) != -1) {
                if (c == '?' || c == ':') {
                        const char *bad = argv[optind - 1];
                        ctl_create_done(&out);
                        if (c == ':' || (optopt && strchr("ahewulmcv", optopt)))
                                return berth_error_new(err, EINVAL, "flag needs an argument: %s",
                                                       bad);
                        return berth_error_new(err, EINVAL, "unknown flag: %s", bad);
                }
                r = one_flag(c, optarg, cfg, hc, &out, env, err);
                if (r < 0) {
                        ctl_create_done(&out);
                        return r;
                }
        }
        if (optind >= argc) {
                ctl_create_done(&out);
                return berth_error_new(err, EINVAL, "\"%s\" requires at least 1 argument.",
                                       argv[0]);
        }
        json_object_object_add(cfg, "Image", json_object_new_string(argv[optind]));
        if (optind + 1 < argc) {
                struct json_object *cmd = json_object_new_array();
                for (int i = optind + 1; i < argc; i++)
                        json_object_array_add(cmd, json_object_new_string(argv[i]));
                json_object_object_add(cfg, "Cmd", cmd);
        }
        /* Without -i, docker create attaches stdout and stderr (it matters for run). */
        if (!json_object_object_get_ex(cfg, "AttachStdin", NULL)) {
                json_object_object_add(cfg, "AttachStdin", json_object_new_boolean(false));
                json_object_object_add(cfg, "OpenStdin", json_object_new_boolean(false));
        }
        json_object_object_add(cfg, "AttachStdout", json_object_new_boolean(!out.detach));
        json_object_object_add(cfg, "AttachStderr", json_object_new_boolean(!out.detach));
        if (out.attach) {
                /* -a: just those streams (stdin only with -i, as docker). */
                json_object_object_add(cfg, "AttachStdout", json_object_new_boolean(out.attach & 2));
                json_object_object_add(cfg, "AttachStderr", json_object_new_boolean(out.attach & 4));
                if (!(out.attach & 1))
                        json_object_object_add(cfg, "AttachStdin", json_object_new_boolean(false));
        }
        if (!json_object_object_get_ex(hc, "NetworkMode", NULL))
                json_object_object_add(hc, "NetworkMode", json_object_new_string("default"));
        *ret = out;
        return 0;
}
