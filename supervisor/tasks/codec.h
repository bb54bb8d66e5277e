/* supervisor/tasks/codec.h: the pure protobuf part of the task layer: the runtime options berthd
 * gives its shims (containerd.runc.v1.Options in an Any), event envelopes the shims forward
 * (interfaces.md §4), and timestamps. No I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define TASK_TYPE_RUNC_OPTIONS "containerd.runc.v1.Options"
#define TASK_TYPE_PROCESS_SPEC "types.containerd.io/opencontainers/runtime-spec/1/Process"
#define TASK_TYPE_RESOURCES    "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources"

/* What berthd sets in containerd.runc.v1.Options; NULL / false fields are left out. */
struct task_runtime_options {
        const char *binary_name; /* the runtime (berth) */
        const char *root;        /* its state root; the shim adds "/<ns>" */
        const char *shim_cgroup;
        bool systemd_cgroup;
        bool no_pivot_root;
        bool no_new_keyring;
        uint32_t io_uid, io_gid;
};

/* Pure: O as a serialized google.protobuf.Any (type_url containerd.runc.v1.Options), the bytes
 * containerd writes to `start`'s stdin and sends in CreateTaskRequest.options. *RET is the
 * caller's. */
void task_options_build(const struct task_runtime_options *o, uint8_t **ret, size_t *ret_len);

enum task_event_kind {
        TASK_EVENT_UNKNOWN = 0, /* a type this berthd does not know: topic and type_url only */
        TASK_EVENT_CREATE,
        TASK_EVENT_START,
        TASK_EVENT_EXIT,
        TASK_EVENT_DELETE,
        TASK_EVENT_EXEC_ADDED,
        TASK_EVENT_EXEC_STARTED,
        TASK_EVENT_PAUSED,
        TASK_EVENT_RESUMED,
        TASK_EVENT_OOM,
        TASK_EVENT_CHECKPOINTED,
};

/* A decoded envelope. Strings are never NULL (empty when absent). For an exit, a delete and the
 * exec events, EXEC_ID is empty for the init process (a TaskExit's id equal to its container
 * id, as the shim sends for the init) and the exec id otherwise. Times are Unix seconds and
 * nanoseconds; HAS_EXITED_AT is false for an unset or Go-zero time. */
struct task_event {
        enum task_event_kind kind;
        char *ns;
        char *topic;
        char *type_url;
        int64_t ts_sec;
        int32_t ts_nsec;
        char *container_id;
        char *exec_id;
        uint32_t pid;
        uint32_t exit_status;
        bool has_exited_at;
        int64_t exited_sec;
        int32_t exited_nsec;
};

/* Pure: a containerd.services.events.ttrpc.v1.ForwardRequest (the payload of Events/Forward)
 * into *RET (released with task_event_done()). -EINVAL (does not decode, no envelope, empty
 * namespace, a topic not starting with '/', an event whose payload does not decode); an unknown
 * event type is not an error (kind TASK_EVENT_UNKNOWN). */
int task_event_parse(const uint8_t *payload, size_t len, struct task_event *ret,
                     berth_error_t **err);
void task_event_done(struct task_event *e);
/* "exit", "start", ... for logs and the test driver; "unknown" for TASK_EVENT_UNKNOWN. */
const char *task_event_kind_name(enum task_event_kind kind);

/* Pure: a protobuf Timestamp's seconds to "exited or not": Go's zero time (-62135596800) and an
 * unset one (HAS false) mean "not exited" (interfaces.md §3.2). */
bool task_timestamp_is_set(bool has, int64_t seconds, int32_t nanos);
