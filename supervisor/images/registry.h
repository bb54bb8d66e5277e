/* supervisor/images/registry.h: the Docker Registry HTTP API v2 / OCI distribution client (the
 * slice berthd has so far: anonymous GETs over plain HTTP). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct content_store;

/* The Accept header a manifest GET sends: OCI index and manifest, Docker schema2 list and
 * manifest. */
#define REGISTRY_MANIFEST_ACCEPT                                      \
        "application/vnd.oci.image.index.v1+json, "                   \
        "application/vnd.oci.image.manifest.v1+json, "                \
        "application/vnd.docker.distribution.manifest.list.v2+json, " \
        "application/vnd.docker.distribution.manifest.v2+json"

/* Whether berthd may talk plain HTTP to HOST ("127.0.0.1:5000", "[::1]:5000", "reg.example"):
 * a loopback IPv4 address (127.0.0.0/8), or HOST (with or without its port) listed in INSECURE
 * (daemon.json's insecure-registries; CIDR entries are not matched yet). Pure. */
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

/* GET URL into memory (at most MAX bytes), with ACCEPT (may be NULL). Transport failures are
 * -EIO; any HTTP status is returned in *ret. */
int registry_get(const char *url, const char *accept, size_t max, struct registry_response *ret,
                 berth_error_t **err);

/* GET URL (a blob) streamed into the content store, committed when it hashes to DIGEST and has
 * SIZE bytes; a mismatch leaves nothing ("filesystem layer verification failed"). A blob
 * already stored is not fetched again. */
int registry_fetch_blob(struct content_store *store, const char *url, const char *digest,
                        int64_t size, berth_error_t **err);

/* GET URL, handing the body to WRITE(buf, len, ARG) as it arrives (returning less than LEN
 * stops the transfer: -EIO); CANCELLED(ARG) (may be NULL), polled about once a second and at
 * every chunk, stops it with -ECANCELED. An HTTP error status is -EIO (-ENOENT for 404), with
 * *ret_status set. */
int registry_get_stream(const char *url, size_t (*write)(const void *buf, size_t len, void *arg),
                        int (*cancelled)(void *arg), void *arg, long *ret_status,
                        berth_error_t **err);
