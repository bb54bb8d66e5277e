/* runtime/container/pause.c: `pause` and `resume`: the freezer of cgroup v1, cgroup.freeze of v2. */
#include <config.h>

#include "runtime/container/container.h"


#include "runtime/linux/cgroup.h"

int
container_pause(const struct runtime_ctx *ctx, const char *id, bool pause, berth_error_t **err)
{
        struct container_state s = {0};
        cleanup_free char *dir = NULL;
        enum container_status st;
        int r;

        r = container_load(ctx, id, &s, err);
        if (r < 0)
                return r;
        dir = container_dir(ctx, id);
        st = state_status(dir, &s);
        if (pause && st != STATUS_RUNNING && st != STATUS_CREATED)
                r = berth_error_new(err, EINVAL, "container not running");
        else if (!pause && st != STATUS_PAUSED)
                r = berth_error_new(err, EINVAL, "container not paused");
        else
                r = cgroup_freeze(s.cgroup_dirs, pause, err);
        state_done(&s);
        return r;
}
