/* proto/nano_callbacks.c: nanopb callbacks for open-ended fields, and berth-error wrappers. */
#include <config.h>

#include "proto/nano_callbacks.h"

#include <errno.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

bool
nano_decode_strv(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
        size_t n = stream->bytes_left;
        cleanup_free char *s = xmalloc(n + 1);
        char **v = *arg;

        (void) field;
        if (!pb_read(stream, (pb_byte_t *) s, n))
                return false;
        /* A NUL inside a mount option or path would silently cut it short in C. */
        if (memchr(s, '\0', n))
                PB_RETURN_ERROR(stream, "string holds a NUL byte");
        s[n] = '\0';
        strv_push(&v, s);
        *arg = v;
        return true;
}

bool
nano_encode_strv(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
        char *const *v = *arg;

        strv_foreach(s, v) {
                if (!pb_encode_tag_for_field(stream, field))
                        return false;
                if (!pb_encode_string(stream, (const pb_byte_t *) s, strlen(s)))
                        return false;
        }
        return true;
}

bool
nano_decode_bytes(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
        size_t n = stream->bytes_left;
        cleanup_free struct nano_bytes *b = xmalloc(sizeof(*b) + n);

        (void) field;
        b->len = n;
        if (!pb_read(stream, b->data, n))
                return false;
        free(*arg);
        *arg = TAKE_PTR(b);
        return true;
}

bool
nano_encode_span(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
        const struct nano_span *s = *arg;

        if (!s || s->len == 0)
                return true;
        if (!pb_encode_tag_for_field(stream, field))
                return false;
        return pb_encode_string(stream, s->data, s->len);
}

bool
nano_encode_message(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
        const struct nano_message *m = *arg;

        /* A sub-message and a bytes field share wire type 2, so this also fills Any.value. */
        if (!pb_encode_tag(stream, PB_WT_STRING, field->tag))
                return false;
        return pb_encode_submessage(stream, m->desc, m->msg);
}

bool
nano_encode_packed_u64(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
        const struct nano_u64s *u = *arg;
        pb_ostream_t sizing = PB_OSTREAM_SIZING;

        if (!u || u->n == 0)
                return true;
        for (size_t i = 0; i < u->n; i++)
                if (!pb_encode_varint(&sizing, u->v[i]))
                        return false;
        if (!pb_encode_tag(stream, PB_WT_STRING, field->tag))
                return false;
        if (!pb_encode_varint(stream, sizing.bytes_written))
                return false;
        for (size_t i = 0; i < u->n; i++)
                if (!pb_encode_varint(stream, u->v[i]))
                        return false;
        return true;
}

bool
nano_decode_list(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
        struct nano_list *l = *arg;
        cleanup_free void *item = xzalloc(l->size);

        (void) field;
        if (l->prepare)
                l->prepare(item);
        if (!pb_decode(stream, l->desc, item)) {
                if (l->release)
                        l->release(item);
                return false;
        }
        l->items = xreallocarray(l->items, l->count + 1, l->size);
        memcpy((char *) l->items + l->count * l->size, item, l->size);
        l->count++;
        return true;
}

bool
nano_encode_list(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
        const struct nano_list *l = *arg;

        for (size_t i = 0; i < l->count; i++) {
                if (!pb_encode_tag_for_field(stream, field))
                        return false;
                if (!pb_encode_submessage(stream, l->desc, (const char *) l->items + i * l->size))
                        return false;
        }
        return true;
}

void
nano_free_list_items(struct nano_list *l)
{
        if (l->release)
                for (size_t i = 0; i < l->count; i++)
                        l->release((char *) l->items + i * l->size);
        free(l->items);
        l->items = NULL;
        l->count = 0;
}

void
nano_prepare_mount(void *item)
{
        containerd_types_Mount *m = item;

        m->options.funcs.decode = nano_decode_strv;
        m->options.arg = NULL;
}

void
nano_release_mount(void *item)
{
        containerd_types_Mount *m = item;

        strv_free(m->options.arg);
        m->options.arg = NULL;
}

int
nano_decode(const pb_msgdesc_t *desc, void *msg, const void *buf, size_t len, berth_error_t **err)
{
        pb_istream_t stream = pb_istream_from_buffer(buf, len);

        if (!pb_decode(&stream, desc, msg))
                return berth_error_new(err, EINVAL, "protobuf: %s", PB_GET_ERROR(&stream));
        return 0;
}

int
nano_encode(const pb_msgdesc_t *desc, const void *msg, uint8_t **ret_buf, size_t *ret_len,
            berth_error_t **err)
{
        cleanup_free uint8_t *buf = NULL;
        pb_ostream_t stream;
        size_t size;

        if (!pb_get_encoded_size(&size, desc, msg))
                return berth_error_new(err, EINVAL, "protobuf: cannot size the message");
        buf = xmalloc(size ? size : 1);
        stream = pb_ostream_from_buffer(buf, size);
        if (!pb_encode(&stream, desc, msg))
                return berth_error_new(err, EINVAL, "protobuf: %s", PB_GET_ERROR(&stream));
        /* Callbacks run twice (size, then write): one that changed its mind is a bug. */
        if (stream.bytes_written != size)
                return berth_error_new(err, EINVAL, "protobuf: encoded %zu bytes, sized %zu",
                                       stream.bytes_written, size);
        *ret_buf = TAKE_PTR(buf);
        *ret_len = size;
        return 0;
}

int
nano_set_any(google_protobuf_Any *any, const char *type_url, const struct nano_message *msg,
             berth_error_t **err)
{
        size_t n = strlen(type_url);

        if (n >= sizeof(any->type_url))
                return berth_error_new(err, EINVAL, "any: type_url \"%s\" longer than %zu bytes",
                                       type_url, sizeof(any->type_url) - 1);
        memcpy(any->type_url, type_url, n + 1);
        any->value.funcs.encode = nano_encode_message;
        any->value.arg = (void *) msg;
        return 0;
}

int
nano_unpack_any(const google_protobuf_Any *any, const char *type_url, const pb_msgdesc_t *desc,
                void *msg, berth_error_t **err)
{
        const struct nano_bytes *b = any->value.arg;
        int r;

        if (strcmp(any->type_url, type_url) != 0)
                return berth_error_new(err, EINVAL, "any: type_url \"%s\", expected \"%s\"",
                                       any->type_url, type_url);
        r = nano_decode(desc, msg, b ? b->data : (const uint8_t *) "", b ? b->len : 0, err);
        if (r < 0)
                return berth_error_prefix(err, "any \"%s\"", type_url);
        return 0;
}
