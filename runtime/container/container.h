/* runtime/container/container.h: the container lifecycle as library calls, shared by the CLI
 * verbs and the tests: create, start, kill, delete, checkpoint, restore, and loading what create
 * left. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"
#include "runtime/state/state.h"

struct runtime_ctx {
        const char *root; /* --root: holds <id>/state.json */
        bool systemd_cgroup;
        bool debug;
        const char *criu; /* --criu: a path, or a name looked up in PATH; NULL: "criu" */
};

struct create_opts {
        const char *id;
        const char *bundle;         /* default: cwd */
        const char *console_socket; /* path, or NULL */
        int console_fd;             /* instead of a path: an fd to send the pty master on, or -1 */
        const char *pid_file;
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds;
};

struct exec_opts {
        const char *id;
        const char *process_file;   /* --process: an OCI process object; the flags below then do not apply */
        const char *console_socket;
        int console_fd;             /* instead of a path, or -1 */
        const char *pid_file;
        bool tty;
        const char *cwd;
        char **env;
        const char *user;           /* uid[:gid] */
        char **additional_gids;
        char **caps;
        bool no_new_privs;
        const char *apparmor;
        const char *process_label;
        int preserve_fds;
        char **args;
        bool ignore_paused;
        char **cgroups;             /* --cgroup [<controller>[,...]:]<path>, repeated */
};

/* runc's checkpoint and restore flags (checkpoint.go, restore.go), as given. */
struct criu_flags {
        const char *image_path;          /* default: <cwd>/checkpoint */
        const char *work_path;           /* criu's -W; default: the image directory */
        const char *parent_path;         /* checkpoint: previous images, relative to image_path */
        bool leave_running;
        bool tcp_established;
        bool ext_unix_sk;
        bool shell_job;
        bool file_locks;
        bool pre_dump;
        bool auto_dedup;
        bool lazy_pages;
        int status_fd;                   /* with lazy_pages: criu writes \0 there when ready; -1 */
        const char *page_server;         /* ADDRESS:PORT */
        const char *manage_cgroups_mode; /* soft, full, strict, ignore; NULL: criu's default */
        char **empty_ns;                 /* only "network" */
        const char *lsm_profile;         /* restore: TYPE:NAME */
        const char *lsm_mount_context;   /* restore */
};

struct checkpoint_opts {
        const char *id;
        struct criu_flags criu;
};

struct restore_opts {
        const char *id;
        const char *bundle;         /* default: cwd */
        const char *console_socket; /* path, or NULL */
        int console_fd;             /* instead of a path: an fd to send the pty master on, or -1 */
        const char *pid_file;
        bool detach;                /* only decides whether a console is required, as in runc */
        struct criu_flags criu;
};

/* runc's id rule: ^[\w+\-\.]+$, and not "." or "..". */
int container_validate_id(const char *id, berth_error_t **err);
/* <root>/<id> */
char *container_dir(const struct runtime_ctx *ctx, const char *id);
/* Load the state; an unknown id is -ENOENT "container does not exist" (runc's words). */
int container_load(const struct runtime_ctx *ctx, const char *id, struct container_state *s,
                   berth_error_t **err);

/* Returns the init pid (host namespace) once the container is "created". On failure nothing is
 * left: no state dir, cgroup, process. */
int container_create(const struct runtime_ctx *ctx, const struct create_opts *o, pid_t *ret_pid,
                     berth_error_t **err);
int container_start(const struct runtime_ctx *ctx, const char *id, berth_error_t **err);
int container_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all,
                   berth_error_t **err);
int container_delete(const struct runtime_ctx *ctx, const char *id, bool force,
                     berth_error_t **err);
/* A new process in the container, in its namespaces, cgroup, capabilities and seccomp filter.
 * Returns its pid once it is about to exec. */
int container_exec(const struct runtime_ctx *ctx, const struct exec_opts *o, pid_t *ret_pid,
                   berth_error_t **err);
/* Dump the running (or paused) container's processes with criu into the image directory. Unless
 * --leave-running or --pre-dump, the container is destroyed afterwards as runc does (its processes
 * were killed by criu): a restore may then reuse the id. On failure the container is untouched. */
int container_checkpoint(const struct runtime_ctx *ctx, const struct checkpoint_opts *o,
                         berth_error_t **err);
/* Create container O->id from the bundle with its processes restored from the image directory by
 * criu; returns the restored init's pid (a child of the caller: criu --restore-sibling). The
 * container is "running" on success; on failure nothing is left: no state, cgroup, mount or
 * process. */
int container_restore(const struct runtime_ctx *ctx, const struct restore_opts *o, pid_t *ret_pid,
                      berth_error_t **err);
/* Freeze (PAUSE) or thaw every process of the container and wait until the kernel says so. */
int container_pause(const struct runtime_ctx *ctx, const char *id, bool pause, berth_error_t **err);
/* Run the hooks of KIND kept in the state, with the state (STATUS) on stdin. */
int container_run_hooks(const struct container_state *s, enum spec_hook_kind kind, const char *status,
                        berth_error_t **err);
/* --pid-file: exactly the decimal pid, no newline, replaced atomically; a relative path is
 * relative to the caller's cwd (runc). */
int container_write_pid_file(const char *path, pid_t pid, berth_error_t **err);
/* "KILL", "SIGKILL", "kill", "9" -> 9. */
int container_parse_signal(const char *s, int *ret, berth_error_t **err);
