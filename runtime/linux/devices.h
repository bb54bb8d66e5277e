/* runtime/linux/devices.h: /dev inside the rootfs: the default devices, linux.devices, the
 * standard symlinks and /dev/ptmx. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

/* The path of default device I (runc's list), NULL past the last. */
const char *devices_default_path(size_t i);
/* Whether berth populates /dev: not when /dev itself is bind-mounted from the host (runc). */
bool devices_setup_needed(const struct spec *spec);
/* Create the nodes before pivot_root (the defaults and links only when devices_setup_needed()); BIND_ONLY when mknod is not allowed (user namespace). */
int devices_create(int rootfd, const struct spec *spec, bool bind_only, berth_error_t **err);
