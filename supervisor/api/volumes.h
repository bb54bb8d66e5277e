/* supervisor/api/volumes.h: /volumes/... and the volumes part of /system/df. */
#pragma once

#include "supervisor/api/api.h"

void api_volumes_create(const struct api_ctx *ctx, const struct api_request *req,
                        struct api_response *resp);
void api_volumes_list(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp);
void api_volumes_inspect(const struct api_ctx *ctx, const struct api_request *req,
                         struct api_response *resp);
void api_volumes_remove(const struct api_ctx *ctx, const struct api_request *req,
                        struct api_response *resp);
void api_volumes_prune(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp);
/* /system/df's Volumes: each volume with UsageData {Size, RefCount}. */
struct json_object *api_volumes_df(const struct api_ctx *ctx);
