/* shim/events.c: see events.h. */
#include "shim/events.h"

#include <stdlib.h>
#include <string.h>

#include "containerd/events/task.pb.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "proto/nano_callbacks.h"
#include "shim/publisher.h"
#include "shim/rootfs_mount.h"

#define COPY(dst, src) strncpy((dst), (src) ? (src) : "", sizeof(dst) - 1)

static void
event_send(struct shim_publisher *p, const char *topic, const char *name, const pb_msgdesc_t *desc,
           const void *msg)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        cleanup_free char *type_url = xasprintf("containerd.events.%s", name);
        size_t len;

        if (!p)
                return;
        if (nano_encode(desc, msg, &buf, &len, &err) < 0) {
                log_warn("events: cannot encode %s: %s", name, err->msg);
                return;
        }
        shim_publisher_send(p, topic, type_url, buf, len);
}

static google_protobuf_Timestamp
event_time(const struct timespec *at)
{
        return (google_protobuf_Timestamp){.seconds = at->tv_sec, .nanos = (int32_t) at->tv_nsec};
}

void
shim_event_task_create(struct shim_publisher *p, const char *id, const char *bundle,
                       const struct shim_mount *rootfs, size_t n_rootfs, const char *in,
                       const char *out, const char *err, bool terminal, const char *checkpoint,
                       uint32_t pid)
{
        containerd_events_TaskCreate *e = xmalloc(sizeof(*e));
        containerd_types_Mount *mounts = xmalloc((n_rootfs ? n_rootfs : 1) * sizeof(*mounts));
        struct nano_list list = {.desc = containerd_types_Mount_fields,
                                 .size = sizeof(*mounts),
                                 .items = mounts,
                                 .count = n_rootfs};

        *e = (containerd_events_TaskCreate) containerd_events_TaskCreate_init_zero;
        for (size_t i = 0; i < n_rootfs; i++) {
                mounts[i] = (containerd_types_Mount) containerd_types_Mount_init_zero;
                COPY(mounts[i].type, rootfs[i].type);
                COPY(mounts[i].source, rootfs[i].source);
                mounts[i].options.funcs.encode = nano_encode_strv;
                mounts[i].options.arg = rootfs[i].options;
        }
        COPY(e->container_id, id);
        COPY(e->bundle, bundle);
        e->rootfs.funcs.encode = nano_encode_list;
        e->rootfs.arg = &list;
        e->has_io = true;
        COPY(e->io.stdin, in);
        COPY(e->io.stdout, out);
        COPY(e->io.stderr, err);
        e->io.terminal = terminal;
        COPY(e->checkpoint, checkpoint);
        e->pid = pid;
        event_send(p, "/tasks/create", "TaskCreate", containerd_events_TaskCreate_fields, e);
        free(mounts);
        free(e);
}

void
shim_event_task_start(struct shim_publisher *p, const char *id, uint32_t pid)
{
        containerd_events_TaskStart e = containerd_events_TaskStart_init_zero;

        COPY(e.container_id, id);
        e.pid = pid;
        event_send(p, "/tasks/start", "TaskStart", containerd_events_TaskStart_fields, &e);
}

void
shim_event_task_exit(struct shim_publisher *p, const char *id, const char *proc_id, uint32_t pid,
                     uint32_t status, const struct timespec *at)
{
        containerd_events_TaskExit e = containerd_events_TaskExit_init_zero;

        COPY(e.container_id, id);
        COPY(e.id, proc_id);
        e.pid = pid;
        e.exit_status = status;
        e.has_exited_at = true;
        e.exited_at = event_time(at);
        event_send(p, "/tasks/exit", "TaskExit", containerd_events_TaskExit_fields, &e);
}

void
shim_event_task_delete(struct shim_publisher *p, const char *id, const char *exec_id, uint32_t pid,
                       uint32_t status, const struct timespec *at)
{
        containerd_events_TaskDelete e = containerd_events_TaskDelete_init_zero;

        COPY(e.container_id, id);
        COPY(e.id, exec_id);
        e.pid = pid;
        e.exit_status = status;
        e.has_exited_at = true;
        e.exited_at = event_time(at);
        event_send(p, "/tasks/delete", "TaskDelete", containerd_events_TaskDelete_fields, &e);
}

void
shim_event_exec_added(struct shim_publisher *p, const char *id, const char *exec_id)
{
        containerd_events_TaskExecAdded e = containerd_events_TaskExecAdded_init_zero;

        COPY(e.container_id, id);
        COPY(e.exec_id, exec_id);
        event_send(p, "/tasks/exec-added", "TaskExecAdded", containerd_events_TaskExecAdded_fields,
                   &e);
}

void
shim_event_exec_started(struct shim_publisher *p, const char *id, const char *exec_id, uint32_t pid)
{
        containerd_events_TaskExecStarted e = containerd_events_TaskExecStarted_init_zero;

        COPY(e.container_id, id);
        COPY(e.exec_id, exec_id);
        e.pid = pid;
        event_send(p, "/tasks/exec-started", "TaskExecStarted",
                   containerd_events_TaskExecStarted_fields, &e);
}

void
shim_event_paused(struct shim_publisher *p, const char *id, bool paused)
{
        if (paused) {
                containerd_events_TaskPaused e = containerd_events_TaskPaused_init_zero;
                COPY(e.container_id, id);
                event_send(p, "/tasks/paused", "TaskPaused", containerd_events_TaskPaused_fields,
                           &e);
        } else {
                containerd_events_TaskResumed e = containerd_events_TaskResumed_init_zero;
                COPY(e.container_id, id);
                event_send(p, "/tasks/resumed", "TaskResumed", containerd_events_TaskResumed_fields,
                           &e);
        }
}

void
shim_event_oom(struct shim_publisher *p, const char *id)
{
        containerd_events_TaskOOM e = containerd_events_TaskOOM_init_zero;

        COPY(e.container_id, id);
        event_send(p, "/tasks/oom", "TaskOOM", containerd_events_TaskOOM_fields, &e);
}

void
shim_event_checkpointed(struct shim_publisher *p, const char *id)
{
        containerd_events_TaskCheckpointed e = containerd_events_TaskCheckpointed_init_zero;

        COPY(e.container_id, id);
        event_send(p, "/tasks/checkpointed", "TaskCheckpointed",
                   containerd_events_TaskCheckpointed_fields, &e);
}
