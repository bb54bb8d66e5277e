/* runtime/linux/terminal.h: process.terminal: a pty from the container's own devpts. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

/* In the container after pivot_root: open a pty, send its master over SOCKFD (runc's console
 * socket protocol), make the slave the controlling terminal and stdio, and bind it on
 * /dev/console (CONSOLE: the init's, not an exec'd process's). ROWS/COLS 0: leave the size alone. */
int terminal_setup(int sockfd, unsigned rows, unsigned cols, bool console, berth_error_t **err);
