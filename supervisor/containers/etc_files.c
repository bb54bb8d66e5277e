/* supervisor/containers/etc_files.c: resolv.conf filtering and /etc/hosts as dockerd writes them
 * (libnetwork's resolvconf.FilterResolvDNS and etchosts.Build). */
#include <config.h>

#include "supervisor/containers/etc_files.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static void
append(char **buf, const char *fmt, const char *a, const char *b)
{
        cleanup_free char *line = xasprintf(fmt, a, b);
        char *n = xasprintf("%s%s", *buf ? *buf : "", line);
        free(*buf);
        *buf = n;
}

static bool
is_local_ns(const char *addr)
{
        struct in6_addr a6;

        if (strncmp(addr, "127.", 4) == 0)
                return true;
        if (inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6))
                return true;
        return false;
}

/* The first word of LINE after leading blanks, and the rest. */
static bool
keyword(const char *line, const char *kw, const char **ret_rest)
{
        size_t n = strlen(kw);

        line += strspn(line, " \t");
        if (strncmp(line, kw, n) != 0 || (line[n] != ' ' && line[n] != '\t'))
                return false;
        *ret_rest = line + n + strspn(line + n, " \t");
        return true;
}

char *
container_resolv_conf_build(const char *host, char *const *dns, char *const *search,
                            char *const *options)
{
        char *out = NULL;
        const char *p = host;
        bool any_ns = false;

        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                cleanup_free char *line = xstrndup(p, len);
                const char *rest = NULL;

                p = nl ? nl + 1 : NULL;
                if (keyword(line, "nameserver", &rest)) {
                        cleanup_free char *addr = xstrndup(rest, strcspn(rest, " \t#;"));
                        if (dns || is_local_ns(addr))
                                continue;
                        any_ns = true;
                } else if ((search && keyword(line, "search", &rest))
                           || (search && keyword(line, "domain", &rest))
                           || (options && keyword(line, "options", &rest))) {
                        continue;
                }
                append(&out, "%s\n%s", line, "");
        }
        strv_foreach(d, dns) {
                append(&out, "nameserver %s\n%s", d, "");
                any_ns = true;
        }
        if (!any_ns) {
                /* COMPAT(dockerd): libnetwork's defaultIPv4Dns when filtering left none. */
                append(&out, "nameserver %s\n%s", "8.8.8.8", "");
                append(&out, "nameserver %s\n%s", "8.8.4.4", "");
        }
        if (search && search[0]) {
                cleanup_free char *s = strv_join(search, " ");
                append(&out, "search %s\n%s", s, "");
        }
        if (options && options[0]) {
                cleanup_free char *s = strv_join(options, " ");
                append(&out, "options %s\n%s", s, "");
        }
        return out ? out : xstrdup("");
}

int
container_hosts_build(const char *hostname, const char *domainname, char *const *extra_hosts,
                      char **ret, berth_error_t **err)
{
        cleanup_free char *out = xstrdup("127.0.0.1\tlocalhost\n"
                                         "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                         "fe00::0\tip6-localnet\n"
                                         "ff00::0\tip6-mcastprefix\n"
                                         "ff02::1\tip6-allnodes\n"
                                         "ff02::2\tip6-allrouters\n");

        strv_foreach(e, extra_hosts) {
                /* "name:ip"; the IP may itself hold colons (IPv6), so split at the first. */
                const char *c = strchr(e, ':');
                cleanup_free char *name = NULL;
                unsigned char buf[16];
                if (c == NULL || c == e || c[1] == '\0')
                        return berth_error_new(err, EINVAL, "bad format for add-host: \"%s\"", e);
                name = xstrndup(e, (size_t) (c - e));
                /* "host-gateway" needs a bridge network, which berthd has not yet. */
                if (inet_pton(AF_INET, c + 1, buf) != 1 && inet_pton(AF_INET6, c + 1, buf) != 1)
                        return berth_error_new(err, EINVAL,
                                               "invalid IP address in add-host: \"%s\"", c + 1);
                append(&out, "%s\t%s\n", c + 1, name);
        }
        if (hostname && hostname[0]) {
                if (domainname && domainname[0]) {
                        cleanup_free char *fq = xasprintf("%s.%s", hostname, domainname);
                        append(&out, "127.0.0.1\t%s %s\n", fq, hostname);
                } else {
                        append(&out, "127.0.0.1\t%s%s\n", hostname, "");
                }
        }
        *ret = TAKE_PTR(out);
        return 0;
}
