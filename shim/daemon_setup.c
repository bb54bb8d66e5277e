/* shim/daemon_setup.c: see daemon_setup.h. */
#include "shim/daemon_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "shim/cgroup_mounts.h"

char **
shim_cgroup_procs_files(const char *mountinfo, const char *path)
{
        size_t n = 0;
        struct shim_cgroup_mount *m = shim_cgroup_mounts(mountinfo, &n);
        char **v = NULL;

        for (size_t i = 0; i < n; i++) {
                cleanup_free char *file = xasprintf("%s/%s/cgroup.procs", m[i].path,
                                                    path[0] == '/' ? path + 1 : path);
                strv_push(&v, file);
        }
        shim_cgroup_mounts_free(m, n);
        return v;
}

int
shim_join_cgroup(pid_t pid, const char *path, berth_error_t **err)
{
        cleanup_free char *mountinfo = NULL;
        cleanup_strv char **files = NULL;
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid), joined = 0, r;

        if (strstr(path, ".."))
                return berth_error_new(err, EINVAL, "shim cgroup %s: \"..\" is not allowed", path);
        r = fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err);
        if (r < 0)
                return r;
        files = shim_cgroup_procs_files(mountinfo, path);
        strv_foreach(f, files) {
                if (access(f, F_OK) < 0)
                        continue;
                r = fs_write_file(AT_FDCWD, f, buf, (size_t) n, err);
                if (r < 0)
                        return berth_error_prefix(err, "shim cgroup %s", path);
                joined++;
        }
        if (joined == 0)
                return berth_error_new(err, ENOENT, "shim cgroup %s: no such cgroup", path);
        return 0;
}

int
shim_adjust_oom_score(pid_t pid, pid_t parent, berth_error_t **err)
{
        cleanup_free char *ppath = xasprintf("/proc/%d/oom_score_adj", (int) parent);
        cleanup_free char *path = xasprintf("/proc/%d/oom_score_adj", (int) pid);
        cleanup_free char *text = NULL;
        char buf[16];
        int r;

        r = fs_read_file(AT_FDCWD, ppath, &text, NULL, err);
        if (r < 0)
                return r;
        long v = strtol(text, NULL, 10) + 1;
        if (v > 1000)
                v = 1000;
        int n = snprintf(buf, sizeof(buf), "%ld", v);
        return fs_write_file(AT_FDCWD, path, buf, (size_t) n, err);
}
