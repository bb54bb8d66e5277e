/* supervisor/volumes/copyup.c: copy an image's content into a new volume (moby
 * volume/mounts: copyExistingContents). The source is read inside a chroot of the container's
 * rootfs, so no symlink in the image can point the copy at the host; the destination is an fd
 * opened before the chroot. */
#include <config.h>

#include "supervisor/volumes/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"

bool
volume_dir_is_empty(const char *dir)
{
        cleanup_dir DIR *d = opendir(dir);
        struct dirent *de;

        if (d == NULL)
                return true;
        while ((de = readdir(d)) != NULL)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        return false;
        return true;
}

static int
copy_file(int sfd, int dfd, const char *name, const struct stat *st)
{
        int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out;
        char buf[65536];
        ssize_t n;

        if (in < 0)
                return -1;
        out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     st->st_mode & 07777);
        if (out < 0) {
                close(in);
                return -1;
        }
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (fs_write_all(out, buf, (size_t) n) < 0) {
                        n = -1;
                        break;
                }
        if (n == 0
            && (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0))
                n = -1;
        close(in);
        if (n == 0) {
                struct timespec ts[2] = {st->st_atim, st->st_mtim};
                (void) futimens(out, ts);
        }
        close(out);
        return n < 0 ? -1 : 0;
}

/* Copy the entries of directory SFD into directory DFD (both ours; closed here). */
static int
copy_dir(int sfd, int dfd)
{
        DIR *d = fdopendir(sfd);
        struct dirent *de;
        int r = 0;

        if (d == NULL) {
                close(sfd);
                close(dfd);
                return -1;
        }
        while (r == 0 && (de = readdir(d)) != NULL) {
                const char *n = de->d_name;
                struct stat st;
                if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
                        continue;
                if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -1;
                        break;
                }
                if (S_ISDIR(st.st_mode)) {
                        int s2, d2;
                        if (mkdirat(dfd, n, 0700) < 0 && errno != EEXIST) {
                                r = -1;
                                break;
                        }
                        s2 = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        d2 = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s2 < 0 || d2 < 0) {
                                if (s2 >= 0)
                                        close(s2);
                                if (d2 >= 0)
                                        close(d2);
                                r = -1;
                                break;
                        }
                        if (fchown(d2, st.st_uid, st.st_gid) < 0
                            || fchmod(d2, st.st_mode & 07777) < 0) {
                                close(s2);
                                close(d2);
                                r = -1;
                                break;
                        }
                        {
                                struct timespec ts[2] = {st.st_atim, st.st_mtim};
                                int keep = dup(d2);
                                r = copy_dir(s2, d2);
                                if (keep >= 0) {
                                        (void) futimens(keep, ts);
                                        close(keep);
                                }
                        }
                } else if (S_ISREG(st.st_mode)) {
                        r = copy_file(dirfd(d), dfd, n, &st);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t len = readlinkat(dirfd(d), n, target, sizeof(target) - 1);
                        if (len < 0) {
                                r = -1;
                                break;
                        }
                        target[len] = '\0';
                        if (symlinkat(target, dfd, n) < 0
                            || fchownat(dfd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                                r = -1;
                } else {
                        /* FIFOs, sockets, device nodes: made again (dockerd copies them so). */
                        if (mknodat(dfd, n, st.st_mode, st.st_rdev) < 0
                            || fchownat(dfd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                                r = -1;
                }
        }
        closedir(d);
        close(dfd);
        return r;
}

int
volume_copy_up(const char *rootfs, const char *path, const char *dest, berth_error_t **err)
{
        int dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        pid_t parent = getpid(), pid;
        int status = 0;

        if (dfd < 0)
                return berth_error_sys(err, errno, "copy-up: open \"%s\"", dest);
        pid = fork();
        if (pid < 0) {
                close(dfd);
                return berth_error_sys(err, errno, "copy-up: fork");
        }
        if (pid == 0) {
                struct stat st;
                int sfd;
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(127);
                if (chroot(rootfs) < 0 || chdir("/") < 0)
                        _exit(2);
                sfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sfd < 0)
                        _exit(errno == ENOENT || errno == ENOTDIR ? 0 : 3);
                if (fstat(sfd, &st) < 0 || fchown(dfd, st.st_uid, st.st_gid) < 0
                    || fchmod(dfd, st.st_mode & 07777) < 0)
                        _exit(4);
                _exit(copy_dir(sfd, dfd) < 0 ? 5 : 0);
        }
        close(dfd);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berth_error_new(err, EIO, "copy-up of \"%s\" into \"%s\" failed (status %d)",
                                       path, dest, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
}
