/* runtime/linux/resolve.h: paths inside a rootfs, resolved with openat2(RESOLVE_IN_ROOT) so a
 * symlink in the image can never lead a mount or a device node out of it (CVE-2021-30465). */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

enum resolve_create { RESOLVE_CREATE_NONE = 0, RESOLVE_CREATE_DIR, RESOLVE_CREATE_FILE };

/* An O_PATH fd for PATH inside ROOTFD (PATH may be absolute: it is taken as relative to the
 * root). With CREATE, missing components are made (directories 0755; the last one a directory
 * or an empty 0644 file). */
int resolve_in_root(int rootfd, const char *path, enum resolve_create create, berth_error_t **err);
/* Like resolve_in_root without creating, but no symlink may be followed at all: -ELOOP if one
 * is met, -errno on other failures (no error object: callers decide what it means). */
int resolve_in_root_nofollow(int rootfd, const char *path);
/* "/proc/self/fd/N" for mounting on an fd. */
void resolve_fd_path(int fd, char buf[static 32]);
