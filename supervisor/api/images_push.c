/* supervisor/api/images_push.c: POST /images/{name}/push?tag=: docker push through the image
 * service (supervisor/images/push.h), docker's JSON-lines progress. */
#include <config.h>

#include "supervisor/api/images_push.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/images/push.h"

static void
collect(struct json_object *line, void *arg)
{
        json_object_array_add(arg, line);
}

static unsigned
status_of(const berth_error_t *e)
{
        switch (e->code) {
        case ENOENT:
                return 404;
        case EINVAL:
                return 400;
        case EOPNOTSUPP:
                return 501;
        default:
                return 500;
        }
}

static void
append_line(char **buf, struct json_object *o)
{
        cleanup_free char *old = *buf;
        *buf = xasprintf("%s%s\n", old ? old : "",
                         json_object_to_json_string_ext(
                                 o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The X-Registry-Auth header the CLIs send ("e30=", base64 "{}", without a login) is accepted
 * and not read: berthd pushes anonymously for now. A failure before the first progress line (an
 * unknown image or tag, a refused registry) is an HTTP error; a later one is the stream's last
 * {"errorDetail":…,"error":…} line, as dockerd. The progress is sent once the push ends.
 *
 * BERTHD_PUSH_CHUNK_SIZE (bytes) in berthd's environment sets the size above which blobs go up
 * in chunks (a test knob: see push.h). */
void
api_images_push(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *lines = json_object_new_array();
        struct image_push_options opts = {0};
        const char *chunk = getenv("BERTHD_PUSH_CHUNK_SIZE");
        char *body = NULL;
        int r;

        if (chunk && chunk[0])
                opts.chunk_size = strtoll(chunk, NULL, 10);
        r = image_service_push(ctx->images, req->param, api_query_get(req, "tag"),
                               ctx->insecure_registries, &opts, collect, lines, &err);
        if (r < 0 && json_object_array_length(lines) == 0) {
                api_response_error(resp, status_of(err), "%s", err->msg);
                return;
        }
        for (size_t i = 0; i < json_object_array_length(lines); i++)
                append_line(&body, json_object_array_get_idx(lines, i));
        if (r < 0) {
                cleanup_json struct json_object *o = json_object_new_object();
                struct json_object *d = json_object_new_object();
                json_object_object_add(d, "message", json_object_new_string(err->msg));
                json_object_object_add(o, "errorDetail", d);
                json_object_object_add(o, "error", json_object_new_string(err->msg));
                append_line(&body, o);
        }
        resp->status = 200;
        resp->content_type = "application/json";
        resp->body = body ? body : xstrdup("");
        resp->body_len = strlen(resp->body);
}
