/* supervisor/images/registry_endpoint.h: where and how berthd reaches a registry, decided as
 * dockerd decides it: plain HTTP allowed for loopback and insecure-registries (names and CIDR
 * entries), registry-mirrors tried first for Docker Hub, the certs.d directories that hold a
 * registry's CA and client certificates. Pure except where said. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* How an endpoint's transport is chosen. */
enum registry_tls {
        /* HTTPS, peer verified (system store plus certs.d CAs); a TLS failure is final. */
        REGISTRY_TLS_VERIFY,
        /* Loopback registries not listed as insecure: HTTPS verified first; a server that does
         * not speak TLS at all gets plain HTTP; a certificate that does not verify is final
         * (stricter than dockerd, which skips verification for 127.0.0.0/8). */
        REGISTRY_TLS_VERIFY_OR_HTTP,
        /* insecure-registries: HTTPS without verification, then plain HTTP (dockerd's order). */
        REGISTRY_TLS_INSECURE_OR_HTTP,
        /* A mirror given as http://…: plain HTTP only. */
        REGISTRY_TLS_NONE,
};

struct registry_endpoint {
        char *url;  /* scheme and authority, no trailing slash: "https://registry-1.docker.io" */
        char *host; /* "host[:port]": the certs.d directory name */
        enum registry_tls tls;
        bool mirror;
};
void registry_endpoints_free(struct registry_endpoint *e, size_t n);

/* Whether the IP literal ADDR (v4 or v6, no brackets) is inside CIDR ("10.0.0.0/8",
 * "fd00::/8"; a bare address matches itself). false for anything unparsable. */
bool registry_cidr_match(const char *addr, const char *cidr);

/* Whether HOST ("127.0.0.1:5000", "[::1]:5000", "localhost:5000", "reg.example") is insecure by
 * dockerd's rules: loopback (127.0.0.0/8, ::1, "localhost"), listed in INSECURE as "host:port"
 * or "host", or an IP literal inside one of INSECURE's CIDR entries. A name is also resolved
 * (getaddrinfo: not pure) when INSECURE holds CIDR entries, as dockerd does. */
bool registry_host_is_insecure(const char *host, char *const *insecure);
/* Whether HOST is insecure because it is listed (by name or CIDR), not only for being loopback. */
bool registry_host_listed_insecure(const char *host, char *const *insecure);

/* The endpoints to try for HOST (a reference's domain) in order. docker.io: every MIRROR
 * ("https://mirror.example", "http://127.0.0.1:5001/"; trailing slashes and paths dropped),
 * then https://registry-1.docker.io. Other hosts: one endpoint; plain HTTP is never first except
 * for an http:// mirror. Mirrors are ignored for other hosts, as dockerd. */
int registry_endpoints_build(const char *host, char *const *mirrors, char *const *insecure,
                             struct registry_endpoint **ret, size_t *ret_n, berth_error_t **err);

/* The certs.d convention for HOST ("host:port") under each of DIRS (e.g. /etc/berth/certs.d,
 * /etc/docker/certs.d): every "*.crt" is a CA; "X.cert" with "X.key" is a client pair (the
 * first one found wins). Reads directories (not pure); missing ones are fine. */
struct registry_certs {
        char **ca_files;
        char *client_cert;
        char *client_key;
};
int registry_certs_find(char *const *dirs, const char *host, struct registry_certs *ret,
                        berth_error_t **err);
void registry_certs_done(struct registry_certs *c);
