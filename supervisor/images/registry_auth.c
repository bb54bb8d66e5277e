/* supervisor/images/registry_auth.c: credentials, their encodings, and WWW-Authenticate
 * challenges (registry_auth.h). Pure. */
#include <config.h>

#include "supervisor/images/registry_auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

void
registry_creds_done(struct registry_creds *c)
{
        free(c->username);
        free(c->password);
        free(c->identity_token);
        free(c->server_address);
        memset(c, 0, sizeof(*c));
}

bool
registry_creds_present(const struct registry_creds *c)
{
        return c
               && ((c->username && c->username[0]) || (c->identity_token && c->identity_token[0]));
}

static char *
dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

void
registry_creds_copy(struct registry_creds *ret, const struct registry_creds *src)
{
        memset(ret, 0, sizeof(*ret));
        if (src == NULL)
                return;
        ret->username = dup_or_null(src->username);
        ret->password = dup_or_null(src->password);
        ret->identity_token = dup_or_null(src->identity_token);
        ret->server_address = dup_or_null(src->server_address);
}

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
registry_base64_encode(const void *buf, size_t len, bool url)
{
        const unsigned char *p = buf;
        const char *alpha = url ? b64_url : b64_std;
        char *out = xmalloc(4 * ((len + 2) / 3) + 1), *o = out;

        for (size_t i = 0; i < len; i += 3) {
                unsigned v = (unsigned) p[i] << 16;
                if (i + 1 < len)
                        v |= (unsigned) p[i + 1] << 8;
                if (i + 2 < len)
                        v |= p[i + 2];
                *o++ = alpha[(v >> 18) & 63];
                *o++ = alpha[(v >> 12) & 63];
                *o++ = i + 1 < len ? alpha[(v >> 6) & 63] : '=';
                *o++ = i + 2 < len ? alpha[v & 63] : '=';
        }
        *o = '\0';
        return out;
}

static int
b64_value(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+' || c == '-')
                return 62;
        if (c == '/' || c == '_')
                return 63;
        return -1;
}

int
registry_base64_decode(const char *s, char **ret, size_t *ret_len, berth_error_t **err)
{
        size_t n = strlen(s), len = 0;
        cleanup_free char *out = NULL;
        unsigned acc = 0;
        int bits = 0;

        while (n > 0 && s[n - 1] == '=')
                n--;
        out = xmalloc(n * 3 / 4 + 4);
        for (size_t i = 0; i < n; i++) {
                int v = b64_value(s[i]);
                if (v < 0)
                        return berth_error_new(err, EINVAL, "invalid base64 at offset %zu", i);
                acc = (acc << 6) | (unsigned) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[len++] = (char) ((acc >> bits) & 0xff);
                }
        }
        if (n % 4 == 1)
                return berth_error_new(err, EINVAL, "invalid base64: truncated");
        out[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(out);
        return 0;
}

/* A string member, or NULL when absent, null or empty; -EINVAL for another type. */
static int
opt_string(struct json_object *o, const char *key, char **ret, berth_error_t **err)
{
        const char *s = NULL;
        int r = json_get_string(o, NULL, key, &s, err);

        if (r < 0)
                return r;
        *ret = s && s[0] ? xstrdup(s) : NULL;
        return 0;
}

int
registry_auth_header_parse(const char *value, struct registry_creds *ret, berth_error_t **err)
{
        cleanup_free char *raw = NULL;
        cleanup_json struct json_object *doc = NULL;
        struct registry_creds c = {0};
        size_t len = 0;
        int r;

        memset(ret, 0, sizeof(*ret));
        if (value == NULL || value[0] == '\0')
                return 0;
        r = registry_base64_decode(value, &raw, &len, err);
        if (r < 0)
                return berth_error_prefix(err, "X-Registry-Auth");
        r = json_parse_buffer(raw, len, &doc, err);
        if (r < 0)
                return berth_error_prefix(err, "X-Registry-Auth");
        if (!json_object_is_type(doc, json_type_object))
                return berth_error_new(err, EINVAL, "X-Registry-Auth: not a JSON object");
        if ((r = opt_string(doc, "username", &c.username, err)) < 0
            || (r = opt_string(doc, "password", &c.password, err)) < 0
            || (r = opt_string(doc, "identitytoken", &c.identity_token, err)) < 0
            || (r = opt_string(doc, "serveraddress", &c.server_address, err)) < 0) {
                registry_creds_done(&c);
                return berth_error_prefix(err, "X-Registry-Auth");
        }
        *ret = c;
        return 0;
}

char *
registry_auth_header_format(const struct registry_creds *c)
{
        cleanup_json struct json_object *o = json_object_new_object();
        const char *s;

        if (c->username)
                json_object_object_add(o, "username", json_object_new_string(c->username));
        if (c->password)
                json_object_object_add(o, "password", json_object_new_string(c->password));
        if (c->server_address)
                json_object_object_add(o, "serveraddress",
                                       json_object_new_string(c->server_address));
        if (c->identity_token)
                json_object_object_add(o, "identitytoken",
                                       json_object_new_string(c->identity_token));
        s = json_object_to_json_string_ext(o,
                                           JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        return registry_base64_encode(s, strlen(s), true);
}

#define HUB_KEY "https://index.docker.io/v1/"

char *
registry_auth_key(const char *server)
{
        const char *p = server ? server : "";
        cleanup_free char *h = NULL;
        const char *sep;

        if (strncmp(p, "https://", 8) == 0)
                p += 8;
        else if (strncmp(p, "http://", 7) == 0)
                p += 7;
        sep = strchr(p, '/');
        h = sep ? xstrndup(p, (size_t) (sep - p)) : xstrdup(p);
        for (char *q = h; *q; q++)
                *q = (char) tolower((unsigned char) *q);
        if (h[0] == '\0' || strcmp(h, "docker.io") == 0 || strcmp(h, "index.docker.io") == 0
            || strcmp(h, "registry-1.docker.io") == 0)
                return xstrdup(HUB_KEY);
        return TAKE_PTR(h);
}

int
registry_auths_lookup(struct json_object *config, const char *host, struct registry_creds *ret,
                      berth_error_t **err)
{
        cleanup_free char *want = registry_auth_key(host);
        struct json_object *auths = NULL;

        memset(ret, 0, sizeof(*ret));
        if (config == NULL || !json_object_object_get_ex(config, "auths", &auths)
            || !json_object_is_type(auths, json_type_object))
                return 0;
        json_object_object_foreach(auths, key, entry) {
                cleanup_free char *k = registry_auth_key(key);
                cleanup_free char *raw = NULL;
                struct registry_creds c = {0};
                char *colon;
                int r;

                if (strcmp(k, want) != 0 || !json_object_is_type(entry, json_type_object))
                        continue;
                if ((r = opt_string(entry, "auth", &raw, err)) < 0
                    || (r = opt_string(entry, "identitytoken", &c.identity_token, err)) < 0
                    || (r = opt_string(entry, "username", &c.username, err)) < 0
                    || (r = opt_string(entry, "password", &c.password, err)) < 0) {
                        registry_creds_done(&c);
                        return berth_error_prefix(err, "auths: \"%s\"", key);
                }
                if (raw) {
                        cleanup_free char *plain = NULL;
                        r = registry_base64_decode(raw, &plain, NULL, err);
                        if (r < 0) {
                                registry_creds_done(&c);
                                return berth_error_prefix(err, "auths: \"%s\": auth", key);
                        }
                        colon = strchr(plain, ':');
                        if (colon == NULL) {
                                registry_creds_done(&c);
                                return berth_error_new(err, EINVAL,
                                                       "auths: \"%s\": auth: no \"user:password\"",
                                                       key);
                        }
                        *colon = '\0';
                        free(c.username);
                        free(c.password);
                        c.username = xstrdup(plain);
                        c.password = xstrdup(colon + 1);
                }
                c.server_address = xstrdup(key);
                *ret = c;
                return 0;
        }
        return 0;
}

bool
registry_auths_remove(struct json_object *config, const char *host)
{
        cleanup_free char *want = registry_auth_key(host);
        struct json_object *auths = NULL;
        bool found = false, again = true;

        if (!json_object_object_get_ex(config, "auths", &auths)
            || !json_object_is_type(auths, json_type_object))
                return false;
        while (again) {
                again = false;
                json_object_object_foreach(auths, key, entry) {
                        cleanup_free char *k = registry_auth_key(key);
                        (void) entry;
                        if (strcmp(k, want) == 0) {
                                json_object_object_del(auths, key);
                                found = again = true;
                                break;
                        }
                }
        }
        return found;
}

void
registry_auths_set(struct json_object *config, const char *host, const char *user, const char *pass)
{
        cleanup_free char *key = registry_auth_key(host);
        cleanup_free char *plain = xasprintf("%s:%s", user ? user : "", pass ? pass : "");
        cleanup_free char *enc = registry_base64_encode(plain, strlen(plain), false);
        struct json_object *auths = NULL, *entry;

        registry_auths_remove(config, host);
        if (!json_object_object_get_ex(config, "auths", &auths)
            || !json_object_is_type(auths, json_type_object)) {
                auths = json_object_new_object();
                json_object_object_add(config, "auths", auths);
        }
        entry = json_object_new_object();
        json_object_object_add(entry, "auth", json_object_new_string(enc));
        json_object_object_add(auths, key, entry);
}

void
registry_challenge_done(struct registry_challenge *c)
{
        free(c->realm);
        free(c->service);
        free(c->scope);
        free(c->error);
        free(c->error_description);
        memset(c, 0, sizeof(*c));
}

int
registry_challenge_parse(const char *value, struct registry_challenge *ret, berth_error_t **err)
{
        struct registry_challenge c = {0};
        const char *p = value ? value : "";
        size_t n;

        memset(ret, 0, sizeof(*ret));
        while (*p == ' ' || *p == '\t')
                p++;
        n = strcspn(p, " \t");
        if (n == 5 && strncasecmp(p, "basic", 5) == 0)
                c.scheme = REGISTRY_AUTH_BASIC;
        else if (n == 6 && strncasecmp(p, "bearer", 6) == 0)
                c.scheme = REGISTRY_AUTH_BEARER;
        else
                return berth_error_new(err, EOPNOTSUPP,
                                       "WWW-Authenticate: unsupported scheme \"%.*s\"", (int) n, p);
        p += n;
        for (;;) {
                cleanup_free char *key = NULL, *val = NULL;
                while (*p == ' ' || *p == '\t' || *p == ',')
                        p++;
                if (*p == '\0')
                        break;
                n = strcspn(p, "= \t,");
                if (n == 0 || p[n] != '=') {
                        registry_challenge_done(&c);
                        return berth_error_new(err, EINVAL,
                                               "WWW-Authenticate: bad parameter at \"%s\"", p);
                }
                key = xstrndup(p, n);
                p += n + 1;
                if (*p == '"') {
                        /* quoted-string: backslash escapes one character */
                        size_t len = 0;
                        val = xmalloc(strlen(p) + 1);
                        for (p++; *p && *p != '"'; p++) {
                                if (*p == '\\' && p[1])
                                        p++;
                                val[len++] = *p;
                        }
                        val[len] = '\0';
                        if (*p != '"') {
                                registry_challenge_done(&c);
                                return berth_error_new(err, EINVAL,
                                                       "WWW-Authenticate: unterminated quote");
                        }
                        p++;
                } else {
                        n = strcspn(p, " \t,");
                        val = xstrndup(p, n);
                        p += n;
                }
                for (char *q = key; *q; q++)
                        *q = (char) tolower((unsigned char) *q);
                if (strcmp(key, "realm") == 0) {
                        free(c.realm);
                        c.realm = TAKE_PTR(val);
                } else if (strcmp(key, "service") == 0) {
                        free(c.service);
                        c.service = TAKE_PTR(val);
                } else if (strcmp(key, "scope") == 0) {
                        free(c.scope);
                        c.scope = TAKE_PTR(val);
                } else if (strcmp(key, "error") == 0) {
                        free(c.error);
                        c.error = TAKE_PTR(val);
                } else if (strcmp(key, "error_description") == 0) {
                        free(c.error_description);
                        c.error_description = TAKE_PTR(val);
                }
        }
        if (c.scheme == REGISTRY_AUTH_BEARER && (c.realm == NULL || c.realm[0] == '\0')) {
                registry_challenge_done(&c);
                return berth_error_new(err, EINVAL, "WWW-Authenticate: Bearer without realm");
        }
        *ret = c;
        return 0;
}
