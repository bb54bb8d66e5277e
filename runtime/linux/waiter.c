/* runtime/linux/waiter.c: the waiter in a sealed memfd, and the exec into it. */
#include <config.h>

#include "runtime/linux/waiter.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

int
waiter_memfd(berth_error_t **err)
{
        int fd = memfd_create("berth-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        int r;

        if (fd < 0)
                return berth_error_sys(err, errno, "memfd_create");
        r = fs_write_all(fd, waiter_blob, waiter_blob_len);
        /* Sealed: nothing in the container can change what later processes would exec. */
        if (r == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                return berth_error_sys(err, -r, "write the waiter");
        }
        return fd;
}

static int
keep_open(int fd, berth_error_t **err)
{
        int fl = fcntl(fd, F_GETFD);

        if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "fd %d for the waiter", fd);
        return 0;
}

static void
append(char **buf, size_t *len, const char *s)
{
        size_t n = strlen(s) + 1;
        *buf = xrealloc(*buf, *len + n);
        memcpy(*buf + *len, s, n);
        *len += n;
}

int
waiter_hooks_memfd(const struct spec_hook *hooks, size_t n, const char *state_json,
                   berth_error_t **err)
{
        cleanup_free char *buf = NULL;
        size_t len = 0;
        char num[24];
        int fd, r;

        append(&buf, &len, state_json);
        for (size_t i = 0; i < n; i++) {
                const struct spec_hook *h = &hooks[i];
                size_t argc = strv_length(h->args);
                append(&buf, &len, h->path);
                if (argc == 0) {
                        append(&buf, &len, "1");
                        append(&buf, &len, h->path);
                } else {
                        snprintf(num, sizeof(num), "%zu", argc);
                        append(&buf, &len, num);
                        strv_foreach(a, h->args) append(&buf, &len, a);
                }
                if (!h->env) {
                        append(&buf, &len, "-");
                } else {
                        snprintf(num, sizeof(num), "%zu", strv_length(h->env));
                        append(&buf, &len, num);
                        strv_foreach(e, h->env) append(&buf, &len, e);
                }
                snprintf(num, sizeof(num), "%d", h->timeout);
                append(&buf, &len, num);
        }
        if (len > 65535)
                return berth_error_new(err, E2BIG, "hooks.startContainer: too large for the waiter");
        fd = memfd_create("berth-hooks", MFD_CLOEXEC);
        if (fd < 0)
                return berth_error_sys(err, errno, "memfd_create");
        r = fs_write_all(fd, buf, len);
        if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                return berth_error_sys(err, -r, "write the hooks");
        }
        return fd;
}

int
waiter_exec(int memfd, int fifo_fd, int bpf_fd, unsigned flags, int hooks_fd, const char *exe,
            char *const *args, char *const *env, berth_error_t **err)
{
        size_t n = strv_length(args);
        cleanup_free char **argv = xzalloc((n + 7) * sizeof(char *));
        char fdstr[16], bpfstr[16], flagstr[16], hookstr[16];
        int fl = fifo_fd >= 0 ? fcntl(fifo_fd, F_GETFD) : 0;
        int r;

        snprintf(fdstr, sizeof(fdstr), "%d", fifo_fd);
        if (fifo_fd < 0)
                strcpy(fdstr, "-");
        snprintf(bpfstr, sizeof(bpfstr), "%d", bpf_fd);
        snprintf(flagstr, sizeof(flagstr), "%u", flags);
        snprintf(hookstr, sizeof(hookstr), "%d", hooks_fd);
        argv[0] = (char *) "berth-init";
        argv[1] = fdstr;
        argv[2] = bpf_fd >= 0 ? bpfstr : (char *) "-";
        argv[3] = flagstr;
        argv[4] = hooks_fd >= 0 ? hookstr : (char *) "-";
        argv[5] = (char *) exe;
        for (size_t i = 0; i < n; i++)
                argv[6 + i] = args[i];
        if (fifo_fd >= 0 && (r = keep_open(fifo_fd, err)) < 0)
                return r;
        if (bpf_fd >= 0 && (r = keep_open(bpf_fd, err)) < 0)
                return r;
        if (hooks_fd >= 0 && (r = keep_open(hooks_fd, err)) < 0)
                return r;
        execveat(memfd, "", argv, (char *const *) env, AT_EMPTY_PATH);
        int e = errno;
        if (fifo_fd >= 0)
                (void) fcntl(fifo_fd, F_SETFD, fl);
        return berth_error_sys(err, e, "exec the waiter");
}
