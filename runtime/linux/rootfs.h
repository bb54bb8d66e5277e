/* runtime/linux/rootfs.h: the container's root: propagation, the rootfs bind, pivot_root (or
 * MS_MOVE + chroot), and what is applied after it (masked and read-only paths, read-only root). */
#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

/* Make mounts private enough to pivot, and the rootfs a mount point. Returns an O_PATH fd. */
int rootfs_prepare(const char *rootfs, const struct spec *spec, berth_error_t **err);
int rootfs_pivot(const char *rootfs, bool no_pivot, berth_error_t **err);
/* After pivot_root: maskedPaths, readonlyPaths, root.readonly, rootfsPropagation. */
int rootfs_finalize(const struct spec *spec, berth_error_t **err);
