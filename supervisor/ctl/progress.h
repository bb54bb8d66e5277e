/* supervisor/ctl/progress.h: berthctl's rendering of a JSON-lines progress stream (pull, push) as
 * the docker CLI renders it: on a terminal each layer's line is rewritten in place as its
 * progress arrives; elsewhere one line per status, progress bars left out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ctl_progress;

/* A renderer writing to OUT (errors to ERR); TTY: rewrite lines in place with ANSI cursor
 * moves. */
struct ctl_progress *ctl_progress_new(FILE *out, FILE *err, bool tty);
/* Feed LEN bytes of the stream (any split: lines are reassembled). */
void ctl_progress_feed(struct ctl_progress *p, const char *data, size_t len);
/* Render what is left, free P; 1 when the stream carried an error line, else 0. */
int ctl_progress_finish(struct ctl_progress *p);
/* ctl_progress_feed with the signature of ctl_body_fn (client.h). */
void ctl_progress_feed_cb(const char *data, size_t len, void *p);
/* A write-only FILE whose bytes are fed to P (for a request that also uploads a body, as
 * import: hand it to ctl_request as DOWNLOAD); fclose it before ctl_progress_finish. */
FILE *ctl_progress_sink(struct ctl_progress *p);
