/* runtime/container/container.h: the container lifecycle as library calls, shared by the CLI
 * verbs and the tests: create, start, kill, delete, and loading what create left. */
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
