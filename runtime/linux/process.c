/* runtime/linux/process.c: per-process settings, each failure naming the config.json field. */
#include <config.h>

#include "runtime/linux/process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#        define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void
fmt_limit(uint64_t v, char buf[static 24])
{
        if (v == RLIM_INFINITY)
                strcpy(buf, "unlimited");
        else
                snprintf(buf, 24, "%" PRIu64, v);
}

int
process_apply_rlimits(const struct spec_process *p, berth_error_t **err)
{
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const struct spec_rlimit *rl = &p->rlimits[i];
                struct rlimit want = {.rlim_cur = rl->soft, .rlim_max = rl->hard}, cur;

                if (setrlimit(rl->resource, &want) == 0)
                        continue;
                int e = errno;
                char hard[24], have[24];
                fmt_limit(rl->hard, hard);
                if (e == EPERM && getrlimit(rl->resource, &cur) == 0 && rl->hard > cur.rlim_max) {
                        fmt_limit(cur.rlim_max, have);
                        return berth_error_new(err, EPERM,
                                               "process.rlimits[%zu]: %s hard limit %s is above the host's hard limit %s, and raising it needs CAP_SYS_RESOURCE",
                                               i, rl->name, hard, have);
                }
                return berth_error_sys(err, e, "process.rlimits[%zu]: set %s", i, rl->name);
        }
        return 0;
}

int
process_apply_oom_score_adj(const struct spec_process *p, berth_error_t **err)
{
        char buf[16];
        int n, r;

        if (!p->has_oom_score_adj)
                return 0;
        n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
        r = fs_write_file(AT_FDCWD, "/proc/self/oom_score_adj", buf, (size_t) n, NULL);
        if (r == 0)
                return 0;
        if (r == -EACCES || r == -EPERM) {
                cleanup_free char *cur = NULL;
                fs_read_file(AT_FDCWD, "/proc/self/oom_score_adj", &cur, NULL, NULL);
                if (cur)
                        cur[strcspn(cur, "\n")] = '\0';
                return berth_error_new(err, EPERM,
                                       "process.oomScoreAdj: cannot lower oom_score_adj from %s to %d: that needs CAP_SYS_RESOURCE",
                                       cur ? cur : "?", p->oom_score_adj);
        }
        return berth_error_sys(err, -r, "process.oomScoreAdj: write %d", p->oom_score_adj);
}

static int
apply_user(const struct spec_process *p, bool setgroups_allowed, berth_error_t **err)
{
        const struct spec_user *u = &p->user;

        if (setgroups_allowed && setgroups(u->n_additional_gids, u->additional_gids) < 0)
                return berth_error_sys(err, errno, "process.user.additionalGids: setgroups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return berth_error_sys(err, errno, "process.user.gid: setgid %u", (unsigned) u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return berth_error_sys(err, errno, "process.user.uid: setuid %u", (unsigned) u->uid);
        return 0;
}

int
process_become_user(const struct spec_process *p, const struct caps_sets *caps, unsigned last_cap,
                    berth_error_t **err)
{
        cleanup_free char *sg = NULL;
        bool allowed = true;
        int r;

        r = caps_prepare(caps, last_cap, err);
        if (r < 0)
                return r;
        if (fs_read_file(AT_FDCWD, "/proc/self/setgroups", &sg, NULL, NULL) == 0)
                allowed = strncmp(sg, "deny", 4) != 0;
        r = apply_user(p, allowed, err);
        if (r < 0)
                return r;
        r = caps_apply(caps, last_cap, err);
        if (r < 0)
                return r;
        umask(p->user.has_umask ? p->user.umask : 022);
        return 0;
}

const char *
process_env_get(char *const *env, const char *name)
{
        size_t n = strlen(name);

        strv_foreach(e, env)
        {
                if (strncmp(e, name, n) == 0 && e[n] == '=')
                        return e + n + 1;
        }
        return NULL;
}

/* HOME of UID from the container's /etc/passwd, or "/" (runc). */
static char *
passwd_home(uid_t uid)
{
        cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
        char line[1024];

        while (f && fgets(line, sizeof(line), f)) {
                char *fields[7] = {0};
                char *s = line;
                size_t n = 0;
                line[strcspn(line, "\n")] = '\0';
                /* strsep keeps empty fields, which strtok would merge. */
                while (n < 7 && (fields[n] = strsep(&s, ":")))
                        n++;
                if (n >= 6 && fields[2] && (uid_t) strtoul(fields[2], NULL, 10) == uid && fields[5][0])
                        return xstrdup(fields[5]);
        }
        return xstrdup("/");
}

char **
process_build_env(const struct spec_process *p, int listen_fds)
{
        char **env = NULL;

        strv_foreach(e, p->env)
        {
                if (listen_fds > 0 && (strncmp(e, "LISTEN_FDS=", 11) == 0 || strncmp(e, "LISTEN_PID=", 11) == 0))
                        continue;
                strv_push(&env, e);
        }
        if (!process_env_get(env, "HOME")) {
                cleanup_free char *home = passwd_home(p->user.uid);
                cleanup_free char *kv = xasprintf("HOME=%s", home);
                strv_push(&env, kv);
        }
        if (listen_fds > 0) {
                cleanup_free char *fds = xasprintf("LISTEN_FDS=%d", listen_fds);
                cleanup_free char *pid = xasprintf("LISTEN_PID=%d", (int) getpid());
                strv_push(&env, fds);
                strv_push(&env, pid);
        }
        if (!env)
                env = xzalloc(sizeof(char *));
        return env;
}

/* COMPAT(runc): Go's lowercase errno text ("no such file or directory"). Callers match it
 * case-sensitively to pick an exit status: docker's CLI (cli/command/container/run.go,
 * runStartContainerErr) answers 127 for "no such file or directory" and 126 for "permission
 * denied", and 125 for anything else; glibc's "No such file or directory" would be 125. */
static void
go_strerror(int errno_, char *buf, size_t size)
{
        snprintf(buf, size, "%s", strerror(errno_));
        buf[0] = (char) tolower((unsigned char) buf[0]);
}

/* runc's words (Go exec.LookPath: "stat PATH: ..." from os.Stat, else fs.ErrPermission), which
 * docker and podman map to exit statuses 127 and 126. */
static int
check_executable(const char *path, berth_error_t **err)
{
        char text[128];
        struct stat st;

        if (stat(path, &st) < 0) {
                int e = errno;
                go_strerror(e, text, sizeof(text));
                return berth_error_new(err, e, "exec: \"%s\": stat %s: %s", path, path, text);
        }
        if (S_ISDIR(st.st_mode))
                return berth_error_new(err, EACCES,
                                       "exec: \"%s\": is a directory: permission denied", path);
        if (access(path, X_OK) < 0) {
                int e = errno;
                go_strerror(e, text, sizeof(text));
                return berth_error_new(err, e, "exec: \"%s\": %s", path, text);
        }
        return 0;
}

int
process_find_executable(const char *arg0, char *const *env, char **ret, berth_error_t **err)
{
        const char *path = process_env_get(env, "PATH");
        cleanup_free char *copy = NULL;
        char *save = NULL;
        int r;

        if (strchr(arg0, '/')) {
                r = check_executable(arg0, err);
                if (r < 0)
                        return r;
                *ret = xstrdup(arg0);
                return 0;
        }
        if (!path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        copy = xstrdup(path);
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                cleanup_free char *full = xasprintf("%s/%s", dir[0] ? dir : ".", arg0);
                struct stat st;
                if (stat(full, &st) < 0 || S_ISDIR(st.st_mode) || access(full, X_OK) < 0)
                        continue;
                *ret = TAKE_PTR(full);
                return 0;
        }
        /* runc's (Go exec.LookPath) words, which callers and people recognise. */
        return berth_error_new(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
}

int
process_prepare_fds(int keep, berth_error_t **err)
{
        for (int fd = 3; fd < 3 + keep; fd++) {
                int fl = fcntl(fd, F_GETFD);
                if (fl < 0)
                        return berth_error_sys(err, errno, "preserved fd %d", fd);
                if (fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
                        return berth_error_sys(err, errno, "preserved fd %d", fd);
        }
        if (syscall(SYS_close_range, 3 + keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "close_range");
        return 0;
}

/* The kernel's struct sched_attr (glibc 2.36 has no wrapper). */
struct sched_attr_ {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
};

int
process_apply_scheduling(const struct spec_process *p, berth_error_t **err)
{
        if (p->has_io_priority) {
                /* IOPRIO_WHO_PROCESS = 1; the class sits above 13 bits of data. */
                long v = ((long) p->io_priority_class << 13) | p->io_priority;
                if (syscall(SYS_ioprio_set, 1, 0, v) < 0)
                        return berth_error_sys(err, errno, "process.ioPriority");
        }
        if (p->has_scheduler) {
                struct sched_attr_ attr = {
                        .size = sizeof(attr),
                        .sched_policy = (uint32_t) p->scheduler.policy,
                        .sched_flags = p->scheduler.flags,
                        .sched_nice = p->scheduler.nice,
                        .sched_priority = (uint32_t) p->scheduler.priority,
                        .sched_runtime = p->scheduler.runtime,
                        .sched_deadline = p->scheduler.deadline,
                        .sched_period = p->scheduler.period,
                };
                if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
                        return berth_error_sys(err, errno, "process.scheduler");
        }
        return 0;
}
