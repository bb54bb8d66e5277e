/* runtime/container/start.c: `start`: release the init waiting on the exec fifo, then run the
 * poststart hooks. */
#include <config.h>

#include "runtime/container/container.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/linux/cgroup.h"
#include "runtime/linux/hooks.h"
#include "runtime/spec/spec.h"

/* Parse the hooks kept in the state (config.json's "hooks" as it was at create). */
static int
load_hooks(const struct container_state *s, struct spec_hooks *hooks, berth_error_t **err)
{
        memset(hooks, 0, sizeof(*hooks));
        if (!s->hooks)
                return 0;
        return spec_parse_hooks(s->hooks, JPATH_KEY(NULL, "hooks"), hooks, err);
}

int
container_run_hooks(const struct container_state *s, enum spec_hook_kind kind, const char *status,
                    berth_error_t **err)
{
        struct spec_hooks hooks;
        cleanup_free char *json = NULL;
        int r;

        r = load_hooks(s, &hooks, err);
        if (r < 0)
                return r;
        if (hooks.count[kind]) {
                json = state_hook_json(s, status);
                r = hooks_run(&hooks, kind, json, err);
        }
        spec_hooks_done(&hooks);
        return r;
}

int
container_start(const struct runtime_ctx *ctx, const char *id, berth_error_t **err)
{
        struct container_state s = {0};
        cleanup_free char *dir = NULL;
        cleanup_free char *fifo = NULL;
        cleanup_close int fd = -1;
        enum container_status status;
        int r;

        r = container_load(ctx, id, &s, err);
        if (r < 0)
                return r;
        dir = container_dir(ctx, id);
        status = state_status(dir, &s);
        if (status != STATUS_CREATED) {
                if (status == STATUS_STOPPED)
                        r = berth_error_new(err, EINVAL, "cannot start a container that has stopped");
                else
                        r = berth_error_new(err, EINVAL, "cannot start an already %s container",
                                            state_status_name(status));
                goto out;
        }
        fifo = xasprintf("%s/exec.fifo", dir);
        fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                r = berth_error_sys(err, errno, "open exec fifo");
                goto out;
        }
        /* One byte: the init is released. End-of-file: its last writer closed on execve, so the
         * user process is executing and poststart may run (runtime-spec lifecycle). */
        for (bool released = false;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                char c;
                int n = poll(&p, 1, 100);
                if (n < 0 && errno != EINTR) {
                        r = berth_error_sys(err, errno, "wait for container init");
                        goto out;
                }
                if (n > 0) {
                        ssize_t k = read(fd, &c, 1);
                        if (k == 1) {
                                released = true;
                                continue;
                        }
                        if (k == 0 && released)
                                break;
                }
                if (!state_pid_alive(s.pid, s.start_time)) {
                        if (released)
                                break;
                        r = berth_error_new(err, ESRCH, "container init exited before start");
                        goto out;
                }
        }
        /* No fifo: the container is "running" from now on. */
        unlink(fifo);
        r = container_run_hooks(&s, HOOK_POSTSTART, "running", err);
        if (r < 0) {
                /* runtime-spec 1.1: a failed poststart hook stops the container; delete follows. */
                cgroup_kill_all(s.cgroup_dirs, SIGKILL, NULL);
                kill(s.pid, SIGKILL);
        }
out:
        state_done(&s);
        return r;
}
