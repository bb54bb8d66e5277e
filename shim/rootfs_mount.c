/* shim/rootfs_mount.c: containerd's rootfs mounts; see rootfs_mount.h. */
#include <config.h>

#include "shim/rootfs_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

void
shim_mount_plan_done(struct shim_mount_plan *p)
{
        free(p->data);
        *p = (struct shim_mount_plan){0};
}

/* mount(8)'s flag words: CLEAR means the word turns the flag off. */
static const struct {
        const char *word;
        bool clear;
        unsigned long flag;
} flag_words[] = {
        {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},       {"bind", false, MS_BIND},
        {"defaults", false, 0},            {"dev", true, MS_NODEV},           {"diratime", true, MS_NODIRATIME},
        {"dirsync", false, MS_DIRSYNC},    {"exec", true, MS_NOEXEC},         {"mand", false, MS_MANDLOCK},
        {"noatime", false, MS_NOATIME},    {"nodev", false, MS_NODEV},        {"nodiratime", false, MS_NODIRATIME},
        {"noexec", false, MS_NOEXEC},      {"nomand", true, MS_MANDLOCK},     {"norelatime", true, MS_RELATIME},
        {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID}, {"rbind", false, MS_BIND | MS_REC},
        {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},    {"ro", false, MS_RDONLY},
        {"rw", true, MS_RDONLY},           {"strictatime", false, MS_STRICTATIME}, {"suid", true, MS_NOSUID},
        {"sync", false, MS_SYNCHRONOUS},
};

static const struct {
        const char *word;
        unsigned long flag;
} propagation_words[] = {
        {"private", MS_PRIVATE},   {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
        {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE}, {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

int
shim_mount_plan_build(const struct shim_mount *m, struct shim_mount_plan *ret, berth_error_t **err)
{
        struct shim_mount_plan p = {0};
        cleanup_strv char **data = NULL;

        if (!m->type || !*m->type)
                return berth_error_new(err, EINVAL, "mount of \"%s\": no type", m->source ? m->source : "");
        strv_foreach(o, m->options)
        {
                bool known = false;
                for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]) && !known; i++) {
                        if (strcmp(o, flag_words[i].word) == 0) {
                                if (flag_words[i].clear)
                                        p.flags &= ~flag_words[i].flag;
                                else
                                        p.flags |= flag_words[i].flag;
                                known = true;
                        }
                }
                for (size_t i = 0; i < sizeof(propagation_words) / sizeof(propagation_words[0]) && !known; i++) {
                        if (strcmp(o, propagation_words[i].word) == 0) {
                                p.propagation = propagation_words[i].flag;
                                known = true;
                        }
                }
                if (!known && strcmp(o, "loop") == 0) {
                        p.loop = true;
                        known = true;
                }
                if (!known)
                        strv_push(&data, o);
        }
        if (strcmp(m->type, "bind") == 0)
                p.flags |= MS_BIND;
        if ((p.flags & MS_BIND) && (p.flags & MS_RDONLY) && !(p.flags & MS_REMOUNT)) {
                p.remount_ro = true;
                p.flags &= ~MS_RDONLY;
        }
        if (data) {
                p.data = strv_join(data, ",");
                if (strlen(p.data) >= (size_t) sysconf(_SC_PAGESIZE)) {
                        int r = berth_error_new(err, EINVAL, "mount of \"%s\": options are longer than a page (%zu bytes)",
                                                m->source ? m->source : "", strlen(p.data));
                        shim_mount_plan_done(&p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

/* Attach FILE to a free loop device (read-only when RO); returns the device path. */
static int
loop_attach(const char *file, bool ro, char **ret, berth_error_t **err)
{
        cleanup_close int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        cleanup_close int backing = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        int n;

        if (ctl < 0)
                return berth_error_sys(err, errno, "open /dev/loop-control");
        if (backing < 0)
                return berth_error_sys(err, errno, "open \"%s\"", file);
        n = ioctl(ctl, LOOP_CTL_GET_FREE);
        if (n < 0)
                return berth_error_sys(err, errno, "find a free loop device");
        cleanup_free char *dev = xasprintf("/dev/loop%d", n);
        cleanup_close int fd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (fd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", dev);
        struct loop_config cfg = {.fd = (unsigned) backing};
        cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
        if (ioctl(fd, LOOP_CONFIGURE, &cfg) < 0)
                return berth_error_sys(err, errno, "attach \"%s\" to \"%s\"", file, dev);
        *ret = TAKE_PTR(dev);
        return 0;
}

static int
mount_planned(const struct shim_mount *m, const struct shim_mount_plan *p, const char *target,
              berth_error_t **err)
{
        cleanup_free char *loopdev = NULL;
        const char *source = m->source && *m->source ? m->source : "none";
        int r;

        if (p->loop) {
                r = loop_attach(source, (p->flags & MS_RDONLY) || p->remount_ro, &loopdev, err);
                if (r < 0)
                        return r;
                source = loopdev;
        }
        if (mount(source, target, m->type, p->flags, p->data) < 0)
                return berth_error_sys(err, errno, "mount \"%s\" (%s) on \"%s\"", source, m->type, target);
        if (p->remount_ro &&
            mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | (p->flags & ~(MS_REC | MS_BIND)), NULL) < 0) {
                r = berth_error_sys(err, errno, "remount \"%s\" read-only", target);
                (void) umount2(target, MNT_DETACH);
                return r;
        }
        if (p->propagation && mount(NULL, target, NULL, p->propagation, NULL) < 0) {
                r = berth_error_sys(err, errno, "set propagation of \"%s\"", target);
                (void) umount2(target, MNT_DETACH);
                return r;
        }
        return 0;
}

static int
mount_one(const struct shim_mount *m, const char *target, berth_error_t **err)
{
        struct shim_mount_plan p;
        int r = shim_mount_plan_build(m, &p, err);

        if (r < 0)
                return r;
        r = mount_planned(m, &p, target, err);
        shim_mount_plan_done(&p);
        return r;
}

int
shim_rootfs_mount(const struct shim_mount *m, size_t n, const char *target, berth_error_t **err)
{
        for (size_t i = 0; i < n; i++) {
                int r = mount_one(&m[i], target, err);
                if (r < 0) {
                        /* Leave nothing behind: every mount made so far is stacked on TARGET. */
                        for (size_t k = 0; k < i; k++)
                                (void) umount2(target, MNT_DETACH);
                        return berth_error_prefix(err, "rootfs[%zu]", i);
                }
        }
        return 0;
}

/* The mount points at and below TARGET from /proc/self/mountinfo, deepest (latest) first. */
static char **
mounts_below(const char *target)
{
        cleanup_free char *text = NULL;
        cleanup_error berth_error_t *ignored = NULL;
        char **found = NULL;
        size_t tlen = strlen(target);

        /* Without mountinfo there is nothing we could unmount by name. */
        if (fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &text, NULL, &ignored) < 0)
                return NULL;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                /* mountinfo escapes space, tab, newline and backslash as \ooo */
                char *w = mp;
                for (char *c = mp; *c; c++) {
                        if (c[0] == '\\' && c[1] >= '0' && c[1] <= '7' && c[2] >= '0' && c[2] <= '7' && c[3] >= '0' && c[3] <= '7') {
                                *w++ = (char) ((c[1] - '0') * 64 + (c[2] - '0') * 8 + (c[3] - '0'));
                                c += 3;
                        } else {
                                *w++ = *c;
                        }
                }
                *w = '\0';
                if (strncmp(mp, target, tlen) == 0 && (mp[tlen] == '\0' || mp[tlen] == '/'))
                        strv_push(&found, mp);
        }
        /* reverse: later mounts sit on top of earlier ones */
        size_t n = strv_length(found);
        for (size_t i = 0; i < n / 2; i++) {
                char *t = found[i];
                found[i] = found[n - 1 - i];
                found[n - 1 - i] = t;
        }
        return found;
}

int
shim_rootfs_unmount(const char *target, berth_error_t **err)
{
        for (int round = 0; round < 8; round++) {
                cleanup_strv char **mps = mounts_below(target);
                if (!mps)
                        return 0;
                strv_foreach(mp, mps)
                {
                        if (umount2(mp, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                                return berth_error_sys(err, errno, "unmount \"%s\"", mp);
                }
        }
        return berth_error_new(err, EBUSY, "\"%s\" is still mounted", target);
}

int
shim_rootfs_unmount_deferred(const char *target, berth_error_t **err)
{
        int fd = open(target, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r = shim_rootfs_unmount(target, err);

        if (fd < 0)
                return r;
        /* The descriptor table is shared: the child's close is the last reference to the file,
         * and with it to the detached mount; the kernel releases it as the child returns. */
        pid_t pid = (pid_t) syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid == 0) {
                close(fd);
                _exit(0);
        }
        if (pid < 0)
                close(fd);
        return r;
}
