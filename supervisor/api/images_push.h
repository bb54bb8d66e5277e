/* supervisor/api/images_push.h: POST /images/{name}/push (docker push). */
#pragma once

#include "supervisor/api/api.h"

void api_images_push(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
