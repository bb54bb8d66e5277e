/* supervisor/ctl/run.h: berthctl's verbs of running containers: run, start, stop, kill, wait,
 * restart, pause, unpause, top, logs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool ctl_run_known(const char *verb);
int ctl_run_main(const char *host, int argc, char **argv);

/* The demultiplexer of docker's 8-byte stream framing, fed in pieces as they arrive. */
struct ctl_demux {
        uint8_t hdr[8];
        size_t hdr_len;
        uint32_t left; /* payload bytes of the current frame still to come */
        int stream;
};
/* Pure: feed BUF; each payload piece is handed to OUT(stream, data, len, ud). */
void ctl_demux_feed(struct ctl_demux *d, const uint8_t *buf, size_t len,
                    void (*out)(int stream, const uint8_t *p, size_t n, void *ud), void *ud);
/* docker's --since/--until value to the API's: a Unix time ("1700000000.5") as is, an RFC 3339
 * time or a duration before NOW ("10m", "1h30m") as seconds with nanoseconds. NULL if bad. */
char *ctl_logs_time_arg(const char *s, int64_t now_sec);
