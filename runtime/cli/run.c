/* runtime/cli/run.c: `berth run`: create + start, then (unless -d) forward signals, copy the
 * terminal, wait for the init, delete, and exit with its status (128+signal when killed). */
#include <config.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/sock.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"
#include "runtime/cli/foreground.h"

int
cli_run(struct cli_ctx *ctx, int argc, char **argv)
{
        struct create_opts o = {.console_fd = -1};
        bool detach = false, keep = false, no_subreaper = false, help = false;
        const struct opt opts[] = {
                {"bundle", 'b', OPT_STRING, &o.bundle, "path to the root of the bundle directory, defaults to the current directory"},
                {"console-socket", 0, OPT_STRING, &o.console_socket, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
                {"detach", 'd', OPT_BOOL, &detach, "detach from the container's process"},
                {"keep", 0, OPT_BOOL, &keep, "do not delete the container after it exits"},
                {"pid-file", 0, OPT_STRING, &o.pid_file, "specify the file to write the process id to"},
                {"no-subreaper", 0, OPT_BOOL, &no_subreaper, "disable the use of the subreaper used to reap reparented processes"},
                {"no-pivot", 0, OPT_BOOL, &o.no_pivot, "do not use pivot root to jail process inside rootfs"},
                {"no-new-keyring", 0, OPT_BOOL, &o.no_new_keyring, "do not create a new session keyring for the container"},
                {"preserve-fds", 0, OPT_INT, &o.preserve_fds, "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"},
                {0},
        };
        struct foreground_io io = {.master = -1};
        char **pos = NULL;
        const char *id;
        int console[2] = {-1, -1};
        sigset_t fwd, old;
        int sfd = -1, status, r;
        pid_t pid;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("run [command options] <container-id>", "run - create and run a container", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "run", pos, &id);
        if (r < 0) {
                free(pos);
                return 1;
        }
        o.id = id;
        /* In the foreground without a console socket, berth holds the pty itself (runc does). */
        if (!detach && !o.console_socket) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0) {
                        berth_error_sys(&ctx->err, errno, "socketpair");
                        free(pos);
                        return 1;
                }
                o.console_fd = console[1];
        }
        if (!detach && !no_subreaper)
                (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

        /* Block the signals we forward before the init exists, so none is lost; the init
         * resets its mask before exec. */
        if (!detach)
                foreground_block_signals(&fwd, &old);

        r = container_create(&ctx->rt, &o, &pid, &ctx->err);
        if (console[1] >= 0)
                close(console[1]);
        if (r == 0 && console[0] >= 0)
                foreground_take_console(console[0], &io);
        if (console[0] >= 0)
                close(console[0]);
        if (r == 0)
                r = container_start(&ctx->rt, id, &ctx->err);
        if (r < 0) {
                berth_error_t *e2 = NULL;
                if (r != -EEXIST && r != -EINVAL)
                        container_delete(&ctx->rt, id, true, &e2);
                berth_error_free(e2);
                goto done;
        }
        if (detach) {
                free(pos);
                return 0;
        }
        sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
        status = foreground_supervise(pid, sfd, &io);
        close(sfd);
        if (!keep) {
                berth_error_t *e2 = NULL;
                if (container_delete(&ctx->rt, id, true, &e2) < 0)
                        ctx->err = e2;
        }
        r = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        goto out;
done:
        r = 1;
out:
        foreground_io_done(&io);
        if (!detach)
                sigprocmask(SIG_SETMASK, &old, NULL);
        free(pos);
        return r;
}
