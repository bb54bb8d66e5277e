/* runtime/linux/waiter.h: the tiny program a created container's init becomes while it waits
 * for `start` (runtime/waiter/waiter.c, embedded at build time). */
#pragma once

#include "lib/error.h"
#include "runtime/spec/spec.h"

extern const unsigned char waiter_blob[];
extern const unsigned long waiter_blob_len;

/* A sealed, close-on-exec memfd holding the waiter. */
int waiter_memfd(berth_error_t **err);
/* Exec the waiter from MEMFD: it releases the process once the exec fifo (FIFO_FD, inherited)
 * is read (FIFO_FD -1: released already), runs the hooks in HOOKS_FD (or none: -1), loads the
 * seccomp program in BPF_FD (or none: -1) with FLAGS, then execs EXE with ARGS
 * and ENV. Returns only on failure. */
int waiter_exec(int memfd, int fifo_fd, int bpf_fd, unsigned flags, int hooks_fd, const char *exe,
                char *const *args, char *const *env, berth_error_t **err);
/* A memfd with STATE_JSON and the HOOKS (startContainer) for the waiter to run after the fifo. */
int waiter_hooks_memfd(const struct spec_hook *hooks, size_t n, const char *state_json,
                       berth_error_t **err);
