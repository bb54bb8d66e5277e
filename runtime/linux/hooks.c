/* runtime/linux/hooks.c: fork + exec a hook, feed it the state, collect its output, enforce its
 * timeout. */
#include <config.h>

#include "runtime/linux/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/xalloc.h"

static long
now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
hook_child(const struct spec_hook *h, int in, int out)
{
        char *default_args[] = {h->path, NULL};

        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                _exit(127);
        /* Nothing of ours reaches a hook beyond its stdio. */
        syscall(SYS_close_range, 3, ~0U, 0);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        execve(h->path, h->args && h->args[0] ? h->args : default_args, h->env ? h->env : environ); /* no env: the runtime's own, as runc (Go exec) */
        dprintf(2, "exec \"%s\": %s", h->path, strerror(errno));
        _exit(127);
}

static int
run_one(const struct spec_hook *h, const char *name, size_t idx, const char *state_json,
        berth_error_t **err)
{
        int inp[2], outp[2];
        char out[4096];
        size_t outlen = 0;
        long deadline = h->timeout > 0 ? now_ms() + (long) h->timeout * 1000 : -1;
        cleanup_close int pidfd = -1;
        int status = 0;
        pid_t pid;

        if (pipe2(inp, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "pipe");
        if (pipe2(outp, O_CLOEXEC) < 0) {
                close(inp[0]);
                close(inp[1]);
                return berth_error_sys(err, errno, "pipe");
        }
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(inp[0]), close(inp[1]), close(outp[0]), close(outp[1]);
                return berth_error_sys(err, e, "fork hook");
        }
        if (pid == 0)
                hook_child(h, inp[0], outp[1]);
        close(inp[0]);
        close(outp[1]);
        /* A hook that does not read its stdin must not block us: the state is small, and a
         * closed pipe is not an error (EPIPE is ignored by MSG-less write with SIGPIPE blocked). */
        struct sigaction ign = {.sa_handler = SIG_IGN}, saved;
        sigaction(SIGPIPE, &ign, &saved);
        (void) fs_write_all(inp[1], state_json, strlen(state_json));
        close(inp[1]);
        /* Put it back: the container's init inherits our dispositions. */
        sigaction(SIGPIPE, &saved, NULL);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        for (;;) {
                struct pollfd p[2] = {{.fd = outp[0], .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
                int timeout = deadline < 0 ? -1 : (int) (deadline - now_ms());
                int n;

                if (deadline >= 0 && timeout <= 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        close(outp[0]);
                        return berth_error_new(err, ETIMEDOUT, "%s hook #%zu \"%s\": timed out after %d s",
                                               name, idx, h->path, h->timeout);
                }
                n = poll(p, outp[0] >= 0 ? 2 : 1, timeout);
                if (n < 0 && errno != EINTR)
                        break;
                if (outp[0] >= 0 && (p[0].revents & (POLLIN | POLLHUP))) {
                        char buf[1024];
                        ssize_t k = read(outp[0], buf, sizeof(buf));
                        if (k <= 0) {
                                close(outp[0]);
                                outp[0] = -1;
                        } else if (outlen < sizeof(out) - 1) {
                                size_t c = (size_t) k < sizeof(out) - 1 - outlen ? (size_t) k : sizeof(out) - 1 - outlen;
                                memcpy(out + outlen, buf, c);
                                outlen += c;
                        }
                }
                if (outp[0] < 0) {
                        /* Output closed: the hook is done, or only waiting to be timed out. */
                        struct pollfd q = {.fd = pidfd, .events = POLLIN};
                        int t = deadline < 0 ? -1 : (int) (deadline - now_ms());
                        if (t < 0 && deadline >= 0)
                                t = 0;
                        if (poll(&q, 1, t) == 0)
                                continue;
                        break;
                }
        }
        if (outp[0] >= 0)
                close(outp[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        out[outlen] = '\0';
        while (outlen > 0 && (out[outlen - 1] == '\n' || out[outlen - 1] == ' '))
                out[--outlen] = '\0';
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status))
                return berth_error_new(err, EIO, "%s hook #%zu \"%s\": killed by signal %d%s%s", name,
                                       idx, h->path, WTERMSIG(status), outlen ? ": " : "", out);
        return berth_error_new(err, EIO, "%s hook #%zu \"%s\": exit status %d%s%s", name, idx, h->path,
                               WEXITSTATUS(status), outlen ? ": " : "", out);
}

int
hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
          berth_error_t **err)
{
        for (size_t i = 0; i < hooks->count[kind]; i++) {
                int r = run_one(&hooks->list[kind][i], spec_hook_names[kind], i, state_json, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
