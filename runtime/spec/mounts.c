/* runtime/spec/mounts.c: config.json "mounts" and the mount option words runc understands. */
#include <config.h>

#include "runtime/spec/spec.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

/* runc's table (libcontainer/specconv): set or clear an MS_* flag. */
static const struct {
        const char *name;
        bool clear;
        unsigned long flag;
} flag_words[] = {
        {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},
        {"bind", false, MS_BIND},          {"defaults", false, 0},
        {"dev", true, MS_NODEV},           {"diratime", true, MS_NODIRATIME},
        {"dirsync", false, MS_DIRSYNC},    {"exec", true, MS_NOEXEC},
        {"iversion", false, MS_I_VERSION}, {"lazytime", false, MS_LAZYTIME},
        {"loud", true, MS_SILENT},         {"mand", false, MS_MANDLOCK},
        {"noatime", false, MS_NOATIME},    {"nodev", false, MS_NODEV},
        {"nodiratime", false, MS_NODIRATIME}, {"noexec", false, MS_NOEXEC},
        {"noiversion", true, MS_I_VERSION}, {"nolazytime", true, MS_LAZYTIME},
        {"nomand", true, MS_MANDLOCK},     {"norelatime", true, MS_RELATIME},
        {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID},
        {"nosymfollow", false, MS_NOSYMFOLLOW}, {"rbind", false, MS_BIND | MS_REC},
        {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},
        {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
        {"silent", false, MS_SILENT},      {"strictatime", false, MS_STRICTATIME},
        {"suid", true, MS_NOSUID},         {"symfollow", true, MS_NOSYMFOLLOW},
        {"sync", false, MS_SYNCHRONOUS},
};

static const struct {
        const char *name;
        unsigned long flag;
} propagation_words[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Recursive attributes (runc 1.1: applied with mount_setattr AT_RECURSIVE). */
static const struct {
        const char *name;
        bool clear;
        unsigned long attr;
} recursive_words[] = {
        {"rro", false, MOUNT_ATTR_RDONLY},       {"rrw", true, MOUNT_ATTR_RDONLY},
        {"rnosuid", false, MOUNT_ATTR_NOSUID},   {"rsuid", true, MOUNT_ATTR_NOSUID},
        {"rnodev", false, MOUNT_ATTR_NODEV},     {"rdev", true, MOUNT_ATTR_NODEV},
        {"rnoexec", false, MOUNT_ATTR_NOEXEC},   {"rexec", true, MOUNT_ATTR_NOEXEC},
        {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
        {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
        {"rnoatime", false, MOUNT_ATTR_NOATIME}, {"rrelatime", false, MOUNT_ATTR_RELATIME},
        {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *const spec_mount_option_names[] = {
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
        "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
        "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow",
        "private", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime",
        "rnodev", "rnodiratime", "rnoexec", "rnosuid", "rnosymfollow", "ro", "rprivate",
        "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow",
        "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow",
        "sync", "tmpcopyup", "unbindable", NULL,
};

int
spec_mount_options_parse(char *const *options, struct spec_mount *m, const struct jpath *at,
                         berth_error_t **err)
{
        const unsigned long atime = MOUNT_ATTR__ATIME;
        cleanup_strv char **data = NULL;
        unsigned long attr;
        (void) at;
        (void) err;
        strv_foreach(o, options)
        {
                bool known = false;
                for (size_t k = 0; k < N(flag_words) && !known; k++) {
                        if (strcmp(o, flag_words[k].name) != 0)
                                continue;
                        known = true;
                        if (flag_words[k].clear) {
                                m->flags &= ~flag_words[k].flag;
                                m->clear_flags |= flag_words[k].flag;
                        } else {
                                m->flags |= flag_words[k].flag;
                                m->clear_flags &= ~flag_words[k].flag;
                        }
                }
                for (size_t k = 0; k < N(propagation_words) && !known; k++) {
                        if (strcmp(o, propagation_words[k].name) == 0) {
                                known = true;
                                m->propagation = propagation_words[k].flag;
                        }
                }
                for (size_t k = 0; k < N(recursive_words) && !known; k++) {
                        if (strcmp(o, recursive_words[k].name) != 0)
                                continue;
                        known = true;
                        attr = recursive_words[k].attr;
                        if (recursive_words[k].clear) {
                                m->rec_clear |= attr;
                                m->rec_set &= ~attr;
                        } else if ((attr & ~atime) == 0) {
                                /* The access-time mode is one field (relatime is 0):
                                 * mount_setattr(2) changes it only with all of MOUNT_ATTR__ATIME
                                 * in attr_clr, else EINVAL; the last word wins (runc: specconv
                                 * recAttrFlags). */
                                m->rec_set = (m->rec_set & ~atime) | attr;
                                m->rec_clear |= atime;
                        } else {
                                m->rec_set |= attr;
                                m->rec_clear &= ~attr;
                        }
                }
                if (!known && strcmp(o, "tmpcopyup") == 0) {
                        known = true;
                        m->tmpcopyup = true;
                }
                if (!known)
                        strv_push(&data, o); /* for the filesystem: size=, mode=, newinstance, ... */
        }
        if (data)
                m->data = strv_join(data, ",");
        return 0;
}

int
spec_parse_mounts(struct json_object *arr, const struct jpath *at, struct spec *spec,
                  berth_error_t **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        spec->mounts = xzalloc(n * sizeof(*spec->mounts));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                const struct jpath *here = JPATH_IDX(at, i);
                struct spec_mount *m = &spec->mounts[i];
                const char *s = NULL;

                r = json_expect_object(o, here, err);
                if (r < 0)
                        return r;
                spec->n_mounts++;
                r = json_need_path(o, here, "destination", &s, err);
                if (r < 0)
                        return r;
                /* runc accepts a relative destination (resolved against "/") but warns;
                 * runtime-spec 1.1 requires an absolute one. Follow runc. */
                m->destination = s[0] == '/' ? xstrdup(s) : xasprintf("/%s", s);
                s = NULL;
                r = json_get_string(o, here, "type", &s, err);
                if (r < 0)
                        return r;
                m->type = xstrdup(s ? s : "");
                s = NULL;
                r = json_get_string(o, here, "source", &s, err);
                if (r < 0)
                        return r;
                m->source = xstrdup(s ? s : "");
                r = json_get_strv(o, here, "options", &m->options, err);
                if (r < 0)
                        return r;
                r = spec_mount_options_parse(m->options, m, JPATH_KEY(here, "options"), err);
                if (r < 0)
                        return r;
                if (!m->type[0] && !(m->flags & MS_BIND))
                        return json_error(err, JPATH_KEY(here, "type"),
                                          "required unless the options hold \"bind\" or \"rbind\"");
                if (strcmp(m->type, "bind") == 0)
                        m->flags |= MS_BIND;
                if ((m->flags & MS_BIND) && !m->source[0])
                        return json_error(err, JPATH_KEY(here, "source"), "required for a bind mount");
                r = spec_parse_idmaps(o, here, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err);
                if (r < 0)
                        return r;
                r = spec_parse_idmaps(o, here, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err);
                if (r < 0)
                        return r;
                if ((m->n_uid_mappings || m->n_gid_mappings) && !(m->flags & MS_BIND))
                        return json_error(err, JPATH_KEY(here, "uidMappings"), "id mappings need a bind mount");
                if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
                        return json_error(err, JPATH_KEY(here, m->n_uid_mappings ? "gidMappings" : "uidMappings"),
                                          "an idmapped mount needs both uidMappings and gidMappings");
        }
        return 0;
}
