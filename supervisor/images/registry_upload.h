/* supervisor/images/registry_upload.h: the registry requests a push makes (HEAD, POST, PATCH,
 * PUT, DELETE with a body from memory or from a blob's fd, and the response headers an upload
 * session is driven by), through one function, and the URL arithmetic they need. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct evp_md_ctx_st;
struct registry_session;

struct registry_request {
        const char *method; /* "HEAD", "POST", "PATCH", "PUT", "DELETE" */
        const char *url;
        const char *content_type;  /* NULL: none */
        const char *content_range; /* PATCH: "START-END" (inclusive, no unit, as distribution) */
        /* The body: LEN bytes of BUF, or SIZE bytes read from FD at its current offset (FD < 0:
         * none; set body_fd to -1 when there is no fd body). */
        const void *body;
        size_t body_len;
        int body_fd;
        int64_t body_size;
        /* When set, every body byte sent is hashed into it (the caller checks the digest). */
        struct evp_md_ctx_st *hash;
        /* When set, the request carries the session's TLS settings and Authorization
         * (registry_session_prepare) and may use HTTPS; NULL: plain HTTP, anonymous. */
        struct registry_session *session;
};

struct registry_reply {
        long status;
        char *body; /* NUL-terminated, at most 1 MiB (error documents) */
        size_t len;
        char *location;       /* Location, as sent (may be relative); NULL when absent */
        char *upload_uuid;    /* Docker-Upload-UUID */
        char *range;          /* Range: "0-N" of an upload session */
        char *content_digest; /* Docker-Content-Digest */
        char *www_authenticate; /* the first WWW-Authenticate of the last response */
};
void registry_reply_done(struct registry_reply *r);

/* Perform REQ once. Every request a push makes goes through here (credentials come from
 * REQ->session). A transport failure worth a retry (connect, reset, timeout, empty reply) is
 * -EIO; another one (TLS, name resolution) -EPROTO; a body that could not be read -ENODATA.
 * Any HTTP status is returned in *ret (HEAD redirects are followed, others are returned as they
 * are). */
int registry_request_perform(const struct registry_request *req, struct registry_reply *ret,
                             berth_error_t **err);

/* A Location header resolved against the URL of the request it answered (RFC 3986 §5.2 for the
 * forms registries send: absolute, scheme-relative "//host/…", absolute path "/v2/…", or
 * relative to BASE's directory). Pure; caller frees. */
char *registry_url_resolve(const char *base, const char *location);
/* URL with "KEY=VALUE" appended to its query (VALUE percent-encoded). Pure; caller frees. */
char *registry_url_add_query(const char *url, const char *key, const char *value);
