/* supervisor/containers/host_devices.c: list the host's device nodes for --privileged. */
#include <config.h>

#include "supervisor/containers/host_devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

/* Directories of /dev that belong to the container's own mounts (devpts, shm, mqueue) or are
 * views of the caller's fds, plus LXD's and udev's private ones (runc libcontainer/devices). */
static const char *const skipped_dirs[] = {
        "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", NULL,
};

static bool
skipped(const char *name)
{
        for (size_t i = 0; skipped_dirs[i]; i++)
                if (strcmp(skipped_dirs[i], name) == 0)
                        return true;
        return false;
}

static int
walk(int dfd, const char *path, unsigned depth, struct json_object *out, berth_error_t **err)
{
        cleanup_dir DIR *d = NULL;
        struct dirent *e;

        /* /dev is shallow; a loop of bind mounts must not make this endless */
        if (depth > 8)
                return 0;
        d = fdopendir(dfd);
        if (d == NULL) {
                int saved = errno;
                close(dfd);
                return berth_error_sys(err, saved, "read \"%s\"", path);
        }
        while ((errno = 0, e = readdir(d)) != NULL) {
                cleanup_free char *p = NULL;
                struct json_object *dev;
                struct stat st;
                char type[2] = {0, 0};

                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return berth_error_sys(err, errno, "stat \"%s/%s\"", path, e->d_name);
                }
                p = xasprintf("%s/%s", path, e->d_name);
                if (S_ISDIR(st.st_mode)) {
                        int sub;
                        int r;
                        if (skipped(e->d_name))
                                continue;
                        sub = openat(dirfd(d), e->d_name,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0) {
                                if (errno == ENOENT)
                                        continue;
                                return berth_error_sys(err, errno, "open \"%s\"", p);
                        }
                        r = walk(sub, p, depth + 1, out, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (strcmp(e->d_name, "console") == 0)
                        continue;
                if (S_ISCHR(st.st_mode))
                        type[0] = 'c';
                else if (S_ISBLK(st.st_mode))
                        type[0] = 'b';
                else
                        continue;
                dev = json_object_new_object();
                json_object_object_add(dev, "path", json_object_new_string(p));
                json_object_object_add(dev, "type", json_object_new_string(type));
                json_object_object_add(dev, "major", json_object_new_int64(major(st.st_rdev)));
                json_object_object_add(dev, "minor", json_object_new_int64(minor(st.st_rdev)));
                json_object_object_add(dev, "fileMode",
                                       json_object_new_int((int) (st.st_mode & 07777)));
                json_object_object_add(dev, "uid", json_object_new_int64(st.st_uid));
                json_object_object_add(dev, "gid", json_object_new_int64(st.st_gid));
                json_object_array_add(out, dev);
        }
        if (errno != 0)
                return berth_error_sys(err, errno, "read \"%s\"", path);
        return 0;
}

int
container_host_devices_list(const char *dir, struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *out = json_object_new_array();
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (fd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", dir);
        r = walk(fd, strcmp(dir, "/") == 0 ? "" : dir, 0, out, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

int
container_host_devices_dev(struct json_object **ret, berth_error_t **err)
{
        return container_host_devices_list("/dev", ret, err);
}
