/* shim/service.h: the task service's state and behaviour, in C types: the containers this shim
 * serves, their init and exec processes, and what each Task method does to them (interfaces.md
 * §3). shim/task_api.c decodes the ttrpc requests into these calls and encodes the answers;
 * shim/publisher.c sends the events this raises. One thread: everything runs from the loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/error.h"
#include "shim/rootfs_mount.h"
#include "shim/runtime_cli.h"
#include "shim/stdio_uri.h"

struct loop;
struct shim_copy;
struct shim_publisher;

/* containerd.v1.types.Status */
enum shim_status {
        SHIM_STATUS_UNKNOWN = 0,
        SHIM_STATUS_CREATED = 1,
        SHIM_STATUS_RUNNING = 2,
        SHIM_STATUS_STOPPED = 3,
        SHIM_STATUS_PAUSED = 4,
        SHIM_STATUS_PAUSING = 5,
};

struct shim_proc_exit {
        pid_t pid;
        uint32_t status;
        struct timespec at;
};

/* A pending Wait: FN runs once with the exit, or with E NULL when the shim goes away. The
 * waiter is the caller's (FN frees it). */
struct shim_waiter {
        void (*fn)(struct shim_waiter *w, const struct shim_proc_exit *e);
        void *userdata;
        struct shim_waiter *next;
};

struct shim_container;

struct shim_proc {
        struct shim_container *ct;
        char *exec_id; /* NULL for the init */
        pid_t pid;
        enum shim_status status;
        bool exited;
        struct shim_proc_exit exit;
        bool terminal;
        char *stdin_uri, *stdout_uri, *stderr_uri;
        char *spec_json; /* exec: the OCI process object */
        int console;     /* the pty master, or -1 */
        int stdin_keep;  /* our own writer on the stdin FIFO, until CloseIO */
        int out_keep[2]; /* readers on the output FIFOs, so the copies never see EPIPE */
        struct shim_copy *copies[3];
        pid_t logger;
        struct shim_waiter *waiters;
        struct shim_proc *next;
};

/* Options that pick and drive the runtime (containerd.runc.v1.Options, or berth's own config
 * file named by runtimeoptions.v1.Options). */
struct shim_options {
        char *binary_name; /* default "berth" */
        char *root;        /* default /run/containerd/berth */
        char *criu_path;
        char *shim_cgroup; /* the server is moved into this cgroup by the start action */
        bool systemd_cgroup, no_pivot_root, no_new_keyring;
        uint32_t io_uid, io_gid;
};

struct shim_container {
        char *id, *bundle;
        char *rt_root, *rt_log; /* --root <root>/<ns>, --log <bundle>/log.json */
        struct shim_options opts;
        struct shim_runtime rt;
        bool rootfs_mounted;
        bool shared_pidns; /* no private pid namespace: kill --all when the init exits */
        struct shim_proc *init;
        struct shim_proc *execs;
        int oom_fd; /* eventfd (v1) or inotify (v2), or -1 */
        uint64_t oom_kills;
        char *memory_events; /* memory.oom_control (v1) or memory.events (v2) */
        struct shim_service *oom_service;
        struct shim_container *next;
};

struct shim_service {
        struct loop *loop;
        const char *ns;
        struct shim_publisher *pub;
        struct shim_container *containers;
        bool shutdown_requested; /* Shutdown with nothing left to serve (or now) */
};

struct shim_create {
        const char *id, *bundle;
        const struct shim_mount *rootfs;
        size_t n_rootfs;
        bool terminal;
        const char *stdin_uri, *stdout_uri, *stderr_uri;
        const char *checkpoint;
        const struct shim_options *opts; /* NULL: from the bundle's options.json or defaults */
};

/* Options: defaults, and their JSON form in <bundle>/options.json (the delete action's). */
void shim_options_defaults(struct shim_options *o);
void shim_options_done(struct shim_options *o);
int shim_options_save(const char *bundle, const struct shim_options *o, berth_error_t **err);
/* On failure O holds nothing (shim_options_done need not be called). */
int shim_options_load(const char *bundle, struct shim_options *o, berth_error_t **err);
/* A berth shim config file (runtimeoptions.v1.Options.config_path): TOML-style `key = value`
 * lines with the keys of containerd.runc.v1.Options in TOML spelling (BinaryName, Root,
 * SystemdCgroup, CriuPath, NoPivotRoot, NoNewKeyring, IoUid, IoGid). */
int shim_options_read_config(const char *path, struct shim_options *o, berth_error_t **err);

struct shim_container *shim_service_find(struct shim_service *s, const char *id);
/* ID's process EXEC_ID (NULL or "": the init); -ENOENT with containerd's wording otherwise. */
int shim_service_proc(struct shim_service *s, const char *id, const char *exec_id,
                      struct shim_proc **ret, berth_error_t **err);

int shim_service_create(struct shim_service *s, const struct shim_create *req, pid_t *ret_pid,
                        berth_error_t **err);
int shim_service_start(struct shim_service *s, const char *id, const char *exec_id, pid_t *ret_pid,
                       berth_error_t **err);
/* Removes a stopped (or never started) process; the init takes its container with it. */
int shim_service_delete(struct shim_service *s, const char *id, const char *exec_id,
                        struct shim_proc_exit *ret, berth_error_t **err);
int shim_service_exec(struct shim_service *s, const char *id, const char *exec_id, bool terminal,
                      const char *in, const char *out, const char *errs, const char *spec_json,
                      berth_error_t **err);
int shim_service_kill(struct shim_service *s, const char *id, const char *exec_id, uint32_t signal,
                      bool all, berth_error_t **err);
int shim_service_pause(struct shim_service *s, const char *id, bool pause, berth_error_t **err);
int shim_service_resize(struct shim_service *s, const char *id, const char *exec_id, uint32_t width,
                        uint32_t height, berth_error_t **err);
int shim_service_close_io(struct shim_service *s, const char *id, const char *exec_id,
                          berth_error_t **err);
int shim_service_update(struct shim_service *s, const char *id, const char *resources_json,
                        berth_error_t **err);
/* The pids of ID's container, from `<runtime> ps --format json`. */
int shim_service_pids(struct shim_service *s, const char *id, pid_t **ret, size_t *ret_n,
                      berth_error_t **err);
/* The runtime's `events --stats` JSON (interfaces.md §6.5) for ID. */
int shim_service_stats_json(struct shim_service *s, const char *id, char **ret,
                            berth_error_t **err);
int shim_service_checkpoint(struct shim_service *s, const char *id, const char *path,
                            bool leave_running, berth_error_t **err);

/* A child of the shim exited (from the reaper). */
void shim_service_reaped(struct shim_service *s, pid_t pid, int wstatus);
/* Shim going away: stop watching, free everything (runs no runtime command). */
void shim_service_done(struct shim_service *s);
