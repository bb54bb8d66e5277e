/* runtime/cli/cli.h: the verbs of `berth`, each in its own file. A verb returns the process exit
 * status; errors are logged once by main(). */
#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "runtime/container/container.h"

struct cli_ctx {
        struct runtime_ctx rt;
        berth_error_t *err; /* set by a verb that fails; main() logs it */
};

typedef int (*cli_verb_fn)(struct cli_ctx *ctx, int argc, char **argv);

int cli_create(struct cli_ctx *ctx, int argc, char **argv);
int cli_start(struct cli_ctx *ctx, int argc, char **argv);
int cli_run(struct cli_ctx *ctx, int argc, char **argv);
int cli_state(struct cli_ctx *ctx, int argc, char **argv);
int cli_list(struct cli_ctx *ctx, int argc, char **argv);
int cli_kill(struct cli_ctx *ctx, int argc, char **argv);
int cli_delete(struct cli_ctx *ctx, int argc, char **argv);
int cli_spec(struct cli_ctx *ctx, int argc, char **argv);
int cli_exec(struct cli_ctx *ctx, int argc, char **argv);
int cli_pause(struct cli_ctx *ctx, int argc, char **argv);
int cli_resume(struct cli_ctx *ctx, int argc, char **argv);
int cli_ps(struct cli_ctx *ctx, int argc, char **argv);
int cli_update(struct cli_ctx *ctx, int argc, char **argv);
int cli_events(struct cli_ctx *ctx, int argc, char **argv);
int cli_features(struct cli_ctx *ctx, int argc, char **argv);
int cli_checkpoint(struct cli_ctx *ctx, int argc, char **argv);
int cli_restore(struct cli_ctx *ctx, int argc, char **argv);

/* berth started by criu as its --action-script (runtime/cli/criu_notify.c): ARGC is main's. */
bool cli_criu_notify_wanted(int argc);
int cli_criu_notify(void);

/* Exactly one positional, the container id; else an error in ctx->err. */
int cli_one_id(struct cli_ctx *ctx, const char *verb, char **pos, const char **ret_id);
