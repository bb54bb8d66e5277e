/* supervisor/containers/ipc_shm.c: mounting and unmounting a shareable container's shm tmpfs. */
#include <config.h>

#include "supervisor/containers/ipc_shm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

char *
container_ipc_shm_path(const char *exec_root, const char *id)
{
        return xasprintf("%s/containers/%s/shm", exec_root, id);
}

/* Whether a mount sits on PATH (its device differs from its parent's). */
static bool
is_mountpoint(const char *path)
{
        cleanup_free char *parent = xasprintf("%s/..", path);
        struct stat a, b;

        return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

int
container_ipc_shm_mount(const char *path, int64_t size, berth_error_t **err)
{
        cleanup_free char *opts = NULL;

        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return berth_error_sys(err, errno, "mkdir \"%s\"", path);
        if (is_mountpoint(path))
                return 0;
        opts = xasprintf("mode=1777,size=%" PRId64, size > 0 ? size : (int64_t) 64 << 20);
        if (mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
                return berth_error_sys(err, errno, "mount shm tmpfs on \"%s\"", path);
        return 0;
}

int
container_ipc_shm_unmount(const char *path, berth_error_t **err)
{
        if (!is_mountpoint(path))
                return 0;
        /* Detached: a joiner that still runs keeps its own reference to the tmpfs. */
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return berth_error_sys(err, errno, "unmount \"%s\"", path);
        return 0;
}
