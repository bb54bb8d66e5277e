/* supervisor/api/containers_attach.h: hijacked endpoints: POST /containers/{id}/attach and
 * /containers/{id}/resize (containers_attach.c), the hijacked exec start and exec resize (exec.c; the exec records are
 * supervisor/containers/run_exec.c's). */
#pragma once

#include "lib/error.h"
#include "supervisor/api/api.h"

void api_containers_attach(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
void api_containers_resize(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
/* POST /exec/{id}/start without Detach (from api_exec_start): hijacked. */
void api_exec_start_attached(const struct api_ctx *ctx, const struct api_request *req,
                             struct api_response *resp);
void api_exec_resize(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
