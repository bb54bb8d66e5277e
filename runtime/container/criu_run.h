/* runtime/container/criu_run.h: running criu: finding the binary, gathering what its command line
 * needs from the system, starting it with the fds that command line names, answering its action
 * script, and turning a failure into an error that quotes criu's log. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

/* --criu NAME: a path (it must be executable) or a name looked up in PATH (or, when PATH is
 * unset, as it is for podman's calls, in the usual sbin and bin directories). */
int criu_find(const char *name, char **ret, berth_error_t **err);

struct criu_run {
        const char *exe;
        char *const *argv;  /* criu's arguments, argv[0] being its command ("dump", "restore") */
        const int *fds;     /* become criu's fds 3, 4, ... in this order (the plan's numbers) */
        size_t n_fds;
        bool quiet;         /* stdin and stdout /dev/null, stderr kept for the error (a dump);
                             * otherwise criu has our stdio (a restore hands them on) */
        /* In the child once the fds are in place, just before exec (a mount namespace, cgroups). */
        int (*child_setup)(void *data, berth_error_t **err);
        void *child_data;
        /* With NOTIFY, the caller's argv names this program as --action-script (criu_self_script):
         * criu runs it at each step with CRTOOLS_SCRIPT_ACTION and CRTOOLS_INIT_PID set, it tells
         * us over a socket and waits; NOTIFY's failure fails the step. The socket is criu's fd
         * 3 + n_fds. */
        int (*notify)(void *data, const char *action, pid_t pid, berth_error_t **err);
        void *notify_data;
        const char *log_path; /* criu's -o, for the error message */
};

/* Run criu to its end. On failure: the notify callback's own error if it failed, else "criu dump
 * failed with exit status N; log "PATH" says: <its last Error line>". */
int criu_run(const struct criu_run *r, berth_error_t **err);

/* Per config.json mount, its destination resolved inside ROOTFS as the kernel will find it
 * (symlinks in the image followed, never out of it); NULL where it cannot be resolved. */
char **criu_mount_dests(const char *rootfs, const struct spec *spec);
/* criu's --config for this container: annotation org.criu.config (empty: none), else
 * /etc/criu/runc.conf as for runc; NULL unless the file exists (criu ignores a missing one over
 * RPC, runc's channel). ANNOTATIONS is key, value, ... */
char *criu_config_file(char *const *annotations);

/* "/proc/<our pid>/exe": this very program as criu's --action-script (see runtime/cli/main.c). */
char *criu_self_script(void);
/* The action script's side, in the program criu ran: tell the parent berth about ACTION and PID
 * on fd SOCK and wait for its answer. Returns 0, or -errno with the parent's message. */
int criu_notify_send(int sock, const char *action, pid_t pid, berth_error_t **err);
