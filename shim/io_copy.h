/* shim/io_copy.h: one direction of a process's stdio copied on the shim's event loop: a pipe
 * or pty master to the client's FIFO or log file, or the client's stdin FIFO to the process
 * (interfaces.md §5.2). Both ends are non-blocking; a slow reader only stalls its own copy.
 * A write end whose reader has gone (EPIPE) drops what it is given, so the process never blocks. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct loop;
struct shim_copy;

/* Runs once, when SRC reaches end of file (or fails) and everything read has been written. */
typedef void (*shim_copy_done_fn)(struct shim_copy *c, void *userdata);

/* Copy SRC to DST until SRC's end of file. Takes both fds, even on failure; they are made
 * non-blocking. DST is closed at the end when CLOSE_DST (stdin: the process then sees EOF). */
int shim_copy_new(struct loop *l, int src, int dst, bool close_dst, shim_copy_done_fn done,
                  void *userdata, struct shim_copy **ret, berth_error_t **err);
/* Stops watching and closes what the copy still holds. NULL is fine. */
void shim_copy_free(struct shim_copy *c);
bool shim_copy_finished(const struct shim_copy *c);
DEFINE_CLEANUP(struct shim_copy *, shim_copy_free)
/* Copy what SRC holds right now (until it would block or ends), waiting at most a second for
 * DST: a pty's last output before its process's exit is told. */
void shim_copy_drain(struct shim_copy *c);
