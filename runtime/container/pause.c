/* runtime/container/pause.c: `pause` and `resume`: the freezer of cgroup v1, cgroup.freeze of v2. */
#include <config.h>

#include "runtime/container/container.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/xalloc.h"

/* Write the freezer and wait until the kernel reports the state reached (v1 passes through
 * FREEZING; v2 reports it in cgroup.events). */
static int
freeze(char *const *dirs, bool frozen, berth_error_t **err)
{
        for (size_t i = 0; dirs && dirs[i]; i++) {
                cleanup_free char *v1 = xasprintf("%s/freezer.state", dirs[i]);
                cleanup_free char *v2 = xasprintf("%s/cgroup.freeze", dirs[i]);
                const char *file = access(v1, F_OK) == 0 ? v1 : access(v2, F_OK) == 0 ? v2 : NULL;
                bool is_v1 = file == v1;
                int r;

                if (!file)
                        continue;
                r = fs_write_file(AT_FDCWD, file, is_v1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0"),
                                  is_v1 ? (frozen ? 6 : 6) : 1, err);
                if (r < 0)
                        return r;
                for (int tries = 0; tries < 1000; tries++) {
                        cleanup_free char *buf = NULL;
                        cleanup_free char *events = is_v1 ? NULL : xasprintf("%s/cgroup.events", dirs[i]);
                        if (fs_read_file(AT_FDCWD, is_v1 ? v1 : events, &buf, NULL, NULL) < 0)
                                break;
                        bool done = is_v1 ? strncmp(buf, frozen ? "FROZEN" : "THAWED", 6) == 0
                                          : strstr(buf, frozen ? "frozen 1" : "frozen 0") != NULL;
                        if (done)
                                return 0;
                        if (is_v1 && frozen && tries % 10 == 9)
                                fs_write_file(AT_FDCWD, v1, "FROZEN", 6, NULL);
                        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
                }
                return berth_error_new(err, ETIMEDOUT, "the cgroup did not %s in time", frozen ? "freeze" : "thaw");
        }
        return berth_error_new(err, ENOTSUP, "this host has no freezer cgroup for the container");
}

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
                r = freeze(s.cgroup_dirs, pause, err);
        state_done(&s);
        return r;
}
