/* runtime/container/criu.c: criu's command lines and the files beside its images, built from
 * facts gathered elsewhere; nothing here touches the system. */
#include <config.h>

#include "runtime/container/criu.h"

#include <ctype.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/devices.h"

#ifndef CLONE_NEWTIME
#        define CLONE_NEWTIME 0x00000080
#endif

static const char *const cg_mode_names[] = {
        [CRIU_CG_DEFAULT] = NULL, [CRIU_CG_SOFT] = "soft",     [CRIU_CG_FULL] = "full",
        [CRIU_CG_STRICT] = "strict", [CRIU_CG_IGNORE] = "ignore",
};

/* Go's net.SplitHostPort as runc uses it: "host:port" or "[v6]:port"; no other colon. */
static int
split_host_port(const char *s, char **ret_host, char **ret_port)
{
        const char *colon;
        const char *host;
        size_t hlen;

        if (s[0] == '[') {
                const char *close = strchr(s, ']');
                if (!close || close[1] != ':')
                        return -1;
                host = s + 1;
                hlen = (size_t) (close - host);
                colon = close + 1;
        } else {
                colon = strrchr(s, ':');
                if (!colon || memchr(s, ':', (size_t) (colon - s)))
                        return -1;
                host = s;
                hlen = (size_t) (colon - s);
        }
        if (strchr(colon + 1, ':') || strchr(colon + 1, '[') || strchr(colon + 1, ']'))
                return -1;
        *ret_host = xstrndup(host, hlen);
        *ret_port = xstrdup(colon + 1);
        return 0;
}

static bool
all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++) {
                if (!isdigit((unsigned char) *s))
                        return false;
        }
        return true;
}

void
criu_settings_done(struct criu_settings *s)
{
        free(s->ps_address);
        free(s->ps_port);
        memset(s, 0, sizeof(*s));
}

int
criu_flags_check(const struct criu_flags *f, struct criu_settings *ret, berth_error_t **err)
{
        struct criu_settings s = {0};

        /* runc's order: the image paths, the page server, the cgroups mode, the empty
         * namespaces (checkpoint.go, restore.go). */
        if (f->parent_path && f->parent_path[0] == '/')
                return berth_error_new(err, EINVAL, "--parent-path must be relative");
        if (f->page_server && f->page_server[0]) {
                char *host = NULL, *port = NULL;
                if (split_host_port(f->page_server, &host, &port) < 0 || !host[0] || !port[0]) {
                        free(host);
                        free(port);
                        return berth_error_new(err, EINVAL, "Use --page-server ADDRESS:PORT to specify page server");
                }
                if (!all_digits(port) || strlen(port) > 9) {
                        free(host);
                        free(port);
                        return berth_error_new(err, EINVAL, "Invalid port number");
                }
                s.ps_address = host;
                s.ps_port = port;
        }
        if (f->manage_cgroups_mode && f->manage_cgroups_mode[0]) {
                size_t i;
                for (i = 1; i < sizeof(cg_mode_names) / sizeof(cg_mode_names[0]); i++) {
                        if (strcmp(f->manage_cgroups_mode, cg_mode_names[i]) == 0)
                                break;
                }
                if (i == sizeof(cg_mode_names) / sizeof(cg_mode_names[0])) {
                        criu_settings_done(&s);
                        return berth_error_new(err, EINVAL, "Invalid manage cgroups mode");
                }
                s.cg_mode = (enum criu_cg_mode) i;
        }
        /* runc maps any namespace name to its clone flag and lets criu refuse what it cannot
         * do; criu makes only the network namespace empty (`--empty-ns net`; its RPC refuses
         * other bits too), and runc asks for that one anyway: refuse the others here, with
         * runc's words for a name it does not know. */
        strv_foreach(ns, f->empty_ns)
        {
                if (strcmp(ns, "network") != 0) {
                        criu_settings_done(&s);
                        return berth_error_new(err, EINVAL, "namespace \"%s\" is not supported", ns);
                }
        }
        *ret = s;
        return 0;
}

static void
mounts_add(struct criu_ext_mount **v, size_t *n, const char *key, const char *value)
{
        /* /dev/null both masks files and is a device: say it once. */
        for (size_t i = 0; i < *n; i++) {
                if (strcmp((*v)[i].key, key) == 0 && strcmp((*v)[i].value, value) == 0)
                        return;
        }
        *v = xreallocarray(*v, *n + 1, sizeof(**v));
        (*v)[*n].key = xstrdup(key);
        (*v)[*n].value = xstrdup(value);
        (*n)++;
}

void
criu_ext_mounts_free(struct criu_ext_mount *m, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(m[i].key);
                free(m[i].value);
        }
        free(m);
}

static bool
has_new_ns(const struct spec *spec, int type)
{
        const struct spec_namespace *ns = spec_find_namespace(spec, type);
        return ns && !ns->path;
}

/* The binds berth makes for a "cgroup" mount (runtime/linux/mounts.c mount_cgroup): none when it
 * is cgroup2 itself, one of the container's directory on a unified host, else one per hierarchy
 * under a tmpfs, named after the hierarchy's mount point. */
static void
cgroup_binds(const struct spec *spec, const struct criu_mount_facts *f, const char *dest,
             enum criu_action action, struct criu_ext_mount **v, size_t *n)
{
        size_t ndirs = strv_length(f->cgroup_dirs);

        if (ndirs == 1 && strncmp(f->cgroup_dirs[0], "/sys/fs/cgroup/", 15) == 0 && f->unified_host) {
                if (has_new_ns(spec, CLONE_NEWCGROUP))
                        return;
                mounts_add(v, n, dest, action == CRIU_DUMP ? dest : f->cgroup_dirs[0]);
                return;
        }
        strv_foreach(dir, f->cgroup_dirs)
        {
                const char *rest, *slash;
                cleanup_free char *name = NULL;
                cleanup_free char *key = NULL;

                if (strncmp(dir, "/sys/fs/cgroup/", 15) != 0)
                        continue;
                rest = dir + 15;
                slash = strchr(rest, '/');
                name = slash ? xstrndup(rest, (size_t) (slash - rest)) : xstrdup(rest);
                key = xasprintf("%s%s%s", dest, dest[strlen(dest) - 1] == '/' ? "" : "/", name);
                mounts_add(v, n, key, action == CRIU_DUMP ? key : dir);
        }
}

void
criu_ext_mounts_build(const struct spec *spec, const struct criu_mount_facts *f,
                      enum criu_action action, struct criu_ext_mount **ret, size_t *ret_n)
{
        struct criu_ext_mount *v = NULL;
        size_t n = 0;

        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct spec_mount *m = &spec->mounts[i];
                const char *dest = f->dests && f->dests[i] ? f->dests[i] : m->destination;

                if (m->flags & MS_BIND) {
                        cleanup_free char *src = NULL;
                        if (action == CRIU_DUMP) {
                                mounts_add(&v, &n, dest, dest);
                                continue;
                        }
                        src = m->source[0] == '/' || !f->bundle ? xstrdup(m->source)
                                                                : xasprintf("%s/%s", f->bundle, m->source);
                        mounts_add(&v, &n, dest, src);
                } else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0) {
                        cgroup_binds(spec, f, dest, action, &v, &n);
                }
        }
        /* A masked file is a bind of /dev/null: on dump each is named "/dev/null", so on restore
         * that one name is bound from the host's /dev/null (runc). */
        if (action == CRIU_DUMP) {
                strv_foreach(p, f->masked_files) mounts_add(&v, &n, p, "/dev/null");
        } else if (spec->linux.masked_paths && spec->linux.masked_paths[0]) {
                mounts_add(&v, &n, "/dev/null", "/dev/null");
        }
        /* Device nodes are binds from the host in a user namespace (runtime/linux/devices.c). */
        if (devices_setup_needed(spec)) {
                for (size_t i = 0; devices_default_path(i); i++) {
                        const char *p = devices_default_path(i);
                        bool overridden = false;
                        for (size_t j = 0; j < spec->linux.n_devices; j++)
                                overridden |= strcmp(spec->linux.devices[j].path, p) == 0;
                        if (!overridden)
                                mounts_add(&v, &n, p, p);
                }
        }
        for (size_t j = 0; j < spec->linux.n_devices; j++)
                mounts_add(&v, &n, spec->linux.devices[j].path, spec->linux.devices[j].path);
        /* /dev/console is a bind of the terminal in the container's devpts, which criu cannot
         * recreate with that terminal external: name it, and bind the new one there (LXC). */
        if (f->console) {
                if (action == CRIU_DUMP)
                        mounts_add(&v, &n, "/dev/console", "console");
                else if (f->console_path)
                        mounts_add(&v, &n, "console", f->console_path);
        }
        *ret = v;
        *ret_n = n;
}

static void
push2(char ***v, const char *a, const char *b)
{
        strv_push(v, a);
        strv_push(v, b);
}

static void
push_fmt(char ***v, const char *opt, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
push_fmt(char ***v, const char *opt, const char *fmt, ...)
{
        va_list ap;
        char *s;

        va_start(ap, fmt);
        s = xvasprintf(fmt, ap);
        va_end(ap);
        if (opt)
                strv_push(v, opt);
        strv_push(v, s);
        free(s);
}

/* The options a dump and a restore share, in the order runc's RPC request lists them. */
static void
push_common(char ***v, const struct criu_flags *f, const struct criu_settings *s, const char *log,
            const char *image_dir, const char *root)
{
        push2(v, "-D", image_dir);
        if (f->work_path && f->work_path[0])
                push2(v, "-W", f->work_path);
        /* Relative to the work directory, as runc's LogFile. */
        push2(v, "-o", log);
        strv_push(v, "-v4");
        push2(v, "--root", root);
        if (s->cg_mode == CRIU_CG_DEFAULT)
                strv_push(v, "--manage-cgroups");
        else
                /* The mode is an optional argument: only "--opt=value" reaches criu. */
                push_fmt(v, NULL, "--manage-cgroups=%s", cg_mode_names[s->cg_mode]);
}

/* runc asks every dump and restore for an empty network namespace: it does not manage network
 * devices (checkpoint.go), and --empty-ns only ever adds to that. */
static void
push_flags(char ***v, const struct criu_flags *f)
{
        push2(v, "--empty-ns", "net");
        if (f->tcp_established)
                strv_push(v, "--tcp-established");
        if (f->ext_unix_sk)
                strv_push(v, "--ext-unix-sk");
        if (f->shell_job)
                strv_push(v, "--shell-job");
        if (f->file_locks)
                strv_push(v, "--file-locks");
        if (f->auto_dedup)
                strv_push(v, "--auto-dedup");
        if (f->lazy_pages)
                strv_push(v, "--lazy-pages");
}

static void
push_mounts(char ***v, const struct criu_ext_mount *m, size_t n)
{
        for (size_t i = 0; i < n; i++)
                push_fmt(v, "--external", "mnt[%s]:%s", m[i].key, m[i].value);
}

char **
criu_dump_argv_build(const struct criu_dump_plan *p)
{
        const struct criu_flags *f = p->flags;
        char **v = NULL;

        strv_push(&v, f->pre_dump ? "pre-dump" : "dump");
        push_fmt(&v, "-t", "%d", (int) p->pid);
        push_common(&v, f, p->settings, "dump.log", p->image_dir, p->rootfs);
        if (p->freezer_dir)
                push2(&v, "--freeze-cgroup", p->freezer_dir);
        push_flags(&v, f);
        /* A pre-dump always leaves the processes running. */
        if (f->leave_running && !f->pre_dump)
                strv_push(&v, "--leave-running");
        if (f->lazy_pages && p->status_fd >= 0)
                push_fmt(&v, "--status-fd", "%d", p->status_fd);
        if (p->settings->ps_address) {
                strv_push(&v, "--page-server");
                push2(&v, "--address", p->settings->ps_address);
                push2(&v, "--port", p->settings->ps_port);
        }
        /* Memory tracking is what a pre-dump is for, and what a dump on top of one needs. */
        if (f->pre_dump || (f->parent_path && f->parent_path[0]))
                strv_push(&v, "--track-mem");
        if (f->parent_path && f->parent_path[0])
                push2(&v, "--prev-images-dir", f->parent_path);
        if (p->config_file)
                push2(&v, "--config", p->config_file);
        /* Joined namespaces are not the container's to dump: criu records them under a fixed
         * name and a restore hands in the same namespace (runc's extRoot<Type>NS keys). */
        if (p->netns_inode)
                push_fmt(&v, "--external", "net[%llu]:extRootNetNS", p->netns_inode);
        if (p->pidns_inode)
                push_fmt(&v, "--external", "pid[%llu]:extRootPidNS", p->pidns_inode);
        if (!f->pre_dump) {
                push_mounts(&v, p->mounts, p->n_mounts);
                if (p->tty_key)
                        push2(&v, "--external", p->tty_key);
        }
        return v;
}

char **
criu_restore_argv_build(const struct criu_restore_plan *p)
{
        const struct criu_flags *f = p->flags;
        char **v = NULL;

        strv_push(&v, "restore");
        push_common(&v, f, p->settings, "restore.log", p->image_dir, p->root);
        /* criu returns once the tree runs, and the restored init is our child, not criu's: the
         * caller can wait for it as for a container it created (runc's RstSibling). */
        strv_push(&v, "--restore-detached");
        strv_push(&v, "--restore-sibling");
        push2(&v, "--pidfile", p->pidfile);
        strv_push(&v, "--evasive-devices");
        strv_foreach(cg, p->cgroup_roots) push2(&v, "--cgroup-root", cg);
        push_flags(&v, f);
        if (f->lsm_profile && f->lsm_profile[0])
                push2(&v, "--lsm-profile", f->lsm_profile);
        if (f->lsm_mount_context && f->lsm_mount_context[0])
                push2(&v, "--lsm-mount-context", f->lsm_mount_context);
        if (p->config_file)
                push2(&v, "--config", p->config_file);
        if (p->netns_fd >= 0)
                push_fmt(&v, "--inherit-fd", "fd[%d]:extRootNetNS", p->netns_fd);
        if (p->pidns_fd >= 0)
                push_fmt(&v, "--inherit-fd", "fd[%d]:extRootPidNS", p->pidns_fd);
        strv_foreach(j, p->join_ns) push2(&v, "--join-ns", j);
        push_mounts(&v, p->mounts, p->n_mounts);
        /* A pipe the dumped init had on fd I is the pipe on criu's fd I, which is ours: the
         * caller's new stdio (runc passes only pipes; files and terminals have paths). */
        for (size_t i = 0; p->descriptors && p->descriptors[i]; i++) {
                if (strstr(p->descriptors[i], "pipe:"))
                        push_fmt(&v, "--inherit-fd", "fd[%zu]:%s", i, p->descriptors[i]);
        }
        if (p->tty_key)
                push_fmt(&v, "--inherit-fd", "fd[%d]:%s", p->tty_fd, p->tty_key);
        if (p->action_script)
                push2(&v, "--action-script", p->action_script);
        return v;
}

char **
criu_cgroup_roots_build(const struct cgroup_host *host, char *const *dirs)
{
        char **v = NULL;

        for (size_t i = 0; i < host->n && dirs && dirs[i]; i++) {
                const struct cgroup_hierarchy *h = &host->h[i];
                size_t ml = strlen(h->mountpoint);
                const char *rel;

                if (strncmp(dirs[i], h->mountpoint, ml) != 0 || (dirs[i][ml] != '/' && dirs[i][ml] != '\0'))
                        continue;
                rel = dirs[i][ml] ? dirs[i] + ml : "/";
                if (h->v2 || !h->controllers[0])
                        strv_push(&v, rel);
                else
                        push_fmt(&v, NULL, "%s:%s", h->controllers, rel);
        }
        return v;
}

int
criu_join_ns_build(const struct spec *spec, char ***ret, berth_error_t **err)
{
        cleanup_strv char **v = NULL;

        for (size_t i = 0; i < spec->linux.n_namespaces; i++) {
                const struct spec_namespace *ns = &spec->linux.namespaces[i];
                const char *name;

                if (!ns->path || ns->type == CLONE_NEWNET || ns->type == CLONE_NEWPID)
                        continue;
                switch (ns->type) {
                case CLONE_NEWNS:
                        name = "mnt";
                        break;
                case CLONE_NEWIPC:
                        name = "ipc";
                        break;
                case CLONE_NEWUTS:
                        name = "uts";
                        break;
                case CLONE_NEWUSER:
                        name = "user";
                        break;
                case CLONE_NEWTIME:
                        name = "time";
                        break;
                default:
                        /* criu has no way to join a cgroup namespace (runc refuses too). */
                        return berth_error_new(err, EOPNOTSUPP,
                                               "config.json: linux.namespaces[%zu]: criu cannot restore into an existing %s namespace",
                                               i, spec_namespace_name(ns->type));
                }
                push_fmt(&v, NULL, "%s:%s", name, ns->path);
        }
        *ret = TAKE_PTR(v);
        return 0;
}

char *
criu_descriptors_format(char *const *fds)
{
        cleanup_json struct json_object *a = json_object_new_array();

        strv_foreach(s, fds) json_object_array_add(a, json_object_new_string(s));
        return xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

int
criu_descriptors_parse(const char *text, size_t len, char ***ret, berth_error_t **err)
{
        cleanup_json struct json_object *a = NULL;
        cleanup_strv char **v = NULL;
        size_t n;
        int r;

        r = json_parse_buffer(text, len, &a, err);
        if (r < 0)
                return r;
        if (!json_object_is_type(a, json_type_array))
                return berth_error_new(err, EINVAL, "expected an array of strings, got %s", json_type_word(a));
        n = json_object_array_length(a);
        for (size_t i = 0; i < n; i++) {
                const char *s;
                r = json_value_string(json_object_array_get_idx(a, i), JPATH_IDX(NULL, i), &s, err);
                if (r < 0)
                        return r;
                strv_push(&v, s);
        }
        if (!v)
                v = xzalloc(sizeof(char *));
        *ret = TAKE_PTR(v);
        return 0;
}

char *
criu_tty_key(unsigned long long rdev, unsigned long long dev)
{
        return xasprintf("tty[%llx:%llx]", rdev, dev);
}

static bool
ends_with(const char *s, size_t len, const char *suffix)
{
        size_t sl = strlen(suffix);
        return len >= sl && memcmp(s + len - sl, suffix, sl) == 0;
}

char *
criu_log_error_line(const char *log)
{
        const char *best = NULL;
        size_t best_len = 0;

        for (const char *line = log; line && *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t) (end - line) : strlen(line);
                const char *text = line;
                size_t tlen = len;

                /* "(00.014792) Error (criu/vdso.c:381): ..." */
                if (tlen && text[0] == '(') {
                        const char *close = memchr(text, ')', tlen);
                        if (close) {
                                tlen -= (size_t) (close + 1 - text);
                                text = close + 1;
                                while (tlen && *text == ' ') {
                                        text++;
                                        tlen--;
                                }
                        }
                }
                while (tlen && (text[tlen - 1] == ' ' || text[tlen - 1] == '\r'))
                        tlen--;
                if (tlen >= 7 && strncmp(text, "Error (", 7) == 0 && !ends_with(text, tlen, "Dumping FAILED.")
                    && !ends_with(text, tlen, "Restoring FAILED.") && !ends_with(text, tlen, "Pre-dumping FAILED.")) {
                        best = text;
                        best_len = tlen;
                }
                line = end ? end + 1 : NULL;
        }
        return best ? xstrndup(best, best_len) : NULL;
}

char *
criu_notify_format(const char *action, pid_t pid)
{
        return xasprintf("%s %d", action, (int) pid);
}

int
criu_notify_parse(const char *msg, char **ret_action, pid_t *ret_pid, berth_error_t **err)
{
        const char *sp = strchr(msg, ' ');
        char *end;
        long pid;

        if (!sp || sp == msg)
                return berth_error_new(err, EPROTO, "criu action script: bad message \"%s\"", msg);
        pid = strtol(sp + 1, &end, 10);
        if (!sp[1] || *end || pid < 0 || pid > INT32_MAX)
                return berth_error_new(err, EPROTO, "criu action script: bad message \"%s\"", msg);
        *ret_action = xstrndup(msg, (size_t) (sp - msg));
        *ret_pid = (pid_t) pid;
        return 0;
}
