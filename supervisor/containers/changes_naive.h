/* supervisor/containers/changes_naive.h: docker diff and the commit layer without an overlay
 * upper dir (the vfs driver): the container's whole tree compared with its image's, as dockerd's
 * naive diff (pkg/archive ChangesDirs): both trees walked, an entry in both is Modified when its
 * mode, owner, rdev, link target or security.capability differ, or (not for directories) its
 * size or mtime; one only in the container's is Added (with everything below it), one only in
 * the image's Deleted (alone, not what was below it); a directory with a change below is
 * Modified. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "lib/error.h"

struct json_object;

/* Pure: whether OLD and NEW (lstat results of one path) differ as dockerd's statDifferent:
 * mode, uid, gid, rdev; for non-directories also size and mtime (nanoseconds only compared
 * when both have them). */
bool container_stat_differs(const struct stat *old, const struct stat *new_);

/* The changes of NEW_ROOT against OLD_ROOT (NULL: an empty image), [{"Path","Kind"}] depth
 * first, names sorted, leaving out the paths SKIP (the container's mount destinations) and
 * directories that changed only by holding them, as container_changes_compute. No symlink in
 * either tree is followed. *ret is the caller's. */
int container_changes_naive(const char *new_root, const char *old_root, char *const *skip,
                            struct json_object **ret, berth_error_t **err);

/* The layer tar of CHANGES (as above) to FD: each Added or Modified path of NEW_ROOT as one
 * entry (a directory without its contents: they are listed themselves), each Deleted one as a
 * whiteout ".wh.NAME". Paths are resolved below NEW_ROOT without following any symlink. */
int container_changes_layer_write(const char *new_root, struct json_object *changes, int fd,
                                  berth_error_t **err);
