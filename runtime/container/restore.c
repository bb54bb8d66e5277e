/* runtime/container/restore.c: `restore`: a container made as `create` makes one (state
 * directory, cgroups), its processes brought back by `criu restore` instead of cloned: the rootfs
 * bound where criu wants a root, a new terminal for one that had it, prestart and createRuntime
 * hooks when criu has set up the namespaces, the state written once criu is done. Any failure
 * undoes everything made so far. */
#include <config.h>

#include "runtime/container/container.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/container/criu.h"
#include "runtime/container/criu_run.h"
#include "runtime/linux/cgroup.h"
#include "runtime/linux/cgroup_resources.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/resolve.h"
#include "runtime/spec/validate.h"

/* What restore has made so far, undone in reverse on failure. */
struct restore_undo {
        char *dir;
        bool dir_made;
        char **cgroup_dirs;
        pid_t pid;
};

static void
restore_undo_run(struct restore_undo *u)
{
        if (u->pid > 0) {
                kill(u->pid, SIGKILL);
                while (waitpid(u->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (u->cgroup_dirs) {
                pid_t *pids = NULL;
                size_t n = 0;
                /* criu kills what it restored when it fails; this is for what it could not. */
                if (cgroup_pids(u->cgroup_dirs, &pids, &n, NULL) == 0 && n > 0)
                        cgroup_kill_all(u->cgroup_dirs, SIGKILL, NULL);
                free(pids);
                cgroup_destroy(u->cgroup_dirs, NULL);
        }
        if (u->dir_made)
                fs_remove_tree(AT_FDCWD, u->dir, NULL);
}

/* Everything a restore works with; freed by restore_ctx_done. */
struct restore_ctx {
        const struct runtime_ctx *rt;
        const struct restore_opts *o;
        struct spec spec;
        struct criu_settings settings;
        char *exe;
        char *image_dir;
        char *work_dir;
        char **descriptors;
        char *tty_key;
        char *bundle;
        char *rootfs;
        char *criu_root;
        char *pidfile;
        struct cgroup_host host;
        int pty_slave;
        char *pty_name;
        int netns_fd;
        int pidns_fd;
        struct container_state st;
        struct restore_undo undo;
};

static void
restore_ctx_done(struct restore_ctx *c)
{
        spec_done(&c->spec);
        criu_settings_done(&c->settings);
        free(c->exe);
        free(c->image_dir);
        free(c->work_dir);
        strv_free(c->descriptors);
        free(c->tty_key);
        free(c->bundle);
        free(c->rootfs);
        free(c->criu_root);
        free(c->pidfile);
        cgroup_host_done(&c->host);
        if (c->pty_slave >= 0)
                close(c->pty_slave);
        free(c->pty_name);
        if (c->netns_fd >= 0)
                close(c->netns_fd);
        if (c->pidns_fd >= 0)
                close(c->pidns_fd);
        state_done(&c->st);
        strv_free(c->undo.cgroup_dirs);
        free(c->undo.dir);
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

/* runc's checkTerminal, with a console fd (berth's own, in the foreground) counting as given. */
static int
check_terminal(const struct restore_opts *o, const struct spec *spec, berth_error_t **err)
{
        bool console = (o->console_socket && o->console_socket[0]) || o->console_fd >= 0;

        if (o->detach && spec->process.terminal && !console)
                return berth_error_new(err, EINVAL, "cannot allocate tty if runc will detach without setting console socket");
        if ((!o->detach || !spec->process.terminal) && o->console_socket && o->console_socket[0])
                return berth_error_new(err, EINVAL, "cannot use console socket if runc will not detach or allocate tty");
        return 0;
}

static int
read_images(struct restore_ctx *c, berth_error_t **err)
{
        const char *given = c->o->criu.image_path;
        char cwd[PATH_MAX], buf[PATH_MAX];
        cleanup_free char *path = NULL;
        cleanup_free char *dpath = NULL;
        cleanup_free char *tpath = NULL;
        cleanup_free char *text = NULL;
        size_t len = 0;
        int r;

        if (given && given[0]) {
                path = xstrdup(given);
        } else {
                if (!getcwd(cwd, sizeof(cwd)))
                        return berth_error_sys(err, errno, "getcwd");
                path = xasprintf("%s/checkpoint", cwd);
        }
        if (!realpath(path, buf))
                return berth_error_sys(err, errno, "--image-path \"%s\"", path);
        c->image_dir = xstrdup(buf);
        dpath = xasprintf("%s/descriptors.json", c->image_dir);
        r = fs_read_file(AT_FDCWD, dpath, &text, &len, err);
        if (r < 0)
                return r;
        r = criu_descriptors_parse(text, len, &c->descriptors, err);
        if (r < 0)
                return berth_error_prefix(err, "%s", dpath);
        free(text);
        text = NULL;
        tpath = xasprintf("%s/tty.info", c->image_dir);
        r = fs_read_file(AT_FDCWD, tpath, &text, &len, err);
        if (r == -ENOENT) {
                berth_error_free(*err); /* no terminal in the checkpoint: nothing to hand in */
                *err = NULL;
        } else if (r < 0) {
                return r;
        } else {
                while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
                        text[--len] = '\0';
                c->tty_key = TAKE_PTR(text);
        }
        /* The terminal is the checkpoint's: the new one must stand in for it. */
        if (c->tty_key && !c->spec.process.terminal)
                return berth_error_new(err, EINVAL, "config.json: process.terminal: the checkpoint in \"%s\" has a terminal", c->image_dir);
        if (!c->tty_key && c->spec.process.terminal)
                return berth_error_new(err, EINVAL, "config.json: process.terminal: the checkpoint in \"%s\" has no terminal (no tty.info)", c->image_dir);
        return 0;
}

static int
resolve_paths(struct restore_ctx *c, berth_error_t **err)
{
        const char *b = c->o->bundle && c->o->bundle[0] ? c->o->bundle : ".";
        char buf[PATH_MAX];
        cleanup_free char *rootfs = NULL;

        if (!realpath(b, buf))
                return berth_error_sys(err, errno, "bundle \"%s\"", b);
        c->bundle = xstrdup(buf);
        rootfs = c->spec.root_path[0] == '/' ? xstrdup(c->spec.root_path)
                                             : xasprintf("%s/%s", c->bundle, c->spec.root_path);
        if (!realpath(rootfs, buf))
                return berth_error_sys(err, errno, "config.json: root.path: rootfs \"%s\"", rootfs);
        c->rootfs = xstrdup(buf);
        if (c->o->criu.work_path && c->o->criu.work_path[0]) {
                if (mkdir(c->o->criu.work_path, 0700) < 0 && errno != EEXIST)
                        return berth_error_sys(err, errno, "--work-path \"%s\"", c->o->criu.work_path);
                if (!realpath(c->o->criu.work_path, buf))
                        return berth_error_sys(err, errno, "--work-path \"%s\"", c->o->criu.work_path);
                c->work_dir = xstrdup(buf);
        }
        return 0;
}

/* The state directory and the cgroups, as `create` makes them, with PLAN's writes. */
static int
make_container_planned(struct restore_ctx *c, const struct cgroup_plan *plan, berth_error_t **err)
{
        int r;

        r = fs_mkdir_p(c->rt->root, 0700, err);
        if (r < 0)
                return r;
        c->undo.dir = container_dir(c->rt, c->o->id);
        if (mkdir(c->undo.dir, 0711) < 0) {
                if (errno == EEXIST)
                        return berth_error_new(err, EEXIST, "container with given ID already exists");
                return berth_error_sys(err, errno, "create state directory \"%s\"", c->undo.dir);
        }
        c->undo.dir_made = true;
        r = cgroup_create(&c->host, c->spec.linux.cgroups_path, c->o->id, &c->undo.cgroup_dirs, err);
        if (r < 0)
                return r;
        r = cgroup_apply_devices(&c->host, c->undo.cgroup_dirs, c->spec.linux.device_rules,
                                 c->spec.linux.n_device_rules, err);
        if (r < 0)
                return r;
        r = cgroup_resources_apply(&c->host, c->undo.cgroup_dirs, plan, err);
        if (r < 0)
                return berth_error_prefix(err, "config.json");
        c->criu_root = xasprintf("%s/criu-root", c->undo.dir);
        if (mkdir(c->criu_root, 0755) < 0)
                return berth_error_sys(err, errno, "create \"%s\"", c->criu_root);
        c->pidfile = xasprintf("%s/criu.pid", c->undo.dir);
        return 0;
}

/* As container_create: the cgroup writes are planned for this host before anything is made, so a
 * bad linux.resources leaves nothing behind. */
static int
make_container(struct restore_ctx *c, berth_error_t **err)
{
        struct cgroup_plan plan = {0};
        int r;

        r = cgroup_host_detect(&c->host, err);
        if (r < 0)
                return r;
        r = cgroup_resources_plan(c->spec.linux.resources, &c->host, &plan, err);
        if (r < 0)
                return berth_error_prefix(err, "config.json");
        strv_foreach(w, plan.warnings)
        {
                log_warn("config.json: %s", w);
        }
        r = make_container_planned(c, &plan, err);
        cgroup_plan_done(&plan);
        return r;
}

/* A new terminal on the host's devpts for the one in the checkpoint; its master goes where a
 * created container's would (runc gets it from criu's orphan-pts-master instead). */
static int
make_terminal(struct restore_ctx *c, berth_error_t **err)
{
        cleanup_close int master = -1;
        cleanup_close int sock = -1;
        char name[64];
        int r;

        if (!c->tty_key)
                return 0;
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return berth_error_sys(err, errno, "process.terminal: open /dev/ptmx");
        if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
                return berth_error_sys(err, errno, "process.terminal: unlock pty");
        c->pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (c->pty_slave < 0)
                return berth_error_sys(err, errno, "process.terminal: open \"%s\"", name);
        c->pty_name = xstrdup(name);
        if (c->spec.process.console_height && c->spec.process.console_width) {
                struct winsize ws = {.ws_row = (unsigned short) c->spec.process.console_height,
                                     .ws_col = (unsigned short) c->spec.process.console_width};
                (void) ioctl(c->pty_slave, TIOCSWINSZ, &ws);
        }
        if (c->o->console_fd >= 0) {
                r = sock_send_fd(c->o->console_fd, master, name, err);
        } else {
                sock = sock_connect_unix(c->o->console_socket, err);
                if (sock < 0)
                        return berth_error_prefix(err, "--console-socket");
                r = sock_send_fd(sock, master, name, err);
        }
        if (r < 0)
                return berth_error_prefix(err, "console socket");
        return 0;
}

static int
open_ns(const struct spec *spec, int type, int *ret, berth_error_t **err)
{
        const struct spec_namespace *ns = spec_find_namespace(spec, type);

        *ret = -1;
        if (!ns || !ns->path)
                return 0;
        *ret = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (*ret < 0)
                return berth_error_sys(err, errno, "config.json: linux.namespaces: %s namespace \"%s\"",
                                       spec_namespace_name(type), ns->path);
        return 0;
}

static bool
under_tmpfs(const struct spec *spec, const char *dest)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const char *t = spec->mounts[i].destination;
                size_t n = strlen(t);
                if (strcmp(spec->mounts[i].type, "tmpfs") == 0 && strncmp(dest, t, n) == 0 && dest[n] == '/')
                        return true;
        }
        return false;
}

/* In criu's own mount namespace (a slave copy of ours, gone with it), inside the rootfs bound
 * at the criu root: make every mount point criu will mount on, as runc does before a restore
 * (prepareCriuRestoreMounts): not those on a tmpfs, whose content criu brings back; bind mounts
 * for a moment, so mount points inside them can be made too (runc issue 2748). */
static int
make_mountpoints(const struct spec *spec, const char *bundle, const char *root, berth_error_t **err)
{
        cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cleanup_strv char **bound = NULL;
        int r = 0;

        if (rootfd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", root);
        for (size_t i = 0; i < spec->n_mounts && r == 0; i++) {
                const struct spec_mount *m = &spec->mounts[i];
                cleanup_free char *src = NULL;
                cleanup_close int fd = -1;
                enum resolve_create kind = RESOLVE_CREATE_DIR;
                struct stat st;
                char target[32];

                if (under_tmpfs(spec, m->destination) || strcmp(m->type, "cgroup") == 0
                    || strcmp(m->type, "cgroup2") == 0)
                        continue;
                if (m->flags & MS_BIND) {
                        src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
                        if (stat(src, &st) < 0) {
                                r = berth_error_sys(err, errno, "bind source \"%s\"", src);
                                break;
                        }
                        kind = S_ISDIR(st.st_mode) ? RESOLVE_CREATE_DIR : RESOLVE_CREATE_FILE;
                }
                fd = resolve_in_root(rootfd, m->destination, kind, err);
                if (fd < 0) {
                        r = fd;
                        break;
                }
                if (!src)
                        continue;
                resolve_fd_path(fd, target);
                if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0) {
                        r = berth_error_sys(err, errno, "bind \"%s\"", src);
                        break;
                }
                strv_push(&bound, m->destination);
        }
        if (r < 0) {
                berth_error_prefix(err, "restore mount points");
                return r;
        }
        /* criu mounts everything itself: leave it the bare rootfs. */
        for (size_t n = strv_length(bound); n > 0; n--) {
                cleanup_close int fd = resolve_in_root(rootfd, bound[n - 1], RESOLVE_CREATE_NONE, NULL);
                char target[32];
                if (fd < 0)
                        continue;
                resolve_fd_path(fd, target);
                (void) umount2(target, MNT_DETACH);
        }
        return 0;
}

/* criu's child, before exec: into the container's cgroups (the tasks criu makes start there,
 * as runc moves criu there), then a mount namespace of its own where the rootfs is bound on
 * the criu root. Nothing is mounted in ours, so nothing can be left mounted. */
static int
child_setup(void *data, berth_error_t **err)
{
        struct restore_ctx *c = data;
        int r;

        r = cgroup_enter(c->undo.cgroup_dirs, getpid(), err);
        if (r < 0)
                return berth_error_prefix(err, "enter the container's cgroups");
        if (unshare(CLONE_NEWNS) < 0)
                return berth_error_sys(err, errno, "unshare the mount namespace");
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return berth_error_sys(err, errno, "make / a slave");
        if (mount(c->rootfs, c->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
                return berth_error_sys(err, errno, "bind the rootfs on \"%s\"", c->criu_root);
        return make_mountpoints(&c->spec, c->bundle, c->criu_root, err);
}

static bool
has_hooks(const struct spec *spec, enum spec_hook_kind kind)
{
        return spec->hooks.count[kind] > 0;
}

/* criu's setup-namespaces step: the namespaces exist and the processes do not run yet. The
 * state exists from here, as in `create`, so the hooks can ask for it; runc runs prestart and
 * createRuntime at this point of a restore (criuNotifications). */
static int
on_notify(void *data, const char *action, pid_t pid, berth_error_t **err)
{
        struct restore_ctx *c = data;
        cleanup_free char *json = NULL;
        int r;

        if (strcmp(action, "setup-namespaces") != 0)
                return 0;
        c->st.pid = pid;
        c->st.start_time = state_pid_start_time(pid);
        r = state_write(c->undo.dir, &c->st, err);
        if (r < 0)
                return r;
        json = state_hook_json(&c->st, "creating");
        r = hooks_run(&c->spec.hooks, HOOK_PRESTART, json, err);
        if (r == 0)
                r = hooks_run(&c->spec.hooks, HOOK_CREATE_RUNTIME, json, err);
        return r;
}

static int
read_pidfile(const char *path, pid_t *ret, berth_error_t **err)
{
        cleanup_free char *text = NULL;
        char *end;
        long pid;
        int r;

        r = fs_read_file(AT_FDCWD, path, &text, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "criu's pid file");
        pid = strtol(text, &end, 10);
        while (*end == '\n' || *end == ' ')
                end++;
        if (end == text || *end || pid <= 0 || pid > INT32_MAX)
                return berth_error_new(err, EPROTO, "criu's pid file \"%s\": bad pid \"%s\"", path, text);
        *ret = (pid_t) pid;
        return 0;
}

static void
state_fill(struct restore_ctx *c)
{
        const struct spec_namespace *pidns = spec_find_namespace(&c->spec, CLONE_NEWPID);
        struct json_object *hooks = NULL;

        c->st.id = xstrdup(c->o->id);
        c->st.bundle = xstrdup(c->bundle);
        c->st.rootfs = xstrdup(c->rootfs);
        c->st.created = now_rfc3339();
        c->st.oci_version = xstrdup(c->spec.oci_version);
        for (size_t i = 0; c->spec.annotations && c->spec.annotations[i]; i++)
                strv_push(&c->st.annotations, c->spec.annotations[i]);
        strv_foreach(d, c->undo.cgroup_dirs) strv_push(&c->st.cgroup_dirs, d);
        c->st.own_pidns = pidns && !pidns->path;
        if (json_object_object_get_ex(c->spec.doc, "hooks", &hooks) && hooks)
                c->st.hooks = json_object_get(hooks);
        /* Until criu is done, ours: the restored pipes are criu's stdio (see restore_made). */
        c->st.stdio = state_stdio_targets(getpid());
}

/* Everything after the state directory exists; a failure here is undone by the caller. */
static int
restore_made(struct restore_ctx *c, pid_t *ret_pid, berth_error_t **err)
{
        cleanup_strv char **cg_roots = NULL;
        cleanup_strv char **join_ns = NULL;
        cleanup_strv char **dests = NULL;
        cleanup_strv char **argv = NULL;
        cleanup_free char *script = NULL;
        cleanup_free char *log = NULL;
        struct criu_ext_mount *mounts = NULL;
        size_t n_mounts = 0;
        int fds[3];
        size_t n_fds = 0;
        int tty_fd = -1, netns_fd = -1, pidns_fd = -1;
        pid_t pid = 0;
        int r;

        r = make_terminal(c, err);
        if (r < 0)
                return r;
        r = open_ns(&c->spec, CLONE_NEWNET, &c->netns_fd, err);
        if (r == 0)
                r = open_ns(&c->spec, CLONE_NEWPID, &c->pidns_fd, err);
        if (r == 0)
                r = criu_join_ns_build(&c->spec, &join_ns, err);
        if (r < 0)
                return r;
        if (c->pty_slave >= 0) {
                tty_fd = 3 + (int) n_fds;
                fds[n_fds++] = c->pty_slave;
        }
        if (c->netns_fd >= 0) {
                netns_fd = 3 + (int) n_fds;
                fds[n_fds++] = c->netns_fd;
        }
        if (c->pidns_fd >= 0) {
                pidns_fd = 3 + (int) n_fds;
                fds[n_fds++] = c->pidns_fd;
        }
        dests = criu_mount_dests(c->rootfs, &c->spec);
        struct criu_mount_facts facts = {
                .dests = dests,
                .bundle = c->bundle,
                .cgroup_dirs = c->undo.cgroup_dirs,
                .unified_host = c->host.layout == CGROUP_LAYOUT_UNIFIED,
                .console = c->tty_key != NULL,
                .console_path = c->pty_name,
        };
        criu_ext_mounts_build(&c->spec, &facts, CRIU_RESTORE, &mounts, &n_mounts);
        cg_roots = criu_cgroup_roots_build(&c->host, c->undo.cgroup_dirs);
        if (has_hooks(&c->spec, HOOK_PRESTART) || has_hooks(&c->spec, HOOK_CREATE_RUNTIME))
                script = criu_self_script();
        struct criu_flags abs = c->o->criu;
        abs.work_path = c->work_dir;
        cleanup_free char *config = criu_config_file(c->spec.annotations);
        struct criu_restore_plan plan = {
                .flags = &abs,
                .settings = &c->settings,
                .image_dir = c->image_dir,
                .root = c->criu_root,
                .pidfile = c->pidfile,
                .cgroup_roots = cg_roots,
                .mounts = mounts,
                .n_mounts = n_mounts,
                .descriptors = c->descriptors,
                .tty_key = c->tty_key,
                .tty_fd = tty_fd,
                .netns_fd = netns_fd,
                .pidns_fd = pidns_fd,
                .join_ns = join_ns,
                .config_file = config,
                .action_script = script,
        };
        argv = criu_restore_argv_build(&plan);
        criu_ext_mounts_free(mounts, n_mounts);
        log = xasprintf("%s/restore.log", c->work_dir ? c->work_dir : c->image_dir);

        state_fill(c);
        struct criu_run run = {
                .exe = c->exe,
                .argv = argv,
                .fds = fds,
                .n_fds = n_fds,
                .child_setup = child_setup,
                .child_data = c,
                .notify = script ? on_notify : NULL,
                .notify_data = c,
                .log_path = log,
        };
        r = criu_run(&run, err);
        if (r < 0)
                return r;
        r = read_pidfile(c->pidfile, &pid, err);
        if (r < 0)
                return r;
        c->undo.pid = pid;
        (void) unlink(c->pidfile);
        (void) rmdir(c->criu_root);
        /* What a later checkpoint records in descriptors.json: the restored init's own fds, as
         * `create` records the init's (runc keeps the image's descriptors.json instead, whose
         * pipes are gone by now). It may have exited already: the container is then "stopped",
         * as after a run, and the fds are "". */
        strv_free(c->st.stdio);
        c->st.stdio = state_stdio_targets(pid);
        c->st.pid = pid;
        c->st.start_time = state_pid_start_time(pid);
        r = state_write(c->undo.dir, &c->st, err);
        if (r < 0)
                return r;
        if (c->o->pid_file) {
                r = container_write_pid_file(c->o->pid_file, pid, err);
                if (r < 0)
                        return r;
        }
        *ret_pid = pid;
        return 0;
}

static int
restore_prepare(struct restore_ctx *c, berth_error_t **err)
{
        int r;

        r = container_validate_id(c->o->id, err);
        if (r < 0)
                return r;
        r = spec_load(c->o->bundle && c->o->bundle[0] ? c->o->bundle : ".", &c->spec, err);
        if (r < 0)
                return r;
        r = spec_validate(&c->spec, err);
        if (r < 0)
                return berth_error_prefix(err, "config.json");
        if (c->rt->systemd_cgroup)
                return berth_error_new(err, ENOTSUP, "--systemd-cgroup: the systemd cgroup driver is not implemented yet");
        r = criu_flags_check(&c->o->criu, &c->settings, err);
        if (r < 0)
                return r;
        r = check_terminal(c->o, &c->spec, err);
        if (r < 0)
                return r;
        r = criu_find(c->rt->criu, &c->exe, err);
        if (r < 0)
                return r;
        r = read_images(c, err);
        if (r < 0)
                return r;
        return resolve_paths(c, err);
}

int
container_restore(const struct runtime_ctx *ctx, const struct restore_opts *o, pid_t *ret_pid,
                  berth_error_t **err)
{
        struct restore_ctx c = {.rt = ctx, .o = o, .pty_slave = -1, .netns_fd = -1, .pidns_fd = -1};
        pid_t pid = 0;
        int r;

        r = restore_prepare(&c, err);
        if (r == 0) {
                r = make_container(&c, err);
                if (r == 0)
                        r = restore_made(&c, &pid, err);
                if (r < 0)
                        restore_undo_run(&c.undo);
        }
        restore_ctx_done(&c);
        if (r < 0)
                return r;
        *ret_pid = pid;
        return 0;
}
