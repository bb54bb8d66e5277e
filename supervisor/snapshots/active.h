/* supervisor/snapshots/active.h: read-write ("active") snapshots, one per container, on top of a
 * committed chain: snapshots/active/<key>/{parent, upper/, work/} for overlayfs (the chain's
 * layers are the lowerdirs), {parent, fs/} for native (a copy of the chain's tree). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct snapshotter;

#define SNAPSHOT_ACTIVE_DIR "active"

/* Make the active snapshot KEY over PARENT_CHAIN (NULL: an empty root). Built in a temporary
 * directory and renamed into place: a failure leaves nothing. -EEXIST when KEY exists. */
int snapshotter_active_prepare(struct snapshotter *s, const char *key, const char *parent_chain,
                               berth_error_t **err);
/* Remove KEY (its mount must be gone); a missing KEY is success. */
int snapshotter_active_remove(struct snapshotter *s, const char *key, berth_error_t **err);
/* 1 when KEY exists, else 0. */
int snapshotter_active_exists(struct snapshotter *s, const char *key);
/* The chain IDs every active snapshot sits on (a strv appended to *ret). */
int snapshotter_active_parents(struct snapshotter *s, char ***ret, berth_error_t **err);
/* The mount(2) arguments for KEY: "overlay" with its options, or a bind of the native tree.
 * Pure but for reading the parent files; all three are the caller's. */
int snapshotter_active_mount_args(struct snapshotter *s, const char *key, char **ret_type,
                                  char **ret_source, char **ret_options, berth_error_t **err);
/* Mount KEY at TARGET (a directory) / undo it. */
int snapshotter_active_mount(struct snapshotter *s, const char *key, const char *target,
                             berth_error_t **err);
/* The same, and for a snapshot whose contents do not matter after a crash (a --rm container's)
 * an overlay mounted `volatile`: no sync of the whole upper filesystem when it is unmounted
 * (overlayfs syncs it otherwise: milliseconds, far more under write load). A stale volatile
 * marker left by a crash is removed first. Kernels without the option get a normal mount. */
int snapshotter_active_mount_volatile(struct snapshotter *s, const char *key, const char *target,
                                      berth_error_t **err);
int snapshotter_active_unmount(const char *target, berth_error_t **err);
/* Read the file PATH (absolute inside the container) as KEY shows it, without mounting: the
 * upper layer first, then each layer of the chain. -ENOENT when absent or whited out. */
int snapshotter_active_read_file(struct snapshotter *s, const char *key, const char *path,
                                 char **ret, size_t *ret_len, berth_error_t **err);
/* Bytes of regular files written in KEY's own layer (docker's SizeRw). */
int64_t snapshotter_active_size(struct snapshotter *s, const char *key);
/* Directory holding KEY's writable layer (upper/ or fs/); caller frees. */
char *snapshotter_active_upper(struct snapshotter *s, const char *key);
