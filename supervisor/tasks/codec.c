/* supervisor/tasks/codec.c: runtime options, event envelopes and timestamps; see codec.h. */
#include <config.h>

#include "supervisor/tasks/codec.h"

#include <errno.h>
#include <string.h>

#include "containerd/events/task.pb-c.h"
#include "containerd/runc/v1/options.pb-c.h"
#include "containerd/services/events/ttrpc/v1/events.pb-c.h"
#include "google/protobuf/any.pb-c.h"
#include "lib/xalloc.h"

/* Go's time.Time{} as a protobuf Timestamp: what a Go peer sends for "not set". */
#define GO_ZERO_TIME_SECONDS (-62135596800LL)

void
task_options_build(const struct task_runtime_options *o, uint8_t **ret, size_t *ret_len)
{
        Containerd__Runc__V1__Options opts = CONTAINERD__RUNC__V1__OPTIONS__INIT;
        Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
        uint8_t *inner, *out;
        size_t n;

        opts.binary_name = (char *) (o->binary_name ? o->binary_name : "");
        opts.root = (char *) (o->root ? o->root : "");
        opts.shim_cgroup = (char *) (o->shim_cgroup ? o->shim_cgroup : "");
        opts.systemd_cgroup = o->systemd_cgroup;
        opts.no_pivot_root = o->no_pivot_root;
        opts.no_new_keyring = o->no_new_keyring;
        opts.io_uid = o->io_uid;
        opts.io_gid = o->io_gid;
        n = containerd__runc__v1__options__get_packed_size(&opts);
        inner = xmalloc(n ? n : 1);
        containerd__runc__v1__options__pack(&opts, inner);
        any.type_url = (char *) TASK_TYPE_RUNC_OPTIONS;
        any.value.data = inner;
        any.value.len = n;
        *ret_len = google__protobuf__any__get_packed_size(&any);
        out = xmalloc(*ret_len ? *ret_len : 1);
        google__protobuf__any__pack(&any, out);
        free(inner);
        *ret = out;
}

bool
task_timestamp_is_set(bool has, int64_t seconds, int32_t nanos)
{
        if (!has)
                return false;
        return !(seconds == GO_ZERO_TIME_SECONDS && nanos == 0);
}

static const struct {
        const char *type_url;
        enum task_event_kind kind;
        const char *name;
        const ProtobufCMessageDescriptor *desc;
} event_types[] = {
        {"containerd.events.TaskCreate", TASK_EVENT_CREATE, "create",
         &containerd__events__task_create__descriptor},
        {"containerd.events.TaskStart", TASK_EVENT_START, "start",
         &containerd__events__task_start__descriptor},
        {"containerd.events.TaskExit", TASK_EVENT_EXIT, "exit",
         &containerd__events__task_exit__descriptor},
        {"containerd.events.TaskDelete", TASK_EVENT_DELETE, "delete",
         &containerd__events__task_delete__descriptor},
        {"containerd.events.TaskExecAdded", TASK_EVENT_EXEC_ADDED, "exec-added",
         &containerd__events__task_exec_added__descriptor},
        {"containerd.events.TaskExecStarted", TASK_EVENT_EXEC_STARTED, "exec-started",
         &containerd__events__task_exec_started__descriptor},
        {"containerd.events.TaskPaused", TASK_EVENT_PAUSED, "paused",
         &containerd__events__task_paused__descriptor},
        {"containerd.events.TaskResumed", TASK_EVENT_RESUMED, "resumed",
         &containerd__events__task_resumed__descriptor},
        {"containerd.events.TaskOOM", TASK_EVENT_OOM, "oom",
         &containerd__events__task_oom__descriptor},
        {"containerd.events.TaskCheckpointed", TASK_EVENT_CHECKPOINTED, "checkpointed",
         &containerd__events__task_checkpointed__descriptor},
};

const char *
task_event_kind_name(enum task_event_kind kind)
{
        for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
                if (event_types[i].kind == kind)
                        return event_types[i].name;
        return "unknown";
}

/* Field NAME of M (of type TYPE): where its value is stored, or NULL when M has no such field. */
static const void *
field_of(const ProtobufCMessage *m, const char *name, ProtobufCType type)
{
        const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
        return f && f->type == type ? (const char *) m + f->offset : NULL;
}

static const char *
string_field(const ProtobufCMessage *m, const char *name)
{
        const char *const *v = field_of(m, name, PROTOBUF_C_TYPE_STRING);
        return v && *v ? *v : "";
}

static uint32_t
uint32_field(const ProtobufCMessage *m, const char *name)
{
        const uint32_t *v = field_of(m, name, PROTOBUF_C_TYPE_UINT32);
        return v ? *v : 0;
}

/* The event inside the Any, by DESC (NULL: a type we do not know, kept as it is). The task
 * events share their field names: container_id, the process as exec_id (TaskExecAdded/Started)
 * or id (TaskExit/Delete, where the init is named by the container id), pid, exit_status,
 * exited_at. Returns false when the payload does not decode. */
static bool
event_decode(struct task_event *e, const ProtobufCMessageDescriptor *desc, const ProtobufCBinaryData *v)
{
        if (!desc)
                return true;
        ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, v->len, v->data);
        if (!m)
                return false;
        const char *cid = string_field(m, "container_id"), *id = string_field(m, "id");
        e->container_id = xstrdup(cid);
        /* TaskExit and TaskDelete name the init by the container id (interfaces.md §2.8). */
        e->exec_id = xstrdup(*id ? (strcmp(id, cid) == 0 ? "" : id) : string_field(m, "exec_id"));
        e->pid = uint32_field(m, "pid");
        e->exit_status = uint32_field(m, "exit_status");
        const ProtobufCMessage *const *at = field_of(m, "exited_at", PROTOBUF_C_TYPE_MESSAGE);
        const Google__Protobuf__Timestamp *t = at ? (const Google__Protobuf__Timestamp *) *at : NULL;
        if (t && task_timestamp_is_set(true, t->seconds, t->nanos)) {
                e->has_exited_at = true;
                e->exited_sec = t->seconds;
                e->exited_nsec = t->nanos;
        }
        protobuf_c_message_free_unpacked(m, NULL);
        return true;
}

int
task_event_parse(const uint8_t *payload, size_t len, struct task_event *ret, berth_error_t **err)
{
        Containerd__Services__Events__Ttrpc__V1__ForwardRequest *req =
                containerd__services__events__ttrpc__v1__forward_request__unpack(NULL, len,
                                                                                 payload);
        struct task_event e = {0};
        int r = 0;

        if (!req)
                return berth_error_new(err, EINVAL, "forward request does not decode");
        const Containerd__Services__Events__Ttrpc__V1__Envelope *env = req->envelope;
        if (!env) {
                r = berth_error_new(err, EINVAL, "forward request without an envelope");
        } else if (!env->namespace_ || !*env->namespace_) {
                r = berth_error_new(err, EINVAL, "envelope: namespace must not be empty");
        } else if (!env->topic || env->topic[0] != '/') {
                r = berth_error_new(err, EINVAL, "envelope: topic \"%s\" must start with \"/\"",
                                    env->topic ? env->topic : "");
        } else if (!env->event) {
                r = berth_error_new(err, EINVAL, "envelope %s: no event", env->topic);
        }
        if (r < 0) {
                containerd__services__events__ttrpc__v1__forward_request__free_unpacked(req, NULL);
                return r;
        }
        e.ns = xstrdup(env->namespace_);
        e.topic = xstrdup(env->topic);
        e.type_url = xstrdup(env->event->type_url ? env->event->type_url : "");
        if (env->timestamp) {
                e.ts_sec = env->timestamp->seconds;
                e.ts_nsec = env->timestamp->nanos;
        }
        const ProtobufCMessageDescriptor *desc = NULL;
        for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
                if (strcmp(e.type_url, event_types[i].type_url) == 0) {
                        e.kind = event_types[i].kind;
                        desc = event_types[i].desc;
                }
        if (!event_decode(&e, desc, &env->event->value))
                r = berth_error_new(err, EINVAL, "envelope %s: event %s does not decode", e.topic,
                                    e.type_url);
        containerd__services__events__ttrpc__v1__forward_request__free_unpacked(req, NULL);
        if (!e.container_id)
                e.container_id = xstrdup("");
        if (!e.exec_id)
                e.exec_id = xstrdup("");
        if (r < 0) {
                task_event_done(&e);
                return r;
        }
        *ret = e;
        return 0;
}

void
task_event_done(struct task_event *e)
{
        if (!e)
                return;
        free(e->ns);
        free(e->topic);
        free(e->type_url);
        free(e->container_id);
        free(e->exec_id);
        memset(e, 0, sizeof(*e));
}
