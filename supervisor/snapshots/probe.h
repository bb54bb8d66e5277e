/* supervisor/snapshots/probe.h: choose the snapshotter berthd uses for DATA_ROOT at start. */
#pragma once

#include "lib/error.h"

/* "overlayfs" when an overlay mount with its upper and work directories inside DATA_ROOT works
 * (the filesystem under DATA_ROOT must support it: not every one does), else "native" (copies).
 * *ret is a static string. Leaves nothing behind; only an unusable DATA_ROOT is an error. */
int snapshots_probe_driver(const char *data_root, const char **ret, berth_error_t **err);
