/* lib/loop.h: a single-threaded epoll loop that main() owns: the shim puts its ttrpc server, its
 * signalfd and its pidfds in one loop, berthd its shim connections. Level-triggered. */
#pragma once

#include <stdint.h>

#include "lib/error.h"

struct loop;

/* EVENTS are epoll's (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR). */
typedef void (*loop_fd_fn)(int fd, uint32_t events, void *userdata);

int loop_new(struct loop **ret, berth_error_t **err);
/* Forgets every fd still registered (closes none of them). NULL is fine. */
void loop_free(struct loop *l);
DEFINE_CLEANUP(struct loop *, loop_free)
#define cleanup_loop __attribute__((cleanup(loop_freep)))

/* Watch FD (borrowed: the caller closes it, after loop_remove_fd) for EVENTS; FN runs from
 * loop_run*() with USERDATA. One registration per fd. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *userdata,
                berth_error_t **err);
int loop_set_events(struct loop *l, int fd, uint32_t events, berth_error_t **err);
/* Stop watching FD; safe from inside any callback, including FD's own: an event already fetched
 * for it is not delivered. Unknown fds are ignored. */
void loop_remove_fd(struct loop *l, int fd);

/* Wait up to TIMEOUT_MS (-1: forever) and run the callbacks of what is ready: returns the number
 * of events delivered (0 on timeout or EINTR). */
int loop_run_once(struct loop *l, int timeout_ms, berth_error_t **err);
/* loop_run_once() until loop_quit() is called (from a callback). */
int loop_run(struct loop *l, berth_error_t **err);
void loop_quit(struct loop *l);
