/* supervisor/tasks/task.c: the Task API client, task creation, teardown and reconnection; see
 * task.h. */
#include <config.h>

#include "supervisor/tasks/task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "google/protobuf/any.pb-c.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "proto/ttrpc/client.h"
#include "supervisor/tasks/address.h"

#define TASK_SERVICE         "containerd.task.v2.Task"
#define NAMESPACE_KEY        "containerd-namespace-ttrpc"
#define CONNECT_TIMEOUT_NS   (5LL * 1000000000)
#define SHUTDOWN_TIMEOUT_NS  (3LL * 1000000000)
#define SHIM_EXIT_TIMEOUT_MS 3000

const char *
task_status_name(enum task_status s)
{
        static const char *const names[] = {"unknown", "created", "running",
                                            "stopped", "paused",  "pausing"};

        return (unsigned) s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

void
task_free(struct task *t)
{
        if (!t)
                return;
        pthread_mutex_destroy(&t->lock);
        free(t->id);
        free(t->bundle);
        free(t->ns);
        free(t->socket_path);
        free(t);
}

static struct task *
task_new(const char *ns, const char *id, const char *bundle, char *socket_path, bool abstract)
{
        struct task *t = xzalloc(sizeof(*t));

        t->ns = xstrdup(ns);
        t->id = xstrdup(id);
        t->bundle = xstrdup(bundle);
        t->socket_path = socket_path;
        t->abstract = abstract;
        pthread_mutex_init(&t->lock, NULL);
        return t;
}

/* One call on a connection of its own: pack REQ, call METHOD, unpack the answer with RESP_DESC
 * into *RET (NULL RESP_DESC: google.protobuf.Empty, nothing returned). */
static int
task_call(struct task *t, const char *method, const ProtobufCMessage *req,
          const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret, int64_t timeout_ns,
          berth_error_t **err)
{
        cleanup_ttrpc_client struct ttrpc_client *c = NULL;
        size_t n = protobuf_c_message_get_packed_size(req);
        cleanup_free uint8_t *buf = xmalloc(n ? n : 1);
        cleanup_free uint8_t *payload = NULL;
        size_t payload_len = 0;
        struct ttrpc_kv md = {.key = (char *) NAMESPACE_KEY, .value = t->ns};
        int r;

        protobuf_c_message_pack(req, buf);
        r = ttrpc_client_connect_unix(t->socket_path, t->abstract, &c, err);
        if (r < 0)
                return berth_error_prefix(err, "task \"%s\": %s: connect to the shim", t->id,
                                          method);
        struct ttrpc_client_request rq = {
                .service = TASK_SERVICE,
                .method = method,
                .payload = buf,
                .payload_len = n,
                .timeout_ns = timeout_ns,
                .metadata = &md,
                .n_metadata = 1,
        };
        r = ttrpc_client_call(c, &rq, &payload, &payload_len, err);
        if (r < 0)
                return berth_error_prefix(err, "task \"%s\": %s", t->id, method);
        if (!resp_desc)
                return 0;
        ProtobufCMessage *m = protobuf_c_message_unpack(resp_desc, NULL, payload_len, payload);
        if (!m)
                return berth_error_new(err, EBADMSG, "task \"%s\": %s: the answer does not decode",
                                       t->id, method);
        *ret = m;
        return 0;
}

static char *
str(const char *s)
{
        return (char *) (s ? s : "");
}

static void
exit_from(struct task_exit *e, uint32_t pid, uint32_t status, const Google__Protobuf__Timestamp *ts)
{
        memset(e, 0, sizeof(*e));
        e->pid = pid;
        e->exit_status = status;
        if (ts && task_timestamp_is_set(true, ts->seconds, ts->nanos)) {
                e->has_exited_at = true;
                e->exited_sec = ts->seconds;
                e->exited_nsec = ts->nanos;
        }
}

int
task_start(struct task *t, const char *exec_id, uint32_t *ret_pid, berth_error_t **err)
{
        Containerd__Task__V2__StartRequest req = CONTAINERD__TASK__V2__START_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        int r;

        req.id = t->id;
        req.exec_id = str(exec_id);
        r = task_call(t, "Start", &req.base, &containerd__task__v2__start_response__descriptor, &m,
                      0, err);
        if (r < 0)
                return r;
        if (ret_pid)
                *ret_pid = ((Containerd__Task__V2__StartResponse *) m)->pid;
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

int
task_exec(struct task *t, const char *exec_id, const struct task_stdio *io,
          const char *process_json, berth_error_t **err)
{
        Containerd__Task__V2__ExecProcessRequest req =
                CONTAINERD__TASK__V2__EXEC_PROCESS_REQUEST__INIT;
        Google__Protobuf__Any spec = GOOGLE__PROTOBUF__ANY__INIT;

        spec.type_url = (char *) TASK_TYPE_PROCESS_SPEC;
        spec.value.data = (uint8_t *) process_json;
        spec.value.len = strlen(process_json);
        req.id = t->id;
        req.exec_id = str(exec_id);
        req.terminal = io && io->terminal;
        req.stdin = str(io ? io->in : NULL);
        req.stdout = str(io ? io->out : NULL);
        req.stderr = str(io && !io->terminal ? io->err : NULL);
        req.spec = &spec;
        return task_call(t, "Exec", &req.base, NULL, NULL, 0, err);
}

int
task_kill(struct task *t, const char *exec_id, uint32_t signal, bool all, berth_error_t **err)
{
        Containerd__Task__V2__KillRequest req = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;

        req.id = t->id;
        req.exec_id = str(exec_id);
        req.signal = signal;
        req.all = all;
        return task_call(t, "Kill", &req.base, NULL, NULL, 0, err);
}

int
task_wait(struct task *t, const char *exec_id, struct task_exit *ret, berth_error_t **err)
{
        Containerd__Task__V2__WaitRequest req = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        int r;

        req.id = t->id;
        req.exec_id = str(exec_id);
        r = task_call(t, "Wait", &req.base, &containerd__task__v2__wait_response__descriptor, &m, 0,
                      err);
        if (r < 0)
                return r;
        Containerd__Task__V2__WaitResponse *w = (Containerd__Task__V2__WaitResponse *) m;
        exit_from(ret, 0, w->exit_status, w->exited_at);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

int
task_delete(struct task *t, const char *exec_id, struct task_exit *ret, berth_error_t **err)
{
        Containerd__Task__V2__DeleteRequest req = CONTAINERD__TASK__V2__DELETE_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        int r;

        req.id = t->id;
        req.exec_id = str(exec_id);
        r = task_call(t, "Delete", &req.base, &containerd__task__v2__delete_response__descriptor,
                      &m, 0, err);
        if (r < 0)
                return r;
        Containerd__Task__V2__DeleteResponse *d = (Containerd__Task__V2__DeleteResponse *) m;
        if (ret)
                exit_from(ret, d->pid, d->exit_status, d->exited_at);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

int
task_get_state(struct task *t, const char *exec_id, struct task_state *ret, berth_error_t **err)
{
        Containerd__Task__V2__StateRequest req = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        int r;

        req.id = t->id;
        req.exec_id = str(exec_id);
        r = task_call(t, "State", &req.base, &containerd__task__v2__state_response__descriptor, &m,
                      0, err);
        if (r < 0)
                return r;
        Containerd__Task__V2__StateResponse *s = (Containerd__Task__V2__StateResponse *) m;
        memset(ret, 0, sizeof(*ret));
        ret->status = (enum task_status) s->status;
        ret->pid = s->pid;
        exit_from(&ret->exit, s->pid, s->exit_status, s->exited_at);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

int
task_pids(struct task *t, uint32_t **ret, size_t *ret_n, berth_error_t **err)
{
        Containerd__Task__V2__PidsRequest req = CONTAINERD__TASK__V2__PIDS_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        int r;

        req.id = t->id;
        r = task_call(t, "Pids", &req.base, &containerd__task__v2__pids_response__descriptor, &m, 0,
                      err);
        if (r < 0)
                return r;
        Containerd__Task__V2__PidsResponse *p = (Containerd__Task__V2__PidsResponse *) m;
        uint32_t *pids = xreallocarray(NULL, p->n_processes ? p->n_processes : 1, sizeof(uint32_t));
        for (size_t i = 0; i < p->n_processes; i++)
                pids[i] = p->processes[i]->pid;
        *ret_n = p->n_processes;
        *ret = pids;
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

int
task_stats(struct task *t, char **ret_type_url, uint8_t **ret_data, size_t *ret_len,
           berth_error_t **err)
{
        Containerd__Task__V2__StatsRequest req = CONTAINERD__TASK__V2__STATS_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        int r;

        req.id = t->id;
        r = task_call(t, "Stats", &req.base, &containerd__task__v2__stats_response__descriptor, &m,
                      0, err);
        if (r < 0)
                return r;
        Containerd__Task__V2__StatsResponse *s = (Containerd__Task__V2__StatsResponse *) m;
        if (!s->stats) {
                protobuf_c_message_free_unpacked(m, NULL);
                return berth_error_new(err, EBADMSG, "task \"%s\": Stats: no stats in the answer",
                                       t->id);
        }
        *ret_type_url = xstrdup(str(s->stats->type_url));
        *ret_len = s->stats->value.len;
        *ret_data = xmalloc(*ret_len ? *ret_len : 1);
        if (*ret_len)
                memcpy(*ret_data, s->stats->value.data, *ret_len);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

int
task_pause(struct task *t, berth_error_t **err)
{
        Containerd__Task__V2__PauseRequest req = CONTAINERD__TASK__V2__PAUSE_REQUEST__INIT;

        req.id = t->id;
        return task_call(t, "Pause", &req.base, NULL, NULL, 0, err);
}

int
task_resume(struct task *t, berth_error_t **err)
{
        Containerd__Task__V2__ResumeRequest req = CONTAINERD__TASK__V2__RESUME_REQUEST__INIT;

        req.id = t->id;
        return task_call(t, "Resume", &req.base, NULL, NULL, 0, err);
}

int
task_resize_pty(struct task *t, const char *exec_id, uint32_t width, uint32_t height,
                berth_error_t **err)
{
        Containerd__Task__V2__ResizePtyRequest req = CONTAINERD__TASK__V2__RESIZE_PTY_REQUEST__INIT;

        req.id = t->id;
        req.exec_id = str(exec_id);
        req.width = width;
        req.height = height;
        return task_call(t, "ResizePty", &req.base, NULL, NULL, 0, err);
}

int
task_close_stdin(struct task *t, const char *exec_id, berth_error_t **err)
{
        Containerd__Task__V2__CloseIORequest req = CONTAINERD__TASK__V2__CLOSE_IOREQUEST__INIT;

        req.id = t->id;
        req.exec_id = str(exec_id);
        req.stdin = true; /* containerd always sends true */
        return task_call(t, "CloseIO", &req.base, NULL, NULL, 0, err);
}

int
task_update(struct task *t, const char *resources_json, berth_error_t **err)
{
        Containerd__Task__V2__UpdateTaskRequest req =
                CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
        Google__Protobuf__Any res = GOOGLE__PROTOBUF__ANY__INIT;

        res.type_url = (char *) TASK_TYPE_RESOURCES;
        res.value.data = (uint8_t *) resources_json;
        res.value.len = strlen(resources_json);
        req.id = t->id;
        req.resources = &res;
        return task_call(t, "Update", &req.base, NULL, NULL, 0, err);
}

int
task_connect(struct task *t, uint32_t *ret_shim_pid, uint32_t *ret_task_pid, berth_error_t **err)
{
        Containerd__Task__V2__ConnectRequest req = CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        int r;

        req.id = t->id;
        r = task_call(t, "Connect", &req.base, &containerd__task__v2__connect_response__descriptor,
                      &m, CONNECT_TIMEOUT_NS, err);
        if (r < 0)
                return r;
        Containerd__Task__V2__ConnectResponse *c = (Containerd__Task__V2__ConnectResponse *) m;
        pthread_mutex_lock(&t->lock);
        t->shim_pid = c->shim_pid;
        pthread_mutex_unlock(&t->lock);
        if (ret_shim_pid)
                *ret_shim_pid = c->shim_pid;
        if (ret_task_pid)
                *ret_task_pid = c->task_pid;
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

static bool
shim_gone(int r)
{
        /* A closed connection or no one listening: the shim has exited (or was killed). */
        return r == -ECONNRESET || r == -ECONNREFUSED || r == -ENOENT || r == -EPIPE;
}

int
task_shutdown(struct task *t, berth_error_t **err)
{
        Containerd__Task__V2__ShutdownRequest req = CONTAINERD__TASK__V2__SHUTDOWN_REQUEST__INIT;
        berth_error_t *e = NULL;
        int r;

        req.id = t->id;
        r = task_call(t, "Shutdown", &req.base, NULL, NULL, SHUTDOWN_TIMEOUT_NS, &e);
        /* containerd ignores a closed connection here: the shim may exit before it answers. */
        if (r < 0 && shim_gone(r)) {
                berth_error_free(e);
                return 0;
        }
        if (r < 0)
                *err = e;
        return r;
}

/* Wait up to TIMEOUT_MS for process PID to end (it is not our child: a pidfd sees it): whether
 * it did. */
static bool
wait_pid_gone(pid_t pid, int timeout_ms)
{
        int fd = (int) syscall(SYS_pidfd_open, pid, 0), n;

        if (fd < 0)
                return errno == ESRCH; /* already gone */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
                ;
        close(fd);
        return n > 0;
}

int
task_teardown(const struct task_shim_config *sc, struct task *t, struct task_exit *ret,
              berth_error_t **err)
{
        struct task_exit ex = {0};
        bool have_exit = false, clean;
        uint32_t shim_pid;
        int r;

        pthread_mutex_lock(&t->lock);
        shim_pid = t->shim_pid;
        pthread_mutex_unlock(&t->lock);
        if (shim_pid == 0) {
                berth_error_t *e = NULL;
                if (task_connect(t, &shim_pid, NULL, &e) < 0)
                        berth_error_free(e); /* gone already: the delete action below cleans up */
        }
        {
                berth_error_t *e = NULL;
                r = task_delete(t, NULL, &ex, &e);
                if (r < 0 && r != -ENOENT && !shim_gone(r)) {
                        *err = e;
                        return r;
                }
                /* NOT_FOUND (already deleted) or a gone shim: containerd proceeds the same way. */
                berth_error_free(e);
                have_exit = r >= 0;
        }
        {
                berth_error_t *e = NULL;
                clean = have_exit;
                if (task_shutdown(t, &e) < 0) {
                        log_debug("%s: shutdown: %s, ignoring", t->id, e->msg);
                        berth_error_free(e);
                        clean = false;
                }
        }
        clean = shim_pid > 0 && wait_pid_gone((pid_t) shim_pid, SHIM_EXIT_TIMEOUT_MS) && clean;
        /* A shim that deleted the task, shut down and exited has removed its socket and the
         * runtime's state: the delete action would find nothing (containerd runs it on every
         * closed connection, but off the Delete call's path). Anything less, and it runs. */
        if (clean) {
                if (ret)
                        *ret = ex;
                return 0;
        }
        struct task_shim_deleted d;
        r = task_shim_delete(sc, t->id, t->bundle, &d, err);
        if (r < 0)
                return r;
        if (!have_exit) {
                ex.pid = d.pid;
                ex.exit_status = d.exit_status;
                ex.has_exited_at = true;
                ex.exited_sec = d.exited_sec;
                ex.exited_nsec = d.exited_nsec;
        }
        if (ret)
                *ret = ex;
        return 0;
}

int
task_open(const char *ns, const char *id, const char *bundle, struct task **ret,
          berth_error_t **err)
{
        cleanup_free char *path = xasprintf("%s/address", bundle), *text = NULL, *sock = NULL;
        cleanup_task struct task *t = NULL;
        bool abstract = false;
        int r;

        r = fs_read_file(AT_FDCWD, path, &text, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "task \"%s\"", id);
        r = task_address_parse(text, &sock, &abstract, err);
        if (r < 0)
                return berth_error_prefix(err, "task \"%s\": %s", id, path);
        t = task_new(ns, id, bundle, TAKE_PTR(sock), abstract);
        r = task_connect(t, NULL, NULL, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(t);
        return 0;
}

int
task_recover(const struct task_shim_config *sc, const char *id, const char *bundle,
             struct task **ret_task, struct task_state *ret_state, berth_error_t **err)
{
        cleanup_task struct task *t = NULL;
        berth_error_t *e = NULL;
        int r;

        r = task_open(sc->ns, id, bundle, &t, &e);
        if (r >= 0) {
                r = task_get_state(t, NULL, ret_state, &e);
                if (r >= 0) {
                        *ret_task = TAKE_PTR(t);
                        return 0;
                }
        }
        if (!shim_gone(r) && r != -ETIMEDOUT) {
                *err = e;
                return r;
        }
        /* The shim is gone (or hung): clean up after it as containerd does on its start-up. */
        log_debug("%s: shim does not answer (%s), running its delete action", id, e->msg);
        berth_error_free(e);
        struct task_shim_deleted d;
        r = task_shim_delete(sc, id, bundle, &d, err);
        if (r < 0)
                return r;
        memset(ret_state, 0, sizeof(*ret_state));
        ret_state->status = TASK_STATUS_STOPPED;
        ret_state->pid = d.pid;
        ret_state->exit.pid = d.pid;
        ret_state->exit.exit_status = d.exit_status;
        ret_state->exit.has_exited_at = true;
        ret_state->exit.exited_sec = d.exited_sec;
        ret_state->exit.exited_nsec = d.exited_nsec;
        *ret_task = NULL;
        return 0;
}

int
task_create(const struct task_shim_config *sc, const struct task_runtime_options *ro,
            const char *id, const char *bundle, const struct task_stdio *io,
            const struct task_mount *rootfs, size_t n_rootfs, struct task **ret, uint32_t *ret_pid,
            berth_error_t **err)
{
        cleanup_free uint8_t *opts = NULL;
        cleanup_free char *addr = NULL, *sock = NULL, *log_path = NULL;
        cleanup_task struct task *t = NULL;
        size_t opts_len = 0;
        bool abstract = false;
        int r;

        if ((r = task_id_validate("namespace", sc->ns, err)) < 0
            || (r = task_id_validate("task id", id, err)) < 0)
                return r;
        if (bundle[0] != '/')
                return berth_error_new(err, EINVAL,
                                       "task \"%s\": bundle \"%s\" is not an absolute path", id,
                                       bundle);
        /* The shim takes <bundle>/log as its stderr when it exists. */
        log_path = xasprintf("%s/log", bundle);
        int lfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lfd < 0)
                return berth_error_sys(err, errno, "task \"%s\": create \"%s\"", id, log_path);
        close(lfd);
        {
                /* containerd records the shim it ran, to find it again after a restart. */
                cleanup_free char *bp = xasprintf("%s/shim-binary-path", bundle);
                r = fs_replace_file(AT_FDCWD, bp, sc->shim_binary, strlen(sc->shim_binary), 0600,
                                    err);
                if (r < 0)
                        return berth_error_prefix(err, "task \"%s\"", id);
        }
        task_options_build(ro, &opts, &opts_len);
        r = task_shim_start(sc, id, bundle, opts, opts_len, &addr, err);
        if (r < 0)
                return r;
        r = task_address_parse(addr, &sock, &abstract, err);
        if (r < 0)
                return berth_error_prefix(err, "task \"%s\": the shim printed", id);
        t = task_new(sc->ns, id, bundle, TAKE_PTR(sock), abstract);

        Containerd__Task__V2__CreateTaskRequest req =
                CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
        Google__Protobuf__Any *any = google__protobuf__any__unpack(NULL, opts_len, opts);
        ProtobufCMessage *m = NULL;
        req.id = (char *) id;
        req.bundle = (char *) bundle;
        req.terminal = io && io->terminal;
        req.stdin = str(io ? io->in : NULL);
        req.stdout = str(io ? io->out : NULL);
        req.stderr = str(io && !io->terminal ? io->err : NULL);
        req.options = any;
        Containerd__Types__Mount *mounts =
                xreallocarray(NULL, n_rootfs ? n_rootfs : 1, sizeof(*mounts));
        Containerd__Types__Mount **mptrs =
                xreallocarray(NULL, n_rootfs ? n_rootfs : 1, sizeof(*mptrs));
        for (size_t i = 0; i < n_rootfs; i++) {
                containerd__types__mount__init(&mounts[i]);
                mounts[i].type = str(rootfs[i].type);
                mounts[i].source = str(rootfs[i].source);
                size_t n = 0;
                while (rootfs[i].options && rootfs[i].options[n])
                        n++;
                mounts[i].n_options = n;
                mounts[i].options = (char **) rootfs[i].options;
                mptrs[i] = &mounts[i];
        }
        req.n_rootfs = n_rootfs;
        req.rootfs = mptrs;
        r = task_connect(t, NULL, NULL, err);
        if (r >= 0)
                r = task_call(t, "Create", &req.base,
                              &containerd__task__v2__create_task_response__descriptor, &m, 0, err);
        google__protobuf__any__free_unpacked(any, NULL);
        free(mptrs);
        free(mounts);
        if (r < 0) {
                /* containerd: a failed Create shuts the shim down and runs its delete action. */
                berth_error_t *e = NULL;
                if (task_shutdown(t, &e) < 0)
                        berth_error_free(e);
                pthread_mutex_lock(&t->lock);
                pid_t sp = (pid_t) t->shim_pid;
                pthread_mutex_unlock(&t->lock);
                if (sp > 0)
                        wait_pid_gone(sp, SHIM_EXIT_TIMEOUT_MS);
                struct task_shim_deleted d;
                e = NULL;
                if (task_shim_delete(sc, id, bundle, &d, &e) < 0) {
                        log_debug("%s: delete action after a failed create: %s, ignoring", id,
                                  e->msg);
                        berth_error_free(e);
                }
                return r;
        }
        if (ret_pid)
                *ret_pid = ((Containerd__Task__V2__CreateTaskResponse *) m)->pid;
        protobuf_c_message_free_unpacked(m, NULL);
        *ret = TAKE_PTR(t);
        return 0;
}
