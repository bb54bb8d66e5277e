/* supervisor/images/registry_endpoint.c: insecure-registries matching, mirror order and certs.d
 * lookup (registry_endpoint.h). */
#include <config.h>

#include "supervisor/images/registry_endpoint.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

void
registry_endpoints_free(struct registry_endpoint *e, size_t n)
{
        if (e == NULL)
                return;
        for (size_t i = 0; i < n; i++) {
                free(e[i].url);
                free(e[i].host);
        }
        free(e);
}

/* An address family and its bytes, from a literal. */
static int
parse_addr(const char *s, unsigned char out[16])
{
        if (inet_pton(AF_INET, s, out) == 1)
                return AF_INET;
        if (inet_pton(AF_INET6, s, out) == 1)
                return AF_INET6;
        return 0;
}

bool
registry_cidr_match(const char *addr, const char *cidr)
{
        unsigned char a[16], net[16];
        cleanup_free char *base = NULL;
        const char *slash;
        int fa, fn, max;
        long bits;

        if (addr == NULL || cidr == NULL)
                return false;
        slash = strchr(cidr, '/');
        base = slash ? xstrndup(cidr, (size_t) (slash - cidr)) : xstrdup(cidr);
        fa = parse_addr(addr, a);
        fn = parse_addr(base, net);
        if (fa == 0 || fa != fn)
                return false;
        max = fa == AF_INET ? 32 : 128;
        if (slash) {
                char *end = NULL;
                bits = strtol(slash + 1, &end, 10);
                if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > max)
                        return false;
        } else {
                bits = max;
        }
        for (long i = 0; i < bits; i++) {
                unsigned char m = (unsigned char) (0x80 >> (i % 8));
                if ((a[i / 8] & m) != (net[i / 8] & m))
                        return false;
        }
        return true;
}

/* HOST without its port and brackets: "[::1]:5000" -> "::1", "reg:5000" -> "reg". */
static char *
bare_host(const char *host)
{
        const char *colon;

        if (host[0] == '[') {
                const char *end = strchr(host, ']');
                return end ? xstrndup(host + 1, (size_t) (end - host - 1)) : xstrdup(host);
        }
        colon = strchr(host, ':');
        if (colon && strchr(colon + 1, ':') == NULL)
                return xstrndup(host, (size_t) (colon - host));
        return xstrdup(host); /* no port, or a bare IPv6 literal */
}

static bool
is_cidr(const char *s)
{
        return strchr(s, '/') != NULL;
}

static bool
addr_in_cidrs(const char *addr, char *const *insecure)
{
        strv_foreach(i, insecure) {
                if (is_cidr(i) && registry_cidr_match(addr, i))
                        return true;
        }
        return false;
}

bool
registry_host_listed_insecure(const char *host, char *const *insecure)
{
        cleanup_free char *bare = NULL;
        unsigned char buf[16];
        bool cidrs = false;

        if (host == NULL || host[0] == '\0')
                return false;
        bare = bare_host(host);
        strv_foreach(i, insecure) {
                if (is_cidr(i)) {
                        cidrs = true;
                        continue;
                }
                if (strcasecmp(i, host) == 0 || strcasecmp(i, bare) == 0)
                        return true;
        }
        if (!cidrs)
                return false;
        if (parse_addr(bare, buf))
                return addr_in_cidrs(bare, insecure);
        {
                /* A name: dockerd resolves it and checks every address against the CIDRs. */
                struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
                bool hit = false;
                if (getaddrinfo(bare, NULL, &hints, &res) != 0)
                        return false;
                for (struct addrinfo *ai = res; ai && !hit; ai = ai->ai_next) {
                        char txt[INET6_ADDRSTRLEN];
                        const void *src =
                                ai->ai_family == AF_INET
                                        ? (const void *) &((struct sockaddr_in *) ai->ai_addr)
                                                  ->sin_addr
                                        : (const void *) &((struct sockaddr_in6 *) ai->ai_addr)
                                                  ->sin6_addr;
                        if (inet_ntop(ai->ai_family, src, txt, sizeof(txt)))
                                hit = addr_in_cidrs(txt, insecure);
                }
                freeaddrinfo(res);
                return hit;
        }
}

static bool
is_loopback(const char *bare)
{
        return strcasecmp(bare, "localhost") == 0 || registry_cidr_match(bare, "127.0.0.0/8")
               || registry_cidr_match(bare, "::1/128");
}

bool
registry_host_is_insecure(const char *host, char *const *insecure)
{
        cleanup_free char *bare = NULL;

        if (host == NULL || host[0] == '\0')
                return false;
        bare = bare_host(host);
        return is_loopback(bare) || registry_host_listed_insecure(host, insecure);
}

static void
add_endpoint(struct registry_endpoint **v, size_t *n, const char *url, const char *host,
             enum registry_tls tls, bool mirror)
{
        *v = xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[*n] = (struct registry_endpoint){
                .url = xstrdup(url), .host = xstrdup(host), .tls = tls, .mirror = mirror};
        (*n)++;
}

static enum registry_tls
tls_for(const char *host, char *const *insecure)
{
        if (registry_host_listed_insecure(host, insecure))
                return REGISTRY_TLS_INSECURE_OR_HTTP;
        if (registry_host_is_insecure(host, insecure))
                return REGISTRY_TLS_VERIFY_OR_HTTP;
        return REGISTRY_TLS_VERIFY;
}

int
registry_endpoints_build(const char *host, char *const *mirrors, char *const *insecure,
                         struct registry_endpoint **ret, size_t *ret_n, berth_error_t **err)
{
        struct registry_endpoint *v = NULL;
        size_t n = 0;

        if (host == NULL || host[0] == '\0')
                return berth_error_new(err, EINVAL, "registry: empty host");
        if (strcasecmp(host, "docker.io") == 0 || strcasecmp(host, "index.docker.io") == 0
            || strcasecmp(host, "registry-1.docker.io") == 0) {
                strv_foreach(m, mirrors) {
                        bool tls = strncmp(m, "https://", 8) == 0;
                        const char *auth = m + (tls ? 8 : 7);
                        cleanup_free char *h = NULL, *url = NULL;
                        if (!tls && strncmp(m, "http://", 7) != 0) {
                                registry_endpoints_free(v, n);
                                return berth_error_new(err, EINVAL,
                                                       "registry-mirrors: \"%s\": must be http:// "
                                                       "or https://",
                                                       m);
                        }
                        h = xstrndup(auth, strcspn(auth, "/"));
                        if (h[0] == '\0') {
                                registry_endpoints_free(v, n);
                                return berth_error_new(err, EINVAL,
                                                       "registry-mirrors: \"%s\": no host", m);
                        }
                        url = xasprintf("%s://%s", tls ? "https" : "http", h);
                        add_endpoint(&v, &n, url, h,
                                     tls ? (registry_host_listed_insecure(h, insecure)
                                                    ? REGISTRY_TLS_INSECURE_OR_HTTP
                                                    : REGISTRY_TLS_VERIFY)
                                         : REGISTRY_TLS_NONE,
                                     true);
                }
                add_endpoint(&v, &n, "https://registry-1.docker.io", "registry-1.docker.io",
                             REGISTRY_TLS_VERIFY, false);
        } else {
                cleanup_free char *url = xasprintf("https://%s", host);
                add_endpoint(&v, &n, url, host, tls_for(host, insecure), false);
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void
registry_certs_done(struct registry_certs *c)
{
        strv_free(c->ca_files);
        free(c->client_cert);
        free(c->client_key);
        memset(c, 0, sizeof(*c));
}

static bool
ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int
registry_certs_find(char *const *dirs, const char *host, struct registry_certs *ret,
                    berth_error_t **err)
{
        struct registry_certs c = {0};

        (void) err;
        memset(ret, 0, sizeof(*ret));
        strv_foreach(root, dirs) {
                cleanup_free char *dir = xasprintf("%s/%s", root, host);
                cleanup_dir DIR *d = opendir(dir);
                cleanup_strv char **names = NULL;
                struct dirent *e;
                if (d == NULL)
                        continue;
                while ((e = readdir(d)) != NULL)
                        if (e->d_name[0] != '.')
                                strv_push(&names, e->d_name);
                if (names)
                        qsort(names, strv_length(names), sizeof(char *), name_cmp);
                strv_foreach(name, names) {
                        cleanup_free char *path = xasprintf("%s/%s", dir, name);
                        if (ends_with(name, ".crt")) {
                                strv_push(&c.ca_files, path);
                        } else if (ends_with(name, ".cert") && c.client_cert == NULL) {
                                cleanup_free char *key =
                                        xasprintf("%.*s.key", (int) (strlen(path) - 5), path);
                                if (access(key, R_OK) == 0) {
                                        c.client_cert = TAKE_PTR(path);
                                        c.client_key = TAKE_PTR(key);
                                }
                        }
                }
        }
        *ret = c;
        return 0;
}
