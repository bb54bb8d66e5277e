/* runtime/cli/kill.c: `berth kill <id> [signal]`. */
#include <config.h>

#include <stdlib.h>

#include "lib/strv.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

int
cli_kill(struct cli_ctx *ctx, int argc, char **argv)
{
        bool all = false, help = false;
        const struct opt opts[] = {
                {"all", 'a', OPT_BOOL, &all, "send the specified signal to all processes inside the container"},
                {0},
        };
        char **pos = NULL;
        int sig = 15;
        size_t n;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("kill [command options] <container-id> [signal]", "kill - kill sends the specified signal (default: SIGTERM) to the container's init process", opts);
                free(pos);
                return 0;
        }
        n = strv_length(pos);
        if (n < 1 || n > 2)
                r = berth_error_new(&ctx->err, EINVAL, "\"kill\" requires a minimum of 1 and a maximum of 2 arguments");
        if (r == 0 && n == 2)
                r = container_parse_signal(pos[1], &sig, &ctx->err);
        if (r == 0)
                r = container_kill(&ctx->rt, pos[0], sig, all, &ctx->err);
        free(pos);
        return r < 0 ? 1 : 0;
}
