/* runtime/linux/terminal.h: process.terminal: a pty from the container's own devpts. */
#pragma once

#include "lib/error.h"

/* In the container after pivot_root: open a pty, send its master over SOCKFD (runc's console
 * socket protocol), make the slave the controlling terminal and stdio, and bind it on
 * /dev/console. ROWS/COLS 0: leave the size alone. */
int terminal_setup(int sockfd, unsigned rows, unsigned cols, berth_error_t **err);
