/* runtime/linux/join.h: a process joining a running container (`exec`): its namespaces, then
 * the same process steps as the init, then execve from the sealed waiter. */
#pragma once

#include <stdbool.h>

#include "runtime/linux/caps.h"
#include "runtime/linux/cgroup_join.h"
#include "runtime/linux/seccomp.h"
#include "runtime/spec/spec.h"

struct join_args {
        const struct spec_process *process; /* what to run */
        const struct spec_seccomp *seccomp_spec;
        const struct seccomp_program *seccomp; /* the container's filter, or NULL */
        const struct caps_sets *caps;
        unsigned last_cap;
        const int *ns_fds;                  /* fds to setns (user first), -1 terminated */
        const int *ns_types;
        int sync_fd;
        int console_fd;                     /* -1: no terminal */
        int preserve_fds;
        bool seccomp_notify;                /* the filter has SCMP_ACT_NOTIFY rules */
        int seccomp_listener;               /* connected by the parent when it has, else -1 */
        const char *state_json;             /* the container's state, for the listener */
        const struct cgroup_join *cgroup_join; /* what it joins itself, before the namespaces */
};

/* Never returns: execs the process, or reports over sync_fd and exits 1. */
void join_main(const struct join_args *a) __attribute__((noreturn));
