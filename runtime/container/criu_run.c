/* runtime/container/criu_run.c: fork and exec criu with its fds in place, serve its action
 * script, wait, and explain a failure from criu's log. */
#include <config.h>

#include "runtime/container/criu_run.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/container/criu.h"
#include "runtime/linux/resolve.h"

#ifndef CLOSE_RANGE_CLOEXEC
#        define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Where criu usually is when the caller gives no PATH (Debian: /usr/sbin/criu). */
static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static bool
is_executable(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int
criu_find(const char *name, char **ret, berth_error_t **err)
{
        const char *path;
        char buf[PATH_MAX];

        if (!name || !name[0])
                name = "criu";
        if (strchr(name, '/')) {
                struct stat st;
                if (stat(name, &st) < 0) {
                        if (errno == ENOENT)
                                return berth_error_new(err, ENOENT, "criu: \"%s\" not found", name);
                        return berth_error_sys(err, errno, "criu: \"%s\"", name);
                }
                if (!is_executable(name))
                        return berth_error_new(err, EACCES, "criu: \"%s\" is not an executable file", name);
                *ret = xstrdup(realpath(name, buf) ? buf : name);
                return 0;
        }
        path = getenv("PATH");
        if (!path || !path[0])
                path = default_path;
        for (const char *p = path;;) {
                const char *colon = strchr(p, ':');
                size_t len = colon ? (size_t) (colon - p) : strlen(p);
                cleanup_free char *cand = xasprintf("%.*s/%s", (int) len, len ? p : ".", name);

                if (is_executable(cand)) {
                        *ret = xstrdup(realpath(cand, buf) ? buf : cand);
                        return 0;
                }
                if (!colon)
                        break;
                p = colon + 1;
        }
        return berth_error_new(err, ENOENT, "criu: \"%s\" not found in PATH", name);
}

char **
criu_mount_dests(const char *rootfs, const struct spec *spec)
{
        cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        char **v = xzalloc((spec->n_mounts + 1) * sizeof(char *));
        size_t rl = strlen(rootfs);

        for (size_t i = 0; rootfd >= 0 && i < spec->n_mounts; i++) {
                cleanup_close int fd = resolve_in_root(rootfd, spec->mounts[i].destination, RESOLVE_CREATE_NONE, NULL);
                char link[32], target[PATH_MAX];
                ssize_t n;

                if (fd < 0)
                        continue;
                resolve_fd_path(fd, link);
                n = readlink(link, target, sizeof(target) - 1);
                if (n <= 0)
                        continue;
                target[n] = '\0';
                if (strncmp(target, rootfs, rl) == 0 && target[rl] == '/')
                        v[i] = xstrdup(target + rl);
        }
        /* strv_free stops at the first NULL: keep the unresolved ones as written instead. */
        for (size_t i = 0; i < spec->n_mounts; i++) {
                if (!v[i])
                        v[i] = xstrdup(spec->mounts[i].destination);
        }
        return v;
}

char *
criu_config_file(char *const *annotations)
{
        for (size_t i = 0; annotations && annotations[i] && annotations[i + 1]; i += 2) {
                if (strcmp(annotations[i], "org.criu.config") == 0) {
                        if (!annotations[i + 1][0] || access(annotations[i + 1], F_OK) < 0)
                                return NULL;
                        return xstrdup(annotations[i + 1]);
                }
        }
        return access("/etc/criu/runc.conf", F_OK) == 0 ? xstrdup("/etc/criu/runc.conf") : NULL;
}

char *
criu_self_script(void)
{
        return xasprintf("/proc/%d/exe", (int) getpid());
}

/* The child's report when it fails before exec: errno, then the message. */
struct child_report {
        int code;
        char msg[4000];
};

static void __attribute__((noreturn))
child_fail(int fd, int code, const char *msg)
{
        struct child_report rep = {.code = code > 0 ? code : EIO};

        snprintf(rep.msg, sizeof(rep.msg), "%s", msg);
        (void) fs_write_all(fd, &rep, sizeof(rep));
        _exit(127);
}

static void __attribute__((noreturn))
child_main(const struct criu_run *r, const int *src, size_t total, int report, int errw)
{
        size_t n = strv_length(r->argv);
        cleanup_free char **argv = xzalloc((n + 2) * sizeof(char *));
        int hi[64];
        sigset_t none;
        char num[16];

        /* criu expects the default signal state; ours may block what `restore` forwards. */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        /* Every fd we hand on goes above the targets first, so that no dup2 below lands on one
         * not yet moved (a --status-fd may be any number, even 1). */
        report = fcntl(report, F_DUPFD_CLOEXEC, (int) (3 + total));
        if (r->quiet)
                errw = fcntl(errw, F_DUPFD_CLOEXEC, (int) (3 + total));
        for (size_t i = 0; i < total; i++) {
                hi[i] = fcntl(src[i], F_DUPFD_CLOEXEC, (int) (3 + total));
                if (hi[i] < 0)
                        child_fail(report, errno, "move an fd for criu");
        }
        if (r->quiet) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null < 0 || errw < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(errw, 2) < 0)
                        child_fail(report, errno, "criu's stdio");
        }
        for (size_t i = 0; i < total; i++) {
                if (dup2(hi[i], (int) (3 + i)) < 0)
                        child_fail(report, errno, "pass an fd to criu");
                close(hi[i]);
        }
        /* Nothing else of ours reaches criu (nor, through it, the restored processes). */
        (void) syscall(SYS_close_range, 3 + total, ~0U, CLOSE_RANGE_CLOEXEC);
        if (r->notify) {
                snprintf(num, sizeof(num), "%zu", 3 + r->n_fds);
                setenv(CRIU_NOTIFY_ENV, num, 1);
        }
        if (!getenv("PATH"))
                setenv("PATH", default_path, 1);
        if (r->child_setup) {
                berth_error_t *e = NULL;
                if (r->child_setup(r->child_data, &e) < 0)
                        child_fail(report, e->code, e->msg);
        }
        argv[0] = (char *) r->exe;
        for (size_t i = 0; i < n; i++)
                argv[i + 1] = r->argv[i];
        execv(r->exe, argv);
        {
                char msg[PATH_MAX + 64];
                int e = errno;
                snprintf(msg, sizeof(msg), "exec criu \"%s\": %s", r->exe, strerror(e));
                child_fail(report, e, msg);
        }
}

/* One request from the action script: "ACTION PID"; the answer is "0", or "1" and a message. */
static void
serve_notify(const struct criu_run *r, int sock, bool *open_, berth_error_t **first_err)
{
        char buf[512];
        cleanup_free char *action = NULL;
        cleanup_free char *reply = NULL;
        cleanup_error berth_error_t *e = NULL;
        pid_t pid = 0;
        ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);

        if (n <= 0) {
                if (n == 0 || errno != EINTR)
                        *open_ = false;
                return;
        }
        buf[n] = '\0';
        if (criu_notify_parse(buf, &action, &pid, &e) == 0)
                (void) r->notify(r->notify_data, action, pid, &e);
        reply = e ? xasprintf("1%s", e->msg) : xstrdup("0");
        (void) send(sock, reply, strlen(reply), MSG_NOSIGNAL);
        /* The first failure is what the user needs; criu's own failure follows from it. */
        if (e && !*first_err)
                *first_err = TAKE_PTR(e);
}

static void
keep_tail(char *buf, size_t cap, size_t *len, const char *add, size_t n)
{
        if (n >= cap) {
                add += n - cap + 1;
                n = cap - 1;
        }
        if (*len + n >= cap) {
                size_t drop = *len + n - cap + 1;
                memmove(buf, buf + drop, *len - drop);
                *len -= drop;
        }
        memcpy(buf + *len, add, n);
        *len += n;
        buf[*len] = '\0';
}

/* The last non-empty line of criu's stderr, for a failure that came before its log. */
static char *
last_line(const char *s)
{
        const char *end = s + strlen(s);

        while (end > s && (end[-1] == '\n' || end[-1] == ' '))
                end--;
        const char *start = end;
        while (start > s && start[-1] != '\n')
                start--;
        return end > start ? xstrndup(start, (size_t) (end - start)) : NULL;
}

static int
failure(const struct criu_run *r, int status, const char *stderr_text, berth_error_t **err)
{
        cleanup_free char *log = NULL;
        cleanup_free char *line = NULL;
        cleanup_free char *how = NULL;

        if (fs_read_file(AT_FDCWD, r->log_path, &log, NULL, NULL) == 0)
                line = criu_log_error_line(log);
        if (!line && stderr_text[0])
                line = last_line(stderr_text);
        how = WIFSIGNALED(status) ? xasprintf("was killed by signal %d", WTERMSIG(status))
                                  : xasprintf("failed with exit status %d", WEXITSTATUS(status));
        if (line)
                return berth_error_new(err, EIO, "criu %s %s; log \"%s\" says: %s", r->argv[0], how,
                                       r->log_path, line);
        return berth_error_new(err, EIO, "criu %s %s; see log \"%s\"", r->argv[0], how, r->log_path);
}

int
criu_run(const struct criu_run *r, berth_error_t **err)
{
        size_t total = r->n_fds + (r->notify ? 1 : 0);
        int src[64];
        int rep[2] = {-1, -1};
        int sv[2] = {-1, -1};
        int errp[2] = {-1, -1};
        cleanup_close int pidfd = -1;
        cleanup_error berth_error_t *notify_err = NULL;
        char stderr_buf[4096] = "";
        size_t stderr_len = 0;
        bool sock_open, err_open;
        struct child_report report;
        ssize_t n;
        pid_t pid;
        int status = 0;

        if (total > 32)
                return berth_error_new(err, E2BIG, "criu: too many fds to pass");
        if (pipe2(rep, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "pipe");
        if ((r->notify && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
            || (r->quiet && pipe2(errp, O_CLOEXEC) < 0)) {
                int e = errno;
                close(rep[0]);
                close(rep[1]);
                if (sv[0] >= 0) {
                        close(sv[0]);
                        close(sv[1]);
                }
                return berth_error_sys(err, e, "criu: socketpair");
        }
        for (size_t i = 0; i < r->n_fds; i++)
                src[i] = r->fds[i];
        if (r->notify)
                src[r->n_fds] = sv[1];

        pid = fork();
        if (pid == 0) {
                close(rep[0]);
                if (sv[0] >= 0)
                        close(sv[0]);
                if (errp[0] >= 0)
                        close(errp[0]);
                child_main(r, src, total, rep[1], errp[1]);
        }
        close(rep[1]);
        if (sv[1] >= 0)
                close(sv[1]);
        if (errp[1] >= 0)
                close(errp[1]);
        if (pid < 0) {
                int e = errno;
                close(rep[0]);
                if (sv[0] >= 0)
                        close(sv[0]);
                if (errp[0] >= 0)
                        close(errp[0]);
                return berth_error_sys(err, e, "fork criu");
        }

        /* End of file: criu is executing. A report: the child failed before that. */
        n = fs_read_all(rep[0], &report, sizeof(report));
        close(rep[0]);
        if (n > 0) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                if (sv[0] >= 0)
                        close(sv[0]);
                if (errp[0] >= 0)
                        close(errp[0]);
                report.msg[sizeof(report.msg) - 1] = '\0';
                return berth_error_new(err, report.code > 0 ? report.code : EIO, "%s", report.msg);
        }

        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        sock_open = sv[0] >= 0;
        err_open = errp[0] >= 0;
        for (bool reaped = false; !reaped;) {
                struct pollfd p[3] = {
                        {.fd = pidfd, .events = POLLIN},
                        {.fd = sock_open ? sv[0] : -1, .events = POLLIN},
                        {.fd = err_open ? errp[0] : -1, .events = POLLIN},
                };
                /* Without a pidfd (old kernels), look at the child ten times a second. */
                int k = poll(p, 3, pidfd >= 0 ? -1 : 100);
                if (k < 0 && errno != EINTR) {
                        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                                ;
                        break;
                }
                if (k > 0 && sock_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
                        serve_notify(r, sv[0], &sock_open, &notify_err);
                if (k > 0 && err_open && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
                        char chunk[1024];
                        ssize_t got = read(errp[0], chunk, sizeof(chunk));
                        if (got > 0)
                                keep_tail(stderr_buf, sizeof(stderr_buf), &stderr_len, chunk, (size_t) got);
                        else if (got == 0 || errno != EINTR)
                                err_open = false;
                }
                if (pidfd >= 0 && !(k > 0 && (p[0].revents & POLLIN)))
                        continue;
                reaped = waitpid(pid, &status, pidfd >= 0 ? 0 : WNOHANG) == pid;
        }
        /* What criu said last on stderr before it went. */
        while (err_open) {
                char chunk[1024];
                ssize_t got = read(errp[0], chunk, sizeof(chunk));
                if (got <= 0)
                        break;
                keep_tail(stderr_buf, sizeof(stderr_buf), &stderr_len, chunk, (size_t) got);
        }
        if (sv[0] >= 0)
                close(sv[0]);
        if (errp[0] >= 0)
                close(errp[0]);
        if (notify_err) {
                *err = TAKE_PTR(notify_err);
                return -(*err)->code;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        return failure(r, status, stderr_buf, err);
}

int
criu_notify_send(int sock, const char *action, pid_t pid, berth_error_t **err)
{
        cleanup_free char *msg = criu_notify_format(action, pid);
        char reply[4096];
        ssize_t n;

        if (send(sock, msg, strlen(msg), MSG_NOSIGNAL) < 0)
                return berth_error_sys(err, errno, "criu action script: tell berth");
        do
                n = recv(sock, reply, sizeof(reply) - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return berth_error_sys(err, errno, "criu action script: wait for berth");
        if (n == 0)
                return berth_error_new(err, EPIPE, "criu action script: berth went away");
        reply[n] = '\0';
        if (reply[0] == '0')
                return 0;
        return berth_error_new(err, EIO, "%s", reply + 1);
}
