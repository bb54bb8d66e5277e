/* runtime/linux/seccomp.h: turn a parsed linux.seccomp section into a kernel filter. */
#pragma once

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "runtime/spec/seccomp.h"

/* Pure: nothing is loaded; *ret is the caller's (seccomp_release). Unknown syscall names are
 * errors naming "linux.seccomp.syscalls[i].names[j]". */
int seccomp_filter_build(const struct spec_seccomp *s, scmp_filter_ctx *ret, berth_error_t **err);
/* A compiled filter: the classic BPF program the kernel takes (struct sock_filter[]). */
struct seccomp_program {
        unsigned char *insns;
        size_t len;     /* bytes: 8 an instruction */
        unsigned flags; /* linux.seccomp.flags (SECCOMP_SPEC_FLAG_*, the kernel's values) */
};
/* CTX (seccomp_filter_build's) as the program libseccomp would load. */
int seccomp_filter_compile(scmp_filter_ctx ctx, unsigned flags, struct seccomp_program *ret,
                           berth_error_t **err);
void seccomp_program_done(struct seccomp_program *p);
#define cleanup_seccomp_program __attribute__((cleanup(seccomp_program_done)))
/* The program in a sealed memfd, for the waiter to load itself. */
int seccomp_filter_export(const struct seccomp_program *p, berth_error_t **err);
/* Load into this process (seccomp(2), as libseccomp's seccomp_load). Returns the notify fd
 * when the filter has SCMP_ACT_NOTIFY rules (NOTIFY), else 0. */
int seccomp_filter_install(const struct seccomp_program *p, bool notify, berth_error_t **err);
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
