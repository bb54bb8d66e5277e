/* supervisor/logger/lock.c: see lock.h. */
#include <config.h>

#include "supervisor/logger/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* LOG_PATH's directory opened, or -1. */
static int
open_dir(const char *log_path)
{
        const char *slash = strrchr(log_path, '/');
        char *d;
        int fd;

        if (slash == NULL)
                return -1;
        d = strndup(log_path, slash == log_path ? 1 : (size_t) (slash - log_path));
        if (d == NULL)
                return -1;
        fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        free(d);
        return fd;
}

void
logger_lock_hold(const char *log_path)
{
        int fd = open_dir(log_path);

        if (fd >= 0 && flock(fd, LOCK_SH) < 0)
                close(fd);
}

bool
logger_lock_free(const char *log_path)
{
        int fd = open_dir(log_path);
        bool done;

        if (fd < 0)
                return true;
        done = flock(fd, LOCK_EX | LOCK_NB) == 0;
        close(fd);
        return done;
}

void
logger_lock_wait(const char *log_path, int timeout_ms)
{
        const struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};

        for (int waited = 0; !logger_lock_free(log_path) && waited < timeout_ms; waited++)
                nanosleep(&ms, NULL);
}
