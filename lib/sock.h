/* lib/sock.h: UNIX sockets and fd passing (console sockets, shim sockets). */
#pragma once

#include "lib/error.h"

/* Connect a SOCK_STREAM socket to PATH. */
int sock_connect_unix(const char *path, berth_error_t **err);
/* Connect to the abstract name NAME (given without its leading NUL; `ss` and Go show it as
 * "@NAME"). */
int sock_connect_unix_abstract(const char *name, berth_error_t **err);
/* A listening SOCK_STREAM socket (close-on-exec, blocking) on PATH, or on the abstract name PATH
 * when ABSTRACT. An existing file at PATH is an error (EADDRINUSE): removing it is the caller's
 * call. */
int sock_listen_unix(const char *path, int abstract, int backlog, berth_error_t **err);
/* Send FD with SCM_RIGHTS and the one-byte-or-more payload DATA (runc sends the pty name). */
int sock_send_fd(int sock, int fd, const char *data, berth_error_t **err);
/* Receive one fd; returns it. */
int sock_recv_fd(int sock, berth_error_t **err);
