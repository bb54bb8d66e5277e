/* runtime/linux/cgroup.c: layout detection and the container's cgroup directories. */
#include <config.h>

#include "runtime/linux/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/device_policy.h"
#include "runtime/linux/devices_bpf.h"

const char *
cgroup_layout_name(enum cgroup_layout l)
{
        switch (l) {
        case CGROUP_LAYOUT_UNIFIED:
                return "unified";
        case CGROUP_LAYOUT_HYBRID:
                return "hybrid";
        case CGROUP_LAYOUT_LEGACY:
                return "legacy";
        }
        return "?";
}

void
cgroup_host_done(struct cgroup_host *host)
{
        for (size_t i = 0; i < host->n; i++) {
                free(host->h[i].mountpoint);
                free(host->h[i].controllers);
                free(host->h[i].own);
        }
        free(host->h);
        host->h = NULL;
        host->n = 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape_octal(const char *s)
{
        char *out = xmalloc(strlen(s) + 1), *p = out;

        while (*s) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
                        *p++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
                        s += 4;
                } else {
                        *p++ = *s++;
                }
        }
        *p = '\0';
        return out;
}

/* The controllers a v1 mount carries, from its super options: "rw,memory" -> "memory". */
static char *
v1_controllers(const char *super_opts)
{
        cleanup_free char *copy = xstrdup(super_opts);
        cleanup_strv char **names = NULL;
        char *save = NULL;

        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (strcmp(tok, "rw") == 0 || strcmp(tok, "ro") == 0 || strcmp(tok, "clone_children") == 0
                    || strncmp(tok, "release_agent=", 14) == 0 || strcmp(tok, "noprefix") == 0
                    || strcmp(tok, "xattr") == 0 || strcmp(tok, "cpuset_v2_mode") == 0)
                        continue;
                strv_push(&names, tok);
        }
        return strv_join(names, ",");
}

/* /proc/self/cgroup: "hierarchy-id:controllers:path"; v2 is "0::path". */
static char *
own_path(const char *self_cgroup, const char *controllers, bool v2)
{
        cleanup_free char *copy = xstrdup(self_cgroup);
        char *save = NULL;

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':'), *c2;
                if (!c1 || !(c2 = strchr(c1 + 1, ':')))
                        continue;
                /* line: the hierarchy id; c1 + 1: its controllers ("" for cgroup2). */
                *c1 = '\0';
                *c2 = '\0';
                if ((v2 && strcmp(line, "0") == 0 && c1[1] == '\0')
                    || (!v2 && strcmp(c1 + 1, controllers) == 0))
                        return xstrdup(c2[1] ? c2 + 1 : "/");
        }
        return xstrdup("/");
}

static void
drop_covered(struct cgroup_host *host, const char *mp)
{
        size_t len = strlen(mp);

        for (size_t i = 0; i < host->n;) {
                const char *h = host->h[i].mountpoint;
                bool covered = strncmp(h, mp, len) == 0 && (h[len] == '\0' || h[len] == '/' || strcmp(mp, "/") == 0);
                if (!covered) {
                        i++;
                        continue;
                }
                free(host->h[i].mountpoint);
                free(host->h[i].controllers);
                free(host->h[i].own);
                memmove(&host->h[i], &host->h[i + 1], (host->n - i - 1) * sizeof(host->h[0]));
                host->n--;
        }
}

int
cgroup_host_parse(const char *mountinfo, const char *self_cgroup, struct cgroup_host *ret,
                  berth_error_t **err)
{
        cleanup_free char *copy = xstrdup(mountinfo);
        char *save = NULL;
        bool any_v1 = false, any_v2 = false;

        memset(ret, 0, sizeof(*ret));
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* id parent major:minor root mountpoint opts [optional...] - fstype source superopts */
                char *fields[6] = {0}, *sep = strstr(line, " - ");
                char *rest, *fstype, *source, *super;
                size_t nf = 0;
                char *s2 = NULL;

                if (!sep)
                        continue;
                *sep = '\0';
                rest = sep + 3;
                for (char *t = strtok_r(line, " ", &s2); t && nf < 6; t = strtok_r(NULL, " ", &s2))
                        fields[nf++] = t;
                if (nf < 5)
                        continue;
                fstype = strtok_r(rest, " ", &s2);
                source = strtok_r(NULL, " ", &s2);
                super = strtok_r(NULL, " ", &s2);
                (void) source;
                /* Any later mount at or above a hierarchy's mountpoint hides it (cgroup2 mounted
                 * over a hybrid /sys/fs/cgroup in a private namespace): forget what it covers. */
                {
                        cleanup_free char *mp = unescape_octal(fields[4]);
                        drop_covered(ret, mp);
                }
                if (!fstype || (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
                        continue;
                /* A bind of a sub-tree (root != "/") is not the hierarchy's own mount. */
                if (strcmp(fields[3], "/") != 0)
                        continue;
                bool v2 = strcmp(fstype, "cgroup2") == 0;
                cleanup_free char *ctrls = v2 ? xstrdup("") : v1_controllers(super ? super : "");
                bool dup = false;
                for (size_t i = 0; i < ret->n; i++) {
                        if (ret->h[i].v2 == v2 && strcmp(ret->h[i].controllers, ctrls) == 0)
                                dup = true;
                }
                if (dup)
                        continue;
                ret->h = xreallocarray(ret->h, ret->n + 1, sizeof(*ret->h));
                ret->h[ret->n] = (struct cgroup_hierarchy){
                        .mountpoint = unescape_octal(fields[4]),
                        .controllers = TAKE_PTR(ctrls),
                        .v2 = v2,
                };
                ret->h[ret->n].own = own_path(self_cgroup, ret->h[ret->n].controllers, v2);
                ret->n++;
        }
        for (size_t i = 0; i < ret->n; i++) {
                if (ret->h[i].v2)
                        any_v2 = true;
                else
                        any_v1 = true;
        }
        if (!any_v1 && !any_v2)
                return berth_error_new(err, ENOENT, "no cgroup filesystem is mounted");
        ret->layout = !any_v1 ? CGROUP_LAYOUT_UNIFIED : any_v2 ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_LEGACY;
        return 0;
}

int
cgroup_host_detect(struct cgroup_host *ret, berth_error_t **err)
{
        cleanup_free char *mi = NULL, *self = NULL;
        int r;

        r = fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, err);
        if (r < 0)
                return r;
        r = fs_read_file(AT_FDCWD, "/proc/self/cgroup", &self, NULL, err);
        if (r < 0)
                return r;
        return cgroup_host_parse(mi, self, ret, err);
}

int
cgroup_container_dir(const struct cgroup_hierarchy *h, enum cgroup_layout layout,
                     const char *cgroups_path, const char *id, char **ret, berth_error_t **err)
{
        const char *p = cgroups_path && cgroups_path[0] ? cgroups_path : id;
        cleanup_free char *copy = xstrdup(p);
        cleanup_strv char **parts = NULL;
        cleanup_free char *joined = NULL;
        cleanup_free char *base = xstrdup(h->own);
        char *save = NULL;

        for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
                if (strcmp(t, "..") == 0)
                        return berth_error_new(err, EINVAL, "cgroupsPath \"%s\": \"..\" is not allowed", p);
                if (strcmp(t, ".") == 0)
                        continue;
                strv_push(&parts, t);
        }
        if (!parts)
                return berth_error_new(err, EINVAL, "cgroupsPath \"%s\" names the root cgroup", p);
        joined = strv_join(parts, "/");
        /* On a unified host the caller's own cgroup holds processes (this one), so no controller
         * could be enabled below it: runc's fs2 driver starts from its parent instead
         * (libcontainer/cgroups/fs2/defaultpath.go). v1 has no such rule. */
        if (h->v2 && layout == CGROUP_LAYOUT_UNIFIED) {
                char *slash = strrchr(base, '/');
                if (slash == base)
                        base[1] = '\0';
                else if (slash)
                        *slash = '\0';
        }
        if (p[0] == '/' || strcmp(base, "/") == 0)
                *ret = xasprintf("%s/%s", h->mountpoint, joined);
        else
                *ret = xasprintf("%s%s/%s", h->mountpoint, base, joined);
        return 0;
}

char **
cgroup_v2_ancestors(const char *mountpoint, const char *dir)
{
        size_t mlen = strlen(mountpoint);
        char **out = NULL;

        if (strncmp(dir, mountpoint, mlen) != 0 || dir[mlen] != '/')
                return NULL;
        strv_push(&out, mountpoint);
        for (const char *p = strchr(dir + mlen + 1, '/'); p; p = strchr(p + 1, '/')) {
                cleanup_free char *level = xstrndup(dir, (size_t) (p - dir));
                strv_push(&out, level);
        }
        return out;
}

/* Is WORD one of the space-separated words of DIR/FILE (cgroup.controllers, cgroup.subtree_control)? */
static bool
file_lists(const char *dir, const char *file, const char *word)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, file);
        cleanup_free char *text = NULL;
        size_t n = strlen(word);

        if (fs_read_file(AT_FDCWD, path, &text, NULL, NULL) < 0)
                return false;
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, " \n");
                if (len == n && strncmp(p, word, n) == 0)
                        return true;
                p += len;
                p += strspn(p, " \n");
        }
        return false;
}

int
cgroup_v2_enable_controllers(const char *mountpoint, const char *dir, char *const *controllers,
                             berth_error_t **err)
{
        cleanup_strv char **levels = cgroup_v2_ancestors(mountpoint, dir);

        strv_foreach(c, controllers)
        {
                cleanup_free char *word = xasprintf("+%s", c);
                strv_foreach(level, levels)
                {
                        cleanup_free char *file = NULL;
                        if (file_lists(level, "cgroup.subtree_control", c))
                                continue;
                        file = xasprintf("%s/cgroup.subtree_control", level);
                        if (fs_write_file(AT_FDCWD, file, word, strlen(word), err) < 0)
                                return berth_error_prefix(err, "enable the %s controller", c);
                }
        }
        return 0;
}

/* Enable every controller of the hierarchy's root in each ancestor of DIR, top down, so that DIR
 * gets them all: runc's fs2 CreateCgroupPath does the same. A controller an ancestor refuses (it
 * holds processes, or the controller is not delegated to it) is left off, also as runc does: a
 * resource that then has no file fails where the plan enables or writes it, naming its JSON path. */
static void
v2_delegate_controllers(const char *mountpoint, const char *dir)
{
        cleanup_free char *root_file = xasprintf("%s/cgroup.controllers", mountpoint);
        cleanup_free char *avail = NULL;
        char *save = NULL;

        if (fs_read_file(AT_FDCWD, root_file, &avail, NULL, NULL) < 0)
                return;
        for (char *t = strtok_r(avail, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                /* Best effort, see above: the error is released. */
                cleanup_error berth_error_t *e = NULL;
                (void) cgroup_v2_enable_controllers(mountpoint, dir, (char *const[]){t, NULL}, &e);
        }
}

/* A new v1 cpuset cgroup starts with no cpus and no mems, and no task may join it until they are
 * set: copy them down from the parent at every level (runc's cpuset ensureParent). */
static int
cpuset_fill(const char *mountpoint, const char *dir, berth_error_t **err)
{
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        size_t mlen = strlen(mountpoint);

        for (const char *p = dir + mlen; p && *p;) {
                const char *next = strchr(p + 1, '/');
                cleanup_free char *level = next ? xstrndup(dir, (size_t) (next - dir)) : xstrdup(dir);
                cleanup_free char *parent = xstrndup(level, (size_t) (strrchr(level, '/') - level));
                for (int i = 0; i < 2; i++) {
                        cleanup_free char *mine = xasprintf("%s/%s", level, files[i]);
                        cleanup_free char *theirs = xasprintf("%s/%s", parent, files[i]);
                        cleanup_free char *cur = NULL;
                        cleanup_free char *val = NULL;
                        int r = fs_read_file(AT_FDCWD, mine, &cur, NULL, err);
                        if (r < 0)
                                return r;
                        if (cur[0] != '\n' && cur[0] != '\0')
                                continue;
                        r = fs_read_file(AT_FDCWD, theirs, &val, NULL, err);
                        if (r < 0)
                                return r;
                        r = fs_write_file(AT_FDCWD, mine, val, strlen(val), err);
                        if (r < 0)
                                return r;
                }
                p = next;
        }
        return 0;
}

int
cgroup_create(const struct cgroup_host *host, const char *cgroups_path, const char *id,
              char ***ret_dirs, berth_error_t **err)
{
        cleanup_strv char **dirs = NULL;
        int r;

        for (size_t i = 0; i < host->n; i++) {
                cleanup_free char *dir = NULL;
                r = cgroup_container_dir(&host->h[i], host->layout, cgroups_path, id, &dir, err);
                if (r < 0)
                        goto fail;
                /* Joining an existing cgroup is allowed (runc does), so EEXIST is fine. */
                r = fs_mkdir_p(dir, 0755, err);
                if (r < 0)
                        goto fail;
                strv_push(&dirs, dir);
                if (host->h[i].v2 && host->layout == CGROUP_LAYOUT_UNIFIED)
                        v2_delegate_controllers(host->h[i].mountpoint, dir);
                if (!host->h[i].v2 && strstr(host->h[i].controllers, "cpuset")) {
                        r = cpuset_fill(host->h[i].mountpoint, dir, err);
                        if (r < 0)
                                goto fail;
                }
        }
        *ret_dirs = TAKE_PTR(dirs);
        return 0;
fail:
        cgroup_destroy(dirs, NULL);
        return r;
}

int
cgroup_enter(char *const *dirs, pid_t pid, berth_error_t **err)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid);

        strv_foreach(d, dirs)
        {
                cleanup_free char *p = xasprintf("%s/cgroup.procs", d);
                int r = fs_write_file(AT_FDCWD, p, buf, (size_t) n, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Remove DIR and, first, every cgroup below it (an exec --cgroup target, or what the
 * container's own processes made), as runc's RemovePath does. */
static int
destroy_tree(const char *dir, berth_error_t **err)
{
        int ret = 0;

        /* Usually nothing is below it and no task is left: one rmdir is all. */
        if (rmdir(dir) == 0 || errno == ENOENT)
                return 0;
        cleanup_dir DIR *dh = opendir(dir);

        for (struct dirent *e; dh && (e = readdir(dh));) {
                if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                cleanup_free char *sub = xasprintf("%s/%s", dir, e->d_name);
                int r = destroy_tree(sub, err);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        if (ret < 0)
                return ret;
        for (int tries = 0;; tries++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || tries >= 200)
                        return berth_error_sys(err, errno, "remove cgroup \"%s\"", dir);
                /* Exited tasks leave the cgroup a moment after they are reaped. */
                nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
        }
}

int
cgroup_destroy(char *const *dirs, berth_error_t **err)
{
        int ret = 0;

        strv_foreach(d, dirs)
        {
                int r = destroy_tree(d, ret == 0 ? err : NULL);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

/* The processes of DIR and of every cgroup below it. */
static int
read_pids(const char *dir, pid_t **pids, size_t *n, berth_error_t **err)
{
        cleanup_free char *p = xasprintf("%s/cgroup.procs", dir);
        cleanup_free char *buf = NULL;
        char *save = NULL;
        int r;

        r = fs_read_file(AT_FDCWD, p, &buf, NULL, err);
        if (r < 0)
                return r;
        for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
                *pids = xreallocarray(*pids, *n + 1, sizeof(pid_t));
                (*pids)[(*n)++] = (pid_t) atoi(t);
        }
        cleanup_dir DIR *dh = opendir(dir);
        for (struct dirent *e; dh && (e = readdir(dh));) {
                if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                cleanup_free char *sub = xasprintf("%s/%s", dir, e->d_name);
                /* A sub-cgroup removed meanwhile has no processes to add. */
                (void) read_pids(sub, pids, n, NULL);
        }
        return 0;
}

int
cgroup_pids(char *const *dirs, pid_t **ret, size_t *ret_n, berth_error_t **err)
{
        /* Every hierarchy holds the same processes; the first that answers will do. */
        int r = -ENOENT;

        strv_foreach(d, dirs)
        {
                pid_t *pids = NULL;
                size_t n = 0;
                r = read_pids(d, &pids, &n, NULL);
                if (r == 0) {
                        *ret = pids;
                        *ret_n = n;
                        return 0;
                }
                free(pids);
        }
        return berth_error_new(err, -r > 0 ? -r : ENOENT, "container has no readable cgroup");
}

static const char *
find_dir_with(char *const *dirs, const char *file)
{
        strv_foreach(d, dirs)
        {
                cleanup_free char *p = xasprintf("%s/%s", d, file);
                if (access(p, F_OK) == 0)
                        return d;
        }
        return NULL;
}

/* Write the freezer and wait until the kernel reports the state reached (v1 passes through
 * FREEZING; v2 reports it in cgroup.events). */
int
cgroup_freeze(char *const *dirs, bool frozen, berth_error_t **err)
{
        for (size_t i = 0; dirs && dirs[i]; i++) {
                cleanup_free char *v1 = xasprintf("%s/freezer.state", dirs[i]);
                cleanup_free char *v2 = xasprintf("%s/cgroup.freeze", dirs[i]);
                const char *file = access(v1, F_OK) == 0 ? v1 : access(v2, F_OK) == 0 ? v2 : NULL;
                bool is_v1 = file == v1;
                int r;

                if (!file)
                        continue;
                r = fs_write_file(AT_FDCWD, file, is_v1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0"),
                                  is_v1 ? 6 : 1, err);
                if (r < 0)
                        return r;
                for (int tries = 0; tries < 1000; tries++) {
                        cleanup_free char *buf = NULL;
                        cleanup_free char *events = is_v1 ? NULL : xasprintf("%s/cgroup.events", dirs[i]);
                        if (fs_read_file(AT_FDCWD, is_v1 ? v1 : events, &buf, NULL, NULL) < 0)
                                break;
                        bool done = is_v1 ? strncmp(buf, frozen ? "FROZEN" : "THAWED", 6) == 0
                                          : strstr(buf, frozen ? "frozen 1" : "frozen 0") != NULL;
                        if (done)
                                return 0;
                        if (is_v1 && frozen && tries % 10 == 9)
                                fs_write_file(AT_FDCWD, v1, "FROZEN", 6, NULL);
                        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
                }
                return berth_error_new(err, ETIMEDOUT, "the cgroup did not %s in time", frozen ? "freeze" : "thaw");
        }
        return berth_error_new(err, ENOTSUP, "this host has no freezer cgroup for the container");
}

int
cgroup_kill_all(char *const *dirs, int sig, berth_error_t **err)
{
        cleanup_free pid_t *pids = NULL;
        size_t n = 0;
        /* Frozen, no process can fork away while we signal; a host without a freezer still gets
         * the signals (runc's signalAllProcesses). Thawing delivers them to a paused container. */
        bool freezer = cgroup_freeze(dirs, true, NULL) != -ENOTSUP;
        int r;

        r = cgroup_pids(dirs, &pids, &n, err);
        if (r == 0) {
                for (size_t i = 0; i < n; i++)
                        kill(pids[i], sig);
        }
        if (freezer)
                cgroup_freeze(dirs, false, NULL);
        return r;
}

static char *
format_device_line(const struct spec_device_rule *d)
{
        char maj[24] = "*", min[24] = "*";

        if (d->type == 'a')
                return xasprintf("%c a", d->allow ? 'a' : 'd');
        if (d->major >= 0)
                snprintf(maj, sizeof(maj), "%lld", (long long) d->major);
        if (d->minor >= 0)
                snprintf(min, sizeof(min), "%lld", (long long) d->minor);
        return xasprintf("%c %c %s:%s %s", d->allow ? 'a' : 'd', d->type, maj, min, d->access);
}

char **
cgroup_v1_device_lines(const struct spec_device_rule *rules, size_t n)
{
        char **lines = NULL;

        for (size_t i = 0; i < n; i++) {
                cleanup_free char *line = format_device_line(&rules[i]);
                strv_push(&lines, line);
        }
        for (size_t i = 0; i < device_default_rules_n; i++) {
                cleanup_free char *line = format_device_line(&device_default_rules[i]);
                strv_push(&lines, line);
        }
        return lines;
}

/* runc: "we usually cannot use bpf(2)" in a user namespace, and a container there cannot reach
 * host devices it could not already reach; it ignores a failed device program there. So does
 * berth. Any uid_map other than the initial namespace's identity map means one. */
static bool
running_in_userns(void)
{
        cleanup_free char *map = NULL;
        unsigned long inside = 1, outside = 1, count = 0;

        if (fs_read_file(AT_FDCWD, "/proc/self/uid_map", &map, NULL, NULL) < 0)
                return false;
        if (sscanf(map, "%lu %lu %lu", &inside, &outside, &count) != 3)
                return true;
        return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

static int
apply_devices_v2(const char *dir, const struct spec_device_rule *rules, size_t n, berth_error_t **err)
{
        cleanup_free struct bpf_insn *insns = NULL;
        cleanup_error berth_error_t *e = NULL;
        size_t n_insns = 0;
        int r;

        r = devices_bpf_build(rules, n, &insns, &n_insns, err);
        if (r < 0)
                return berth_error_prefix(err, "config.json");
        r = devices_bpf_apply(dir, insns, n_insns, &e);
        if (r == 0)
                return 0;
        if (running_in_userns()) {
                /* Released by cleanup_error: the container runs without a device program, as
                 * runc's would. */
                log_debug("linux.resources.devices: %s (in a user namespace), ignoring", e->msg);
                return 0;
        }
        r = berth_error_new(err, e->code, "linux.resources.devices: %s", e->msg);
        return r;
}

int
cgroup_apply_devices(const struct cgroup_host *host, char *const *dirs,
                     const struct spec_device_rule *rules, size_t n, berth_error_t **err)
{
        const char *dir = find_dir_with(dirs, "devices.allow");
        cleanup_strv char **lines = NULL;
        struct device_policy policy = {0};
        int r;

        /* A unified host has no devices files: a BPF program on its one cgroup2 directory
         * instead. A hybrid host keeps the devices controller on v1 and gets the lines (runc). */
        if (!dir && host->layout == CGROUP_LAYOUT_UNIFIED) {
                for (size_t i = 0; i < host->n && dirs && dirs[i]; i++) {
                        if (host->h[i].v2)
                                return apply_devices_v2(dirs[i], rules, n, err);
                }
        }
        if (!dir)
                return 0;
        /* The kernel would take these lines silently even where they cannot mean what they say
         * (a hole in a wildcard rule); the policy model refuses those, as on v2 and as runc. */
        r = device_policy_build(rules, n, &policy, err);
        if (r < 0)
                return berth_error_prefix(err, "config.json");
        device_policy_done(&policy);
        lines = cgroup_v1_device_lines(rules, n);
        strv_foreach(l, lines)
        {
                cleanup_free char *file = xasprintf("%s/%s", dir, l[0] == 'a' ? "devices.allow" : "devices.deny");
                r = fs_write_file(AT_FDCWD, file, l + 2, strlen(l + 2), err);
                if (r < 0)
                        return berth_error_prefix(err, "linux.resources.devices");
        }
        return 0;
}
