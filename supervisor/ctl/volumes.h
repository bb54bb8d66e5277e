/* supervisor/ctl/volumes.h: berthctl volume create, ls, inspect, rm, prune (the docker CLI's
 * flags and output). */
#pragma once

#include <stdbool.h>

struct json_object;

/* Whether VERB (argv[0]) is "volume". */
bool ctl_volumes_known(const char *verb);
/* Run `volume SUBCOMMAND ...` in ARGV; returns the exit status. */
int ctl_volumes_main(const char *host, int argc, char **argv);
/* The filters query value for --filter arguments K=V (docker's {"k":{"v":true}}); NULL when
 * none. -1 with a message for one without "=". Pure; *ret is the caller's. */
int ctl_volumes_filters(char *const *args, char **ret);
/* The row `volume ls --format` renders for one API volume: Name, Driver, Scope, Mountpoint,
 * Labels ("k=v,…" sorted as given), Links and Size ("N/A"). Pure; the caller's. */
struct json_object *ctl_volumes_row(struct json_object *vol);
