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

int
waiter_exec(int memfd, int fifo_fd, int bpf_fd, unsigned flags, const char *exe,
            char *const *args, char *const *env, berth_error_t **err)
{
        size_t n = strv_length(args);
        cleanup_free char **argv = xzalloc((n + 6) * sizeof(char *));
        char fdstr[16], bpfstr[16], flagstr[16];
        int fl = fifo_fd >= 0 ? fcntl(fifo_fd, F_GETFD) : 0;
        int r;

        snprintf(fdstr, sizeof(fdstr), "%d", fifo_fd);
        if (fifo_fd < 0)
                strcpy(fdstr, "-");
        snprintf(bpfstr, sizeof(bpfstr), "%d", bpf_fd);
        snprintf(flagstr, sizeof(flagstr), "%u", flags);
        argv[0] = (char *) "berth-init";
        argv[1] = fdstr;
        argv[2] = bpf_fd >= 0 ? bpfstr : (char *) "-";
        argv[3] = flagstr;
        argv[4] = (char *) exe;
        for (size_t i = 0; i < n; i++)
                argv[5 + i] = args[i];
        if (fifo_fd >= 0 && (r = keep_open(fifo_fd, err)) < 0)
                return r;
        if (bpf_fd >= 0 && (r = keep_open(bpf_fd, err)) < 0)
                return r;
        execveat(memfd, "", argv, (char *const *) env, AT_EMPTY_PATH);
        int e = errno;
        if (fifo_fd >= 0)
                (void) fcntl(fifo_fd, F_SETFD, fl);
        return berth_error_sys(err, e, "exec the waiter");
}
