/* supervisor/ctl/login.h: berthctl login and logout, and the credentials file they keep
 * ($BERTH_CONFIG/config.json, default ~/.berth/config.json, in docker's config.json shape). */
#pragma once

#include <stdbool.h>

bool ctl_login_known(const char *verb);
/* Run login or logout (ARGV[0]) with its arguments; returns the exit status. */
int ctl_login_main(const char *host, int argc, char **argv);
/* The X-Registry-Auth header line ("X-Registry-Auth: …") for image NAME's registry when the
 * credentials file has an entry for it, else NULL (docker sends none then). Caller frees. */
char *ctl_registry_auth_header(const char *name);
/* The registry host of image NAME as the docker CLI splits it: the first path component when it
 * has a "." or ":" or is "localhost", else "docker.io". Caller frees. */
char *ctl_registry_host(const char *name);
/* The string member KEY of the client config file ("detachKeys", say), or NULL. Caller frees. */
char *ctl_config_string(const char *key);
