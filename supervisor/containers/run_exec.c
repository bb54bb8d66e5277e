/* supervisor/containers/run_exec.c: docker's exec instances (run.h, "exec"): records in memory
 * (as dockerd's exec store), the OCI process built from the container's, detached starts
 * through the shim's Exec/Start, exits from TaskExit. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/detach_keys.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/archive.h"
#include "supervisor/containers/run.h"
#include "supervisor/containers/service.h"
#include "supervisor/containers/user.h"
#include "supervisor/events/bus.h"
#include "supervisor/metadata/containers.h"

struct run_exec {
        char *id;
        char *container;
        struct json_object *config; /* the request */
        bool running, started, done;
        int exit_code;
        uint32_t pid;
        struct run_exec *next;
};

static bool
env_key_eq(const char *a, const char *b)
{
        size_t la = strcspn(a, "="), lb = strcspn(b, "=");
        return la == lb && strncmp(a, b, la) == 0;
}

int
container_exec_process_build(struct json_object *process, struct json_object *cfg,
                             const char *passwd, const char *group, char *const *group_add,
                             struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *p = NULL;
        struct json_object *cmd = json_key(cfg, "Cmd"), *env = json_key(cfg, "Env"), *v;
        const char *wd = json_object_get_string(json_key(cfg, "WorkingDir"));
        const char *user = json_object_get_string(json_key(cfg, "User"));

        if (cmd == NULL || !json_object_is_type(cmd, json_type_array)
            || json_object_array_length(cmd) == 0)
                return berth_error_new(err, EINVAL, "No exec command specified");
        if (json_object_deep_copy(process, &p, NULL) < 0 || p == NULL)
                return berth_error_new(err, ENOMEM, "copy the process");
        struct json_object *args = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(cmd); i++)
                json_object_array_add(args, json_object_new_string(json_object_get_string(
                                                    json_object_array_get_idx(cmd, i))));
        json_object_object_add(p, "args", args);
        if (env && json_object_is_type(env, json_type_array)) {
                struct json_object *penv = json_key(p, "env");
                if (penv == NULL) {
                        penv = json_object_new_array();
                        json_object_object_add(p, "env", penv);
                }
                for (size_t i = 0; i < json_object_array_length(env); i++) {
                        const char *e = json_object_get_string(json_object_array_get_idx(env, i));
                        bool replaced = false;
                        if (e == NULL || strchr(e, '=') == NULL)
                                continue;
                        for (size_t k = 0; k < json_object_array_length(penv); k++)
                                if (env_key_eq(json_object_get_string(
                                                       json_object_array_get_idx(penv, k)),
                                               e)) {
                                        json_object_array_put_idx(penv, k,
                                                                  json_object_new_string(e));
                                        replaced = true;
                                }
                        if (!replaced)
                                json_object_array_add(penv, json_object_new_string(e));
                }
        }
        if (wd && *wd)
                json_object_object_add(p, "cwd", json_object_new_string(wd));
        json_object_object_add(
                p, "terminal",
                json_object_new_boolean(json_object_get_boolean(json_key(cfg, "Tty"))));
        if (user && *user) {
                struct container_user u = {0};
                int r = container_user_resolve(user, group_add, passwd, group, &u, err);
                if (r < 0)
                        return r;
                struct json_object *uo = json_object_new_object();
                json_object_object_add(uo, "uid", json_object_new_int64((int64_t) u.uid));
                json_object_object_add(uo, "gid", json_object_new_int64((int64_t) u.gid));
                if (u.n_additional) {
                        struct json_object *g = json_object_new_array();
                        for (size_t i = 0; i < u.n_additional; i++)
                                json_object_array_add(g, json_object_new_int64(u.additional[i]));
                        json_object_object_add(uo, "additionalGids", g);
                }
                container_user_done(&u);
                json_object_object_add(p, "user", uo);
        }
        if (json_object_get_boolean(json_key(cfg, "Privileged"))
            && (v = json_key(p, "capabilities"))) {
                struct json_object *b = json_key(v, "bounding");
                if (b) {
                        struct json_object *c = NULL;
                        if (json_object_deep_copy(b, &c, NULL) == 0)
                                json_object_object_add(v, "effective", c);
                        c = NULL;
                        if (json_object_deep_copy(b, &c, NULL) == 0)
                                json_object_object_add(v, "permitted", c);
                }
        }
        *ret = TAKE_PTR(p);
        return 0;
}

static struct run_exec *
find(struct container_runner *r, const char *id)
{
        for (struct run_exec *x = r->execs; x; x = x->next)
                if (strcmp(x->id, id) == 0)
                        return x;
        return NULL;
}

static char *
new_exec_id(void)
{
        uint8_t b[32];
        char *s = xmalloc(65);
        if (getrandom(b, sizeof(b), 0) != sizeof(b))
                for (size_t i = 0; i < sizeof(b); i++)
                        b[i] = (uint8_t) rand();
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(s + 2 * i, 3, "%02x", b[i]);
        return s;
}

int
container_exec_create(struct container_runner *r, const char *ref, struct json_object *config,
                      char **ret_id, berth_error_t **err)
{
        cleanup_free char *cid = NULL;
        struct task *t;
        struct json_object *cmd = json_key(config, "Cmd");
        int rc;

        rc = metadata_containers_resolve(r->svc->db, ref, &cid, err);
        if (rc < 0)
                return rc;
        if (cmd == NULL || !json_object_is_type(cmd, json_type_array)
            || json_object_array_length(cmd) == 0)
                return berth_error_new(err, EINVAL, "No exec command specified");
        {
                struct detach_keys dk;
                const char *keys = json_object_get_string(json_key(config, "DetachKeys"));
                /* COMPAT(dockerd): an exec's bad keys have a text of their own and no error
                 * type (500), unlike attach's (400 "Invalid detach keys"). */
                if (keys && *keys && detach_keys_parse(keys, &dk, err) < 0) {
                        berth_error_free(TAKE_PTR(*err));
                        return berth_error_new(err, EIO, "Invalid escape keys (%s) provided",
                                               keys);
                }
        }
        t = container_run_task_get(r, cid);
        if (t == NULL)
                return berth_error_new(err, EBUSY, "Container %s is not running", cid);
        container_run_task_put(r, t);
        struct run_exec *x = xzalloc(sizeof(*x));
        x->id = new_exec_id();
        x->container = TAKE_PTR(cid);
        x->config = json_object_get(config);
        pthread_mutex_lock(&r->lock);
        x->next = r->execs;
        r->execs = x;
        pthread_mutex_unlock(&r->lock);
        *ret_id = xstrdup(x->id);
        {
                cleanup_free char *act = NULL;
                struct json_object *args = cmd;
                size_t n = json_object_array_length(args), len = 0;
                for (size_t i = 0; i < n; i++)
                        len += strlen(json_object_get_string(json_object_array_get_idx(args, i))) + 1;
                act = xzalloc(len + 16);
                strcpy(act, "exec_create: ");
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                strcat(act, " ");
                        strcat(act, json_object_get_string(json_object_array_get_idx(args, i)));
                }
                char *attrs[] = {(char *) "execID", x->id, NULL};
                events_publish(r->events, "container", act, x->container, attrs);
        }
        return 0;
}

int
container_exec_start_detached(struct container_runner *r, const char *id, berth_error_t **err)
{
        return container_exec_start_io(r, id, NULL, NULL, err);
}

/* What an exec's User is resolved against, as dockerd's getUser: the container's /etc/passwd and
 * /etc/group from its root filesystem (the overlay alone, read in a child chrooted there, so a
 * symlink the container made stays inside it) and HostConfig.GroupAdd. Nothing is read when
 * the exec names no user; a missing file is NULL (numeric ids still work). */
static int
exec_user_files(struct container_runner *r, const char *cid, struct json_object *cfg,
                char **ret_passwd, char **ret_group, char ***ret_group_add, berth_error_t **err)
{
        static const size_t max = 16 << 20;
        cleanup_json struct json_object *doc = NULL;
        struct container_root root = {0};
        struct json_object *ga;
        const char *user = json_object_get_string(json_key(cfg, "User"));
        size_t len;
        int rc;

        if (user == NULL || *user == '\0')
                return 0;
        rc = container_service_get(r->svc, cid, &doc, err);
        if (rc < 0)
                return rc;
        ga = json_key(json_key(doc, "HostConfig"), "GroupAdd");
        for (size_t i = 0;
             ga && json_object_is_type(ga, json_type_array) && i < json_object_array_length(ga);
             i++) {
                struct json_object *g = json_object_array_get_idx(ga, i);
                if (json_object_is_type(g, json_type_string))
                        strv_push(ret_group_add, json_object_get_string(g));
        }
        rc = container_root_open(r->svc, cid, false, &root, err);
        if (rc < 0)
                return rc;
        for (int i = 0; i < 2; i++) {
                cleanup_error berth_error_t *miss = NULL;
                rc = container_root_read_file(&root, i == 0 ? "/etc/passwd" : "/etc/group", max,
                                              i == 0 ? ret_passwd : ret_group, &len, &miss);
                /* A missing file is no entry at all (runc's GetExecUserPath); other failures
                 * are reported. */
                if (rc < 0 && rc != -ENOENT) {
                        container_root_close(&root);
                        *err = TAKE_PTR(miss);
                        return rc;
                }
        }
        container_root_close(&root);
        return 0;
}

int
container_exec_start_io(struct container_runner *r, const char *id, const struct task_stdio *in,
                        uint32_t *ret_pid, berth_error_t **err)
{
        cleanup_free char *cid = NULL, *spec_path = NULL, *buf = NULL;
        cleanup_free char *passwd = NULL, *group = NULL;
        cleanup_strv char **group_add = NULL;
        cleanup_json struct json_object *spec = NULL, *cfg = NULL, *proc = NULL;
        struct task *t;
        struct task_stdio io = {0};
        uint32_t pid = 0;
        size_t len = 0;
        int rc;

        pthread_mutex_lock(&r->lock);
        struct run_exec *x = find(r, id);
        if (x == NULL) {
                pthread_mutex_unlock(&r->lock);
                return berth_error_new(err, ENOENT, "No such exec instance: %s", id);
        }
        if (x->started) {
                pthread_mutex_unlock(&r->lock);
                return berth_error_new(err, EEXIST, "Error: Exec command %s is already running",
                                       id);
        }
        x->started = true;
        cid = xstrdup(x->container);
        cfg = json_object_get(x->config);
        pthread_mutex_unlock(&r->lock);

        t = container_run_task_get(r, cid);
        if (t == NULL)
                return berth_error_new(err, EBUSY, "Container %s is not running", cid);
        spec_path = xasprintf("%s/containers/%s/config.json", r->svc->exec_root, cid);
        rc = fs_read_file(AT_FDCWD, spec_path, &buf, &len, err);
        if (rc == 0)
                rc = json_parse_buffer(buf, len, &spec, err);
        if (rc == 0)
                rc = exec_user_files(r, cid, cfg, &passwd, &group, &group_add, err);
        if (rc == 0)
                rc = container_exec_process_build(json_key(spec, "process"), cfg, passwd, group,
                                                  group_add, &proc, err);
        /* COMPAT(dockerd): its getUser error carries no type, so a detached start answers it
         * with 500 rather than 400. */
        if (rc == -EINVAL && strncmp((*err)->msg, "unable to find ", 15) == 0) {
                (*err)->code = EIO;
                rc = -EIO;
        }
        if (rc == 0) {
                if (in)
                        io = *in;
                io.terminal = json_object_get_boolean(json_key(cfg, "Tty"));
                rc = task_exec(t, id, &io,
                               json_object_to_json_string_ext(proc, JSON_C_TO_STRING_PLAIN), err);
        }
        if (rc == 0) {
                rc = task_start(t, id, &pid, err);
                if (rc < 0) {
                        cleanup_error berth_error_t *e2 = NULL;
                        (void) task_delete(t, id, NULL, &e2);
                }
        }
        container_run_task_put(r, t);
        if (rc == 0 && ret_pid)
                *ret_pid = pid;
        pthread_mutex_lock(&r->lock);
        x = find(r, id);
        if (x) {
                if (rc == 0) {
                        x->running = !x->done;
                        x->pid = pid;
                } else {
                        x->done = true;
                        x->exit_code = 126;
                }
        }
        pthread_mutex_unlock(&r->lock);
        if (rc < 0) {
                const char *m = strstr((*err)->msg, "exec: \"");
                if (m) {
                        cleanup_free char *msg = xasprintf("OCI runtime exec failed: %s: unknown", m);
                        int code = (*err)->code;
                        berth_error_free(*err), *err = NULL;
                        return berth_error_new(err, code == EINVAL ? EINVAL : EIO, "%s", msg);
                }
                return rc;
        }
        {
                char *attrs[] = {(char *) "execID", (char *) id, NULL};
                cleanup_free char *act = NULL;
                struct json_object *cmd = json_key(cfg, "Cmd");
                size_t n = json_object_array_length(cmd), l = 0;
                for (size_t i = 0; i < n; i++)
                        l += strlen(json_object_get_string(json_object_array_get_idx(cmd, i))) + 1;
                act = xzalloc(l + 16);
                strcpy(act, "exec_start: ");
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                strcat(act, " ");
                        strcat(act, json_object_get_string(json_object_array_get_idx(cmd, i)));
                }
                events_publish(r->events, "container", act, cid, attrs);
        }
        return 0;
}

struct exec_del {
        struct container_runner *r;
        char *container, *exec_id;
};

/* The shim keeps an exited exec until Delete: done off the events thread. */
static void *
delete_thread(void *arg)
{
        struct exec_del *d = arg;
        cleanup_error berth_error_t *err = NULL;
        struct task *t = container_run_task_get(d->r, d->container);
        if (t) {
                (void) task_delete(t, d->exec_id, NULL, &err);
                container_run_task_put(d->r, t);
        }
        pthread_mutex_lock(&d->r->lock);
        d->r->pending--;
        pthread_cond_broadcast(&d->r->cond);
        pthread_mutex_unlock(&d->r->lock);
        free(d->container);
        free(d->exec_id);
        free(d);
        return NULL;
}

void
container_exec_exited(struct container_runner *r, const char *container, const char *exec_id,
                      uint32_t status)
{
        struct exec_del *d;
        pthread_t th;
        pthread_attr_t a;

        pthread_mutex_lock(&r->lock);
        struct run_exec *x = find(r, exec_id);
        if (x) {
                x->running = false;
                x->done = true;
                x->exit_code = (int) status;
        }
        r->pending++;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        {
                char code[16];
                snprintf(code, sizeof(code), "%u", status);
                char *attrs[] = {(char *) "execID", (char *) exec_id, (char *) "exitCode", code,
                                 NULL};
                events_publish(r->events, "container", "exec_die", container, attrs);
        }
        d = xzalloc(sizeof(*d));
        *d = (struct exec_del){.r = r, .container = xstrdup(container), .exec_id = xstrdup(exec_id)};
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &a, delete_thread, d) != 0)
                delete_thread(d);
        pthread_attr_destroy(&a);
}

void
container_exec_container_gone(struct container_runner *r, const char *container)
{
        pthread_mutex_lock(&r->lock);
        for (struct run_exec *x = r->execs; x; x = x->next)
                if (strcmp(x->container, container) == 0 && x->running) {
                        x->running = false;
                        x->done = true;
                        x->exit_code = 137;
                }
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
}

int
container_exec_inspect(struct container_runner *r, const char *id, struct json_object **ret,
                       berth_error_t **err)
{
        struct json_object *o, *pc, *args;
        pthread_mutex_lock(&r->lock);
        struct run_exec *x = find(r, id);
        if (x == NULL) {
                pthread_mutex_unlock(&r->lock);
                return berth_error_new(err, ENOENT, "No such exec instance: %s", id);
        }
        struct json_object *cfg = x->config, *cmd = json_key(cfg, "Cmd");
        o = json_object_new_object();
        json_object_object_add(o, "CanRemove", json_object_new_boolean(false));
        json_object_object_add(o, "ContainerID", json_object_new_string(x->container));
        json_object_object_add(
                o, "DetachKeys",
                json_object_new_string(json_object_get_string(json_key(cfg, "DetachKeys")) ?: ""));
        json_object_object_add(o, "ExitCode",
                               x->done ? json_object_new_int(x->exit_code) : NULL);
        json_object_object_add(o, "ID", json_object_new_string(x->id));
        json_object_object_add(
                o, "OpenStderr",
                json_object_new_boolean(json_object_get_boolean(json_key(cfg, "AttachStderr"))));
        json_object_object_add(
                o, "OpenStdin",
                json_object_new_boolean(json_object_get_boolean(json_key(cfg, "AttachStdin"))));
        json_object_object_add(
                o, "OpenStdout",
                json_object_new_boolean(json_object_get_boolean(json_key(cfg, "AttachStdout"))));
        pc = json_object_new_object();
        args = json_object_new_array();
        for (size_t i = 1; cmd && i < json_object_array_length(cmd); i++)
                json_object_array_add(args, json_object_new_string(json_object_get_string(
                                                    json_object_array_get_idx(cmd, i))));
        json_object_object_add(pc, "arguments", args);
        json_object_object_add(pc, "entrypoint",
                               json_object_new_string(cmd ? json_object_get_string(json_object_array_get_idx(cmd, 0)) : ""));
        json_object_object_add(
                pc, "privileged",
                json_object_new_boolean(json_object_get_boolean(json_key(cfg, "Privileged"))));
        json_object_object_add(
                pc, "tty", json_object_new_boolean(json_object_get_boolean(json_key(cfg, "Tty"))));
        json_object_object_add(
                pc, "user",
                json_object_new_string(json_object_get_string(json_key(cfg, "User")) ?: ""));
        json_object_object_add(o, "ProcessConfig", pc);
        json_object_object_add(o, "Running", json_object_new_boolean(x->running));
        json_object_object_add(o, "Pid", json_object_new_int64(x->pid));
        pthread_mutex_unlock(&r->lock);
        *ret = o;
        return 0;
}

void
container_exec_free_all(struct container_runner *r)
{
        for (struct run_exec *x = r->execs, *next; x; x = next) {
                next = x->next;
                free(x->id);
                free(x->container);
                json_object_put(x->config);
                free(x);
        }
        r->execs = NULL;
}

void
container_exec_forget(struct container_runner *r, const char *id)
{
        pthread_mutex_lock(&r->lock);
        for (struct run_exec **p = &r->execs; *p; p = &(*p)->next)
                if (strcmp((*p)->id, id) == 0) {
                        struct run_exec *x = *p;
                        *p = x->next;
                        free(x->id);
                        free(x->container);
                        json_object_put(x->config);
                        free(x);
                        break;
                }
        pthread_mutex_unlock(&r->lock);
}

bool
container_exec_done(struct container_runner *r, const char *id, int *ret_code)
{
        bool done = true;
        pthread_mutex_lock(&r->lock);
        struct run_exec *x = find(r, id);
        *ret_code = -1;
        if (x) {
                done = x->done;
                *ret_code = x->exit_code;
        }
        pthread_mutex_unlock(&r->lock);
        return done;
}

bool
container_exec_wait_done(struct container_runner *r, const char *id, int64_t timeout_ms,
                         int *ret_code)
{
        struct timespec dl;
        bool done = false;

        container_run_deadline(&dl, timeout_ms);
        *ret_code = -1;
        pthread_mutex_lock(&r->lock);
        for (;;) {
                struct run_exec *x = find(r, id);
                if (!x || x->done) {
                        done = true;
                        if (x)
                                *ret_code = x->exit_code;
                        break;
                }
                if (pthread_cond_timedwait(&r->cond, &r->lock, &dl) == ETIMEDOUT)
                        break;
        }
        pthread_mutex_unlock(&r->lock);
        return done;
}
