/* shim/cgroup_warmup.c: see cgroup_warmup.h. */
#include <config.h>

#include "shim/cgroup_warmup.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "shim/cgroup_mounts.h"

#define WARMUP_EVERY_MS 3
#define WARMUP_MAX_MS 150

/* The running warm-up child: the server is single-threaded, one at a time is enough. */
static pid_t warmup_pid;

/* SELF_CGROUP's path for mount M: "0::PATH" for cgroup2, "N:LIST:PATH" with one of M's
 * controllers (or its name=) in LIST for v1. Borrowed from SELF_CGROUP's copy in BUF. */
static const char *
own_path(const struct shim_cgroup_mount *m, char *buf)
{
        for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2 || c2[1] != '/')
                        continue;
                *c1 = '\0';
                *c2 = '\0';
                const char *list = c1 + 1;
                if (m->v2 ? (strcmp(line, "0") == 0 && *list == '\0') : *list != '\0') {
                        if (m->v2)
                                return c2 + 1;
                        cleanup_free char *copy = xstrdup(list);
                        for (char *s2 = NULL, *c = strtok_r(copy, ",", &s2); c; c = strtok_r(NULL, ",", &s2))
                                if (shim_cgroup_mount_has(m, c))
                                        return c2 + 1;
                }
        }
        return NULL;
}

char *
shim_cgroup_warmup_file(const char *mountinfo, const char *self_cgroup)
{
        size_t n = 0;
        struct shim_cgroup_mount *m = shim_cgroup_mounts(mountinfo, &n);
        char *file = NULL;

        for (size_t i = 0; i < n && !file; i++) {
                cleanup_free char *buf = xstrdup(self_cgroup);
                const char *path = own_path(&m[i], buf);
                if (path)
                        file = xasprintf("%s%s/cgroup.procs", m[i].path, strcmp(path, "/") == 0 ? "" : path);
        }
        shim_cgroup_mounts_free(m, n);
        return file;
}

bool
shim_cgroup_warmup_wanted(const char *binary)
{
        const char *base = binary ? strrchr(binary, '/') : NULL;
        base = base ? base + 1 : binary;
        return !base || strcmp(base, "berth") != 0;
}

void
shim_cgroup_warmup_spawn(void)
{
        if (warmup_pid > 0)
                return;
        pid_t pid = fork();
        if (pid != 0) {
                if (pid > 0)
                        warmup_pid = pid;
                return;
        }
        /* The child: read where it is, write "0" (itself) there. It keeps none of the server's
         * sockets: a peer must see the server's connections close when the server closes them. */
        (void) close_range(3, ~0U, 0);
        cleanup_free char *mountinfo = NULL, *self = NULL;
        if (fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, NULL) < 0 ||
            fs_read_file(AT_FDCWD, "/proc/self/cgroup", &self, NULL, NULL) < 0)
                _exit(0);
        cleanup_free char *file = shim_cgroup_warmup_file(mountinfo, self);
        int fd = file ? open(file, O_WRONLY | O_CLOEXEC) : -1;
        if (fd < 0)
                _exit(0);
        /* Each write keeps the fast path open for one more grace period: repeated until the
         * server is done with the runtime call and kills us, for WARMUP_MAX_MS at most. */
        for (int ms = 0; ms < WARMUP_MAX_MS; ms += WARMUP_EVERY_MS) {
                (void) !write(fd, "0", 1);
                nanosleep(&(struct timespec){0, WARMUP_EVERY_MS * 1000 * 1000}, NULL);
        }
        _exit(0);
}

bool
shim_cgroup_warmup_reaped(pid_t pid)
{
        if (pid <= 0 || pid != warmup_pid)
                return false;
        warmup_pid = 0;
        return true;
}

void
shim_cgroup_warmup_stop(void)
{
        /* Not reaped yet (that clears it), so the pid is still the child's. */
        if (warmup_pid > 0)
                (void) kill(warmup_pid, SIGKILL);
}
