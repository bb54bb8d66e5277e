/* supervisor/api/stdcopy.h: docker's stream multiplexing on a hijacked connection without a tty
 * (attach, exec start): each frame is an 8-byte header [stream, 0, 0, 0, big-endian uint32
 * length] and LENGTH payload bytes. With a tty the bytes go raw and none of this applies. Used
 * by berthd (encode) and berthctl (decode); no I/O library inside but write(2). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define STDCOPY_HEADER_LEN 8

enum stdcopy_stream {
        STDCOPY_STDIN = 0,
        STDCOPY_STDOUT = 1,
        STDCOPY_STDERR = 2,
        STDCOPY_SYSTEMERR = 3, /* dockerd's in-band error message */
};

/* Pure: fill HDR for a frame of LEN bytes on STREAM. */
void stdcopy_format_header(uint8_t hdr[STDCOPY_HEADER_LEN], enum stdcopy_stream stream,
                           uint32_t len);
/* Write BUF as one frame (or several, past 4 GiB) on STREAM to FD; -EPIPE etc. from write. */
int stdcopy_write_frame(int fd, enum stdcopy_stream stream, const void *buf, size_t len);

/* An incremental decoder: feed it the bytes as they arrive, in any pieces. */
struct stdcopy_decoder {
        uint8_t hdr[STDCOPY_HEADER_LEN];
        size_t have;   /* header bytes collected */
        uint32_t left; /* payload bytes of the current frame still to come */
        int stream;
};

/* Called for each piece of payload; a negative return stops the decoding and is returned. */
typedef int (*stdcopy_sink_fn)(int stream, const void *buf, size_t len, void *arg);

/* Pure but for SINK: decode N bytes of BUF, calling SINK for every payload piece. -EINVAL for a
 * header that is not docker's (unknown stream, non-zero padding). */
int stdcopy_decode(struct stdcopy_decoder *d, const void *buf, size_t n, stdcopy_sink_fn sink,
                   void *arg, berth_error_t **err);
