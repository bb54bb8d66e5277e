/* supervisor/init/policy.h: berth-init's pure decisions (which signals it forwards, how the
 * child's wait status becomes its own exit code). */
#pragma once

#include <stdbool.h>

/* The path berthd bind-mounts berth-init at inside a container (as dockerd's docker-init). */
#define BERTH_INIT_CONTAINER_PATH "/sbin/docker-init"

/* True for a signal berth-init forwards to its child: every catchable signal except SIGCHLD
 * (its own reaping) and the synchronous fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGTRAP, SIGSYS, SIGABRT), which concern berth-init itself. */
bool init_signal_forwarded(int sig);

/* The exit code for a child's wait status: its exit status, or 128+N when signal N killed it. */
int init_exit_code(int wstatus);

/* Where the command starts in ARGV (argc ARGC): after argv[0] and an optional "--". -1 when
 * there is no command. */
int init_command_index(int argc, char *const argv[]);
