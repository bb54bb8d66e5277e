/* supervisor/api/images.h: the Docker Engine API's image endpoints (no registry yet). */
#pragma once

#include "supervisor/api/api.h"

void api_images_list(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
void api_images_inspect(const struct api_ctx *ctx, const struct api_request *req,
                        struct api_response *resp);
void api_images_history(const struct api_ctx *ctx, const struct api_request *req,
                        struct api_response *resp);
void api_images_tag(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp);
void api_images_remove(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp);
void api_images_load(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
void api_images_create(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp);
void api_images_save(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
void api_images_prune(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp);
void api_system_df(const struct api_ctx *ctx, const struct api_request *req,
                   struct api_response *resp);
/* "2024-01-02T03:04:05.123Z" (or with an offset) to Unix seconds; 0 when unparsable. Pure. */
long long api_parse_created(const char *rfc3339);
