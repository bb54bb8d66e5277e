/* shim/oom.c: see oom.h. */
#include "shim/oom.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/loop.h"
#include "lib/xalloc.h"
#include "shim/cgroup_mounts.h"
#include "shim/events.h"
#include "shim/service.h"

uint64_t
shim_oom_parse_count(const char *text)
{
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, "oom_kill ", 9) == 0)
                        return strtoull(l + 9, NULL, 10);
        return 0;
}

/* The mount point of v1's memory hierarchy, or (V2) of the cgroup2 hierarchy. */
static char *
mount_for(const char *mountinfo, bool v2)
{
        size_t n = 0;
        struct shim_cgroup_mount *m = shim_cgroup_mounts(mountinfo, &n);
        char *found = NULL;

        for (size_t i = 0; i < n && !found; i++)
                if (v2 ? m[i].v2 : shim_cgroup_mount_has(&m[i], "memory"))
                        found = xstrdup(m[i].path);
        shim_cgroup_mounts_free(m, n);
        return found;
}

char *
shim_oom_cgroup_dir(const char *proc_cgroup, const char *mountinfo, int *ret_v2)
{
        const char *v1 = NULL, *v2 = NULL;
        size_t v1_len = 0, v2_len = 0;

        for (const char *l = proc_cgroup; l && *l;
             l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *end = strchr(l, '\n');
                size_t len = end ? (size_t) (end - l) : strlen(l);
                const char *c1 = memchr(l, ':', len);
                const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t) (c1 + 1 - l)) : NULL;
                if (!c2)
                        continue;
                size_t clen = (size_t) (c2 - c1 - 1);
                bool memory = false;
                for (const char *c = c1 + 1; c < c2;) {
                        const char *comma = memchr(c, ',', (size_t) (c2 - c));
                        const char *ce = comma ? comma : c2;
                        if ((size_t) (ce - c) == 6 && strncmp(c, "memory", 6) == 0)
                                memory = true;
                        c = comma ? comma + 1 : c2;
                }
                if (memory) {
                        v1 = c2 + 1;
                        v1_len = len - (size_t) (c2 + 1 - l);
                } else if (clen == 0 && strncmp(l, "0:", 2) == 0) {
                        v2 = c2 + 1;
                        v2_len = len - (size_t) (c2 + 1 - l);
                }
        }
        const char *path = v1 ? v1 : v2;
        size_t plen = v1 ? v1_len : v2_len;
        if (!path)
                return NULL;
        cleanup_free char *mnt = mount_for(mountinfo, !v1);
        if (!mnt)
                return NULL;
        *ret_v2 = !v1;
        return xasprintf("%s%.*s", mnt, (int) plen, path);
}

static void
oom_fired(int fd, uint32_t events, void *userdata)
{
        struct shim_container *ct = userdata;
        char buf[4096];

        (void) events;
        while (read(fd, buf, sizeof(buf)) < 0 && errno == EINTR)
                ;
        shim_oom_check(ct->oom_service, ct);
}

void
shim_oom_check(struct shim_service *s, struct shim_container *ct)
{
        cleanup_free char *text = NULL;

        if (!ct->memory_events)
                return;
        if (fs_read_file(AT_FDCWD, ct->memory_events, &text, NULL, NULL) < 0)
                return;
        uint64_t n = shim_oom_parse_count(text);
        if (n > ct->oom_kills) {
                ct->oom_kills = n;
                shim_event_oom(s->pub, ct->id);
        }
}

void
shim_oom_watch(struct shim_service *s, struct shim_container *ct)
{
        cleanup_free char *pc_path = xasprintf("/proc/%d/cgroup", (int) ct->init->pid);
        cleanup_free char *pc = NULL, *mi = NULL, *dir = NULL, *text = NULL;
        int v2 = 0;

        if (fs_read_file(AT_FDCWD, pc_path, &pc, NULL, NULL) < 0
            || fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, NULL) < 0)
                return;
        dir = shim_oom_cgroup_dir(pc, mi, &v2);
        if (!dir)
                return;
        ct->oom_service = s;
        ct->memory_events = xasprintf("%s/%s", dir, v2 ? "memory.events" : "memory.oom_control");
        if (fs_read_file(AT_FDCWD, ct->memory_events, &text, NULL, NULL) < 0) {
                free(ct->memory_events);
                ct->memory_events = NULL;
                return;
        }
        ct->oom_kills = shim_oom_parse_count(text);
        if (v2) {
                ct->oom_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
                if (ct->oom_fd >= 0
                    && inotify_add_watch(ct->oom_fd, ct->memory_events, IN_MODIFY) < 0) {
                        close(ct->oom_fd);
                        ct->oom_fd = -1;
                }
        } else {
                cleanup_free char *ctl = xasprintf("%s/cgroup.event_control", dir);
                int ofd = open(ct->memory_events, O_RDONLY | O_CLOEXEC);
                ct->oom_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                if (ofd >= 0 && ct->oom_fd >= 0) {
                        char line[64];
                        int n = snprintf(line, sizeof(line), "%d %d", ct->oom_fd, ofd);
                        if (fs_write_file(AT_FDCWD, ctl, line, (size_t) n, NULL) < 0) {
                                close(ct->oom_fd);
                                ct->oom_fd = -1;
                        }
                }
                if (ofd >= 0)
                        close(ofd);
        }
        if (ct->oom_fd >= 0 && loop_add_fd(s->loop, ct->oom_fd, EPOLLIN, oom_fired, ct, NULL) < 0) {
                close(ct->oom_fd);
                ct->oom_fd = -1;
        }
}

void
shim_oom_unwatch(struct loop *l, struct shim_container *ct)
{
        if (ct->oom_fd >= 0) {
                loop_remove_fd(l, ct->oom_fd);
                close(ct->oom_fd);
                ct->oom_fd = -1;
        }
        free(ct->memory_events);
        ct->memory_events = NULL;
}
