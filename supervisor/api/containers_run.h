/* supervisor/api/containers_run.h: the endpoints of running containers: start, stop, kill,
 * wait, restart, pause, unpause, top (containers_run.c) and logs (containers_logs.c), over
 * supervisor/containers/run.h. */
#pragma once

#include "supervisor/api/api.h"

void api_containers_start(const struct api_ctx *ctx, const struct api_request *req,
                          struct api_response *resp);
void api_containers_stop(const struct api_ctx *ctx, const struct api_request *req,
                         struct api_response *resp);
void api_containers_kill(const struct api_ctx *ctx, const struct api_request *req,
                         struct api_response *resp);
void api_containers_wait(const struct api_ctx *ctx, const struct api_request *req,
                         struct api_response *resp);
void api_containers_restart(const struct api_ctx *ctx, const struct api_request *req,
                            struct api_response *resp);
void api_containers_pause(const struct api_ctx *ctx, const struct api_request *req,
                          struct api_response *resp);
void api_containers_unpause(const struct api_ctx *ctx, const struct api_request *req,
                            struct api_response *resp);
void api_containers_top(const struct api_ctx *ctx, const struct api_request *req,
                        struct api_response *resp);
void api_containers_logs(const struct api_ctx *ctx, const struct api_request *req,
                         struct api_response *resp);
/* POST /containers/{id}/exec, POST /exec/{id}/start (Detach only), GET /exec/{id}/json. */
void api_containers_exec_create(const struct api_ctx *ctx, const struct api_request *req,
                                struct api_response *resp);
void api_exec_start(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp);
void api_exec_inspect(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp);
