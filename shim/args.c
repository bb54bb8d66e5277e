/* shim/args.c: Go-flag-style parsing of the shim's command line; see args.h. */
#include <config.h>

#include "shim/args.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

enum flag_kind { FLAG_STRING, FLAG_BOOL };

struct flag {
        const char *name;
        enum flag_kind kind;
        size_t offset;
};

#define STR_FLAG(n, field) {n, FLAG_STRING, offsetof(struct shim_args, field)}
#define BOOL_FLAG(n, field) {n, FLAG_BOOL, offsetof(struct shim_args, field)}

static const struct flag flags[] = {
        STR_FLAG("namespace", namespace_),
        STR_FLAG("address", address),
        STR_FLAG("publish-binary", publish_binary),
        STR_FLAG("id", id),
        STR_FLAG("bundle", bundle),
        STR_FLAG("socket", socket),
        BOOL_FLAG("debug", debug),
        BOOL_FLAG("v", version),
};

static const struct flag *
flag_find(const char *name, size_t len)
{
        for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
                if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
                        return &flags[i];
        return NULL;
}

/* Go's strconv.ParseBool. */
static int
parse_bool(const char *v, bool *ret)
{
        static const char *const t[] = {"1", "t", "T", "true", "TRUE", "True"};
        static const char *const f[] = {"0", "f", "F", "false", "FALSE", "False"};
        for (size_t i = 0; i < 6; i++) {
                if (strcmp(v, t[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcmp(v, f[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int
shim_args_parse(int argc, char **argv, struct shim_args *ret, berth_error_t **err)
{
        struct shim_args a = {0};
        int i = 1;

        while (i < argc) {
                const char *arg = argv[i];
                const char *name, *eq;
                const struct flag *f;
                size_t len;

                if (arg[0] != '-' || arg[1] == '\0')
                        break; /* the first positional: the action */
                name = arg + 1;
                if (name[0] == '-') {
                        name++;
                        if (name[0] == '\0') { /* "--" ends the flags */
                                i++;
                                break;
                        }
                }
                if (name[0] == '-' || name[0] == '=')
                        return berth_error_new(err, EINVAL, "bad flag syntax: %s", arg);
                eq = strchr(name, '=');
                len = eq ? (size_t) (eq - name) : strlen(name);
                f = flag_find(name, len);
                if (!f)
                        return berth_error_new(err, EINVAL, "flag provided but not defined: -%.*s", (int) len, name);
                i++;
                if (f->kind == FLAG_BOOL) {
                        bool *b = (bool *) ((char *) &a + f->offset);
                        if (!eq) {
                                *b = true;
                        } else if (parse_bool(eq + 1, b) < 0) {
                                return berth_error_new(err, EINVAL, "invalid boolean value \"%s\" for -%.*s: parse error",
                                                       eq + 1, (int) len, name);
                        }
                        continue;
                }
                const char **s = (const char **) (void *) ((char *) &a + f->offset);
                if (eq) {
                        *s = eq + 1;
                } else {
                        if (i >= argc)
                                return berth_error_new(err, EINVAL, "flag needs an argument: -%s", name);
                        *s = argv[i++];
                }
        }
        if (i < argc) {
                a.action = argv[i++];
                a.rest = argv + i;
        } else {
                a.rest = argv + argc;
        }
        *ret = a;
        return 0;
}
