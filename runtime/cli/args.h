/* runtime/cli/args.h: urfave/cli-style flags as runc takes them: --flag, -flag, --flag=value,
 * --flag value, booleans bare or =true|false, short aliases, flags after positionals. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

enum opt_type { OPT_BOOL, OPT_STRING, OPT_INT, OPT_STRV };

struct opt {
        const char *name;  /* long name, without dashes */
        char short_name;   /* 0: none */
        enum opt_type type;
        void *ptr;         /* bool *, const char **, int *, char *** */
        const char *help;
};

/* Parse ARGV[0..ARGC) against OPTS (terminated by a zero entry). Positionals are collected in
 * *RET_POS (NULL-terminated, pointing into ARGV). With STOP_AT_POSITIONAL, everything from the
 * first positional on is positional (exec's command). "--help"/"-h" sets *RET_HELP. */
int args_parse(const struct opt *opts, int argc, char **argv, bool stop_at_positional,
               char ***ret_pos, bool *ret_help, berth_error_t **err);
void args_usage(const char *usage, const char *summary, const struct opt *opts);
