/* lib/detach_keys.c: docker's detach key sequence, parsed and spotted in stdin bytes. */
#include <config.h>

#include "lib/detach_keys.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

static int
ctrl_code(const char *key, uint8_t *ret)
{
        char c;

        if (strlen(key) != 6 || strncasecmp(key, "ctrl-", 5) != 0)
                return -1;
        c = (char) tolower((unsigned char) key[5]);
        if (c >= 'a' && c <= 'z')
                *ret = (uint8_t) (c - 'a' + 1);
        else if (c == '@')
                *ret = 0;
        else if (c >= '[' && c <= '_') /* [ \ ] ^ _ : 27..31 */
                *ret = (uint8_t) (c - '[' + 27);
        else
                return -1;
        return 0;
}

int
detach_keys_parse(const char *spec, struct detach_keys *ret, berth_error_t **err)
{
        struct detach_keys out = {0};
        cleanup_free char *copy = NULL;

        if (spec == NULL || spec[0] == '\0')
                spec = DETACH_KEYS_DEFAULT;
        copy = xstrdup(spec);
        /* strtok_r would skip empty items, which docker refuses ("a,,b"). */
        for (char *key = copy, *next; key; key = next) {
                next = strchr(key, ',');
                if (next)
                        *next++ = '\0';
                if (out.n == DETACH_KEYS_MAX)
                        return berth_error_new(err, EINVAL, "Invalid detach keys (%s) provided",
                                               spec);
                if (strlen(key) == 1)
                        out.keys[out.n++] = (uint8_t) key[0];
                else if (ctrl_code(key, &out.keys[out.n]) == 0)
                        out.n++;
                else
                        return berth_error_new(err, EINVAL, "Invalid detach keys (%s) provided",
                                               spec);
        }
        *ret = out;
        return 0;
}

bool
detach_keys_scan(struct detach_keys *d, const void *in, size_t len, void *out, size_t *ret_out_len)
{
        const uint8_t *p = in;
        uint8_t *o = out;
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                if (d->n == 0) {
                        o[n++] = p[i];
                        continue;
                }
                if (p[i] == d->keys[d->matched]) {
                        if (++d->matched == d->n) {
                                d->matched = 0;
                                *ret_out_len = n;
                                return true;
                        }
                        continue;
                }
                /* Not the sequence after all: the held keys go through, then this byte is
                 * looked at afresh (it may start the sequence). */
                memcpy(o + n, d->keys, d->matched);
                n += d->matched;
                d->matched = 0;
                if (p[i] == d->keys[0]) {
                        if (d->n == 1) {
                                *ret_out_len = n;
                                return true;
                        }
                        d->matched = 1;
                        continue;
                }
                o[n++] = p[i];
        }
        *ret_out_len = n;
        return false;
}
