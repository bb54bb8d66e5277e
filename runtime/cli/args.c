/* runtime/cli/args.c: the flag parser. */
#include <config.h>

#include "runtime/cli/args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

static const struct opt *
find_long(const struct opt *opts, const char *name, size_t len)
{
        for (const struct opt *o = opts; o->name; o++) {
                if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                        return o;
        }
        return NULL;
}

static const struct opt *
find_short(const struct opt *opts, char c)
{
        for (const struct opt *o = opts; o->name; o++) {
                if (o->short_name == c)
                        return o;
        }
        return NULL;
}

static int
set_value(const struct opt *o, const char *value, berth_error_t **err)
{
        char *end;
        long v;

        switch (o->type) {
        case OPT_BOOL:
                if (!value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
                        *(bool *) o->ptr = true;
                else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
                        *(bool *) o->ptr = false;
                else
                        return berth_error_new(err, EINVAL, "invalid boolean value \"%s\" for flag --%s", value, o->name);
                return 0;
        case OPT_STRING:
                *(const char **) o->ptr = value;
                return 0;
        case OPT_INT:
                v = strtol(value, &end, 10);
                if (!value[0] || *end || v < 0 || v > 1 << 20)
                        return berth_error_new(err, EINVAL, "invalid value \"%s\" for flag --%s", value, o->name);
                *(int *) o->ptr = (int) v;
                return 0;
        case OPT_STRV:
                strv_push((char ***) o->ptr, value);
                return 0;
        }
        return 0;
}

int
args_parse(const struct opt *opts, int argc, char **argv, bool stop_at_positional,
           char ***ret_pos, bool *ret_help, berth_error_t **err)
{
        char **pos = xzalloc((size_t) (argc + 1) * sizeof(char *));
        size_t npos = 0;
        bool only_pos = false;
        int r;

        for (int i = 0; i < argc; i++) {
                const char *a = argv[i];
                const struct opt *o = NULL;
                const char *value = NULL;

                if (only_pos || a[0] != '-' || a[1] == '\0') {
                        pos[npos++] = argv[i];
                        if (stop_at_positional)
                                only_pos = true;
                        continue;
                }
                if (strcmp(a, "--") == 0) {
                        only_pos = true;
                        continue;
                }
                const char *name = a + (a[1] == '-' ? 2 : 1);
                const char *eq = strchr(name, '=');
                size_t len = eq ? (size_t) (eq - name) : strlen(name);
                if ((len == 4 && strncmp(name, "help", 4) == 0) || (len == 1 && name[0] == 'h')) {
                        if (ret_help)
                                *ret_help = true;
                        continue;
                }
                o = find_long(opts, name, len);
                if (!o && len == 1)
                        o = find_short(opts, name[0]);
                if (!o) {
                        free(pos);
                        return berth_error_new(err, EINVAL, "flag provided but not defined: -%.*s", (int) len, name);
                }
                if (eq)
                        value = eq + 1;
                else if (o->type != OPT_BOOL) {
                        if (i + 1 >= argc) {
                                free(pos);
                                /* As Go's flag package: the name as given ("-b", not "-bundle"). */
                                return berth_error_new(err, EINVAL, "flag needs an argument: -%.*s",
                                                       (int) len, name);
                        }
                        value = argv[++i];
                }
                r = set_value(o, value, err);
                if (r < 0) {
                        free(pos);
                        return r;
                }
        }
        *ret_pos = pos;
        return 0;
}

void
args_usage(const char *usage, const char *summary, const struct opt *opts)
{
        printf("NAME:\n   berth %s\n\nUSAGE:\n   berth %s\n", summary, usage);
        if (opts && opts->name) {
                printf("\nOPTIONS:\n");
                for (const struct opt *o = opts; o->name; o++) {
                        char left[64];
                        if (o->short_name)
                                snprintf(left, sizeof(left), "--%s, -%c%s", o->name, o->short_name,
                                         o->type == OPT_BOOL ? "" : " value");
                        else
                                snprintf(left, sizeof(left), "--%s%s", o->name, o->type == OPT_BOOL ? "" : " value");
                        printf("   %-32s %s\n", left, o->help ? o->help : "");
                }
        }
}
