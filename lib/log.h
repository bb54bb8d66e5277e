/* lib/log.h: the process-wide log sink, set once by main() with log_setup(). */
#pragma once

#include "lib/error.h"

enum log_level { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };

struct log_config {
        int fd;                 /* where formatted lines go; -1: stderr */
        enum log_format format; /* text: logrus' key=value; json: runc's {"level","msg","time"} */
        enum log_level level;
        int echo_errors;        /* also print the bare error message on stderr (runc does with --log) */
};

/* main() only, before any thread starts. The fd is the caller's to keep open. */
void log_setup(const struct log_config *cfg);
int log_parse_level(const char *s, enum log_level *ret);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
void log_berror(const berth_error_t *e);

/* "2026-11-22T17:20:42Z" (nsec false) or with nanoseconds; buf of at least 40 bytes. */
void time_format_rfc3339(const struct timespec *ts, int nsec, char *buf, size_t len);
/* The current time (CLOCK_REALTIME) so, with nanoseconds; caller frees. */
char *time_now_rfc3339(void);
