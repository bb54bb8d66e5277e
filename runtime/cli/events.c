/* runtime/cli/events.c: `berth events`: one stats object with --stats, otherwise a stats object
 * every --interval and an "oom" object whenever the kernel OOM-kills in the container, until it
 * stops (runc 1.1's two event types, interfaces.md 6.5). */
#include <config.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"
#include "runtime/linux/cgroup_stats.h"

/* Go's duration spelling as runc takes it: "5s", "500ms", "1m", "2". Milliseconds, or -1. */
static long
parse_interval(const char *s)
{
        char *end;
        double v = strtod(s, &end);

        if (end == s || v < 0)
                return -1;
        if (*end == '\0' || strcmp(end, "s") == 0)
                return (long) (v * 1000);
        if (strcmp(end, "ms") == 0)
                return (long) v;
        if (strcmp(end, "m") == 0)
                return (long) (v * 60000);
        return -1;
}

static void
emit(const char *type, const char *id, struct json_object *data)
{
        cleanup_json struct json_object *o = json_object_new_object();

        json_object_object_add(o, "type", json_object_new_string(type));
        json_object_object_add(o, "id", json_object_new_string(id));
        if (data)
                json_object_object_add(o, "data", data);
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        fflush(stdout);
}

int
cli_events(struct cli_ctx *ctx, int argc, char **argv)
{
        bool stats = false, help = false;
        const char *interval = "5s";
        const struct opt opts[] = {
                {"interval", 0, OPT_STRING, &interval, "set the stats collection interval (default: 5s)"},
                {"stats", 0, OPT_BOOL, &stats, "display the container's stats then exit"},
                {0},
        };
        struct container_state s = {0};
        cleanup_free char *dir = NULL;
        char **pos = NULL;
        const char *id;
        long ms;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("events [command options] <container-id>", "events - display container events such as OOM notifications, cpu, memory, and IO usage statistics", opts);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "events", pos, &id);
        if (r < 0)
                goto out;
        ms = parse_interval(interval);
        if (ms <= 0) {
                r = berth_error_new(&ctx->err, EINVAL, "invalid --interval \"%s\"", interval);
                goto out;
        }
        r = container_load(&ctx->rt, id, &s, &ctx->err);
        if (r < 0)
                goto out;
        dir = container_dir(&ctx->rt, id);
        if (state_status(dir, &s) == STATUS_STOPPED) {
                r = berth_error_new(&ctx->err, ESRCH, "container with id %s is not running", id);
                goto out;
        }
        if (stats) {
                emit("stats", id, cgroup_stats_collect(s.cgroup_dirs));
                goto out;
        }
        uint64_t ooms = cgroup_oom_kills(s.cgroup_dirs);
        long waited = ms;
        /* OOM kills are checked every 100 ms; stats come every interval. */
        while (state_status(dir, &s) != STATUS_STOPPED) {
                uint64_t now = cgroup_oom_kills(s.cgroup_dirs);
                if (now > ooms)
                        emit("oom", id, NULL);
                ooms = now;
                if (waited >= ms) {
                        emit("stats", id, cgroup_stats_collect(s.cgroup_dirs));
                        waited = 0;
                }
                poll(NULL, 0, 100);
                waited += 100;
        }
        if (cgroup_oom_kills(s.cgroup_dirs) > ooms)
                emit("oom", id, NULL);
out:
        state_done(&s);
        free(pos);
        return r < 0 ? 1 : 0;
}
