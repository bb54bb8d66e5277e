/* runtime/linux/devices.c: device nodes, made with mknod or bound from the host. */
#include <config.h>

#include "runtime/linux/devices.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "runtime/linux/resolve.h"

/* runc's default devices (libcontainer/specconv AllowedDevices with a path). */
static const struct spec_device default_devices[] = {
        {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3, .has_mode = true, .mode = 0666},
        {.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5, .has_mode = true, .mode = 0666},
        {.path = "/dev/full", .type = 'c', .major = 1, .minor = 7, .has_mode = true, .mode = 0666},
        {.path = "/dev/random", .type = 'c', .major = 1, .minor = 8, .has_mode = true, .mode = 0666},
        {.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9, .has_mode = true, .mode = 0666},
        {.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0, .has_mode = true, .mode = 0666},
};

const char *
devices_default_path(size_t i)
{
        return i < sizeof(default_devices) / sizeof(default_devices[0]) ? default_devices[i].path : NULL;
}

bool
devices_setup_needed(const struct spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                if ((spec->mounts[i].flags & MS_BIND) && strcmp(spec->mounts[i].destination, "/dev") == 0)
                        return false;
        }
        return true;
}

/* The directory of the last device made: most devices sit in /dev, resolved once. */
struct dir_cache {
        char *dir;
        int dfd;
};

static int
dir_cache_get(struct dir_cache *c, int rootfd, const char *dir, berth_error_t **err)
{
        cleanup_close int path_fd = -1;
        char p[32];

        if (c->dir && strcmp(c->dir, dir) == 0)
                return c->dfd;
        free(c->dir);
        c->dir = NULL;
        if (c->dfd >= 0)
                close(c->dfd);
        c->dfd = -1;
        path_fd = resolve_in_root(rootfd, dir[0] ? dir : "/", RESOLVE_CREATE_DIR, err);
        if (path_fd < 0)
                return path_fd;
        resolve_fd_path(path_fd, p);
        c->dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->dfd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", dir);
        c->dir = xstrdup(dir);
        return c->dfd;
}

static int
create_device(struct dir_cache *c, int rootfd, const struct spec_device *d, bool bind_only,
              berth_error_t **err)
{
        const char *slash = strrchr(d->path, '/');
        cleanup_free char *dir = xstrndup(d->path, (size_t) (slash - d->path));
        mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
        mode_t mode = d->has_mode ? d->mode : 0666;
        int dfd = dir_cache_get(c, rootfd, dir, err);

        if (dfd < 0)
                return dfd;
        /* An image may ship a file or link there already: the device replaces it. */
        (void) unlinkat(dfd, slash + 1, 0);
        if (bind_only) {
                cleanup_close int f = openat(dfd, slash + 1, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                cleanup_close int target = -1;
                char tp[32];
                if (f < 0)
                        return berth_error_sys(err, errno, "create \"%s\"", d->path);
                target = resolve_in_root(rootfd, d->path, RESOLVE_CREATE_NONE, err);
                if (target < 0)
                        return target;
                resolve_fd_path(target, tp);
                if (mount(d->path, tp, NULL, MS_BIND, NULL) < 0)
                        return berth_error_sys(err, errno, "bind device \"%s\"", d->path);
                return 0;
        }
        if (mknodat(dfd, slash + 1, type | (mode & 07777),
                    makedev((unsigned) d->major, (unsigned) d->minor)) < 0)
                return berth_error_sys(err, errno, "mknod \"%s\"", d->path);
        if ((d->has_uid || d->has_gid)
            && fchownat(dfd, slash + 1, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, AT_SYMLINK_NOFOLLOW) < 0)
                return berth_error_sys(err, errno, "chown \"%s\"", d->path);
        return 0;
}

static int
dev_symlinks(int rootfd, berth_error_t **err)
{
        static const char *const links[][2] = {
                {"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"},
                {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
                {"pts/ptmx", "ptmx"},
        };
        cleanup_close int devp = resolve_in_root(rootfd, "/dev", RESOLVE_CREATE_DIR, err);
        cleanup_close int dfd = -1;
        char p[32];

        if (devp < 0)
                return devp;
        resolve_fd_path(devp, p);
        dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error_sys(err, errno, "open /dev");
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                if (strcmp(links[i][1], "ptmx") == 0)
                        (void) unlinkat(dfd, "ptmx", 0);
                if (symlinkat(links[i][0], dfd, links[i][1]) < 0 && errno != EEXIST)
                        return berth_error_sys(err, errno, "symlink /dev/%s", links[i][1]);
        }
        if (access("/proc/kcore", F_OK) == 0)
                (void) symlinkat("/proc/kcore", dfd, "core");
        return 0;
}

int
devices_create(int rootfd, const struct spec *spec, bool bind_only, berth_error_t **err)
{
        bool defaults = devices_setup_needed(spec);
        struct dir_cache c = {.dir = NULL, .dfd = -1};
        int r = 0;

        for (size_t i = 0; defaults && i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
                bool overridden = false;
                for (size_t j = 0; j < spec->linux.n_devices; j++) {
                        if (strcmp(spec->linux.devices[j].path, default_devices[i].path) == 0)
                                overridden = true;
                }
                if (overridden)
                        continue;
                r = create_device(&c, rootfd, &default_devices[i], bind_only, err);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < spec->linux.n_devices; i++) {
                r = create_device(&c, rootfd, &spec->linux.devices[i], bind_only, err);
                if (r < 0) {
                        berth_error_prefix(err, "linux.devices[%zu]", i);
                        goto out;
                }
        }
        if (defaults)
                r = dev_symlinks(rootfd, err);
out:
        free(c.dir);
        if (c.dfd >= 0)
                close(c.dfd);
        return r;
}
