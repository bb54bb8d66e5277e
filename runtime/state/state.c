/* runtime/state/state.c: state.json (written atomically) and container status. */
#include <config.h>

#include "runtime/state/state.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

const char *
state_status_name(enum container_status s)
{
        static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
        return names[s];
}

void
state_done(struct container_state *s)
{
        free(s->id);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        free(s->oci_version);
        strv_free(s->annotations);
        strv_free(s->cgroup_dirs);
        strv_free(s->stdio);
        if (s->hooks)
                json_object_put(s->hooks);
        memset(s, 0, sizeof(*s));
}

static struct json_object *
strv_to_array(char *const *v)
{
        struct json_object *a = json_object_new_array();
        strv_foreach(s, v) json_object_array_add(a, json_object_new_string(s));
        return a;
}

static struct json_object *
pairs_to_object(char *const *v)
{
        struct json_object *o = json_object_new_object();
        for (size_t i = 0; v && v[i] && v[i + 1]; i += 2)
                json_object_object_add(o, v[i], json_object_new_string(v[i + 1]));
        return o;
}

int
state_write(const char *dir, const struct container_state *s, berth_error_t **err)
{
        cleanup_json struct json_object *o = json_object_new_object();
        cleanup_free char *path = xasprintf("%s/state.json", dir);
        const char *text;

        json_object_object_add(o, "id", json_object_new_string(s->id));
        json_object_object_add(o, "pid", json_object_new_int(s->pid));
        json_object_object_add(o, "pidStartTime", json_object_new_uint64(s->start_time));
        json_object_object_add(o, "bundle", json_object_new_string(s->bundle));
        json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs));
        json_object_object_add(o, "created", json_object_new_string(s->created));
        json_object_object_add(o, "ociVersion", json_object_new_string(s->oci_version));
        json_object_object_add(o, "annotations", pairs_to_object(s->annotations));
        json_object_object_add(o, "cgroupDirs", strv_to_array(s->cgroup_dirs));
        json_object_object_add(o, "systemdCgroup", json_object_new_boolean(s->systemd_cgroup));
        json_object_object_add(o, "ownPidNamespace", json_object_new_boolean(s->own_pidns));
        if (s->hooks)
                json_object_object_add(o, "hooks", json_object_get(s->hooks));
        if (s->stdio)
                json_object_object_add(o, "externalDescriptors", strv_to_array(s->stdio));
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        /* Atomic, not durable: a process crash never leaves a torn file, and after a machine
         * crash every container this describes is gone anyway (runc does not fsync either). */
        return fs_replace_file(AT_FDCWD, path, text, strlen(text), 0600, err);
}

int
state_read(const char *dir, struct container_state *s, berth_error_t **err)
{
        cleanup_free char *path = xasprintf("%s/state.json", dir);
        cleanup_json struct json_object *o = NULL;
        cleanup_free char *buf = NULL;
        struct json_object *v = NULL;
        size_t len = 0;
        const char *str;
        int64_t n;
        uint64_t u;
        int r;

        memset(s, 0, sizeof(*s));
        r = fs_read_file(AT_FDCWD, path, &buf, &len, err);
        if (r < 0)
                return r; /* the message names the path already */
        r = json_parse_buffer(buf, len, &o, err);
        if (r < 0)
                return berth_error_prefix(err, "%s", path);
#define GETS(key, field)                                                                           \
        do {                                                                                       \
                str = NULL;                                                                        \
                if ((r = json_get_string(o, NULL, key, &str, err)) < 0)                            \
                        goto bad;                                                                  \
                s->field = xstrdup(str ? str : "");                                                \
        } while (0)
        GETS("id", id);
        GETS("bundle", bundle);
        GETS("rootfs", rootfs);
        GETS("created", created);
        GETS("ociVersion", oci_version);
#undef GETS
        if ((r = json_get_int_range(o, NULL, "pid", 0, INT32_MAX, &n, err)) < 0)
                goto bad;
        s->pid = r ? (pid_t) n : 0;
        if ((r = json_get_uint64(o, NULL, "pidStartTime", &u, err)) < 0)
                goto bad;
        s->start_time = r ? u : 0;
        if ((r = json_get_strv(o, NULL, "cgroupDirs", &s->cgroup_dirs, err)) < 0)
                goto bad;
        if ((r = json_get_strv(o, NULL, "externalDescriptors", &s->stdio, err)) < 0)
                goto bad;
        if ((r = json_get_bool(o, NULL, "systemdCgroup", &s->systemd_cgroup, err)) < 0)
                goto bad;
        if ((r = json_get_bool(o, NULL, "ownPidNamespace", &s->own_pidns, err)) < 0)
                goto bad;
        if (json_get_object(o, NULL, "annotations", &v, NULL) > 0) {
                json_object_object_foreach(v, k, val)
                {
                        if (json_object_is_type(val, json_type_string)) {
                                strv_push(&s->annotations, k);
                                strv_push(&s->annotations, json_object_get_string(val));
                        }
                }
        }
        v = NULL;
        if (json_get_object(o, NULL, "hooks", &v, NULL) > 0)
                s->hooks = json_object_get(v);
        return 0;
bad:
        state_done(s);
        return berth_error_prefix(err, "%s", path);
}

char **
state_stdio_targets(pid_t pid)
{
        char **v = NULL;

        for (int fd = 0; fd < 3; fd++) {
                char path[64], target[4096];
                ssize_t n;

                snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int) pid, fd);
                n = readlink(path, target, sizeof(target) - 1);
                target[n > 0 ? n : 0] = '\0';
                strv_push(&v, target);
        }
        return v;
}

unsigned long long
state_pid_start_time(pid_t pid)
{
        char path[64], buf[1024];
        cleanup_close int fd = -1;
        ssize_t n;
        char *p;
        unsigned long long v = 0;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        /* comm may hold spaces and parentheses: fields start after the last ')'. */
        p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return 0;
        p += 2; /* field 3, state */
        for (int field = 3; field < 22 && p; field++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        if (p)
                v = strtoull(p, NULL, 10);
        return v;
}

static char
pid_state_letter(pid_t pid)
{
        char path[64], buf[512];
        cleanup_close int fd = -1;
        ssize_t n;
        char *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        p = strrchr(buf, ')');
        return p && p[1] == ' ' ? p[2] : 0;
}

bool
state_pid_alive(pid_t pid, unsigned long long start_time)
{
        char st;

        if (pid <= 0)
                return false;
        st = pid_state_letter(pid);
        if (st == 0 || st == 'Z' || st == 'X' || st == 'x')
                return false;
        return start_time == 0 || state_pid_start_time(pid) == start_time;
}

enum container_status
state_status_from(bool alive, bool fifo, bool frozen)
{
        if (!alive)
                return STATUS_STOPPED;
        if (fifo)
                return STATUS_CREATED;
        if (frozen)
                return STATUS_PAUSED;
        return STATUS_RUNNING;
}

static bool
cgroup_frozen(char *const *dirs)
{
        strv_foreach(d, dirs)
        {
                cleanup_free char *p1 = xasprintf("%s/freezer.state", d);
                cleanup_free char *buf = NULL;
                if (fs_read_file(AT_FDCWD, p1, &buf, NULL, NULL) == 0)
                        return strncmp(buf, "FROZEN", 6) == 0;
        }
        strv_foreach(d, dirs)
        {
                cleanup_free char *p2 = xasprintf("%s/cgroup.freeze", d);
                cleanup_free char *buf = NULL;
                if (fs_read_file(AT_FDCWD, p2, &buf, NULL, NULL) == 0)
                        return buf[0] == '1';
        }
        return false;
}

enum container_status
state_status(const char *dir, const struct container_state *s)
{
        cleanup_free char *fifo = xasprintf("%s/exec.fifo", dir);
        bool alive = state_pid_alive(s->pid, s->start_time);

        if (!alive)
                return STATUS_STOPPED;
        return state_status_from(alive, access(fifo, F_OK) == 0, cgroup_frozen(s->cgroup_dirs));
}

struct json_object *
state_to_runc_json(const struct container_state *s, enum container_status st)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "ociVersion", json_object_new_string(s->oci_version));
        json_object_object_add(o, "id", json_object_new_string(s->id));
        json_object_object_add(o, "pid", json_object_new_int(st == STATUS_STOPPED ? 0 : s->pid));
        json_object_object_add(o, "status", json_object_new_string(state_status_name(st)));
        json_object_object_add(o, "bundle", json_object_new_string(s->bundle));
        json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs));
        json_object_object_add(o, "created", json_object_new_string(s->created));
        if (s->annotations)
                json_object_object_add(o, "annotations", pairs_to_object(s->annotations));
        json_object_object_add(o, "owner", json_object_new_string(""));
        return o;
}

char *
state_hook_json(const struct container_state *s, const char *status)
{
        cleanup_json struct json_object *o = json_object_new_object();

        json_object_object_add(o, "ociVersion", json_object_new_string(s->oci_version));
        json_object_object_add(o, "id", json_object_new_string(s->id));
        json_object_object_add(o, "status", json_object_new_string(status));
        /* runtime-spec: pid is required only while created or running; runc omits it after. */
        if (strcmp(status, "stopped") != 0)
                json_object_object_add(o, "pid", json_object_new_int(s->pid));
        json_object_object_add(o, "bundle", json_object_new_string(s->bundle));
        json_object_object_add(o, "annotations", pairs_to_object(s->annotations));
        return xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}
