/* supervisor/api/auth.h: POST /auth (docker login): check credentials against a registry. */
#pragma once

#include "supervisor/api/api.h"

void api_auth_login(const struct api_ctx *ctx, const struct api_request *req,
                    struct api_response *resp);
