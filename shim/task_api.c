/* shim/task_api.c: containerd.task.v2.Task on the ttrpc server: each method decodes its request
 * (nanopb), calls shim/service.c, and encodes the answer (interfaces.md §3). */
#include "shim/task_api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containerd/runc/v1/options.pb.h"
#include "containerd/task/v2/shim.pb.h"
#include "containerd/types/process.pb.h"
#include "google/protobuf/empty.pb.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "proto/nano_callbacks.h"
#include "proto/ttrpc/server.h"
#include "proto/ttrpc/status.h"
#include "runtimeoptions/v1/options.pb.h"
#include "shim/metrics.h"
#include "shim/options_any.h"
#include "shim/service.h"

#define TASK_SERVICE "containerd.task.v2.Task"

static bool
decode_request(struct ttrpc_call *call, const pb_msgdesc_t *desc, void *msg)
{
        const struct ttrpc_request *req = ttrpc_call_request(call);
        cleanup_error berth_error_t *err = NULL;

        if (nano_decode(desc, msg, req->payload, req->payload_len, &err) < 0) {
                ttrpc_call_reply_bad_payload(call, err->msg);
                return false;
        }
        return true;
}

static void
reply_message(struct ttrpc_call *call, const pb_msgdesc_t *desc, const void *msg)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len;

        if (nano_encode(desc, msg, &buf, &len, &err) < 0) {
                ttrpc_call_reply_error(call, err);
                return;
        }
        ttrpc_call_reply(call, buf, len);
}

static void
reply_empty(struct ttrpc_call *call)
{
        ttrpc_call_reply(call, NULL, 0);
}

static google_protobuf_Timestamp
timestamp_of(const struct timespec *at)
{
        return (google_protobuf_Timestamp){.seconds = at->tv_sec, .nanos = (int32_t) at->tv_nsec};
}

static char *
any_text(const google_protobuf_Any *any)
{
        const struct nano_bytes *b = any->value.arg;

        if (!b)
                return xstrdup("");
        char *s = xmalloc(b->len + 1);
        memcpy(s, b->data, b->len);
        s[b->len] = '\0';
        return s;
}

static void
task_create(struct ttrpc_call *call, void *userdata)
{
        struct shim_service *s = userdata;
        containerd_task_v2_CreateTaskRequest *req = xmalloc(sizeof(*req));
        struct nano_list rootfs = NANO_MOUNT_LIST_INIT;
        struct shim_options opts = {0};
        cleanup_error berth_error_t *err = NULL;
        struct shim_mount *mounts = NULL;
        pid_t pid = 0;

        *req = (containerd_task_v2_CreateTaskRequest)
                containerd_task_v2_CreateTaskRequest_init_zero;
        req->rootfs.funcs.decode = nano_decode_list;
        req->rootfs.arg = &rootfs;
        req->options.value.funcs.decode = nano_decode_bytes;
        if (!decode_request(call, containerd_task_v2_CreateTaskRequest_fields, req))
                goto out;
        mounts = xmalloc((rootfs.count ? rootfs.count : 1) * sizeof(*mounts));
        for (size_t i = 0; i < rootfs.count; i++) {
                containerd_types_Mount *m = (containerd_types_Mount *) rootfs.items + i;
                mounts[i] = (struct shim_mount){
                        .type = m->type, .source = m->source, .options = m->options.arg};
        }
        if (shim_options_from_any(&req->options, req->has_options, &opts, &err) < 0) {
                berth_error_prefix(&err, "create %s", req->id);
                ttrpc_call_reply_error(call, err);
                goto out;
        }
        struct shim_create c = {.id = req->id,
                                .bundle = req->bundle,
                                .rootfs = mounts,
                                .n_rootfs = rootfs.count,
                                .terminal = req->terminal,
                                .stdin_uri = req->stdin,
                                .stdout_uri = req->stdout,
                                .stderr_uri = req->stderr,
                                .checkpoint = req->checkpoint,
                                .opts = &opts};
        if (shim_service_create(s, &c, &pid, &err) < 0) {
                log_berror(err);
                ttrpc_call_reply_error(call, err);
                goto out;
        }
        containerd_task_v2_CreateTaskResponse resp = {.pid = (uint32_t) pid};
        reply_message(call, containerd_task_v2_CreateTaskResponse_fields, &resp);
out:
        shim_options_done(&opts);
        free(mounts);
        nano_free_list_items(&rootfs);
        free(req->options.value.arg);
        free(req);
}

static void
task_start(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_StartRequest req = containerd_task_v2_StartRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        pid_t pid = 0;

        if (!decode_request(call, containerd_task_v2_StartRequest_fields, &req))
                return;
        if (shim_service_start(userdata, req.id, req.exec_id, &pid, &err) < 0) {
                log_berror(err);
                ttrpc_call_reply_error(call, err);
                return;
        }
        containerd_task_v2_StartResponse resp = {.pid = (uint32_t) pid};
        reply_message(call, containerd_task_v2_StartResponse_fields, &resp);
}

static void
task_delete(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_DeleteRequest req = containerd_task_v2_DeleteRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        struct shim_proc_exit e;

        if (!decode_request(call, containerd_task_v2_DeleteRequest_fields, &req))
                return;
        if (shim_service_delete(userdata, req.id, req.exec_id, &e, &err) < 0) {
                ttrpc_call_reply_error(call, err);
                return;
        }
        containerd_task_v2_DeleteResponse resp = {.pid = (uint32_t) e.pid,
                                                  .exit_status = e.status,
                                                  .has_exited_at = true,
                                                  .exited_at = timestamp_of(&e.at)};
        reply_message(call, containerd_task_v2_DeleteResponse_fields, &resp);
}

static void
task_exec(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_ExecProcessRequest *req = xmalloc(sizeof(*req));
        cleanup_error berth_error_t *err = NULL;

        *req = (containerd_task_v2_ExecProcessRequest)
                containerd_task_v2_ExecProcessRequest_init_zero;
        req->spec.value.funcs.decode = nano_decode_bytes;
        if (decode_request(call, containerd_task_v2_ExecProcessRequest_fields, req)) {
                cleanup_free char *spec = any_text(&req->spec);
                if (shim_service_exec(userdata, req->id, req->exec_id, req->terminal, req->stdin,
                                      req->stdout, req->stderr, spec, &err)
                    < 0)
                        ttrpc_call_reply_error(call, err);
                else
                        reply_empty(call);
        }
        free(req->spec.value.arg);
        free(req);
}

static void
task_state(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_StateRequest req = containerd_task_v2_StateRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        struct shim_proc *p = NULL;

        if (!decode_request(call, containerd_task_v2_StateRequest_fields, &req))
                return;
        if (shim_service_proc(userdata, req.id, req.exec_id, &p, &err) < 0) {
                ttrpc_call_reply_error(call, err);
                return;
        }
        containerd_task_v2_StateResponse *resp = xmalloc(sizeof(*resp));
        *resp = (containerd_task_v2_StateResponse) containerd_task_v2_StateResponse_init_zero;
        strncpy(resp->id, p->exec_id ? p->exec_id : p->ct->id, sizeof(resp->id) - 1);
        strncpy(resp->bundle, p->ct->bundle, sizeof(resp->bundle) - 1);
        resp->pid = (uint32_t) p->pid;
        resp->status = (containerd_v1_types_Status) p->status;
        strncpy(resp->stdin, p->stdin_uri, sizeof(resp->stdin) - 1);
        strncpy(resp->stdout, p->stdout_uri, sizeof(resp->stdout) - 1);
        strncpy(resp->stderr, p->stderr_uri, sizeof(resp->stderr) - 1);
        resp->terminal = p->terminal;
        if (p->exited) {
                resp->exit_status = p->exit.status;
                resp->has_exited_at = true;
                resp->exited_at = timestamp_of(&p->exit.at);
        }
        reply_message(call, containerd_task_v2_StateResponse_fields, resp);
        free(resp);
}

struct pids_encode {
        const pid_t *pids;
        size_t n;
        struct shim_container *ct;
};

static bool
encode_process_infos(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
        const struct pids_encode *pe = *arg;

        for (size_t i = 0; i < pe->n; i++) {
                containerd_v1_types_ProcessInfo info = containerd_v1_types_ProcessInfo_init_zero;
                containerd_runc_v1_ProcessDetails det = containerd_runc_v1_ProcessDetails_init_zero;
                struct nano_message m = {.desc = containerd_runc_v1_ProcessDetails_fields,
                                         .msg = &det};
                info.pid = (uint32_t) pe->pids[i];
                for (struct shim_proc *p = pe->ct->execs; p; p = p->next)
                        if (p->pid == pe->pids[i] && !p->exited) {
                                strncpy(det.exec_id, p->exec_id, sizeof(det.exec_id) - 1);
                                info.has_info =
                                        nano_set_any(&info.info,
                                                     "containerd.runc.v1.ProcessDetails", &m, NULL)
                                        == 0;
                        }
                if (!pb_encode_tag_for_field(stream, field)
                    || !pb_encode_submessage(stream, containerd_v1_types_ProcessInfo_fields, &info))
                        return false;
        }
        return true;
}

static void
task_pids(struct ttrpc_call *call, void *userdata)
{
        struct shim_service *s = userdata;
        containerd_task_v2_PidsRequest req = containerd_task_v2_PidsRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free pid_t *pids = NULL;
        size_t n = 0;

        if (!decode_request(call, containerd_task_v2_PidsRequest_fields, &req))
                return;
        if (shim_service_pids(s, req.id, &pids, &n, &err) < 0) {
                ttrpc_call_reply_error(call, err);
                return;
        }
        struct pids_encode pe = {.pids = pids, .n = n, .ct = shim_service_find(s, req.id)};
        containerd_task_v2_PidsResponse resp = {
                .processes = {.funcs.encode = encode_process_infos, .arg = &pe}};
        reply_message(call, containerd_task_v2_PidsResponse_fields, &resp);
}

static void
task_pause_resume(struct ttrpc_call *call, void *userdata, bool pause)
{
        containerd_task_v2_PauseRequest req = containerd_task_v2_PauseRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;

        /* PauseRequest and ResumeRequest are both {1: id}. */
        if (!decode_request(call, containerd_task_v2_PauseRequest_fields, &req))
                return;
        if (shim_service_pause(userdata, req.id, pause, &err) < 0)
                ttrpc_call_reply_error(call, err);
        else
                reply_empty(call);
}

static void
task_pause(struct ttrpc_call *call, void *userdata)
{
        task_pause_resume(call, userdata, true);
}

static void
task_resume(struct ttrpc_call *call, void *userdata)
{
        task_pause_resume(call, userdata, false);
}

static void
task_checkpoint(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_CheckpointTaskRequest *req = xmalloc(sizeof(*req));
        cleanup_error berth_error_t *err = NULL;
        bool leave_running = true;

        *req = (containerd_task_v2_CheckpointTaskRequest)
                containerd_task_v2_CheckpointTaskRequest_init_zero;
        req->options.value.funcs.decode = nano_decode_bytes;
        if (!decode_request(call, containerd_task_v2_CheckpointTaskRequest_fields, req))
                goto out;
        if (req->has_options
            && shim_any_is(&req->options, "containerd.runc.v1.CheckpointOptions")) {
                containerd_runc_v1_CheckpointOptions co =
                        containerd_runc_v1_CheckpointOptions_init_zero;
                if (shim_any_unpack(&req->options, "containerd.runc.v1.CheckpointOptions",
                                    containerd_runc_v1_CheckpointOptions_fields, &co, &err)
                    < 0) {
                        ttrpc_call_reply_error(call, err);
                        goto out;
                }
                leave_running = !co.exit;
        }
        if (shim_service_checkpoint(userdata, req->id, req->path, leave_running, &err) < 0)
                ttrpc_call_reply_error(call, err);
        else
                reply_empty(call);
out:
        free(req->options.value.arg);
        free(req);
}

static void
task_kill(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_KillRequest req = containerd_task_v2_KillRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;

        if (!decode_request(call, containerd_task_v2_KillRequest_fields, &req))
                return;
        if (shim_service_kill(userdata, req.id, req.exec_id, req.signal, req.all, &err) < 0)
                ttrpc_call_reply_error(call, err);
        else
                reply_empty(call);
}

static void
task_resize_pty(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_ResizePtyRequest req = containerd_task_v2_ResizePtyRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;

        if (!decode_request(call, containerd_task_v2_ResizePtyRequest_fields, &req))
                return;
        if (shim_service_resize(userdata, req.id, req.exec_id, req.width, req.height, &err) < 0)
                ttrpc_call_reply_error(call, err);
        else
                reply_empty(call);
}

static void
task_close_io(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_CloseIORequest req = containerd_task_v2_CloseIORequest_init_zero;
        cleanup_error berth_error_t *err = NULL;

        if (!decode_request(call, containerd_task_v2_CloseIORequest_fields, &req))
                return;
        if (req.stdin && shim_service_close_io(userdata, req.id, req.exec_id, &err) < 0)
                ttrpc_call_reply_error(call, err);
        else
                reply_empty(call);
}

static bool
skip_map_entry(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
        (void) field;
        (void) arg;
        return pb_read(stream, NULL, stream->bytes_left);
}

static void
task_update(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_UpdateTaskRequest req = containerd_task_v2_UpdateTaskRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;

        req.resources.value.funcs.decode = nano_decode_bytes;
        req.annotations.funcs.decode = skip_map_entry; /* the runc shim ignores them too */
        if (!decode_request(call, containerd_task_v2_UpdateTaskRequest_fields, &req))
                return;
        cleanup_free char *json = any_text(&req.resources);
        free(req.resources.value.arg);
        if (shim_service_update(userdata, req.id, *json ? json : "{}", &err) < 0)
                ttrpc_call_reply_error(call, err);
        else
                reply_empty(call);
}

struct wait_call {
        struct shim_waiter w;
        struct ttrpc_call *call;
        struct shim_proc *proc;
};

static void
wait_answer(struct shim_waiter *w, const struct shim_proc_exit *e)
{
        struct wait_call *wc = (struct wait_call *) w;

        if (e) {
                containerd_task_v2_WaitResponse resp = {.exit_status = e->status,
                                                        .has_exited_at = true,
                                                        .exited_at = timestamp_of(&e->at)};
                reply_message(wc->call, containerd_task_v2_WaitResponse_fields, &resp);
        } else {
                ttrpc_call_reply_status(wc->call, TTRPC_UNAVAILABLE,
                                        "the process is gone from this shim");
        }
        free(wc);
}

static void
wait_cancelled(struct ttrpc_call *call, void *userdata)
{
        struct wait_call *wc = userdata;

        for (struct shim_waiter **pp = &wc->proc->waiters; *pp; pp = &(*pp)->next)
                if (*pp == &wc->w) {
                        *pp = wc->w.next;
                        break;
                }
        ttrpc_call_reply(call, NULL, 0); /* frees the call; nothing is sent */
        free(wc);
}

static void
task_wait(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_WaitRequest req = containerd_task_v2_WaitRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        struct shim_proc *p = NULL;

        if (!decode_request(call, containerd_task_v2_WaitRequest_fields, &req))
                return;
        if (shim_service_proc(userdata, req.id, req.exec_id, &p, &err) < 0) {
                ttrpc_call_reply_error(call, err);
                return;
        }
        struct wait_call *wc = xmalloc(sizeof(*wc));
        *wc = (struct wait_call){.w = {.fn = wait_answer}, .call = call, .proc = p};
        if (p->exited) {
                wait_answer(&wc->w, &p->exit);
                return;
        }
        wc->w.next = p->waiters;
        p->waiters = &wc->w;
        ttrpc_call_on_cancel(call, wait_cancelled, wc);
}

static void
task_stats(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_StatsRequest req = containerd_task_v2_StatsRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *json = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len = 0;
        const char *type_url = NULL;

        if (!decode_request(call, containerd_task_v2_StatsRequest_fields, &req))
                return;
        if (shim_service_stats_json(userdata, req.id, &json, &err) < 0
            || shim_metrics_from_stats_json(json, shim_metrics_host_v2(), &type_url, &buf, &len,
                                            &err)
                       < 0) {
                ttrpc_call_reply_error(call, err);
                return;
        }
        struct nano_span value = {.data = buf, .len = len};
        containerd_task_v2_StatsResponse resp = containerd_task_v2_StatsResponse_init_zero;
        resp.has_stats = true;
        strncpy(resp.stats.type_url, type_url, sizeof(resp.stats.type_url) - 1);
        resp.stats.value.funcs.encode = nano_encode_span;
        resp.stats.value.arg = &value;
        reply_message(call, containerd_task_v2_StatsResponse_fields, &resp);
}

static void
task_connect(struct ttrpc_call *call, void *userdata)
{
        containerd_task_v2_ConnectRequest req = containerd_task_v2_ConnectRequest_init_zero;
        struct shim_container *ct;

        if (!decode_request(call, containerd_task_v2_ConnectRequest_fields, &req))
                return;
        ct = shim_service_find(userdata, req.id);
        containerd_task_v2_ConnectResponse resp = containerd_task_v2_ConnectResponse_init_zero;
        resp.shim_pid = (uint32_t) getpid();
        resp.task_pid = ct ? (uint32_t) ct->init->pid : 0;
        reply_message(call, containerd_task_v2_ConnectResponse_fields, &resp);
}

static void
task_shutdown(struct ttrpc_call *call, void *userdata)
{
        struct shim_service *s = userdata;
        containerd_task_v2_ShutdownRequest req = containerd_task_v2_ShutdownRequest_init_zero;

        if (!decode_request(call, containerd_task_v2_ShutdownRequest_fields, &req))
                return;
        reply_empty(call);
        if (!s->containers || req.now)
                s->shutdown_requested = true;
}

int
shim_task_api_register(struct ttrpc_server *srv, struct shim_service *s, berth_error_t **err)
{
        static const struct {
                const char *method;
                ttrpc_handler_fn fn;
        } methods[] = {
                {"State", task_state},
                {"Create", task_create},
                {"Start", task_start},
                {"Delete", task_delete},
                {"Pids", task_pids},
                {"Pause", task_pause},
                {"Resume", task_resume},
                {"Checkpoint", task_checkpoint},
                {"Kill", task_kill},
                {"Exec", task_exec},
                {"ResizePty", task_resize_pty},
                {"CloseIO", task_close_io},
                {"Update", task_update},
                {"Wait", task_wait},
                {"Stats", task_stats},
                {"Connect", task_connect},
                {"Shutdown", task_shutdown},
        };
        int r;

        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
                r = ttrpc_server_register(srv, TASK_SERVICE, methods[i].method, methods[i].fn, s,
                                          err);
                if (r < 0)
                        return r;
        }
        return 0;
}
