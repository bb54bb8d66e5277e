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
open_in_root_how(int rootfd, const char *rel, unsigned long long resolve)
{
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
        };
        int fd;

        if (!rel[0])
                rel = ".";
        do
                fd = (int) syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN);
        return fd < 0 ? -errno : fd;
}

static int
open_in_root(int rootfd, const char *rel)
{
        return open_in_root_how(rootfd, rel, 0);
}

int
resolve_in_root_nofollow(int rootfd, const char *path)
{
        while (*path == '/')
                path++;
        return open_in_root_how(rootfd, path, RESOLVE_NO_SYMLINKS);
}

void
resolve_fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

/* Make the missing parts of REL (relative to the root), following symlinks found on the way
 * inside the root as openat2 would: a dangling link's target is made instead (runc's
 * MkdirAllInRoot). Returns an O_PATH fd of the result. */
static int
create_in_root(int rootfd, const char *path, const char *start, enum resolve_create create,
               berth_error_t **err)
{
        cleanup_free char *rel = xstrdup(start);
        int links = 0;

        for (size_t done = 0;;) {
                /* rel[0..done) exists; take the next component. */
                while (rel[done] == '/')
                        done++;
                if (rel[done] == '\0')
                        break;
                size_t end = done;
                while (rel[end] && rel[end] != '/')
                        end++;
                bool last = rel[end] == '\0';
                cleanup_free char *prefix = xstrndup(rel, done);
                cleanup_free char *name = xstrndup(rel + done, end - done);
                cleanup_free char *upto = xstrndup(rel, end);
                int cur = open_in_root(rootfd, upto);
                if (cur >= 0) {
                        close(cur);
                        done = end;
                        continue;
                }
                if (cur != -ENOENT)
                        return berth_error_sys(err, -cur, "resolve \"%s\" in the rootfs", path);
                int parent = open_in_root(rootfd, prefix);
                if (parent < 0)
                        return berth_error_sys(err, -parent, "resolve \"%s\" in the rootfs", path);
                char pp[32];
                resolve_fd_path(parent, pp);
                int dfd = open(pp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                close(parent);
                if (dfd < 0)
                        return berth_error_sys(err, errno, "open parent of \"%s\" in the rootfs", path);
                char target[4096];
                ssize_t tl = readlinkat(dfd, name, target, sizeof(target) - 1);
                if (tl >= 0) {
                        /* A dangling symlink: continue with its target, inside the root. */
                        close(dfd);
                        if (++links > 40)
                                return berth_error_new(err, ELOOP, "resolve \"%s\" in the rootfs: too many symlinks", path);
                        target[tl] = '\0';
                        char *next = target[0] == '/' ? xasprintf("%s%s", target + 1, rel + end)
                                                      : xasprintf("%s%s%s", prefix, target, rel + end);
                        free(rel);
                        rel = next;
                        done = 0;
                        continue;
                }
                int r = 0;
                if (last && create == RESOLVE_CREATE_FILE) {
                        int f = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                        if (f < 0 && errno != EEXIST)
                                r = berth_error_sys(err, errno, "create \"%s\" in the rootfs", path);
                        if (f >= 0)
                                close(f);
                } else if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) {
                        r = berth_error_sys(err, errno, "mkdir \"%s\" in the rootfs", upto);
                }
                close(dfd);
                if (r < 0)
                        return r;
                done = end;
        }
        int fd = open_in_root(rootfd, rel);
        if (fd < 0)
                return berth_error_sys(err, -fd, "resolve \"%s\" in the rootfs", path);
        return fd;
}

int
resolve_in_root(int rootfd, const char *path, enum resolve_create create, berth_error_t **err)
{
        const char *p = path;
        int fd;

        while (*p == '/')
                p++;
        fd = open_in_root(rootfd, p);
        if (fd >= 0)
                return fd;
        if (fd != -ENOENT || create == RESOLVE_CREATE_NONE)
                return berth_error_sys(err, -fd, "resolve \"%s\" in the rootfs", path);
        return create_in_root(rootfd, path, p, create, err);
}
