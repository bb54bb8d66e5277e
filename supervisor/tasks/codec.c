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
} event_types[] = {
        {"containerd.events.TaskCreate", TASK_EVENT_CREATE, "create"},
        {"containerd.events.TaskStart", TASK_EVENT_START, "start"},
        {"containerd.events.TaskExit", TASK_EVENT_EXIT, "exit"},
        {"containerd.events.TaskDelete", TASK_EVENT_DELETE, "delete"},
        {"containerd.events.TaskExecAdded", TASK_EVENT_EXEC_ADDED, "exec-added"},
        {"containerd.events.TaskExecStarted", TASK_EVENT_EXEC_STARTED, "exec-started"},
        {"containerd.events.TaskPaused", TASK_EVENT_PAUSED, "paused"},
        {"containerd.events.TaskResumed", TASK_EVENT_RESUMED, "resumed"},
        {"containerd.events.TaskOOM", TASK_EVENT_OOM, "oom"},
        {"containerd.events.TaskCheckpointed", TASK_EVENT_CHECKPOINTED, "checkpointed"},
};

const char *
task_event_kind_name(enum task_event_kind kind)
{
        for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
                if (event_types[i].kind == kind)
                        return event_types[i].name;
        return "unknown";
}

static void
set_exited(struct task_event *e, const Google__Protobuf__Timestamp *t)
{
        if (t && task_timestamp_is_set(true, t->seconds, t->nanos)) {
                e->has_exited_at = true;
                e->exited_sec = t->seconds;
                e->exited_nsec = t->nanos;
        }
}

static char *
dup_or_empty(const char *s)
{
        return xstrdup(s ? s : "");
}

/* The event inside the Any, by kind. Returns false when its payload does not decode. */
static bool
event_decode(struct task_event *e, const ProtobufCBinaryData *v)
{
        const char *cid = NULL, *eid = NULL;

        switch (e->kind) {
        case TASK_EVENT_CREATE: {
                Containerd__Events__TaskCreate *m =
                        containerd__events__task_create__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                cid = m->container_id;
                e->pid = m->pid;
                e->container_id = dup_or_empty(cid);
                containerd__events__task_create__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_START: {
                Containerd__Events__TaskStart *m =
                        containerd__events__task_start__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                e->container_id = dup_or_empty(m->container_id);
                e->pid = m->pid;
                containerd__events__task_start__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_EXIT: {
                Containerd__Events__TaskExit *m =
                        containerd__events__task_exit__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                cid = m->container_id ? m->container_id : "";
                eid = m->id ? m->id : "";
                e->container_id = xstrdup(cid);
                /* The shim names the init by the container id (interfaces.md §2.8). */
                e->exec_id = xstrdup(strcmp(eid, cid) == 0 ? "" : eid);
                e->pid = m->pid;
                e->exit_status = m->exit_status;
                set_exited(e, m->exited_at);
                containerd__events__task_exit__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_DELETE: {
                Containerd__Events__TaskDelete *m =
                        containerd__events__task_delete__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                cid = m->container_id ? m->container_id : "";
                eid = m->id ? m->id : "";
                e->container_id = xstrdup(cid);
                e->exec_id = xstrdup(strcmp(eid, cid) == 0 ? "" : eid);
                e->pid = m->pid;
                e->exit_status = m->exit_status;
                set_exited(e, m->exited_at);
                containerd__events__task_delete__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_EXEC_ADDED: {
                Containerd__Events__TaskExecAdded *m =
                        containerd__events__task_exec_added__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                e->container_id = dup_or_empty(m->container_id);
                e->exec_id = dup_or_empty(m->exec_id);
                containerd__events__task_exec_added__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_EXEC_STARTED: {
                Containerd__Events__TaskExecStarted *m =
                        containerd__events__task_exec_started__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                e->container_id = dup_or_empty(m->container_id);
                e->exec_id = dup_or_empty(m->exec_id);
                e->pid = m->pid;
                containerd__events__task_exec_started__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_PAUSED: {
                Containerd__Events__TaskPaused *m =
                        containerd__events__task_paused__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                e->container_id = dup_or_empty(m->container_id);
                containerd__events__task_paused__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_RESUMED: {
                Containerd__Events__TaskResumed *m =
                        containerd__events__task_resumed__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                e->container_id = dup_or_empty(m->container_id);
                containerd__events__task_resumed__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_OOM: {
                Containerd__Events__TaskOOM *m =
                        containerd__events__task_oom__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                e->container_id = dup_or_empty(m->container_id);
                containerd__events__task_oom__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_CHECKPOINTED: {
                Containerd__Events__TaskCheckpointed *m =
                        containerd__events__task_checkpointed__unpack(NULL, v->len, v->data);
                if (!m)
                        return false;
                e->container_id = dup_or_empty(m->container_id);
                containerd__events__task_checkpointed__free_unpacked(m, NULL);
                break;
        }
        case TASK_EVENT_UNKNOWN:
                break;
        }
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
        e.type_url = dup_or_empty(env->event->type_url);
        if (env->timestamp) {
                e.ts_sec = env->timestamp->seconds;
                e.ts_nsec = env->timestamp->nanos;
        }
        for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
                if (strcmp(e.type_url, event_types[i].type_url) == 0)
                        e.kind = event_types[i].kind;
        if (!event_decode(&e, &env->event->value))
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
