/* supervisor/api/containers.h: the Docker Engine API's container endpoints (records only: no
 * start yet), and the containers parts of /info and /system/df. */
#pragma once

#include <stdint.h>

#include "supervisor/api/api.h"

void api_containers_create(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
void api_containers_list(const struct api_ctx *ctx, const struct api_request *req,
                         struct api_response *resp);
void api_containers_inspect(const struct api_ctx *ctx, const struct api_request *req,
                            struct api_response *resp);
void api_containers_remove(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
void api_containers_rename(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
void api_containers_prune(const struct api_ctx *ctx, const struct api_request *req,
                          struct api_response *resp);
/* /info's counts; -1 in *ret_total when the records cannot be read. */
void api_containers_count(const struct api_ctx *ctx, int64_t *ret_total, int64_t *ret_running,
                          int64_t *ret_paused, int64_t *ret_stopped);
/* /system/df's Containers array (with sizes). */
struct json_object *api_containers_df(const struct api_ctx *ctx);
