/* supervisor/volumes/options.c: the `local` driver's type/device/o options (moby
 * volume/local/local_unix.go: validOpts, mandatoryOpts; o= split into mount flags and data as
 * its mount package does). */
#include <config.h>

#include "supervisor/volumes/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const char *
opt(struct json_object *opts, const char *key)
{
        struct json_object *v = NULL;

        if (opts == NULL || !json_object_object_get_ex(opts, key, &v)
            || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int
volume_options_check(const char *name, struct json_object *opts, berth_error_t **err)
{
        /* moby's mandatoryOpts: each of these needs the ones listed. */
        static const struct {
                const char *key;
                const char *needs[2];
        } mandatory[] = {
                {"device", {"type", NULL}},
                {"type", {"device", NULL}},
                {"o", {"device", "type"}},
        };

        if (opts == NULL)
                return 0;
        if (!json_object_is_type(opts, json_type_object))
                return berth_error_new(err, EINVAL, "create %s: options: expected an object", name);
        json_object_object_foreach(opts, k, v) {
                if (strcmp(k, "size") == 0)
                        return berth_error_new(
                                err, EINVAL, "create %s: quota size requested but no quota support",
                                name);
                if (strcmp(k, "type") != 0 && strcmp(k, "device") != 0 && strcmp(k, "o") != 0)
                        return berth_error_new(err, EINVAL, "create %s: invalid option: \"%s\"",
                                               name, k);
                if (!json_object_is_type(v, json_type_string))
                        return berth_error_new(err, EINVAL,
                                               "create %s: option \"%s\": expected a string", name,
                                               k);
        }
        for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
                if (opt(opts, mandatory[i].key) == NULL)
                        continue;
                for (size_t j = 0; j < 2 && mandatory[i].needs[j]; j++)
                        if (opt(opts, mandatory[i].needs[j]) == NULL)
                                return berth_error_new(err, EINVAL,
                                                       "create %s: missing required option: \"%s\"",
                                                       name, mandatory[i].needs[j]);
        }
        return 0;
}

bool
volume_options_need_mount(struct json_object *opts)
{
        return opt(opts, "type") != NULL || opt(opts, "device") != NULL;
}

static const struct {
        const char *name;
        bool clear;
        unsigned long flag;
} flag_table[] = {
        {"defaults", false, 0},
        {"ro", false, MS_RDONLY},
        {"rw", true, MS_RDONLY},
        {"suid", true, MS_NOSUID},
        {"nosuid", false, MS_NOSUID},
        {"dev", true, MS_NODEV},
        {"nodev", false, MS_NODEV},
        {"exec", true, MS_NOEXEC},
        {"noexec", false, MS_NOEXEC},
        {"sync", false, MS_SYNCHRONOUS},
        {"async", true, MS_SYNCHRONOUS},
        {"dirsync", false, MS_DIRSYNC},
        {"atime", true, MS_NOATIME},
        {"noatime", false, MS_NOATIME},
        {"diratime", true, MS_NODIRATIME},
        {"nodiratime", false, MS_NODIRATIME},
        {"relatime", false, MS_RELATIME},
        {"norelatime", true, MS_RELATIME},
        {"strictatime", false, MS_STRICTATIME},
        {"bind", false, MS_BIND},
        {"rbind", false, MS_BIND | MS_REC},
};

int
volume_options_build(struct json_object *opts, struct volume_mount_args *ret, berth_error_t **err)
{
        const char *type = opt(opts, "type"), *device = opt(opts, "device"), *o = opt(opts, "o");
        cleanup_free char *copy = xstrdup(o ? o : "");
        cleanup_strv char **data = NULL;
        struct volume_mount_args a = {0};

        if (device == NULL || type == NULL)
                return berth_error_new(err, EINVAL, "missing required option: \"%s\"",
                                       device == NULL ? "device" : "type");
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
                bool known = false;
                for (size_t i = 0; i < sizeof(flag_table) / sizeof(flag_table[0]); i++) {
                        if (strcmp(t, flag_table[i].name) != 0)
                                continue;
                        known = true;
                        if (flag_table[i].clear)
                                a.flags &= ~flag_table[i].flag;
                        else
                                a.flags |= flag_table[i].flag;
                }
                if (!known)
                        strv_push(&data, t);
        }
        a.source = xstrdup(device);
        if (!(a.flags & MS_BIND) && strcmp(type, "none") != 0)
                a.fstype = xstrdup(type);
        if ((a.flags & MS_BIND) && (a.flags & MS_RDONLY)) {
                /* The kernel ignores MS_RDONLY on the bind itself: a remount makes it so. */
                a.remount_ro = true;
                a.flags &= ~MS_RDONLY;
        }
        if (data)
                a.data = strv_join(data, ",");
        *ret = a;
        return 0;
}

void
volume_mount_args_done(struct volume_mount_args *a)
{
        free(a->source);
        free(a->fstype);
        free(a->data);
        *a = (struct volume_mount_args){0};
}
