/* supervisor/snapshots/probe.c: pick the snapshotter: try one overlay mount in data-root, weigh
 * it with --storage-driver and the driver data-root was used with before. */
#include <config.h>

#include "supervisor/snapshots/probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#define DRIVER_FILE "storage-driver"

int
snapshots_probe_overlay(const char *data_root, berth_error_t **err)
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
        return ok;
}

int
snapshots_probe_driver(const char *data_root, const char **ret, berth_error_t **err)
{
        int r = snapshots_probe_overlay(data_root, err);

        if (r < 0)
                return r;
        *ret = r ? "overlay2" : "vfs";
        return 0;
}

static const char *
known(const char *name)
{
        if (name && strcmp(name, "overlay2") == 0)
                return "overlay2";
        if (name && strcmp(name, "vfs") == 0)
                return "vfs";
        return NULL;
}

int
snapshots_choose_driver(const char *requested, const char *recorded, bool overlay_works,
                        bool has_snapshots, const char **ret, berth_error_t **err)
{
        const char *want = known(requested);
        const char *prior = known(recorded);

        if (requested && want == NULL)
                return berth_error_new(
                        err, EINVAL,
                        "storage-driver \"%s\": driver not supported (berthd has overlay2 and vfs)",
                        requested);
        if (want == NULL)
                want = prior ? prior : (overlay_works ? "overlay2" : "vfs");
        if (strcmp(want, "overlay2") == 0 && !overlay_works)
                return berth_error_new(
                        err, EOPNOTSUPP,
                        "storage-driver \"overlay2\": overlay mounts do not work on this data-root's filesystem (use vfs)");
        if (prior && strcmp(prior, want) != 0 && has_snapshots)
                return berth_error_new(
                        err, EBUSY,
                        "storage-driver \"%s\": data-root holds %s snapshots (start with --storage-driver %s, or use another data-root)",
                        want, prior, prior);
        *ret = want;
        return 0;
}

/* Whether DIR holds a snapshot (anything but dot entries: temporary ones do not count). */
static bool
has_entries(const char *dir)
{
        cleanup_dir DIR *d = opendir(dir);
        struct dirent *de;

        if (d == NULL)
                return false;
        while ((de = readdir(d)) != NULL)
                if (de->d_name[0] != '.')
                        return true;
        return false;
}

int
snapshots_select_driver(const char *data_root, const char *requested, const char **ret,
                        berth_error_t **err)
{
        cleanup_free char *file = xasprintf("%s/" DRIVER_FILE, data_root);
        cleanup_free char *snaps = xasprintf("%s/snapshots", data_root);
        cleanup_free char *recorded = NULL;
        cleanup_error berth_error_t *miss = NULL; /* no record: a new (or older) data-root */
        const char *choice = NULL;
        size_t len = 0;
        int works, r;

        if (fs_read_file(AT_FDCWD, file, &recorded, &len, &miss) >= 0)
                recorded[strcspn(recorded, "\n")] = '\0';
        works = snapshots_probe_overlay(data_root, err);
        if (works < 0)
                return works;
        /* A data-root from before the record existed was set up by the probe alone. */
        r = snapshots_choose_driver(requested, recorded, works, has_entries(snaps), &choice, err);
        if (r < 0)
                return r;
        if (recorded == NULL || strcmp(recorded, choice) != 0) {
                cleanup_free char *line = xasprintf("%s\n", choice);
                r = fs_write_atomic(AT_FDCWD, file, line, strlen(line), 0600, err);
                if (r < 0)
                        return r;
        }
        if (!works && requested == NULL)
                log_info("snapshots: overlay mounts do not work in \"%s\": using vfs (copies)",
                         data_root);
        *ret = choice;
        return 0;
}

const char *
snapshots_backing_fs(const char *path)
{
        /* The names moby's graphdriver package prints (FsNames in driver_linux.go). */
        static const struct {
                unsigned long magic;
                const char *name;
        } names[] = {
                {EXT4_SUPER_MAGIC, "extfs"},
                {XFS_SUPER_MAGIC, "xfs"},
                {TMPFS_MAGIC, "tmpfs"},
                {BTRFS_SUPER_MAGIC, "btrfs"},
                {OVERLAYFS_SUPER_MAGIC, "overlayfs"},
                {0x2fc12fc1, "zfs"},
                {NFS_SUPER_MAGIC, "nfs"},
                {0x65735546, "fuseblk"},
        };
        struct statfs st;

        if (statfs(path, &st) < 0)
                return "<unknown>";
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if ((unsigned long) st.f_type == names[i].magic)
                        return names[i].name;
        return "<unknown>";
}
