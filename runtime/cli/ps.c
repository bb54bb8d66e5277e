/* runtime/cli/ps.c: `berth ps`: the container's processes, as host pids (json) or as the rows
 * of the host's ps (table, ps arguments passed through; default -ef). */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"
#include "runtime/linux/cgroup.h"

static bool
listed(const pid_t *pids, size_t n, long pid)
{
        for (size_t i = 0; i < n; i++) {
                if (pids[i] == (pid_t) pid)
                        return true;
        }
        return false;
}

int
cli_ps(struct cli_ctx *ctx, int argc, char **argv)
{
        const char *format = "table";
        bool help = false;
        const struct opt opts[] = {
                {"format", 'f', OPT_STRING, &format, "select one of: table or json (default: \"table\")"},
                {0},
        };
        struct container_state s = {0};
        cleanup_free pid_t *pids = NULL;
        size_t n = 0;
        char **pos = NULL;
        int r;

        r = args_parse(opts, argc, argv, true, &pos, &help, &ctx->err);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("ps [command options] <container-id> [ps options]", "ps - ps displays the processes running inside a container", opts);
                free(pos);
                return 0;
        }
        if (!pos[0]) {
                berth_error_new(&ctx->err, EINVAL, "\"ps\" requires a minimum of 1 argument");
                free(pos);
                return 1;
        }
        r = container_load(&ctx->rt, pos[0], &s, &ctx->err);
        if (r == 0)
                r = cgroup_pids(s.cgroup_dirs, &pids, &n, &ctx->err);
        if (r < 0)
                goto out;
        if (strcmp(format, "json") == 0) {
                printf("[");
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i ? "," : "", (int) pids[i]);
                printf("]\n");
        } else if (strcmp(format, "table") == 0) {
                /* The host's ps, keeping the header and the container's rows (runc does this). */
                cleanup_strv char **cmd = NULL;
                strv_push(&cmd, "ps");
                if (!pos[1])
                        strv_push(&cmd, "-ef");
                for (size_t i = 1; pos[i]; i++)
                        strv_push(&cmd, pos[i]);
                cleanup_free char *line = strv_join(cmd, " ");
                char buf[4096];
                int pid_col = -1, fds[2], wst = 0;
                pid_t child;
                FILE *f;
                /* No shell: the ps arguments are the caller's words, passed as they are. */
                if (pipe2(fds, O_CLOEXEC) < 0 || (child = fork()) < 0) {
                        r = berth_error_sys(&ctx->err, errno, "run ps");
                        goto out;
                }
                if (child == 0) {
                        dup2(fds[1], STDOUT_FILENO);
                        execvp("ps", cmd);
                        _exit(127);
                }
                close(fds[1]);
                f = fdopen(fds[0], "r");
                for (bool head = true; fgets(buf, sizeof(buf), f); head = false) {
                        cleanup_free char *copy = xstrdup(buf);
                        char *save = NULL;
                        int col = 0;
                        if (head) {
                                for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++) {
                                        if (strcmp(t, "PID") == 0)
                                                pid_col = col;
                                }
                                fputs(buf, stdout);
                                continue;
                        }
                        for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++) {
                                if (col == pid_col && listed(pids, n, strtol(t, NULL, 10)))
                                        fputs(buf, stdout);
                        }
                }
                fclose(f);
                while (waitpid(child, &wst, 0) < 0 && errno == EINTR)
                        ;
                if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0 || pid_col < 0)
                        r = berth_error_new(&ctx->err, EINVAL, "ps %s failed or printed no PID column", line);
        } else {
                r = berth_error_new(&ctx->err, EINVAL, "invalid format option");
        }
out:
        state_done(&s);
        free(pos);
        return r < 0 ? 1 : 0;
}
