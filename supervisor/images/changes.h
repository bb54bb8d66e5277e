/* supervisor/images/changes.h: docker import/commit's --change: Dockerfile instructions applied
 * to an image's container config. Pure. */
#pragma once

#include "lib/error.h"

struct json_object;

/* A container config as dockerd writes an empty one (Hostname … Labels, in its member order);
 * the caller's. */
struct json_object *image_changes_new_config(void);
/* Apply CHANGES (each one or more lines of "INSTRUCTION args": CMD, ENTRYPOINT, ENV, LABEL,
 * USER, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL; JSON-array or shell form where Dockerfiles allow
 * both) to CONFIG, in order. Anything else is -EINVAL "NAME is not a valid change command", as
 * dockerd's; a bad argument is -EINVAL naming the instruction. */
int image_changes_apply(struct json_object *config, char *const *changes, berth_error_t **err);
