/* supervisor/images/registry_auth.h: the pure parts of registry authentication, shared by berthd
 * and berthctl: credentials and their encodings (docker's X-Registry-Auth header, the `auths` of
 * a docker-shaped config.json), and a registry's WWW-Authenticate challenge. Nothing here does
 * I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

struct json_object;

/* What a client gives for one registry. Every member may be NULL. */
struct registry_creds {
        char *username;
        char *password;
        char *identity_token; /* an OAuth refresh token (docker's "identitytoken") */
        char *server_address;
};
void registry_creds_done(struct registry_creds *c);
/* Whether C holds anything to authenticate with. */
bool registry_creds_present(const struct registry_creds *c);
/* A deep copy of SRC (NULL: all empty) into *RET. */
void registry_creds_copy(struct registry_creds *ret, const struct registry_creds *src);

/* Base64 of BUF (URL: the URL-safe alphabet, as Go's base64.URLEncoding, padded). Caller frees. */
char *registry_base64_encode(const void *buf, size_t len, bool url);
/* Decode S in either alphabet, padding optional; -EINVAL on anything else. *ret is
 * NUL-terminated and the caller's. */
int registry_base64_decode(const char *s, char **ret, size_t *ret_len, berth_error_t **err);

/* Decode docker's X-Registry-Auth header: base64url of {"username","password","serveraddress",
 * "identitytoken"} (dockerd also takes the standard alphabet and missing padding). An empty or
 * "{}"-only value gives empty credentials. -EINVAL on garbage. */
int registry_auth_header_parse(const char *value, struct registry_creds *ret, berth_error_t **err);
/* The header value a client sends for C. Caller frees. */
char *registry_auth_header_format(const struct registry_creds *c);

/* The key docker's config.json uses for SERVER: "https://index.docker.io/v1/" for Docker Hub
 * (docker.io, index.docker.io, registry-1.docker.io, with or without scheme and path), else the
 * bare "host[:port]" (scheme and path dropped, lowercase). Caller frees. */
char *registry_auth_key(const char *server);

/* From a docker-shaped config document ({"auths":{KEY:{"auth":"base64(user:pass)",
 * "identitytoken":…}}}), the credentials for HOST, KEYs compared after registry_auth_key. 0 and
 * empty *ret when none; -EINVAL when the entry is malformed. */
int registry_auths_lookup(struct json_object *config, const char *host, struct registry_creds *ret,
                          berth_error_t **err);
/* Set (replace) HOST's entry in CONFIG to USER and PASS ("auth" only, as docker writes it);
 * CONFIG's other members are kept. */
void registry_auths_set(struct json_object *config, const char *host, const char *user,
                        const char *pass);
/* Remove HOST's entry (any key naming it); true when there was one. */
bool registry_auths_remove(struct json_object *config, const char *host);

enum registry_auth_scheme {
        REGISTRY_AUTH_NONE,
        REGISTRY_AUTH_BASIC,
        REGISTRY_AUTH_BEARER,
};

/* A parsed WWW-Authenticate: `Bearer realm="https://auth/token",service="reg",scope="…"` or
 * `Basic realm="…"`. */
struct registry_challenge {
        enum registry_auth_scheme scheme;
        char *realm;
        char *service; /* NULL when absent */
        char *scope;   /* NULL when absent */
        char *error;   /* RFC 6750 "error" ("insufficient_scope"); NULL when absent */
        char *error_description; /* NULL when absent */
};
void registry_challenge_done(struct registry_challenge *c);
/* Parse VALUE (scheme case-insensitive; parameters quoted or tokens, in any order; unknown ones
 * ignored). A scheme other than Basic and Bearer is -EOPNOTSUPP; Bearer without realm and
 * syntax errors are -EINVAL. */
int registry_challenge_parse(const char *value, struct registry_challenge *ret,
                             berth_error_t **err);
