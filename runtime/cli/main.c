/* runtime/cli/main.c: `berth`: global flags in runc's order, then a verb. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/strv.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

static const struct {
        const char *name;
        cli_verb_fn fn;
        const char *summary;
} verbs[] = {
        {"create", cli_create, "create a container"},
        {"start", cli_start, "executes the user defined process in a created container"},
        {"run", cli_run, "create and run a container"},
        {"events", cli_events, "display container events such as OOM notifications, cpu, memory, and IO usage statistics"},
        {"exec", cli_exec, "execute new process inside the container"},
        {"state", cli_state, "output the state of a container"},
        {"list", cli_list, "lists containers started by berth with the given root"},
        {"kill", cli_kill, "kill sends the specified signal (default: SIGTERM) to the container's init process"},
        {"delete", cli_delete, "delete any resources held by the container often used with detached container"},
        {"pause", cli_pause, "pause suspends all processes inside the container"},
        {"resume", cli_resume, "resumes all processes that have been previously paused"},
        {"ps", cli_ps, "ps displays the processes running inside a container"},
        {"update", cli_update, "update container resource constraints"},
        {"checkpoint", cli_checkpoint, "checkpoint a running container"},
        {"restore", cli_restore, "restore a container from a previous checkpoint"},
        {"spec", cli_spec, "create a new specification file"},
        {"features", cli_features, "show the enabled features"},
};

int
cli_one_id(struct cli_ctx *ctx, const char *verb, char **pos, const char **ret_id)
{
        size_t n = strv_length(pos);

        if (n != 1)
                return berth_error_new(&ctx->err, EINVAL, "\"%s\" requires exactly 1 argument(s)", verb);
        *ret_id = pos[0];
        return 0;
}

static void
usage(void)
{
        printf("NAME:\n   berth - Open Container Initiative runtime\n\nUSAGE:\n   berth [global options] command [command options] [arguments...]\n\nVERSION:\n   %s\ncommit: %s\nspec: %s\n\nCOMMANDS:\n",
               PACKAGE_VERSION, BERTH_COMMIT, BERTH_OCI_VERSION);
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                printf("   %-10s %s\n", verbs[i].name, verbs[i].summary);
        printf("\nGLOBAL OPTIONS:\n   --debug             enable debug logging\n   --log value         set the log file to write berth logs to (default is '/dev/stderr')\n   --log-format value  set the log format ('text' (default), or 'json') (default: \"text\")\n   --root value        root directory for storage of container state (default: \"/run/berth/runtime\")\n   --criu value        path to the criu binary used for checkpoint and restore (default: \"criu\")\n   --systemd-cgroup    enable systemd cgroup support\n   --rootless value    ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")\n   --help, -h          show help\n   --version, -v       print the version\n");
}

static void
version(void)
{
        printf("berth version %s\ncommit: %s\nspec: %s\n", PACKAGE_VERSION, BERTH_COMMIT, BERTH_OCI_VERSION);
}

int
main(int argc, char **argv)
{
        struct cli_ctx ctx = {.rt = {.root = NULL}};
        const char *log_path = NULL, *log_format = "text", *criu = NULL, *rootless = NULL;
        const char *root = NULL;
        char xdg_root[4096];
        bool debug = false, systemd = false, help = false, show_version = false;
        const struct opt global[] = {
                {"root", 0, OPT_STRING, &root, NULL},
                {"log", 0, OPT_STRING, &log_path, NULL},
                {"log-format", 0, OPT_STRING, &log_format, NULL},
                {"debug", 0, OPT_BOOL, &debug, NULL},
                {"systemd-cgroup", 0, OPT_BOOL, &systemd, NULL},
                {"criu", 0, OPT_STRING, &criu, NULL},
                {"rootless", 0, OPT_STRING, &rootless, NULL},
                {"version", 'v', OPT_BOOL, &show_version, NULL},
                {0},
        };
        struct log_config lc = {.fd = -1, .format = LOG_FORMAT_TEXT, .level = LOG_LEVEL_WARN, .echo_errors = 1};
        cleanup_free char **words = NULL;
        int status = 1;

        /* criu runs berth as its action script during a restore: no flags, no verb. */
        if (cli_criu_notify_wanted(argc))
                return cli_criu_notify();
        /* Global flags stop at the first word that is not one of them: the verb; everything after
         * it is the verb's. */
        if (args_parse(global, argc - 1, argv + 1, true, &words, &help, &ctx.err) < 0) {
                log_berror(ctx.err);
                berth_error_free(ctx.err);
                return 1;
        }
        if (show_version) {
                version();
                return 0;
        }
        if (strcmp(log_format, "json") == 0)
                lc.format = LOG_FORMAT_JSON;
        else if (strcmp(log_format, "text") != 0) {
                fprintf(stderr, "invalid log-format: %s\n", log_format);
                return 1;
        }
        if (debug)
                lc.level = LOG_LEVEL_DEBUG;
        if (log_path && log_path[0]) {
                lc.fd = open(log_path, O_CREAT | O_WRONLY | O_APPEND | O_SYNC | O_CLOEXEC, 0644);
                if (lc.fd < 0) {
                        fprintf(stderr, "open log file \"%s\": %m\n", log_path);
                        return 1;
                }
        }
        log_setup(&lc);
        if (rootless && strcmp(rootless, "true") != 0 && strcmp(rootless, "false") != 0
            && strcmp(rootless, "auto") != 0) {
                log_error("invalid --rootless value \"%s\" (expected true, false or auto)", rootless);
                return 1;
        }
        if (rootless && strcmp(rootless, "true") == 0) {
                log_error("--rootless true: rootless containers are not supported yet");
                return 1;
        }

        if (!root) {
                const char *xdg = getenv("XDG_RUNTIME_DIR");
                if (geteuid() != 0 && xdg && xdg[0]) {
                        snprintf(xdg_root, sizeof(xdg_root), "%s/berth", xdg);
                        root = xdg_root;
                } else {
                        root = "/run/berth/runtime";
                }
        }
        ctx.rt.root = root;
        ctx.rt.debug = debug;
        ctx.rt.systemd_cgroup = systemd;
        ctx.rt.criu = criu;

        if (!words[0] || help) {
                usage();
                return 0;
        }
        for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
                if (strcmp(words[0], verbs[v].name) == 0) {
                        status = verbs[v].fn(&ctx, (int) strv_length(words) - 1, words + 1);
                        if (ctx.err) {
                                log_berror(ctx.err);
                                berth_error_free(ctx.err);
                        }
                        return status;
                }
        }
        log_error("No help topic for '%s'", words[0]);
        return 3;
}
