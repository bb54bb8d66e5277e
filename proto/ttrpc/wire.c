/* proto/ttrpc/wire.c: protobuf varints, tags and fields, and the ttrpc envelope on top of them. */
#include <config.h>

#include "proto/ttrpc/wire.h"

#include <string.h>

#include "lib/xalloc.h"

/* Nesting allowed inside skipped groups: plenty for real data, and bounds the recursion. */
#define WIRE_MAX_GROUP_DEPTH 64

void
wire_buf_done(struct wire_buf *b)
{
        free(b->data);
        memset(b, 0, sizeof(*b));
}

void
wire_put_raw(struct wire_buf *b, const void *data, size_t len)
{
        if (b->len + len > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                while (cap < b->len + len)
                        cap *= 2;
                b->data = xrealloc(b->data, cap);
                b->cap = cap;
        }
        if (len > 0)
                memcpy(b->data + b->len, data, len);
        b->len += len;
}

void
wire_put_varint(struct wire_buf *b, uint64_t v)
{
        uint8_t tmp[10];
        size_t n = 0;

        do {
                tmp[n] = (uint8_t) (v & 0x7f);
                v >>= 7;
                if (v)
                        tmp[n] |= 0x80;
                n++;
        } while (v);
        wire_put_raw(b, tmp, n);
}

void
wire_put_tag(struct wire_buf *b, uint32_t field, enum wire_type type)
{
        wire_put_varint(b, (uint64_t) field << 3 | (uint64_t) type);
}

void
wire_put_varint_field(struct wire_buf *b, uint32_t field, uint64_t v)
{
        wire_put_tag(b, field, WIRE_VARINT);
        wire_put_varint(b, v);
}

void
wire_put_bytes_field(struct wire_buf *b, uint32_t field, const void *data, size_t len)
{
        wire_put_tag(b, field, WIRE_LEN);
        wire_put_varint(b, len);
        wire_put_raw(b, data, len);
}

void
wire_put_string_field(struct wire_buf *b, uint32_t field, const char *s)
{
        wire_put_bytes_field(b, field, s, strlen(s));
}

void
wire_reader_init(struct wire_reader *r, const void *data, size_t len)
{
        r->p = data;
        r->len = len;
        r->off = 0;
}

static int
read_varint(struct wire_reader *r, uint64_t *ret, berth_error_t **err)
{
        uint64_t v = 0;

        for (unsigned shift = 0; shift < 70; shift += 7) {
                uint8_t byte;
                if (r->off >= r->len)
                        return berth_error_new(err, EBADMSG, "unexpected end of data in a varint");
                byte = r->p[r->off++];
                v |= (uint64_t) (byte & 0x7f) << shift;
                if (!(byte & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return berth_error_new(err, EBADMSG, "varint longer than 10 bytes");
}

static int
read_fixed(struct wire_reader *r, size_t n, uint64_t *ret, berth_error_t **err)
{
        uint64_t v = 0;

        if (r->len - r->off < n)
                return berth_error_new(err, EBADMSG,
                                       "unexpected end of data in a fixed-size field");
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t) r->p[r->off + i] << (8 * i);
        r->off += n;
        *ret = v;
        return 0;
}

static int read_field(struct wire_reader *r, struct wire_field *ret, unsigned depth,
                      berth_error_t **err);

/* Skip the contents of group NUMBER, up to and including its end tag. */
static int
skip_group(struct wire_reader *r, uint32_t number, unsigned depth, berth_error_t **err)
{
        struct wire_field f;
        int r_;

        if (depth > WIRE_MAX_GROUP_DEPTH)
                return berth_error_new(err, EBADMSG, "groups nested too deeply");
        for (;;) {
                if (r->off >= r->len)
                        return berth_error_new(err, EBADMSG,
                                               "field %u: unexpected end of data in a group",
                                               number);
                r_ = read_field(r, &f, depth + 1, err);
                if (r_ < 0)
                        return r_;
                if (f.type == WIRE_EGROUP) {
                        if (f.number != number)
                                return berth_error_new(err, EBADMSG,
                                                       "field %u: group ended by field %u", number,
                                                       f.number);
                        return 0;
                }
        }
}

/* One field at r->off, which must not be at the end. An end-group tag is returned as such. */
static int
read_field(struct wire_reader *r, struct wire_field *ret, unsigned depth, berth_error_t **err)
{
        uint64_t key, len;
        int r_;

        memset(ret, 0, sizeof(*ret));
        r_ = read_varint(r, &key, err);
        if (r_ < 0)
                return r_;
        if (key >> 3 == 0 || key >> 3 > 0x1fffffff)
                return berth_error_new(err, EBADMSG, "bad field number %llu",
                                       (unsigned long long) (key >> 3));
        ret->number = (uint32_t) (key >> 3);
        ret->type = (enum wire_type)(key & 7);
        switch (ret->type) {
        case WIRE_VARINT:
                return read_varint(r, &ret->value, err);
        case WIRE_I64:
                return read_fixed(r, 8, &ret->value, err);
        case WIRE_I32:
                return read_fixed(r, 4, &ret->value, err);
        case WIRE_LEN:
                r_ = read_varint(r, &len, err);
                if (r_ < 0)
                        return r_;
                if (len > r->len - r->off)
                        return berth_error_new(
                                err, EBADMSG, "field %u: length %llu runs past the end of the data",
                                ret->number, (unsigned long long) len);
                ret->data = r->p + r->off;
                ret->len = (size_t) len;
                r->off += (size_t) len;
                return 0;
        case WIRE_SGROUP:
                return skip_group(r, ret->number, depth, err);
        case WIRE_EGROUP:
                return 0;
        }
        return berth_error_new(err, EBADMSG, "field %u: unknown wire type %d", ret->number,
                               (int) ret->type);
}

int
wire_reader_next(struct wire_reader *r, struct wire_field *ret, berth_error_t **err)
{
        int r_;

        if (r->off >= r->len)
                return 0;
        r_ = read_field(r, ret, 0, err);
        if (r_ < 0)
                return r_;
        if (ret->type == WIRE_EGROUP)
                return berth_error_new(err, EBADMSG, "field %u: end of a group that never started",
                                       ret->number);
        return 1;
}

int
wire_field_check(const struct wire_field *f, enum wire_type want, berth_error_t **err)
{
        if (f->type != want)
                return berth_error_new(err, EBADMSG, "field %u: wire type %d, expected %d",
                                       f->number, (int) f->type, (int) want);
        return 0;
}

int
wire_field_string(const struct wire_field *f, char **ret, berth_error_t **err)
{
        int r = wire_field_check(f, WIRE_LEN, err);

        if (r < 0)
                return r;
        if (memchr(f->data, '\0', f->len))
                return berth_error_new(err, EBADMSG, "field %u: string holds a NUL byte",
                                       f->number);
        free(*ret);
        *ret = xstrndup((const char *) f->data, f->len);
        return 0;
}

int
wire_field_bytes(const struct wire_field *f, uint8_t **ret, size_t *ret_len, berth_error_t **err)
{
        int r = wire_field_check(f, WIRE_LEN, err);

        if (r < 0)
                return r;
        free(*ret);
        *ret = NULL;
        if (f->len > 0) {
                *ret = xmalloc(f->len);
                memcpy(*ret, f->data, f->len);
        }
        *ret_len = f->len;
        return 0;
}

const char *
ttrpc_metadata_get(const struct ttrpc_kv *md, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++) {
                if (strcmp(md[i].key, key) == 0)
                        return md[i].value;
        }
        return NULL;
}

/* proto3: a scalar that holds its default value is not sent. */
static void
put_string_nonempty(struct wire_buf *b, uint32_t field, const char *s)
{
        if (s && *s)
                wire_put_string_field(b, field, s);
}

void
ttrpc_request_format(const struct ttrpc_request *req, struct wire_buf *out)
{
        put_string_nonempty(out, 1, req->service);
        put_string_nonempty(out, 2, req->method);
        if (req->payload_len > 0)
                wire_put_bytes_field(out, 3, req->payload, req->payload_len);
        if (req->timeout_nano != 0)
                wire_put_varint_field(out, 4, (uint64_t) req->timeout_nano);
        for (size_t i = 0; i < req->n_metadata; i++) {
                struct wire_buf kv = {0};
                put_string_nonempty(&kv, 1, req->metadata[i].key);
                put_string_nonempty(&kv, 2, req->metadata[i].value);
                wire_put_bytes_field(out, 5, kv.data, kv.len);
                wire_buf_done(&kv);
        }
}

static int
kv_parse(const struct wire_field *f, struct ttrpc_kv *kv, berth_error_t **err)
{
        struct wire_reader r;
        struct wire_field g;
        int n;

        wire_reader_init(&r, f->data, f->len);
        while ((n = wire_reader_next(&r, &g, err)) > 0) {
                int e = 0;
                if (g.number == 1)
                        e = wire_field_string(&g, &kv->key, err);
                else if (g.number == 2)
                        e = wire_field_string(&g, &kv->value, err);
                if (e < 0)
                        return e;
        }
        if (n < 0)
                return n;
        if (!kv->key)
                kv->key = xstrdup("");
        if (!kv->value)
                kv->value = xstrdup("");
        return 0;
}

static int
request_parse_field(const struct wire_field *f, struct ttrpc_request *req, berth_error_t **err)
{
        struct ttrpc_kv *kv;
        int r;

        switch (f->number) {
        case 1:
                return wire_field_string(f, &req->service, err);
        case 2:
                return wire_field_string(f, &req->method, err);
        case 3:
                return wire_field_bytes(f, &req->payload, &req->payload_len, err);
        case 4:
                r = wire_field_check(f, WIRE_VARINT, err);
                if (r < 0)
                        return r;
                req->timeout_nano = (int64_t) f->value;
                return 0;
        case 5:
                r = wire_field_check(f, WIRE_LEN, err);
                if (r < 0)
                        return r;
                req->metadata = xreallocarray(req->metadata, req->n_metadata + 1, sizeof(*kv));
                kv = &req->metadata[req->n_metadata++];
                memset(kv, 0, sizeof(*kv));
                r = kv_parse(f, kv, err);
                if (r < 0)
                        return berth_error_prefix(err, "metadata");
                return 0;
        default:
                return 0; /* unknown: skipped */
        }
}

int
ttrpc_request_parse(const uint8_t *data, size_t len, struct ttrpc_request *ret, berth_error_t **err)
{
        struct ttrpc_request req = {0};
        struct wire_reader r;
        struct wire_field f;
        int n, e;

        wire_reader_init(&r, data, len);
        while ((n = wire_reader_next(&r, &f, err)) > 0) {
                e = request_parse_field(&f, &req, err);
                if (e < 0) {
                        ttrpc_request_done(&req);
                        return e;
                }
        }
        if (n < 0) {
                ttrpc_request_done(&req);
                return n;
        }
        if (!req.service)
                req.service = xstrdup("");
        if (!req.method)
                req.method = xstrdup("");
        *ret = req;
        return 0;
}

void
ttrpc_request_done(struct ttrpc_request *req)
{
        free(req->service);
        free(req->method);
        free(req->payload);
        for (size_t i = 0; i < req->n_metadata; i++) {
                free(req->metadata[i].key);
                free(req->metadata[i].value);
        }
        free(req->metadata);
        memset(req, 0, sizeof(*req));
}

static void
any_done(struct ttrpc_any *a)
{
        free(a->type_url);
        free(a->value);
}

void
ttrpc_status_done(struct ttrpc_status *st)
{
        free(st->message);
        for (size_t i = 0; i < st->n_details; i++)
                any_done(&st->details[i]);
        free(st->details);
        memset(st, 0, sizeof(*st));
}

static void
status_format(const struct ttrpc_status *st, struct wire_buf *out)
{
        if (st->code != 0)
                wire_put_varint_field(out, 1, (uint64_t) (int64_t) st->code);
        put_string_nonempty(out, 2, st->message);
        for (size_t i = 0; i < st->n_details; i++) {
                struct wire_buf any = {0};
                put_string_nonempty(&any, 1, st->details[i].type_url);
                if (st->details[i].value_len > 0)
                        wire_put_bytes_field(&any, 2, st->details[i].value,
                                             st->details[i].value_len);
                wire_put_bytes_field(out, 3, any.data, any.len);
                wire_buf_done(&any);
        }
}

void
ttrpc_response_format(const struct ttrpc_response *resp, struct wire_buf *out)
{
        if (resp->has_status) {
                struct wire_buf st = {0};
                status_format(&resp->status, &st);
                wire_put_bytes_field(out, 1, st.data, st.len);
                wire_buf_done(&st);
        }
        if (resp->payload_len > 0)
                wire_put_bytes_field(out, 2, resp->payload, resp->payload_len);
}

static int
any_parse(const struct wire_field *f, struct ttrpc_any *a, berth_error_t **err)
{
        struct wire_reader r;
        struct wire_field g;
        int n;

        wire_reader_init(&r, f->data, f->len);
        while ((n = wire_reader_next(&r, &g, err)) > 0) {
                int e = 0;
                if (g.number == 1)
                        e = wire_field_string(&g, &a->type_url, err);
                else if (g.number == 2)
                        e = wire_field_bytes(&g, &a->value, &a->value_len, err);
                if (e < 0)
                        return e;
        }
        if (n < 0)
                return n;
        if (!a->type_url)
                a->type_url = xstrdup("");
        return 0;
}

static int
status_parse_field(const struct wire_field *g, struct ttrpc_status *st, berth_error_t **err)
{
        struct ttrpc_any *a;
        int r;

        switch (g->number) {
        case 1:
                r = wire_field_check(g, WIRE_VARINT, err);
                if (r < 0)
                        return r;
                st->code = (int32_t) (uint32_t) g->value; /* int32: the low 32 bits */
                return 0;
        case 2:
                r = wire_field_check(g, WIRE_LEN, err);
                if (r < 0)
                        return r;
                /* For people only: a NUL byte ends the text instead of failing the response. */
                free(st->message);
                st->message = xstrndup((const char *) g->data, g->len);
                return 0;
        case 3:
                r = wire_field_check(g, WIRE_LEN, err);
                if (r < 0)
                        return r;
                st->details = xreallocarray(st->details, st->n_details + 1, sizeof(*a));
                a = &st->details[st->n_details++];
                memset(a, 0, sizeof(*a));
                return any_parse(g, a, err);
        default:
                return 0;
        }
}

/* Into ST, which may hold an earlier occurrence: protobuf merges repeated message fields. */
static int
status_parse(const struct wire_field *f, struct ttrpc_status *st, berth_error_t **err)
{
        struct wire_reader r;
        struct wire_field g;
        int n, e;

        e = wire_field_check(f, WIRE_LEN, err);
        if (e < 0)
                return e;
        wire_reader_init(&r, f->data, f->len);
        while ((n = wire_reader_next(&r, &g, err)) > 0) {
                e = status_parse_field(&g, st, err);
                if (e < 0)
                        return e;
        }
        if (n < 0)
                return n;
        if (!st->message)
                st->message = xstrdup("");
        return 0;
}

int
ttrpc_response_parse(const uint8_t *data, size_t len, struct ttrpc_response *ret,
                     berth_error_t **err)
{
        struct ttrpc_response resp = {0};
        struct wire_reader r;
        struct wire_field f;
        int n, e = 0;

        wire_reader_init(&r, data, len);
        while ((n = wire_reader_next(&r, &f, err)) > 0) {
                if (f.number == 1) {
                        resp.has_status = true;
                        e = status_parse(&f, &resp.status, err);
                        if (e < 0)
                                e = berth_error_prefix(err, "status");
                } else if (f.number == 2) {
                        e = wire_field_bytes(&f, &resp.payload, &resp.payload_len, err);
                }
                if (e < 0) {
                        ttrpc_response_done(&resp);
                        return e;
                }
        }
        if (n < 0) {
                ttrpc_response_done(&resp);
                return n;
        }
        *ret = resp;
        return 0;
}

void
ttrpc_response_done(struct ttrpc_response *resp)
{
        ttrpc_status_done(&resp->status);
        free(resp->payload);
        memset(resp, 0, sizeof(*resp));
}
