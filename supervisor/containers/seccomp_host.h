/* supervisor/containers/seccomp_host.h: what the seccomp profile conversion (and --privileged's
 * capability set) needs to know of this host: the running kernel and the syscall names libseccomp
 * knows. */
#pragma once

#include <stdint.h>

#include "supervisor/containers/seccomp.h"

/* Fill RET for this host (uname; libseccomp's name table). A kernel release uname cannot give
 * leaves 0.0, so that no minKernel rule holds. */
void container_seccomp_host_probe(struct container_seccomp_host *ret);

/* The capabilities this process may hand out: CapBnd of /proc/self/status; 0 if unreadable. */
uint64_t container_host_caps_probe(void);
