/* lib/fs.c: file helpers shared by every berth program. */
#include <config.h>

#include "lib/fs.h"

#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"

int
fs_write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += w;
                len -= (size_t) w;
        }
        return 0;
}

ssize_t
fs_read_all(int fd, void *buf, size_t len)
{
        char *p = buf;
        size_t got = 0;

        while (got < len) {
                ssize_t n = read(fd, p + got, len - got);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        return (ssize_t) got;
}

int
fs_read_file(int dirfd, const char *path, char **ret, size_t *ret_len, berth_error_t **err)
{
        cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        cleanup_free char *buf = NULL;
        size_t len = 0, cap = 4096;

        if (fd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", path);
        buf = xmalloc(cap);
        for (;;) {
                ssize_t n;
                if (len + 1 >= cap) {
                        cap *= 2;
                        buf = xrealloc(buf, cap);
                }
                n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_error_sys(err, errno, "read \"%s\"", path);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int
fs_write_file(int dirfd, const char *path, const char *data, size_t len, berth_error_t **err)
{
        cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        int r;

        if (fd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", path);
        r = fs_write_all(fd, data, len);
        if (r < 0)
                return berth_error_sys(err, -r, "write \"%s\"", path);
        return 0;
}

static int
write_replace(int dirfd, const char *path, const char *data, size_t len, mode_t mode, bool durable,
              berth_error_t **err)
{
        const char *slash = strrchr(path, '/');
        cleanup_free char *dir = slash ? xstrndup(path, (size_t) (slash - path) + 1) : xstrdup(".");
        cleanup_free char *tmp = xasprintf("%s.%s.tmp", slash ? dir : "", slash ? slash + 1 : path);
        cleanup_close int fd = -1;
        cleanup_close int dfd = -1;
        int r;

        /* A file left by a crash keeps its old mode and owner under O_CREAT: start afresh. */
        if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
                return berth_error_sys(err, errno, "remove stale \"%s\"", tmp);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return berth_error_sys(err, errno, "create \"%s\"", tmp);
        r = fs_write_all(fd, data, len);
        if (r == 0 && durable && fsync(fd) < 0)
                r = -errno;
        if (r < 0) {
                unlinkat(dirfd, tmp, 0);
                return berth_error_sys(err, -r, "write \"%s\"", tmp);
        }
        if (renameat(dirfd, tmp, dirfd, path) < 0) {
                r = errno;
                unlinkat(dirfd, tmp, 0);
                return berth_error_sys(err, r, "rename \"%s\" to \"%s\"", tmp, path);
        }
        if (!durable)
                return 0;
        dfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                return berth_error_sys(err, errno, "fsync directory of \"%s\"", path);
        return 0;
}

int
fs_write_atomic(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
                berth_error_t **err)
{
        return write_replace(dirfd, path, data, len, mode, true, err);
}

int
fs_replace_file(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
                berth_error_t **err)
{
        return write_replace(dirfd, path, data, len, mode, false, err);
}

int
fs_mkdir_p(const char *path, mode_t mode, berth_error_t **err)
{
        cleanup_free char *p = xstrdup(path);

        if (!p[0])
                return berth_error_sys(err, ENOENT, "mkdir \"\"");
        /* Usually only the last component is missing (a container's cgroup in each hierarchy). */
        if (mkdir(p, mode) == 0 || errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return berth_error_sys(err, errno, "mkdir \"%s\"", p);
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return berth_error_sys(err, errno, "mkdir \"%s\"", p);
                *s = c;
                if (c == '\0')
                        break;
        }
        return 0;
}

int
fs_remove_tree(int parent, const char *name, berth_error_t **err)
{
        int fd;
        DIR *d;
        struct dirent *de;

        if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return berth_error_sys(err, errno, "remove \"%s\"", name);
        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", name);
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return berth_error_sys(err, errno, "open \"%s\"", name);
        }
        while ((de = readdir(d))) {
                int r;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                r = fs_remove_tree(dirfd(d), de->d_name, err);
                if (r < 0) {
                        closedir(d);
                        return r;
                }
        }
        closedir(d);
        if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return berth_error_sys(err, errno, "remove \"%s\"", name);
        return 0;
}

int
fs_sync_dir(const char *dir, berth_error_t **err)
{
        cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0 || fsync(fd) < 0)
                return berth_error_sys(err, errno, "fsync \"%s\"", dir);
        return 0;
}

bool
fs_is_mount_point(const char *dir)
{
        struct statx x;
        struct stat a, b;
        cleanup_free char *parent = NULL;

        if (statx(AT_FDCWD, dir, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x) == 0
            && (x.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return (x.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
        parent = xasprintf("%s/..", dir);
        return stat(dir, &a) == 0 && stat(parent, &b) == 0
               && (a.st_dev != b.st_dev || a.st_ino == b.st_ino);
}
