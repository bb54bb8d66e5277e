/* supervisor/ctl/progress.h: show a docker JSON progress stream (pull, import) as the docker CLI
 * does: on a terminal one line per layer, rewritten in place; otherwise plain lines without
 * progress bars. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct ctl_progress;

/* A FILE whose bytes are the stream as it arrives (hand it to ctl_request as DOWNLOAD); OUT gets
 * the display, TTY says whether to redraw lines in place. */
FILE *ctl_progress_open(FILE *out, bool tty, struct ctl_progress **ret);
/* After the FILE is closed: whether the stream ended with an error line (printed to stderr). */
bool ctl_progress_failed(const struct ctl_progress *p);
void ctl_progress_free(struct ctl_progress *p);
