/* lib/log.c: runc-compatible log lines (text for people, JSON for shims and podman). */
#include <config.h>

#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/xalloc.h"

/* The one allowed mutable global besides main()'s context: set once by log_setup(). */
static struct log_config log_cfg = {.fd = -1, .format = LOG_FORMAT_TEXT, .level = LOG_LEVEL_WARN};

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void
log_setup(const struct log_config *cfg)
{
        log_cfg = *cfg;
}

int
log_parse_level(const char *s, enum log_level *ret)
{
        for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
                if (strcmp(s, level_names[i]) == 0) {
                        *ret = (enum log_level) i;
                        return 0;
                }
        }
        if (strcmp(s, "warn") == 0) {
                *ret = LOG_LEVEL_WARN;
                return 0;
        }
        return -EINVAL;
}

void
time_format_rfc3339(const struct timespec *ts, int nsec, char *buf, size_t len)
{
        struct tm tm;
        size_t n;

        gmtime_r(&ts->tv_sec, &tm);
        n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
        if (nsec)
                snprintf(buf + n, len - n, ".%09ldZ", ts->tv_nsec);
        else
                snprintf(buf + n, len - n, "Z");
}

char *
time_now_rfc3339(void)
{
        struct timespec ts;
        char buf[64];

        clock_gettime(CLOCK_REALTIME, &ts);
        time_format_rfc3339(&ts, 1, buf, sizeof(buf));
        return xstrdup(buf);
}

static void
write_all_fd(int fd, const char *s, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, s, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                s += w;
                n -= (size_t) w;
        }
}

static void
log_write(enum log_level level, const char *msg)
{
        int saved = errno;
        char when[64];
        struct timespec ts;
        cleanup_free char *line = NULL;
        int fd = log_cfg.fd >= 0 ? log_cfg.fd : STDERR_FILENO;

        clock_gettime(CLOCK_REALTIME, &ts);
        time_format_rfc3339(&ts, 0, when, sizeof(when));
        if (log_cfg.format == LOG_FORMAT_JSON) {
                cleanup_free char *q = json_quote(msg);
                line = xasprintf("{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s\"}\n",
                                 level_names[level], q, when);
        } else if (level == LOG_LEVEL_ERROR && log_cfg.fd < 0 && isatty(STDERR_FILENO)) {
                /* A person reads a terminal: the bare message. Elsewhere callers parse runc's
                 * logrus line, as below. */
                line = xasprintf("%s\n", msg);
        } else {
                cleanup_free char *q = json_quote(msg);
                line = xasprintf("time=\"%s\" level=%s msg=%s\n", when, level_names[level], q);
        }
        write_all_fd(fd, line, strlen(line));
        /* runc prints the bare error on stderr even when --log names a file: the containerd
         * shim puts the runtime's stderr into the error it reports (interfaces.md 6.1). */
        if (level == LOG_LEVEL_ERROR && log_cfg.fd >= 0 && log_cfg.echo_errors) {
                cleanup_free char *bare = xasprintf("%s\n", msg);
                write_all_fd(STDERR_FILENO, bare, strlen(bare));
        }
        errno = saved;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
        va_list ap;
        cleanup_free char *msg = NULL;

        if (level > log_cfg.level)
                return;
        va_start(ap, fmt);
        msg = xvasprintf(fmt, ap);
        va_end(ap);
        log_write(level, msg);
}

void
log_berror(const berth_error_t *e)
{
        if (e)
                log_write(LOG_LEVEL_ERROR, e->msg);
}
