/* runtime/cli/delete.c: `berth delete`. */
#include <config.h>

#include <stdlib.h>

#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

int
cli_delete(struct cli_ctx *ctx, int argc, char **argv)
{
        bool force = false, help = false;
        const struct opt opts[] = {
                {"force", 'f', OPT_BOOL, &force, "Forcibly deletes the container if it is still running (uses SIGKILL)"},
                {0},
        };
        char **pos = NULL;
        const char *id;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("delete [command options] <container-id>", "delete - delete any resources held by the container", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "delete", pos, &id);
        if (r == 0)
                r = container_delete(&ctx->rt, id, force, &ctx->err);
        free(pos);
        return r < 0 ? 1 : 0;
}
