/* supervisor/logger/jsonfile.h: docker's json-file log format, pure: encoding a line as dockerd
 * writes it ({"log":"...\n","stream":"stdout","time":"RFC3339Nano"}), reading one back, sizes
 * of --log-opt max-size, the rotated files' names, and docker's 8-byte stream framing. Shared by
 * berth-logger (the writer) and GET /containers/{id}/logs (the reader). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped (none at all for a whole
 * second). BUF of at least 40 bytes. */
void jsonfile_time_format(int64_t sec, int32_t nsec, char *buf, size_t len);
/* RFC 3339 with an optional fraction and Z or ±hh:mm into nanoseconds since the epoch; -1 when
 * it does not parse. */
int64_t jsonfile_time_parse(const char *s);

/* One log line: LOG (LEN bytes, usually ending in "\n") of STREAM ("stdout"/"stderr") at
 * SEC.NSEC, as encoding/json writes it (<, >, & as \u003c…, invalid UTF-8 as \ufffd), with the
 * final "\n". The caller frees. */
char *jsonfile_line_encode(const char *stream, const char *log, size_t len, int64_t sec,
                           int32_t nsec);

struct jsonfile_entry {
        char *log; /* decoded, the caller's */
        size_t log_len;
        int stream; /* 1 stdout, 2 stderr */
        int64_t time_ns;
};
/* Parse one line back; -1 for a line that is not a json-file entry. */
int jsonfile_entry_parse(const char *line, size_t len, struct jsonfile_entry *ret);
void jsonfile_entry_done(struct jsonfile_entry *e);

/* --log-opt max-size: "10m", "1k", "512", "1g" (docker's RAMInBytes: binary units); -1 bad. */
int64_t jsonfile_size_parse(const char *s);
/* PATH for N == 0, else PATH.N (the N-th older file). The caller frees. */
char *jsonfile_rotated_name(const char *path, unsigned n);

/* docker's query "since"/"until": seconds since the epoch with an optional fraction
 * ("1700000000.123456789"); *RET in nanoseconds. -1 when it does not parse. */
int jsonfile_timestamp_parse(const char *s, int64_t *ret);
/* Whether an entry is shown: its stream wanted, at or after SINCE (0: any) and before UNTIL (0:
 * any). */
bool jsonfile_entry_wanted(const struct jsonfile_entry *e, bool out, bool err, int64_t since,
                           int64_t until);
/* "all" (or empty / negative) is -1, else the number; -2 when bad. */
long jsonfile_tail_parse(const char *s);

/* docker's stdcopy header: [STREAM, 0, 0, 0, LEN big-endian]. */
void stdcopy_header(uint8_t hdr[8], int stream, uint32_t len);
