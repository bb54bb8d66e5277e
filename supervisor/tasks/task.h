/* supervisor/tasks/task.h: berthd's client of one task's shim: start the shim and create the
 * task in it, the Task API calls (interfaces.md §3), teardown as containerd 1.6 does it (§2.7)
 * and reconnecting after a berthd restart through <bundle>/address (§2.3).
 *
 * Threading: every call opens its own ttrpc connection to the shim (the shim serves any number)
 * and closes it when answered, so calls may come from any thread at once and a Wait blocked in one
 * thread holds up nothing else. A struct task is immutable after task_create()/task_open() except
 * for the cached shim pid, which its lock guards. The caller keeps a task alive (no reference
 * counting) until every thread has finished with it, then task_free()s it. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "supervisor/tasks/codec.h"
#include "supervisor/tasks/shim.h"

struct task {
        char *id;
        char *bundle;
        char *ns;
        char *socket_path; /* from the shim's address; with ABSTRACT an abstract name */
        bool abstract;
        pthread_mutex_t lock;
        uint32_t shim_pid; /* guarded by lock; 0 until a Connect answered */
};

/* Stdio of the init or an exec (interfaces.md §5.1): FIFO paths (made by the caller, which opens
 * its ends), a `file:///abs/path` or `binary://` URI in OUT, or NULL / "" for not connected;
 * with TERMINAL, ERR is ignored. */
struct task_stdio {
        const char *in;
        const char *out;
        const char *err;
        bool terminal;
};

/* One entry of CreateTaskRequest.rootfs (interfaces.md §3.2), as containerd sends a snapshot's
 * mounts: no target; the shim mounts the entries in order onto <bundle>/rootfs and unmounts them
 * at Delete, or in its delete action when it was killed. OPTIONS is NULL-terminated (or NULL). */
struct task_mount {
        const char *type;
        const char *source;
        char *const *options;
};

/* A process's end as Wait, Delete and the delete action report it. */
struct task_exit {
        uint32_t pid;
        uint32_t exit_status;
        bool has_exited_at;
        int64_t exited_sec;
        int32_t exited_nsec;
};

/* containerd.v1.types.Status */
enum task_status {
        TASK_STATUS_UNKNOWN = 0,
        TASK_STATUS_CREATED = 1,
        TASK_STATUS_RUNNING = 2,
        TASK_STATUS_STOPPED = 3,
        TASK_STATUS_PAUSED = 4,
        TASK_STATUS_PAUSING = 5,
};
/* "created", "running", ... */
const char *task_status_name(enum task_status s);

struct task_state {
        enum task_status status;
        uint32_t pid;
        struct task_exit exit; /* meaningful when status is STOPPED */
};

/* Start a shim for ID (cwd BUNDLE, which holds config.json), give it runtime options RO, and
 * Create the task with IO. The rootfs is either ready in BUNDLE (N_ROOTFS 0) or ROOTFS, mounted
 * by the shim (so that its delete action unmounts it after a crash, as with containerd's
 * snapshots). *RET is the caller's; *RET_PID (optional) is the init's pid. On failure the shim is
 * shut down and its delete action run, as containerd does, so nothing is left but the caller's
 * bundle. The shim's stderr goes to <BUNDLE>/log (a regular file here; containerd uses a FIFO it
 * copies into its own log); <BUNDLE>/shim-binary-path names the shim, as containerd writes it. */
int task_create(const struct task_shim_config *sc, const struct task_runtime_options *ro,
                const char *id, const char *bundle, const struct task_stdio *io,
                const struct task_mount *rootfs, size_t n_rootfs, struct task **ret,
                uint32_t *ret_pid, berth_error_t **err);

/* Reconnect to the shim of ID after a berthd restart: read <BUNDLE>/address and Connect within
 * 5 s, as containerd's loadShim. -ENOENT without an address file; a shim that does not answer is
 * -ECONNREFUSED (or -ENOENT for a removed socket). */
int task_open(const char *ns, const char *id, const char *bundle, struct task **ret,
              berth_error_t **err);

/* What live restore needs: reconnect (task_open) and report the init's state. When the shim is
 * gone, run its delete action (as containerd does for a shim that does not answer), *RET_TASK is
 * NULL and *RET_STATE is STOPPED with the action's pid and exit status (137). */
int task_recover(const struct task_shim_config *sc, const char *id, const char *bundle,
                 struct task **ret_task, struct task_state *ret_state, berth_error_t **err);

void task_free(struct task *t);
DEFINE_CLEANUP(struct task *, task_free)
#define cleanup_task __attribute__((cleanup(task_freep)))

/* The Task API. EXEC_ID NULL or "" means the init. Errors carry the shim's class (status.h):
 * -ENOENT for an unknown process or one that already finished (Kill), -EBUSY for a wrong state,
 * -ECONNRESET / -ECONNREFUSED when the shim is gone. */
int task_start(struct task *t, const char *exec_id, uint32_t *ret_pid, berth_error_t **err);
/* Register exec EXEC_ID running PROCESS_JSON (the OCI `process` object, as JSON) with IO. */
int task_exec(struct task *t, const char *exec_id, const struct task_stdio *io,
              const char *process_json, berth_error_t **err);
int task_kill(struct task *t, const char *exec_id, uint32_t signal, bool all, berth_error_t **err);
/* Blocks until the process exits; no timeout (valid before Start too). */
int task_wait(struct task *t, const char *exec_id, struct task_exit *ret, berth_error_t **err);
/* Delete a stopped process (for the init: the container). */
int task_delete(struct task *t, const char *exec_id, struct task_exit *ret, berth_error_t **err);
int task_get_state(struct task *t, const char *exec_id, struct task_state *ret,
                   berth_error_t **err);
/* The pids in the container; *RET is the caller's. */
int task_pids(struct task *t, uint32_t **ret, size_t *ret_n, berth_error_t **err);
/* The Stats Any: its type_url (io.containerd.cgroups.v1.Metrics or v2) and bytes, the caller's. */
int task_stats(struct task *t, char **ret_type_url, uint8_t **ret_data, size_t *ret_len,
               berth_error_t **err);
int task_pause(struct task *t, berth_error_t **err);
int task_resume(struct task *t, berth_error_t **err);
int task_resize_pty(struct task *t, const char *exec_id, uint32_t width, uint32_t height,
                    berth_error_t **err);
int task_close_stdin(struct task *t, const char *exec_id, berth_error_t **err);
/* RESOURCES_JSON: the OCI linux.resources object, as JSON. */
int task_update(struct task *t, const char *resources_json, berth_error_t **err);
/* Liveness: the shim's pid (cached in T) and the init's (0 before Create finished). */
int task_connect(struct task *t, uint32_t *ret_shim_pid, uint32_t *ret_task_pid,
                 berth_error_t **err);
/* Ask the shim to exit once it holds no container; a closed connection counts as done. */
int task_shutdown(struct task *t, berth_error_t **err);

/* containerd's teardown of a task: Delete the init (NOT_FOUND and a gone shim are fine), Shutdown
 * (3 s), wait up to 3 s for the shim to exit, then the shim's delete action, which is idempotent
 * and removes a dead shim's socket. *RET (optional) is the init's end from Delete, or from the
 * delete action when the shim was gone. T stays the caller's to free. */
int task_teardown(const struct task_shim_config *sc, struct task *t, struct task_exit *ret,
                  berth_error_t **err);
