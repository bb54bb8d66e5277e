/* supervisor/api/pull.h: POST /images/create?fromImage=… (docker pull), streamed. */
#pragma once

struct api_ctx;
struct api_request;
struct api_response;

/* Resolves the reference first (an unknown tag, a bad reference or platform, a refused registry
 * are plain HTTP errors, as dockerd answers before it streams), then streams docker's progress
 * lines as the pull goes; a later failure is the last line ({"errorDetail":…}). A client that
 * hangs up cancels the pull. */
void api_images_pull(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp);
