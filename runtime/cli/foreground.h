/* runtime/cli/foreground.h: a container process in the foreground of `run` or `exec`. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

struct foreground_io {
        int master;           /* pty master, or -1 */
        bool raw;             /* our stdin was put in raw mode */
        struct termios saved;
};

/* Block every signal worth forwarding (before the process exists, so none is lost). */
void foreground_block_signals(sigset_t *fwd, sigset_t *old);
/* Receive the pty master from SOCK if one was sent; put our terminal in raw mode. */
void foreground_take_console(int sock, struct foreground_io *io);
/* Wait for PID, forwarding signals from the signalfd SFD and copying the pty. Returns the wait
 * status. */
int foreground_supervise(pid_t pid, int sfd, struct foreground_io *io);
void foreground_io_done(struct foreground_io *io);
