/* supervisor/containers/health.c: the healthcheck scheduler (health.h, docs/berthd.md
 * "Healthchecks"). One thread for every container: each 100 ms it compares the runner's running
 * tasks with its own table, starts monitoring new runs (State.Health reset to "starting" for a
 * new run, kept for a run restored after a berthd restart), forgets runs that ended, and starts
 * the probes that are due. A probe runs on a short-lived detached thread of its own (one at a
 * time per container) as an exec of the running task, its stdout and stderr going to one FIFO
 * in the bundle; close() stops the scheduler and waits for every probe thread. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/health.h"
#include "supervisor/containers/run.h"
#include "supervisor/containers/service.h"
#include "supervisor/metadata/containers.h"

#define TICK_MS 100

struct health_item {
        char *id;
        int64_t started_ms; /* the runner's; a new value is a new run */
        char *started_at;   /* State.StartedAt of the run */
        struct container_health_settings s;
        int64_t next_ms;
        bool busy; /* a probe thread uses it */
        bool gone; /* the run ended */
        struct health_item *next;
};

struct container_health {
        struct container_runner *r;
        pthread_mutex_t lock;
        pthread_cond_t cond; /* CLOCK_MONOTONIC */
        pthread_t thread;
        bool stop;
        unsigned inflight;
        struct health_item *items;
};

struct probe {
        struct container_health *h;
        struct health_item *item;
};

static int64_t
now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
health_stopping(struct container_health *h)
{
        pthread_mutex_lock(&h->lock);
        bool s = h->stop;
        pthread_mutex_unlock(&h->lock);
        return s;
}

/* A new run being monitored: its settings, and State.Health "starting" unless the record's
 * health belongs to this very run (live restore). Not enabled when the container has none. */
static void
item_setup(struct container_health *h, struct health_item *it)
{
        struct container_runner *r = h->r;
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;

        pthread_mutex_lock(&r->svc->lock);
        if (metadata_containers_load(r->svc->db, it->id, &doc, &err) == 0) {
                struct json_object *st = json_key(doc, "State");
                const char *at = json_object_get_string(json_key(st, "StartedAt"));
                const char *mark = json_object_get_string(json_key(doc, "BerthHealthStartedAt"));
                container_health_settings_build(json_key(doc, "Config"), &it->s);
                it->started_at = xstrdup(at ? at : "");
                if (it->s.enabled && st
                    && (json_key(st, "Health") == NULL || mark == NULL
                        || strcmp(mark, it->started_at) != 0)) {
                        json_object_object_add(st, "Health", container_health_new());
                        json_object_object_add(doc, "BerthHealthStartedAt",
                                               json_object_new_string(it->started_at));
                        if (metadata_containers_update(r->svc->db, doc, &err) < 0) {
                                log_warn("container %s: health: %s", it->id, err->msg);
                                berth_error_free(err), err = NULL;
                        }
                }
        }
        pthread_mutex_unlock(&r->svc->lock);
        it->next_ms = now_ms() + it->s.interval_ns / 1000000;
}

/* Record RES for IT's run; publishes health_status when the status changed. */
static void
record_result(struct container_health *h, struct health_item *it,
              const struct container_health_result *res)
{
        struct container_runner *r = h->r;
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;
        const char *changed = NULL;
        bool in_start = now_ms() - it->started_ms < it->s.start_period_ns / 1000000;

        pthread_mutex_lock(&r->svc->lock);
        if (metadata_containers_load(r->svc->db, it->id, &doc, &err) == 0) {
                struct json_object *st = json_key(doc, "State"), *health = json_key(st, "Health");
                const char *at = json_object_get_string(json_key(st, "StartedAt"));
                if (json_object_get_boolean(json_key(st, "Running")) && at
                    && strcmp(at, it->started_at) == 0) {
                        if (health == NULL) {
                                health = container_health_new();
                                json_object_object_add(st, "Health", health);
                        }
                        changed = container_health_apply(health, res, it->s.retries, in_start);
                        if (metadata_containers_update(r->svc->db, doc, &err) < 0) {
                                log_warn("container %s: health: %s", it->id, err->msg);
                                changed = NULL;
                        }
                }
        }
        pthread_mutex_unlock(&r->svc->lock);
        if (changed) {
                cleanup_free char *action = xasprintf("health_status: %s", changed);
                container_run_event(r, it->id, action, NULL, NULL);
        }
}

static bool
record_paused(struct container_runner *r, const char *id)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;
        if (metadata_containers_load(r->svc->db, id, &doc, &err) < 0)
                return true;
        return json_object_get_boolean(json_key(json_key(doc, "State"), "Paused"));
}

static void
drain(int fd, char *buf, size_t *len)
{
        char tmp[4096];
        for (;;) {
                ssize_t n = read(fd, tmp, sizeof(tmp));
                if (n <= 0)
                        return;
                size_t room = CONTAINER_HEALTH_MAX_OUTPUT - *len;
                size_t take = (size_t) n < room ? (size_t) n : room;
                memcpy(buf + *len, tmp, take);
                *len += take;
        }
}

static void
kill_exec(struct container_runner *r, const char *cid, const char *eid)
{
        cleanup_error berth_error_t *err = NULL;
        struct task *t = container_run_task_get(r, cid);
        if (t == NULL)
                return;
        (void) task_kill(t, eid, SIGKILL, false, &err);
        container_run_task_put(r, t);
}

/* One probe: an exec of the container's task, output captured through a FIFO, killed at the
 * timeout (exit code -1, dockerd's "Health check exceeded timeout (D)"). */
static void
run_probe(struct container_health *h, struct health_item *it)
{
        struct container_runner *r = h->r;
        cleanup_json struct json_object *cfg = json_object_new_object();
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *eid = NULL, *fifo = NULL, *start = NULL, *end = NULL, *msg = NULL;
        char out[CONTAINER_HEALTH_MAX_OUTPUT + 1];
        size_t len = 0;
        int fd = -1, code = -1;
        bool timed_out = false, gone = false;

        if (record_paused(r, it->id))
                return;
        json_object_object_add(cfg, "Cmd", json_object_get(it->s.cmd));
        json_object_object_add(cfg, "AttachStdout", json_object_new_boolean(true));
        json_object_object_add(cfg, "AttachStderr", json_object_new_boolean(true));
        start = time_now_rfc3339();
        int64_t deadline = now_ms() + it->s.timeout_ns / 1000000;
        if (container_exec_create(r, it->id, cfg, &eid, &err) < 0)
                return; /* not running any more */
        fifo = xasprintf("%s/containers/%s/health-%.16s", r->svc->exec_root, it->id, eid);
        if (mkfifo(fifo, 0600) == 0)
                fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct task_stdio io = {.out = fd >= 0 ? fifo : NULL, .err = fd >= 0 ? fifo : NULL};
        if (container_exec_start_io(r, eid, &io, NULL, &err) < 0) {
                struct task *t = container_run_task_get(r, it->id);
                if (t)
                        container_run_task_put(r, t);
                else
                        gone = true; /* the container went meanwhile: no result */
                msg = xstrdup(err->msg);
        } else {
                for (;;) {
                        struct pollfd p = {.fd = fd, .events = POLLIN};
                        if (fd >= 0)
                                (void) poll(&p, 1, 50);
                        else
                                usleep(50000);
                        if (fd >= 0)
                                drain(fd, out, &len);
                        if (container_exec_done(r, eid, &code))
                                break;
                        if (now_ms() >= deadline || health_stopping(h)) {
                                timed_out = !health_stopping(h);
                                kill_exec(r, it->id, eid);
                                for (int i = 0; i < 40 && !container_exec_done(r, eid, &code); i++)
                                        usleep(50000);
                                break;
                        }
                }
                /* The last bytes: until every writer closed (EOF), at most 500 ms. */
                for (int i = 0; fd >= 0 && i < 10; i++) {
                        char c[4096];
                        ssize_t n = read(fd, c, sizeof(c));
                        if (n == 0)
                                break;
                        if (n > 0) {
                                size_t room = CONTAINER_HEALTH_MAX_OUTPUT - len;
                                size_t take = (size_t) n < room ? (size_t) n : room;
                                memcpy(out + len, c, take);
                                len += take;
                                i--;
                                continue;
                        }
                        usleep(50000);
                }
        }
        if (fd >= 0)
                close(fd);
        (void) unlink(fifo);
        container_exec_forget(r, eid);
        if (health_stopping(h) || gone)
                return;
        out[len] = '\0';
        end = time_now_rfc3339();
        if (timed_out) {
                cleanup_free char *d = container_health_duration_string(it->s.timeout_ns);
                free(msg);
                msg = xasprintf("Health check exceeded timeout (%s)", d);
                code = -1;
        } else if (msg) {
                code = -1;
        }
        struct container_health_result res = {
                .start = start, .end = end, .exit_code = code, .output = msg ? msg : out};
        record_result(h, it, &res);
}

static void *
probe_thread(void *arg)
{
        struct probe *p = arg;
        struct container_health *h = p->h;
        run_probe(h, p->item);
        pthread_mutex_lock(&h->lock);
        p->item->busy = false;
        p->item->next_ms = now_ms() + p->item->s.interval_ns / 1000000;
        h->inflight--;
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->lock);
        free(p);
        return NULL;
}

static void
tick(struct container_health *h)
{
        cleanup_strv char **ids = NULL;
        cleanup_free int64_t *started = NULL;
        int64_t now = now_ms();

        container_run_running(h->r, &ids, &started);
        pthread_mutex_lock(&h->lock);
        /* Runs that ended: forget them once no probe uses them. */
        for (struct health_item **pp = &h->items; *pp;) {
                struct health_item *it = *pp;
                bool running = false;
                for (size_t i = 0; ids[i]; i++)
                        if (strcmp(ids[i], it->id) == 0 && started[i] == it->started_ms)
                                running = true;
                if (!running)
                        it->gone = true;
                if (it->gone && !it->busy) {
                        *pp = it->next;
                        container_health_settings_done(&it->s);
                        free(it->id);
                        free(it->started_at);
                        free(it);
                        continue;
                }
                pp = &it->next;
        }
        pthread_mutex_unlock(&h->lock);
        /* New runs. */
        for (size_t i = 0; ids[i]; i++) {
                bool known = false;
                pthread_mutex_lock(&h->lock);
                for (struct health_item *it = h->items; it; it = it->next)
                        if (!it->gone && strcmp(it->id, ids[i]) == 0)
                                known = true;
                pthread_mutex_unlock(&h->lock);
                if (known)
                        continue;
                struct health_item *it = xzalloc(sizeof(*it));
                it->id = xstrdup(ids[i]);
                it->started_ms = started[i];
                item_setup(h, it);
                pthread_mutex_lock(&h->lock);
                it->next = h->items;
                h->items = it;
                pthread_mutex_unlock(&h->lock);
        }
        /* Probes due. */
        pthread_mutex_lock(&h->lock);
        for (struct health_item *it = h->items; it && !h->stop; it = it->next) {
                if (!it->s.enabled || it->gone || it->busy || now < it->next_ms)
                        continue;
                struct probe *p = xzalloc(sizeof(*p));
                pthread_t th;
                pthread_attr_t a;
                *p = (struct probe){.h = h, .item = it};
                it->busy = true;
                h->inflight++;
                pthread_attr_init(&a);
                pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
                if (pthread_create(&th, &a, probe_thread, p) != 0) {
                        it->busy = false;
                        it->next_ms = now + it->s.interval_ns / 1000000;
                        h->inflight--;
                        free(p);
                }
                pthread_attr_destroy(&a);
        }
        pthread_mutex_unlock(&h->lock);
}

static void *
scheduler_thread(void *arg)
{
        struct container_health *h = arg;
        for (;;) {
                pthread_mutex_lock(&h->lock);
                bool stop = h->stop;
                pthread_mutex_unlock(&h->lock);
                if (stop)
                        return NULL;
                tick(h);
                struct timespec dl;
                clock_gettime(CLOCK_MONOTONIC, &dl);
                dl.tv_nsec += TICK_MS * 1000000L;
                if (dl.tv_nsec >= 1000000000L)
                        dl.tv_sec++, dl.tv_nsec -= 1000000000L;
                pthread_mutex_lock(&h->lock);
                if (!h->stop)
                        (void) pthread_cond_timedwait(&h->cond, &h->lock, &dl);
                pthread_mutex_unlock(&h->lock);
        }
}

int
container_health_open(struct container_runner *r, berth_error_t **err)
{
        struct container_health *h = xzalloc(sizeof(*h));
        pthread_condattr_t ca;

        h->r = r;
        pthread_mutex_init(&h->lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&h->cond, &ca);
        pthread_condattr_destroy(&ca);
        if (pthread_create(&h->thread, NULL, scheduler_thread, h) != 0) {
                pthread_cond_destroy(&h->cond);
                pthread_mutex_destroy(&h->lock);
                free(h);
                return berth_error_new(err, EAGAIN, "cannot start the healthcheck scheduler");
        }
        r->health = h;
        return 0;
}

void
container_health_close(struct container_runner *r)
{
        struct container_health *h = r->health;
        if (h == NULL)
                return;
        pthread_mutex_lock(&h->lock);
        h->stop = true;
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->lock);
        pthread_join(h->thread, NULL);
        pthread_mutex_lock(&h->lock);
        while (h->inflight > 0)
                pthread_cond_wait(&h->cond, &h->lock);
        pthread_mutex_unlock(&h->lock);
        for (struct health_item *it = h->items, *next; it; it = next) {
                next = it->next;
                container_health_settings_done(&it->s);
                free(it->id);
                free(it->started_at);
                free(it);
        }
        pthread_cond_destroy(&h->cond);
        pthread_mutex_destroy(&h->lock);
        free(h);
        r->health = NULL;
}
