/* shim/rootfs_mount.h: CreateTaskRequest.rootfs: containerd's Mount list (type, source,
 * options in mount(8) words) mounted in order onto <bundle>/rootfs, and unmounted again on
 * Delete and by the delete action (interfaces.md §3.2). Turning the option words into flags
 * and data is pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

struct shim_mount {
        char *type, *source;
        char **options;
};

struct shim_mount_plan {
        unsigned long flags;     /* MS_* for the first mount(2) */
        unsigned long propagation; /* MS_SHARED, MS_PRIVATE, ... (| MS_REC), applied after; 0: none */
        char *data;              /* the words mount(2) does not know, comma-joined; NULL if none */
        bool remount_ro;         /* a bind mount with ro: a second MS_REMOUNT|MS_BIND|MS_RDONLY */
        bool loop;               /* "loop": the source is a file to attach to a loop device */
};

int shim_mount_plan_build(const struct shim_mount *m, struct shim_mount_plan *ret, berth_error_t **err);
void shim_mount_plan_done(struct shim_mount_plan *p);

/* Mount M[0..N) onto TARGET in order. On failure what was mounted is unmounted again. */
int shim_rootfs_mount(const struct shim_mount *m, size_t n, const char *target, berth_error_t **err);
/* Unmount everything at and below TARGET (deepest first, lazily if busy); nothing mounted is
 * fine. */
int shim_rootfs_unmount(const char *target, berth_error_t **err);
/* The same, but the last reference to the mount at TARGET goes with a throw-away child (CLONE_FILES:
 * it closes the one descriptor holding it, then exits), so what the kernel does when a mount is
 * finally released (overlayfs syncs its whole upper filesystem: 1-6 ms here, more under write
 * load) runs beside the caller instead of before its answer; the sync still happens,
 * milliseconds later. The child is the caller's to reap (a server reaps whatever exits). */
int shim_rootfs_unmount_deferred(const char *target, berth_error_t **err);
