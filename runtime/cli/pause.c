/* runtime/cli/pause.c: `berth pause` and `berth resume`. */
#include <config.h>

#include <stdlib.h>

#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

static int
freeze_verb(struct cli_ctx *ctx, int argc, char **argv, bool pause)
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
                args_usage(pause ? "pause <container-id>" : "resume <container-id>",
                           pause ? "pause - pause suspends all processes inside the container"
                                 : "resume - resumes all processes that have been previously paused", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, pause ? "pause" : "resume", pos, &id);
        if (r == 0)
                r = container_pause(&ctx->rt, id, pause, &ctx->err);
        free(pos);
        return r < 0 ? 1 : 0;
}

int
cli_pause(struct cli_ctx *ctx, int argc, char **argv)
{
        return freeze_verb(ctx, argc, argv, true);
}

int
cli_resume(struct cli_ctx *ctx, int argc, char **argv)
{
        return freeze_verb(ctx, argc, argv, false);
}
