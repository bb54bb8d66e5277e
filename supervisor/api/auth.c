/* supervisor/api/auth.c: POST /auth, what `docker login` sends: {"username","password",
 * "serveraddress"} (or an "identitytoken"). berthd checks them as dockerd does, with the
 * registry's /v2/ and the auth flow it asks for (a token fetched with them, or basic auth), and
 * stores nothing: the client keeps the credentials and sends them with each pull and push. */
#include <config.h>

#include "supervisor/api/auth.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/images/registry.h"

/* The host a login names: "https://index.docker.io/v1/" and friends are docker.io. */
static char *
login_host(const char *server)
{
        cleanup_free char *key = registry_auth_key(server);

        if (strncmp(key, "https://", 8) == 0)
                return xstrdup("docker.io");
        return TAKE_PTR(key);
}

static int
member(struct json_object *o, const char *key, char **ret, berth_error_t **err)
{
        const char *s = NULL;
        int r = json_get_string(o, NULL, key, &s, err);

        if (r < 0)
                return r;
        *ret = s && s[0] ? xstrdup(s) : NULL;
        return 0;
}

void
api_auth_login(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *host = NULL;
        cleanup_registry_session struct registry_session *s = NULL;
        struct registry_endpoint *eps = NULL;
        struct registry_creds creds = {0};
        struct registry_config cfg = {.insecure = ctx->insecure_registries};
        size_t n = 0;
        int r;

        r = json_parse_buffer(req->body ? req->body : "", req->body_len, &doc, &err);
        if (r >= 0 && !json_object_is_type(doc, json_type_object))
                r = berth_error_new(&err, EINVAL, "not a JSON object");
        if (r >= 0)
                r = member(doc, "username", &creds.username, &err);
        if (r >= 0)
                r = member(doc, "password", &creds.password, &err);
        if (r >= 0)
                r = member(doc, "identitytoken", &creds.identity_token, &err);
        if (r >= 0)
                r = member(doc, "serveraddress", &creds.server_address, &err);
        if (r < 0) {
                registry_creds_done(&creds);
                api_response_error(resp, 400, "%s", err->msg);
                return;
        }
        host = login_host(creds.server_address);
        /* A login talks to the registry itself, never a mirror (dockerd does the same). */
        r = registry_endpoints_build(host, NULL, cfg.insecure, &eps, &n, &err);
        if (r >= 0)
                r = registry_session_new(&cfg, &eps[n - 1], host, NULL, "pull", &creds, &s, &err);
        registry_endpoints_free(eps, n);
        registry_creds_done(&creds);
        if (r >= 0)
                r = registry_session_ping(s, &err);
        if (r < 0) {
                api_response_error(resp, r == -EACCES ? 401 : 500, "%s", err->msg);
                return;
        }
        {
                struct json_object *o = json_object_new_object();
                json_object_object_add(o, "IdentityToken", json_object_new_string(""));
                json_object_object_add(o, "Status", json_object_new_string("Login Succeeded"));
                api_response_json(resp, 200, o);
        }
}
