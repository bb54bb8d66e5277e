/* runtime/linux/cgroup_exec.c: the cgroup an exec'd process joins; see cgroup_exec.h. */
#include <config.h>

#include "runtime/linux/cgroup_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/cgroup_join.h"

void
cgroup_subs_done(struct cgroup_subs *subs)
{
        for (size_t i = 0; i < subs->n; i++) {
                free(subs->s[i].controller);
                free(subs->s[i].path);
        }
        free(subs->s);
        subs->s = NULL;
        subs->n = 0;
}

static bool
path_has_dotdot(const char *p)
{
        for (const char *c = p; c && *c;) {
                const char *slash = strchr(c, '/');
                size_t len = slash ? (size_t) (slash - c) : strlen(c);
                if (len == 2 && c[0] == '.' && c[1] == '.')
                        return true;
                c = slash ? slash + 1 : NULL;
        }
        return false;
}

static void
subs_add(struct cgroup_subs *subs, const char *controller, size_t clen, const char *path)
{
        subs->s = xreallocarray(subs->s, subs->n + 1, sizeof(*subs->s));
        subs->s[subs->n++] = (struct cgroup_sub){
                .controller = controller ? xstrndup(controller, clen) : NULL,
                .path = xstrdup(path),
        };
}

static int
subs_parse_one(const char *arg, size_t n_args, struct cgroup_subs *subs, berth_error_t **err)
{
        const char *colon = strchr(arg, ':');
        const char *path = colon ? colon + 1 : arg;

        if (colon && strchr(path, ':'))
                return berth_error_new(err, EINVAL, "invalid --cgroup argument: %s", arg);
        if (path_has_dotdot(path))
                return berth_error_new(err, EINVAL, "invalid --cgroup argument: %s (\"..\" is not allowed)", arg);
        if (!colon) {
                if (n_args != 1)
                        return berth_error_new(err, EINVAL, "invalid --cgroup argument: %s (missing <controller>: prefix)", arg);
                subs_add(subs, NULL, 0, path);
                return 0;
        }
        for (const char *c = arg; c <= colon;) {
                const char *end = memchr(c, ',', (size_t) (colon - c));
                size_t len = end ? (size_t) (end - c) : (size_t) (colon - c);
                if (len == 0)
                        return berth_error_new(err, EINVAL, "invalid --cgroup argument: %s (empty <controller> prefix)", arg);
                for (size_t i = 0; i < subs->n; i++)
                        if (subs->s[i].controller && strlen(subs->s[i].controller) == len &&
                            strncmp(subs->s[i].controller, c, len) == 0)
                                return berth_error_new(err, EINVAL,
                                                       "invalid --cgroup argument(s): controller %.*s specified multiple times",
                                                       (int) len, c);
                subs_add(subs, c, len, path);
                c += len + 1;
        }
        return 0;
}

int
cgroup_subs_parse(char *const *args, struct cgroup_subs *ret, berth_error_t **err)
{
        struct cgroup_subs subs = {0};
        size_t n = strv_length(args);

        for (size_t i = 0; i < n; i++) {
                int r = subs_parse_one(args[i], n, &subs, err);
                if (r < 0) {
                        cgroup_subs_done(&subs);
                        return r;
                }
        }
        *ret = subs;
        return 0;
}

static bool
list_has(const char *list, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = list; p && *p;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t) (comma - p) : strlen(p);
                if (len == n && strncmp(p, name, n) == 0)
                        return true;
                p = comma ? comma + 1 : NULL;
        }
        return false;
}

int
cgroup_exec_dirs(const struct cgroup_host *host, char *const *dirs,
                 const struct cgroup_subs *subs, char ***ret_dirs, berth_error_t **err)
{
        cleanup_strv char **out = NULL;
        const char *all = NULL;

        for (size_t i = 0; i < subs->n; i++) {
                const struct cgroup_sub *s = &subs->s[i];
                bool found = false;
                if (!s->controller) {
                        all = s->path;
                        continue;
                }
                if (host->layout == CGROUP_LAYOUT_UNIFIED)
                        return berth_error_new(err, EINVAL,
                                               "invalid --cgroup argument: %s:%s (a <controller>: prefix needs cgroup v1)",
                                               s->controller, s->path);
                for (char *const *d = dirs; d && *d; d++) {
                        const struct cgroup_hierarchy *h = cgroup_hierarchy_of(host, *d);
                        if (h && !h->v2 && list_has(h->controllers, s->controller))
                                found = true;
                }
                if (!found)
                        return berth_error_new(err, ENOENT, "--cgroup: the container has no cgroup for controller \"%s\"",
                                               s->controller);
        }
        for (char *const *d = dirs; d && *d; d++) {
                const struct cgroup_hierarchy *h = cgroup_hierarchy_of(host, *d);
                const char *sub = all;
                const char *named = NULL;
                for (size_t i = 0; h && !h->v2 && i < subs->n; i++) {
                        const struct cgroup_sub *s = &subs->s[i];
                        if (!s->controller || !list_has(h->controllers, s->controller))
                                continue;
                        if (named && strcmp(named, s->path) != 0)
                                return berth_error_new(err, EINVAL,
                                                       "invalid --cgroup argument(s): controllers sharing the hierarchy \"%s\" get different paths",
                                                       h->controllers);
                        named = s->path;
                }
                if (named)
                        sub = named;
                while (sub && *sub == '/')
                        sub++;
                if (sub && *sub) {
                        cleanup_free char *full = xasprintf("%s/%s", *d, sub);
                        strv_push(&out, full);
                } else
                        strv_push(&out, *d);
        }
        *ret_dirs = TAKE_PTR(out);
        return 0;
}

/* The v2 cgroup of PID, as a directory under the cgroup2 mountpoint MNT. */
static char *
v2_dir_of(const char *mnt, pid_t pid)
{
        cleanup_free char *path = xasprintf("/proc/%d/cgroup", (int) pid);
        cleanup_free char *text = NULL;
        cleanup_error berth_error_t *ignored = NULL;

        /* A vanished init only costs the fallback: the caller reports the first error. */
        if (fs_read_file(AT_FDCWD, path, &text, NULL, &ignored) < 0)
                return NULL;
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                if (strncmp(line, "0::", 3) == 0)
                        return xasprintf("%s%s", mnt, strcmp(line + 3, "/") == 0 ? "" : line + 3);
                line = nl ? nl + 1 : NULL;
        }
        return NULL;
}

int
cgroup_exec_check(char *const *dirs, berth_error_t **err)
{
        for (char *const *d = dirs; d && *d; d++) {
                struct stat st;
                if (stat(*d, &st) < 0 || !S_ISDIR(st.st_mode))
                        return berth_error_sys(err, errno ? errno : ENOTDIR, "--cgroup: cgroup \"%s\"", *d);
        }
        return 0;
}

int
cgroup_exec_enter(const struct cgroup_host *host, char *const *dirs, bool sub_asked,
                  pid_t init_pid, pid_t pid, berth_error_t **err)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid);

        for (char *const *d = dirs; d && *d; d++) {
                cleanup_free char *procs = xasprintf("%s/cgroup.procs", *d);
                const struct cgroup_hierarchy *h = cgroup_hierarchy_of(host, *d);
                int r = fs_write_file(AT_FDCWD, procs, buf, (size_t) n, err);
                if (r == 0)
                        continue;
                if (!h || !h->v2 || sub_asked || (r != -EBUSY && r != -EOPNOTSUPP))
                        return r;
                cleanup_free char *init_dir = v2_dir_of(h->mountpoint, init_pid);
                if (!init_dir)
                        return r;
                cleanup_free char *init_procs = xasprintf("%s/cgroup.procs", init_dir);
                cleanup_error berth_error_t *first = TAKE_PTR(*err);
                r = fs_write_file(AT_FDCWD, init_procs, buf, (size_t) n, err);
                if (r < 0) {
                        /* The first failure is the one that explains. */
                        berth_error_free(*err);
                        *err = TAKE_PTR(first);
                        return r;
                }
        }
        return 0;
}
