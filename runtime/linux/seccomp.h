/* runtime/linux/seccomp.h: turn a parsed linux.seccomp section into a kernel filter. */
#pragma once

#include <seccomp.h>

#include "lib/error.h"
#include "runtime/spec/seccomp.h"

/* Pure: nothing is loaded; *ret is the caller's (seccomp_release). Unknown syscall names are
 * errors naming "linux.seccomp.syscalls[i].names[j]". */
int seccomp_filter_build(const struct spec_seccomp *s, scmp_filter_ctx *ret, berth_error_t **err);
/* The filter as a classic BPF program in a sealed memfd, for the waiter to load itself. */
int seccomp_filter_export(scmp_filter_ctx ctx, berth_error_t **err);
/* Load into this process. Returns the notify fd when the filter has SCMP_ACT_NOTIFY rules, else 0. */
int seccomp_filter_install(scmp_filter_ctx ctx, bool notify, berth_error_t **err);
/* Connect to linux.seccomp.listenerPath: in the runtime's mount namespace, never the
 * container's, where an image could plant a socket of its own. */
int seccomp_listener_connect(const struct spec_seccomp *s, berth_error_t **err);
/* Send the notify fd and the container process state over SOCK, connected to the listener
 * (runtime-spec "containerProcessState"). STATE_JSON is the container's state as hooks see it. */
int seccomp_notify_send(const struct spec_seccomp *s, int sock, int notify_fd,
                        const char *state_json, berth_error_t **err);

static inline void
seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}
#define cleanup_seccomp __attribute__((cleanup(seccomp_releasep)))
