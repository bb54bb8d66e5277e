/* supervisor/api/system.h: the Docker Engine API's system resource: /_ping, /version, /info. */
#pragma once

#include "supervisor/api/api.h"

void api_system_ping(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
void api_system_version(const struct api_ctx *ctx, const struct api_request *req,
                        struct api_response *resp);
void api_system_info(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
/* The /etc/os-release value KEY ("PRETTY_NAME") from the file text BUF, unquoted; NULL when
 * absent. Caller frees. */
char *api_os_release_value(const char *buf, const char *key);
