/* supervisor/api/router.h: method + path (after the optional /v1.NN prefix) to a handler. */
#pragma once

#include "supervisor/api/api.h"

/* Split "/v1.41/version" into "1.41" and "/version". Without a prefix *ret_version is NULL and
 * *ret_rest is PATH. A prefix is "/v" and [0-9.]+ followed by "/" (dockerd's route pattern).
 * *ret_version is the caller's; *ret_rest points into PATH. */
void api_path_split(const char *path, char **ret_version, const char **ret_rest);
/* Compare dotted versions as dockerd does (numerically, part by part; missing parts are 0). */
int api_version_compare(const char *a, const char *b);
/* Route METHOD FULL_PATH (BODY may be NULL) and fill RESP, headers included. */
void api_route(const struct api_ctx *ctx, const char *method, const char *full_path,
               const char *body, size_t body_len, struct api_response *resp);
/* The same with a prepared request: IN's body, body_fd and query are used (method, path,
 * version and param are set here). */
void api_route_request(const struct api_ctx *ctx, const char *method, const char *full_path,
                       const struct api_request *in, struct api_response *resp);
