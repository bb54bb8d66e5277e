/* supervisor/ctl/run_pure.c: the pure parts of berthctl's run verbs (run.h): docker's stream
 * demultiplexer and logs' time arguments. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/create_flags.h"
#include "supervisor/ctl/run.h"
#include "supervisor/logger/jsonfile.h"

void
ctl_demux_feed(struct ctl_demux *d, const uint8_t *buf, size_t len,
               void (*out)(int stream, const uint8_t *p, size_t n, void *ud), void *ud)
{
        while (len > 0) {
                if (d->left == 0) {
                        size_t take = sizeof(d->hdr) - d->hdr_len;
                        if (take > len)
                                take = len;
                        memcpy(d->hdr + d->hdr_len, buf, take);
                        d->hdr_len += take;
                        buf += take;
                        len -= take;
                        if (d->hdr_len < sizeof(d->hdr))
                                return;
                        d->stream = d->hdr[0];
                        d->left = (uint32_t) d->hdr[4] << 24 | (uint32_t) d->hdr[5] << 16
                                  | (uint32_t) d->hdr[6] << 8 | d->hdr[7];
                        d->hdr_len = 0;
                        continue;
                }
                size_t n = len < d->left ? len : d->left;
                out(d->stream, buf, n, ud);
                d->left -= (uint32_t) n;
                buf += n;
                len -= n;
        }
}

char *
ctl_logs_time_arg(const char *s, int64_t now_sec)
{
        cleanup_error berth_error_t *err = NULL;
        int64_t ns, d;
        char *end;

        if (s == NULL || *s == '\0')
                return NULL;
        (void) strtod(s, &end);
        if (*end == '\0')
                return xstrdup(s);
        ns = jsonfile_time_parse(s);
        if (ns >= 0)
                return xasprintf("%lld.%09lld", (long long) (ns / 1000000000),
                                 (long long) (ns % 1000000000));
        if (ctl_parse_duration(s, &d, &err) == 0) {
                ns = now_sec * 1000000000 - d;
                return xasprintf("%lld.%09lld", (long long) (ns / 1000000000),
                                 (long long) (ns % 1000000000));
        }
        return NULL;
}
