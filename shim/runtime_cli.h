/* shim/runtime_cli.h: the low-level runtime (berth, runc or crun) driven through runc's command
 * line, as containerd's runc shim drives it: --root, --log <bundle>/log.json --log-format json,
 * the error taken from the log's last error line. Building argv and reading the log are pure. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"

struct shim_runtime {
        const char *binary;  /* "berth" (from $PATH) or a path; Options.binary_name */
        const char *root;    /* --root: <Options.root or /run/containerd/runc>/<namespace> */
        const char *log;     /* --log: <bundle>/log.json */
        const char *criu;    /* --criu, or NULL */
        bool systemd_cgroup; /* --systemd-cgroup */
};

/* Pure: [binary, --root, R, --log, L, --log-format, json, (--systemd-cgroup), (--criu, C),
 * ARGS...]; the caller frees it with strv_free. */
char **shim_runtime_argv(const struct shim_runtime *rt, char *const *args);

/* Pure: the "msg" of the last line of LOG (runc's JSON log lines) whose level is "error" or
 * "fatal"; NULL when there is none. */
char *shim_runtime_log_error(const char *log);

struct shim_runtime_io {
        int in, out, err; /* the command's stdio; -1: /dev/null */
};

/* Run the runtime with ARGS and wait for it (only for it: every other child stays for the
 * shim's reaper). Its environment is the shim's without NOTIFY_SOCKET; it dies with the shim
 * (PR_SET_PDEATHSIG). A non-zero exit is an error carrying the log's last error message, or
 * the exit status when the log has none. */
int shim_runtime_run(const struct shim_runtime *rt, char *const *args, const struct shim_runtime_io *io,
                     berth_error_t **err);
