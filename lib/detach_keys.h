/* lib/detach_keys.h: docker's detach keys ("ctrl-p,ctrl-q"): parsing the spec and spotting the
 * sequence in a stream of stdin bytes (berthd's attach and exec sessions with a tty, and
 * berthctl's own stdin copy). Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define DETACH_KEYS_MAX     32

struct detach_keys {
        uint8_t keys[DETACH_KEYS_MAX];
        size_t n;       /* 0: detaching is off */
        size_t matched; /* how many of KEYS the last bytes matched, held back */
};

/* Parse SPEC as docker's term.ToBytes: comma-separated keys, each one character or "ctrl-X"
 * (X one of a-z, @, [, \, ], ^, _; case-insensitive). NULL or "" is the default. -EINVAL
 * "Invalid detach keys (SPEC) provided" (dockerd's text) for anything else. */
int detach_keys_parse(const char *spec, struct detach_keys *ret, berth_error_t **err);

/* Scan the LEN bytes IN: the bytes to pass on are written to OUT (room for LEN + DETACH_KEYS_MAX
 * bytes), their count to *RET_OUT_LEN. A partial match is held back across calls and given back
 * when the next byte does not continue it; the whole sequence is swallowed. Returns true when
 * the sequence completed (the bytes after it are dropped: the session ends). */
bool detach_keys_scan(struct detach_keys *d, const void *in, size_t len, void *out,
                      size_t *ret_out_len);
