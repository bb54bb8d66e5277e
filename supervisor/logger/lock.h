/* supervisor/logger/lock.h: berth-logger's liveness lock. The logger holds a shared flock on
 * its log's directory for as long as it runs; berthd takes it exclusively to know the logger
 * has exited, its last line written (an exit is reported after that, and attach ends then). */
#pragma once

#include <stdbool.h>

/* The logger's side: take the shared lock on LOG_PATH's directory, kept until exit (the fd is
 * deliberately left open). Best effort. */
void logger_lock_hold(const char *log_path);
/* Whether no logger holds LOG_PATH's lock (none ever started, or it exited). */
bool logger_lock_free(const char *log_path);
/* Up to TIMEOUT_MS for that. */
void logger_lock_wait(const char *log_path, int timeout_ms);
