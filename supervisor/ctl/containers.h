/* supervisor/ctl/containers.h: berthctl's container verbs: create, ps, inspect, rm, rename and
 * container prune (the docker CLI's output). */
#pragma once

#include <stdbool.h>

struct json_object;

/* Whether VERB (argv[0]) is one of them ("container" included). */
bool ctl_containers_known(const char *verb);
/* Run the verb in ARGV[0]; returns the exit status. */
int ctl_containers_main(const char *host, int argc, char **argv);
/* The row docker ps formats for one /containers/json entry: ID, Image, Command, CreatedAt,
 * RunningFor, Ports, Status, Size, Names, Labels, Mounts, Networks, State, LocalVolumes (all
 * strings). TRUNC as without --no-trunc. NOW for RunningFor. Pure; the caller's. */
struct json_object *ctl_ps_row(struct json_object *summary, bool trunc, long long now);

#include <stdbool.h>
/* docker create with ARGV (ARGV[0] the verb): prints the new ID, or with RET_ID returns it (and
 * whether -d and -t were given). 0, or the exit status to use. */
int ctl_container_create(const char *host, int argc, char **argv, char **ret_id, bool *ret_detach,
                         bool *ret_tty);
