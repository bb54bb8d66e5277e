/* supervisor/ctl/attach.h: berthctl's hijacked verbs: the attached part of `run` (attach before
 * start, then start and wait, as the docker CLI), `attach` and `exec`: the raw connection after
 * `101 UPGRADED`, the terminal in raw mode with SIGWINCH → resize, signals forwarded with
 * --sig-proxy. */
#pragma once

#include <stdbool.h>

bool ctl_attach_known(const char *verb);
int ctl_attach_main(const char *host, int argc, char **argv);

/* `run` without -d once the container ID exists: attach, start, stream, wait (condition
 * "removed" with RM). Returns the exit status (the container's). SIG_PROXY: forward signals. */
int ctl_run_attached(const char *host, const char *id, bool rm, bool sig_proxy);

/* Pure: the status code of an HTTP response head ("HTTP/1.1 101 UPGRADED\r\n..."); -1 if bad. */
int ctl_http_status_parse(const char *head);
