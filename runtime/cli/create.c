/* runtime/cli/create.c: `berth create`. */
#include <config.h>

#include <stdlib.h>

#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

int
cli_create(struct cli_ctx *ctx, int argc, char **argv)
{
        struct create_opts o = {.console_fd = -1};
        bool detach = false, help = false;
        char **pos = NULL;
        const char *id;
        pid_t pid;
        const struct opt opts[] = {
                {"bundle", 'b', OPT_STRING, &o.bundle, "path to the root of the bundle directory, defaults to the current directory"},
                {"console-socket", 0, OPT_STRING, &o.console_socket, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
                {"pid-file", 0, OPT_STRING, &o.pid_file, "specify the file to write the process id to"},
                {"no-pivot", 0, OPT_BOOL, &o.no_pivot, "do not use pivot root to jail process inside rootfs"},
                {"no-new-keyring", 0, OPT_BOOL, &o.no_new_keyring, "do not create a new session keyring for the container"},
                {"preserve-fds", 0, OPT_INT, &o.preserve_fds, "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"},
                /* COMPAT(go-runc): may pass --detach to create; runc 1.1 has no such flag. */
                {"detach", 'd', OPT_BOOL, &detach, "ignored: create always detaches"},
                {0},
        };
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("create [command options] <container-id>", "create - create a container", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "create", pos, &id);
        if (r == 0) {
                o.id = id;
                r = container_create(&ctx->rt, &o, &pid, &ctx->err);
        }
        free(pos);
        return r < 0 ? 1 : 0;
}
