/* runtime/cli/start.c: `berth start`. */
#include <config.h>

#include <stdlib.h>

#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

int
cli_start(struct cli_ctx *ctx, int argc, char **argv)
{
        const struct opt opts[] = {{0}};
        bool help = false;
        char **pos = NULL;
        const char *id;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("start <container-id>", "start - executes the user defined process in a created container", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "start", pos, &id);
        if (r == 0)
                r = container_start(&ctx->rt, id, &ctx->err);
        free(pos);
        return r < 0 ? 1 : 0;
}
