/* lib/fs.h: file helpers: whole-file reads, plain and crash-safe writes, directories. */
#pragma once

#include <stdbool.h>

#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

/* Read all of PATH (relative to DIRFD) into a NUL-terminated buffer. */
int fs_read_file(int dirfd, const char *path, char **ret, size_t *ret_len, berth_error_t **err);
/* open(O_WRONLY|O_TRUNC) + write: for /proc, /sys and cgroup files, which are not regular. */
int fs_write_file(int dirfd, const char *path, const char *data, size_t len, berth_error_t **err);
/* Crash-safe replace: write ".<name>.tmp" beside it, fsync, rename over, fsync the directory. */
int fs_write_atomic(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
                    berth_error_t **err);
/* Atomic replace (temp + rename) without fsync: for state that lives on /run and means nothing
 * after a reboot (runtime state, pid files); readers never see a torn file. */
int fs_replace_file(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
                    berth_error_t **err);
/* mkdir -p; existing directories are fine. */
int fs_mkdir_p(const char *path, mode_t mode, berth_error_t **err);
/* Whether DIR is a mount point (a bind mount on the same filesystem included: statx's
 * STATX_ATTR_MOUNT_ROOT; before Linux 5.8, a device other than its parent's). */
bool fs_is_mount_point(const char *dir);
/* fsync the directory DIR: what was created, renamed or removed in it is durable. */
int fs_sync_dir(const char *dir, berth_error_t **err);
/* rm -rf NAME below DIRFD without following symlinks; a missing NAME is success. */
int fs_remove_tree(int dirfd, const char *name, berth_error_t **err);
/* write(2) until done or error; returns 0 or -errno. */
int fs_write_all(int fd, const void *buf, size_t len);
/* read(2) until LEN bytes or EOF; returns the count or -errno. */
ssize_t fs_read_all(int fd, void *buf, size_t len);
