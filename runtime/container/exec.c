/* runtime/container/exec.c: `exec`: a new process in a running container, described by
 * --process (an OCI process object) or by the container's own process with the CLI's overrides
 * (runc's rules). */
#include <config.h>

#include "runtime/container/container.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/caps.h"
#include "runtime/linux/cgroup.h"
#include "runtime/linux/cgroup_exec.h"
#include "runtime/linux/cgroup_join.h"
#include "runtime/linux/join.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/seccomp_cache.h"
#include "runtime/linux/sync.h"

#ifndef CLONE_NEWTIME
#        define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        int type;
        const char *proc;
} ns_files[] = {
        {CLONE_NEWUSER, "user"}, {CLONE_NEWIPC, "ipc"},       {CLONE_NEWUTS, "uts"},
        {CLONE_NEWNET, "net"},   {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWNS, "mnt"},
        {CLONE_NEWPID, "pid"},   {CLONE_NEWTIME, "time"},
};

static void
strv_add_unique(char ***v, const char *s)
{
        strv_foreach(x, *v)
        {
                if (strcmp(x, s) == 0)
                        return;
        }
        strv_push(v, s);
}

/* The process from the CLI flags on top of the container's own (runc's exec without --process). */
static int
apply_overrides(const struct exec_opts *o, struct spec_process *p, berth_error_t **err)
{
        p->terminal = o->tty;
        if (o->args && o->args[0]) {
                strv_free(p->args);
                p->args = NULL;
                strv_foreach(a, o->args) strv_push(&p->args, a);
        }
        if (!p->args || !p->args[0])
                return berth_error_new(err, EINVAL, "exec: no command given");
        if (o->cwd) {
                if (o->cwd[0] != '/')
                        return berth_error_new(err, EINVAL, "--cwd \"%s\" is not an absolute path", o->cwd);
                free(p->cwd);
                p->cwd = xstrdup(o->cwd);
        }
        strv_foreach(e, o->env) strv_push(&p->env, e);
        if (spec_env_normalize(p->env, JPATH_KEY(NULL, "--env"), err) < 0)
                return -EINVAL;
        if (o->user) {
                char *end;
                unsigned long uid = strtoul(o->user, &end, 10);
                if (end == o->user || (*end && *end != ':'))
                        return berth_error_new(err, EINVAL, "--user \"%s\": expected uid[:gid]", o->user);
                p->user.uid = (uid_t) uid;
                if (*end == ':') {
                        char *g = end + 1;
                        unsigned long gid = strtoul(g, &end, 10);
                        if (end == g || *end)
                                return berth_error_new(err, EINVAL, "--user \"%s\": expected uid[:gid]", o->user);
                        p->user.gid = (gid_t) gid;
                }
        }
        strv_foreach(g, o->additional_gids)
        {
                char *end;
                unsigned long gid = strtoul(g, &end, 10);
                if (end == g || *end)
                        return berth_error_new(err, EINVAL, "--additional-gids \"%s\": expected a number", g);
                p->user.additional_gids = xreallocarray(p->user.additional_gids, p->user.n_additional_gids + 1, sizeof(gid_t));
                p->user.additional_gids[p->user.n_additional_gids++] = (gid_t) gid;
        }
        strv_foreach(c, o->caps)
        {
                strv_add_unique(&p->caps.bounding, c);
                strv_add_unique(&p->caps.effective, c);
                strv_add_unique(&p->caps.permitted, c);
        }
        if (o->no_new_privs)
                p->no_new_privileges = true;
        if (o->apparmor) {
                free(p->apparmor_profile);
                p->apparmor_profile = xstrdup(o->apparmor);
        }
        if (o->process_label) {
                free(p->selinux_label);
                p->selinux_label = xstrdup(o->process_label);
        }
        return 0;
}

static int
load_process_file(const char *path, struct spec_process *p, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        int r;

        r = json_parse_file(path, &doc, err);
        if (r < 0)
                return berth_error_prefix(err, "--process");
        r = json_expect_object(doc, NULL, err);
        if (r == 0)
                r = spec_parse_process(doc, NULL, p, err);
        if (r < 0)
                return berth_error_prefix(err, "--process \"%s\"", path);
        return 0;
}

int
container_exec(const struct runtime_ctx *ctx, const struct exec_opts *o, pid_t *ret_pid,
               berth_error_t **err)
{
        struct container_state s = {0};
        struct spec spec = {0};
        struct spec_process proc = {0};
        struct spec_process *p;
        struct caps_sets caps;
        unsigned last_cap = caps_last_cap();
        cleanup_seccomp_program struct seccomp_program seccomp = {0};
        cleanup_free char *dir = NULL;
        cleanup_close int console_fd = -1;
        int ns_fds[9], ns_types[9], n_ns = 0;
        int pid_fd = -1, time_fd = -1, saved_pid = -1, saved_time = -1;
        int sv[2] = {-1, -1};
        cleanup_close int listener = -1;
        cleanup_free char *state_json = NULL;
        enum container_status status;
        struct cgroup_host host = {0};
        struct cgroup_subs subs = {0};
        char **cg_dirs = NULL;
        cleanup_cgroup_join struct cgroup_join join = {.v2_fd = -1};
        pid_t pid = 0;
        int r;

        for (size_t i = 0; i < 9; i++)
                ns_fds[i] = -1;
        r = container_load(ctx, o->id, &s, err);
        if (r < 0)
                return r;
        dir = container_dir(ctx, o->id);
        status = state_status(dir, &s);
        if (status == STATUS_STOPPED) {
                r = berth_error_new(err, EINVAL, "cannot exec in a stopped container");
                goto out;
        }
        if (status == STATUS_PAUSED && !o->ignore_paused) {
                r = berth_error_new(err, EINVAL, "cannot exec in a paused container (use --ignore-paused to override)");
                goto out;
        }
        /* Where the process goes is settled before it exists: a missing sub-cgroup is the
         * caller's mistake, reported with nothing started. */
        r = cgroup_subs_parse(o->cgroups, &subs, err);
        if (r == 0)
                r = cgroup_host_detect(&host, err);
        if (r == 0)
                r = cgroup_exec_dirs(&host, s.cgroup_dirs, &subs, &cg_dirs, err);
        if (r == 0)
                r = cgroup_exec_check(cg_dirs, err);
        if (r < 0)
                goto out;
        /* It joins them before it enters the container's user namespace (cgroup_join.h). */
        cgroup_join_plan(&host, cg_dirs, true, &join);
        r = spec_load(s.bundle, &spec, err);
        if (r < 0)
                goto out;
        if (o->process_file) {
                r = load_process_file(o->process_file, &proc, err);
                if (r < 0)
                        goto out;
                p = &proc;
        } else {
                p = &spec.process;
                r = apply_overrides(o, p, err);
                if (r < 0)
                        goto out;
        }
        r = caps_parse(&p->caps, last_cap, &caps, err);
        if (r == 0 && spec.linux.seccomp.present)
                r = seccomp_program_load(&spec.linux.seccomp, ctx->root, &seccomp, err);
        if (r < 0)
                goto out;
        if (spec_seccomp_uses_notify(&spec.linux.seccomp)) {
                listener = seccomp_listener_connect(&spec.linux.seccomp, err);
                if (listener < 0) {
                        r = listener;
                        goto out;
                }
                state_json = state_hook_json(&s, "running");
        }
        if (p->apparmor_profile && !lsm_apparmor_enabled()) {
                r = berth_error_new(err, ENOTSUP, "apparmor profile \"%s\" given, but AppArmor is not enabled on this host", p->apparmor_profile);
                goto out;
        }
        if (p->terminal) {
                if (o->console_fd >= 0)
                        console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 3);
                else if (o->console_socket)
                        console_fd = sock_connect_unix(o->console_socket, err);
                else
                        console_fd = berth_error_new(err, EINVAL, "cannot allocate tty if runc will detach without setting console socket");
                if (console_fd < 0) {
                        r = console_fd;
                        goto out;
                }
        }

        /* The init's namespaces, opened while it is known alive (its start time guards reuse). */
        for (size_t i = 0; i < sizeof(ns_files) / sizeof(ns_files[0]); i++) {
                if (!spec_find_namespace(&spec, ns_files[i].type))
                        continue;
                cleanup_free char *path = xasprintf("/proc/%d/ns/%s", (int) s.pid, ns_files[i].proc);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        r = berth_error_sys(err, errno, "open \"%s\"", path);
                        goto out;
                }
                if (ns_files[i].type == CLONE_NEWPID)
                        pid_fd = fd;
                else if (ns_files[i].type == CLONE_NEWTIME)
                        time_fd = fd;
                else {
                        ns_fds[n_ns] = fd;
                        ns_types[n_ns++] = ns_files[i].type;
                }
        }
        if (!state_pid_alive(s.pid, s.start_time)) {
                r = berth_error_new(err, ESRCH, "container not running");
                goto out;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                r = berth_error_sys(err, errno, "socketpair");
                goto out;
        }
        /* pid and time namespaces apply to children: enter them for the clone, then leave. */
        if (pid_fd >= 0) {
                saved_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (setns(pid_fd, CLONE_NEWPID) < 0) {
                        r = berth_error_sys(err, errno, "join the container's pid namespace");
                        goto out;
                }
        }
        if (time_fd >= 0) {
                saved_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
                if (setns(time_fd, CLONE_NEWTIME) < 0) {
                        r = berth_error_sys(err, errno, "join the container's time namespace");
                        goto leave;
                }
        }
        cgroup_join_open(&join);
        pid = cgroup_join_clone(&join, 0);
        if (pid == 0) {
                struct join_args ja = {
                        .process = p,
                        .seccomp_spec = &spec.linux.seccomp,
                        .seccomp = seccomp.insns ? &seccomp : NULL,
                        .caps = &caps,
                        .last_cap = last_cap,
                        .ns_fds = ns_fds,
                        .ns_types = ns_types,
                        .sync_fd = sv[1],
                        .console_fd = console_fd,
                        .preserve_fds = o->preserve_fds,
                        .seccomp_notify = listener >= 0,
                        .seccomp_listener = listener,
                        .state_json = state_json,
                        .cgroup_join = &join,
                };
                close(sv[0]);
                join_main(&ja);
        }
        if (pid < 0)
                r = berth_error_sys(err, errno, "clone");
leave:
        if (saved_pid >= 0)
                (void) setns(saved_pid, CLONE_NEWPID);
        if (saved_time >= 0)
                (void) setns(saved_time, CLONE_NEWTIME);
        if (r < 0)
                goto out;
        close(sv[1]);
        sv[1] = -1;
        r = cgroup_exec_enter(&host, join.parent_dirs, subs.n > 0, s.pid, pid, err);
        if (r == 0)
                r = sync_send(sv[0], SYNC_GO, err);
        if (r == 0)
                r = sync_expect(sv[0], SYNC_CREATED, err);
        if (r == 0 && o->pid_file)
                r = container_write_pid_file(o->pid_file, pid, err);
        if (r < 0) {
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                pid = 0;
                goto out;
        }
        *ret_pid = pid;
out:
        for (int i = 0; i < n_ns; i++)
                close(ns_fds[i]);
        if (pid_fd >= 0)
                close(pid_fd);
        if (time_fd >= 0)
                close(time_fd);
        if (saved_pid >= 0)
                close(saved_pid);
        if (saved_time >= 0)
                close(saved_time);
        if (sv[0] >= 0)
                close(sv[0]);
        if (sv[1] >= 0)
                close(sv[1]);
        strv_free(cg_dirs);
        cgroup_subs_done(&subs);
        cgroup_host_done(&host);
        spec_process_done(&proc);
        spec_done(&spec);
        state_done(&s);
        return r;
}
