/* runtime/linux/resolve.c: openat2 RESOLVE_IN_ROOT and component-wise creation. */
#include <config.h>

#include "runtime/linux/resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/xalloc.h"

static int
open_in_root(int rootfd, const char *rel)
{
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (!rel[0])
                rel = ".";
        do
                fd = (int) syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN);
        return fd < 0 ? -errno : fd;
}

void
resolve_fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

int
resolve_in_root(int rootfd, const char *path, enum resolve_create create, berth_error_t **err)
{
        cleanup_free char *rel = NULL;
        const char *p = path;
        int fd;

        while (*p == '/')
                p++;
        rel = xstrdup(p);
        fd = open_in_root(rootfd, rel);
        if (fd >= 0 || fd != -ENOENT || create == RESOLVE_CREATE_NONE) {
                if (fd < 0)
                        return berth_error_sys(err, -fd, "resolve \"%s\" in the rootfs", path);
                return fd;
        }
        /* Walk from the top: resolve each existing prefix in the root, create the next part. */
        for (char *s = rel;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                bool last = c == '\0';
                char *slash = NULL;
                *s = '\0';
                int cur = open_in_root(rootfd, rel);
                if (cur == -ENOENT) {
                        cleanup_close int parent = -1;
                        const char *name;
                        slash = strrchr(rel, '/');
                        if (slash) {
                                *slash = '\0';
                                parent = open_in_root(rootfd, rel);
                                *slash = '/';
                                name = slash + 1;
                        } else {
                                parent = open_in_root(rootfd, "");
                                name = rel;
                        }
                        if (parent < 0) {
                                int e = -parent;
                                parent = -1;
                                return berth_error_sys(err, e, "resolve \"%s\" in the rootfs", path);
                        }
                        /* Re-open the parent as a real directory fd for the *at() calls. */
                        cleanup_free char *pp = xasprintf("/proc/self/fd/%d", parent);
                        cleanup_close int dfd = open(pp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (dfd < 0)
                                return berth_error_sys(err, errno, "open parent of \"%s\" in the rootfs", path);
                        if (last && create == RESOLVE_CREATE_FILE) {
                                int f = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                                if (f < 0 && errno != EEXIST)
                                        return berth_error_sys(err, errno, "create \"%s\" in the rootfs", path);
                                if (f >= 0)
                                        close(f);
                        } else if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) {
                                return berth_error_sys(err, errno, "mkdir \"%s\" in the rootfs", rel);
                        }
                        cur = open_in_root(rootfd, rel);
                }
                if (cur < 0)
                        return berth_error_sys(err, -cur, "resolve \"%s\" in the rootfs", path);
                *s = c;
                if (last)
                        return cur;
                close(cur);
        }
}
