/* supervisor/volumes/options.h: the `local` driver's options (type, device, o), checked as
 * moby's volume/local driver checks them, and turned into mount(2)'s arguments. Pure. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct json_object;

/* OPTS (a JSON object of strings, may be NULL) for volume NAME: -EINVAL "create NAME: invalid
 * option: \"x\"" for an unknown key, "create NAME: missing required option: \"device\"" when
 * type, device and o are not given together as dockerd requires; "size" as dockerd without
 * quota support ("quota size requested but no quota support"). */
int volume_options_check(const char *name, struct json_object *opts, berth_error_t **err);
/* Whether OPTS ask for a mount when the volume is used (type or device given). */
bool volume_options_need_mount(struct json_object *opts);

struct volume_mount_args {
        char *source;        /* "device" */
        char *fstype;        /* "type"; NULL for "none" and for bind mounts */
        unsigned long flags; /* MS_* from o= */
        char *data;          /* what o= leaves for the filesystem, or NULL */
        bool remount_ro;     /* a read-only bind: a second MS_REMOUNT|MS_BIND|MS_RDONLY */
};

/* The mount(2) arguments for OPTS (checked already). */
int volume_options_build(struct json_object *opts, struct volume_mount_args *ret,
                         berth_error_t **err);
void volume_mount_args_done(struct volume_mount_args *a);
