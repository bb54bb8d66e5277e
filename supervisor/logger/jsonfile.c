/* supervisor/logger/jsonfile.c: docker's json-file format (jsonfile.h). */
#include <config.h>

#include "supervisor/logger/jsonfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/xalloc.h"

void
jsonfile_time_format(int64_t sec, int32_t nsec, char *buf, size_t len)
{
        time_t t = (time_t) sec;
        struct tm tm;
        char frac[16] = "";

        gmtime_r(&t, &tm);
        if (nsec > 0) {
                snprintf(frac, sizeof(frac), ".%09d", (int) nsec);
                for (size_t i = strlen(frac) - 1; frac[i] == '0'; i--)
                        frac[i] = '\0';
        }
        snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

int64_t
jsonfile_time_parse(const char *s)
{
        struct tm tm = {0};
        const char *p;
        int64_t ns = 0, off = 0;

        if (s == NULL)
                return -1;
        p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (p == NULL)
                return -1;
        if (*p == '.') {
                int digits = 0;
                for (p++; isdigit((unsigned char) *p); p++, digits++)
                        if (digits < 9)
                                ns = ns * 10 + (*p - '0');
                for (; digits < 9; digits++)
                        ns *= 10;
        }
        if (*p == 'Z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int h, m;
                if (sscanf(p + 1, "%2d:%2d", &h, &m) != 2)
                        return -1;
                off = (int64_t) (h * 3600 + m * 60) * (*p == '+' ? 1 : -1);
                p += 6;
        } else {
                return -1;
        }
        if (*p != '\0')
                return -1;
        return ((int64_t) timegm(&tm) - off) * 1000000000 + ns;
}

/* Length of a valid UTF-8 sequence at S (N bytes left), 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
        uint32_t c;
        size_t len;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0)
                len = 2, c = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                len = 3, c = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                len = 4, c = s[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000)
            || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        return len;
}

struct buf {
        char *p;
        size_t len, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                b->cap = (b->len + n + 1) * 2;
                b->p = xrealloc(b->p, b->cap);
        }
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
        put(b, s, strlen(s));
}

char *
jsonfile_line_encode(const char *stream, const char *log, size_t len, int64_t sec, int32_t nsec)
{
        const unsigned char *s = (const unsigned char *) log;
        struct buf b = {0};
        char tbuf[64], esc[8];

        puts_(&b, "{\"log\":\"");
        for (size_t i = 0; i < len;) {
                unsigned char c = s[i];
                size_t l;
                switch (c) {
                case '"':
                        puts_(&b, "\\\"");
                        i++;
                        continue;
                case '\\':
                        puts_(&b, "\\\\");
                        i++;
                        continue;
                case '\n':
                        puts_(&b, "\\n");
                        i++;
                        continue;
                case '\r':
                        puts_(&b, "\\r");
                        i++;
                        continue;
                case '\t':
                        puts_(&b, "\\t");
                        i++;
                        continue;
                case '<':
                case '>':
                case '&':
                        snprintf(esc, sizeof(esc), "\\u%04x", c);
                        puts_(&b, esc);
                        i++;
                        continue;
                default:
                        break;
                }
                if (c < 0x20) {
                        snprintf(esc, sizeof(esc), "\\u%04x", c);
                        puts_(&b, esc);
                        i++;
                        continue;
                }
                l = utf8_len(s + i, len - i);
                if (l == 0) {
                        puts_(&b, "\\ufffd");
                        i++;
                        continue;
                }
                /* U+2028 and U+2029, escaped by encoding/json. */
                if (l == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] & 0xfe) == 0xa8) {
                        puts_(&b, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
                        i += 3;
                        continue;
                }
                put(&b, log + i, l);
                i += l;
        }
        jsonfile_time_format(sec, nsec, tbuf, sizeof(tbuf));
        puts_(&b, "\",\"stream\":\"");
        puts_(&b, stream);
        puts_(&b, "\",\"time\":\"");
        puts_(&b, tbuf);
        puts_(&b, "\"}\n");
        return b.p;
}

int
jsonfile_entry_parse(const char *line, size_t len, struct jsonfile_entry *ret)
{
        struct json_tokener *tok = json_tokener_new();
        struct json_object *o, *v;
        int r = -1;

        memset(ret, 0, sizeof(*ret));
        o = json_tokener_parse_ex(tok, line, (int) len);
        json_tokener_free(tok);
        if (o == NULL || !json_object_is_type(o, json_type_object))
                goto out;
        if (!json_object_object_get_ex(o, "log", &v) || !json_object_is_type(v, json_type_string))
                goto out;
        ret->log_len = (size_t) json_object_get_string_len(v);
        ret->log = xmalloc(ret->log_len + 1);
        memcpy(ret->log, json_object_get_string(v), ret->log_len + 1);
        ret->stream = json_object_object_get_ex(o, "stream", &v)
                                      && strcmp(json_object_get_string(v), "stderr") == 0
                              ? 2
                              : 1;
        ret->time_ns = json_object_object_get_ex(o, "time", &v)
                               ? jsonfile_time_parse(json_object_get_string(v))
                               : 0;
        r = 0;
out:
        json_object_put(o);
        return r;
}

void
jsonfile_entry_done(struct jsonfile_entry *e)
{
        free(e->log);
        e->log = NULL;
}

int64_t
jsonfile_size_parse(const char *s)
{
        char *end;
        double v;
        int64_t mult = 1;

        if (s == NULL || *s == '\0')
                return -1;
        v = strtod(s, &end);
        if (end == s || v < 0)
                return -1;
        switch (tolower((unsigned char) *end)) {
        case '\0':
                break;
        case 'b':
                break;
        case 'k':
                mult = 1024;
                break;
        case 'm':
                mult = 1024 * 1024;
                break;
        case 'g':
                mult = 1024 * 1024 * 1024;
                break;
        default:
                return -1;
        }
        if (*end) {
                end++;
                if (tolower((unsigned char) *end) == 'b')
                        end++;
                if (*end != '\0')
                        return -1;
        }
        return (int64_t) (v * (double) mult);
}

char *
jsonfile_rotated_name(const char *path, unsigned n)
{
        return n == 0 ? xstrdup(path) : xasprintf("%s.%u", path, n);
}

int
jsonfile_timestamp_parse(const char *s, int64_t *ret)
{
        char *end;
        long long sec;
        int64_t ns = 0;

        if (s == NULL || *s == '\0')
                return -1;
        sec = strtoll(s, &end, 10);
        if (end == s)
                return -1;
        if (*end == '.') {
                int digits = 0;
                for (end++; isdigit((unsigned char) *end); end++, digits++)
                        if (digits < 9)
                                ns = ns * 10 + (*end - '0');
                for (; digits < 9; digits++)
                        ns *= 10;
        }
        if (*end != '\0')
                return -1;
        *ret = (int64_t) sec * 1000000000 + ns;
        return 0;
}

bool
jsonfile_entry_wanted(const struct jsonfile_entry *e, bool out, bool err, int64_t since,
                      int64_t until)
{
        if ((e->stream == 1 && !out) || (e->stream == 2 && !err))
                return false;
        if (since > 0 && e->time_ns < since)
                return false;
        if (until > 0 && e->time_ns > until)
                return false;
        return true;
}

long
jsonfile_tail_parse(const char *s)
{
        char *end;
        long n;

        if (s == NULL || *s == '\0' || strcmp(s, "all") == 0)
                return -1;
        n = strtol(s, &end, 10);
        if (*end != '\0')
                return -2;
        return n < 0 ? -1 : n;
}

void
stdcopy_header(uint8_t hdr[8], int stream, uint32_t len)
{
        hdr[0] = (uint8_t) stream;
        hdr[1] = hdr[2] = hdr[3] = 0;
        hdr[4] = (uint8_t) (len >> 24);
        hdr[5] = (uint8_t) (len >> 16);
        hdr[6] = (uint8_t) (len >> 8);
        hdr[7] = (uint8_t) len;
}
