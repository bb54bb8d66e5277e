/* proto/nano_callbacks.h: the nanopb side of proto/ for the shim: callbacks for the fields the
 * .options files leave open (lists, bytes, Any values) and encode/decode with berth errors.
 *
 * A decode callback keeps its result in the callback's own `arg`, so an element copied out of a
 * list keeps what was decoded into it: after pb_decode, a string list's `arg` is a char ** strv,
 * a bytes field's `arg` a struct nano_bytes *. Encode callbacks borrow what `arg` points to. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pb.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include "containerd/types/mount.pb.h"
#include "google/protobuf/any.pb.h"
#include "lib/error.h"

/* Decoded bytes: one allocation, released with free(). */
struct nano_bytes {
        size_t len;
        uint8_t data[];
};

/* Borrowed bytes to encode. */
struct nano_span {
        const void *data;
        size_t len;
};

/* A message encoded as a length-delimited field: a sub-message, or the value of an Any. */
struct nano_message {
        const pb_msgdesc_t *desc;
        const void *msg;
};

/* Borrowed integers for a packed repeated uint64 field. */
struct nano_u64s {
        const uint64_t *v;
        size_t n;
};

/* A repeated message field. Decoding appends to items (realloc'd; nano_free_list_items frees it);
 * encoding writes items[0..count). */
struct nano_list {
        const pb_msgdesc_t *desc;    /* element type, e.g. containerd_types_Mount_fields */
        size_t size;                 /* sizeof one element */
        void (*prepare)(void *item); /* before decoding: point a zeroed element's callbacks */
        void (*release)(void *item); /* frees what decoding left in an element's callbacks */
        void *items;
        size_t count;
};

/* *arg: char ** strv, NULL at first; each string is appended (strv_free it). NUL bytes refused. */
bool nano_decode_strv(pb_istream_t *stream, const pb_field_t *field, void **arg);
/* *arg: char *const *, NULL-terminated; NULL encodes nothing. */
bool nano_encode_strv(pb_ostream_t *stream, const pb_field_t *field, void *const *arg);
/* *arg: struct nano_bytes *, NULL at first; a later occurrence replaces it (proto3: last wins). */
bool nano_decode_bytes(pb_istream_t *stream, const pb_field_t *field, void **arg);
/* *arg: const struct nano_span *; NULL or empty encodes nothing. */
bool nano_encode_span(pb_ostream_t *stream, const pb_field_t *field, void *const *arg);
/* *arg: const struct nano_message *. */
bool nano_encode_message(pb_ostream_t *stream, const pb_field_t *field, void *const *arg);
/* *arg: const struct nano_u64s *; proto3's packed form, nothing when empty. */
bool nano_encode_packed_u64(pb_ostream_t *stream, const pb_field_t *field, void *const *arg);
/* *arg: struct nano_list *. */
bool nano_decode_list(pb_istream_t *stream, const pb_field_t *field, void **arg);
/* *arg: const struct nano_list *. */
bool nano_encode_list(pb_ostream_t *stream, const pb_field_t *field, void *const *arg);
/* Releases every element and the array; the list can be reused. */
void nano_free_list_items(struct nano_list *l);

/* containerd.types.Mount elements (CreateTaskRequest.rootfs): options decode into a strv. */
void nano_prepare_mount(void *item);
void nano_release_mount(void *item);
#define NANO_MOUNT_LIST_INIT                                                                   \
        {                                                                                      \
                .desc = containerd_types_Mount_fields, .size = sizeof(containerd_types_Mount), \
                .prepare = nano_prepare_mount, .release = nano_release_mount                   \
        }

/* Decodes BUF into MSG (static fields reset, callbacks kept); -EINVAL with nanopb's reason. */
int nano_decode(const pb_msgdesc_t *desc, void *msg, const void *buf, size_t len,
                berth_error_t **err);
/* Encodes MSG into a new buffer (*ret_buf is yours; never NULL, even for zero bytes). */
int nano_encode(const pb_msgdesc_t *desc, const void *msg, uint8_t **ret_buf, size_t *ret_len,
                berth_error_t **err);

/* Points ANY at MSG under TYPE_URL for encoding; ANY borrows MSG. -EINVAL if TYPE_URL is too long.
 */
int nano_set_any(google_protobuf_Any *any, const char *type_url, const struct nano_message *msg,
                 berth_error_t **err);
/* Decodes the value of ANY (decoded with nano_decode_bytes) into MSG after checking its
 * type_url: -EINVAL naming both URLs when they differ. */
int nano_unpack_any(const google_protobuf_Any *any, const char *type_url, const pb_msgdesc_t *desc,
                    void *msg, berth_error_t **err);
