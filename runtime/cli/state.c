/* runtime/cli/state.c: `berth state <id>`: runc's state object, indented. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

int
cli_state(struct cli_ctx *ctx, int argc, char **argv)
{
        const struct opt opts[] = {{0}};
        struct container_state s = {0};
        bool help = false;
        char **pos = NULL;
        const char *id;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("state <container-id>", "state - output the state of a container", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "state", pos, &id);
        if (r == 0)
                r = container_load(&ctx->rt, id, &s, &ctx->err);
        if (r == 0) {
                cleanup_free char *dir = container_dir(&ctx->rt, id);
                cleanup_json struct json_object *o = state_to_runc_json(&s, state_status(dir, &s));
                /* runc prints no newline after it */
                fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
                state_done(&s);
        }
        free(pos);
        return r < 0 ? 1 : 0;
}
