/* runtime/linux/idmap.c: open_tree + mount_setattr(MOUNT_ATTR_IDMAP). */
#include <config.h>

#include "runtime/linux/idmap.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/xalloc.h"

int
idmap_write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n, berth_error_t **err)
{
        cleanup_free char *path = xasprintf("/proc/%d/%s", (int) pid, file);
        cleanup_free char *buf = xzalloc(n * 40 + 1);
        size_t len = 0;

        for (size_t i = 0; i < n; i++)
                len += (size_t) sprintf(buf + len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        return fs_write_file(AT_FDCWD, path, buf, len, err);
}

int
idmap_userns_fd(const struct spec_idmap *uid, size_t nu, const struct spec_idmap *gid,
                size_t ng, berth_error_t **err)
{
        int pipefd[2];
        pid_t pid;
        int r, fd = -1;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "pipe");
        pid = (pid_t) syscall(SYS_clone, (unsigned long) CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid == 0) {
                char c;
                close(pipefd[1]);
                /* Live until the parent has taken the namespace. */
                (void) !read(pipefd[0], &c, 1);
                _exit(0);
        }
        close(pipefd[0]);
        if (pid < 0) {
                close(pipefd[1]);
                return berth_error_sys(err, errno, "clone a user namespace for an idmapped mount");
        }
        r = idmap_write_map(pid, "uid_map", uid, nu, err);
        if (r == 0)
                r = idmap_write_map(pid, "gid_map", gid, ng, err);
        if (r == 0) {
                cleanup_free char *ns = xasprintf("/proc/%d/ns/user", (int) pid);
                fd = open(ns, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        r = berth_error_sys(err, errno, "open \"%s\"", ns);
        }
        close(pipefd[1]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return r < 0 ? r : fd;
}

void
idmap_close_mounts(int *fds, size_t n)
{
        for (size_t i = 0; fds && i < n; i++) {
                if (fds[i] >= 0)
                        close(fds[i]);
        }
        free(fds);
}

int
idmap_prepare_mounts(const struct spec *spec, const char *bundle, int **ret_fds,
                     berth_error_t **err)
{
        int *fds = NULL;
        int r = 0;

        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct spec_mount *m = &spec->mounts[i];
                unsigned rec = (m->flags & MS_REC) ? AT_RECURSIVE : 0;
                cleanup_free char *src = NULL;
                cleanup_close int userns = -1;

                if (!m->n_uid_mappings)
                        continue;
                if (!fds) {
                        fds = xzalloc(spec->n_mounts * sizeof(int));
                        for (size_t k = 0; k < spec->n_mounts; k++)
                                fds[k] = -1;
                }
                src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
                userns = idmap_userns_fd(m->uid_mappings, m->n_uid_mappings, m->gid_mappings, m->n_gid_mappings, err);
                if (userns < 0) {
                        r = userns;
                        goto fail;
                }
                fds[i] = (int) syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
                if (fds[i] < 0) {
                        r = berth_error_sys(err, errno, "clone \"%s\"", src);
                        goto fail;
                }
                /* Only here, in the host's user namespace, may the host's filesystems be
                 * idmapped: the kernel wants CAP_SYS_ADMIN over the superblock's namespace. */
                struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns};
                if (mount_setattr(fds[i], "", AT_EMPTY_PATH | rec, &attr, sizeof(attr)) < 0) {
                        r = berth_error_sys(err, errno, "idmap \"%s\"", src);
                        goto fail;
                }
                continue;
fail:
                berth_error_prefix(err, "config.json: mounts[%zu] \"%s\"", i, m->destination);
                idmap_close_mounts(fds, spec->n_mounts);
                return r;
        }
        *ret_fds = fds;
        return 0;
}

int
idmap_attach(int tree, int target_fd, berth_error_t **err)
{
        /* On the fd itself: move_mount does not follow a /proc/self/fd magic link. */
        if (move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return berth_error_sys(err, errno, "attach the idmapped mount");
        return 0;
}
