/* runtime/linux/rootfs.c: pivot_root and the paths protected after it. */
#include <config.h>

#include "runtime/linux/rootfs.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/mounts.h"
#include "runtime/linux/resolve.h"

/* The mount point at or above PATH: the first directory up from it that mount(2) accepts as
 * one. */
static int
make_holder_private(const char *path, berth_error_t **err)
{
        cleanup_free char *p = xstrdup(path);

        for (;;) {
                if (mount(NULL, p, NULL, MS_PRIVATE, NULL) == 0)
                        return 0;
                if (errno != EINVAL)
                        return berth_error_sys(err, errno, "make the mount holding \"%s\" private", p);
                char *slash = strrchr(p, '/');
                if (!slash || strcmp(p, "/") == 0)
                        return berth_error_new(err, EINVAL, "no mount holds rootfs \"%s\"", path);
                if (slash == p)
                        slash[1] = '\0';
                else
                        *slash = '\0';
        }
}

int
rootfs_prepare(const char *rootfs, const struct spec *spec, berth_error_t **err)
{
        unsigned long prop = MS_SLAVE | MS_REC;
        int fd, r;

        /* Host mount events must not reach the container, and ours must not reach the host:
         * slave by default, as runc (libcontainer/rootfs_linux.go prepareRoot). */
        if (spec->linux.has_rootfs_propagation)
                prop = spec->linux.rootfs_propagation;
        if (mount(NULL, "/", NULL, prop, NULL) < 0)
                return berth_error_sys(err, errno, "set propagation of \"/\"");
        /* pivot_root refuses a shared new root or a shared parent of it. Make the mount that
         * holds the rootfs private (in our namespace only); the bind below then starts private
         * too, whatever "/" got above (runc's rootfsParentMountPrivate). */
        r = make_holder_private(rootfs, err);
        if (r < 0)
                return r;
        if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return berth_error_sys(err, errno, "bind rootfs \"%s\"", rootfs);
        fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berth_error_sys(err, errno, "open rootfs \"%s\"", rootfs);
        return fd;
}

int
rootfs_pivot(const char *rootfs, bool no_pivot, berth_error_t **err)
{
        cleanup_close int oldroot = -1;
        cleanup_close int newroot = -1;

        if (no_pivot) {
                if (chdir(rootfs) < 0)
                        return berth_error_sys(err, errno, "chdir \"%s\"", rootfs);
                if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                        return berth_error_sys(err, errno, "move rootfs to \"/\"");
                if (chroot(".") < 0)
                        return berth_error_sys(err, errno, "chroot");
                if (chdir("/") < 0)
                        return berth_error_sys(err, errno, "chdir \"/\"");
                return 0;
        }
        oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (oldroot < 0)
                return berth_error_sys(err, errno, "open \"/\"");
        newroot = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (newroot < 0)
                return berth_error_sys(err, errno, "open rootfs \"%s\"", rootfs);
        /* pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." after
         * fchdir(oldroot) then drops it, with no directory for it needed in the image (runc). */
        if (fchdir(newroot) < 0)
                return berth_error_sys(err, errno, "chdir rootfs");
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return berth_error_sys(err, errno, "pivot_root");
        if (fchdir(oldroot) < 0)
                return berth_error_sys(err, errno, "chdir old root");
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return berth_error_sys(err, errno, "make old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
                return berth_error_sys(err, errno, "unmount old root");
        if (chdir("/") < 0)
                return berth_error_sys(err, errno, "chdir \"/\"");
        return 0;
}

static int
mask_path(const char *path, berth_error_t **err)
{
        struct stat st;

        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return berth_error_sys(err, errno, "maskedPaths \"%s\"", path);
        }
        if (S_ISDIR(st.st_mode)) {
                if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
                        return berth_error_sys(err, errno, "mask \"%s\"", path);
                return 0;
        }
        if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
                return berth_error_sys(err, errno, "mask \"%s\"", path);
        return 0;
}

static int
readonly_path(const char *path, berth_error_t **err)
{
        int r;

        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
                if (errno == ENOENT)
                        return 0;
                return berth_error_sys(err, errno, "readonlyPaths \"%s\"", path);
        }
        r = mounts_remount(path, MS_RDONLY | MS_REC | mounts_locked_flags(path), err);
        if (r < 0)
                return berth_error_prefix(err, "readonlyPaths \"%s\"", path);
        return 0;
}

int
rootfs_finalize(const struct spec *spec, berth_error_t **err)
{
        int r;

        strv_foreach(p, spec->linux.readonly_paths)
        {
                r = readonly_path(p, err);
                if (r < 0)
                        return r;
        }
        strv_foreach(p, spec->linux.masked_paths)
        {
                r = mask_path(p, err);
                if (r < 0)
                        return r;
        }
        if (spec->root_readonly) {
                r = mounts_remount("/", MS_RDONLY | mounts_locked_flags("/"), err);
                if (r < 0)
                        return berth_error_prefix(err, "root.readonly");
        }
        if (spec->linux.has_rootfs_propagation
            && mount(NULL, "/", NULL, spec->linux.rootfs_propagation, NULL) < 0)
                return berth_error_sys(err, errno, "linux.rootfsPropagation");
        return 0;
}
