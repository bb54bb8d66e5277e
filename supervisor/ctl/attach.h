/* supervisor/ctl/attach.h: berthctl's hijacked verbs: the attached part of `run` (attach before
 * start, then start and wait, as the docker CLI), `attach` and `exec`: the raw connection after
 * `101 UPGRADED`, the terminal in raw mode with SIGWINCH → resize, signals forwarded with
 * --sig-proxy. */
#pragma once

#include <stdbool.h>

bool ctl_attach_known(const char *verb);
int ctl_attach_main(const char *host, int argc, char **argv);

/* `run` without -d (and `start -a`) once the container ID exists: attach, start, stream, wait
 * (condition "removed" with RM). Returns the exit status (the container's; 0 when the user
 * detached with the detach keys). SIG_PROXY: forward signals. STREAMS < 0: the Config's
 * Attach*; else bit 0 stdin (when OpenStdin), 1 stdout, 2 stderr (start -a [-i]). DETACH_KEYS:
 * --detach-keys, NULL: the client config's detachKeys, else docker's default. */
struct ctl_attach_options {
        bool rm, sig_proxy;
        int streams;
        const char *detach_keys;
};
int ctl_run_attached(const char *host, const char *id, const struct ctl_attach_options *o);

/* Pure: the status code of an HTTP response head ("HTTP/1.1 101 UPGRADED\r\n..."); -1 if bad. */
int ctl_http_status_parse(const char *head);
