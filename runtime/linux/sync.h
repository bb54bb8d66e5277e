/* runtime/linux/sync.h: the messages between `berth create` (parent) and the container's init
 * (child) over a socketpair. An error travels as a message, so the parent can report the child's
 * own words. */
#pragma once

#include <stddef.h>

#include "lib/error.h"

enum sync_type {
        SYNC_GO = 1,         /* parent: cgroup joined, id maps written; go on */
        SYNC_RUNTIME_HOOKS,  /* child: mounts are ready; run prestart and createRuntime hooks */
        SYNC_HOOKS_DONE,     /* parent: hooks ran */
        SYNC_CREATED,        /* child: ready; waiting for `start` on the exec fifo */
        SYNC_ERROR,          /* child: failed; a message follows */
};

int sync_send(int fd, enum sync_type type, berth_error_t **err);
/* Child side: send SYNC_ERROR with E's code and message. Best effort. */
void sync_send_error(int fd, const berth_error_t *e);
/* A message with a text payload (at most 3999 bytes), and its receiving side. */
int sync_send_text(int fd, enum sync_type type, const char *text, berth_error_t **err);
int sync_expect_text(int fd, enum sync_type want, char **ret_text, berth_error_t **err);
/* Wait for a message of type WANT. A SYNC_ERROR becomes *err with the child's message; EOF becomes
 * "container init exited unexpectedly". */
int sync_expect(int fd, enum sync_type want, berth_error_t **err);
