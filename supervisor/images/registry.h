/* supervisor/images/registry.h: the Docker Registry HTTP API v2 / OCI distribution client:
 * sessions per registry and repository carrying TLS settings, credentials and the current token
 * (bearer or basic auth, as the registry asks), retries with backoff, mirrors for Docker Hub.
 * Pure helpers: registry_auth.h (credentials, challenges) and registry_endpoint.h (insecure
 * hosts, mirror order, certs.d). */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "supervisor/images/registry_auth.h"
#include "supervisor/images/registry_endpoint.h"

struct content_store;
struct content_ingest;
struct curl_slist;

/* The Accept header a manifest GET sends: OCI index and manifest, Docker schema2 list and
 * manifest. */
#define REGISTRY_MANIFEST_ACCEPT                                      \
        "application/vnd.oci.image.index.v1+json, "                   \
        "application/vnd.oci.image.manifest.v1+json, "                \
        "application/vnd.docker.distribution.manifest.list.v2+json, " \
        "application/vnd.docker.distribution.manifest.v2+json"

/* Whether berthd may talk plain HTTP to HOST ("127.0.0.1:5000", "[::1]:5000", "reg.example"):
 * registry_host_is_insecure (loopback, or listed in INSECURE by name or CIDR). */
bool registry_host_allows_http(const char *host, char *const *insecure);

/* The Docker errcode body ({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest
 * unknown"}]}) as docker prints it: "manifest unknown: manifest unknown"; NULL when BODY has no
 * such error. Pure; caller frees. */
char *registry_format_errors(const char *body, size_t len);

struct registry_response {
        long status;
        char *body; /* NUL-terminated */
        size_t len;
        char *content_type;
};
void registry_response_done(struct registry_response *r);

/* libcurl's (and with it OpenSSL's) global set-up, done once, on first use: a daemon that never
 * talks to a registry never pays for it (about 5 MiB of touched library pages). Thread-safe. */
void registry_global_init(void);

/* The daemon's registry settings, borrowed by every session. */
struct registry_config {
        char *const *insecure;   /* insecure-registries */
        char *const *mirrors;    /* registry-mirrors: Docker Hub only */
        char *const *certs_dirs; /* certs.d roots; NULL: REGISTRY_CERTS_DIRS */
        const char *auth_file;   /* berthd's own credentials (docker's config.json shape); may be
                                  * NULL or absent: used when a request brings none */
        int tries;               /* per GET of a manifest or blob; 0: 3 */
        long backoff_ms;         /* first wait, doubled per try; 0: 200 */
};
/* berthd's own directory first, then dockerd's. */
#define REGISTRY_CERTS_DIRS_INIT                                  \
        {                                                         \
                "/etc/berth/certs.d", "/etc/docker/certs.d", NULL \
        }

/* One registry endpoint and one repository, as pull and push use them. Created by
 * registry_session_new, which does no I/O; registry_session_ping settles the scheme (HTTPS, or
 * plain HTTP where registry_endpoint.h allows) and the auth scheme. Every request through the
 * session carries the current credentials: a bearer token fetched from the challenge's realm
 * (with basic credentials when the session has them, anonymous otherwise) and cached here, or
 * basic auth when the registry asks for it; a 401 fetches a new token once and retries.
 * The lock guards token, basic and challenge, so parallel downloads may share one session once
 * it is pinged (base and pinged are written by the ping only: ping before going parallel). */
struct registry_session {
        char *host;       /* as named in the reference: "127.0.0.1:5000", "docker.io" */
        char *repository; /* "library/busybox" */
        char *actions;    /* token scope actions: "pull" or "pull,push" */
        char *base;       /* "https://127.0.0.1:5000": the endpoint, scheme settled by ping */
        enum registry_tls tls;
        bool verify; /* HTTPS peer verification */
        bool pinged; /* base is settled */
        bool mirror; /* this endpoint is a registry mirror */
        struct registry_certs certs;
        struct registry_creds creds;
        int tries;
        long backoff_ms;
        pthread_mutex_t lock;
        char *token;                         /* guarded by lock */
        char **scopes;                       /* guarded by lock: registry_session_add_scope's */
        bool basic;                          /* guarded by lock */
        struct registry_challenge challenge; /* guarded by lock: the last one seen */
};

/* A session for ENDPOINT (registry_endpoints_build) of HOST's REPOSITORY, asking for ACTIONS.
 * CREDS (may be NULL) is copied; without them, CFG->auth_file is looked up for HOST. */
int registry_session_new(const struct registry_config *cfg, const struct registry_endpoint *ep,
                         const char *host, const char *repository, const char *actions,
                         const struct registry_creds *creds, struct registry_session **ret,
                         berth_error_t **err);
void registry_session_free(struct registry_session *s);
DEFINE_CLEANUP(struct registry_session *, registry_session_free)
#define cleanup_registry_session __attribute__((cleanup(registry_session_freep)))

/* GET /v2/: settle the scheme, and authenticate (fetch a token, or check basic credentials)
 * when the registry answers 401. -EACCES with docker's "unauthorized: …" text when the
 * credentials are refused, -EIO naming the URL when the registry cannot be reached or its
 * certificate does not verify ("x509: certificate signed by unknown authority"). Done once;
 * the other calls ping first when needed. */
int registry_session_ping(struct registry_session *s, berth_error_t **err);

/* GET BASE/v2/REPOSITORY/SUFFIX ("manifests/latest") into memory (at most MAX bytes) with
 * ACCEPT; authenticated, retried on transport errors, 5xx and 429. Any final HTTP status other
 * than 401 is in *ret (401 is -EACCES "unauthorized: …"). */
int registry_session_get(struct registry_session *s, const char *suffix, const char *accept,
                         size_t max, struct registry_response *ret, berth_error_t **err);

/* GET the blob DIGEST of the session's repository into STORE as registry_fetch_blob does;
 * retried, and a dropped transfer is resumed with a Range request. */
int registry_session_fetch_blob(struct registry_session *s, struct content_store *store,
                                const char *digest, int64_t size, berth_error_t **err);

/* For other requests (push): the session's TLS settings and current Authorization on C (a curl
 * easy handle), its header added to *HDRS (set CURLOPT_HTTPHEADER to *HDRS afterwards). */
void registry_session_prepare(struct registry_session *s, void *c, struct curl_slist **hdrs);
/* After a 401 with WWW_AUTHENTICATE: fetch a new token (or switch to basic auth). 0 when a
 * retry makes sense; -EACCES when the credentials are refused or missing. */
int registry_session_authorize(struct registry_session *s, const char *www_authenticate,
                               berth_error_t **err);
/* Ask every later token for SCOPE too ("repository:FROM:pull" before a cross-repository
 * mount, as docker does); when the session holds a bearer token, a new one covering every scope
 * is fetched now (-EACCES/-EIO as registry_session_authorize). Basic auth: nothing to do. */
int registry_session_add_scope(struct registry_session *s, const char *scope, berth_error_t **err);
/* Wait before try number TRY (1, 2, …): backoff_ms << (TRY - 1). */
void registry_session_backoff(const struct registry_session *s, int try);

/* Where a blob's bytes are reported as they arrive (registry_session_get_blob). */
struct registry_blob_sink {
        /* After each chunk is in the ingest: the bytes there so far (may be NULL). */
        void (*progress)(int64_t got, void *arg);
        /* Polled about once a second and at every chunk: true stops the transfer with
         * -ECANCELED (may be NULL). */
        bool (*cancelled)(void *arg);
        void *arg;
};
/* GET the blob DIGEST (SIZE bytes) of the session's repository into IN (an ingest just opened,
 * empty), as registry_session_fetch_blob does (authenticated, retried, a dropped transfer
 * resumed with Range: IN only grows, so a reader of it sees each byte once), without
 * committing: registry_blob_commit does that. Called from several threads with one session once
 * it is pinged. More bytes than SIZE is -EINVAL; 404 -ENOENT. */
int registry_session_get_blob(struct registry_session *s, struct content_ingest *in,
                              const char *digest, int64_t size,
                              const struct registry_blob_sink *sink, berth_error_t **err);
/* Commit IN as DIGEST of SIZE bytes; a mismatch is -EINVAL "filesystem layer verification
 * failed for digest …", a blob stored meanwhile 0. */
int registry_blob_commit(struct content_ingest *in, const char *digest, int64_t size,
                         berth_error_t **err);
