/* supervisor/logger/main.c: berth-logger, berthd's json-file logger. The shim starts it as a
 * binary:// logger (interfaces.md §5.3): the container's stdout on fd 3, stderr on fd 4, fd 5
 * closed once ready; arguments are the URI's query as key value pairs: path P (the log file),
 * max-size S (rotate when the file reaches it), max-file N (files kept, the current one
 * included). Lines are split at "\n" and at 16 KiB as dockerd's copier does. It runs until both
 * pipes reach EOF (or SIGTERM from the shim, after which what is buffered is written), so it
 * outlives a berthd restart with the shim. While it runs it holds a shared flock on the log's
 * directory (attach waits for it to end the stream after the container's last line). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/idle_trim.h"
#include "supervisor/logger/jsonfile.h"
#include "supervisor/logger/lock.h"

#define LINE_MAX_BYTES 16384

struct stream {
        int fd;
        const char *name;
        char buf[LINE_MAX_BYTES];
        size_t len;
};

static const char *path;
static int64_t max_size = -1;
static unsigned max_file = 1;
static int out = -1;
static int64_t written;
static volatile sig_atomic_t terminating;

static void
on_term(int sig)
{
        (void) sig;
        terminating = 1;
}

static int
open_log(void)
{
        struct stat st;
        out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (out < 0)
                return -1;
        written = fstat(out, &st) == 0 ? st.st_size : 0;
        return 0;
}

static void
rotate(void)
{
        if (max_file <= 1) {
                if (ftruncate(out, 0) == 0)
                        written = 0;
                return;
        }
        close(out);
        for (unsigned i = max_file - 1; i > 0; i--) {
                char *from = jsonfile_rotated_name(path, i - 1);
                char *to = jsonfile_rotated_name(path, i);
                (void) rename(from, to);
                free(from);
                free(to);
        }
        (void) open_log();
}

static void
emit(struct stream *s, const char *p, size_t n)
{
        struct timespec ts;
        char *line;
        size_t len;

        clock_gettime(CLOCK_REALTIME, &ts);
        line = jsonfile_line_encode(s->name, p, n, ts.tv_sec, (int32_t) ts.tv_nsec);
        len = strlen(line);
        if (max_size > 0 && written > 0 && written + (int64_t) len > max_size)
                rotate();
        if (out >= 0) {
                size_t off = 0;
                while (off < len) {
                        ssize_t w = write(out, line + off, len - off);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0)
                                break;
                        off += (size_t) w;
                }
                written += (int64_t) off;
        }
        free(line);
}

/* Write every complete line of S's buffer; with FLUSH the partial rest too. */
static void
drain(struct stream *s, bool flush)
{
        size_t start = 0;
        for (size_t i = 0; i < s->len; i++)
                if (s->buf[i] == '\n') {
                        emit(s, s->buf + start, i + 1 - start);
                        start = i + 1;
                }
        if (start < s->len && (flush || s->len == sizeof(s->buf))) {
                emit(s, s->buf + start, s->len - start);
                start = s->len;
        }
        memmove(s->buf, s->buf + start, s->len - start);
        s->len -= start;
}

int
main(int argc, char **argv)
{
        struct stream st[2] = {{.fd = 3, .name = "stdout"}, {.fd = 4, .name = "stderr"}};
        struct sigaction sa = {.sa_handler = on_term};

        for (int i = 1; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "path") == 0)
                        path = argv[i + 1];
                else if (strcmp(argv[i], "max-size") == 0)
                        max_size = jsonfile_size_parse(argv[i + 1]);
                else if (strcmp(argv[i], "max-file") == 0)
                        max_file = (unsigned) strtoul(argv[i + 1], NULL, 10);
        }
        if (max_file < 1)
                max_file = 1;
        if (path == NULL || open_log() < 0) {
                fprintf(stderr, "berth-logger: cannot open the log file \"%s\": %s\n",
                        path ? path : "(no path argument)", strerror(errno));
                return 1;
        }
        logger_lock_hold(path);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        close(5); /* ready */
        bool trimmed = false;
        for (;;) {
                struct pollfd p[2];
                int n = 0, open_fds = 0;
                for (int i = 0; i < 2; i++) {
                        p[i] = (struct pollfd){.fd = st[i].fd, .events = POLLIN};
                        if (st[i].fd >= 0)
                                open_fds++;
                }
                if (open_fds == 0)
                        break;
                n = poll(p, 2, terminating ? 0 : trimmed ? 1000 : IDLE_TRIM_MS);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n == 0 && terminating)
                        break;
                if (n == 0 && !trimmed) {
                        /* Idle: most loggers of idle containers are, so each gives back what
                         * its last lines touched (heap, mapped library text). */
                        idle_trim_apply();
                        trimmed = true;
                } else if (n > 0) {
                        trimmed = false;
                }
                for (int i = 0; i < 2; i++) {
                        if (st[i].fd < 0 || p[i].revents == 0)
                                continue;
                        ssize_t r = read(st[i].fd, st[i].buf + st[i].len,
                                         sizeof(st[i].buf) - st[i].len);
                        if (r < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (r <= 0) {
                                drain(&st[i], true);
                                close(st[i].fd);
                                st[i].fd = -1;
                                continue;
                        }
                        st[i].len += (size_t) r;
                        drain(&st[i], false);
                }
        }
        for (int i = 0; i < 2; i++)
                drain(&st[i], true);
        return 0;
}
