/* proto/ttrpc/frame.h: ttrpc frames (interfaces.md §1.2): a 10-byte header (big-endian data length
 * and stream id, type, flags) and at most 4 MiB of data; an incremental reader that copes with
 * partial reads and skips over-limit frames, and an output queue that copes with partial writes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define TTRPC_FRAME_HEADER_LEN 10
#define TTRPC_FRAME_MAX_DATA   (4u << 20) /* Go ttrpc's messageLengthMax */

enum ttrpc_frame_type {
        TTRPC_FRAME_REQUEST = 0x01,
        TTRPC_FRAME_RESPONSE = 0x02,
};

struct ttrpc_frame_header {
        uint32_t length; /* of the data, header excluded */
        uint32_t stream_id;
        uint8_t type;
        uint8_t flags; /* reserved in ttrpc 1.1: sent as 0, ignored */
};

void ttrpc_frame_header_format(const struct ttrpc_frame_header *h,
                               uint8_t out[TTRPC_FRAME_HEADER_LEN]);
void ttrpc_frame_header_parse(const uint8_t in[TTRPC_FRAME_HEADER_LEN],
                              struct ttrpc_frame_header *ret);

/* "message length N exceed maximum message size of 4194304": Go ttrpc's words, which the server
 * sends back with RESOURCE_EXHAUSTED. The string is the caller's. */
char *ttrpc_frame_format_oversize(uint64_t length);

/* One frame taken from a stream. DATA holds header.length bytes (NULL when 0) and is the caller's;
 * when OVERSIZE, the data was longer than the limit, was skipped, and DATA is NULL. */
struct ttrpc_frame {
        struct ttrpc_frame_header header;
        uint8_t *data;
        bool oversize;
};
void ttrpc_frame_done(struct ttrpc_frame *f);

struct ttrpc_frame_reader {
        uint8_t hdr[TTRPC_FRAME_HEADER_LEN];
        size_t hdr_len;                   /* header bytes seen so far */
        struct ttrpc_frame_header header; /* valid once hdr_len is full */
        uint8_t *data;
        size_t data_len;
        uint32_t skip; /* over-limit data still to throw away */
};
void ttrpc_frame_reader_init(struct ttrpc_frame_reader *r);
void ttrpc_frame_reader_done(struct ttrpc_frame_reader *r);
/* Take bytes from BUF (LEN of them) until a frame is complete. Returns how many were used; when a
 * frame completed, *RET is filled (the caller's) and *RET_READY set: call again with the rest. */
size_t ttrpc_frame_reader_feed(struct ttrpc_frame_reader *r, const uint8_t *buf, size_t len,
                               struct ttrpc_frame *ret, bool *ret_ready);
/* True between frames: an EOF here is a clean close, elsewhere a truncated frame. */
bool ttrpc_frame_reader_idle(const struct ttrpc_frame_reader *r);

/* Bytes waiting to be written to a non-blocking socket. */
struct ttrpc_outq {
        uint8_t *data;
        size_t len; /* bytes queued, from data + off */
        size_t off;
        size_t cap;
};
void ttrpc_outq_done(struct ttrpc_outq *q);
/* Queue one frame: header and LEN bytes of DATA (LEN at most TTRPC_FRAME_MAX_DATA). */
void ttrpc_outq_push_frame(struct ttrpc_outq *q, uint32_t stream_id, uint8_t type, const void *data,
                           size_t len);
/* Write what the socket takes: 0 when the queue is empty, 1 when bytes remain (EAGAIN), -errno on
 * a broken connection (the queue is then dropped). Never raises SIGPIPE. */
int ttrpc_outq_flush(struct ttrpc_outq *q, int fd, berth_error_t **err);
