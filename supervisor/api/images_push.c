/* supervisor/api/images_push.c: POST /images/{name}/push?tag=: docker push through the image
 * service (supervisor/images/push.h), docker's JSON-lines progress streamed as it happens. */
#include <config.h>

#include "supervisor/api/images_push.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/api/stream.h"
#include "supervisor/images/push.h"
#include "supervisor/images/registry.h"

static unsigned
status_of(const berth_error_t *e)
{
        switch (e->code) {
        case ENOENT:
                return 404;
        case EACCES:
                return 401;
        case EINVAL:
                return 400;
        case EOPNOTSUPP:
                return 501;
        default:
                return 500;
        }
}

/* What the producer thread needs once the request is gone. */
struct push_job {
        const struct api_ctx *ctx; /* main()'s, outlives every connection */
        char *name;
        char *tag;
        struct registry_creds creds; /* from X-Registry-Auth */
        struct image_push_options opts;
};

static void
push_job_free(void *p)
{
        struct push_job *j = p;

        free(j->name);
        free(j->tag);
        registry_creds_done(&j->creds);
        free(j);
}

static int
send_line(struct json_object *line, void *arg)
{
        int r = api_stream_write_json(arg, line);

        json_object_put(line);
        return r;
}

static void
push_produce(struct api_stream *s, void *arg)
{
        struct push_job *j = arg;
        cleanup_error berth_error_t *err = NULL;
        struct registry_config cfg = {.insecure = j->ctx->insecure_registries,
                                      .auth_file = j->ctx->registry_auth_file};
        int r;

        r = image_service_push(j->ctx->images, j->name, j->tag, &cfg, &j->creds, &j->opts,
                               send_line, s, &err);
        if (r < 0 && r != -ECANCELED) {
                cleanup_json struct json_object *o = json_object_new_object();
                struct json_object *d = json_object_new_object();
                json_object_object_add(d, "message", json_object_new_string(err->msg));
                json_object_object_add(o, "errorDetail", d);
                json_object_object_add(o, "error", json_object_new_string(err->msg));
                api_stream_write_json(s, o); /* nobody to tell if the client is gone */
        }
}

/* The X-Registry-Auth header the CLIs send (base64url JSON credentials; "e30=", "{}", without a
 * login) gives the push's credentials; one that does not decode is ignored, as dockerd does
 * (then berthd's auth.json, else anonymous). What can fail before the first progress line
 * (an unknown image or tag, a refused registry) is checked first and answered with an HTTP
 * status; then the push streams, and a later failure is its last {"errorDetail":…,"error":…}
 * line, as dockerd.
 *
 * BERTHD_PUSH_CHUNK_SIZE (bytes) in berthd's environment sets the size above which blobs go up
 * in chunks (a test knob: see push.h). */
void
api_images_push(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        const char *chunk = getenv("BERTHD_PUSH_CHUNK_SIZE");
        const char *tag = api_query_get(req, "tag");
        struct push_job *j;

        if (image_service_push_check(ctx->images, req->param, tag, &err) < 0) {
                api_response_error(resp, status_of(err), "%s", err->msg);
                return;
        }
        j = xzalloc(sizeof(*j));
        j->ctx = ctx;
        j->name = xstrdup(req->param);
        j->tag = tag ? xstrdup(tag) : NULL;
        {
                cleanup_error berth_error_t *bad = NULL; /* undecodable: as if absent */
                if (registry_auth_header_parse(req->registry_auth, &j->creds, &bad) < 0)
                        memset(&j->creds, 0, sizeof(j->creds));
        }
        if (chunk && chunk[0])
                j->opts.chunk_size = strtoll(chunk, NULL, 10);
        api_response_stream(resp, 200, "application/json", push_produce, j, push_job_free);
}
