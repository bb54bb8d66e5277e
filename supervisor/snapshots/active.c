/* supervisor/snapshots/active.c: containers' read-write snapshots (containerd calls them active
 * snapshots): prepared over a committed chain, mounted for the bundle, removed with the
 * container. They live in snapshots/active/, which the chain collector skips and whose parents
 * it keeps. */
#include <config.h>

#include "supervisor/snapshots/active.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/snapshots/snapshotter.h"

#define TMP_PREFIX ".tmp-"

static char *
active_dir(struct snapshotter *s)
{
        return xasprintf("%s/" SNAPSHOT_ACTIVE_DIR, snapshotter_root(s));
}

static char *
key_dir(struct snapshotter *s, const char *key)
{
        return xasprintf("%s/" SNAPSHOT_ACTIVE_DIR "/%s", snapshotter_root(s), key);
}

static const char *
hex_of(const char *digest)
{
        const char *c = strchr(digest, ':');
        return c ? c + 1 : digest;
}

static char *
read_small(const char *path)
{
        cleanup_error berth_error_t *err = NULL; /* absent: the caller treats NULL as none */
        char *buf = NULL;
        size_t len = 0;

        if (fs_read_file(AT_FDCWD, path, &buf, &len, &err) < 0)
                return NULL;
        return buf;
}

/* Layer directories of CHAIN, top first. */
static char **
chain_dirs(struct snapshotter *s, const char *chain)
{
        char **dirs = NULL;
        cleanup_free char *cur = chain ? xstrdup(chain) : NULL;
        int guard = 0;

        while (cur && guard++ < 1000) {
                cleanup_free char *d = snapshotter_path(s, cur);
                cleanup_free char *pf = xasprintf("%s/%s/parent", snapshotter_root(s), hex_of(cur));
                strv_push(&dirs, d);
                free(cur);
                cur = read_small(pf);
        }
        return dirs;
}

static int
copy_tree(const char *from, const char *to, berth_error_t **err)
{
        cleanup_free char *src = xasprintf("%s/.", from);
        int status = 0;
        pid_t parent = getpid();
        pid_t pid = fork();

        if (pid < 0)
                return berth_error_sys(err, errno, "snapshots: fork");
        if (pid == 0) {
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(127);
                execl("/bin/cp", "cp", "-a", "--reflink=auto", src, to, (char *) NULL);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berth_error_new(err, EIO, "snapshots: copy \"%s\" to \"%s\" failed", from,
                                       to);
        return 0;
}

static int
fill(struct snapshotter *s, const char *tmp, const char *parent_chain, berth_error_t **err)
{
        static const char *const overlay_dirs[] = {"upper", "work", "lower", NULL};
        int r;

        if (snapshotter_is_overlay(s)) {
                for (size_t i = 0; overlay_dirs[i]; i++) {
                        cleanup_free char *d = xasprintf("%s/%s", tmp, overlay_dirs[i]);
                        if (mkdir(d, 0755) < 0)
                                return berth_error_sys(err, errno, "snapshots: mkdir \"%s\"", d);
                }
        } else {
                cleanup_free char *fs = xasprintf("%s/fs", tmp);
                if (mkdir(fs, 0755) < 0)
                        return berth_error_sys(err, errno, "snapshots: mkdir \"%s\"", fs);
                if (parent_chain) {
                        cleanup_free char *pfs = snapshotter_path(s, parent_chain);
                        r = copy_tree(pfs, fs, err);
                        if (r < 0)
                                return r;
                }
        }
        if (parent_chain) {
                cleanup_free char *p = xasprintf("%s/parent", tmp);
                return fs_write_atomic(AT_FDCWD, p, parent_chain, strlen(parent_chain), 0600, err);
        }
        return 0;
}

int
snapshotter_active_prepare(struct snapshotter *s, const char *key, const char *parent_chain,
                           berth_error_t **err)
{
        cleanup_free char *dir = active_dir(s);
        cleanup_free char *final = key_dir(s, key);
        cleanup_free char *tmp = NULL;
        cleanup_error berth_error_t *rm_err = NULL; /* best effort after a failure */
        int r;

        if (parent_chain && !snapshotter_exists(s, parent_chain))
                return berth_error_new(err, ENOENT, "snapshots: parent %s missing", parent_chain);
        r = fs_mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        if (access(final, F_OK) == 0)
                return berth_error_new(err, EEXIST, "snapshots: active snapshot %s exists", key);
        tmp = xasprintf("%s/" TMP_PREFIX "%s.XXXXXX", dir, key);
        if (mkdtemp(tmp) == NULL)
                return berth_error_sys(err, errno, "snapshots: mkdtemp in \"%s\"", dir);
        chmod(tmp, 0700);
        r = fill(s, tmp, parent_chain, err);
        if (r == 0 && rename(tmp, final) == 0)
                return 0;
        if (r == 0)
                r = berth_error_sys(err, errno, "snapshots: rename to \"%s\"", final);
        fs_remove_tree(AT_FDCWD, tmp, &rm_err);
        return r;
}

int
snapshotter_active_remove(struct snapshotter *s, const char *key, berth_error_t **err)
{
        cleanup_free char *dir = active_dir(s);
        cleanup_free char *doomed = xasprintf(TMP_PREFIX "rm-%s", key);
        cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dfd < 0)
                return errno == ENOENT ? 0
                                       : berth_error_sys(err, errno, "snapshots: open \"%s\"", dir);
        /* Out of sight first, as the chain collector does: a crash mid-removal leaves a
         * temporary directory (dropped by the next cleanup), never half a snapshot. */
        if (renameat(dfd, key, dfd, doomed) < 0) {
                if (errno == ENOENT)
                        return 0;
                return berth_error_sys(err, errno, "snapshots: remove active \"%s\"", key);
        }
        return fs_remove_tree(dfd, doomed, err);
}

int
snapshotter_active_exists(struct snapshotter *s, const char *key)
{
        cleanup_free char *d = key_dir(s, key);
        return access(d, F_OK) == 0;
}

int
snapshotter_active_parents(struct snapshotter *s, char ***ret, berth_error_t **err)
{
        cleanup_free char *dir = active_dir(s);
        cleanup_dir DIR *d = opendir(dir);
        struct dirent *de;

        if (d == NULL) {
                if (errno == ENOENT)
                        return 0;
                return berth_error_sys(err, errno, "snapshots: open \"%s\"", dir);
        }
        while ((de = readdir(d)) != NULL) {
                cleanup_free char *pf = NULL, *p = NULL;
                if (de->d_name[0] == '.')
                        continue;
                pf = xasprintf("%s/%s/parent", dir, de->d_name);
                p = read_small(pf);
                if (p)
                        strv_push(ret, p);
        }
        return 0;
}

int
snapshotter_active_mount_args(struct snapshotter *s, const char *key, char **ret_type,
                              char **ret_source, char **ret_options, berth_error_t **err)
{
        cleanup_free char *kd = key_dir(s, key);
        cleanup_free char *pf = xasprintf("%s/parent", kd);
        cleanup_free char *parent = NULL;
        cleanup_strv char **lowers = NULL;
        cleanup_free char *lowerdir = NULL;

        if (access(kd, F_OK) < 0)
                return berth_error_sys(err, errno, "snapshots: active snapshot %s", key);
        if (!snapshotter_is_overlay(s)) {
                *ret_type = xstrdup("none");
                *ret_source = xasprintf("%s/fs", kd);
                *ret_options = xstrdup("rbind");
                return 0;
        }
        parent = read_small(pf);
        lowers = chain_dirs(s, parent);
        /* overlayfs wants a lowerdir even over an image without layers: an empty one. */
        if (lowers == NULL) {
                cleanup_free char *empty = xasprintf("%s/lower", kd);
                strv_push(&lowers, empty);
        }
        lowerdir = strv_join(lowers, ":");
        *ret_type = xstrdup("overlay");
        *ret_source = xstrdup("overlay");
        /* index=off: the layers are shared by other containers' mounts (as containerd). */
        *ret_options = xasprintf("index=off,lowerdir=%s,upperdir=%s/upper,workdir=%s/work",
                                 lowerdir, kd, kd);
        return 0;
}

static int
active_mount(struct snapshotter *s, const char *key, const char *target, bool volatile_,
             berth_error_t **err)
{
        cleanup_free char *type = NULL, *source = NULL, *options = NULL;
        int r;

        r = snapshotter_active_mount_args(s, key, &type, &source, &options, err);
        if (r < 0)
                return r;
        if (strcmp(type, "none") == 0) {
                if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return berth_error_sys(err, errno, "snapshots: bind \"%s\" on \"%s\"",
                                               source, target);
                return 0;
        }
        if (volatile_) {
                cleanup_free char *v = xasprintf("volatile,%s", options);
                cleanup_free char *kd = key_dir(s, key);
                cleanup_free char *incompat = xasprintf("%s/work/incompat", kd);
                cleanup_error berth_error_t *e = NULL;
                /* overlayfs refuses a workdir a volatile mount did not leave cleanly. */
                if (access(incompat, F_OK) == 0)
                        (void) fs_remove_tree(AT_FDCWD, incompat, &e);
                if (mount(source, target, type, 0, v) == 0)
                        return 0;
                if (errno != EINVAL)
                        return berth_error_sys(err, errno, "snapshots: mount overlay on \"%s\"",
                                               target);
        }
        if (mount(source, target, type, 0, options) < 0)
                return berth_error_sys(err, errno, "snapshots: mount overlay on \"%s\"", target);
        return 0;
}

int
snapshotter_active_mount(struct snapshotter *s, const char *key, const char *target,
                         berth_error_t **err)
{
        return active_mount(s, key, target, false, err);
}

int
snapshotter_active_mount_volatile(struct snapshotter *s, const char *key, const char *target,
                                  berth_error_t **err)
{
        return active_mount(s, key, target, true, err);
}

int
snapshotter_active_unmount(const char *target, berth_error_t **err)
{
        if (umount2(target, 0) == 0 || errno == EINVAL || errno == ENOENT)
                return 0;
        /* Busy (a process still has a file open there): detach, as containerd's mount.Unmount
         * falls back to. */
        if (umount2(target, MNT_DETACH) < 0)
                return berth_error_sys(err, errno, "snapshots: unmount \"%s\"", target);
        return 0;
}

static int
read_in(const char *dir, const char *path, char **ret, size_t *ret_len, berth_error_t **err)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, path[0] == '/' ? path + 1 : path);
        struct stat st;

        if (lstat(p, &st) < 0)
                return -ENOENT;
        /* An overlay whiteout (0/0 character device) hides the file below. */
        if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0)
                return berth_error_new(err, ENOENT, "%s: whited out", path);
        return fs_read_file(AT_FDCWD, p, ret, ret_len, err);
}

int
snapshotter_active_read_file(struct snapshotter *s, const char *key, const char *path, char **ret,
                             size_t *ret_len, berth_error_t **err)
{
        cleanup_free char *kd = key_dir(s, key);
        cleanup_free char *parent = NULL;
        cleanup_strv char **lowers = NULL;
        cleanup_free char *upper = snapshotter_active_upper(s, key);
        int r;

        r = read_in(upper, path, ret, ret_len, err);
        if (r != -ENOENT || *err != NULL || !snapshotter_is_overlay(s))
                return r == -ENOENT && *err == NULL
                               ? berth_error_new(err, ENOENT, "%s: not found", path)
                               : r;
        {
                cleanup_free char *pf = xasprintf("%s/parent", kd);
                parent = read_small(pf);
        }
        lowers = chain_dirs(s, parent);
        strv_foreach(l, lowers) {
                r = read_in(l, path, ret, ret_len, err);
                if (r != -ENOENT || *err != NULL)
                        return r;
        }
        return berth_error_new(err, ENOENT, "%s: not found", path);
}

/* nftw(3) passes no user data to its callback: the running sum is per thread, so concurrent
 * API threads each have their own. */
static __thread int64_t size_sum;

static int
add_size(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) p;
        (void) ftw;
        if (flag == FTW_F && S_ISREG(st->st_mode))
                size_sum += st->st_size;
        return 0;
}

int64_t
snapshotter_active_size(struct snapshotter *s, const char *key)
{
        cleanup_free char *upper = snapshotter_active_upper(s, key);

        size_sum = 0;
        nftw(upper, add_size, 16, FTW_PHYS);
        return size_sum;
}

char *
snapshotter_active_upper(struct snapshotter *s, const char *key)
{
        return xasprintf("%s/" SNAPSHOT_ACTIVE_DIR "/%s/%s", snapshotter_root(s), key,
                         snapshotter_is_overlay(s) ? "upper" : "fs");
}
