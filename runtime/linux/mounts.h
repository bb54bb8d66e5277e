/* runtime/linux/mounts.h: config.json "mounts" made inside the rootfs, before pivot_root. */
#pragma once

#include "lib/error.h"
#include "runtime/spec/spec.h"

struct mount_ctx {
        int rootfd;              /* O_PATH fd of the rootfs (already a mount point) */
        const char *bundle;      /* relative bind sources are relative to it */
        char *const *cgroup_dirs; /* the container's cgroup directories, for "cgroup" mounts */
        bool new_cgroupns;
        bool new_userns;
        const int *idmapped_fds;  /* per mount: a detached idmapped tree to attach, or -1; may be NULL */
};

int mounts_apply(const struct mount_ctx *mc, const struct spec *spec, berth_error_t **err);
/* Mount flags that a remount must keep because the kernel locks them (statfs of PATH). */
unsigned long mounts_locked_flags(const char *path);
/* Remount PATH (a bind mount) with FLAGS, keeping locked flags. */
int mounts_remount(const char *path, unsigned long flags, berth_error_t **err);
