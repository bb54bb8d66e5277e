/* supervisor/snapshots/probe.c: try one overlay mount in data-root to pick the snapshotter. */
#include <config.h>

#include "supervisor/snapshots/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "lib/xalloc.h"

int
snapshots_probe_driver(const char *data_root, const char **ret, berth_error_t **err)
{
        cleanup_free char *dir = xasprintf("%s/.overlay-probe.XXXXXX", data_root);
        cleanup_free char *lower = NULL, *upper = NULL, *work = NULL, *merged = NULL, *opts = NULL;
        cleanup_error berth_error_t *rm_err = NULL;
        int ok = 0;

        if (mkdtemp(dir) == NULL)
                return berth_error_sys(err, errno, "snapshots: probe in \"%s\"", data_root);
        lower = xasprintf("%s/lower", dir);
        upper = xasprintf("%s/upper", dir);
        work = xasprintf("%s/work", dir);
        merged = xasprintf("%s/merged", dir);
        opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
        if (mkdir(lower, 0700) == 0 && mkdir(upper, 0700) == 0 && mkdir(work, 0700) == 0
            && mkdir(merged, 0700) == 0) {
                if (mount("overlay", merged, "overlay", MS_NODEV | MS_NOSUID, opts) == 0) {
                        ok = 1;
                        /* Our own mount, made a moment ago; nothing can be using it. */
                        umount2(merged, MNT_DETACH);
                } else {
                        log_debug("snapshots: overlay mount in \"%s\" failed: %s", data_root,
                                  strerror(errno));
                }
        }
        /* A leftover probe directory is harmless (its name starts with a dot); removal errors
         * are only logged. */
        if (fs_remove_tree(AT_FDCWD, dir, &rm_err) < 0)
                log_debug("snapshots: %s, ignoring", rm_err->msg);
        *ret = ok ? "overlayfs" : "native";
        return 0;
}
