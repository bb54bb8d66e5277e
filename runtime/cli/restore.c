/* runtime/cli/restore.c: `berth restore`: runc's flags (restore.go) onto container_restore();
 * without -d, like `run`: forward signals, copy the terminal, wait for the restored init, delete
 * the container and exit with its status. */
#include <config.h>

#include <signal.h>
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

static int
restore_foreground(struct cli_ctx *ctx, struct restore_opts *o, bool no_subreaper)
{
        struct foreground_io io = {.master = -1};
        int console[2] = {-1, -1};
        sigset_t fwd, old;
        pid_t pid;
        int sfd, status, r;

        /* Without a console socket berth holds the terminal itself, as `run` does. */
        if (!o->console_socket) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0) {
                        berth_error_sys(&ctx->err, errno, "socketpair");
                        return 1;
                }
                o->console_fd = console[1];
        }
        if (!no_subreaper)
                (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        foreground_block_signals(&fwd, &old);
        r = container_restore(&ctx->rt, o, &pid, &ctx->err);
        if (console[1] >= 0)
                close(console[1]);
        if (r == 0 && console[0] >= 0)
                foreground_take_console(console[0], &io);
        if (console[0] >= 0)
                close(console[0]);
        if (r < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                return 1;
        }
        sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
        status = foreground_supervise(pid, sfd, &io);
        if (sfd >= 0)
                close(sfd);
        foreground_io_done(&io);
        {
                berth_error_t *e2 = NULL;
                if (container_delete(&ctx->rt, o->id, true, &e2) < 0)
                        ctx->err = e2;
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int
cli_restore(struct cli_ctx *ctx, int argc, char **argv)
{
        struct restore_opts o = {.console_fd = -1, .criu = {.status_fd = -1}};
        struct criu_flags *f = &o.criu;
        bool help = false, no_subreaper = false, no_pivot = false, no_new_keyring = false;
        const struct opt opts[] = {
                {"console-socket", 0, OPT_STRING, &o.console_socket, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
                {"image-path", 0, OPT_STRING, &f->image_path, "directory holding the checkpoint's images (default: ./checkpoint)"},
                {"work-path", 0, OPT_STRING, &f->work_path, "directory for criu's work files and log (default: the image directory)"},
                {"tcp-established", 0, OPT_BOOL, &f->tcp_established, "restore established TCP connections"},
                {"ext-unix-sk", 0, OPT_BOOL, &f->ext_unix_sk, "allow unix sockets connected outside the container"},
                {"shell-job", 0, OPT_BOOL, &f->shell_job, "allow a process attached to a shell's terminal"},
                {"file-locks", 0, OPT_BOOL, &f->file_locks, "restore file locks"},
                {"manage-cgroups-mode", 0, OPT_STRING, &f->manage_cgroups_mode, "how criu handles cgroups: soft (criu's default), full, strict or ignore"},
                {"bundle", 'b', OPT_STRING, &o.bundle, "path to the root of the bundle directory"},
                {"detach", 'd', OPT_BOOL, &o.detach, "detach from the container's process"},
                {"pid-file", 0, OPT_STRING, &o.pid_file, "specify the file to write the process id to"},
                {"no-subreaper", 0, OPT_BOOL, &no_subreaper, "disable the use of the subreaper used to reap reparented processes"},
                {"no-pivot", 0, OPT_BOOL, &no_pivot, "accepted for runc's command line; criu sets up the root"},
                {"empty-ns", 0, OPT_STRV, &f->empty_ns, "namespace to be restored empty (only \"network\")"},
                {"auto-dedup", 0, OPT_BOOL, &f->auto_dedup, "free image pages as they are restored"},
                {"lazy-pages", 0, OPT_BOOL, &f->lazy_pages, "restore memory pages on demand (userfaultfd)"},
                {"lsm-profile", 0, OPT_STRING, &f->lsm_profile, "LSM profile for the restored processes, TYPE:NAME"},
                {"lsm-mount-context", 0, OPT_STRING, &f->lsm_mount_context, "LSM mount context for the restored mounts"},
                /* COMPAT(conmon): sends it to restore as to create; runc 1.1's restore lacks it. */
                {"no-new-keyring", 0, OPT_BOOL, &no_new_keyring, "accepted for conmon; criu restores the keyring as it was"},
                {0},
        };
        char **pos = NULL;
        const char *id;
        pid_t pid;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0) {
                strv_free(f->empty_ns);
                return 1;
        }
        if (help) {
                args_usage("restore [command options] <container-id>", "restore - restore a container from a previous checkpoint", opts);
                strv_free(f->empty_ns);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "restore", pos, &id);
        if (r < 0) {
                strv_free(f->empty_ns);
                free(pos);
                return 1;
        }
        o.id = id;
        if (o.detach)
                r = container_restore(&ctx->rt, &o, &pid, &ctx->err) < 0 ? 1 : 0;
        else
                r = restore_foreground(ctx, &o, no_subreaper);
        strv_free(f->empty_ns);
        free(pos);
        return r;
}
