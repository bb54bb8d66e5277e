/* supervisor/images/commit.h: docker commit's image side: a container's diff (an uncompressed
 * layer tar) on top of its image becomes a new image (moby daemon/images/image_commit.go: the
 * config it writes, the history entry, the tag). */
#pragma once

#include "lib/error.h"

struct image_service;
struct json_object;

struct image_commit_options {
        const char *parent_id;     /* the container's image ID */
        const char *name;          /* "repo" or "repo:tag", or NULL */
        const char *comment;       /* may be NULL */
        const char *author;        /* may be NULL */
        const char *container_id;  /* the config's "container" */
        const char *created_by;    /* the history entry's created_by (the container's command) */
        struct json_object *config;           /* the new image's Config (borrowed) */
        struct json_object *container_config; /* the config's container_config (borrowed) */
};

/* Store the layer tar read from LAYER_FD (at offset 0) and a config on top of O->parent_id's,
 * record the image (tagged O->name). *ret_id is the new image ID. A bad name is -EINVAL before
 * anything is stored. */
int image_service_commit(struct image_service *svc, int layer_fd,
                         const struct image_commit_options *o, char **ret_id, berth_error_t **err);
