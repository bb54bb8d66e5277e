/* supervisor/api/containers_stats.h: GET /containers/{id}/stats and POST
 * /containers/{id}/update, in dockerd 20.10's shapes. */
#pragma once

#include "supervisor/api/api.h"

void api_containers_stats(const struct api_ctx *ctx, const struct api_request *req,
                          struct api_response *resp);
void api_containers_update(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
