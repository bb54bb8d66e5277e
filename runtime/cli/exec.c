/* runtime/cli/exec.c: `berth exec`: run a process in a running container; in the foreground,
 * exit with its status (255 when it could not be started, as runc). */
#include <config.h>

#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/strv.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"
#include "runtime/cli/foreground.h"

int
cli_exec(struct cli_ctx *ctx, int argc, char **argv)
{
        struct exec_opts o = {.console_fd = -1};
        bool detach = false, help = false;
        const char *process_label = NULL;
        const struct opt opts[] = {
                {"process", 'p', OPT_STRING, &o.process_file, "path to the process.json"},
                {"detach", 'd', OPT_BOOL, &detach, "detach from the container's process"},
                {"pid-file", 0, OPT_STRING, &o.pid_file, "specify the file to write the process id to"},
                {"console-socket", 0, OPT_STRING, &o.console_socket, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
                {"tty", 't', OPT_BOOL, &o.tty, "allocate a pseudo-TTY"},
                {"cwd", 0, OPT_STRING, &o.cwd, "current working directory in the container"},
                {"env", 'e', OPT_STRV, &o.env, "set environment variables"},
                {"user", 'u', OPT_STRING, &o.user, "UID (format: <uid>[:<gid>])"},
                {"additional-gids", 'g', OPT_STRV, &o.additional_gids, "additional gids"},
                {"cap", 'c', OPT_STRV, &o.caps, "add a capability to the bounding set for the process"},
                {"no-new-privs", 0, OPT_BOOL, &o.no_new_privs, "set the no new privileges value for the process"},
                {"apparmor", 0, OPT_STRING, &o.apparmor, "set the apparmor profile for the process"},
                {"process-label", 0, OPT_STRING, &process_label, "set the asm process label for the process commonly used with selinux"},
                {"preserve-fds", 0, OPT_INT, &o.preserve_fds, "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"},
                {"cgroup", 0, OPT_STRV, &o.cgroups, "run the process in an (existing) sub-cgroup(s)"},
                {"ignore-paused", 0, OPT_BOOL, &o.ignore_paused, "allow exec in a paused container"},
                {0},
        };
        struct foreground_io io = {.master = -1};
        char **pos = NULL;
        int console[2] = {-1, -1};
        sigset_t fwd, old;
        pid_t pid;
        int r, status;

        /* exec's command starts at the first positional: flags after it are the command's. */
        r = args_parse(opts, argc, argv, true, &pos, &help, &ctx->err);
        if (r < 0)
                return 255;
        if (help) {
                args_usage("exec [command options] <container-id> <command> [command options]", "exec - execute new process inside the container", opts);
                free(pos);
                return 0;
        }
        if (!pos[0]) {
                berth_error_new(&ctx->err, EINVAL, "\"exec\" requires a minimum of 1 argument");
                free(pos);
                return 255;
        }
        o.id = pos[0];
        o.args = pos + 1;
        o.process_label = process_label;
        if (!o.process_file && !o.args[0]) {
                berth_error_new(&ctx->err, EINVAL, "exec: no command given (args, or --process)");
                free(pos);
                return 255;
        }
        if (!detach && !o.console_socket) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) == 0)
                        o.console_fd = console[1];
                (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
                foreground_block_signals(&fwd, &old);
        }
        r = container_exec(&ctx->rt, &o, &pid, &ctx->err);
        if (console[1] >= 0)
                close(console[1]);
        if (r == 0 && console[0] >= 0)
                foreground_take_console(console[0], &io);
        if (console[0] >= 0)
                close(console[0]);
        if (r < 0 || detach) {
                if (!detach)
                        sigprocmask(SIG_SETMASK, &old, NULL);
                strv_free(o.env);
                strv_free(o.additional_gids);
                strv_free(o.caps);
                strv_free(o.cgroups);
                free(pos);
                return r < 0 ? 255 : 0;
        }
        int sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
        status = foreground_supervise(pid, sfd, &io);
        close(sfd);
        foreground_io_done(&io);
        sigprocmask(SIG_SETMASK, &old, NULL);
        strv_free(o.env);
        strv_free(o.additional_gids);
        strv_free(o.caps);
        strv_free(o.cgroups);
        free(pos);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
