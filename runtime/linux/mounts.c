/* runtime/linux/mounts.c: bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup and other mounts,
 * every destination resolved inside the rootfs and mounted through its fd. */
#include <config.h>

#include "runtime/linux/mounts.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/idmap.h"
#include "runtime/linux/resolve.h"

#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

unsigned long
mounts_locked_flags(const char *path)
{
        struct statvfs st;
        unsigned long f = 0;

        if (statvfs(path, &st) < 0)
                return 0;
        if (st.f_flag & ST_NOSUID)
                f |= MS_NOSUID;
        if (st.f_flag & ST_NODEV)
                f |= MS_NODEV;
        if (st.f_flag & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (st.f_flag & ST_NOATIME)
                f |= MS_NOATIME;
        if (st.f_flag & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (st.f_flag & ST_RELATIME)
                f |= MS_RELATIME;
        return f;
}

int
mounts_remount(const char *path, unsigned long flags, berth_error_t **err)
{
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | flags, NULL) == 0)
                return 0;
        /* In a user namespace the kernel refuses to clear flags the mount was locked with:
         * retry keeping them (runc: remount with the flags of statfs). */
        if (errno == EPERM
            && mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | flags | mounts_locked_flags(path), NULL) == 0)
                return 0;
        return berth_error_sys(err, errno, "remount");
}

static int
resolve_target(const struct mount_ctx *mc, const struct spec_mount *m, enum resolve_create kind,
               berth_error_t **err)
{
        return resolve_in_root(mc->rootfd, m->destination, kind, err);
}

/* After mounting, the old fd names the covered directory: resolve again to reach the new mount. */
static int
reopen_target(const struct mount_ctx *mc, const struct spec_mount *m, char buf[static 32],
              int *fd, berth_error_t **err)
{
        int nfd = resolve_in_root(mc->rootfd, m->destination, RESOLVE_CREATE_NONE, err);
        if (nfd < 0)
                return nfd;
        if (*fd >= 0)
                close(*fd);
        *fd = nfd;
        resolve_fd_path(nfd, buf);
        return 0;
}

static int
apply_after(const struct mount_ctx *mc, const struct spec_mount *m, int *fd, char target[static 32],
            bool bind, berth_error_t **err)
{
        unsigned long rflags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT | MS_PROPAGATION);
        int r;

        r = reopen_target(mc, m, target, fd, err);
        if (r < 0)
                return r;
        if (bind && rflags) {
                r = mounts_remount(target, rflags, err);
                if (r < 0)
                        return r;
        }
        if (m->propagation && mount(NULL, target, NULL, m->propagation, NULL) < 0)
                return berth_error_sys(err, errno, "set propagation");
        if (m->rec_set || m->rec_clear) {
                struct mount_attr attr = {.attr_set = m->rec_set, .attr_clr = m->rec_clear};
                if (mount_setattr(*fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                        return berth_error_sys(err, errno, "set recursive mount attributes");
        }
        return 0;
}

static int
mount_bind(const struct mount_ctx *mc, const struct spec_mount *m, int tree, berth_error_t **err)
{
        cleanup_free char *src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", mc->bundle, m->source);
        cleanup_close int fd = -1;
        char target[32];
        struct stat st;

        if (stat(src, &st) < 0)
                return berth_error_sys(err, errno, "bind source \"%s\"", src);
        fd = resolve_target(mc, m, S_ISDIR(st.st_mode) ? RESOLVE_CREATE_DIR : RESOLVE_CREATE_FILE, err);
        if (fd < 0)
                return fd;
        resolve_fd_path(fd, target);
        if (tree >= 0) {
                int r = idmap_attach(tree, fd, err);
                if (r < 0)
                        return r;
        } else if (mount(src, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0) {
                return berth_error_sys(err, errno, "bind \"%s\"", src);
        }
        return apply_after(mc, m, &fd, target, true, err);
}

static int
mount_fs(const struct mount_ctx *mc, const struct spec_mount *m, const char *type,
         berth_error_t **err)
{
        cleanup_close int fd = resolve_target(mc, m, RESOLVE_CREATE_DIR, err);
        unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT | MS_PROPAGATION);
        char target[32];

        if (fd < 0)
                return fd;
        resolve_fd_path(fd, target);
        if (mount(m->source[0] ? m->source : type, target, type, flags, m->data) < 0) {
                int e = errno;
                /* Without a network namespace of its own (or in a user namespace) the kernel
                 * refuses a new sysfs: bind the host's, read-only as asked (runc does). */
                if (strcmp(type, "sysfs") == 0 && (e == EPERM || e == EBUSY)) {
                        if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
                                return berth_error_sys(err, errno, "bind /sys");
                        struct spec_mount copy = *m;
                        copy.flags |= MS_BIND;
                        return apply_after(mc, &copy, &fd, target, true, err);
                }
                return berth_error_sys(err, e, "mount %s", type);
        }
        return apply_after(mc, m, &fd, target, false, err);
}

/* "cgroup": cgroup2 itself with a cgroup namespace on a unified host; otherwise a tmpfs holding a
 * bind of the container's own directory of every hierarchy, named as on the host (runc). */
static int
mount_cgroup(const struct mount_ctx *mc, const struct spec_mount *m, berth_error_t **err)
{
        cleanup_close int fd = resolve_target(mc, m, RESOLVE_CREATE_DIR, err);
        unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT | MS_PROPAGATION);
        size_t ndirs = strv_length(mc->cgroup_dirs);
        char target[32];
        int r;

        if (fd < 0)
                return fd;
        resolve_fd_path(fd, target);
        if (ndirs == 1 && strncmp(mc->cgroup_dirs[0], "/sys/fs/cgroup/", 15) == 0
            && access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
                if (mc->new_cgroupns) {
                        if (mount("cgroup2", target, "cgroup2", flags, NULL) < 0)
                                return berth_error_sys(err, errno, "mount cgroup2");
                        return 0;
                }
                if (mount(mc->cgroup_dirs[0], target, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return berth_error_sys(err, errno, "bind the container's cgroup");
                struct spec_mount copy = *m;
                return apply_after(mc, &copy, &fd, target, true, err);
        }
        if (mount("tmpfs", target, "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
                return berth_error_sys(err, errno, "mount tmpfs for cgroups");
        r = reopen_target(mc, m, target, &fd, err);
        if (r < 0)
                return r;
        strv_foreach(dir, mc->cgroup_dirs)
        {
                /* dir is <mountpoint>/<cgroup path>; the mountpoint's last component names it. */
                const char *rest = dir + strlen("/sys/fs/cgroup/");
                const char *slash = strchr(rest, '/');
                cleanup_free char *name = slash ? xstrndup(rest, (size_t) (slash - rest)) : xstrdup(rest);
                cleanup_free char *sub = xasprintf("%s/%s", m->destination, name);
                cleanup_close int sfd = -1;
                char st[32];

                if (strncmp(dir, "/sys/fs/cgroup/", 15) != 0)
                        continue;
                sfd = resolve_in_root(mc->rootfd, sub, RESOLVE_CREATE_DIR, err);
                if (sfd < 0)
                        return sfd;
                resolve_fd_path(sfd, st);
                if (mount(dir, st, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return berth_error_sys(err, errno, "bind cgroup \"%s\"", dir);
                close(sfd);
                sfd = resolve_in_root(mc->rootfd, sub, RESOLVE_CREATE_NONE, err);
                if (sfd < 0)
                        return sfd;
                resolve_fd_path(sfd, st);
                r = mounts_remount(st, flags, err);
                if (r < 0)
                        return berth_error_prefix(err, "cgroup \"%s\"", name);
                /* Co-mounted controllers ("cpu,cpuacct") also get a link per controller. */
                if (strchr(name, ',')) {
                        cleanup_free char *copy = xstrdup(name);
                        char *save = NULL;
                        char tp[32];
                        resolve_fd_path(fd, tp);
                        cleanup_close int dfd = open(tp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        for (char *t = strtok_r(copy, ",", &save); t && dfd >= 0; t = strtok_r(NULL, ",", &save))
                                (void) symlinkat(name, dfd, t);
                }
        }
        if (flags & MS_RDONLY) {
                r = mounts_remount(target, flags, err);
                if (r < 0)
                        return berth_error_prefix(err, "cgroup tmpfs");
        }
        return 0;
}

/* What may be mounted where /proc is concerned (CVE-2019-16884, CVE-2023-27561): procfs and sysfs
 * only on a real directory, never through a symlink a malicious image planted; nothing inside
 * /proc but the few files lxcfs-style tools replace (runc's checkProcMount). */
static int
check_proc_mount(const struct mount_ctx *mc, const struct spec_mount *m, berth_error_t **err)
{
        static const char *const allowed_in_proc[] = {
                "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
                "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
                "/proc/sys/kernel/ns_last_pid", NULL,
        };
        const char *d = m->destination;
        bool special = strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0;

        if (strncmp(d, "/proc/", 6) == 0 && d[6]) {
                for (size_t i = 0; allowed_in_proc[i]; i++) {
                        if (strcmp(d, allowed_in_proc[i]) == 0)
                                return 0;
                }
                return berth_error_new(err, EPERM, "cannot be mounted because it is inside /proc");
        }
        if (special) {
                int fd = resolve_in_root_nofollow(mc->rootfd, d);
                if (fd == -ELOOP)
                        return berth_error_new(err, ELOOP, "the destination of a %s mount must not be a symlink", m->type);
                if (fd >= 0) {
                        struct stat st;
                        int r = fstat(fd, &st);
                        close(fd);
                        if (r == 0 && !S_ISDIR(st.st_mode))
                                return berth_error_new(err, ENOTDIR, "the destination of a %s mount must be a directory", m->type);
                }
        }
        return 0;
}

int
mounts_apply(const struct mount_ctx *mc, const struct spec *spec, berth_error_t **err)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct spec_mount *m = &spec->mounts[i];
                int r;

                r = check_proc_mount(mc, m, err);
                if (r < 0)
                        return berth_error_prefix(err, "mounts[%zu] \"%s\"", i, m->destination);
                if (m->flags & MS_BIND)
                        r = mount_bind(mc, m, mc->idmapped_fds ? mc->idmapped_fds[i] : -1, err);
                else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
                        r = mount_cgroup(mc, m, err);
                else
                        r = mount_fs(mc, m, m->type, err);
                if (r < 0)
                        return berth_error_prefix(err, "mounts[%zu] \"%s\"", i, m->destination);
        }
        return 0;
}
