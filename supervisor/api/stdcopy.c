/* supervisor/api/stdcopy.c: docker's 8-byte stream framing (see stdcopy.h). */
#include <config.h>

#include "supervisor/api/stdcopy.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

void
stdcopy_format_header(uint8_t hdr[STDCOPY_HEADER_LEN], enum stdcopy_stream stream, uint32_t len)
{
        hdr[0] = (uint8_t) stream;
        hdr[1] = hdr[2] = hdr[3] = 0;
        hdr[4] = (uint8_t) (len >> 24);
        hdr[5] = (uint8_t) (len >> 16);
        hdr[6] = (uint8_t) (len >> 8);
        hdr[7] = (uint8_t) len;
}

static int
writev_all(int fd, struct iovec *iov, int n)
{
        while (n > 0) {
                ssize_t w = writev(fd, iov, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                while (n > 0 && (size_t) w >= iov->iov_len) {
                        w -= (ssize_t) iov->iov_len;
                        iov++;
                        n--;
                }
                if (n > 0) {
                        iov->iov_base = (char *) iov->iov_base + w;
                        iov->iov_len -= (size_t) w;
                }
        }
        return 0;
}

int
stdcopy_write_frame(int fd, enum stdcopy_stream stream, const void *buf, size_t len)
{
        const char *p = buf;

        do {
                uint8_t hdr[STDCOPY_HEADER_LEN];
                uint32_t chunk = len > UINT32_MAX ? UINT32_MAX : (uint32_t) len;
                struct iovec iov[2] = {{.iov_base = hdr, .iov_len = sizeof(hdr)},
                                       {.iov_base = (void *) p, .iov_len = chunk}};
                int r;

                stdcopy_format_header(hdr, stream, chunk);
                r = writev_all(fd, iov, chunk ? 2 : 1);
                if (r < 0)
                        return r;
                p += chunk;
                len -= chunk;
        } while (len > 0);
        return 0;
}

int
stdcopy_decode(struct stdcopy_decoder *d, const void *buf, size_t n, stdcopy_sink_fn sink,
               void *arg, berth_error_t **err)
{
        const uint8_t *p = buf;

        while (n > 0) {
                if (d->left == 0 && d->have < STDCOPY_HEADER_LEN) {
                        size_t k = STDCOPY_HEADER_LEN - d->have;
                        if (k > n)
                                k = n;
                        memcpy(d->hdr + d->have, p, k);
                        d->have += k;
                        p += k;
                        n -= k;
                        if (d->have < STDCOPY_HEADER_LEN)
                                break;
                        if (d->hdr[0] > STDCOPY_SYSTEMERR || d->hdr[1] || d->hdr[2] || d->hdr[3])
                                return berth_error_new(err, EINVAL,
                                                       "stream: bad frame header %02x %02x %02x %02x",
                                                       d->hdr[0], d->hdr[1], d->hdr[2], d->hdr[3]);
                        d->stream = d->hdr[0];
                        d->left = (uint32_t) d->hdr[4] << 24 | (uint32_t) d->hdr[5] << 16
                                  | (uint32_t) d->hdr[6] << 8 | d->hdr[7];
                        d->have = 0;
                        continue;
                }
                {
                        size_t k = d->left < n ? d->left : n;
                        int r = sink(d->stream, p, k, arg);
                        if (r < 0)
                                return r;
                        d->left -= (uint32_t) k;
                        p += k;
                        n -= k;
                }
        }
        return 0;
}
