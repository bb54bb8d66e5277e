/* supervisor/containers/spec.c: config.json for a docker container: dockerd's default spec
 * (capabilities, namespaces, mounts, masked and read-only paths, device rules) with the
 * HostConfig fields that map to the spec applied over it, each bad value refused with
 * dockerd's message. Pure: no file is read (devices go through in->device_stat). */
#include <config.h>

#include "supervisor/containers/spec.h"
#include "supervisor/init/policy.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/config.h"
#include "supervisor/containers/nsjoin.h"
#include "supervisor/containers/seccomp.h"
#include "supervisor/containers/user.h"
#include "supervisor/volumes/plan.h"

/* moby oci/caps/defaults.go */
const char *const container_default_caps[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE",
        NULL,
};

/* Every capability up to CAP_CHECKPOINT_RESTORE (Linux 5.9), in number order. */
static const char *const all_caps[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
        NULL,
};

/* moby oci/defaults.go */
static const char *const masked_paths[] = {
        "/proc/asound",
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        NULL,
};
static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const struct {
        const char *name;
        const char *res;
} rlimits[] = {
        {"core", "RLIMIT_CORE"},         {"cpu", "RLIMIT_CPU"},
        {"data", "RLIMIT_DATA"},         {"fsize", "RLIMIT_FSIZE"},
        {"locks", "RLIMIT_LOCKS"},       {"memlock", "RLIMIT_MEMLOCK"},
        {"msgqueue", "RLIMIT_MSGQUEUE"}, {"nice", "RLIMIT_NICE"},
        {"nofile", "RLIMIT_NOFILE"},     {"nproc", "RLIMIT_NPROC"},
        {"rss", "RLIMIT_RSS"},           {"rtprio", "RLIMIT_RTPRIO"},
        {"rttime", "RLIMIT_RTTIME"},     {"sigpending", "RLIMIT_SIGPENDING"},
        {"stack", "RLIMIT_STACK"},
};

#define MIN_MEMORY  (6 * 1024 * 1024)
#define DEFAULT_SHM (64 * 1024 * 1024)
#define CPU_PERIOD  100000

static const char *
get_str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);
        if (v == NULL || !json_object_is_type(v, json_type_string))
                return "";
        return json_object_get_string(v);
}

static bool
get_bool(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);
        return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static int64_t
get_i64(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);
        if (v == NULL
            || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
                return 0;
        return json_object_get_int64(v);
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
        json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *
strv_to_json(const char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static struct json_object *
mount_new(const char *dest, const char *type, const char *source, const char *const *options)
{
        struct json_object *m = json_object_new_object();
        add_str(m, "destination", dest);
        add_str(m, "type", type);
        add_str(m, "source", source);
        json_object_object_add(m, "options", strv_to_json(options));
        return m;
}

/* "net_admin", "CAP_NET_ADMIN", "Net_Admin" → "CAP_NET_ADMIN"; NULL when unknown. */
static const char *
cap_normalise(const char *name)
{
        char buf[64];
        size_t off = strncasecmp(name, "CAP_", 4) == 0 ? 4 : 0;

        if (strlen(name) - off + 5 > sizeof(buf))
                return NULL;
        strcpy(buf, "CAP_");
        for (size_t i = 0; name[off + i]; i++)
                buf[4 + i] = (char) toupper((unsigned char) name[off + i]);
        buf[4 + strlen(name + off)] = '\0';
        for (size_t i = 0; all_caps[i]; i++)
                if (strcmp(all_caps[i], buf) == 0)
                        return all_caps[i];
        return NULL;
}

static bool
strv_has(char *const *v, const char *s)
{
        strv_foreach(x, v)
                if (strcmp(x, s) == 0)
                        return true;
        return false;
}

static int
json_strv(struct json_object *o, const char *key, char ***ret, berth_error_t **err)
{
        struct json_object *v = json_key(o, key);

        if (v == NULL)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return berth_error_new(err, EINVAL, "HostConfig.%s: expected an array", key);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                struct json_object *s = json_object_array_get_idx(v, i);
                if (!json_object_is_type(s, json_type_string))
                        return berth_error_new(err, EINVAL, "HostConfig.%s[%zu]: expected a string",
                                               key, i);
                strv_push(ret, json_object_get_string(s));
        }
        return 0;
}

/* moby's caps.TweakCapabilities: the defaults (or all, privileged), "ALL" in CapAdd adds every
 * capability, "ALL" in CapDrop drops all but those added. */
static int
build_caps(struct json_object *hc, uint64_t host_caps, char ***ret, berth_error_t **err)
{
        cleanup_strv char **add = NULL;
        cleanup_strv char **drop = NULL;
        cleanup_strv char **caps = NULL;
        cleanup_strv char **added = NULL;
        cleanup_strv char **dropped = NULL;
        bool add_all = false, drop_all = false;
        int r;

        if ((r = json_strv(hc, "CapAdd", &add, err)) < 0
            || (r = json_strv(hc, "CapDrop", &drop, err)) < 0)
                return r;
        strv_foreach(c, add) {
                const char *n;
                if (strcasecmp(c, "ALL") == 0) {
                        add_all = true;
                        continue;
                }
                n = cap_normalise(c);
                if (n == NULL)
                        return berth_error_new(err, EINVAL, "unknown capability: \"%s\"", c);
                strv_push(&added, n);
        }
        strv_foreach(c, drop) {
                const char *n;
                if (strcasecmp(c, "ALL") == 0) {
                        drop_all = true;
                        continue;
                }
                n = cap_normalise(c);
                if (n == NULL)
                        return berth_error_new(err, EINVAL, "unknown capability: \"%s\"", c);
                strv_push(&dropped, n);
        }
        if (get_bool(hc, "Privileged") || add_all) {
                /* moby takes every capability the kernel knows; one the daemon lacks itself
                 * cannot be granted (capset fails with EPERM), so those are left out. */
                for (size_t i = 0; all_caps[i]; i++)
                        if (!strv_has(dropped, all_caps[i])
                            && (host_caps == 0 || (host_caps & (UINT64_C(1) << i))))
                                strv_push(&caps, all_caps[i]);
        } else {
                if (!drop_all)
                        for (size_t i = 0; container_default_caps[i]; i++)
                                if (!strv_has(dropped, container_default_caps[i]))
                                        strv_push(&caps, container_default_caps[i]);
                strv_foreach(c, added)
                        if (!strv_has(caps, c))
                                strv_push(&caps, c);
        }
        *ret = TAKE_PTR(caps);
        return 0;
}

static struct json_object *
device_rule(bool allow, const char *type, int64_t major, int64_t minor, const char *access)
{
        struct json_object *d = json_object_new_object();
        json_object_object_add(d, "allow", json_object_new_boolean(allow));
        if (type)
                add_str(d, "type", type);
        if (major >= 0)
                json_object_object_add(d, "major", json_object_new_int64(major));
        if (minor >= 0)
                json_object_object_add(d, "minor", json_object_new_int64(minor));
        add_str(d, "access", access);
        return d;
}

/* The device cgroup: deny all, then docker's defaults (moby oci/defaults.go and
 * daemon/oci_linux.go's default allowed devices): mknod of anything, the /dev basics, ptys. */
static struct json_object *
default_device_rules(void)
{
        static const struct {
                int64_t major, minor;
        } allowed[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8},    {1, 9},
                       {5, 0}, {5, 1}, {5, 2}, {136, -1}, {10, 200}};
        struct json_object *a = json_object_new_array();

        json_object_array_add(a, device_rule(false, NULL, -1, -1, "rwm"));
        json_object_array_add(a, device_rule(true, "c", -1, -1, "m"));
        json_object_array_add(a, device_rule(true, "b", -1, -1, "m"));
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
                json_object_array_add(
                        a, device_rule(true, "c", allowed[i].major, allowed[i].minor, "rwm"));
        return a;
}

/* "--device /dev/fuse[:/dev/fuse[:rwm]]" as the API carries it. */
static int
add_devices(const struct container_spec_input *in, struct json_object *hc,
            struct json_object *devices, struct json_object *rules, berth_error_t **err)
{
        struct json_object *list = json_key(hc, "Devices");

        if (list == NULL)
                return 0;
        if (!json_object_is_type(list, json_type_array))
                return berth_error_new(err, EINVAL, "HostConfig.Devices: expected an array");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *d = json_object_array_get_idx(list, i), *dev;
                const char *host = get_str(d, "PathOnHost"), *ctr = get_str(d, "PathInContainer");
                const char *perm = get_str(d, "CgroupPermissions");
                char type = 0;
                int64_t major = 0, minor = 0;
                char t[2];
                int r;

                if (ctr[0] == '\0')
                        ctr = host;
                if (perm[0] == '\0')
                        perm = "rwm";
                if (perm[strspn(perm, "rwm")] != '\0')
                        return berth_error_new(err, EINVAL, "invalid device mode: %s", perm);
                if (host[0] != '/' || ctr[0] != '/')
                        return berth_error_new(err, EINVAL, "invalid device path: \"%s\"", host);
                if (in->device_stat == NULL)
                        return berth_error_new(err, EOPNOTSUPP, "devices: not supported here");
                r = in->device_stat(host, &type, &major, &minor, err);
                if (r < 0)
                        return r;
                t[0] = type;
                t[1] = '\0';
                dev = json_object_new_object();
                add_str(dev, "path", ctr);
                add_str(dev, "type", t);
                json_object_object_add(dev, "major", json_object_new_int64(major));
                json_object_object_add(dev, "minor", json_object_new_int64(minor));
                json_object_object_add(dev, "fileMode", json_object_new_int(020666));
                json_object_object_add(dev, "uid", json_object_new_int(0));
                json_object_object_add(dev, "gid", json_object_new_int(0));
                json_object_array_add(devices, dev);
                json_object_array_add(rules, device_rule(true, t, major, minor, perm));
        }
        return 0;
}

static bool
known_rlimit(const char *name, const char **ret)
{
        for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
                if (strcmp(rlimits[i].name, name) == 0) {
                        *ret = rlimits[i].res;
                        return true;
                }
        return false;
}

static int
build_rlimits(struct json_object *hc, struct json_object *process, berth_error_t **err)
{
        struct json_object *list = json_key(hc, "Ulimits"), *out;

        if (list == NULL || !json_object_is_type(list, json_type_array)
            || json_object_array_length(list) == 0)
                return 0;
        out = json_object_new_array();
        json_object_object_add(process, "rlimits", out);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *u = json_object_array_get_idx(list, i), *o;
                const char *res = NULL, *name = get_str(u, "Name");
                int64_t soft = get_i64(u, "Soft"), hard = get_i64(u, "Hard");
                if (!known_rlimit(name, &res))
                        return berth_error_new(err, EINVAL, "invalid ulimit type: %s", name);
                if (soft > hard)
                        return berth_error_new(
                                err, EINVAL,
                                "ulimit soft limit must be less than or equal to hard limit: %" PRId64
                                " > %" PRId64,
                                soft, hard);
                o = json_object_new_object();
                add_str(o, "type", res);
                json_object_object_add(o, "hard", json_object_new_uint64((uint64_t) hard));
                json_object_object_add(o, "soft", json_object_new_uint64((uint64_t) soft));
                json_object_array_add(out, o);
        }
        return 0;
}

/* Binds ("src:dst[:opts]") and Mounts of type bind/tmpfs. Volumes (NAME:/dst, a lone /dst,
 * type volume) are supervisor/volumes/plan.c's; they arrive as IN->volumes. */
static int
parse_bind(const char *spec, struct json_object *mounts, berth_error_t **err)
{
        cleanup_free char *s = xstrdup(spec);
        char *dst = strchr(s, ':'), *opts = NULL;
        cleanup_strv char **o = NULL;
        bool ro = false;
        const char *prop = "rprivate";

        if (dst == NULL)
                return berth_error_new(err, EINVAL, "invalid volume specification: '%s'", spec);
        *dst++ = '\0';
        opts = strchr(dst, ':');
        if (opts)
                *opts++ = '\0';
        if (s[0] != '/')
                return berth_error_new(err, EOPNOTSUPP,
                                       "named volumes (\"%s\"): not implemented yet", s);
        if (dst[0] != '/')
                return berth_error_new(
                        err, EINVAL,
                        "invalid volume specification: '%s': invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute",
                        spec, dst);
        if (strcmp(dst, "/") == 0)
                return berth_error_new(
                        err, EINVAL,
                        "invalid volume specification: '%s': invalid mount config for type \"bind\": invalid specification: destination can't be '/'",
                        spec);
        for (char *save = NULL, *t = opts ? strtok_r(opts, ",", &save) : NULL; t;
             t = strtok_r(NULL, ",", &save)) {
                if (strcmp(t, "ro") == 0)
                        ro = true;
                else if (strcmp(t, "rw") == 0 || strcmp(t, "z") == 0 || strcmp(t, "Z") == 0
                         || strcmp(t, "nocopy") == 0 || strcmp(t, "consistent") == 0
                         || strcmp(t, "cached") == 0 || strcmp(t, "delegated") == 0)
                        ;
                else if (strcmp(t, "shared") == 0 || strcmp(t, "rshared") == 0
                         || strcmp(t, "slave") == 0 || strcmp(t, "rslave") == 0
                         || strcmp(t, "private") == 0 || strcmp(t, "rprivate") == 0)
                        prop = t;
                else
                        return berth_error_new(err, EINVAL, "invalid mode: %s", t);
        }
        strv_push(&o, "rbind");
        strv_push(&o, prop);
        if (ro)
                strv_push(&o, "ro");
        json_object_array_add(mounts, mount_new(dst, "bind", s, (const char *const *) o));
        return 0;
}

static int
add_api_mounts(struct json_object *hc, struct json_object *mounts, berth_error_t **err)
{
        struct json_object *list = json_key(hc, "Mounts");

        for (size_t i = 0; list && json_object_is_type(list, json_type_array)
                           && i < json_object_array_length(list);
             i++) {
                struct json_object *m = json_object_array_get_idx(list, i);
                const char *type = get_str(m, "Type"), *src = get_str(m, "Source");
                const char *dst = get_str(m, "Target");
                cleanup_strv char **o = NULL;

                if (dst[0] != '/')
                        return berth_error_new(
                                err, EINVAL,
                                "invalid mount config for type \"%s\": invalid mount path: '%s' mount path must be absolute",
                                type, dst);
                if (strcmp(type, "bind") == 0) {
                        const char *prop = get_str(json_key(m, "BindOptions"), "Propagation");
                        if (src[0] != '/')
                                return berth_error_new(
                                        err, EINVAL,
                                        "invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute",
                                        src);
                        strv_push(&o, "rbind");
                        strv_push(&o, prop[0] ? prop : "rprivate");
                        if (get_bool(m, "ReadOnly"))
                                strv_push(&o, "ro");
                        json_object_array_add(mounts,
                                              mount_new(dst, "bind", src, (const char *const *) o));
                } else if (strcmp(type, "volume") == 0) {
                        continue; /* IN->volumes */
                } else if (strcmp(type, "tmpfs") == 0) {
                        struct json_object *to = json_key(m, "TmpfsOptions");
                        int64_t size = get_i64(to, "SizeBytes"), mode = get_i64(to, "Mode");
                        strv_push(&o, "nosuid");
                        strv_push(&o, "nodev");
                        strv_push(&o, "noexec");
                        if (size > 0) {
                                cleanup_free char *s = xasprintf("size=%" PRId64, size);
                                strv_push(&o, s);
                        }
                        if (mode > 0) {
                                cleanup_free char *s = xasprintf("mode=%" PRIo64, mode);
                                strv_push(&o, s);
                        }
                        if (get_bool(m, "ReadOnly"))
                                strv_push(&o, "ro");
                        json_object_array_add(
                                mounts, mount_new(dst, "tmpfs", "tmpfs", (const char *const *) o));
                } else {
                        return berth_error_new(err, EOPNOTSUPP,
                                               "mount type \"%s\": not implemented yet", type);
                }
        }
        return 0;
}

/* A volume is a bind of its _data with docker's options for mounts: rbind, rprivate, ro when
 * read-only (moby daemon/oci_linux.go setMounts). */
static void
add_volumes(struct json_object *vols, struct json_object *mounts)
{
        for (size_t i = 0; vols && json_object_is_type(vols, json_type_array)
                           && i < json_object_array_length(vols);
             i++) {
                struct json_object *v = json_object_array_get_idx(vols, i);
                static const char *const rw_o[] = {"rbind", "rprivate", NULL};
                static const char *const ro_o[] = {"rbind", "rprivate", "ro", NULL};
                json_object_array_add(mounts, mount_new(get_str(v, "Destination"), "bind",
                                                        get_str(v, "Source"),
                                                        get_bool(v, "RW") ? rw_o : ro_o));
        }
}

static int
add_tmpfs(struct json_object *hc, struct json_object *mounts, berth_error_t **err)
{
        struct json_object *t = json_key(hc, "Tmpfs");

        if (t == NULL)
                return 0;
        if (!json_object_is_type(t, json_type_object))
                return berth_error_new(err, EINVAL, "HostConfig.Tmpfs: expected an object");
        json_object_object_foreach(t, dst, v) {
                cleanup_strv char **o = NULL;
                const char *opts = v && json_object_is_type(v, json_type_string)
                                           ? json_object_get_string(v)
                                           : "";
                cleanup_free char *copy = xstrdup(opts);
                if (dst[0] != '/')
                        return berth_error_new(
                                err, EINVAL, "invalid mount path: '%s' mount path must be absolute",
                                dst);
                /* docker's --tmpfs defaults, then the given options. */
                strv_push(&o, "noexec");
                strv_push(&o, "nosuid");
                strv_push(&o, "nodev");
                for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
                     tok = strtok_r(NULL, ",", &save))
                        strv_push(&o, tok);
                json_object_array_add(mounts,
                                      mount_new(dst, "tmpfs", "tmpfs", (const char *const *) o));
        }
        return 0;
}

/* Namespaced sysctls (moby's opts.ValidateSysctl). */
static int
check_sysctl(const char *k, bool host_net, bool host_ipc, berth_error_t **err)
{
        static const char *const ipc[] = {
                "kernel.msgmax", "kernel.msgmnb",          "kernel.msgmni",
                "kernel.sem",    "kernel.shmall",          "kernel.shmmax",
                "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
        bool is_ipc = strncmp(k, "fs.mqueue.", 10) == 0;

        for (size_t i = 0; ipc[i]; i++)
                is_ipc |= strcmp(k, ipc[i]) == 0;
        if (is_ipc) {
                if (host_ipc)
                        return berth_error_new(err, EINVAL,
                                               "sysctl '%s' not allowed in host ipc mode", k);
                return 0;
        }
        if (strncmp(k, "net.", 4) == 0) {
                if (host_net)
                        return berth_error_new(err, EINVAL,
                                               "sysctl '%s' not allowed in host network mode", k);
                return 0;
        }
        if (strcmp(k, "kernel.domainname") == 0 || strcmp(k, "kernel.hostname") == 0)
                return 0;
        return berth_error_new(err, EINVAL, "sysctl '%s' is not whitelisted", k);
}

/* JOINABLE: "container:X" is valid too; its namespace path is set at start (nsjoin.h). */
static int
check_mode(const char *what, const char *v, const char *const *ok, bool joinable,
           berth_error_t **err)
{
        for (size_t i = 0; ok[i]; i++)
                if (strcmp(v, ok[i]) == 0)
                        return 0;
        if (joinable && container_nsjoin_ref(v) != NULL)
                return 0;
        return berth_error_new(err, EINVAL, "invalid %s mode: %s", what, v);
}

static int
build_resources(const struct container_spec_input *in, struct json_object *hc,
                struct json_object *res, berth_error_t **err)
{
        int64_t mem = get_i64(hc, "Memory"), swap = get_i64(hc, "MemorySwap");
        int64_t resv = get_i64(hc, "MemoryReservation"), nano = get_i64(hc, "NanoCpus");
        int64_t shares = get_i64(hc, "CpuShares"), quota = get_i64(hc, "CpuQuota");
        int64_t period = get_i64(hc, "CpuPeriod"), pids = get_i64(hc, "PidsLimit");
        int64_t blkio = get_i64(hc, "BlkioWeight");
        const char *cpus = get_str(hc, "CpusetCpus"), *mems = get_str(hc, "CpusetMems");
        struct json_object *memory = json_object_new_object(), *cpu = json_object_new_object();

        json_object_object_add(res, "memory", memory);
        json_object_object_add(res, "cpu", cpu);
        /* moby daemon/daemon_unix.go verifyPlatformContainerResources, in its order. */
        if (mem != 0 && mem < MIN_MEMORY)
                return berth_error_new(err, EINVAL, "Minimum memory limit allowed is 6MB");
        if (swap > 0 && mem == 0)
                return berth_error_new(
                        err, EINVAL,
                        "You should always set the Memory limit when using Memoryswap limit, see usage");
        if (mem > 0 && swap > 0 && swap < mem)
                return berth_error_new(
                        err, EINVAL,
                        "Minimum memoryswap limit should be larger than memory limit, see usage");
        if (resv > 0 && resv < MIN_MEMORY)
                return berth_error_new(err, EINVAL, "Minimum memory reservation allowed is 6MB");
        if (mem > 0 && resv > 0 && mem < resv)
                return berth_error_new(
                        err, EINVAL,
                        "Minimum memory limit can not be less than memory reservation limit, see usage");
        if (nano > 0 && (period > 0 || quota > 0))
                return berth_error_new(
                        err, EINVAL,
                        "Conflicting options: Nano CPUs and CPU Period cannot both be set");
        if (nano < 0 || (in->ncpu > 0 && nano > (int64_t) in->ncpu * 1000000000LL)
            || (nano > 0 && nano < 10000000))
                return berth_error_new(
                        err, EINVAL,
                        "Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available",
                        in->ncpu, in->ncpu);
        if (blkio > 0 && (blkio < 10 || blkio > 1000))
                return berth_error_new(err, EINVAL, "Range of blkio weight is from 10 to 1000");
        if (mem > 0)
                json_object_object_add(memory, "limit", json_object_new_int64(mem));
        if (resv > 0)
                json_object_object_add(memory, "reservation", json_object_new_int64(resv));
        if (swap != 0)
                json_object_object_add(memory, "swap", json_object_new_int64(swap));
        if (get_bool(hc, "OomKillDisable"))
                json_object_object_add(memory, "disableOOMKiller", json_object_new_boolean(true));
        if (shares > 0)
                json_object_object_add(cpu, "shares", json_object_new_uint64((uint64_t) shares));
        if (nano > 0) {
                json_object_object_add(cpu, "quota",
                                       json_object_new_int64(nano * CPU_PERIOD / 1000000000LL));
                json_object_object_add(cpu, "period", json_object_new_uint64(CPU_PERIOD));
        } else {
                if (quota != 0)
                        json_object_object_add(cpu, "quota", json_object_new_int64(quota));
                if (period > 0)
                        json_object_object_add(cpu, "period",
                                               json_object_new_uint64((uint64_t) period));
        }
        if (cpus[0])
                add_str(cpu, "cpus", cpus);
        if (mems[0])
                add_str(cpu, "mems", mems);
        if (pids != 0) {
                struct json_object *p = json_object_new_object();
                /* API: 0 and null mean unset, -1 unlimited. */
                json_object_object_add(p, "limit", json_object_new_int64(pids));
                json_object_object_add(res, "pids", p);
        }
        if (blkio > 0) {
                struct json_object *b = json_object_new_object();
                json_object_object_add(b, "weight", json_object_new_int64(blkio));
                json_object_object_add(res, "blockIO", b);
        }
        return 0;
}

char *
container_spec_cgroups_path(const char *parent, const char *id)
{
        if (parent == NULL || parent[0] == '\0')
                parent = "/berth";
        if (parent[0] == '/')
                return xasprintf("%s/%s", parent, id);
        return xasprintf("/%s/%s", parent, id);
}

static void
add_ns(struct json_object *nss, const char *type)
{
        struct json_object *n = json_object_new_object();
        add_str(n, "type", type);
        json_object_array_add(nss, n);
}

/* HostConfig.SecurityOpt. "seccomp=X" (or the old "seccomp:X"): X is "unconfined", "builtin"
 * (the default, moby 24's word) or the profile's JSON text, which the docker CLI reads from the
 * file the user named (cli/command/container/opts.go parseSecurityOpts). *RET_SECCOMP is the
 * caller's: NULL for the default profile. */
static int
security_opts(struct json_object *hc, bool *ret_nnp, char **ret_seccomp, berth_error_t **err)
{
        cleanup_strv char **opts = NULL;
        int r = json_strv(hc, "SecurityOpt", &opts, err);

        if (r < 0)
                return r;
        strv_foreach(o, opts) {
                if (strcmp(o, "no-new-privileges") == 0 || strcmp(o, "no-new-privileges:true") == 0
                    || strcmp(o, "no-new-privileges=true") == 0)
                        *ret_nnp = true;
                else if (strcmp(o, "no-new-privileges:false") == 0
                         || strcmp(o, "no-new-privileges=false") == 0)
                        *ret_nnp = false;
                /* No LSM on berth's hosts: these change nothing. */
                else if (strncmp(o, "label", 5) == 0 || strncmp(o, "apparmor", 8) == 0)
                        ;
                else if (strncmp(o, "seccomp=", 8) == 0 || strncmp(o, "seccomp:", 8) == 0) {
                        free(*ret_seccomp);
                        *ret_seccomp = strcmp(o + 8, "builtin") == 0 ? NULL : xstrdup(o + 8);
                } else
                        return berth_error_new(err, EINVAL, "invalid --security-opt 2: \"%s\"", o);
        }
        return 0;
}

/* linux.seccomp: none for --privileged and seccomp=unconfined (moby daemon/seccomp_linux.go
 * WithSeccomp), else the user's profile or docker's default, filtered by the bounding set. */
static int
add_seccomp(const struct container_spec_input *in, bool privileged, const char *profile,
            char *const *caps, struct json_object *linux_, berth_error_t **err)
{
        struct json_object *sc = NULL;
        int r;

        if (privileged || (profile && strcmp(profile, "unconfined") == 0))
                return 0;
        if (profile) {
                r = container_seccomp_build_text(profile, (const char *const *) caps,
                                                 in->seccomp_host, &sc, err);
        } else {
                cleanup_json struct json_object *def = container_seccomp_default_profile();
                r = container_seccomp_build(def, (const char *const *) caps, in->seccomp_host, &sc,
                                            err);
        }
        if (r < 0)
                return r;
        if (sc)
                json_object_object_add(linux_, "seccomp", sc);
        return 0;
}

/* Signal names as dockerd's signal.ParseSignal takes them ("SIGTERM", "TERM", "15"). */
static bool
signal_valid(const char *s)
{
        static const char *const names[] = {
                "ABRT", "ALRM",   "BUS",  "CHLD",   "CLD",   "CONT", "FPE",  "HUP",  "ILL",
                "INT",  "IO",     "IOT",  "KILL",   "PIPE",  "POLL", "PROF", "PWR",  "QUIT",
                "SEGV", "STKFLT", "STOP", "SYS",    "TERM",  "TRAP", "TSTP", "TTIN", "TTOU",
                "URG",  "USR1",   "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", NULL};
        char *end = NULL;
        long n;

        if (s[0] >= '0' && s[0] <= '9') {
                n = strtol(s, &end, 10);
                return *end == '\0' && n > 0 && n <= 64;
        }
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        if (strncmp(s, "RTMIN", 5) == 0 || strncmp(s, "RTMAX", 5) == 0)
                return true;
        for (size_t i = 0; names[i]; i++)
                if (strcmp(s, names[i]) == 0)
                        return true;
        return false;
}

/* What dockerd checks of a create request besides the spec's fields (daemon/container.go
 * verifyContainerSettings): restart policy, AutoRemove, StopSignal, Healthcheck. */
static int
check_settings(struct json_object *cfg, struct json_object *hc, berth_error_t **err)
{
        struct json_object *rp = json_key(hc, "RestartPolicy"),
                           *health = json_key(cfg, "Healthcheck");
        const char *policy = get_str(rp, "Name"), *sig = get_str(cfg, "StopSignal");
        int64_t retries = get_i64(rp, "MaximumRetryCount");

        if (policy[0] && strcmp(policy, "no") != 0 && strcmp(policy, "always") != 0
            && strcmp(policy, "unless-stopped") != 0 && strcmp(policy, "on-failure") != 0)
                return berth_error_new(err, EINVAL, "invalid restart policy '%s'", policy);
        if (retries < 0)
                return berth_error_new(err, EINVAL, "maximum retry count cannot be negative");
        if (retries > 0 && strcmp(policy, "on-failure") != 0)
                return berth_error_new(
                        err, EINVAL, "maximum retry count cannot be used with restart policy '%s'",
                        policy);
        if (get_bool(hc, "AutoRemove") && policy[0] && strcmp(policy, "no") != 0)
                return berth_error_new(err, EINVAL,
                                       "can't create 'AutoRemove' container with restart policy");
        if (sig[0] && !signal_valid(sig))
                return berth_error_new(err, EINVAL, "Invalid signal: %s", sig);
        if (health) {
                static const char *const durations[] = {"Interval", "Timeout", "StartPeriod", NULL};
                for (size_t i = 0; durations[i]; i++) {
                        int64_t d = get_i64(health, durations[i]);
                        if (d != 0 && d < 1000000)
                                return berth_error_new(err, EINVAL,
                                                       "%s in Healthcheck cannot be less than 1ms",
                                                       durations[i]);
                }
                if (get_i64(health, "Retries") < 0)
                        return berth_error_new(err, EINVAL,
                                               "Retries in Healthcheck cannot be negative");
        }
        return 0;
}

int
container_spec_build(const struct container_spec_input *in, struct json_object **ret,
                     berth_error_t **err)
{
        static const char *const pid_modes[] = {"", "host", NULL};
        static const char *const ipc_modes[] = {"", "host", "private", "shareable", "none", NULL};
        static const char *const uts_modes[] = {"", "host", NULL};
        static const char *const cgns_modes[] = {"", "host", "private", NULL};
        static const char *const net_modes[] = {"", "default", "bridge", "none", "host", NULL};
        struct json_object *hc = in->host_config, *cfg = in->config;
        cleanup_json struct json_object *spec = json_object_new_object();
        struct json_object *process, *user, *caps, *root, *mounts, *linux_, *res, *nss, *v;
        struct json_object *devices, *rules;
        cleanup_strv char **capv = NULL;
        cleanup_strv char **env = NULL;
        cleanup_free char *path = NULL;
        cleanup_free char *cgpath = NULL;
        cleanup_free char *shm = NULL;
        cleanup_free char *seccomp = NULL;
        struct json_object *args = NULL;
        bool privileged = get_bool(hc, "Privileged"), nnp = false;
        const char *pid_mode = get_str(hc, "PidMode"), *ipc_mode = get_str(hc, "IpcMode");
        const char *uts_mode = get_str(hc, "UTSMode"), *cgns = get_str(hc, "CgroupnsMode");
        const char *net = get_str(hc, "NetworkMode");
        int64_t oom = get_i64(hc, "OomScoreAdj"), shm_size = get_i64(hc, "ShmSize");
        const char *cwd = get_str(cfg, "WorkingDir");
        struct json_object *init_v = json_key(hc, "Init");
        bool want_init = init_v && json_object_is_type(init_v, json_type_boolean)
                                 ? json_object_get_boolean(init_v)
                                 : in->init_default;
        int r;

        if (hc && !json_object_is_type(hc, json_type_object))
                return berth_error_new(err, EINVAL, "HostConfig: expected an object");
        if (want_init && (in->init_path == NULL || in->init_path[0] == '\0'))
                return berth_error_new(err, ENOTSUP, "--init: berth-init is not installed");
        if ((r = check_mode("PID namespace", pid_mode, pid_modes, true, err)) < 0
            || (r = check_mode("IPC", ipc_mode, ipc_modes, true, err)) < 0
            || (r = check_mode("UTS", uts_mode, uts_modes, false, err)) < 0
            || (r = check_mode("network", net, net_modes, true, err)) < 0)
                return r;
        if (strcmp(net, "container:") == 0)
                return berth_error_new(
                        err, EINVAL,
                        "Invalid network mode: invalid container format container:<name|id>");
        if (!strv_has((char *const *) cgns_modes, cgns))
                return berth_error_new(err, EINVAL, "invalid cgroup namespace mode: %s", cgns);
        if (strcmp(uts_mode, "host") == 0
            && !(get_str(cfg, "Hostname")[0] == '\0'
                 || strncmp(get_str(cfg, "Hostname"), in->id, 12) == 0))
                return berth_error_new(err, EINVAL,
                                       "Conflicting options: hostname and the UTS mode");
        if (oom < -1000 || oom > 1000)
                return berth_error_new(
                        err, EINVAL,
                        "Invalid value %" PRId64 ", range for oom score adj is [-1000, 1000]", oom);
        if (shm_size < 0)
                return berth_error_new(err, EINVAL, "SHM size can not be less than 0");
        if (cwd[0] && cwd[0] != '/')
                return berth_error_new(
                        err, EINVAL,
                        "the working directory '%s' is invalid, it needs to be an absolute path",
                        cwd);
        r = security_opts(hc, &nnp, &seccomp, err);
        if (r < 0)
                return r;
        r = check_settings(cfg, hc, err);
        if (r < 0)
                return r;

        add_str(spec, "ociVersion", "1.0.2-dev");

        /* process */
        process = json_object_new_object();
        json_object_object_add(spec, "process", process);
        json_object_object_add(process, "terminal", json_object_new_boolean(get_bool(cfg, "Tty")));
        user = json_object_new_object();
        json_object_object_add(user, "uid", json_object_new_int64(in->user ? in->user->uid : 0));
        json_object_object_add(user, "gid", json_object_new_int64(in->user ? in->user->gid : 0));
        if (in->user && in->user->n_additional) {
                struct json_object *g = json_object_new_array();
                for (size_t i = 0; i < in->user->n_additional; i++)
                        json_object_array_add(g, json_object_new_int64(in->user->additional[i]));
                json_object_object_add(user, "additionalGids", g);
        }
        json_object_object_add(process, "user", user);
        container_config_command(cfg, &path, &args);
        {
                struct json_object *a = json_object_new_array();
                json_object_array_add(a, json_object_new_string(path));
                for (size_t i = 0; i < json_object_array_length(args); i++)
                        json_object_array_add(a,
                                              json_object_get(json_object_array_get_idx(args, i)));
                json_object_put(args);
                if (want_init) {
                        /* --init: berth-init runs the command as its child (dockerd's
                         * docker-init at /sbin/docker-init, "--" before the command). */
                        struct json_object *ia = json_object_new_array();
                        json_object_array_add(ia, json_object_new_string(BERTH_INIT_CONTAINER_PATH));
                        json_object_array_add(ia, json_object_new_string("--"));
                        for (size_t i = 0; i < json_object_array_length(a); i++)
                                json_object_array_add(
                                        ia, json_object_get(json_object_array_get_idx(a, i)));
                        json_object_put(a);
                        a = ia;
                }
                json_object_object_add(process, "args", a);
        }
        env = container_config_process_env(cfg);
        json_object_object_add(process, "env", strv_to_json((const char *const *) env));
        add_str(process, "cwd", cwd[0] ? cwd : "/");
        r = build_caps(hc, in->host_caps, &capv, err);
        if (r < 0)
                return r;
        caps = json_object_new_object();
        /* No inheritable or ambient set: moby 23 dropped them (CVE-2022-24769). */
        json_object_object_add(caps, "bounding", strv_to_json((const char *const *) capv));
        json_object_object_add(caps, "effective", strv_to_json((const char *const *) capv));
        json_object_object_add(caps, "permitted", strv_to_json((const char *const *) capv));
        json_object_object_add(process, "capabilities", caps);
        r = build_rlimits(hc, process, err);
        if (r < 0)
                return r;
        if (nnp)
                json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(true));
        json_object_object_add(process, "oomScoreAdj", json_object_new_int64(oom));

        root = json_object_new_object();
        add_str(root, "path", "rootfs");
        json_object_object_add(root, "readonly",
                               json_object_new_boolean(get_bool(hc, "ReadonlyRootfs")));
        json_object_object_add(spec, "root", root);
        if (strcmp(uts_mode, "host") != 0) {
                add_str(spec, "hostname", get_str(cfg, "Hostname"));
                if (get_str(cfg, "Domainname")[0])
                        add_str(spec, "domainname", get_str(cfg, "Domainname"));
        }

        /* mounts: moby oci/defaults.go, /dev/shm as a tmpfs of ShmSize (docker binds a
         * per-container shm mount there; a tmpfs is the same to the process) */
        mounts = json_object_new_array();
        json_object_object_add(spec, "mounts", mounts);
        {
                static const char *const proc_o[] = {"nosuid", "noexec", "nodev", NULL};
                static const char *const dev_o[] = {"nosuid", "strictatime", "mode=755",
                                                    "size=65536k", NULL};
                static const char *const pts_o[] = {
                        "nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                        "mode=0620", "gid=5",  NULL};
                static const char *const sys_o[] = {"nosuid", "noexec", "nodev", "ro", NULL};
                static const char *const sys_rw_o[] = {"nosuid", "noexec", "nodev", "rw", NULL};
                static const char *const cg_o[] = {"ro", "nosuid", "noexec", "nodev", NULL};
                static const char *const cg_rw_o[] = {"rw", "nosuid", "noexec", "nodev", NULL};
                static const char *const mq_o[] = {"nosuid", "noexec", "nodev", NULL};
                static const char *const file_o[] = {"rbind", "rprivate", NULL};

                shm = xasprintf("size=%" PRId64, shm_size > 0 ? shm_size : DEFAULT_SHM);
                json_object_array_add(mounts, mount_new("/proc", "proc", "proc", proc_o));
                json_object_array_add(mounts, mount_new("/dev", "tmpfs", "tmpfs", dev_o));
                json_object_array_add(mounts, mount_new("/dev/pts", "devpts", "devpts", pts_o));
                json_object_array_add(
                        mounts, mount_new("/sys", "sysfs", "sysfs", privileged ? sys_rw_o : sys_o));
                json_object_array_add(mounts, mount_new("/sys/fs/cgroup", "cgroup", "cgroup",
                                                        privileged ? cg_rw_o : cg_o));
                json_object_array_add(mounts, mount_new("/dev/mqueue", "mqueue", "mqueue", mq_o));
                /* /dev/shm by IPC mode (moby daemon/container_operations_unix.go setupIpcDirs):
                 * private, a tmpfs of its own; shareable, a bind of the tmpfs berthd mounts at
                 * start (in->shm_path, which joiners bind too); host, the host's /dev/shm;
                 * container:X, the donor's, added at start; none, nothing. */
                if (strcmp(ipc_mode, "shareable") == 0 && in->shm_path) {
                        json_object_array_add(mounts,
                                              mount_new("/dev/shm", "bind", in->shm_path, file_o));
                } else if (strcmp(ipc_mode, "host") == 0) {
                        json_object_array_add(mounts,
                                              mount_new("/dev/shm", "bind", "/dev/shm", file_o));
                } else if (strcmp(ipc_mode, "none") != 0
                           && container_nsjoin_ref(ipc_mode) == NULL) {
                        const char *o[] = {"nosuid", "noexec", "nodev", "mode=1777", shm, NULL};
                        json_object_array_add(mounts, mount_new("/dev/shm", "tmpfs", "shm", o));
                }
                if (in->resolv_conf_path)
                        json_object_array_add(mounts, mount_new("/etc/resolv.conf", "bind",
                                                                in->resolv_conf_path, file_o));
                if (in->hostname_path)
                        json_object_array_add(mounts, mount_new("/etc/hostname", "bind",
                                                                in->hostname_path, file_o));
                if (in->hosts_path)
                        json_object_array_add(
                                mounts, mount_new("/etc/hosts", "bind", in->hosts_path, file_o));
        }
        r = add_tmpfs(hc, mounts, err);
        if (r < 0)
                return r;
        {
                cleanup_strv char **binds = NULL;
                r = json_strv(hc, "Binds", &binds, err);
                if (r < 0)
                        return r;
                strv_foreach(b, binds) {
                        if (volume_plan_bind_is_volume(b))
                                continue;
                        r = parse_bind(b, mounts, err);
                        if (r < 0)
                                return r;
                }
        }
        r = add_api_mounts(hc, mounts, err);
        if (r < 0)
                return r;
        add_volumes(in->volumes, mounts);
        if (want_init) {
                static const char *const init_o[] = {"bind", "ro", NULL};
                json_object_array_add(mounts, mount_new(BERTH_INIT_CONTAINER_PATH, "bind",
                                                        in->init_path, init_o));
        }

        /* linux */
        linux_ = json_object_new_object();
        json_object_object_add(spec, "linux", linux_);
        res = json_object_new_object();
        json_object_object_add(linux_, "resources", res);
        if (privileged) {
                /* moby daemon/oci_linux.go WithDevices: a privileged container gets every host
                 * device and may use any; HostConfig.Devices is not looked at. */
                devices = NULL;
                if (in->host_devices) {
                        r = in->host_devices(&devices, err);
                        if (r < 0)
                                return r;
                }
                if (devices == NULL)
                        devices = json_object_new_array();
                rules = json_object_new_array();
                json_object_array_add(rules, device_rule(true, NULL, -1, -1, "rwm"));
                json_object_object_add(res, "devices", rules);
        } else {
                devices = json_object_new_array();
                rules = default_device_rules();
                json_object_object_add(res, "devices", rules);
                r = add_devices(in, hc, devices, rules, err);
                if (r < 0) {
                        json_object_put(devices);
                        return r;
                }
        }
        json_object_object_add(linux_, "devices", devices);
        r = build_resources(in, hc, res, err);
        if (r < 0)
                return r;
        cgpath = container_spec_cgroups_path(get_str(hc, "CgroupParent"), in->id);
        add_str(linux_, "cgroupsPath", cgpath);
        nss = json_object_new_array();
        json_object_object_add(linux_, "namespaces", nss);
        add_ns(nss, "mount");
        if (strcmp(net, "host") != 0)
                add_ns(nss, "network");
        if (strcmp(uts_mode, "host") != 0)
                add_ns(nss, "uts");
        if (strcmp(pid_mode, "host") != 0)
                add_ns(nss, "pid");
        if (strcmp(ipc_mode, "host") != 0)
                add_ns(nss, "ipc");
        /* docker's default cgroupns mode is private on cgroup v2 only (daemon.json
         * default-cgroupns-mode). */
        if (strcmp(cgns, "private") == 0 || (cgns[0] == '\0' && in->cgroup2))
                add_ns(nss, "cgroup");

        r = add_seccomp(in, privileged, seccomp, capv, linux_, err);
        if (r < 0)
                return r;
        if (!privileged) {
                struct json_object *mp = json_key(hc, "MaskedPaths"),
                                   *rp = json_key(hc, "ReadonlyPaths");
                json_object_object_add(linux_, "maskedPaths",
                                       mp && json_object_is_type(mp, json_type_array)
                                               ? json_object_get(mp)
                                               : strv_to_json(masked_paths));
                json_object_object_add(linux_, "readonlyPaths",
                                       rp && json_object_is_type(rp, json_type_array)
                                               ? json_object_get(rp)
                                               : strv_to_json(readonly_paths));
        }
        v = json_key(hc, "Sysctls");
        if (v && json_object_is_type(v, json_type_object) && json_object_object_length(v) > 0) {
                struct json_object *s = json_object_new_object();
                json_object_object_add(linux_, "sysctl", s);
                json_object_object_foreach(v, k, val) {
                        r = check_sysctl(k, strcmp(net, "host") == 0, strcmp(ipc_mode, "host") == 0,
                                         err);
                        if (r < 0)
                                return r;
                        add_str(s, k, val ? json_object_get_string(val) : "");
                }
        }
        *ret = TAKE_PTR(spec);
        return 0;
}

int
container_spec_resources(int ncpu, struct json_object *hc, struct json_object **ret,
                         berth_error_t **err)
{
        struct container_spec_input in = {.ncpu = ncpu};
        cleanup_json struct json_object *res = json_object_new_object();
        int r = build_resources(&in, hc, res, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(res);
        return 0;
}
