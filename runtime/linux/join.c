/* runtime/linux/join.c: the child of `exec`. The parent already put it in the container's pid and
 * time namespaces (they apply to children) and its cgroup; it joins the rest here, user first. */
#include <config.h>

#include "runtime/linux/join.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/process.h"
#include "runtime/linux/sync.h"
#include "runtime/linux/terminal.h"
#include "runtime/linux/waiter.h"

static int
join_namespaces(const struct join_args *a, berth_error_t **err)
{
        /* The user namespace first: the others are owned by it. The mount namespace last:
         * setns moves our root and cwd to it. */
        static const int order[] = {CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
                                    CLONE_NEWCGROUP, CLONE_NEWNS};
        for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
                for (size_t i = 0; a->ns_fds[i] >= 0; i++) {
                        if (a->ns_types[i] != order[k])
                                continue;
                        if (setns(a->ns_fds[i], order[k]) < 0)
                                return berth_error_sys(err, errno, "join the container's %s namespace",
                                                       spec_namespace_name(order[k]));
                }
        }
        return 0;
}

static int
join_steps(const struct join_args *a, char ***env, char **exe, int *bpf_fd, berth_error_t **err)
{
        const struct spec_process *p = a->process;
        bool nnp = p->no_new_privileges;
        int r;

        r = sync_expect(a->sync_fd, SYNC_GO, err);
        if (r < 0)
                return r;
        if (a->cgroup_join) {
                r = cgroup_join_child(a->cgroup_join, err);
                if (r < 0)
                        return r;
        }
        r = join_namespaces(a, err);
        if (r < 0)
                return r;
        if (chdir(p->cwd) < 0)
                return berth_error_sys(err, errno, "cwd \"%s\"", p->cwd);
        if (a->console_fd >= 0) {
                if (setsid() < 0)
                        return berth_error_sys(err, errno, "setsid");
                r = terminal_setup(a->console_fd, p->console_height, p->console_width, false, err);
                if (r < 0)
                        return r;
                close(a->console_fd);
        }
        r = process_apply_rlimits(p, err);
        if (r < 0)
                return r;
        r = process_apply_scheduling(p, err);
        if (r < 0)
                return r;
        if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return berth_error_sys(err, errno, "no_new_privs");
        /* A notify filter is loaded here either way: its fd must reach the listener while we
         * can still report. */
        if (a->seccomp && (!nnp || a->seccomp_notify)) {
                int fd = seccomp_filter_install(a->seccomp, a->seccomp_notify, err);
                if (fd < 0)
                        return fd;
                if (a->seccomp_notify) {
                        r = seccomp_notify_send(a->seccomp_spec, a->seccomp_listener, fd, a->state_json, err);
                        close(fd);
                        close(a->seccomp_listener);
                        if (r < 0)
                                return r;
                }
        }
        r = process_become_user(p, a->caps, a->last_cap, err);
        if (r < 0)
                return r;
        *env = process_build_env(p, 0);
        r = process_find_executable(p->args[0], *env, exe, err);
        if (r < 0)
                return r;
        if (a->seccomp && nnp && !a->seccomp_notify) {
                *bpf_fd = seccomp_filter_export(a->seccomp, err);
                if (*bpf_fd < 0)
                        return *bpf_fd;
        }
        r = process_prepare_fds(a->preserve_fds, err);
        if (r < 0)
                return r;
        return lsm_set_exec_label(p, err);
}

void
join_main(const struct join_args *a)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *exe = NULL;
        cleanup_strv char **env = NULL;
        sigset_t none;
        int bpf_fd = -1, memfd = -1, r;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        r = join_steps(a, &env, &exe, &bpf_fd, &err);
        if (r == 0) {
                /* From the sealed waiter, never from this image (CVE-2019-5736). */
                memfd = waiter_memfd(&err);
                r = memfd < 0 ? memfd : 0;
        }
        if (r == 0)
                r = sync_send(a->sync_fd, SYNC_CREATED, &err);
        if (r < 0) {
                sync_send_error(a->sync_fd, err);
                _exit(1);
        }
        /* The sync socket is close-on-exec: the parent sees end-of-file once we exec. */
        waiter_exec(memfd, -1, bpf_fd, a->seccomp_spec->flags, -1, exe, a->process->args, env, &err);
        dprintf(2, "%s\n", err->msg);
        _exit(127);
}
