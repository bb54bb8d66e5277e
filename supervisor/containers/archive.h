/* supervisor/containers/archive.h: a container's filesystem for docker cp, diff, export and
 * commit. Every walk of the container's tree runs in a child chrooted into the container's
 * root, so no symlink the container made can lead outside it (docker's container-scoped path
 * resolution); the host side only ever sees what the child writes to a pipe or reads from the
 * request body.
 *
 * Which root: a running container's files are reached through /proc/<pid>/root (its mount
 * namespace: bind mounts and tmpfs inside the container are copied through, as dockerd does);
 * export and commit use the overlay alone (the bundle's rootfs while it is mounted); a stopped
 * container's snapshot is mounted on a temporary directory under the exec-root and unmounted
 * afterwards. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "supervisor/containers/archive_path.h"

struct container_service;
struct json_object;

struct container_root {
        char *id;
        char *path;    /* where the root is reached */
        char *mounted; /* a temporary mount to undo, or NULL */
};

/* Reach REF's root. MOUNTS: a running container through /proc/<pid>/root (false: the overlay
 * only). -ENOENT "No such container: REF". */
int container_root_open(struct container_service *svc, const char *ref, bool mounts,
                        struct container_root *ret, berth_error_t **err);
void container_root_close(struct container_root *root);

/* Read the regular file PATH (absolute) inside ROOT, resolved in a child chrooted there, at
 * most MAX bytes (-EFBIG beyond). -ENOENT when missing. *RET (NUL-terminated) is the caller's. */
int container_root_read_file(const struct container_root *root, const char *path, size_t max,
                             char **ret, size_t *ret_len, berth_error_t **err);

/* HEAD/GET archive: stat PATH inside ROOT (the last component is not followed unless P says
 * so; a symlink's linkTarget is its fully resolved path in the container). -ENOENT "Could not
 * find the file PATH in container REF" (dockerd's text). *ret_name, *ret_link are the
 * caller's. */
struct container_path_info {
        char *name;
        char *link_target;
        int64_t size;
        mode_t mode;
        int64_t mtime_sec;
        long mtime_nsec;
};
int container_archive_stat(const struct container_root *root, const char *path, const char *ref,
                           struct container_path_info *ret, berth_error_t **err);
void container_path_info_done(struct container_path_info *i);

/* Write a tar of PATH (docker's layout: the entry named after the path's last component, or
 * its contents for "dir/.") to FD. */
int container_archive_write(const struct container_root *root, const char *path, int fd,
                            berth_error_t **err);
/* Write a tar of the whole root (docker export) to FD. */
int container_export_write(const struct container_root *root, int fd, berth_error_t **err);

/* PUT archive: extract the tar (BODY_FD, or BODY/LEN when BODY_FD < 0) into the directory PATH
 * of ROOT. NO_OVERWRITE_DIR_NON_DIR refuses to replace a directory with a non-directory and
 * the reverse; without COPY_UIDGID every entry belongs to root (docker's default). */
struct container_extract_options {
        bool no_overwrite_dir_non_dir;
        bool copy_uidgid;
};
int container_archive_extract(const struct container_root *root, const char *path,
                              const char *ref, int body_fd, const char *body, size_t len,
                              const struct container_extract_options *o, berth_error_t **err);

/* docker diff: REF's changes from its overlay upper dir, [{"Path","Kind"}] sorted by path; on
 * the vfs driver by comparing its tree with its image's (changes_naive.h). *ret is the
 * caller's. */
int container_changes(struct container_service *svc, const char *ref, struct json_object **ret,
                      berth_error_t **err);
/* The same over an upper dir and its lower dirs (top first), leaving out the paths SKIP (the
 * container's mount destinations: docker keeps them in its init layer) and directories that
 * hold nothing but those. */
int container_changes_compute(const char *upper, char *const *lowers, char *const *skip,
                              struct json_object **ret, berth_error_t **err);
/* The mount destinations of container ID (its config.json's, folded): what diff and commit
 * leave out. A strv, the caller's; NULL when none. */
char **container_mount_points(struct container_service *svc, const char *id);
/* The layer tar of UPPER (overlay's whiteouts as docker's .wh. files, opaque directories as
 * .wh..wh..opq), without the paths SKIP, to FD: commit's new layer. */
int container_layer_write(const char *upper, char *const *skip, int fd, berth_error_t **err);
/* The same on the vfs driver for container ID: its tree compared with its image's
 * (changes_naive.h), leaving out SKIP. */
int container_vfs_layer_write(struct container_service *svc, const char *id, char *const *skip,
                              int fd, berth_error_t **err);
