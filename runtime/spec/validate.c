/* runtime/spec/validate.c: cross-section rules, with runc's reasons (libcontainer/configs/validate). */
#include <config.h>

#include "runtime/spec/validate.h"

#include <sched.h>
#include <string.h>

#include "lib/json.h"

static bool
has_new(const struct spec *spec, int type)
{
        const struct spec_namespace *ns = spec_find_namespace(spec, type);
        return ns && !ns->path;
}

static bool
has_any(const struct spec *spec, int type)
{
        return spec_find_namespace(spec, type) != NULL;
}

static int
validate_sysctl(const struct spec *spec, size_t i, const char *key, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(JPATH_KEY(NULL, "linux"), "sysctl");
        static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                               "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                               "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
        (void) i;
        for (size_t k = 0; ipc_keys[k]; k++) {
                if (strcmp(key, ipc_keys[k]) == 0) {
                        if (!has_any(spec, CLONE_NEWIPC))
                                return json_error(err, JPATH_KEY(at, key), "sysctl \"%s\" is not allowed in the host's ipc namespace", key);
                        return 0;
                }
        }
        if (strncmp(key, "fs.mqueue.", 10) == 0) {
                if (!has_any(spec, CLONE_NEWIPC))
                        return json_error(err, JPATH_KEY(at, key), "sysctl \"%s\" is not allowed in the host's ipc namespace", key);
                return 0;
        }
        if (strncmp(key, "net.", 4) == 0) {
                if (!has_any(spec, CLONE_NEWNET))
                        return json_error(err, JPATH_KEY(at, key), "sysctl \"%s\" is not allowed in the host's network namespace", key);
                return 0;
        }
        if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) {
                if (!has_any(spec, CLONE_NEWUTS))
                        return json_error(err, JPATH_KEY(at, key), "sysctl \"%s\" is not allowed in the host's uts namespace", key);
                return 0;
        }
        return json_error(err, JPATH_KEY(at, key), "sysctl \"%s\" is not in a namespace the container has of its own", key);
}

int
spec_validate(const struct spec *spec, berth_error_t **err)
{
        const struct spec_linux *l = &spec->linux;
        int r;

        if (!spec->has_process)
                return json_error(err, JPATH_KEY(NULL, "process"), "required");
        if (!has_any(spec, CLONE_NEWNS))
                return json_error(err, JPATH_KEY(JPATH_KEY(NULL, "linux"), "namespaces"),
                                  "a mount namespace is required");
        if (spec->has_hostname && spec->hostname[0] && !has_any(spec, CLONE_NEWUTS))
                return json_error(err, JPATH_KEY(NULL, "hostname"),
                                  "unable to set hostname without a private UTS namespace");
        if (spec->has_domainname && spec->domainname[0] && !has_any(spec, CLONE_NEWUTS))
                return json_error(err, JPATH_KEY(NULL, "domainname"),
                                  "unable to set domainname without a private UTS namespace");
        /* The path names the member at fault: the mapping given, or the one missing. */
        if ((l->n_uid_mappings || l->n_gid_mappings) && !has_new(spec, CLONE_NEWUSER))
                return json_error(err,
                                  JPATH_KEY(JPATH_KEY(NULL, "linux"),
                                            l->n_uid_mappings ? "uidMappings" : "gidMappings"),
                                  "user namespace mappings given without a new user namespace");
        if (has_new(spec, CLONE_NEWUSER) && (!l->n_uid_mappings || !l->n_gid_mappings))
                return json_error(err,
                                  JPATH_KEY(JPATH_KEY(NULL, "linux"),
                                            !l->n_uid_mappings ? "uidMappings" : "gidMappings"),
                                  "a new user namespace needs uidMappings and gidMappings");
        if (l->has_time_offsets && !has_new(spec, 0x80))
                return json_error(err, JPATH_KEY(JPATH_KEY(NULL, "linux"), "timeOffsets"),
                                  "time offsets need a new time namespace");
        for (size_t i = 0; l->sysctl && l->sysctl[i]; i += 2) {
                r = validate_sysctl(spec, i, l->sysctl[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}
