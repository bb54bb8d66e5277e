/* tests/unit/test_cli_args.c: the urfave/cli-style flag parser of runtime/cli/args.h, as runc's
 * command lines use it (containerd, podman and people all spell flags differently). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/strv.h"
#include "runtime/cli/args.h"

/* The options of a verb like runc's `run`, plus a repeated one. */
struct opts {
        const char *bundle;
        const char *pid_file;
        bool detach;
        bool keep;
        int preserve_fds;
        char **env;
};

#define N_OPTS 7

/* runc-like options writing into O; the last entry ends the table. */
static void
opt_table(struct opts *o, struct opt table[N_OPTS])
{
        const struct opt t[N_OPTS] = {
                {"bundle", 'b', OPT_STRING, &o->bundle, "bundle"},
                {"pid-file", 0, OPT_STRING, &o->pid_file, "pid file"},
                {"detach", 'd', OPT_BOOL, &o->detach, "detach"},
                {"keep", 0, OPT_BOOL, &o->keep, "keep"},
                {"preserve-fds", 0, OPT_INT, &o->preserve_fds, "fds"},
                {"env", 'e', OPT_STRV, &o->env, "env"},
                {NULL, 0, 0, NULL, NULL},
        };

        memcpy(table, t, sizeof(t));
}

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(v)   ((int) strv_length(v))

/* Parse ARGV, which must succeed; returns the positionals (free() them, not their strings). */
static char **
parse_ok(struct opts *o, char **argv, bool stop, bool *help)
{
        struct opt table[N_OPTS];
        cleanup_error berth_error_t *err = NULL;
        char **pos = NULL;

        opt_table(o, table);
        assert_int_equal(args_parse(table, ARGC(argv), argv, stop, &pos, help, &err), 0);
        assert_null(err);
        assert_non_null(pos);
        return pos;
}

/* Parse ARGV, which must fail with EINVAL and MSG. */
static void
parse_fails(char **argv, const char *msg)
{
        struct opts o = {0};
        struct opt table[N_OPTS];
        cleanup_error berth_error_t *err = NULL;
        char **pos = NULL;

        opt_table(&o, table);
        assert_int_equal(args_parse(table, ARGC(argv), argv, false, &pos, NULL, &err), -EINVAL);
        assert_null(pos);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->msg, msg);
        strv_free(o.env);
}

static void
test_flag_spellings(void **state)
{
        static const struct {
                char *argv[3];
        } cases[] = {
                {{"--bundle", "/b", NULL}}, {{"--bundle=/b", NULL, NULL}},
                {{"-bundle", "/b", NULL}},  {{"-bundle=/b", NULL, NULL}},
                {{"-b", "/b", NULL}},       {{"-b=/b", NULL, NULL}},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct opts o = {0};
                char *argv[4] = {cases[i].argv[0], cases[i].argv[1], "id", NULL};
                cleanup_free char **pos = NULL;
                if (!argv[1]) {
                        argv[1] = "id";
                        argv[2] = NULL;
                }
                pos = parse_ok(&o, argv, false, NULL);
                assert_non_null(o.bundle);
                assert_string_equal(o.bundle, "/b");
                assert_int_equal(strv_length(pos), 1);
                assert_string_equal(pos[0], "id");
        }
}

static void
test_value_may_look_like_a_flag(void **state)
{
        struct opts o = {0};
        cleanup_free char **pos = NULL;
        (void) state;

        /* A string flag takes the next word whatever it is (Go's flag package does). */
        pos = parse_ok(&o, ARGV("--pid-file", "-d", "id"), false, NULL);
        assert_string_equal(o.pid_file, "-d");
        assert_false(o.detach);
        assert_string_equal(pos[0], "id");
        free(TAKE_PTR(pos));
        pos = parse_ok(&o, ARGV("--pid-file="), false, NULL);
        assert_string_equal(o.pid_file, "");
        assert_null(pos[0]);
}

static void
test_bool_flags(void **state)
{
        struct opts o = {0};
        cleanup_free char **p1 = NULL;
        cleanup_free char **p2 = NULL;
        cleanup_free char **p3 = NULL;
        (void) state;

        /* Bare, a bool takes no value: the next word stays a positional. */
        p1 = parse_ok(&o, ARGV("-d", "true"), false, NULL);
        assert_true(o.detach);
        assert_string_equal(p1[0], "true");
        p2 = parse_ok(&o, ARGV("--detach=false", "--keep=true"), false, NULL);
        assert_false(o.detach);
        assert_true(o.keep);
        p3 = parse_ok(&o, ARGV("--keep=0", "-d=1"), false, NULL);
        assert_false(o.keep);
        assert_true(o.detach);
}

static void
test_bool_bad_value(void **state)
{
        (void) state;
        parse_fails(ARGV("--detach=yes"), "invalid boolean value \"yes\" for flag --detach");
        parse_fails(ARGV("-d="), "invalid boolean value \"\" for flag --detach");
}

static void
test_unknown_flag(void **state)
{
        (void) state;
        parse_fails(ARGV("--nope"), "flag provided but not defined: -nope");
        parse_fails(ARGV("id", "-nope", "x"), "flag provided but not defined: -nope");
        parse_fails(ARGV("--nope=1"), "flag provided but not defined: -nope");
        parse_fails(ARGV("-x"), "flag provided but not defined: -x");
}

static void
test_missing_value(void **state)
{
        (void) state;
        parse_fails(ARGV("id", "--bundle"), "flag needs an argument: -bundle");
        parse_fails(ARGV("-b"), "flag needs an argument: -b");
        parse_fails(ARGV("--env"), "flag needs an argument: -env");
}

static void
test_positionals_interleaved(void **state)
{
        struct opts o = {0};
        cleanup_free char **pos = NULL;
        (void) state;

        /* runc accepts flags after the container id (urfave/cli reorders them). */
        pos = parse_ok(&o, ARGV("a", "-d", "b", "--bundle", "/x", "-", "c"), false, NULL);
        assert_true(o.detach);
        assert_string_equal(o.bundle, "/x");
        assert_int_equal(strv_length(pos), 4);
        assert_string_equal(pos[0], "a");
        assert_string_equal(pos[1], "b");
        /* A lone "-" is a word, not a flag. */
        assert_string_equal(pos[2], "-");
        assert_string_equal(pos[3], "c");
}

static void
test_stop_at_positional(void **state)
{
        struct opts o = {0};
        cleanup_free char **pos = NULL;
        (void) state;

        /* exec style: `exec -d id sh -c "ls -l" --keep`: the command's flags are its own. */
        pos = parse_ok(&o, ARGV("-d", "id", "sh", "-c", "ls -l", "--keep", "-b", "x"), true, NULL);
        assert_true(o.detach);
        assert_false(o.keep);
        assert_null(o.bundle);
        assert_int_equal(strv_length(pos), 7);
        assert_string_equal(pos[0], "id");
        assert_string_equal(pos[1], "sh");
        assert_string_equal(pos[2], "-c");
        assert_string_equal(pos[3], "ls -l");
        assert_string_equal(pos[4], "--keep");
        assert_string_equal(pos[5], "-b");
        assert_string_equal(pos[6], "x");
}

static void
test_double_dash_ends_flags(void **state)
{
        struct opts o = {0};
        cleanup_free char **pos = NULL;
        (void) state;

        pos = parse_ok(&o, ARGV("-d", "--", "--keep", "-", "--"), false, NULL);
        assert_true(o.detach);
        assert_false(o.keep);
        assert_int_equal(strv_length(pos), 3);
        assert_string_equal(pos[0], "--keep");
        assert_string_equal(pos[1], "-");
        assert_string_equal(pos[2], "--");
}

static void
test_help(void **state)
{
        struct opts o = {0};
        cleanup_free char **p1 = NULL;
        cleanup_free char **p2 = NULL;
        cleanup_free char **p3 = NULL;
        bool help = false;
        (void) state;

        p1 = parse_ok(&o, ARGV("id", "--help"), false, &help);
        assert_true(help);
        assert_string_equal(p1[0], "id");
        help = false;
        p2 = parse_ok(&o, ARGV("-h"), false, &help);
        assert_true(help);
        /* Nowhere to say it: still no error. */
        p3 = parse_ok(&o, ARGV("-help"), false, NULL);
        assert_null(p3[0]);
}

static void
test_strv_repeated(void **state)
{
        struct opts o = {0};
        cleanup_free char **pos = NULL;
        (void) state;

        pos = parse_ok(&o, ARGV("--env", "A=1", "-e", "B=2", "--env=C=3", "-env", "D="), false,
                       NULL);
        assert_int_equal(strv_length(o.env), 4);
        assert_string_equal(o.env[0], "A=1");
        assert_string_equal(o.env[1], "B=2");
        assert_string_equal(o.env[2], "C=3");
        assert_string_equal(o.env[3], "D=");
        assert_null(pos[0]);
        strv_free(o.env);
}

static void
test_int(void **state)
{
        struct opts o = {0};
        cleanup_free char **p1 = NULL;
        cleanup_free char **p2 = NULL;
        (void) state;

        p1 = parse_ok(&o, ARGV("--preserve-fds", "3"), false, NULL);
        assert_int_equal(o.preserve_fds, 3);
        p2 = parse_ok(&o, ARGV("--preserve-fds=0"), false, NULL);
        assert_int_equal(o.preserve_fds, 0);
}

static void
test_int_bad_value(void **state)
{
        (void) state;
        parse_fails(ARGV("--preserve-fds", "abc"), "invalid value \"abc\" for flag --preserve-fds");
        parse_fails(ARGV("--preserve-fds=3x"), "invalid value \"3x\" for flag --preserve-fds");
        parse_fails(ARGV("--preserve-fds="), "invalid value \"\" for flag --preserve-fds");
        parse_fails(ARGV("--preserve-fds", "-1"), "invalid value \"-1\" for flag --preserve-fds");
        parse_fails(ARGV("--preserve-fds", "99999999999999999999"),
                    "invalid value \"99999999999999999999\" for flag --preserve-fds");
}

static void
test_no_arguments(void **state)
{
        struct opts o = {0};
        cleanup_free char **pos = NULL;
        char *argv[] = {NULL};
        (void) state;

        pos = parse_ok(&o, argv, false, NULL);
        assert_null(pos[0]);
        assert_null(o.bundle);
        assert_false(o.detach);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flag_spellings),
                cmocka_unit_test(test_value_may_look_like_a_flag),
                cmocka_unit_test(test_bool_flags),
                cmocka_unit_test(test_bool_bad_value),
                cmocka_unit_test(test_unknown_flag),
                cmocka_unit_test(test_missing_value),
                cmocka_unit_test(test_positionals_interleaved),
                cmocka_unit_test(test_stop_at_positional),
                cmocka_unit_test(test_double_dash_ends_flags),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_strv_repeated),
                cmocka_unit_test(test_int),
                cmocka_unit_test(test_int_bad_value),
                cmocka_unit_test(test_no_arguments),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
