/* supervisor/tasks/shim.h: running containerd-shim-berth-v2's one-shot actions exactly as
 * containerd 1.6 does (interfaces.md §2.2): `start` (prints the address of the long-lived shim it
 * leaves behind) and `delete` (cleans up after a shim that is gone). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct task_shim_config {
        const char *shim_binary; /* containerd-shim-berth-v2, an absolute path */
        const char *ns;          /* -namespace */
        const char
                *address; /* -address: berthd's API socket (hashed into the shim's socket name) */
        const char *publish_binary; /* -publish-binary; see docs/berthd.md "Tasks" */
        const char *events_address; /* TTRPC_ADDRESS: the task_events socket */
        const char *socket_root;    /* BERTH_SHIM_SOCKET_ROOT: shim sockets go to <root>/s/ */
        bool debug;                 /* -debug */
};

/* Pure: the argv containerd uses: SHIM -namespace NS -address A -publish-binary P -id ID
 * [-bundle BUNDLE] [-debug] ACTION (BUNDLE only for delete, as containerd). The strv is the
 * caller's; its strings are copies. */
char **task_shim_argv_build(const struct task_shim_config *c, const char *id, const char *bundle,
                            const char *action);

/* Pure: the environment of an action: BASE (e.g. environ) with TTRPC_ADDRESS and
 * BERTH_SHIM_SOCKET_ROOT set (replaced when BASE has them) and NOTIFY_SOCKET removed (the runc
 * shim drops it for the runtime too). The strv is the caller's. */
char **task_shim_env_build(const struct task_shim_config *c, char *const *base);

/* Run `start` with cwd BUNDLE and OPTIONS (a serialized Any, may be empty) on its stdin; read its
 * stdout and stderr together, as containerd does, and return the trimmed output (the address) in
 * *RET_ADDRESS. A non-zero exit is -EIO with the output as the message. The long-lived shim it
 * leaves is re-parented to the nearest child subreaper (berthd should be one, as containerd is,
 * and reap it; see docs/berthd.md). Waits for this one child by pid only. */
int task_shim_start(const struct task_shim_config *c, const char *id, const char *bundle,
                    const uint8_t *options, size_t options_len, char **ret_address,
                    berth_error_t **err);

/* What the `delete` action reports (a DeleteResponse). */
struct task_shim_deleted {
        uint32_t pid;         /* the init's pid, or UINT32_MAX when the shim could not tell */
        uint32_t exit_status; /* 137 from our shim */
        int64_t exited_sec;
        int32_t exited_nsec;
};

/* Run `delete` (cwd BUNDLE, -bundle BUNDLE, stdin /dev/null) within 5 s (containerd's cleanup
 * timeout) and decode its stdout. Its stderr is logged at debug level. Idempotent on the shim's
 * side: fine after a normal teardown too. */
int task_shim_delete(const struct task_shim_config *c, const char *id, const char *bundle,
                     struct task_shim_deleted *ret, berth_error_t **err);
