/* supervisor/ctl/port.h: berthctl port CONTAINER [PRIVATE_PORT[/PROTO]]: the container's
 * NetworkSettings.Ports from inspect, printed as the docker CLI prints them. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct json_object;

bool ctl_port_known(const char *verb);
int ctl_port_main(const char *host, int argc, char **argv);

/* Pure: docker port's output for PORTS (inspect's NetworkSettings.Ports) and the optional
 * PRIVATE ("80", "80/udp"; NULL: every mapping, "80/tcp -> 0.0.0.0:8080" lines sorted by
 * port) into *RET (the caller's). NAME is the container as the user typed it. -ENOENT "Error:
 * No public port '80/tcp' published for NAME" when PRIVATE has no binding; -EINVAL "Error:
 * invalid port \"x\"" for a bad PRIVATE. */
int ctl_port_format(struct json_object *ports, const char *private_port, const char *name,
                    char **ret, berth_error_t **err);
