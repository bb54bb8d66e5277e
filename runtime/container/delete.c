/* runtime/container/delete.c: `delete`: stop what is left (with --force), remove the cgroup and
 * the state, run the poststop hooks. */
#include <config.h>

#include "runtime/container/container.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "runtime/linux/cgroup.h"

static void
wait_dead(const struct container_state *s)
{
        /* We are not init's parent, so we cannot wait(2) for it; a zombie counts as gone. */
        for (int i = 0; i < 2000 && state_pid_alive(s->pid, s->start_time); i++)
                nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
}

static int
destroy(const char *dir, struct container_state *s, berth_error_t **err)
{
        pid_t *pids = NULL;
        size_t n = 0;
        int r;

        /* Without a pid namespace of its own, the init's death does not end the others. */
        if (cgroup_pids(s->cgroup_dirs, &pids, &n, NULL) == 0 && n > 0)
                cgroup_kill_all(s->cgroup_dirs, SIGKILL, NULL);
        free(pids);
        r = cgroup_destroy(s->cgroup_dirs, err);
        if (r < 0)
                return r;
        if (container_run_hooks(s, HOOK_POSTSTOP, "stopped", err) < 0) {
                /* runtime-spec: a failed poststop hook is a warning; deletion goes on. */
                log_warn("%s: %s", s->id, (*err)->msg);
                berth_error_free(*err);
                *err = NULL;
        }
        return fs_remove_tree(AT_FDCWD, dir, err);
}

int
container_delete(const struct runtime_ctx *ctx, const char *id, bool force, berth_error_t **err)
{
        struct container_state s = {0};
        cleanup_free char *dir = NULL;
        enum container_status status;
        int r;

        r = container_validate_id(id, err);
        if (r < 0)
                return r;
        dir = container_dir(ctx, id);
        r = container_load(ctx, id, &s, err);
        if (r == -ENOENT) {
                /* A create that died half-way may have left a directory without state. */
                struct stat st;
                if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode))
                        fs_remove_tree(AT_FDCWD, dir, NULL);
                if (force) {
                        berth_error_free(*err);
                        *err = NULL;
                        return 0;
                }
                return r;
        }
        if (r < 0)
                return r;
        status = state_status(dir, &s);
        switch (status) {
        case STATUS_STOPPED:
                break;
        case STATUS_CREATED:
                kill(s.pid, SIGKILL);
                wait_dead(&s);
                break;
        default:
                if (!force) {
                        r = berth_error_new(err, EBUSY, "cannot delete container %s that is not stopped: %s",
                                            id, state_status_name(status));
                        goto out;
                }
                cgroup_kill_all(s.cgroup_dirs, SIGKILL, NULL);
                kill(s.pid, SIGKILL);
                wait_dead(&s);
                break;
        }
        r = destroy(dir, &s, err);
out:
        state_done(&s);
        return r;
}
