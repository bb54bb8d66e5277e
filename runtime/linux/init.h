/* runtime/linux/init.h: the container's init, from clone() to execve(). */
#pragma once

#include <stdbool.h>

#include "runtime/linux/caps.h"
#include "runtime/linux/cgroup_join.h"
#include "runtime/linux/seccomp.h"
#include "runtime/spec/spec.h"

struct init_args {
        const struct spec *spec;
        const char *bundle;
        const char *rootfs;
        char *const *cgroup_dirs;
        const struct cgroup_join *cgroup_join; /* what the init joins itself, first */
        int sync_fd;     /* child end of the parent's socketpair */
        int fifo_fd;     /* O_PATH fd of <state>/exec.fifo */
        int console_fd;  /* connected console socket, or -1 */
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds;
        int listen_fds;
        const struct caps_sets *caps; /* parsed by the parent, so a bad name fails early */
        const struct seccomp_program *seccomp; /* compiled by the parent, likewise; NULL: none */
        bool seccomp_notify;
        int seccomp_listener;         /* connected by the parent when seccomp_notify, else -1 */
        const int *idmapped_fds;      /* per mount, or NULL (runtime/linux/idmap.h) */
        unsigned last_cap;
};

/* Never returns: execs the process, or reports the error over sync_fd and exits 1. */
void init_main(const struct init_args *a) __attribute__((noreturn));
