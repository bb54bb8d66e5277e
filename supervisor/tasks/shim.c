/* supervisor/tasks/shim.c: the shim's `start` and `delete` actions; see shim.h. */
#include <config.h>

#include "supervisor/tasks/shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define START_TIMEOUT_MS  10000 /* containerd: the start action runs under its shim-load context */
#define DELETE_TIMEOUT_MS 5000  /* containerd: cleanup timeout */
#define OUTPUT_MAX        (64 * 1024)

char **
task_shim_argv_build(const struct task_shim_config *c, const char *id, const char *bundle,
                     const char *action)
{
        char **v = NULL;

        strv_push(&v, c->shim_binary);
        strv_push(&v, "-namespace");
        strv_push(&v, c->ns);
        strv_push(&v, "-address");
        strv_push(&v, c->address ? c->address : "");
        strv_push(&v, "-publish-binary");
        strv_push(&v, c->publish_binary ? c->publish_binary : "");
        strv_push(&v, "-id");
        strv_push(&v, id);
        if (bundle) {
                strv_push(&v, "-bundle");
                strv_push(&v, bundle);
        }
        if (c->debug)
                strv_push(&v, "-debug");
        strv_push(&v, action);
        return v;
}

static bool
env_is(const char *entry, const char *name)
{
        size_t n = strlen(name);

        return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

char **
task_shim_env_build(const struct task_shim_config *c, char *const *base)
{
        char **v = NULL;

        for (size_t i = 0; base && base[i]; i++) {
                if (env_is(base[i], "TTRPC_ADDRESS") || env_is(base[i], "BERTH_SHIM_SOCKET_ROOT")
                    || env_is(base[i], "NOTIFY_SOCKET"))
                        continue;
                strv_push(&v, base[i]);
        }
        if (c->events_address) {
                cleanup_free char *s = xasprintf("TTRPC_ADDRESS=%s", c->events_address);
                strv_push(&v, s);
        }
        if (c->socket_root) {
                cleanup_free char *s = xasprintf("BERTH_SHIM_SOCKET_ROOT=%s", c->socket_root);
                strv_push(&v, s);
        }
        if (!v)
                strv_push(&v, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return v;
}

struct action_result {
        int status; /* waitpid's */
        char *out;  /* stdout (with stderr when combined) */
        size_t out_len;
        char *errout; /* stderr when not combined */
        size_t errout_len;
};

static void
action_result_done(struct action_result *r)
{
        free(r->out);
        free(r->errout);
}

static int64_t
now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
append(char **buf, size_t *len, const char *data, size_t n)
{
        if (*len + n > OUTPUT_MAX)
                n = OUTPUT_MAX - *len;
        *buf = xrealloc(*buf, *len + n + 1);
        memcpy(*buf + *len, data, n);
        *len += n;
        (*buf)[*len] = '\0';
}

/* Run ARGV in CWD with ENV; stdin from STDIN_DATA (a memfd, so no pipe can fill up), stdout
 * (and with COMBINE stderr) read into R. */
static int
action_run(char **argv, char **env, const char *cwd, const uint8_t *stdin_data, size_t stdin_len,
           bool combine, int timeout_ms, struct action_result *r, berth_error_t **err)
{
        cleanup_close int in = memfd_create("shim-stdin", MFD_CLOEXEC);
        int out[2] = {-1, -1}, errp[2] = {-1, -1};
        sigset_t none;
        pid_t pid;

        if (in < 0)
                return berth_error_sys(err, errno, "memfd_create");
        if (stdin_len > 0
            && (fs_write_all(in, stdin_data, stdin_len) < 0 || lseek(in, 0, SEEK_SET) < 0))
                return berth_error_sys(err, errno, "shim stdin");
        if (pipe2(out, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "pipe");
        if (!combine && pipe2(errp, O_CLOEXEC) < 0) {
                int e = errno;
                close(out[0]);
                close(out[1]);
                return berth_error_sys(err, e, "pipe");
        }
        {
                /* posix_spawn: a vfork-style clone, no copy of berthd's page tables, nothing of
                 * berthd's runs in the child. Its own process group, as containerd's setpgid (a
                 * signal to berthd's group does not reach the shim); no blocked signals and
                 * SIGPIPE back to default (berthd's signalfd mask and ignored SIGPIPE must not
                 * reach containers). */
                posix_spawn_file_actions_t fa;
                posix_spawnattr_t at;
                sigset_t def;
                int e;

                sigemptyset(&none);
                sigemptyset(&def);
                sigaddset(&def, SIGPIPE);
                posix_spawn_file_actions_init(&fa);
                posix_spawn_file_actions_addchdir_np(&fa, cwd);
                posix_spawn_file_actions_adddup2(&fa, in, 0);
                posix_spawn_file_actions_adddup2(&fa, out[1], 1);
                posix_spawn_file_actions_adddup2(&fa, combine ? out[1] : errp[1], 2);
                posix_spawnattr_init(&at);
                posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK
                                                      | POSIX_SPAWN_SETSIGDEF);
                posix_spawnattr_setpgroup(&at, 0);
                posix_spawnattr_setsigmask(&at, &none);
                posix_spawnattr_setsigdefault(&at, &def);
                e = posix_spawn(&pid, argv[0], &fa, &at, argv, env);
                posix_spawn_file_actions_destroy(&fa);
                posix_spawnattr_destroy(&at);
                if (e != 0) {
                        close(out[0]);
                        close(out[1]);
                        if (errp[0] >= 0) {
                                close(errp[0]);
                                close(errp[1]);
                        }
                        return berth_error_sys(err, e, "run \"%s\" in \"%s\"", argv[0], cwd);
                }
        }
        close(out[1]);
        if (errp[1] >= 0)
                close(errp[1]);
        struct pollfd pfd[2] = {{.fd = out[0], .events = POLLIN},
                                {.fd = errp[0], .events = POLLIN}};
        int64_t deadline = now_ms() + timeout_ms;
        bool timed_out = false;
        while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
                int64_t left = deadline - now_ms();
                if (left <= 0) {
                        timed_out = true;
                        break;
                }
                int n = poll(pfd, 2, (int) left);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break;
                for (int i = 0; i < 2; i++) {
                        if (pfd[i].fd < 0 || !pfd[i].revents)
                                continue;
                        char buf[4096];
                        ssize_t k = read(pfd[i].fd, buf, sizeof(buf));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0) {
                                close(pfd[i].fd);
                                pfd[i].fd = -1;
                                continue;
                        }
                        if (i == 0)
                                append(&r->out, &r->out_len, buf, (size_t) k);
                        else
                                append(&r->errout, &r->errout_len, buf, (size_t) k);
                }
        }
        for (int i = 0; i < 2; i++)
                if (pfd[i].fd >= 0)
                        close(pfd[i].fd);
        if (timed_out)
                kill(-pid, SIGKILL);
        while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
                ;
        if (timed_out)
                return berth_error_new(err, ETIMEDOUT, "\"%s %s\" did not finish within %d ms",
                                       argv[0], argv[strv_length(argv) - 1], timeout_ms);
        return 0;
}

int
task_shim_start(const struct task_shim_config *c, const char *id, const char *bundle,
                const uint8_t *options, size_t options_len, char **ret_address, berth_error_t **err)
{
        cleanup_strv char **argv = task_shim_argv_build(c, id, NULL, "start");
        extern char **environ;
        cleanup_strv char **env = task_shim_env_build(c, environ);
        struct action_result res = {0};
        int r;

        r = action_run(argv, env, bundle, options, options_len, true, START_TIMEOUT_MS, &res, err);
        if (r < 0) {
                action_result_done(&res);
                return berth_error_prefix(err, "start shim for task \"%s\"", id);
        }
        /* containerd trims the combined output and takes it as the address, or as the error. */
        const char *o = res.out ? res.out : "";
        size_t b = 0, e = res.out_len;
        while (b < e && strchr(" \t\r\n", o[b]))
                b++;
        while (e > b && strchr(" \t\r\n", o[e - 1]))
                e--;
        if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0) {
                if (WIFEXITED(res.status))
                        r = berth_error_new(err, EIO,
                                            "start shim for task \"%s\": exit status %d: %.*s", id,
                                            WEXITSTATUS(res.status), (int) (e - b), o + b);
                else
                        r = berth_error_new(err, EIO,
                                            "start shim for task \"%s\": killed by signal %d", id,
                                            WTERMSIG(res.status));
                action_result_done(&res);
                return r;
        }
        if (e == b) {
                action_result_done(&res);
                return berth_error_new(err, EIO,
                                       "start shim for task \"%s\": it printed no address", id);
        }
        *ret_address = xstrndup(o + b, e - b);
        action_result_done(&res);
        return 0;
}

int
task_shim_delete(const struct task_shim_config *c, const char *id, const char *bundle,
                 struct task_shim_deleted *ret, berth_error_t **err)
{
        cleanup_strv char **argv = task_shim_argv_build(c, id, bundle, "delete");
        extern char **environ;
        cleanup_strv char **env = task_shim_env_build(c, environ);
        struct action_result res = {0};
        int r;

        r = action_run(argv, env, bundle, NULL, 0, false, DELETE_TIMEOUT_MS, &res, err);
        if (r < 0) {
                action_result_done(&res);
                return berth_error_prefix(err, "shim delete action for task \"%s\"", id);
        }
        if (res.errout_len > 0)
                log_debug("%s: shim delete action: %s", id, res.errout);
        if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0) {
                r = berth_error_new(err, EIO,
                                    "shim delete action for task \"%s\" failed (status %d): %s", id,
                                    WIFEXITED(res.status) ? WEXITSTATUS(res.status)
                                                          : 128 + WTERMSIG(res.status),
                                    res.errout ? res.errout : "");
                action_result_done(&res);
                return r;
        }
        Containerd__Task__V2__DeleteResponse *m = containerd__task__v2__delete_response__unpack(
                NULL, res.out_len, (const uint8_t *) res.out);
        action_result_done(&res);
        if (!m)
                return berth_error_new(
                        err, EBADMSG,
                        "shim delete action for task \"%s\": its output is not a DeleteResponse",
                        id);
        ret->pid = m->pid;
        ret->exit_status = m->exit_status;
        ret->exited_sec = m->exited_at ? m->exited_at->seconds : 0;
        ret->exited_nsec = m->exited_at ? m->exited_at->nanos : 0;
        containerd__task__v2__delete_response__free_unpacked(m, NULL);
        return 0;
}
