/* runtime/container/load.c: ids, directories and loading state. */
#include <config.h>

#include "runtime/container/container.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/xalloc.h"

int
container_validate_id(const char *id, berth_error_t **err)
{
        if (!id || !id[0])
                return berth_error_new(err, EINVAL, "container id cannot be empty");
        if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
                return berth_error_new(err, EINVAL, "invalid container id: \"%s\"", id);
        if (strlen(id) > 1024)
                return berth_error_new(err, EINVAL, "invalid container id: too long");
        for (const char *p = id; *p; p++) {
                if (!isalnum((unsigned char) *p) && !strchr("_+-.", *p))
                        return berth_error_new(err, EINVAL, "invalid container id format: %s", id);
        }
        return 0;
}

char *
container_dir(const struct runtime_ctx *ctx, const char *id)
{
        return xasprintf("%s/%s", ctx->root, id);
}

int
container_load(const struct runtime_ctx *ctx, const char *id, struct container_state *s,
               berth_error_t **err)
{
        cleanup_free char *dir = NULL;
        cleanup_error berth_error_t *e = NULL;
        int r;

        r = container_validate_id(id, err);
        if (r < 0)
                return r;
        dir = container_dir(ctx, id);
        r = state_read(dir, s, &e);
        if (r == -ENOENT)
                return berth_error_new(err, ENOENT, "container does not exist");
        if (r < 0) {
                *err = TAKE_PTR(e);
                return r;
        }
        return 0;
}

static const struct {
        const char *name;
        int sig;
} signals[] = {
        {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
        {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
        {"FPE", SIGFPE},     {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
        {"USR2", SIGUSR2},   {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
        {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},    {"CONT", SIGCONT},
        {"STOP", SIGSTOP},   {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},
        {"URG", SIGURG},     {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM},
        {"PROF", SIGPROF},   {"WINCH", SIGWINCH},   {"IO", SIGIO},       {"POLL", SIGPOLL},
        {"PWR", SIGPWR},     {"SYS", SIGSYS},
};

int
container_parse_signal(const char *s, int *ret, berth_error_t **err)
{
        char *end;
        long n;

        if (!s || !s[0])
                return berth_error_new(err, EINVAL, "empty signal");
        n = strtol(s, &end, 10);
        if (*end == '\0') {
                /* 0 probes, as kill(2) does: runc accepts it */
                if (n < 0 || n > SIGRTMAX)
                        return berth_error_new(err, EINVAL, "unknown signal \"%s\"", s);
                *ret = (int) n;
                return 0;
        }
        const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
                if (strcasecmp(name, signals[i].name) == 0) {
                        *ret = signals[i].sig;
                        return 0;
                }
        }
        if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
                bool min = strncasecmp(name, "RTMIN", 5) == 0;
                long off = 0;
                if (name[5] && (name[5] == '+' || name[5] == '-')) {
                        off = strtol(name + 5, &end, 10);
                        if (*end)
                                return berth_error_new(err, EINVAL, "unknown signal \"%s\"", s);
                } else if (name[5]) {
                        return berth_error_new(err, EINVAL, "unknown signal \"%s\"", s);
                }
                long v = (min ? SIGRTMIN : SIGRTMAX) + off;
                if (v < SIGRTMIN || v > SIGRTMAX)
                        return berth_error_new(err, EINVAL, "unknown signal \"%s\"", s);
                *ret = (int) v;
                return 0;
        }
        return berth_error_new(err, EINVAL, "unknown signal \"%s\"", s);
}

int
container_write_pid_file(const char *path, pid_t pid, berth_error_t **err)
{
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid);
        cleanup_free char *abs = NULL;

        /* runc resolves a relative pid file against the caller's cwd; no trailing newline. */
        if (path[0] != '/') {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof(cwd)))
                        return berth_error_sys(err, errno, "getcwd");
                abs = xasprintf("%s/%s", cwd, path);
        } else {
                abs = xstrdup(path);
        }
        int r = fs_replace_file(AT_FDCWD, abs, buf, (size_t) n, 0644, err);
        if (r < 0)
                return berth_error_prefix(err, "pid file");
        return 0;
}
