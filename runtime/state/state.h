/* runtime/state/state.h: what berth keeps about a container in <root>/<id>/state.json, and the
 * runc-shaped views of it (`state`, `list`, hooks' stdin). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"

enum container_status {
        STATUS_CREATING = 0,
        STATUS_CREATED,
        STATUS_RUNNING,
        STATUS_PAUSED,
        STATUS_STOPPED,
};

struct container_state {
        char *id;
        pid_t pid;                     /* init, host pid namespace */
        unsigned long long start_time; /* /proc/<pid>/stat field 22: guards against pid reuse */
        char *bundle;
        char *rootfs;
        char *created;                 /* RFC 3339, nanoseconds, UTC */
        char *oci_version;
        char **annotations;            /* key, value, ... */
        char **cgroup_dirs;
        bool systemd_cgroup;
        bool own_pidns;                /* init has a pid namespace of its own */
        struct json_object *hooks;     /* config.json "hooks", for poststop at delete */
        char **stdio;                  /* what the init's fds 0-2 were at create (readlink of
                                        * /proc/<pid>/fd/N, "" when unreadable): descriptors.json
                                        * of a checkpoint (runc's external descriptors) */
};

const char *state_status_name(enum container_status s);
void state_done(struct container_state *s);
/* PATH is the container directory <root>/<id>. */
int state_write(const char *dir, const struct container_state *s, berth_error_t **err);
int state_read(const char *dir, struct container_state *s, berth_error_t **err);
/* created (exec fifo present), running, paused (frozen), or stopped (init gone). */
enum container_status state_status(const char *dir, const struct container_state *s);
/* Pure: the status from the facts: init alive, fifo present, frozen. */
enum container_status state_status_from(bool alive, bool fifo, bool frozen);
/* Whether PID is alive with START_TIME (not a zombie, not a reused pid). */
bool state_pid_alive(pid_t pid, unsigned long long start_time);
/* readlink /proc/<PID>/fd/0..2 ("" for one that cannot be read), as runc's getPipeFds. */
char **state_stdio_targets(pid_t pid);
/* Field 22 of /proc/<pid>/stat; 0 when unreadable. */
unsigned long long state_pid_start_time(pid_t pid);

/* runc's `state` object; PID 0 when stopped. Caller puts. */
struct json_object *state_to_runc_json(const struct container_state *s, enum container_status st);
/* runtime-spec state for hooks: ociVersion, id, status, pid, bundle, annotations. */
char *state_hook_json(const struct container_state *s, const char *status);
