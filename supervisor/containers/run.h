/* supervisor/containers/run.h: berthd's running containers: start (bundle, shim, task), the
 * exit path (record, events, cleanup, --rm, restart policy), stop/kill/pause/wait/top, and live
 * restore at berthd start. The one place that knows "the running task of container ID".
 *
 * Stdio of an init: stdout and stderr go to the `binary://` logger (berth-logger, started by the
 * shim with the pipes as fds 3/4, as containerd does for a logging binary), which writes docker's
 * json-file log <data-root>/containers/<id>/<id>-json.log and outlives a berthd restart. Live
 * output (logs -f, a future attach) follows that file. Nothing else of the init's stdio exists
 * yet: no init-stdin FIFO, no terminal (a Tty container's output also goes through the logger,
 * unframed). <exec-root>/containers/<id>/ is the bundle (config.json, rootfs/, the shim's
 * address and log) and the place for FIFOs (init-stdin, exec-<execid>-stdout, …) when a caller
 * needs them.
 *
 * Threading: every function may be called from any API thread. A container's task is looked up
 * under the runner's lock and used through container_run_task_get/put (a reference count), so a
 * struct task stays valid while a caller uses it even when the container exits meanwhile. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "supervisor/tasks/shim.h"
#include "supervisor/tasks/task.h"

struct container_service;
struct event_bus;
struct task_events;
struct run_entry;
struct run_exit_count;
struct run_exec;
struct container_health;

struct container_runner {
        struct container_service *svc; /* borrowed */
        struct event_bus *events;      /* borrowed */
        struct task_shim_config sc;
        struct task_runtime_options ro;
        char *logger_path; /* berth-logger */
        char *shim_path, *api_socket, *runtime_path; /* copies of the config's */
        char *events_path; /* <exec-root>/berthd-events.sock */
        char *runtime_root;
        struct task_events *ev;
        pthread_mutex_t lock;
        pthread_cond_t cond; /* broadcast on every start, exit and removal */
        struct run_entry *entries;
        struct run_exit_count *exits;
        struct run_exec *execs; /* run_exec.c; under lock */
        uint64_t removals; /* bumped at every removal (wait condition=removed) */
        pthread_t reaper;
        bool reaper_started;
        bool closing;
        unsigned pending; /* exit and restart threads still running */
        struct container_health *health; /* health.c's scheduler */
};

/* Settings main() hands over. */
struct container_runner_config {
        const char *shim_binary;
        const char *runtime_binary;
        const char *logger_binary;
        const char *api_socket; /* the shim's -address */
        bool debug;
};

/* Become a child subreaper, open the Events/Forward server, start the reaper and restore the
 * containers the records say are running (docs/berthd.md "Running containers"). */
int container_runner_open(struct container_runner *r, struct container_service *svc,
                          struct event_bus *events, const struct container_runner_config *cfg,
                          berth_error_t **err);
/* Stop serving events and the reaper; running containers keep running (live restore). */
void container_runner_close(struct container_runner *r);

/* POST /containers/{REF}/start. -EALREADY when it runs (docker's 304). A start failure leaves
 * no shim or mount, records State.Error and docker's exit code (127 command not found, 126 not
 * executable) and is -EINVAL (400) for those, -EIO otherwise; messages are dockerd's. */
int container_run_start(struct container_runner *r, const char *ref, berth_error_t **err);
/* POST /containers/{REF}/stop: the stop signal, then SIGKILL after TIMEOUT seconds (< 0: the
 * container's StopTimeout or 10). -EALREADY when not running (docker's 304). */
int container_run_stop(struct container_runner *r, const char *ref, int timeout,
                       berth_error_t **err);
/* POST /containers/{REF}/kill?signal=SIG ("KILL", "SIGKILL", "9"; NULL: SIGKILL). -EBUSY
 * "Container ID is not running" as dockerd (409). */
int container_run_kill(struct container_runner *r, const char *ref, const char *sig,
                       berth_error_t **err);
int container_run_restart(struct container_runner *r, const char *ref, int timeout,
                          berth_error_t **err);
int container_run_pause(struct container_runner *r, const char *ref, bool pause,
                        berth_error_t **err);
/* Kill a running container and wait until its exit has been handled (rm -f). Fine when it
 * is not running. */
int container_run_kill_wait(struct container_runner *r, const char *ref, berth_error_t **err);

enum container_wait_condition {
        CONTAINER_WAIT_NOT_RUNNING,
        CONTAINER_WAIT_NEXT_EXIT,
        CONTAINER_WAIT_REMOVED,
};
/* Pure: "not-running" (or "" / NULL), "next-exit", "removed"; -1 otherwise. */
int container_wait_condition_parse(const char *s);

struct container_wait {
        char *id;
        enum container_wait_condition cond;
        uint64_t exits_at_start;
        uint64_t removals_at_start;
        uint64_t removal_failures_at_start;
        char *error; /* set when the condition ended in an error (a --rm removal that failed) */
};
/* Resolve REF and remember where its exit count stands. */
int container_run_wait_begin(struct container_runner *r, const char *ref,
                             enum container_wait_condition cond, struct container_wait *ret,
                             berth_error_t **err);
/* Wait at most TIMEOUT_MS for W's condition: 0 with the exit code in *RET_CODE, -ETIMEDOUT to
 * be called again. */
int container_run_wait_poll(struct container_runner *r, struct container_wait *w, int timeout_ms,
                            int *ret_code);
void container_wait_done(struct container_wait *w);

/* Publish a container event ACTION for ID in docker's shape (Actor.Attributes name, image, the
 * labels, plus K=V when K is not NULL). R may be NULL (nothing happens). */
void container_run_event(struct container_runner *r, const char *id, const char *action,
                         const char *k, const char *v);
/* The same with EXTRA attributes (a strv of K, V, …; may be NULL). */
void container_run_event_attrs(struct container_runner *r, const char *id, const char *action,
                               char *const *extra);

/* After a removal (API rm, --rm, prune): the destroy event (attributes from DOC, the record as it
 * was, when not NULL), and waits for condition=removed end. R may be NULL. */
struct json_object;
void container_run_removed(struct container_runner *r, const char *id, struct json_object *doc);

/* The running task of container ID (a full ID), referenced: NULL when it does not run. Give it
 * back with container_run_task_put. */
struct task *container_run_task_get(struct container_runner *r, const char *id);
void container_run_task_put(struct container_runner *r, struct task *t);

/* The pids of a running container (GET /containers/{id}/top); *RET is the caller's. */
int container_run_pids(struct container_runner *r, const char *ref, char **ret_id,
                       uint32_t **ret, size_t *ret_n, berth_error_t **err);

/* Pure: docker's signal argument to a number: "KILL", "SIGKILL", "9". -1 when unknown. */
int container_signal_parse(const char *s);

/* Pure: dockerd's restart decision after an exit. POLICY "no", "always", "unless-stopped",
 * "on-failure"; MAX the on-failure count (0: unlimited); COUNT restarts so far; MANUAL: stopped
 * by the user. */
bool container_restart_wanted(const char *policy, int max, int count, int exit_code, bool manual);
/* Pure: the next delay in ms given the previous one and how long the run lasted (ms): 100 ms
 * doubling, back to 100 after a run of 10 s or more (dockerd's backoff). */
int64_t container_restart_delay(int64_t prev_ms, int64_t ran_ms);

/* --- exec (run_exec.c): docker's exec instances of running containers. Detached starts only
 * here; interactive ones (hijacked stdio) build on the same records. --- */

/* Pure: the OCI process of an exec: the container's PROCESS (config.json's "process") with
 * args CMD, ENV appended (KEY=V replacing the same key), WORKDIR when not empty, TTY,
 * USER when given (names, uids, NAME:GROUP… resolved against the container's PASSWD and GROUP
 * file contents (NULL: missing) plus GROUP_ADD, the container's HostConfig.GroupAdd, as
 * dockerd's getUser; -EINVAL "unable to find user NAME: no matching entries in passwd file"),
 * PRIVILEGED keeping every capability the bounding set has. *RET is the caller's. */
struct json_object;
int container_exec_process_build(struct json_object *process, struct json_object *exec_config,
                                 const char *passwd, const char *group, char *const *group_add,
                                 struct json_object **ret, berth_error_t **err);

/* POST /containers/{REF}/exec: record an exec of the running container (-EBUSY "Container X is
 * not running" otherwise); CONFIG is the request body (Cmd, Env, WorkingDir, User, Tty,
 * Privileged, Attach*). *RET_ID (64 hex) is the caller's. */
int container_exec_create(struct container_runner *r, const char *ref, struct json_object *config,
                          char **ret_id, berth_error_t **err);
/* POST /exec/{ID}/start with Detach: run it with no stdio; its exit is recorded from the
 * shim's TaskExit. -EEXIST "Error: Exec command ID is already running". */
int container_exec_start_detached(struct container_runner *r, const char *id,
                                  berth_error_t **err);
/* The same with stdio IO (FIFO paths the caller made and opened its ends of; IO->terminal is the
 * exec's Tty), for a hijacked start (api/exec.c). *RET_PID (optional) is the process's. */
int container_exec_start_io(struct container_runner *r, const char *id, const struct task_stdio *io,
                            uint32_t *ret_pid, berth_error_t **err);
/* GET /exec/{ID}/json: docker's ExecInspect; *RET is the caller's. -ENOENT "No such exec
 * instance: ID". */
int container_exec_inspect(struct container_runner *r, const char *id, struct json_object **ret,
                           berth_error_t **err);
/* From the events thread: exec EXEC_ID of CONTAINER exited with STATUS. */
void container_exec_exited(struct container_runner *r, const char *container, const char *exec_id,
                           uint32_t status);
/* A container exited: its execs are gone too (kept for inspect, not running). */
void container_exec_container_gone(struct container_runner *r, const char *container);
/* Forget exec ID's record (a finished healthcheck probe). */
void container_exec_forget(struct container_runner *r, const char *id);
/* Whether exec ID has exited (its code in *RET_CODE); an unknown exec counts as exited (-1). */
bool container_exec_done(struct container_runner *r, const char *id, int *ret_code);
/* DL = now + MS on CLOCK_REALTIME, the clock of the runner's condition variable. */
void container_run_deadline(struct timespec *dl, int64_t ms);
/* The same, waiting up to TIMEOUT_MS for the exit (woken by container_exec_exited). */
bool container_exec_wait_done(struct container_runner *r, const char *id, int64_t timeout_ms,
                              int *ret_code);

/* The containers whose task runs now: full IDs with when their run began (ms, CLOCK_MONOTONIC
 * based, as the runner's entries). *RET_IDS (NULL-terminated) and *RET_STARTED are the caller's. */
void container_run_running(struct container_runner *r, char ***ret_ids, int64_t **ret_started);

/* At close: forget every exec record. */
void container_exec_free_all(struct container_runner *r);
