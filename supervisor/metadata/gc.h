/* supervisor/metadata/gc.h: mark and sweep of blobs that no image references. */
#pragma once

#include "lib/error.h"

struct metadata_db;
struct content_store;

/* Mark every blob an image record lists, remove every other committed blob. The caller must keep
 * loads out while this runs (a load commits its blobs before its record: berthd's image service
 * holds one lock over both), as containerd's collector does with leases. Returns how many blobs
 * were removed; *ret_bytes (may be NULL) adds up their sizes. */
int metadata_gc_blobs(struct metadata_db *db, struct content_store *store, int64_t *ret_bytes,
                      berth_error_t **err);
/* As metadata_gc_blobs, also keeping the blobs in KEEP (may be NULL): what an unfinished pull
 * holds, its stand-in for containerd's leases. */
int metadata_gc_blobs_keep(struct metadata_db *db, struct content_store *store, char *const *keep,
                           int64_t *ret_bytes, berth_error_t **err);
