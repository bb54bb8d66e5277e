/* runtime/linux/cgroup_join.c: see cgroup_join.h. */
#include <config.h>

#include "runtime/linux/cgroup_join.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* The kernel's struct clone_args up to `cgroup` (CLONE_ARGS_SIZE_VER2). */
struct join_clone_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                set_tid_size, cgroup;
};

const struct cgroup_hierarchy *
cgroup_hierarchy_of(const struct cgroup_host *host, const char *dir)
{
        const struct cgroup_hierarchy *best = NULL;
        size_t best_len = 0;

        for (size_t i = 0; i < host->n; i++) {
                size_t len = strlen(host->h[i].mountpoint);
                if (strncmp(dir, host->h[i].mountpoint, len) == 0 && (dir[len] == '/' || dir[len] == '\0') &&
                    len >= best_len) {
                        best = &host->h[i];
                        best_len = len;
                }
        }
        return best;
}

void
cgroup_join_plan(const struct cgroup_host *host, char *const *dirs, bool child_writes,
                 struct cgroup_join *ret)
{
        *ret = (struct cgroup_join){.v2_fd = -1};
        for (char *const *d = dirs; d && *d; d++) {
                const struct cgroup_hierarchy *h = cgroup_hierarchy_of(host, *d);
                if (h && h->v2 && !ret->v2_dir) {
                        ret->v2_dir = xstrdup(*d);
                } else if (h && !h->v2 && child_writes) {
                        cleanup_free char *tasks = xasprintf("%s/tasks", *d);
                        strv_push(&ret->child_tasks, tasks);
                } else {
                        strv_push(&ret->parent_dirs, *d);
                }
        }
}

/* v2_dir is the parent's to write after all. */
static void
v2_to_parent(struct cgroup_join *j)
{
        if (j->v2_fd >= 0)
                close(j->v2_fd);
        j->v2_fd = -1;
        if (j->v2_dir)
                strv_push(&j->parent_dirs, j->v2_dir);
        free(j->v2_dir);
        j->v2_dir = NULL;
}

void
cgroup_join_open(struct cgroup_join *j)
{
        if (!j->v2_dir || j->v2_fd >= 0)
                return;
        j->v2_fd = open(j->v2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (j->v2_fd < 0)
                v2_to_parent(j);
}

pid_t
cgroup_join_clone(struct cgroup_join *j, unsigned long flags)
{
        if (j->v2_fd >= 0) {
                struct join_clone_args ca = {
                        .flags = (uint64_t) flags | CLONE_INTO_CGROUP,
                        .exit_signal = SIGCHLD,
                        .cgroup = (uint64_t) j->v2_fd,
                };
                long pid = syscall(SYS_clone3, &ca, sizeof(ca));
                if (pid >= 0)
                        return (pid_t) pid;
                /* The plain clone below says what is wrong with FLAGS, if anything. */
                v2_to_parent(j);
        }
        return (pid_t) syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

int
cgroup_join_child(const struct cgroup_join *j, berth_error_t **err)
{
        strv_foreach(f, j->child_tasks)
        {
                int r = fs_write_file(AT_FDCWD, f, "0", 1, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

void
cgroup_join_done(struct cgroup_join *j)
{
        if (j->v2_fd >= 0)
                close(j->v2_fd);
        free(j->v2_dir);
        strv_free(j->child_tasks);
        strv_free(j->parent_dirs);
        *j = (struct cgroup_join){.v2_fd = -1};
}
