/* supervisor/containers/seccomp_host.c: the host facts behind a container's seccomp profile (the
 * impure half of seccomp.c). */
#include <config.h>

#include "supervisor/containers/seccomp_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <seccomp.h>

#include "lib/cleanup.h"

/* The runtime refuses a name its libseccomp does not know (runtime/linux/seccomp.c), where runc
 * skips it; docker's default names syscalls newer than Debian 12's libseccomp 2.5.4, so they are
 * left out here, as runc would. Names of other arches resolve to pseudo numbers and stay. */
static bool
syscall_known(const char *name)
{
        return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

void
container_seccomp_host_probe(struct container_seccomp_host *ret)
{
        struct utsname u;

        memset(ret, 0, sizeof(*ret));
        ret->arch = container_seccomp_native_arch();
        ret->syscall_known = syscall_known;
        if (uname(&u) == 0) {
                char *end = NULL;
                unsigned long major = strtoul(u.release, &end, 10);
                unsigned long minor = 0;
                if (end && *end == '.')
                        minor = strtoul(end + 1, NULL, 10);
                ret->kernel_major = (unsigned) major;
                ret->kernel_minor = (unsigned) minor;
        }
}

uint64_t
container_host_caps_probe(void)
{
        cleanup_fclose FILE *f = fopen("/proc/self/status", "re");
        char line[256];

        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "CapBnd:", 7) == 0)
                        return strtoull(line + 7, NULL, 16);
        return 0;
}
