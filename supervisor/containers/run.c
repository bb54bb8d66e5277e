/* supervisor/containers/run.c: running containers through the task layer (run.h): start, the
 * exit path, stop/kill/pause/wait, the shim reaper and live restore. */
#include <config.h>

#include "supervisor/containers/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/health.h"
#include "supervisor/containers/run_nsjoin.h"
#include "supervisor/containers/service.h"
#include "supervisor/containers/volumes.h"
#include "supervisor/events/bus.h"
#include "supervisor/logger/lock.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/tasks/address.h"
#include "supervisor/tasks/events.h"

#define NS "berth"
/* How long an exit waits for berth-logger to write what the container printed last. */
#define LOGGER_DRAIN_MS 2000

struct run_entry {
        char *id;
        struct task *t;
        unsigned refs; /* the list's (while !gone) plus each container_run_task_get */
        bool starting; /* the start path still owns it: the exit path waits */
        bool gone;     /* exit handled: off the active set */
        bool manual_stop;
        int64_t started_ms;
        struct run_entry *next;
};

struct run_exit_count {
        char *id;
        uint64_t n;
        uint64_t removal_failures; /* --rm removals that failed (a "removed" wait ends then) */
        char *removal_error;       /* the last one's message */
        int last_code;
        int64_t delay_ms;
        struct run_exit_count *next;
};

struct reap_pid {
        pid_t pid;
};
static pthread_mutex_t reap_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *reap_pids;
static size_t n_reap_pids;

static void
reap_add(pid_t pid)
{
        if (pid <= 0)
                return;
        pthread_mutex_lock(&reap_lock);
        reap_pids = xrealloc(reap_pids, (n_reap_pids + 1) * sizeof(*reap_pids));
        reap_pids[n_reap_pids++] = pid;
        pthread_mutex_unlock(&reap_lock);
}

/* Reap, by pid only, the shims this berthd knows of: never waitpid(-1), which would steal the
 * statuses that the task layer and others wait for by pid. */
static void
reap_known(void)
{
        pthread_mutex_lock(&reap_lock);
        for (size_t i = 0; i < n_reap_pids;) {
                pid_t p = waitpid(reap_pids[i], NULL, WNOHANG);
                if (p == reap_pids[i] || (p < 0 && errno == ECHILD)) {
                        reap_pids[i] = reap_pids[--n_reap_pids];
                        continue;
                }
                i++;
        }
        pthread_mutex_unlock(&reap_lock);
}

static int64_t
now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
rfc3339_of(int64_t sec, int32_t nsec)
{
        struct timespec ts = {.tv_sec = sec, .tv_nsec = nsec};
        char buf[64];
        if (sec == 0 && nsec == 0)
                clock_gettime(CLOCK_REALTIME, &ts);
        time_format_rfc3339(&ts, 1, buf, sizeof(buf));
        return xstrdup(buf);
}

static const char *
get_str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* --- entries (under r->lock) --- */

static struct run_entry *
entry_find(struct container_runner *r, const char *id)
{
        for (struct run_entry *e = r->entries; e; e = e->next)
                if (!e->gone && strcmp(e->id, id) == 0)
                        return e;
        return NULL;
}

static void
entry_unref(struct container_runner *r, struct run_entry *e)
{
        if (--e->refs > 0)
                return;
        for (struct run_entry **p = &r->entries; *p; p = &(*p)->next)
                if (*p == e) {
                        *p = e->next;
                        break;
                }
        task_free(e->t);
        free(e->id);
        free(e);
}

static struct run_exit_count *
exits_of(struct container_runner *r, const char *id)
{
        for (struct run_exit_count *x = r->exits; x; x = x->next)
                if (strcmp(x->id, id) == 0)
                        return x;
        struct run_exit_count *x = xzalloc(sizeof(*x));
        x->id = xstrdup(id);
        x->next = r->exits;
        r->exits = x;
        return x;
}

struct task *
container_run_task_get(struct container_runner *r, const char *id)
{
        struct task *t = NULL;
        pthread_mutex_lock(&r->lock);
        struct run_entry *e = entry_find(r, id);
        if (e && e->t) {
                e->refs++;
                t = e->t;
        }
        pthread_mutex_unlock(&r->lock);
        return t;
}

void
container_run_task_put(struct container_runner *r, struct task *t)
{
        if (t == NULL)
                return;
        pthread_mutex_lock(&r->lock);
        for (struct run_entry *e = r->entries; e; e = e->next)
                if (e->t == t) {
                        entry_unref(r, e);
                        break;
                }
        pthread_mutex_unlock(&r->lock);
}

void
container_run_running(struct container_runner *r, char ***ret_ids, int64_t **ret_started)
{
        size_t n = 0, i = 0;
        pthread_mutex_lock(&r->lock);
        for (struct run_entry *e = r->entries; e; e = e->next)
                n++;
        char **ids = xzalloc((n + 1) * sizeof(*ids));
        int64_t *started = xzalloc((n + 1) * sizeof(*started));
        for (struct run_entry *e = r->entries; e; e = e->next)
                if (!e->gone && !e->starting && e->t) {
                        ids[i] = xstrdup(e->id);
                        started[i++] = e->started_ms;
                }
        pthread_mutex_unlock(&r->lock);
        *ret_ids = ids;
        *ret_started = started;
}

/* --- records and events --- */

/* Load ID's record, let FN change it, store it; under the service's lock. */
static int
record_change(struct container_runner *r, const char *id,
              void (*fn)(struct json_object *doc, void *arg), void *arg, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        int rc;

        pthread_mutex_lock(&r->svc->lock);
        rc = metadata_containers_load(r->svc->db, id, &doc, err);
        if (rc == 0) {
                fn(doc, arg);
                rc = metadata_containers_update(r->svc->db, doc, err);
        }
        pthread_mutex_unlock(&r->svc->lock);
        return rc;
}

static void
set(struct json_object *o, const char *k, struct json_object *v)
{
        json_object_object_add(o, k, v);
}

/* docker's container event: Actor.Attributes name, image, the labels, then EXTRA (k, v, …;
 * may be NULL). */
static void
publish_doc_attrs(struct container_runner *r, const char *id, struct json_object *doc,
                  const char *action, char *const *extra)
{
        cleanup_strv char **attrs = NULL;
        struct json_object *labels;

        if (doc) {
                const char *name = get_str(doc, "Name");
                const char *image = get_str(json_key(doc, "Config"), "Image");
                strv_push(&attrs, "image");
                strv_push(&attrs, image ? image : "");
                strv_push(&attrs, "name");
                strv_push(&attrs, name ? (name[0] == '/' ? name + 1 : name) : "");
                labels = json_key(json_key(doc, "Config"), "Labels");
                if (labels && json_object_is_type(labels, json_type_object)) {
                        json_object_object_foreach(labels, k, v)
                        {
                                strv_push(&attrs, k);
                                strv_push(&attrs, json_object_get_string(v));
                        }
                }
        }
        strv_foreach(x, extra)
                strv_push(&attrs, x);
        events_publish(r->events, "container", action, id, attrs);
}

static void
publish_doc(struct container_runner *r, const char *id, struct json_object *doc, const char *action,
            const char *k1, const char *v1, const char *k2, const char *v2)
{
        char *extra[5] = {NULL};
        size_t n = 0;

        if (k1) {
                extra[n++] = (char *) k1;
                extra[n++] = (char *) v1;
        }
        if (k2) {
                extra[n++] = (char *) k2;
                extra[n++] = (char *) v2;
        }
        publish_doc_attrs(r, id, doc, action, extra);
}

static void
publish(struct container_runner *r, const char *id, const char *action, const char *k1,
        const char *v1, const char *k2, const char *v2)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;

        (void) metadata_containers_load(r->svc->db, id, &doc, &err);
        publish_doc(r, id, doc, action, k1, v1, k2, v2);
}

void
container_run_event(struct container_runner *r, const char *id, const char *action, const char *k,
                    const char *v)
{
        if (r)
                publish(r, id, action, k, v, NULL, NULL);
}

void
container_run_event_attrs(struct container_runner *r, const char *id, const char *action,
                          char *const *extra)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL; /* no record: the event has no name/image */

        if (r == NULL)
                return;
        (void) metadata_containers_load(r->svc->db, id, &doc, &err);
        publish_doc_attrs(r, id, doc, action, extra);
}

/* --- start --- */

struct started {
        uint32_t pid;
        char *at;
};

static void
mark_running(struct json_object *doc, void *arg)
{
        struct started *s = arg;
        struct json_object *st = json_key(doc, "State");
        set(st, "Status", json_object_new_string("running"));
        set(st, "Running", json_object_new_boolean(true));
        set(st, "Paused", json_object_new_boolean(false));
        set(st, "Restarting", json_object_new_boolean(false));
        set(st, "OOMKilled", json_object_new_boolean(false));
        set(st, "Dead", json_object_new_boolean(false));
        set(st, "Pid", json_object_new_int64(s->pid));
        set(st, "ExitCode", json_object_new_int(0));
        set(st, "Error", json_object_new_string(""));
        set(st, "StartedAt", json_object_new_string(s->at));
        set(doc, "BerthManualStop", json_object_new_boolean(false));
        /* A healthcheck starts over with each run (health.c monitors it from now on). */
        struct container_health_settings hs;
        container_health_settings_build(json_key(doc, "Config"), &hs);
        if (hs.enabled) {
                set(st, "Health", container_health_new());
                set(doc, "BerthHealthStartedAt", json_object_new_string(s->at));
        }
        container_health_settings_done(&hs);
}

/* dockerd's HasBeenManuallyStopped, kept in the record (not shown by inspect) so that berthd's
 * start can tell unless-stopped containers stopped by hand. */
static void
mark_manual(struct json_object *doc, void *arg)
{
        (void) arg;
        set(doc, "BerthManualStop", json_object_new_boolean(true));
        /* A container waiting for its policy restart stays down now. */
        struct json_object *st = json_key(doc, "State");
        if (json_object_get_boolean(json_key(st, "Restarting"))) {
                set(st, "Restarting", json_object_new_boolean(false));
                set(st, "Status", json_object_new_string("exited"));
        }
}

struct failed {
        int code;
        const char *msg;
};

static void
mark_failed(struct json_object *doc, void *arg)
{
        struct failed *f = arg;
        struct json_object *st = json_key(doc, "State");
        set(st, "ExitCode", json_object_new_int(f->code));
        set(st, "Error", json_object_new_string(f->msg));
}

/* dockerd's reading of a runtime's start error: 127 when the command was not found, 126 when
 * it could not be run, both the user's fault (400); anything else 128 and 500. */
static int
start_failed(struct container_runner *r, const char *id, berth_error_t **err)
{
        const char *m = (*err)->msg;
        cleanup_free char *msg = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        struct failed f = {.code = 128};
        int code = EIO;

        /* The runtime's own words, without the task layer's "task ID: Create: create ID: ". */
        if (strstr(m, "exec: \"") != NULL)
                m = strstr(m, "exec: \"");
        if (strstr(m, "OCI runtime") == NULL)
                msg = xasprintf("OCI runtime create failed: %s: unknown", m);
        else
                msg = xstrdup(m);
        if (strstr(m, "executable file not found") || strstr(m, "no such file or directory")
            || strstr(m, "No such file or directory")) {
                f.code = 127;
                code = EINVAL;
        } else if (strstr(m, "permission denied") || strstr(m, "Permission denied")) {
                f.code = 126;
                code = EINVAL;
        }
        f.msg = msg;
        (void) record_change(r, id, mark_failed, &f, &e2);
        berth_error_free(*err);
        *err = NULL;
        return berth_error_new(err, code, "%s", msg);
}

static char *
logger_uri(struct container_runner *r, const char *id, struct json_object *doc)
{
        struct json_object *opts =
                json_key(json_key(json_key(doc, "HostConfig"), "LogConfig"), "Config");
        const char *ms = get_str(opts, "max-size"), *mf = get_str(opts, "max-file");

        return xasprintf("binary://%s?path=%s/containers/%s/%s-json.log&max-size=%s&max-file=%s",
                         r->logger_path, r->svc->data_root, id, id, ms ? ms : "10m",
                         mf ? mf : "3");
}

static int
do_start(struct container_runner *r, const char *id, struct json_object *doc,
         struct run_entry *e, berth_error_t **err)
{
        cleanup_free char *bundle = NULL, *uri = logger_uri(r, id, doc);
        cleanup_free char *stdin_fifo = NULL;
        struct task *t = NULL;
        struct started s = {0};
        uint32_t shim_pid = 0;
        bool tty = json_object_get_boolean(json_key(json_key(doc, "Config"), "Tty"));
        struct task_stdio io = {.out = uri, .err = tty ? NULL : uri, .terminal = tty};
        int rc;

        rc = container_bundle_prepare(r->svc, id, &bundle, err);
        if (rc < 0)
                return rc;
        rc = container_run_nsjoin_prepare(r, id, doc, bundle, err);
        if (rc < 0) {
                /* dockerd records a failed start's error with exit code 128. */
                cleanup_error berth_error_t *e2 = NULL, *e3 = NULL; /* best effort */
                struct failed f = {.code = 128, .msg = (*err)->msg};
                (void) container_bundle_remove(r->svc, id, &e2);
                (void) record_change(r, id, mark_failed, &f, &e3);
                return rc;
        }
        {
                /* Volumes: the driver's mounts, then the copy-up from the rootfs. */
                cleanup_free char *rootfs = xasprintf("%s/rootfs", bundle);
                rc = container_volumes_mount(r->svc, doc, rootfs, err);
                if (rc < 0) {
                        cleanup_error berth_error_t *e2 = NULL; /* the start failed */
                        (void) container_bundle_remove(r->svc, id, &e2);
                        return rc;
                }
        }
        if (json_object_get_boolean(json_key(json_key(doc, "Config"), "OpenStdin"))) {
                /* The init's stdin FIFO for attach (api/containers_attach.c). */
                stdin_fifo = xasprintf("%s/init-stdin", bundle);
                if (mkfifo(stdin_fifo, 0600) < 0 && errno != EEXIST)
                        return berth_error_sys(err, errno, "mkfifo \"%s\"", stdin_fifo);
                io.in = stdin_fifo;
        }
        rc = task_create(&r->sc, &r->ro, id, bundle, &io, NULL, 0, &t, &s.pid, err);
        if (rc < 0) {
                cleanup_error berth_error_t *e2 = NULL;
                (void) container_bundle_remove(r->svc, id, &e2);
                container_volumes_unmount(r->svc, doc);
                return start_failed(r, id, err);
        }
        if (task_connect(t, &shim_pid, NULL, err) == 0)
                reap_add((pid_t) shim_pid);
        else
                berth_error_free(*err), *err = NULL;
        pthread_mutex_lock(&r->lock);
        e->t = t;
        pthread_mutex_unlock(&r->lock);
        rc = task_start(t, NULL, &s.pid, err);
        if (rc < 0) {
                cleanup_error berth_error_t *e2 = NULL;
                (void) task_teardown(&r->sc, t, NULL, &e2);
                (void) container_bundle_remove(r->svc, id, &e2);
                container_volumes_unmount(r->svc, doc);
                pthread_mutex_lock(&r->lock);
                e->t = NULL;
                pthread_mutex_unlock(&r->lock);
                task_free(t);
                return start_failed(r, id, err);
        }
        s.at = rfc3339_of(0, 0);
        rc = record_change(r, id, mark_running, &s, err);
        free(s.at);
        if (rc < 0) {
                cleanup_error berth_error_t *e2 = NULL;
                (void) task_kill(t, NULL, SIGKILL, true, &e2);
                return rc; /* the exit path cleans up */
        }
        return 0;
}

/* Add a starting entry for ID: -EALREADY when one is active. */
static int
entry_begin(struct container_runner *r, const char *id, struct run_entry **ret,
            berth_error_t **err)
{
        pthread_mutex_lock(&r->lock);
        if (entry_find(r, id)) {
                pthread_mutex_unlock(&r->lock);
                return berth_error_new(err, EALREADY, "container %s is already running", id);
        }
        struct run_entry *e = xzalloc(sizeof(*e));
        e->id = xstrdup(id);
        e->refs = 1;
        e->starting = true;
        e->next = r->entries;
        r->entries = e;
        *ret = e;
        pthread_mutex_unlock(&r->lock);
        return 0;
}

static int
start_id(struct container_runner *r, const char *id, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        struct run_entry *e;
        int rc;

        rc = metadata_containers_load(r->svc->db, id, &doc, err);
        if (rc < 0)
                return rc;
        rc = entry_begin(r, id, &e, err);
        if (rc < 0)
                return rc;
        rc = do_start(r, id, doc, e, err);
        pthread_mutex_lock(&r->lock);
        e->starting = false;
        if (rc < 0 || e->t == NULL) {
                e->gone = true;
                entry_unref(r, e);
        } else {
                e->started_ms = now_ms();
        }
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        if (rc == 0)
                publish(r, id, "start", NULL, NULL, NULL, NULL);
        if (rc < 0 && rc != -EALREADY
            && json_object_get_boolean(json_key(json_key(doc, "HostConfig"), "AutoRemove"))) {
                /* dockerd's containerStart removes an AutoRemove container whose start failed
                 * (the docker CLI's run --rm waits for condition=removed). */
                cleanup_error berth_error_t *e2 = NULL; /* the start's error is the answer */
                if (container_service_remove(r->svc, id, true, true, &e2) == 0)
                        container_run_removed(r, id, doc);
        }
        return rc;
}

static int
resolve(struct container_runner *r, const char *ref, char **ret_id, berth_error_t **err)
{
        return metadata_containers_resolve(r->svc->db, ref, ret_id, err);
}

int
container_run_start(struct container_runner *r, const char *ref, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        cleanup_json struct json_object *doc = NULL;
        int rc;

        rc = resolve(r, ref, &id, err);
        if (rc < 0)
                return rc;
        rc = metadata_containers_load(r->svc->db, id, &doc, err);
        if (rc < 0)
                return rc;
        if (json_object_get_boolean(json_key(json_key(doc, "State"), "Running")))
                return berth_error_new(err, EALREADY, "container already started");
        return start_id(r, id, err);
}

/* --- exit path --- */

struct exited {
        int code;
        char *at;
};

static void
mark_exited(struct json_object *doc, void *arg)
{
        struct exited *x = arg;
        struct json_object *st = json_key(doc, "State");
        set(st, "Status", json_object_new_string("exited"));
        set(st, "Running", json_object_new_boolean(false));
        set(st, "Paused", json_object_new_boolean(false));
        set(st, "Restarting", json_object_new_boolean(false));
        set(st, "Pid", json_object_new_int(0));
        set(st, "ExitCode", json_object_new_int(x->code));
        set(st, "FinishedAt", json_object_new_string(x->at));
}

static void
mark_restarting(struct json_object *doc, void *arg)
{
        (void) arg;
        struct json_object *st = json_key(doc, "State");
        set(st, "Status", json_object_new_string("restarting"));
        set(st, "Restarting", json_object_new_boolean(true));
}

static void
bump_restart_count(struct json_object *doc, void *arg)
{
        (void) arg;
        set(doc, "RestartCount",
            json_object_new_int(json_object_get_int(json_key(doc, "RestartCount")) + 1));
}

struct exit_job {
        struct container_runner *r;
        char *id;
        uint32_t status;
        int64_t sec;
        int32_t nsec;
        bool teardown; /* false: the shim is gone already */
};

static void
handle_exit(struct exit_job *j)
{
        struct container_runner *r = j->r;
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *doc = NULL;
        struct run_entry *e;
        struct exited x = {.code = (int) j->status};
        bool manual = false, autoremove, again = false;
        int64_t ran = 0, delay = 0;
        char code[16];

        pthread_mutex_lock(&r->lock);
        e = entry_find(r, j->id);
        while (e && e->starting) {
                pthread_cond_wait(&r->cond, &r->lock);
                e = entry_find(r, j->id);
        }
        if (e) {
                e->refs++;
                manual = e->manual_stop;
                ran = now_ms() - e->started_ms;
        }
        pthread_mutex_unlock(&r->lock);
        if (e == NULL && j->teardown)
                return; /* not ours, or handled already */
        if (e && e->t && j->teardown) {
                if (task_teardown(&r->sc, e->t, NULL, &err) < 0) {
                        log_warn("container %s: teardown: %s", j->id, err->msg);
                        berth_error_free(err), err = NULL;
                }
        }
        if (container_bundle_remove(r->svc, j->id, &err) < 0) {
                log_warn("container %s: %s", j->id, err->msg);
                berth_error_free(err), err = NULL;
        }
        /* As dockerd, the exit is reported once the output is in the log: the shim's Delete
         * told berth-logger to drain and end. */
        {
                cleanup_free char *log = xasprintf("%s/containers/%s/%s-json.log",
                                                   r->svc->data_root, j->id, j->id);
                logger_lock_wait(log, LOGGER_DRAIN_MS);
        }
        {
                /* The container's volumes are released (the last user unmounts). */
                cleanup_json struct json_object *vdoc = NULL;
                if (metadata_containers_load(r->svc->db, j->id, &vdoc, &err) == 0)
                        container_volumes_unmount(r->svc, vdoc);
                berth_error_free(err), err = NULL;
        }
        x.at = rfc3339_of(j->sec, j->nsec);
        (void) metadata_containers_load(r->svc->db, j->id, &doc, &err);
        berth_error_free(err), err = NULL;
        struct json_object *hc = json_key(doc, "HostConfig"), *rp = json_key(hc, "RestartPolicy");
        /* --rm (never with a restart policy: create refuses that): the record is about to go,
         * so the exit is not written to it first (one LMDB commit less on every `run --rm`);
         * should the removal fail, it is written then. */
        autoremove = json_object_get_boolean(json_key(hc, "AutoRemove"));
        if (!autoremove && record_change(r, j->id, mark_exited, &x, &err) < 0) {
                log_warn("container %s: record the exit: %s", j->id, err->msg);
                berth_error_free(err), err = NULL;
        }
        snprintf(code, sizeof(code), "%d", x.code);
        container_exec_container_gone(r, j->id);
        publish(r, j->id, "die", "exitCode", code, NULL, NULL);

        pthread_mutex_lock(&r->lock);
        struct run_exit_count *xc = exits_of(r, j->id);
        if (e) {
                e->gone = true;
                entry_unref(r, e); /* the list's */
                entry_unref(r, e); /* ours */
        }
        xc->n++;
        xc->last_code = x.code;
        if (!r->closing && doc
            && container_restart_wanted(
                    get_str(rp, "Name"), json_object_get_int(json_key(rp, "MaximumRetryCount")),
                    json_object_get_int(json_key(doc, "RestartCount")), x.code, manual)) {
                again = true;
                xc->delay_ms = delay = container_restart_delay(xc->delay_ms, ran);
        }
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);

        if (autoremove && !again) {
                if (container_service_remove_exited(r->svc, j->id, &err) < 0) {
                        log_warn("container %s: auto-remove: %s", j->id, err->msg);
                        cleanup_error berth_error_t *e2 = NULL;
                        if (record_change(r, j->id, mark_exited, &x, &e2) < 0
                            && e2->code != ENOENT)
                                log_warn("container %s: record the exit: %s", j->id, e2->msg);
                        /* As dockerd's SetRemovalError: a "removed" wait ends with it. */
                        pthread_mutex_lock(&r->lock);
                        struct run_exit_count *fx = exits_of(r, j->id);
                        fx->removal_failures++;
                        free(fx->removal_error);
                        fx->removal_error = xasprintf("Could not remove container: %s", err->msg);
                        pthread_cond_broadcast(&r->cond);
                        pthread_mutex_unlock(&r->lock);
                        berth_error_free(err), err = NULL;
                } else {
                        container_run_removed(r, j->id, doc);
                }
        }
        free(x.at);
        if (again) {
                (void) record_change(r, j->id, mark_restarting, NULL, &err);
                berth_error_free(err), err = NULL;
                /* The backoff, cut short when berthd closes. */
                struct timespec dl;
                container_run_deadline(&dl, delay);
                pthread_mutex_lock(&r->lock);
                while (!r->closing && pthread_cond_timedwait(&r->cond, &r->lock, &dl) != ETIMEDOUT)
                        ;
                bool closing = r->closing;
                pthread_mutex_unlock(&r->lock);
                cleanup_json struct json_object *now = NULL;
                /* Stopped, killed or removed meanwhile: no restart. */
                if (!closing
                    && (metadata_containers_load(r->svc->db, j->id, &now, &err) < 0
                        || json_object_get_boolean(json_key(now, "BerthManualStop"))))
                        closing = true;
                berth_error_free(err), err = NULL;
                if (!closing) {
                        (void) record_change(r, j->id, bump_restart_count, NULL, &err);
                        berth_error_free(err), err = NULL;
                        if (start_id(r, j->id, &err) < 0 && err->code != EALREADY)
                                log_warn("container %s: restart: %s", j->id, err->msg);
                }
        }
}

static void *
exit_thread(void *arg)
{
        struct exit_job *j = arg;
        struct container_runner *r = j->r;
        handle_exit(j);
        free(j->id);
        free(j);
        pthread_mutex_lock(&r->lock);
        r->pending--;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        return NULL;
}

static void
spawn_exit(struct container_runner *r, const char *id, uint32_t status, int64_t sec, int32_t nsec,
           bool teardown)
{
        struct exit_job *j = xzalloc(sizeof(*j));
        pthread_t th;
        pthread_attr_t a;

        *j = (struct exit_job){.r = r, .id = xstrdup(id), .status = status, .sec = sec,
                               .nsec = nsec, .teardown = teardown};
        pthread_mutex_lock(&r->lock);
        r->pending++;
        pthread_mutex_unlock(&r->lock);
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &a, exit_thread, j) != 0) {
                log_error("container %s: cannot start the exit thread", id);
                exit_thread(j);
        }
        pthread_attr_destroy(&a);
}

/* The events thread: an init's exit is handled on a thread of its own (the teardown talks to
 * the shim, which would wait for this Forward to be answered). */
static void
on_event(const struct task_event *ev, void *userdata)
{
        struct container_runner *r = userdata;

        if (ev->kind == TASK_EVENT_EXIT && ev->exec_id[0] == '\0')
                spawn_exit(r, ev->container_id, ev->exit_status, ev->exited_sec, ev->exited_nsec,
                           true);
        else if (ev->kind == TASK_EVENT_EXIT)
                container_exec_exited(r, ev->container_id, ev->exec_id, ev->exit_status);
}

void
container_run_removed(struct container_runner *r, const char *id, struct json_object *doc)
{
        if (r == NULL)
                return;
        publish_doc(r, id, doc, "destroy", NULL, NULL, NULL, NULL);
        pthread_mutex_lock(&r->lock);
        r->removals++;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
}

/* --- stop, kill, pause --- */

static int
not_running(const char *ref, berth_error_t **err)
{
        return berth_error_new(err, EBUSY, "Container %s is not running", ref);
}

void
container_run_deadline(struct timespec *dl, int64_t ms)
{
        clock_gettime(CLOCK_REALTIME, dl);
        dl->tv_sec += ms / 1000;
        dl->tv_nsec += (long) (ms % 1000) * 1000000;
        if (dl->tv_nsec >= 1000000000)
                dl->tv_sec++, dl->tv_nsec -= 1000000000;
}

/* Wait until ID's exit count passes N or TIMEOUT_MS passes (< 0: forever). */
static bool
wait_exit_count(struct container_runner *r, const char *id, uint64_t n, int64_t timeout_ms)
{
        struct timespec dl;
        bool done;

        container_run_deadline(&dl, timeout_ms);
        pthread_mutex_lock(&r->lock);
        for (;;) {
                done = exits_of(r, id)->n > n;
                if (done)
                        break;
                if (timeout_ms < 0)
                        pthread_cond_wait(&r->cond, &r->lock);
                else if (pthread_cond_timedwait(&r->cond, &r->lock, &dl) == ETIMEDOUT)
                        break;
        }
        pthread_mutex_unlock(&r->lock);
        return done;
}

/* The active task of REF, referenced, with the exit count now and the record. */
static int
active(struct container_runner *r, const char *ref, char **ret_id, struct task **ret_t,
       uint64_t *ret_n, bool manual, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        int rc = resolve(r, ref, &id, err);
        if (rc < 0)
                return rc;
        pthread_mutex_lock(&r->lock);
        struct run_entry *e = entry_find(r, id);
        while (e && e->starting) {
                pthread_cond_wait(&r->cond, &r->lock);
                e = entry_find(r, id);
        }
        if (e == NULL || e->t == NULL) {
                pthread_mutex_unlock(&r->lock);
                if (manual) {
                        cleanup_error berth_error_t *e2 = NULL;
                        (void) record_change(r, id, mark_manual, NULL, &e2);
                }
                *ret_id = TAKE_PTR(id);
                *ret_t = NULL;
                return 0;
        }
        e->refs++;
        if (manual)
                e->manual_stop = true;
        *ret_t = e->t;
        *ret_n = exits_of(r, id)->n;
        pthread_mutex_unlock(&r->lock);
        if (manual) {
                cleanup_error berth_error_t *e2 = NULL;
                (void) record_change(r, id, mark_manual, NULL, &e2);
        }
        *ret_id = TAKE_PTR(id);
        return 0;
}

static int
stop_id(struct container_runner *r, const char *id, struct task *t, uint64_t n, int timeout,
        berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        int sig = SIGTERM;
        char buf[16];

        if (metadata_containers_load(r->svc->db, id, &doc, err) < 0)
                return -1;
        struct json_object *cfg = json_key(doc, "Config");
        if (get_str(cfg, "StopSignal") && container_signal_parse(get_str(cfg, "StopSignal")) > 0)
                sig = container_signal_parse(get_str(cfg, "StopSignal"));
        if (timeout < 0)
                timeout = json_key(cfg, "StopTimeout")
                                  ? json_object_get_int(json_key(cfg, "StopTimeout"))
                                  : 10;
        if (timeout != 0) {
                snprintf(buf, sizeof(buf), "%d", sig);
                if (task_kill(t, NULL, (uint32_t) sig, false, &e2) == 0)
                        publish(r, id, "kill", "signal", buf, NULL, NULL);
                berth_error_free(e2), e2 = NULL;
                if (json_object_get_boolean(json_key(json_key(doc, "State"), "Paused")))
                        (void) task_resume(t, &e2);
                berth_error_free(e2), e2 = NULL;
                if (wait_exit_count(r, id, n, (int64_t) timeout * 1000))
                        return 0;
        }
        if (task_kill(t, NULL, SIGKILL, true, &e2) == 0)
                publish(r, id, "kill", "signal", "9", NULL, NULL);
        berth_error_free(e2), e2 = NULL;
        (void) task_resume(t, &e2);
        if (!wait_exit_count(r, id, n, 30000))
                return berth_error_new(err, EIO, "cannot stop container: %s: tried to kill container, but did not receive an exit event", id);
        return 0;
}

int
container_run_stop(struct container_runner *r, const char *ref, int timeout, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        struct task *t = NULL;
        uint64_t n = 0;
        int rc;

        rc = active(r, ref, &id, &t, &n, true, err);
        if (rc < 0)
                return rc;
        if (t == NULL)
                return berth_error_new(err, EALREADY, "container already stopped");
        rc = stop_id(r, id, t, n, timeout, err);
        container_run_task_put(r, t);
        if (rc == 0)
                publish(r, id, "stop", NULL, NULL, NULL, NULL);
        return rc;
}

int
container_run_kill(struct container_runner *r, const char *ref, const char *sig_s,
                   berth_error_t **err)
{
        cleanup_free char *id = NULL;
        struct task *t = NULL;
        uint64_t n = 0;
        int sig = sig_s && *sig_s ? container_signal_parse(sig_s) : SIGKILL;
        char buf[16];
        int rc;

        if (sig < 0)
                return berth_error_new(err, EINVAL, "Invalid signal: %s", sig_s);
        rc = active(r, ref, &id, &t, &n, sig == SIGKILL, err);
        if (rc < 0)
                return rc;
        if (t == NULL)
                return not_running(id, err);
        rc = task_kill(t, NULL, (uint32_t) sig, sig == SIGKILL, err);
        container_run_task_put(r, t);
        if (rc < 0) {
                if (rc == -ENOENT) {
                        berth_error_free(*err), *err = NULL;
                        return not_running(id, err);
                }
                return rc;
        }
        snprintf(buf, sizeof(buf), "%d", sig);
        publish(r, id, "kill", "signal", buf, NULL, NULL);
        return 0;
}

int
container_run_kill_wait(struct container_runner *r, const char *ref, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        struct task *t = NULL;
        uint64_t n = 0;
        int rc;

        rc = active(r, ref, &id, &t, &n, true, err);
        if (rc < 0 || t == NULL)
                return rc;
        if (task_kill(t, NULL, SIGKILL, true, &e2) == 0)
                publish(r, id, "kill", "signal", "9", NULL, NULL);
        (void) task_resume(t, &e2);
        container_run_task_put(r, t);
        if (!wait_exit_count(r, id, n, 30000))
                return berth_error_new(err, EIO, "could not kill running container %s", id);
        return 0;
}

int
container_run_restart(struct container_runner *r, const char *ref, int timeout,
                      berth_error_t **err)
{
        cleanup_free char *id = NULL;
        struct task *t = NULL;
        uint64_t n = 0;
        int rc;

        rc = active(r, ref, &id, &t, &n, true, err);
        if (rc < 0)
                return rc;
        if (t) {
                rc = stop_id(r, id, t, n, timeout, err);
                container_run_task_put(r, t);
                if (rc < 0)
                        return rc;
                publish(r, id, "stop", NULL, NULL, NULL, NULL);
        }
        /* The exit path may be about to restart it by policy: it is manual now. */
        rc = start_id(r, id, err);
        if (rc < 0 && (*err)->code == EALREADY) {
                berth_error_free(*err), *err = NULL;
                rc = 0;
        }
        if (rc == 0)
                publish(r, id, "restart", NULL, NULL, NULL, NULL);
        return rc;
}

static void
mark_paused(struct json_object *doc, void *arg)
{
        bool p = *(bool *) arg;
        struct json_object *st = json_key(doc, "State");
        set(st, "Paused", json_object_new_boolean(p));
        set(st, "Status", json_object_new_string(p ? "paused" : "running"));
}

int
container_run_pause(struct container_runner *r, const char *ref, bool pause, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        cleanup_json struct json_object *doc = NULL;
        struct task *t = NULL;
        uint64_t n = 0;
        int rc;

        rc = active(r, ref, &id, &t, &n, false, err);
        if (rc < 0)
                return rc;
        if (t == NULL)
                return berth_error_new(err, EBUSY, "Container %s is not running", id);
        rc = metadata_containers_load(r->svc->db, id, &doc, err);
        if (rc == 0) {
                bool paused = json_object_get_boolean(json_key(json_key(doc, "State"), "Paused"));
                if (pause && paused)
                        rc = berth_error_new(err, EBUSY, "Container %s is already paused", id);
                else if (!pause && !paused)
                        rc = berth_error_new(err, EBUSY, "Container %s is not paused", id);
        }
        if (rc == 0)
                rc = pause ? task_pause(t, err) : task_resume(t, err);
        container_run_task_put(r, t);
        if (rc < 0)
                return rc;
        rc = record_change(r, id, mark_paused, &pause, err);
        if (rc == 0)
                publish(r, id, pause ? "pause" : "unpause", NULL, NULL, NULL, NULL);
        return rc;
}

int
container_run_pids(struct container_runner *r, const char *ref, char **ret_id, uint32_t **ret,
                   size_t *ret_n, berth_error_t **err)
{
        cleanup_free char *id = NULL;
        struct task *t = NULL;
        uint64_t n = 0;
        int rc;

        rc = active(r, ref, &id, &t, &n, false, err);
        if (rc < 0)
                return rc;
        if (t == NULL)
                return berth_error_new(err, EBUSY, "Container %s is not running", id);
        rc = task_pids(t, ret, ret_n, err);
        container_run_task_put(r, t);
        if (rc == 0)
                *ret_id = TAKE_PTR(id);
        return rc;
}

/* --- wait --- */

int
container_run_wait_begin(struct container_runner *r, const char *ref,
                         enum container_wait_condition cond, struct container_wait *ret,
                         berth_error_t **err)
{
        cleanup_free char *id = NULL;
        int rc = resolve(r, ref, &id, err);
        if (rc < 0)
                return rc;
        pthread_mutex_lock(&r->lock);
        ret->exits_at_start = exits_of(r, id)->n;
        ret->removals_at_start = r->removals;
        ret->removal_failures_at_start = exits_of(r, id)->removal_failures;
        ret->error = NULL;
        pthread_mutex_unlock(&r->lock);
        ret->cond = cond;
        ret->id = TAKE_PTR(id);
        return 0;
}

int
container_run_wait_poll(struct container_runner *r, struct container_wait *w, int timeout_ms,
                        int *ret_code)
{
        struct timespec dl;
        int rc = -ETIMEDOUT;

        container_run_deadline(&dl, timeout_ms);
        pthread_mutex_lock(&r->lock);
        for (;;) {
                struct run_exit_count *x = exits_of(r, w->id);
                struct run_entry *e = entry_find(r, w->id);
                if (w->cond == CONTAINER_WAIT_NOT_RUNNING && (e == NULL || x->n > w->exits_at_start)) {
                        cleanup_json struct json_object *doc = NULL;
                        cleanup_error berth_error_t *err = NULL;
                        /* An exit seen while waiting is its own code (a --rm container's
                         * record never gets it); one from before, the record's. */
                        *ret_code = x->last_code;
                        if (x->n <= w->exits_at_start
                            && metadata_containers_load(r->svc->db, w->id, &doc, &err) == 0)
                                *ret_code = json_object_get_int(
                                        json_key(json_key(doc, "State"), "ExitCode"));
                        rc = 0;
                } else if (w->cond == CONTAINER_WAIT_NEXT_EXIT && x->n > w->exits_at_start) {
                        *ret_code = x->last_code;
                        rc = 0;
                } else if (w->cond == CONTAINER_WAIT_REMOVED
                           && x->removal_failures > w->removal_failures_at_start) {
                        *ret_code = x->last_code;
                        free(w->error);
                        w->error = xstrdup(x->removal_error ? x->removal_error : "removal failed");
                        rc = 0;
                } else if (w->cond == CONTAINER_WAIT_REMOVED && r->removals > w->removals_at_start
                           && e == NULL) {
                        cleanup_json struct json_object *doc = NULL;
                        cleanup_error berth_error_t *err = NULL;
                        if (metadata_containers_load(r->svc->db, w->id, &doc, &err) == -ENOENT) {
                                *ret_code = x->last_code;
                                rc = 0;
                        }
                }
                if (rc == 0)
                        break;
                if (pthread_cond_timedwait(&r->cond, &r->lock, &dl) == ETIMEDOUT)
                        break;
        }
        pthread_mutex_unlock(&r->lock);
        return rc;
}

void
container_wait_done(struct container_wait *w)
{
        free(w->id);
        w->id = NULL;
        free(w->error);
        w->error = NULL;
}

/* --- open, close, restore --- */

static void *
reaper_thread(void *arg)
{
        struct container_runner *r = arg;
        for (;;) {
                pthread_mutex_lock(&r->lock);
                bool closing = r->closing;
                pthread_mutex_unlock(&r->lock);
                reap_known();
                if (closing)
                        return NULL;
                usleep(200000);
        }
}

static void
restore_one(struct container_runner *r, const char *id)
{
        cleanup_free char *bundle = xasprintf("%s/containers/%s", r->svc->exec_root, id);
        cleanup_error berth_error_t *err = NULL;
        struct task *t = NULL;
        struct task_state st = {0};
        struct run_entry *e;
        uint32_t shim_pid = 0;

        {
                /* Its volumes count as used again (the exit path releases them). */
                cleanup_json struct json_object *vdoc = NULL;
                if (metadata_containers_load(r->svc->db, id, &vdoc, &err) == 0
                    && container_volumes_mount(r->svc, vdoc, NULL, &err) < 0)
                        log_warn("container %s: live restore: %s", id, err->msg);
                berth_error_free(err), err = NULL;
        }
        if (task_recover(&r->sc, id, bundle, &t, &st, &err) < 0 || t == NULL) {
                /* No shim to ask: dockerd records 255 for a container it lost. */
                if (err)
                        log_warn("container %s: live restore: %s", id, err->msg);
                spawn_exit(r, id, 255, 0, 0, false);
                return;
        }
        if (entry_begin(r, id, &e, &err) < 0) {
                task_free(t);
                return;
        }
        if (task_connect(t, &shim_pid, NULL, &err) == 0 && shim_pid > 0)
                reap_add((pid_t) shim_pid); /* a child of ours only when we started it */
        berth_error_free(err), err = NULL;
        pthread_mutex_lock(&r->lock);
        e->t = t;
        e->starting = false;
        e->started_ms = now_ms();
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        if (st.status == TASK_STATUS_STOPPED) {
                spawn_exit(r, id, st.exit.exit_status, st.exit.exited_sec, st.exit.exited_nsec,
                           true);
        } else {
                bool paused = st.status == TASK_STATUS_PAUSED;
                (void) record_change(r, id, mark_paused, &paused, &err);
                log_info("container %s: restored (pid %u, %s)", id, st.pid,
                         task_status_name(st.status));
        }
}

static void
restore_all(struct container_runner *r)
{
        cleanup_json struct json_object *all = NULL;
        cleanup_error berth_error_t *err = NULL;
        size_t n;

        if (metadata_containers_list(r->svc->db, &all, &err) < 0) {
                log_warn("live restore: %s", err->msg);
                return;
        }
        n = json_object_array_length(all);
        for (size_t i = 0; i < n; i++) {
                struct json_object *doc = json_object_array_get_idx(all, i);
                struct json_object *st = json_key(doc, "State"), *rp;
                const char *id = get_str(doc, "Id");
                if (id == NULL)
                        continue;
                if (json_object_get_boolean(json_key(st, "Running"))) {
                        restore_one(r, id);
                        continue;
                }
                /* As dockerd's restore: a --rm container that is not running goes (one a crash
                 * caught between create and start included: its files were never synced). */
                if (json_object_get_boolean(json_key(json_key(doc, "HostConfig"), "AutoRemove"))) {
                        if (container_service_remove_exited(r->svc, id, &err) < 0) {
                                log_warn("container %s: remove at start: %s", id, err->msg);
                                berth_error_free(err), err = NULL;
                        } else {
                                container_run_removed(r, id, doc);
                        }
                        continue;
                }
                /* Restart policies at start, as dockerd: always, and unless-stopped unless
                 * stopped by hand (BerthManualStop). */
                rp = json_key(json_key(doc, "HostConfig"), "RestartPolicy");
                const char *pol = get_str(rp, "Name");
                if (pol
                    && (strcmp(pol, "always") == 0
                        || (strcmp(pol, "unless-stopped") == 0
                            && !json_object_get_boolean(json_key(doc, "BerthManualStop"))))) {
                        if (start_id(r, id, &err) < 0) {
                                log_warn("container %s: restart at start: %s", id, err->msg);
                                berth_error_free(err), err = NULL;
                        }
                }
        }
}

static char *
beside_self(const char *name, const char *fallback)
{
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        char *cand = xasprintf("%s/%s", exe, name);
                        if (access(cand, X_OK) == 0)
                                return cand;
                        free(cand);
                }
        }
        return xstrdup(fallback);
}

int
container_runner_open(struct container_runner *r, struct container_service *svc,
                      struct event_bus *events, const struct container_runner_config *cfg,
                      berth_error_t **err)
{
        int rc;

        memset(r, 0, sizeof(*r));
        r->svc = svc;
        r->events = events;
        pthread_mutex_init(&r->lock, NULL);
        pthread_cond_init(&r->cond, NULL);
        /* Shims outlive their `start` action: they come to us, as to containerd. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return berth_error_sys(err, errno, "become a child subreaper");
        r->logger_path = cfg->logger_binary ? xstrdup(cfg->logger_binary)
                                            : beside_self("berth-logger", LIBEXECDIR "/berth-logger");
        r->events_path = xasprintf("%s/events.sock", svc->exec_root);
        r->runtime_root = task_runtime_root_build(svc->exec_root);
        r->sc = (struct task_shim_config){
                .shim_binary = r->shim_path = xstrdup(cfg->shim_binary),
                .ns = NS,
                .address = r->api_socket = xstrdup(cfg->api_socket),
                .publish_binary = "/proc/self/exe",
                .events_address = r->events_path,
                .socket_root = svc->exec_root,
                .debug = cfg->debug,
        };
        r->ro = (struct task_runtime_options){.binary_name = r->runtime_path =
                                                      xstrdup(cfg->runtime_binary),
                                              .root = r->runtime_root};
        rc = task_events_open(r->events_path, on_event, r, &r->ev, err);
        if (rc < 0)
                return rc;
        if (pthread_create(&r->reaper, NULL, reaper_thread, r) != 0)
                return berth_error_new(err, EAGAIN, "cannot start the shim reaper");
        r->reaper_started = true;
        restore_all(r);
        return container_health_open(r, err);
}

void
container_runner_close(struct container_runner *r)
{
        if (r->svc == NULL)
                return;
        container_health_close(r);
        task_events_close(r->ev);
        pthread_mutex_lock(&r->lock);
        r->closing = true;
        pthread_cond_broadcast(&r->cond);
        while (r->pending > 0)
                pthread_cond_wait(&r->cond, &r->lock);
        pthread_mutex_unlock(&r->lock);
        if (r->reaper_started)
                pthread_join(r->reaper, NULL);
        for (struct run_entry *e = r->entries, *next; e; e = next) {
                next = e->next;
                task_free(e->t);
                free(e->id);
                free(e);
        }
        container_exec_free_all(r);
        for (struct run_exit_count *x = r->exits, *next; x; x = next) {
                next = x->next;
                free(x->id);
                free(x->removal_error);
                free(x);
        }
        free(r->logger_path);
        free(r->shim_path);
        free(r->api_socket);
        free(r->runtime_path);
        free(r->events_path);
        free(r->runtime_root);
        pthread_cond_destroy(&r->cond);
        pthread_mutex_destroy(&r->lock);
        r->svc = NULL;
}
