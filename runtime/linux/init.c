/* runtime/linux/init.c: the ordered steps of a container's init. The order is runc's
 * (libcontainer/standard_init_linux.go, rootfs_linux.go), each step explained where it matters. */
#include <config.h>

#include "runtime/linux/init.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/caps.h"
#include "runtime/linux/devices.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/mounts.h"
#include "runtime/linux/process.h"
#include "runtime/linux/resolve.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/sync.h"
#include "runtime/linux/terminal.h"
#include "runtime/linux/waiter.h"

static bool
has_new(const struct spec *spec, int type)
{
        const struct spec_namespace *ns = spec_find_namespace(spec, type);
        return ns && !ns->path;
}

/* Joined namespaces: the user namespace first, so the others are entered with its privileges. */
static int
join_namespaces(const struct spec *spec, berth_error_t **err)
{
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < spec->linux.n_namespaces; i++) {
                        const struct spec_namespace *ns = &spec->linux.namespaces[i];
                        cleanup_close int fd = -1;
                        if (!ns->path || ns->type == CLONE_NEWPID || ns->type == 0x80)
                                continue; /* pid and time: entered by the parent before clone */
                        if ((pass == 0) != (ns->type == CLONE_NEWUSER))
                                continue;
                        fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return berth_error_sys(err, errno, "linux.namespaces[%zu]: open \"%s\"", i, ns->path);
                        if (setns(fd, ns->type) < 0)
                                return berth_error_sys(err, errno, "linux.namespaces[%zu]: join %s namespace \"%s\"", i,
                                                       spec_namespace_name(ns->type), ns->path);
                }
        }
        return 0;
}

static int
apply_sysctl(const struct spec *spec, berth_error_t **err)
{
        for (size_t i = 0; spec->linux.sysctl && spec->linux.sysctl[i]; i += 2) {
                cleanup_free char *path = xasprintf("/proc/sys/%s", spec->linux.sysctl[i]);
                const char *val = spec->linux.sysctl[i + 1];
                for (char *p = path + 10; *p; p++) {
                        if (*p == '.')
                                *p = '/';
                }
                int r = fs_write_file(AT_FDCWD, path, val, strlen(val), err);
                if (r < 0)
                        return berth_error_prefix(err, "linux.sysctl.%s", spec->linux.sysctl[i]);
        }
        return 0;
}

static int
make_cwd(int rootfd, const char *cwd, berth_error_t **err)
{
        /* runc creates a missing cwd, as root and before pivot_root. */
        int fd = resolve_in_root(rootfd, cwd, RESOLVE_CREATE_DIR, err);
        if (fd < 0)
                return berth_error_prefix(err, "process.cwd");
        close(fd);
        return 0;
}

/* Load the filter now; with SCMP_ACT_NOTIFY rules hand the listener its fd (with the state as
 * the runtime sees it: HOST_STATE). */
static int
load_seccomp(const struct init_args *a, const char *host_state, berth_error_t **err)
{
        int fd = seccomp_filter_install(a->seccomp, a->seccomp_notify, err);
        int r;

        if (fd <= 0)
                return fd;
        r = seccomp_notify_send(&a->spec->linux.seccomp, a->seccomp_listener, fd, host_state, err);
        close(fd);
        close(a->seccomp_listener);
        return r;
}

static int
init_steps(const struct init_args *a, char **hook_state, char **host_state, berth_error_t **err)
{
        const struct spec *spec = a->spec;
        const struct spec_process *p = &spec->process;
        cleanup_close int rootfd = -1;
        int r;

        r = sync_expect_text(a->sync_fd, SYNC_GO, hook_state, err);
        if (r < 0)
                return r;
        if (a->cgroup_join) {
                r = cgroup_join_child(a->cgroup_join, err);
                if (r < 0)
                        return r;
        }
        *host_state = xstrdup(*hook_state);
        {
                /* Hooks run in here see the pid as the container sees it (runc passes 1). */
                cleanup_json struct json_object *st = json_tokener_parse(*hook_state);
                if (st) {
                        json_object_object_add(st, "pid", json_object_new_int(getpid()));
                        free(*hook_state);
                        *hook_state = xstrdup(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                }
        }
        if (has_new(spec, CLONE_NEWUSER)) {
                /* The parent wrote our id maps: become root of the new namespace. */
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        return berth_error_sys(err, errno, "become root in the user namespace");
        }
        r = join_namespaces(spec, err);
        if (r < 0)
                return r;
        /* In our cgroups by now (cgroup_join.h), so they become the root of the new namespace. */
        if (has_new(spec, CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return berth_error_sys(err, errno, "unshare cgroup namespace");
        if (setsid() < 0)
                return berth_error_sys(err, errno, "setsid");
        if (!a->no_new_keyring) {
                /* A session keyring of its own, so keys never leak between containers (runc). */
                char name[64];
                snprintf(name, sizeof(name), "_ses.berth");
                (void) syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name);
        }

        /* Nodes and directories get exactly the modes asked for; process.user.umask comes later. */
        umask(0);
        rootfd = rootfs_prepare(a->rootfs, spec, err);
        if (rootfd < 0)
                return rootfd;
        struct mount_ctx mc = {
                .rootfd = rootfd,
                .bundle = a->bundle,
                .cgroup_dirs = a->cgroup_dirs,
                .new_cgroupns = has_new(spec, CLONE_NEWCGROUP),
                .new_userns = spec_find_namespace(spec, CLONE_NEWUSER) != NULL,
                .idmapped_fds = a->idmapped_fds,
        };
        r = mounts_apply(&mc, spec, err);
        if (r < 0)
                return r;
        r = devices_create(rootfd, spec, mc.new_userns, err);
        if (r < 0)
                return r;
        r = make_cwd(rootfd, p->cwd, err);
        if (r < 0)
                return r;

        /* prestart and createRuntime hooks run in the runtime's namespaces, now. */
        r = sync_send(a->sync_fd, SYNC_RUNTIME_HOOKS, err);
        if (r < 0)
                return r;
        r = sync_expect(a->sync_fd, SYNC_HOOKS_DONE, err);
        if (r < 0)
                return r;
        r = hooks_run(&spec->hooks, HOOK_CREATE_CONTAINER, *hook_state, err);
        if (r < 0)
                return r;

        r = rootfs_pivot(a->rootfs, a->no_pivot, err);
        if (r < 0)
                return r;
        if (p->terminal) {
                if (a->console_fd < 0)
                        return berth_error_new(err, EINVAL, "process.terminal is true but no console socket was given");
                r = terminal_setup(a->console_fd, p->console_height, p->console_width, true, err);
                if (r < 0)
                        return r;
                close(a->console_fd);
        }
        if (spec->has_hostname && spec->hostname[0] && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return berth_error_sys(err, errno, "hostname \"%s\"", spec->hostname);
        if (spec->has_domainname && spec->domainname[0]
            && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return berth_error_sys(err, errno, "domainname \"%s\"", spec->domainname);
        r = apply_sysctl(spec, err);
        if (r < 0)
                return r;
        r = rootfs_finalize(spec, err);
        if (r < 0)
                return r;

        r = process_apply_rlimits(p, err);
        if (r < 0)
                return r;
        r = process_apply_oom_score_adj(p, err);
        if (r < 0)
                return r;
        r = process_apply_scheduling(p, err);
        if (r < 0)
                return r;
        if (spec->linux.has_personality && personality(spec->linux.personality) < 0)
                return berth_error_sys(err, errno, "linux.personality");
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return berth_error_sys(err, errno, "process.noNewPrivileges");
        /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, so it must come before the
         * capabilities are dropped; with it, it comes last, so it sees as few of our own
         * syscalls as possible (runc: standard_init_linux.go). */
        if (a->seccomp && !p->no_new_privileges) {
                r = load_seccomp(a, *host_state, err);
                if (r < 0)
                        return r;
        }
        r = process_become_user(p, a->caps, a->last_cap, err);
        if (r < 0)
                return r;
        if (chdir(p->cwd) < 0)
                return berth_error_sys(err, errno, "process.cwd: chdir \"%s\"", p->cwd);
        return 0;
}

void
init_main(const struct init_args *a)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *hook_state = NULL;
        cleanup_free char *host_state = NULL;
        cleanup_free char *exe = NULL;
        cleanup_strv char **env = NULL;
        bool late_seccomp = a->seccomp && a->spec->process.no_new_privileges;
        char fifo_path[32];
        int fd, r, memfd = -1, bpf_fd = -1;

        /* Not dumpable while this is berth's image: no process of the container may open our
         * /proc/<pid>/exe (the host's binary) or memory (CVE-2019-5736). We still reach our own
         * /proc/self/fd; execve makes the process dumpable as usual. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* `berth run` blocks the signals it forwards; the process must not inherit that. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        r = init_steps(a, &hook_state, &host_state, &err);
        if (r == 0) {
                env = process_build_env(&a->spec->process, a->listen_fds);
                /* Found now, not after start: a missing binary fails `create` (runc). */
                r = process_find_executable(a->spec->process.args[0], env, &exe, &err);
        }
        /* The process is always exec'd from the sealed waiter, never from this image: an
         * executable that is /proc/self/exe then finds the memfd, not the host's berth
         * (CVE-2019-5736). The waiter also does the waiting and runs the startContainer hooks,
         * so a created container holds a few pages, not berth's image. */
        int hooks_fd = -1;
        if (r == 0) {
                berth_error_t *werr = NULL;
                memfd = waiter_memfd(&werr);
                berth_error_free(werr);
        }
        if (r == 0 && memfd >= 0 && a->spec->hooks.count[HOOK_START_CONTAINER]) {
                cleanup_json struct json_object *st = json_tokener_parse(hook_state);
                if (st)
                        json_object_object_add(st, "status", json_object_new_string("created"));
                hooks_fd = waiter_hooks_memfd(a->spec->hooks.list[HOOK_START_CONTAINER],
                                              a->spec->hooks.count[HOOK_START_CONTAINER],
                                              st ? json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : hook_state,
                                              &err);
                r = hooks_fd < 0 ? hooks_fd : 0;
        }
        bool hooks_path = memfd < 0 && a->spec->hooks.count[HOOK_START_CONTAINER] > 0;
        if (r == 0 && late_seccomp) {
                if (a->seccomp_notify) {
                        /* The listener must get its fd now, while we can still report. */
                        r = load_seccomp(a, host_state, &err);
                        late_seccomp = false;
                } else if (memfd >= 0) {
                        /* The waiter loads it itself, right before execve. */
                        bpf_fd = seccomp_filter_export(a->seccomp, &err);
                        r = bpf_fd < 0 ? bpf_fd : 0;
                        late_seccomp = false;
                }
        }
        if (r == 0)
                r = process_prepare_fds(a->preserve_fds + a->listen_fds, &err);
        /* The LSM label takes effect at the next execve (the waiter's: it runs confined already,
         * as the process will). Without the waiter, it is set after the hooks, or they would
         * be exec'd into it. */
        if (r == 0 && !hooks_path)
                r = lsm_set_exec_label(&a->spec->process, &err);
        if (r == 0)
                r = sync_send(a->sync_fd, SYNC_CREATED, &err);
        if (r < 0) {
                sync_send_error(a->sync_fd, err);
                _exit(1);
        }
        close(a->sync_fd);
        if (memfd >= 0) {
                berth_error_t *werr = NULL;
                waiter_exec(memfd, a->fifo_fd, bpf_fd, a->spec->linux.seccomp.flags, hooks_fd, exe,
                            a->spec->process.args, env, &werr);
                /* Still here: do it all in-process instead. */
                berth_error_free(werr);
                close(memfd);
                memfd = -1;
                hooks_path = a->spec->hooks.count[HOOK_START_CONTAINER] > 0;
                if (bpf_fd >= 0)
                        late_seccomp = true;
        }

        /* Block until `start` opens the fifo for reading (runc's exec.fifo). */
        resolve_fd_path(a->fifo_fd, fifo_path);
        do
                fd = open(fifo_path, O_WRONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0 || fs_write_all(fd, "0", 1) < 0)
                _exit(1);
        /* fd stays open, close-on-exec: `start` sees end-of-file when execve happens. */
        close(a->fifo_fd);

        if (hooks_path) {
                cleanup_json struct json_object *st = json_tokener_parse(hook_state);
                if (st) {
                        json_object_object_add(st, "status", json_object_new_string("created"));
                        free(hook_state);
                        hook_state = xstrdup(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                }
                if (hooks_run(&a->spec->hooks, HOOK_START_CONTAINER, hook_state, &err) < 0
                    || lsm_set_exec_label(&a->spec->process, &err) < 0) {
                        dprintf(2, "%s\n", err->msg);
                        _exit(1);
                }
        }
        if (late_seccomp && seccomp_filter_install(a->seccomp, false, &err) < 0) {
                dprintf(2, "%s\n", err->msg);
                _exit(1);
        }
        execve(exe, a->spec->process.args, env);
        dprintf(2, "exec \"%s\": %s\n", exe, strerror(errno));
        _exit(127);
}
