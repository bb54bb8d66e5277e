/* runtime/container/checkpoint.c: `checkpoint`: check the container and runc's flags, gather what
 * criu must be told (the init, its rootfs, freezer, external mounts and namespaces, its terminal),
 * leave descriptors.json beside the images, run `criu dump` (or pre-dump), then destroy the
 * container unless it was left running. */
#include <config.h>

#include "runtime/container/container.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/container/criu.h"
#include "runtime/container/criu_run.h"

/* The image directory, made if missing (runc: MkdirAll), as an absolute path. */
static int
image_dir_make(const char *given, char **ret, berth_error_t **err)
{
        char cwd[PATH_MAX], buf[PATH_MAX];
        cleanup_free char *path = NULL;
        int r;

        if (given && given[0]) {
                path = xstrdup(given);
        } else {
                if (!getcwd(cwd, sizeof(cwd)))
                        return berth_error_sys(err, errno, "getcwd");
                path = xasprintf("%s/checkpoint", cwd);
        }
        r = fs_mkdir_p(path, 0700, err);
        if (r < 0)
                return berth_error_prefix(err, "--image-path");
        if (!realpath(path, buf))
                return berth_error_sys(err, errno, "--image-path \"%s\"", path);
        *ret = xstrdup(buf);
        return 0;
}

/* criu's -W: made if missing, its parent must exist (runc: os.Mkdir). */
static int
work_dir_make(const char *given, char **ret, berth_error_t **err)
{
        char buf[PATH_MAX];

        if (!given || !given[0]) {
                *ret = NULL;
                return 0;
        }
        if (mkdir(given, 0700) < 0 && errno != EEXIST)
                return berth_error_sys(err, errno, "--work-path \"%s\"", given);
        if (!realpath(given, buf))
                return berth_error_sys(err, errno, "--work-path \"%s\"", given);
        *ret = xstrdup(buf);
        return 0;
}

static int
check_parent(const char *image_dir, const char *parent, berth_error_t **err)
{
        cleanup_free char *real = NULL;
        struct stat st;

        if (!parent || !parent[0])
                return 0;
        real = xasprintf("%s/%s", image_dir, parent);
        if (stat(real, &st) < 0)
                return berth_error_sys(err, errno, "invalid --parent-path: stat \"%s\"", real);
        if (!S_ISDIR(st.st_mode))
                return berth_error_sys(err, ENOTDIR, "invalid --parent-path: stat \"%s\"", real);
        return 0;
}

/* runc's checks of --status-fd: an open fd we can write to. */
static int
check_status_fd(int fd, berth_error_t **err)
{
        int fl = fcntl(fd, F_GETFL);

        if (fl < 0)
                return berth_error_sys(err, errno, "invalid --status-fd argument %d", fd);
        if ((fl & O_ACCMODE) == O_RDONLY)
                return berth_error_new(err, EINVAL, "invalid --status-fd argument %d: not writable", fd);
        return 0;
}

/* The directory whose freezer criu may use instead of ptrace: v1's freezer, else cgroup2's. */
static char *
freezer_dir(char *const *dirs)
{
        static const char *const files[] = {"freezer.state", "cgroup.freeze"};

        for (size_t f = 0; f < 2; f++) {
                strv_foreach(d, dirs)
                {
                        cleanup_free char *p = xasprintf("%s/%s", d, files[f]);
                        if (access(p, F_OK) == 0)
                                return xstrdup(d);
                }
        }
        return NULL;
}

static unsigned long long
ns_inode(const struct spec *spec, int type)
{
        const struct spec_namespace *ns = spec_find_namespace(spec, type);
        struct stat st;

        if (!ns || !ns->path || stat(ns->path, &st) < 0)
                return 0;
        return (unsigned long long) st.st_ino;
}

/* maskedPaths that are files in the running container: those are binds of /dev/null. */
static char **
masked_files(pid_t pid, const struct spec *spec)
{
        char **v = NULL;

        strv_foreach(p, spec->linux.masked_paths)
        {
                cleanup_free char *path = xasprintf("/proc/%d/root%s", (int) pid, p);
                struct stat st;
                if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
                        strv_push(&v, p);
        }
        return v;
}

/* The init's terminal, if one of its stdio is a pty slave (UNIX98 majors 136-143). */
static char *
terminal_key(pid_t pid)
{
        for (int fd = 0; fd < 3; fd++) {
                char path[64];
                struct stat st;
                snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int) pid, fd);
                if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136
                    && major(st.st_rdev) <= 143)
                        return criu_tty_key((unsigned long long) st.st_rdev, (unsigned long long) st.st_dev);
        }
        return NULL;
}

/* descriptors.json and tty.info beside the images, before criu runs (runc writes the former
 * there too; the latter is how berth finds the terminal again, see criu.h). */
static int
write_side_files(const char *image_dir, const struct container_state *st, const char *tty_key,
                 berth_error_t **err)
{
        cleanup_strv char **live = NULL;
        cleanup_free char *json = NULL;
        cleanup_free char *dpath = xasprintf("%s/descriptors.json", image_dir);
        cleanup_free char *tpath = xasprintf("%s/tty.info", image_dir);
        int r;

        if (!st->stdio)
                live = state_stdio_targets(st->pid);
        json = criu_descriptors_format(st->stdio ? st->stdio : live);
        r = fs_replace_file(AT_FDCWD, dpath, json, strlen(json), 0600, err);
        if (r < 0)
                return r;
        if (!tty_key) {
                (void) unlink(tpath);
                return 0;
        }
        return fs_replace_file(AT_FDCWD, tpath, tty_key, strlen(tty_key), 0600, err);
}

static int
checkpoint_loaded(const struct runtime_ctx *ctx, const struct checkpoint_opts *o,
                  const struct container_state *st, berth_error_t **err)
{
        const struct criu_flags *f = &o->criu;
        struct criu_settings settings = {0};
        struct spec spec = {0};
        cleanup_free char *dir = container_dir(ctx, o->id);
        cleanup_free char *exe = NULL;
        cleanup_free char *image_dir = NULL;
        cleanup_free char *work_dir = NULL;
        cleanup_free char *freezer = NULL;
        cleanup_free char *config = NULL;
        cleanup_free char *tty = NULL;
        cleanup_free char *log = NULL;
        cleanup_strv char **dests = NULL;
        cleanup_strv char **masked = NULL;
        cleanup_strv char **argv = NULL;
        struct criu_ext_mount *mounts = NULL;
        size_t n_mounts = 0;
        enum container_status status;
        int fds[1];
        size_t n_fds = 0;
        int r;

        status = state_status(dir, st);
        if (status == STATUS_CREATED || status == STATUS_STOPPED)
                return berth_error_new(err, EBUSY, "Container cannot be checkpointed in %s state",
                                       state_status_name(status));
        r = criu_flags_check(f, &settings, err);
        if (r < 0)
                return r;
        /* From here on settings holds memory: every path below goes through the end. */
        if (f->lazy_pages && f->status_fd >= 0)
                r = check_status_fd(f->status_fd, err);
        if (r == 0)
                r = criu_find(ctx->criu, &exe, err);
        if (r == 0)
                r = spec_load(st->bundle, &spec, err);
        if (r == 0)
                r = image_dir_make(f->image_path, &image_dir, err);
        if (r == 0)
                r = check_parent(image_dir, f->parent_path, err);
        if (r == 0)
                r = work_dir_make(f->work_path, &work_dir, err);
        if (r == 0) {
                struct criu_flags abs = *f;
                abs.work_path = work_dir;
                freezer = freezer_dir(st->cgroup_dirs);
                config = criu_config_file(st->annotations);
                if (!f->pre_dump) {
                        dests = criu_mount_dests(st->rootfs, &spec);
                        masked = masked_files(st->pid, &spec);
                        tty = terminal_key(st->pid);
                        struct criu_mount_facts facts = {
                                .dests = dests,
                                .cgroup_dirs = st->cgroup_dirs,
                                .unified_host = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0,
                                .masked_files = masked,
                                .console = tty != NULL,
                        };
                        criu_ext_mounts_build(&spec, &facts, CRIU_DUMP, &mounts, &n_mounts);
                }
                if (f->lazy_pages && f->status_fd >= 0)
                        fds[n_fds++] = f->status_fd;
                struct criu_dump_plan plan = {
                        .flags = &abs,
                        .settings = &settings,
                        .pid = st->pid,
                        .image_dir = image_dir,
                        .rootfs = st->rootfs,
                        .freezer_dir = freezer,
                        .config_file = config,
                        .netns_inode = ns_inode(&spec, CLONE_NEWNET),
                        .pidns_inode = ns_inode(&spec, CLONE_NEWPID),
                        .mounts = mounts,
                        .n_mounts = n_mounts,
                        .tty_key = tty,
                        .status_fd = n_fds ? 3 : -1,
                };
                argv = criu_dump_argv_build(&plan);
                log = xasprintf("%s/dump.log", work_dir ? work_dir : image_dir);
        }
        /* A pre-dump is only memory: no descriptors (runc). */
        if (r == 0 && !f->pre_dump)
                r = write_side_files(image_dir, st, tty, err);
        if (r == 0) {
                struct criu_run run = {
                        .exe = exe,
                        .argv = argv,
                        .fds = fds,
                        .n_fds = n_fds,
                        .quiet = true,
                        .log_path = log,
                };
                r = criu_run(&run, err);
        }
        criu_ext_mounts_free(mounts, n_mounts);
        criu_settings_done(&settings);
        spec_done(&spec);
        return r;
}

int
container_checkpoint(const struct runtime_ctx *ctx, const struct checkpoint_opts *o,
                     berth_error_t **err)
{
        struct container_state st = {0};
        int r;

        r = container_load(ctx, o->id, &st, err);
        if (r < 0)
                return r;
        r = checkpoint_loaded(ctx, o, &st, err);
        state_done(&st);
        if (r < 0)
                return r;
        /* criu killed the processes it dumped: the container is gone as in runc, which destroys
         * it (cgroups, state, poststop hooks) so that `restore` can take the id again. */
        if (!o->criu.leave_running && !o->criu.pre_dump)
                return container_delete(ctx, o->id, true, err);
        return 0;
}
