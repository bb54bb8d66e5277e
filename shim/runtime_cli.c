/* shim/runtime_cli.c: running the low-level runtime; see runtime_cli.h. */
#include <config.h>

#include "shim/runtime_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"


char **
shim_runtime_argv(const struct shim_runtime *rt, char *const *args)
{
        char **v = NULL;

        strv_push(&v, rt->binary);
        if (rt->root) {
                strv_push(&v, "--root");
                strv_push(&v, rt->root);
        }
        if (rt->log) {
                strv_push(&v, "--log");
                strv_push(&v, rt->log);
                strv_push(&v, "--log-format");
                strv_push(&v, "json");
        }
        if (rt->systemd_cgroup)
                strv_push(&v, "--systemd-cgroup");
        if (rt->criu) {
                strv_push(&v, "--criu");
                strv_push(&v, rt->criu);
        }
        strv_foreach(a, args) strv_push(&v, a);
        return v;
}

char *
shim_runtime_log_error(const char *log)
{
        char *found = NULL;

        for (const char *line = log; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);
                struct json_tokener *tok = json_tokener_new();
                struct json_object *o = json_tokener_parse_ex(tok, line, (int) len);
                struct json_object *level = NULL, *msg = NULL;

                json_tokener_free(tok);
                if (o && json_object_object_get_ex(o, "level", &level) && json_object_object_get_ex(o, "msg", &msg)) {
                        const char *l = json_object_get_string(level);
                        if (l && (strcmp(l, "error") == 0 || strcmp(l, "fatal") == 0)) {
                                free(found);
                                found = xstrdup(json_object_get_string(msg));
                        }
                }
                json_object_put(o);
                line = nl ? nl + 1 : NULL;
        }
        return found;
}

/* The log's size now, so that only what this run appends is searched for its error. */
static off_t
log_size(const char *path)
{
        struct stat st;
        return path && stat(path, &st) == 0 ? st.st_size : 0;
}

static char *
log_tail_error(const char *path, off_t from)
{
        cleanup_free char *text = NULL;
        size_t len = 0;
        cleanup_error berth_error_t *ignored = NULL;

        /* No log (the runtime died before writing one) leaves the exit status as the message. */
        if (!path || fs_read_file(AT_FDCWD, path, &text, &len, &ignored) < 0)
                return NULL;
        if ((size_t) from > len)
                from = 0;
        return shim_runtime_log_error(text + from);
}

static void
child_setup_fd(int fd, int target)
{
        if (fd < 0) {
                fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd < 0)
                        _exit(127);
        }
        if (fd == target) {
                int flags = fcntl(fd, F_GETFD);
                if (flags >= 0)
                        (void) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
                return;
        }
        if (dup2(fd, target) < 0)
                _exit(127);
}

int
shim_runtime_run(const struct shim_runtime *rt, char *const *args, const struct shim_runtime_io *io,
                 berth_error_t **err)
{
        cleanup_strv char **argv = shim_runtime_argv(rt, args);
        off_t from = log_size(rt->log);
        pid_t parent = getpid();
        siginfo_t si;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return berth_error_sys(err, errno, "fork");
        if (pid == 0) {
                int in = io && io->in >= 0 ? fcntl(io->in, F_DUPFD_CLOEXEC, 3) : -1;
                int out = io && io->out >= 0 ? fcntl(io->out, F_DUPFD_CLOEXEC, 3) : -1;
                int er = io && io->err >= 0 ? fcntl(io->err, F_DUPFD_CLOEXEC, 3) : -1;
                sigset_t none;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                if (getppid() != parent)
                        _exit(127);
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                /* The shim ignores SIGPIPE; an ignored signal would be inherited through exec
                 * by the runtime and the container. */
                signal(SIGPIPE, SIG_DFL);
                child_setup_fd(in, 0);
                child_setup_fd(out, 1);
                child_setup_fd(er, 2);
                unsetenv("NOTIFY_SOCKET");
                execvp(argv[0], argv);
                _exit(127);
        }
        for (;;) {
                if (waitid(P_PID, (id_t) pid, &si, WEXITED) == 0)
                        break;
                if (errno != EINTR)
                        return berth_error_sys(err, errno, "wait for %s", argv[0]);
        }
        if (si.si_code == CLD_EXITED && si.si_status == 0)
                return 0;
        cleanup_free char *msg = log_tail_error(rt->log, from);
        cleanup_free char *verb = strv_join((char *const *) args, " ");
        if (msg)
                return berth_error_new(err, EIO, "%s", msg);
        if (si.si_code == CLD_EXITED && si.si_status == 127)
                return berth_error_new(err, ENOENT, "%s %s: the runtime could not be run (exit status 127)", rt->binary, verb);
        if (si.si_code == CLD_EXITED)
                return berth_error_new(err, EIO, "%s %s: exit status %d", rt->binary, verb, si.si_status);
        return berth_error_new(err, EIO, "%s %s: killed by signal %d", rt->binary, verb, si.si_status);
}
