/* supervisor/containers/run_nsjoin.h: the start path's half of `container:X` modes and shareable
 * IPC: look the targets up, check them as dockerd does, rewrite the bundle's config.json. */
#pragma once

#include "lib/error.h"

struct container_runner;
struct json_object;

/* Before the shim's Create of container ID (DOC its record, BUNDLE its prepared bundle): mount
 * its shm tmpfs when its IpcMode is shareable, and point config.json's namespaces at the running
 * targets of its container:X modes (a network joiner also takes the target's hostname and
 * /etc files). Errors are dockerd's (nsjoin.h); the caller removes the bundle on failure. */
int container_run_nsjoin_prepare(struct container_runner *r, const char *id,
                                 struct json_object *doc, const char *bundle, berth_error_t **err);
