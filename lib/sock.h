/* lib/sock.h: UNIX sockets and fd passing (console sockets, shim sockets). */
#pragma once

#include "lib/error.h"

/* Connect a SOCK_STREAM socket to PATH. */
int sock_connect_unix(const char *path, berth_error_t **err);
/* Send FD with SCM_RIGHTS and the one-byte-or-more payload DATA (runc sends the pty name). */
int sock_send_fd(int sock, int fd, const char *data, berth_error_t **err);
/* Receive one fd; returns it. */
int sock_recv_fd(int sock, berth_error_t **err);
