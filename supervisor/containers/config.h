/* supervisor/containers/config.h: docker's container Config: the create request's merged with
 * the image's (moby daemon/commit.go merge() and the create path's defaults). */
#pragma once

#include "lib/error.h"

struct json_object;

/* The Config docker stores and inspect shows, from IMAGE (the image config's "config" object;
 * NULL for none) and REQ (the request's Config; NULL for none), for container ID. Rules:
 * User, WorkingDir, StopSignal, Healthcheck from the image when the request has none;
 * Env: the request's, then each image variable whose key the request does not set; Labels,
 * ExposedPorts, Volumes: the union, the request's winning; Entrypoint: the request's when
 * given (and then the image's Cmd is not inherited: only the request's), [""] meaning none;
 * otherwise the image's, with the request's Cmd or else the image's; Hostname defaults to the
 * first 12 hex digits of ID. -EINVAL "No command specified" when nothing is left to run. Pure;
 * *ret is the caller's. */
int container_config_merge(struct json_object *image, struct json_object *req, const char *id,
                           struct json_object **ret, berth_error_t **err);

/* Path and Args (docker's inspect fields) from a merged config: the entrypoint's first word, or
 * the Cmd's. *ret_args is a JSON array; both the caller's. */
void container_config_command(struct json_object *config, char **ret_path,
                              struct json_object **ret_args);
/* The environment of the process: PATH (docker's default unless set), HOSTNAME, TERM=xterm with
 * a tty, then the config's Env replacing by key. A strv; caller frees. */
char **container_config_process_env(struct json_object *config);
