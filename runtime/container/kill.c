/* runtime/container/kill.c: `kill`: signal the init, or with --all every process of the
 * container's cgroup. */
#include <config.h>

#include "runtime/container/container.h"

#include <signal.h>
#include <stdlib.h>

#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/cgroup.h"

int
container_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all,
               berth_error_t **err)
{
        struct container_state s = {0};
        cleanup_free char *dir = NULL;
        int r;

        r = container_load(ctx, id, &s, err);
        if (r < 0)
                return r;
        dir = container_dir(ctx, id);
        if (state_status(dir, &s) == STATUS_STOPPED) {
                /* runc: --all on a stopped container still reaches what is left in the cgroup. */
                if (all) {
                        pid_t *pids = NULL;
                        size_t n = 0;
                        if (cgroup_pids(s.cgroup_dirs, &pids, &n, NULL) == 0 && n > 0)
                                cgroup_kill_all(s.cgroup_dirs, sig, NULL);
                        free(pids);
                        r = 0;
                } else {
                        r = berth_error_new(err, ESRCH, "container not running");
                }
                goto out;
        }
        if (all)
                r = cgroup_kill_all(s.cgroup_dirs, sig, err);
        else if (kill(s.pid, sig) < 0)
                r = berth_error_sys(err, errno, "kill %d", (int) s.pid);
out:
        state_done(&s);
        return r;
}
