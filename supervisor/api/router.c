/* supervisor/api/router.c: the Docker Engine API's routing and its version middleware. */
#include <config.h>

#include "supervisor/api/router.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/api/auth.h"
#include "supervisor/api/events.h"
#include "supervisor/api/containers.h"
#include "supervisor/api/containers_run.h"
#include "supervisor/api/containers_attach.h"
#include "supervisor/api/containers_stats.h"
#include "supervisor/api/containers_archive.h"
#include "supervisor/api/images.h"
#include "supervisor/api/images_push.h"
#include "supervisor/api/system.h"
#include "supervisor/api/volumes.h"

typedef void (*api_handler_fn)(const struct api_ctx *ctx, const struct api_request *req,
                               struct api_response *resp);

static const struct {
        const char *method;
        const char *path;
        api_handler_fn fn;
} routes[] = {
        {"GET", "/_ping", api_system_ping},       {"HEAD", "/_ping", api_system_ping},
        {"GET", "/version", api_system_version},  {"GET", "/info", api_system_info},
        {"GET", "/images/json", api_images_list}, {"POST", "/images/load", api_images_load},
        {"POST", "/images/create", api_images_create},
        {"GET", "/images/get", api_images_save},  {"POST", "/images/prune", api_images_prune},
        {"GET", "/system/df", api_system_df},
        {"POST", "/auth", api_auth_login},
        {"GET", "/events", api_system_events},
        {"POST", "/containers/create", api_containers_create},
        {"GET", "/containers/json", api_containers_list},
        {"POST", "/containers/prune", api_containers_prune},
        {"POST", "/commit", api_commit},
        {"POST", "/volumes/create", api_volumes_create},
        {"GET", "/volumes", api_volumes_list},
        {"POST", "/volumes/prune", api_volumes_prune},
};

/* "/images/{name}/json": PREFIX, a name (which may hold "/" and ":"), SUFFIX; dockerd's
 * {name:.*}. Tried after the exact routes, so "/images/json" is the list. */
static const struct {
        const char *method;
        const char *prefix;
        const char *suffix;
        api_handler_fn fn;
} pattern_routes[] = {
        {"GET", "/images/", "/json", api_images_inspect},
        {"GET", "/images/", "/history", api_images_history},
        {"GET", "/images/", "/get", api_images_save},
        {"POST", "/images/", "/tag", api_images_tag},
        {"POST", "/images/", "/push", api_images_push},
        {"DELETE", "/images/", "", api_images_remove},
        {"GET", "/containers/", "/json", api_containers_inspect},
        {"POST", "/containers/", "/rename", api_containers_rename},
        {"DELETE", "/containers/", "", api_containers_remove},
        {"POST", "/containers/", "/start", api_containers_start},
        {"POST", "/containers/", "/stop", api_containers_stop},
        {"POST", "/containers/", "/kill", api_containers_kill},
        {"POST", "/containers/", "/wait", api_containers_wait},
        {"POST", "/containers/", "/restart", api_containers_restart},
        {"POST", "/containers/", "/pause", api_containers_pause},
        {"POST", "/containers/", "/unpause", api_containers_unpause},
        {"GET", "/containers/", "/top", api_containers_top},
        {"GET", "/containers/", "/logs", api_containers_logs},
        {"POST", "/containers/", "/exec", api_containers_exec_create},
        {"POST", "/exec/", "/start", api_exec_start},
        {"GET", "/exec/", "/json", api_exec_inspect},
        {"POST", "/containers/", "/attach", api_containers_attach},
        {"POST", "/containers/", "/resize", api_containers_resize},
        {"HEAD", "/containers/", "/archive", api_containers_archive_head},
        {"GET", "/containers/", "/archive", api_containers_archive_get},
        {"PUT", "/containers/", "/archive", api_containers_archive_put},
        {"GET", "/containers/", "/changes", api_containers_changes},
        {"GET", "/containers/", "/export", api_containers_export},
        {"POST", "/exec/", "/resize", api_exec_resize},
        {"GET", "/containers/", "/stats", api_containers_stats},
        {"POST", "/containers/", "/update", api_containers_update},
        {"GET", "/volumes/", "", api_volumes_inspect},
        {"DELETE", "/volumes/", "", api_volumes_remove},
};

const char *
api_query_get(const struct api_request *req, const char *key)
{
        for (size_t i = 0; req->query && req->query[i] && req->query[i + 1]; i += 2)
                if (strcmp(req->query[i], key) == 0)
                        return req->query[i + 1];
        return NULL;
}

bool
api_query_bool(const struct api_request *req, const char *key, bool dflt)
{
        const char *v = api_query_get(req, key);

        if (v == NULL)
                return dflt;
        /* dockerd's BoolValue: anything but "", "0", "no", "false", "none" is true. */
        return !(v[0] == '\0' || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0
                 || strcasecmp(v, "false") == 0 || strcasecmp(v, "none") == 0);
}

void
api_response_add_header(struct api_response *resp, const char *name, const char *value)
{
        if (resp->n_headers == API_MAX_HEADERS)
                abort(); /* a programming error: the table is sized for every handler */
        resp->headers[resp->n_headers].name = name;
        resp->headers[resp->n_headers].value = xstrdup(value);
        resp->n_headers++;
}

void
api_response_json(struct api_response *resp, unsigned status, struct json_object *obj)
{
        const char *s = json_object_to_json_string_ext(
                obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

        free(resp->body);
        resp->body = xasprintf("%s\n", s);
        resp->body_len = strlen(resp->body);
        resp->status = status;
        resp->content_type = "application/json";
        json_object_put(obj);
}

void
api_response_error(struct api_response *resp, unsigned status, const char *fmt, ...)
{
        struct json_object *o = json_object_new_object();
        cleanup_free char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = xvasprintf(fmt, ap);
        va_end(ap);
        json_object_object_add(o, "message", json_object_new_string(msg));
        api_response_json(resp, status, o);
}

void
api_response_berror(struct api_response *resp, const berth_error_t *e)
{
        unsigned status;

        switch (e->code) {
        case ENOENT:
                status = 404;
                break;
        case EBUSY:
        case EEXIST:
                status = 409;
                break;
        case EINVAL:
                status = 400;
                break;
        case EOPNOTSUPP:
                status = 501;
                break;
        default:
                status = 500;
        }
        api_response_error(resp, status, "%s", e->msg);
}

void
api_response_done(struct api_response *resp)
{
        if (resp->body_fd_plus1 > 0)
                close(resp->body_fd_plus1 - 1);
        if (resp->stream_free && resp->stream_arg)
                resp->stream_free(resp->stream_arg);
        free(resp->body);
        for (size_t i = 0; i < resp->n_headers; i++)
                free(resp->headers[i].value);
        memset(resp, 0, sizeof(*resp));
}

void
api_path_split(const char *path, char **ret_version, const char **ret_rest)
{
        size_t n;

        *ret_version = NULL;
        *ret_rest = path;
        if (strncmp(path, "/v", 2) != 0)
                return;
        n = strspn(path + 2, "0123456789.");
        if (n == 0 || path[2 + n] != '/')
                return;
        *ret_version = xstrndup(path + 2, n);
        *ret_rest = path + 2 + n;
}

int
api_version_compare(const char *a, const char *b)
{
        while (*a || *b) {
                char *ea = NULL, *eb = NULL;
                unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
                if (x != y)
                        return x < y ? -1 : 1;
                a = *ea == '.' ? ea + 1 : ea;
                b = *eb == '.' ? eb + 1 : eb;
        }
        return 0;
}

void
api_route(const struct api_ctx *ctx, const char *method, const char *full_path, const char *body,
          size_t body_len, struct api_response *resp)
{
        struct api_request in = {.body = body, .body_len = body_len, .body_fd = -1};

        api_route_request(ctx, method, full_path, &in, resp);
}

void
api_route_request(const struct api_ctx *ctx, const char *method, const char *full_path,
                  const struct api_request *in, struct api_response *resp)
{
        cleanup_free char *version = NULL;
        cleanup_free char *param = NULL;
        struct api_request req = *in;
        api_handler_fn fn = NULL;

        req.method = method;
        memset(resp, 0, sizeof(*resp));
        api_path_split(full_path, &version, &req.path);
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
                if (strcmp(routes[i].path, req.path) == 0 && strcmp(routes[i].method, method) == 0)
                        fn = routes[i].fn;
        for (size_t i = 0; fn == NULL && i < sizeof(pattern_routes) / sizeof(pattern_routes[0]);
             i++) {
                size_t pl = strlen(pattern_routes[i].prefix), sl = strlen(pattern_routes[i].suffix);
                size_t len = strlen(req.path);
                if (strcmp(pattern_routes[i].method, method) != 0 || len <= pl + sl
                    || strncmp(req.path, pattern_routes[i].prefix, pl) != 0
                    || strcmp(req.path + len - sl, pattern_routes[i].suffix) != 0)
                        continue;
                param = xstrndup(req.path + pl, len - pl - sl);
                req.param = param;
                fn = pattern_routes[i].fn;
        }
        /* dockerd answers an unknown path and a known path with the wrong method alike: its mux
         * sets one handler as both NotFoundHandler and MethodNotAllowedHandler. */
        if (fn == NULL) {
                /* Outside the middleware: none of the headers below (as dockerd 20.10). */
                api_response_error(resp, 404, "page not found");
                return;
        }
        /* dockerd's middleware puts these on every response it routes, errors included. */
        api_response_add_header(resp, "Api-Version", API_VERSION_MAX);
        api_response_add_header(resp, "Docker-Experimental", "false");
        api_response_add_header(resp, "Ostype", "linux");
        api_response_add_header(resp, "Server", "berthd/" PACKAGE_VERSION " (linux)");
        req.version = version ? version : API_VERSION_MAX;
        if (api_version_compare(req.version, API_VERSION_MIN) < 0) {
                /* dockerd answers clients older than 1.24 in plain text (Go's http.Error), not
                 * in the JSON they would not understand. */
                resp->status = 400;
                resp->content_type = "text/plain; charset=utf-8";
                api_response_add_header(resp, "X-Content-Type-Options", "nosniff");
                resp->body = xasprintf(
                        "client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version\n",
                        req.version, API_VERSION_MIN);
                resp->body_len = strlen(resp->body);
                return;
        }
        if (api_version_compare(req.version, API_VERSION_MAX) > 0) {
                api_response_error(
                        resp, 400,
                        "client version %s is too new. Maximum supported API version is %s",
                        req.version, API_VERSION_MAX);
                return;
        }
        fn(ctx, &req, resp);
}
