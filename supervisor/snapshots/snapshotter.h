/* supervisor/snapshots/snapshotter.h: one snapshot per layer chain under <data-root>/snapshots,
 * shared by every image whose layers start with that chain. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct snapshotter;

/* Open ROOT (made when missing) for DRIVER ("overlay2": each snapshot holds its layer alone;
  * "vfs": each holds the whole tree, a copy of its parent plus its layer). Removes the
 * temporary directories an interrupted unpack left. Keeps its own copies. */
int snapshotter_open(const char *root, const char *driver, struct snapshotter **ret,
                     berth_error_t **err);
void snapshotter_close(struct snapshotter *s);
DEFINE_CLEANUP(struct snapshotter *, snapshotter_close)
#define cleanup_snapshotter __attribute__((cleanup(snapshotter_closep)))

/* The OCI chain ID: DIFF_ID alone for a first layer (PARENT NULL), else
 * sha256(PARENT + " " + DIFF_ID). Pure; caller frees. */
char *snapshot_chain_id(const char *parent, const char *diff_id);

/* Make the snapshot for PARENT_CHAIN (NULL: none) plus the layer read from BLOB_FD, which must
 * hash (uncompressed) to DIFF_ID: -EINVAL otherwise. An existing snapshot is reused without
 * reading BLOB_FD. Unpacks into a temporary directory and renames it into place: a failure
 * leaves no snapshot directory. *ret_chain_id is the caller's. */
int snapshotter_unpack(struct snapshotter *s, const char *parent_chain, const char *diff_id,
                       int blob_fd, char **ret_chain_id, berth_error_t **err);
/* As snapshotter_unpack, but CHECK(CHECK_ARG) (may be NULL) runs after the layer is unpacked
 * and before the snapshot is renamed into place: a failure there discards the snapshot (a pull
 * unpacking while it downloads checks the blob's digest so). */
int snapshotter_unpack_checked(struct snapshotter *s, const char *parent_chain, const char *diff_id,
                               int blob_fd, int (*check)(void *arg, berth_error_t **err),
                               void *check_arg, char **ret_chain_id, berth_error_t **err);
/* 1 when the snapshot CHAIN_ID exists, else 0. */
int snapshotter_exists(struct snapshotter *s, const char *chain_id);
/* Bytes of regular files the layer of CHAIN_ID added (0 when unknown). */
int64_t snapshotter_layer_size(struct snapshotter *s, const char *chain_id);
/* The directory holding CHAIN_ID's files; caller frees. */
char *snapshotter_path(struct snapshotter *s, const char *chain_id);
/* The directory given to snapshotter_open and its driver (for active.c). */
const char *snapshotter_root(const struct snapshotter *s);
bool snapshotter_is_overlay(const struct snapshotter *s);
/* Remove every snapshot that is not in KEEP, not held by an active snapshot (active.h) and not an
 * ancestor of one. Returns the count. */
int snapshotter_gc(struct snapshotter *s, char *const *keep, berth_error_t **err);
