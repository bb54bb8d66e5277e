/* runtime/container/create.c: `create`: validate, make the state dir, cgroup and exec fifo,
 * clone the init into its namespaces, run the runtime-namespace hooks, and record the state.
 * Any failure undoes everything made so far. */
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
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/caps.h"
#include "runtime/linux/cgroup.h"
#include "runtime/linux/cgroup_join.h"
#include "runtime/linux/cgroup_resources.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/idmap.h"
#include "runtime/linux/init.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/seccomp_cache.h"
#include "runtime/linux/sync.h"
#include "runtime/spec/spec.h"
#include "runtime/spec/validate.h"

#ifndef CLONE_NEWTIME
#        define CLONE_NEWTIME 0x00000080
#endif

/* What create has made so far, undone in reverse on failure. */
struct create_undo {
        char *dir;
        bool dir_made;
        char **cgroup_dirs;
        pid_t pid;
};

static void
create_undo_run(struct create_undo *u)
{
        if (u->pid > 0) {
                kill(u->pid, SIGKILL);
                while (waitpid(u->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (u->cgroup_dirs)
                cgroup_destroy(u->cgroup_dirs, NULL);
        if (u->dir_made)
                fs_remove_tree(AT_FDCWD, u->dir, NULL);
}

static int
listen_fds_count(void)
{
        const char *s = getenv("LISTEN_FDS");
        const char *pid = getenv("LISTEN_PID");
        long n;

        /* Socket activation fds are ours only when LISTEN_PID names us (sd_listen_fds, runc). */
        if (!s || !s[0] || !pid || strtol(pid, NULL, 10) != (long) getpid())
                return 0;
        n = strtol(s, NULL, 10);
        return n > 0 && n < 1024 ? (int) n : 0;
}

static char *
now_rfc3339(void)
{
        struct timespec ts;
        char buf[64];

        clock_gettime(CLOCK_REALTIME, &ts);
        time_format_rfc3339(&ts, 1, buf, sizeof(buf));
        return xstrdup(buf);
}

/* Namespaces the parent must enter before clone because they apply to children only: a joined
 * pid namespace and a new time namespace (its offsets can be written only before any process
 * is in it). The saved fds bring the parent back. */
struct parent_ns {
        int saved_pid;
        int saved_time;
};

static int
parent_ns_enter(const struct spec *spec, struct parent_ns *pn, berth_error_t **err)
{
        const struct spec_namespace *pid = spec_find_namespace(spec, CLONE_NEWPID);
        const struct spec_namespace *tns = spec_find_namespace(spec, CLONE_NEWTIME);

        pn->saved_pid = pn->saved_time = -1;
        if (pid && pid->path) {
                cleanup_close int fd = open(pid->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return berth_error_sys(err, errno, "linux.namespaces: open pid namespace \"%s\"", pid->path);
                pn->saved_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (setns(fd, CLONE_NEWPID) < 0)
                        return berth_error_sys(err, errno, "linux.namespaces: join pid namespace \"%s\"", pid->path);
        }
        if (tns) {
                pn->saved_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
                if (tns->path) {
                        cleanup_close int fd = open(tns->path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
                                return berth_error_sys(err, errno, "linux.namespaces: join time namespace \"%s\"", tns->path);
                } else {
                        if (unshare(CLONE_NEWTIME) < 0)
                                return berth_error_sys(err, errno, "linux.namespaces: new time namespace");
                        if (spec->linux.has_time_offsets) {
                                cleanup_free char *offs = xasprintf(
                                        "monotonic %lld %u\nboottime %lld %u\n",
                                        (long long) spec->linux.monotonic_secs, spec->linux.monotonic_nsecs,
                                        (long long) spec->linux.boottime_secs, spec->linux.boottime_nsecs);
                                int r = fs_write_file(AT_FDCWD, "/proc/self/timens_offsets", offs, strlen(offs), err);
                                if (r < 0)
                                        return berth_error_prefix(err, "linux.timeOffsets");
                        }
                }
        }
        return 0;
}

static void
parent_ns_leave(struct parent_ns *pn)
{
        if (pn->saved_pid >= 0) {
                (void) setns(pn->saved_pid, CLONE_NEWPID);
                close(pn->saved_pid);
        }
        if (pn->saved_time >= 0) {
                (void) setns(pn->saved_time, CLONE_NEWTIME);
                close(pn->saved_time);
        }
        pn->saved_pid = pn->saved_time = -1;
}

static int
clone_flags(const struct spec *spec)
{
        int flags = 0;

        for (size_t i = 0; i < spec->linux.n_namespaces; i++) {
                const struct spec_namespace *ns = &spec->linux.namespaces[i];
                /* cgroup: unshared by init once it is in its cgroup; time: by the parent. */
                if (ns->path || ns->type == CLONE_NEWCGROUP || ns->type == CLONE_NEWTIME)
                        continue;
                flags |= ns->type;
        }
        return flags;
}

static int
resolve_paths(const struct create_opts *o, const struct spec *spec, char **ret_bundle,
              char **ret_rootfs, berth_error_t **err)
{
        char buf[PATH_MAX];
        cleanup_free char *bundle = NULL;
        cleanup_free char *rootfs = NULL;

        if (!realpath(o->bundle && o->bundle[0] ? o->bundle : ".", buf))
                return berth_error_sys(err, errno, "bundle \"%s\"", o->bundle ? o->bundle : ".");
        bundle = xstrdup(buf);
        rootfs = spec->root_path[0] == '/' ? xstrdup(spec->root_path) : xasprintf("%s/%s", bundle, spec->root_path);
        if (!realpath(rootfs, buf))
                return berth_error_sys(err, errno, "config.json: root.path: rootfs \"%s\"", rootfs);
        struct stat st;
        if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
                return berth_error_new(err, ENOTDIR, "config.json: root.path: rootfs \"%s\" is not a directory", buf);
        *ret_bundle = TAKE_PTR(bundle);
        *ret_rootfs = xstrdup(buf);
        return 0;
}

int
container_create(const struct runtime_ctx *ctx, const struct create_opts *o, pid_t *ret_pid,
                 berth_error_t **err)
{
        struct spec spec = {0};
        struct create_undo undo = {0};
        struct container_state st = {0};
        struct cgroup_host host = {0};
        struct cgroup_plan plan = {0};
        struct parent_ns pn = {-1, -1};
        struct caps_sets caps;
        unsigned last_cap = caps_last_cap();
        cleanup_seccomp_program struct seccomp_program seccomp = {0};
        int *idmapped = NULL;
        cleanup_close int listener = -1;
        cleanup_free char *bundle = NULL;
        cleanup_free char *rootfs = NULL;
        cleanup_free char *fifo = NULL;
        cleanup_free char *hook_state = NULL;
        cleanup_close int fifo_fd = -1;
        cleanup_close int console_fd = -1;
        cleanup_cgroup_join struct cgroup_join join = {.v2_fd = -1};
        int sv[2] = {-1, -1};
        int r;

        r = container_validate_id(o->id, err);
        if (r < 0)
                return r;
        r = spec_load(o->bundle && o->bundle[0] ? o->bundle : ".", &spec, err);
        if (r < 0)
                return r;
        r = spec_validate(&spec, err);
        if (r < 0) {
                berth_error_prefix(err, "config.json");
                goto out;
        }
        if (ctx->systemd_cgroup) {
                r = berth_error_new(err, ENOTSUP, "%s",
                                    access("/run/systemd/system", F_OK) == 0
                                            ? "--systemd-cgroup: the systemd cgroup driver is not implemented yet"
                                            : "--systemd-cgroup: systemd is not running on this host");
                goto out;
        }
        r = lsm_check(&spec, err);
        if (r < 0) {
                berth_error_prefix(err, "config.json");
                goto out;
        }
        r = caps_parse(&spec.process.caps, last_cap, &caps, err);
        if (r < 0) {
                berth_error_prefix(err, "config.json");
                goto out;
        }
        if (spec.linux.seccomp.present) {
                r = seccomp_program_load(&spec.linux.seccomp, ctx->root, &seccomp, err);
                if (r < 0) {
                        berth_error_prefix(err, "config.json");
                        goto out;
                }
        }
        /* The cgroup writes are planned before anything is made, so a bad linux.resources
         * leaves nothing behind; each controller is spelled for this host's layout. */
        r = cgroup_host_detect(&host, err);
        if (r < 0)
                goto out;
        r = cgroup_resources_plan(spec.linux.resources, &host, &plan, err);
        if (r < 0) {
                berth_error_prefix(err, "config.json");
                goto out;
        }
        strv_foreach(w, plan.warnings)
        {
                log_warn("config.json: %s", w);
        }
        r = resolve_paths(o, &spec, &bundle, &rootfs, err);
        if (r < 0)
                goto out;

        r = fs_mkdir_p(ctx->root, 0700, err);
        if (r < 0)
                goto out;
        undo.dir = container_dir(ctx, o->id);
        if (mkdir(undo.dir, 0711) < 0) {
                if (errno == EEXIST)
                        r = berth_error_new(err, EEXIST, "container with given ID already exists");
                else
                        r = berth_error_sys(err, errno, "create state directory \"%s\"", undo.dir);
                goto out;
        }
        undo.dir_made = true;

        fifo = xasprintf("%s/exec.fifo", undo.dir);
        /* 0622 whatever the umask: a non-root init reopens it for writing. */
        if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0) {
                r = berth_error_sys(err, errno, "create exec fifo");
                goto fail;
        }
        fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
        if (fifo_fd < 0) {
                r = berth_error_sys(err, errno, "open exec fifo");
                goto fail;
        }

        r = cgroup_create(&host, spec.linux.cgroups_path, o->id, &undo.cgroup_dirs, err);
        if (r < 0)
                goto fail;
        r = cgroup_apply_devices(&host, undo.cgroup_dirs, spec.linux.device_rules,
                                 spec.linux.n_device_rules, err);
        if (r < 0)
                goto fail;
        r = cgroup_resources_apply(&host, undo.cgroup_dirs, &plan, err);
        if (r < 0) {
                berth_error_prefix(err, "config.json");
                goto fail;
        }

        if (spec.process.terminal) {
                if (o->console_fd >= 0) {
                        console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 3);
                } else if (o->console_socket) {
                        console_fd = sock_connect_unix(o->console_socket, err);
                        if (console_fd < 0) {
                                r = berth_error_prefix(err, "--console-socket");
                                goto fail;
                        }
                } else {
                        r = berth_error_new(err, EINVAL, "cannot allocate tty if runc will detach without setting console socket");
                        goto fail;
                }
        } else if (o->console_socket) {
                r = berth_error_new(err, EINVAL, "cannot use console socket if runc will not detach or allocate tty");
                goto fail;
        }

        if (spec_seccomp_uses_notify(&spec.linux.seccomp)) {
                listener = seccomp_listener_connect(&spec.linux.seccomp, err);
                if (listener < 0) {
                        r = listener;
                        berth_error_prefix(err, "config.json");
                        goto fail;
                }
        }
        r = idmap_prepare_mounts(&spec, bundle, &idmapped, err);
        if (r < 0)
                goto fail;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                r = berth_error_sys(err, errno, "socketpair");
                goto fail;
        }
        /* Counted here: in the child getpid() is the container's, not the one LISTEN_PID names. */
        int listen_fds = listen_fds_count();
        unsigned long flags = (unsigned long) clone_flags(&spec);
        /* An init in a new user namespace cannot write the host's cgroup files: we do. */
        cgroup_join_plan(&host, undo.cgroup_dirs, !(flags & CLONE_NEWUSER), &join);
        cgroup_join_open(&join);
        r = parent_ns_enter(&spec, &pn, err);
        if (r < 0) {
                parent_ns_leave(&pn);
                goto fail;
        }
        undo.pid = cgroup_join_clone(&join, flags);
        if (undo.pid == 0) {
                struct init_args ia = {
                        .spec = &spec,
                        .bundle = bundle,
                        .rootfs = rootfs,
                        .cgroup_dirs = undo.cgroup_dirs,
                        .cgroup_join = &join,
                        .sync_fd = sv[1],
                        .fifo_fd = fifo_fd,
                        .console_fd = console_fd,
                        .no_pivot = o->no_pivot,
                        .no_new_keyring = o->no_new_keyring,
                        .preserve_fds = o->preserve_fds,
                        .listen_fds = listen_fds,
                        .caps = &caps,
                        .last_cap = last_cap,
                        .seccomp = seccomp.insns ? &seccomp : NULL,
                        .seccomp_notify = spec_seccomp_uses_notify(&spec.linux.seccomp),
                        .idmapped_fds = idmapped,
                        .seccomp_listener = listener,
                };
                close(sv[0]);
                init_main(&ia);
        }
        r = undo.pid < 0 ? berth_error_sys(err, errno, "clone the container init") : 0;
        parent_ns_leave(&pn);
        close(sv[1]);
        sv[1] = -1;
        if (r < 0) {
                undo.pid = 0;
                goto fail;
        }

        r = cgroup_enter(join.parent_dirs, undo.pid, err);
        if (r < 0)
                goto fail;
        if (spec.linux.n_uid_mappings) {
                r = idmap_write_map(undo.pid, "uid_map", spec.linux.uid_mappings, spec.linux.n_uid_mappings, err);
                if (r < 0) {
                        berth_error_prefix(err, "linux.uidMappings");
                        goto fail;
                }
                r = idmap_write_map(undo.pid, "gid_map", spec.linux.gid_mappings, spec.linux.n_gid_mappings, err);
                if (r < 0) {
                        berth_error_prefix(err, "linux.gidMappings");
                        goto fail;
                }
        }

        st.id = xstrdup(o->id);
        st.pid = undo.pid;
        st.start_time = state_pid_start_time(undo.pid);
        st.bundle = xstrdup(bundle);
        st.rootfs = xstrdup(rootfs);
        st.created = now_rfc3339();
        st.oci_version = xstrdup(spec.oci_version);
        for (size_t i = 0; spec.annotations && spec.annotations[i]; i++)
                strv_push(&st.annotations, spec.annotations[i]);
        for (size_t i = 0; undo.cgroup_dirs[i]; i++)
                strv_push(&st.cgroup_dirs, undo.cgroup_dirs[i]);
        {
                const struct spec_namespace *pidns = spec_find_namespace(&spec, CLONE_NEWPID);
                st.own_pidns = pidns && !pidns->path;
        }
        /* The init's stdio are ours (a terminal comes later, inside it): what a checkpoint
         * records in descriptors.json so a restore can reconnect pipes (runc). */
        st.stdio = state_stdio_targets(getpid());
        struct json_object *hooks = NULL;
        if (json_object_object_get_ex(spec.doc, "hooks", &hooks) && hooks)
                st.hooks = json_object_get(hooks);

        hook_state = state_hook_json(&st, "creating");
        r = sync_send_text(sv[0], SYNC_GO, hook_state, err);
        if (r < 0)
                goto fail_child;
        r = sync_expect(sv[0], SYNC_RUNTIME_HOOKS, err);
        if (r < 0)
                goto fail_child;
        /* The state exists from here, so hooks can ask for it (runc writes it before them). */
        r = state_write(undo.dir, &st, err);
        if (r < 0)
                goto fail;
        r = hooks_run(&spec.hooks, HOOK_PRESTART, hook_state, err);
        if (r == 0)
                r = hooks_run(&spec.hooks, HOOK_CREATE_RUNTIME, hook_state, err);
        if (r < 0)
                goto fail;
        r = sync_send(sv[0], SYNC_HOOKS_DONE, err);
        if (r < 0)
                goto fail_child;
        r = sync_expect(sv[0], SYNC_CREATED, err);
        if (r < 0)
                goto fail_child;
        if (o->pid_file) {
                r = container_write_pid_file(o->pid_file, undo.pid, err);
                if (r < 0)
                        goto fail;
        }
        *ret_pid = undo.pid;
        r = 0;
        goto out;

fail_child:
        /* The init's own error says more than a broken pipe; a signal or exit code says
         * something too when it died without a word. */
        if (r == -EPIPE && undo.pid > 0) {
                int status;
                if (waitpid(undo.pid, &status, 0) == undo.pid) {
                        undo.pid = 0;
                        if (WIFSIGNALED(status))
                                berth_error_prefix(err, "killed by signal %d", WTERMSIG(status));
                }
        }
fail:
        create_undo_run(&undo);
out:
        if (sv[0] >= 0)
                close(sv[0]);
        if (sv[1] >= 0)
                close(sv[1]);
        idmap_close_mounts(idmapped, spec.n_mounts);
        state_done(&st);
        cgroup_plan_done(&plan);
        cgroup_host_done(&host);
        strv_free(undo.cgroup_dirs);
        free(undo.dir);
        spec_done(&spec);
        return r;
}
