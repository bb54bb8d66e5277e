/* proto/ttrpc/frame.c: frame headers, the incremental frame reader and the output queue. */
#include <config.h>

#include "proto/ttrpc/frame.h"

#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/xalloc.h"

static void
put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

static uint32_t
get_be32(const uint8_t *p)
{
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8
               | (uint32_t) p[3];
}

void
ttrpc_frame_header_format(const struct ttrpc_frame_header *h, uint8_t out[TTRPC_FRAME_HEADER_LEN])
{
        put_be32(out, h->length);
        put_be32(out + 4, h->stream_id);
        out[8] = h->type;
        out[9] = h->flags;
}

void
ttrpc_frame_header_parse(const uint8_t in[TTRPC_FRAME_HEADER_LEN], struct ttrpc_frame_header *ret)
{
        ret->length = get_be32(in);
        ret->stream_id = get_be32(in + 4);
        ret->type = in[8];
        ret->flags = in[9];
}

char *
ttrpc_frame_format_oversize(uint64_t length)
{
        /* ttrpc channel.go: "message length %v exceed maximum message size of %v" */
        return xasprintf("message length %" PRIu64 " exceed maximum message size of %u", length,
                         TTRPC_FRAME_MAX_DATA);
}

void
ttrpc_frame_done(struct ttrpc_frame *f)
{
        free(f->data);
        f->data = NULL;
}

void
ttrpc_frame_reader_init(struct ttrpc_frame_reader *r)
{
        memset(r, 0, sizeof(*r));
}

void
ttrpc_frame_reader_done(struct ttrpc_frame_reader *r)
{
        free(r->data);
        ttrpc_frame_reader_init(r);
}

bool
ttrpc_frame_reader_idle(const struct ttrpc_frame_reader *r)
{
        return r->hdr_len == 0;
}

/* Hand out the frame just completed and get ready for the next header. */
static void
reader_emit(struct ttrpc_frame_reader *r, struct ttrpc_frame *ret, bool oversize)
{
        ret->header = r->header;
        ret->data = r->data;
        ret->oversize = oversize;
        r->data = NULL;
        r->data_len = 0;
        r->hdr_len = 0;
        r->skip = 0;
}

static size_t
min_size(size_t a, size_t b)
{
        return a < b ? a : b;
}

size_t
ttrpc_frame_reader_feed(struct ttrpc_frame_reader *r, const uint8_t *buf, size_t len,
                        struct ttrpc_frame *ret, bool *ret_ready)
{
        size_t used = 0, n;

        *ret_ready = false;
        if (r->hdr_len < TTRPC_FRAME_HEADER_LEN) {
                n = min_size(TTRPC_FRAME_HEADER_LEN - r->hdr_len, len - used);
                if (n > 0)
                        memcpy(r->hdr + r->hdr_len, buf + used, n);
                r->hdr_len += n;
                used += n;
                if (r->hdr_len < TTRPC_FRAME_HEADER_LEN)
                        return used;
                ttrpc_frame_header_parse(r->hdr, &r->header);
                if (r->header.length > TTRPC_FRAME_MAX_DATA) {
                        /* As Go ttrpc: read past exactly LENGTH bytes, then report, so
                         * the stream stays in step and the connection usable. */
                        r->skip = r->header.length;
                } else if (r->header.length > 0) {
                        r->data = xmalloc(r->header.length);
                }
        }
        if (r->skip > 0) {
                n = min_size(r->skip, len - used);
                r->skip -= (uint32_t) n;
                used += n;
                if (r->skip > 0)
                        return used;
                reader_emit(r, ret, true);
                *ret_ready = true;
                return used;
        }
        n = min_size(r->header.length - r->data_len, len - used);
        if (n > 0)
                memcpy(r->data + r->data_len, buf + used, n);
        r->data_len += n;
        used += n;
        if (r->data_len < r->header.length)
                return used;
        reader_emit(r, ret, false);
        *ret_ready = true;
        return used;
}

void
ttrpc_outq_done(struct ttrpc_outq *q)
{
        free(q->data);
        memset(q, 0, sizeof(*q));
}

static void
outq_reserve(struct ttrpc_outq *q, size_t more)
{
        if (q->off > 0 && q->off + q->len + more > q->cap) {
                /* Reuse the space already written out before growing. */
                memmove(q->data, q->data + q->off, q->len);
                q->off = 0;
        }
        if (q->len + more > q->cap) {
                size_t cap = q->cap ? q->cap : 4096;
                while (cap < q->len + more)
                        cap *= 2;
                q->data = xrealloc(q->data, cap);
                q->cap = cap;
        }
}

void
ttrpc_outq_push_frame(struct ttrpc_outq *q, uint32_t stream_id, uint8_t type, const void *data,
                      size_t len)
{
        struct ttrpc_frame_header h = {
                .length = (uint32_t) len, .stream_id = stream_id, .type = type};

        outq_reserve(q, TTRPC_FRAME_HEADER_LEN + len);
        ttrpc_frame_header_format(&h, q->data + q->off + q->len);
        q->len += TTRPC_FRAME_HEADER_LEN;
        if (len > 0)
                memcpy(q->data + q->off + q->len, data, len);
        q->len += len;
}

int
ttrpc_outq_flush(struct ttrpc_outq *q, int fd, berth_error_t **err)
{
        while (q->len > 0) {
                ssize_t n = send(fd, q->data + q->off, q->len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                return 1;
                        int e = errno;
                        q->off = q->len = 0;
                        return berth_error_sys(err, e, "ttrpc: write");
                }
                q->off += (size_t) n;
                q->len -= (size_t) n;
        }
        q->off = 0;
        return 0;
}
