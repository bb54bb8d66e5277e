/* supervisor/api/pull.c: docker pull over the API: the query, the early errors, and the progress
 * stream (stream.h) fed by the image service's pull events. The X-Registry-Auth header's
 * credentials (api/auth.c's decoding) are the pull's; berthd's auth file otherwise. */
#include <config.h>

#include "supervisor/api/pull.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/api/api.h"
#include "supervisor/api/progress.h"
#include "supervisor/api/stream.h"
#include "supervisor/images/registry.h"
#include "supervisor/images/service.h"

static int
on_event(const struct image_pull_event *ev, void *arg)
{
        struct api_stream *s = arg;
        struct json_object *o;
        int r;

        if (ev == NULL)
                return api_stream_closed(s, 0) ? -EPIPE : 0;
        o = api_progress_json(ev, (int64_t) time(NULL));
        r = api_stream_write_json(s, o);
        json_object_put(o);
        return r;
}

static void
produce(struct api_stream *s, void *arg)
{
        struct image_pull *p = arg;
        cleanup_error berth_error_t *err = NULL; /* sent as the last line */

        if (image_service_pull_run(p, on_event, s, &err) < 0 && !api_stream_closed(s, 0)) {
                struct json_object *o = api_progress_error(err->msg);
                api_stream_write_json(s, o);
                json_object_put(o);
        }
}

static void
free_pull(void *arg)
{
        image_pull_free(arg);
}

void
api_images_pull(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *name = NULL;
        const char *from = api_query_get(req, "fromImage"), *tag = api_query_get(req, "tag");
        struct registry_config cfg = {.insecure = ctx->insecure_registries,
                                      .mirrors = ctx->registry_mirrors,
                                      .auth_file = ctx->registry_auth_file};
        struct registry_creds creds = {0};
        struct image_pull_options opts = {.registry = &cfg,
                                          .creds = &creds,
                                          .platform = api_query_get(req, "platform"),
                                          .max_downloads = ctx->max_concurrent_downloads};
        struct image_pull *p = NULL;
        int r;

        if (from == NULL || from[0] == '\0') {
                api_response_error(resp, 400, "fromImage or fromSrc is required");
                return;
        }
        if (tag && tag[0])
                name = xasprintf("%s%s%s", from, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
        else
                name = xstrdup(from);
        {
                /* dockerd ignores a header it cannot decode (pull then goes anonymous). */
                cleanup_error berth_error_t *bad = NULL;
                if (registry_auth_header_parse(req->registry_auth, &creds, &bad) < 0)
                        memset(&creds, 0, sizeof(creds));
        }
        /* The session made by begin copies CREDS and does not keep CFG. */
        r = image_service_pull_begin(ctx->images, name, &opts, &p, &err);
        registry_creds_done(&creds);
        if (r < 0) {
                unsigned status = err->code == EOPNOTSUPP ? 501
                                  : err->code == ENOENT   ? 404
                                  : err->code == EINVAL   ? 400
                                                          : 500;
                api_response_error(resp, status, "%s", err->msg);
                return;
        }
        api_response_stream(resp, 200, "application/json", produce, p, free_pull);
}
