/* runtime/spec/linux.c: config.json "linux": namespaces, id maps, devices, sysctl, paths,
 * propagation, time offsets and the device rules of resources. */
#include <config.h>

#include "runtime/spec/spec.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

#ifndef CLONE_NEWTIME
#        define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        const char *name;
        int flag;
} ns_table[] = {
        {"pid", CLONE_NEWPID},   {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
        {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
        {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int
spec_namespace_flag(const char *name)
{
        for (size_t i = 0; i < sizeof(ns_table) / sizeof(ns_table[0]); i++) {
                if (strcmp(ns_table[i].name, name) == 0)
                        return ns_table[i].flag;
        }
        return 0;
}

const char *
spec_namespace_name(int flag)
{
        for (size_t i = 0; i < sizeof(ns_table) / sizeof(ns_table[0]); i++) {
                if (ns_table[i].flag == flag)
                        return ns_table[i].name;
        }
        return "?";
}

static int
parse_namespaces(struct json_object *arr, const struct jpath *at, struct spec_linux *l,
                 berth_error_t **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        l->namespaces = xzalloc(n * sizeof(*l->namespaces));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                const struct jpath *here = JPATH_IDX(at, i);
                struct spec_namespace *ns = &l->namespaces[i];
                const char *type = NULL, *path = NULL;

                r = json_expect_object(o, here, err);
                if (r < 0)
                        return r;
                r = json_need_string(o, here, "type", &type, err);
                if (r < 0)
                        return r;
                ns->type = spec_namespace_flag(type);
                if (!ns->type)
                        return json_error(err, JPATH_KEY(here, "type"), "unknown namespace \"%s\"", type);
                for (size_t j = 0; j < i; j++) {
                        if (l->namespaces[j].type == ns->type)
                                return json_error(err, JPATH_KEY(here, "type"),
                                                  "duplicate namespace \"%s\"", type);
                }
                l->n_namespaces++;
                r = json_get_string(o, here, "path", &path, err);
                if (r < 0)
                        return r;
                if (r > 0 && path[0]) {
                        if (path[0] != '/')
                                return json_error(err, JPATH_KEY(here, "path"),
                                                  "\"%s\" is not an absolute path", path);
                        ns->path = xstrdup(path);
                }
        }
        return 0;
}

int
spec_parse_idmaps(struct json_object *obj, const struct jpath *at, const char *key,
             struct spec_idmap **ret, size_t *ret_n, berth_error_t **err)
{
        struct json_object *arr = NULL;
        const struct jpath *kat = JPATH_KEY(at, key);
        size_t n;
        int r;

        r = json_get_array(obj, at, key, &arr, err);
        if (r <= 0)
                return r;
        n = json_object_array_length(arr);
        *ret = xzalloc(n * sizeof(struct spec_idmap));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                const struct jpath *here = JPATH_IDX(kat, i);
                static const char *const names[] = {"containerID", "hostID", "size"};
                int64_t v[3];

                r = json_expect_object(o, here, err);
                if (r < 0)
                        return r;
                for (int k = 0; k < 3; k++) {
                        r = json_need_int_range(o, here, names[k], k == 2 ? 1 : 0, UINT32_MAX, &v[k], err);
                        if (r < 0)
                                return r;
                }
                (*ret)[i] = (struct spec_idmap){(uint32_t) v[0], (uint32_t) v[1], (uint32_t) v[2]};
                (*ret_n)++;
        }
        return 0;
}

static int
parse_devices(struct json_object *arr, const struct jpath *at, struct spec_linux *l,
              berth_error_t **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        l->devices = xzalloc(n * sizeof(*l->devices));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                const struct jpath *here = JPATH_IDX(at, i);
                struct spec_device *d = &l->devices[i];
                const char *s = NULL;
                int64_t v;

                r = json_expect_object(o, here, err);
                if (r < 0)
                        return r;
                l->n_devices++;
                r = json_get_string(o, here, "path", &s, err);
                if (r < 0)
                        return r;
                if (r == 0 || s[0] != '/')
                        return json_error(err, JPATH_KEY(here, "path"), "required, as an absolute path");
                d->path = xstrdup(s);
                s = NULL;
                r = json_need_string(o, here, "type", &s, err);
                if (r < 0)
                        return r;
                if (strlen(s) != 1 || !strchr("cbup", s[0]))
                        return json_error(err, JPATH_KEY(here, "type"),
                                          "unknown device type \"%s\" (expected c, b, u or p)", s);
                d->type = s[0];
                r = json_get_int_range(o, here, "major", 0, 4095, &d->major, err);
                if (r < 0)
                        return r;
                if (r == 0 && d->type != 'p')
                        return json_error(err, JPATH_KEY(here, "major"), "required for type \"%c\"", d->type);
                r = json_get_int_range(o, here, "minor", 0, 1048575, &d->minor, err);
                if (r < 0)
                        return r;
                if (r == 0 && d->type != 'p')
                        return json_error(err, JPATH_KEY(here, "minor"), "required for type \"%c\"", d->type);
                r = json_get_int_range(o, here, "fileMode", 0, 07777, &v, err);
                if (r < 0)
                        return r;
                d->has_mode = r > 0;
                d->mode = r > 0 ? (mode_t) v : 0;
                r = json_get_int_range(o, here, "uid", 0, UINT32_MAX - 1, &v, err);
                if (r < 0)
                        return r;
                d->has_uid = r > 0;
                d->uid = r > 0 ? (uid_t) v : 0;
                r = json_get_int_range(o, here, "gid", 0, UINT32_MAX - 1, &v, err);
                if (r < 0)
                        return r;
                d->has_gid = r > 0;
                d->gid = r > 0 ? (gid_t) v : 0;
        }
        return 0;
}

static int
parse_device_rules(struct json_object *arr, const struct jpath *at, struct spec_linux *l,
                   berth_error_t **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        l->device_rules = xzalloc(n * sizeof(*l->device_rules));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                const struct jpath *here = JPATH_IDX(at, i);
                struct spec_device_rule *d = &l->device_rules[i];
                const char *s = NULL;

                r = json_expect_object(o, here, err);
                if (r < 0)
                        return r;
                r = json_need_bool(o, here, "allow", &d->allow, err);
                if (r < 0)
                        return r;
                d->type = 'a';
                r = json_get_string(o, here, "type", &s, err);
                if (r < 0)
                        return r;
                if (r > 0 && s[0]) {
                        if (strlen(s) != 1 || !strchr("acb", s[0]))
                                return json_error(err, JPATH_KEY(here, "type"),
                                                  "unknown device type \"%s\" (expected a, c or b)", s);
                        d->type = s[0];
                }
                d->major = d->minor = -1;
                r = json_get_int_range(o, here, "major", -1, 4095, &d->major, err);
                if (r < 0)
                        return r;
                r = json_get_int_range(o, here, "minor", -1, 1048575, &d->minor, err);
                if (r < 0)
                        return r;
                s = NULL;
                r = json_get_string(o, here, "access", &s, err);
                if (r < 0)
                        return r;
                if (!s || !s[0])
                        s = "rwm";
                if (strlen(s) > 3 || strspn(s, "rwm") != strlen(s))
                        return json_error(err, JPATH_KEY(here, "access"),
                                          "\"%s\" is not a combination of r, w and m", s);
                strcpy(d->access, s);
                l->n_device_rules++;
        }
        return 0;
}

static int
parse_time_offset(struct json_object *obj, const struct jpath *at, const char *key, int64_t *secs,
                  uint32_t *nsecs, berth_error_t **err)
{
        struct json_object *o = NULL;
        const struct jpath *here = JPATH_KEY(at, key);
        int64_t v;
        int r;

        r = json_get_object(obj, at, key, &o, err);
        if (r <= 0)
                return r;
        r = json_get_int64(o, here, "secs", secs, err);
        if (r < 0)
                return r;
        r = json_get_int_range(o, here, "nanosecs", 0, 999999999, &v, err);
        if (r < 0)
                return r;
        *nsecs = r ? (uint32_t) v : 0;
        return 0;
}

int
spec_parse_linux(struct json_object *obj, const struct jpath *at, struct spec_linux *l,
                 berth_error_t **err)
{
        struct json_object *sub = NULL;
        const char *s = NULL;
        int r;

        r = json_get_array(obj, at, "namespaces", &sub, err);
        if (r < 0)
                return r;
        if (r > 0 && (r = parse_namespaces(sub, JPATH_KEY(at, "namespaces"), l, err)) < 0)
                return r;
        r = spec_parse_idmaps(obj, at, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err);
        if (r < 0)
                return r;
        r = spec_parse_idmaps(obj, at, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err);
        if (r < 0)
                return r;
        sub = NULL;
        r = json_get_array(obj, at, "devices", &sub, err);
        if (r < 0)
                return r;
        if (r > 0 && (r = parse_devices(sub, JPATH_KEY(at, "devices"), l, err)) < 0)
                return r;
        r = json_get_string(obj, at, "cgroupsPath", &s, err);
        if (r < 0)
                return r;
        if (r > 0 && s[0])
                l->cgroups_path = xstrdup(s);
        sub = NULL;
        r = json_get_object(obj, at, "sysctl", &sub, err);
        if (r < 0)
                return r;
        if (r > 0) {
                const struct jpath *here = JPATH_KEY(at, "sysctl");
                json_object_object_foreach(sub, k, v)
                {
                        const char *val;
                        r = json_value_string(v, JPATH_KEY(here, k), &val, err);
                        if (r < 0)
                                return r;
                        if (!k[0] || strstr(k, "..") || k[0] == '.' || k[0] == '/')
                                return json_error(err, JPATH_KEY(here, k), "invalid sysctl name");
                        strv_push(&l->sysctl, k);
                        strv_push(&l->sysctl, val);
                }
        }
        r = json_get_strv(obj, at, "maskedPaths", &l->masked_paths, err);
        if (r < 0)
                return r;
        r = json_get_strv(obj, at, "readonlyPaths", &l->readonly_paths, err);
        if (r < 0)
                return r;
        s = NULL;
        r = json_get_string(obj, at, "rootfsPropagation", &s, err);
        if (r < 0)
                return r;
        if (r > 0 && s[0]) {
                static const struct {
                        const char *name;
                        unsigned long flag;
                } words[] = {
                        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
                        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
                        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
                        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
                };
                for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                        if (strcmp(words[i].name, s) == 0) {
                                l->has_rootfs_propagation = true;
                                l->rootfs_propagation = words[i].flag;
                        }
                }
                if (!l->has_rootfs_propagation)
                        return json_error(err, JPATH_KEY(at, "rootfsPropagation"),
                                          "unknown propagation \"%s\"", s);
        }
        s = NULL;
        r = json_get_string(obj, at, "mountLabel", &s, err);
        if (r < 0)
                return r;
        if (r > 0 && s[0])
                l->mount_label = xstrdup(s);
        r = json_get_object(obj, at, "resources", &l->resources, err);
        if (r < 0)
                return r;
        if (l->resources) {
                const struct jpath *rat = JPATH_KEY(at, "resources");
                sub = NULL;
                r = json_get_array(l->resources, rat, "devices", &sub, err);
                if (r < 0)
                        return r;
                if (r > 0 && (r = parse_device_rules(sub, JPATH_KEY(rat, "devices"), l, err)) < 0)
                        return r;
        }
        sub = NULL;
        r = json_get_object(obj, at, "seccomp", &sub, err);
        if (r < 0)
                return r;
        if (r > 0 && (r = spec_parse_seccomp(sub, JPATH_KEY(at, "seccomp"), &l->seccomp, err)) < 0)
                return r;
        sub = NULL;
        r = json_get_object(obj, at, "personality", &sub, err);
        if (r < 0)
                return r;
        if (r > 0) {
                const struct jpath *here = JPATH_KEY(at, "personality");
                s = NULL;
                r = json_need_string(sub, here, "domain", &s, err);
                if (r < 0)
                        return r;
                if (strcmp(s, "LINUX") == 0)
                        l->personality = 0x0000; /* PER_LINUX */
                else if (strcmp(s, "LINUX32") == 0)
                        l->personality = 0x0008; /* PER_LINUX32 */
                else
                        return json_error(err, JPATH_KEY(here, "domain"), "unknown domain \"%s\" (expected LINUX or LINUX32)", s);
                l->has_personality = true;
        }
        sub = NULL;
        r = json_get_object(obj, at, "timeOffsets", &sub, err);
        if (r < 0)
                return r;
        if (r > 0) {
                const struct jpath *here = JPATH_KEY(at, "timeOffsets");
                l->has_time_offsets = true;
                r = parse_time_offset(sub, here, "monotonic", &l->monotonic_secs, &l->monotonic_nsecs, err);
                if (r < 0)
                        return r;
                r = parse_time_offset(sub, here, "boottime", &l->boottime_secs, &l->boottime_nsecs, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

void
spec_linux_done(struct spec_linux *l)
{
        for (size_t i = 0; i < l->n_namespaces; i++)
                free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        strv_free(l->sysctl);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        free(l->device_rules);
        spec_seccomp_done(&l->seccomp);
}
