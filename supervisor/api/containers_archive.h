/* supervisor/api/containers_archive.h: docker cp, diff, export and commit: HEAD/GET/PUT
 * /containers/{id}/archive, GET /containers/{id}/changes, GET /containers/{id}/export and
 * POST /commit, over supervisor/containers/archive.h and commit.h. */
#pragma once

#include "supervisor/api/api.h"

void api_containers_archive_head(const struct api_ctx *ctx, const struct api_request *req,
                                 struct api_response *resp);
void api_containers_archive_get(const struct api_ctx *ctx, const struct api_request *req,
                                struct api_response *resp);
void api_containers_archive_put(const struct api_ctx *ctx, const struct api_request *req,
                                struct api_response *resp);
void api_containers_changes(const struct api_ctx *ctx, const struct api_request *req,
                            struct api_response *resp);
void api_containers_export(const struct api_ctx *ctx, const struct api_request *req,
                           struct api_response *resp);
void api_commit(const struct api_ctx *ctx, const struct api_request *req,
                struct api_response *resp);
