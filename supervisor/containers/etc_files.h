/* supervisor/containers/etc_files.h: the /etc/hostname, /etc/hosts and /etc/resolv.conf berthd
 * writes for each container (bind-mounted by the spec), built by pure functions. */
#pragma once

#include "lib/error.h"

/* docker's resolv.conf for a container from the host's HOST (may be NULL): nameservers on
 * 127.0.0.0/8 and ::1 are dropped (they mean nothing inside another network namespace); when
 * none remains, docker's defaults 8.8.8.8 and 8.8.4.4. DNS, SEARCH, OPTIONS (HostConfig's Dns,
 * DnsSearch, DnsOptions; may be NULL) replace the host's lines of that kind. Caller frees. */
char *container_resolv_conf_build(const char *host, char *const *dns, char *const *search,
                                  char *const *options);
/* /etc/hosts: docker's localhost and IPv6 lines, HOSTNAME (and HOSTNAME.DOMAIN) on 127.0.0.1,
 * then EXTRA_HOSTS ("name:ip", --add-host) as "ip\tname". -EINVAL with docker's text for a bad
 * entry. *ret is the caller's. */
int container_hosts_build(const char *hostname, const char *domainname, char *const *extra_hosts,
                          char **ret, berth_error_t **err);
