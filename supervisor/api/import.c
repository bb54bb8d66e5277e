/* supervisor/api/import.c: docker import over the API: the query, then the image service. */
#include <config.h>

#include "supervisor/api/import.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/api/api.h"
#include "supervisor/images/service.h"

void
api_images_import(const struct api_ctx *ctx, const struct api_request *req,
                  struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_strv char **changes = NULL;
        cleanup_free char *name = NULL, *id = NULL, *line = NULL;
        const char *src = api_query_get(req, "fromSrc"), *repo = api_query_get(req, "repo");
        const char *tag = api_query_get(req, "tag");
        struct image_import_options o = {.message = api_query_get(req, "message"),
                                         .source = src,
                                         .platform = api_query_get(req, "platform")};

        if (strcmp(src, "-") != 0) {
                api_response_error(resp, 501,
                                   "import from \"%s\": only the request body (-) is "
                                   "implemented",
                                   src);
                return;
        }
        if (req->body_fd < 0) {
                api_response_error(resp, 500, "import: no upload");
                return;
        }
        for (size_t i = 0; req->query && req->query[i] && req->query[i + 1]; i += 2)
                if (strcmp(req->query[i], "changes") == 0 && req->query[i + 1][0])
                        strv_push(&changes, req->query[i + 1]);
        if (repo && repo[0])
                name = tag && tag[0] ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
        o.name = name;
        o.changes = changes;
        if (image_service_import(ctx->images, req->body_fd, &o, &id, &err) < 0) {
                api_response_error(resp, err->code == EINVAL ? 400 : 500, "%s", err->msg);
                return;
        }
        line = xasprintf("{\"status\":\"%s\"}\n", id);
        resp->status = 200;
        resp->content_type = "application/json";
        resp->body = TAKE_PTR(line);
        resp->body_len = strlen(resp->body);
}
