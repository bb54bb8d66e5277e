/* supervisor/api/containers_attach.h: hijacked endpoints: POST /containers/{id}/attach and
 * /containers/{id}/resize (containers_attach.c), exec create/start/inspect/resize (exec.c). */
#pragma once

#include "lib/error.h"
#include "supervisor/api/api.h"

void api_containers_attach(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
void api_containers_resize(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
void api_exec_create(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
void api_exec_start(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp);
void api_exec_inspect(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp);
void api_exec_resize(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);

/* Pure: the OCI process of an exec: the container's SPEC_PROCESS (config.json's "process")
 * with docker's exec request REQ (Cmd, Env, WorkingDir, User "uid[:gid]", Tty) applied. *RET is
 * the caller's. -EINVAL for an empty Cmd or a user that is not numeric (nor "root"). */
struct json_object;
int api_exec_process_build(struct json_object *spec_process, struct json_object *req,
                           struct json_object **ret, berth_error_t **err);
