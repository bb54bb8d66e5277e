/* supervisor/volumes/plan.h: which volumes a container mounts, from its merged Config
 * (Volumes: the image's and `-v /dst`) and HostConfig (Binds `NAME:/dst[:opts]`, Mounts of type
 * volume), with dockerd's rules and messages. Pure: no volume is made here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

struct json_object;

struct volume_mount {
        char *name;                      /* NULL: anonymous (a new volume with a random name) */
        char *destination;               /* absolute, inside the container */
        char *driver;                    /* "local" */
        char *mode;                      /* docker's Mode as inspect shows it: "z", "ro", "" */
        struct json_object *driver_opts; /* --mount volume-opt=k=v (an object), or NULL */
        struct json_object *labels;      /* --mount volume-label=k=v (an object), or NULL */
        bool rw;
        bool copy_data; /* copy the image's content there into an empty volume (not nocopy) */
        bool anonymous; /* made for this mount (or inherited from one that was): rm -v removes */
        bool inherited; /* --volumes-from: an existing volume of another container */
};

struct volume_plan {
        struct volume_mount *mounts;
        size_t n;
};

/* CONFIG is the merged Config, HOST_CONFIG the request's (may be NULL). -EINVAL with dockerd's
 * message for a bad spec ("invalid volume specification: 'x'", "Duplicate mount point: /d",
 * "invalid mode: x", a bad name). *ret is the caller's (volume_plan_done). */
int volume_plan_build(struct json_object *config, struct json_object *host_config,
                      struct volume_plan *ret, berth_error_t **err);
/* The same with FROM (may be NULL): the volumes of --volumes-from containers, a JSON array of
 * {Name, Destination, Driver, RW, Anonymous}, RW already narrowed by the ":ro" of the option.
 * They come in where no Bind, Mount or Tmpfs of the request takes the destination, without
 * copy-up and with Mode ""; the image's Volumes skip their destinations (dockerd's
 * registerMountPoints order). */
int volume_plan_build_from(struct json_object *config, struct json_object *host_config,
                           struct json_object *from, struct volume_plan *ret, berth_error_t **err);
void volume_plan_done(struct volume_plan *p);

/* Whether a HostConfig.Binds entry names a volume rather than a host path: its source does not
 * start with "/" (NAME:/dst), or it is a lone destination ("/dst"). spec.c leaves those here. */
bool volume_plan_bind_is_volume(const char *bind);
