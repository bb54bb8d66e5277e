/* supervisor/snapshots/unpack.h: apply one image layer (a tar, gzip or zstd compressed or not)
 * to a directory, with OCI whiteouts. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

enum layer_entry_kind {
        LAYER_ENTRY_NORMAL,   /* extract as is */
        LAYER_ENTRY_WHITEOUT, /* ".wh.NAME": NAME is deleted */
        LAYER_ENTRY_OPAQUE,   /* ".wh..wh..opq": the directory hides what lower layers had */
        LAYER_ENTRY_SKIP,     /* "." or "./": the root itself */
};

/* Classify the tar member PATH; *ret_target (caller frees) is the path the entry acts on, with
 * "./" and "/" prefixes dropped: the file for NORMAL, the deleted name for WHITEOUT, the
 * directory ("" for the root) for OPAQUE. A ".." component is -EINVAL. Pure. */
int layer_entry_classify(const char *path, enum layer_entry_kind *ret_kind, char **ret_target,
                         berth_error_t **err);

/* Read the layer from SRC_FD (streamed: nothing is copied first) and extract it into DIR, which
 * exists. OVERLAY: whiteouts become 0/0 character devices and opaque directories get
 * trusted.overlay.opaque=y (overlayfs's format, DIR holding this layer alone); otherwise DIR
 * holds the parent's tree already and whiteouts delete from it. The extraction runs in a forked
 * child chrooted into DIR, so no entry (symlink, "..", absolute path) can write outside it.
 * *ret_diff_id is the sha256 of the uncompressed tar ("sha256:<hex>", caller frees), *ret_size
 * the bytes of regular files extracted. On failure DIR may hold a partial tree: the caller
 * removes it. */
int layer_unpack(int src_fd, const char *dir, bool overlay, char **ret_diff_id, int64_t *ret_size,
                 berth_error_t **err);
