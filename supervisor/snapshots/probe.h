/* supervisor/snapshots/probe.h: choose the snapshotter berthd uses for DATA_ROOT at start:
 * dockerd's storage drivers "overlay2" (layers stacked by overlayfs) or "vfs" (copies). */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

/* 1 when an overlay mount with its upper and work directories inside DATA_ROOT works (the
 * filesystem under DATA_ROOT must support it: overlayfs, for one, is no upper layer), else 0.
 * Leaves nothing behind; only an unusable DATA_ROOT is an error. */
int snapshots_probe_overlay(const char *data_root, berth_error_t **err);
/* "overlay2" when snapshots_probe_overlay() says so, else "vfs"; *ret is a static string. */
int snapshots_probe_driver(const char *data_root, const char **ret, berth_error_t **err);

/* Decide the driver (pure). REQUESTED: --storage-driver or daemon.json's (NULL: not given);
 * RECORDED: the one DATA_ROOT was used with (NULL: none yet); HAS_SNAPSHOTS: whether snapshots
 * exist. Not given: the recorded one, else overlay2 when OVERLAY_WORKS, else vfs (dockerd
 * prefers the prior driver too). overlay2 where overlay does not work is -EOPNOTSUPP; a driver
 * other than the one existing snapshots were made by is -EBUSY (their layouts differ). *ret is
 * a static string. */
int snapshots_choose_driver(const char *requested, const char *recorded, bool overlay_works,
                            bool has_snapshots, const char **ret, berth_error_t **err);

/* The whole step at start: read <DATA_ROOT>/storage-driver, probe, choose, record the choice
 * (crash-safe) when it changed. */
int snapshots_select_driver(const char *data_root, const char *requested, const char **ret,
                            berth_error_t **err);

/* The name dockerd's "Backing Filesystem" gives the filesystem under PATH ("extfs", "xfs",
 * "tmpfs", "btrfs", "overlayfs", …; "<unknown>" otherwise). */
const char *snapshots_backing_fs(const char *path);
