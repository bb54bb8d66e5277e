/* proto/ttrpc/wire.h: the protobuf wire format, as much as ttrpc's own envelope needs (Request,
 * Response, KeyValue, google.rpc.Status, google.protobuf.Any; interfaces.md §1.4). Hand-written so
 * that proto/ttrpc depends on neither protobuf-c (berthd) nor nanopb (the shim): payloads stay
 * opaque bytes here. Decoders skip unknown fields, groups included, as protobuf requires. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

enum wire_type {
        WIRE_VARINT = 0,
        WIRE_I64 = 1,
        WIRE_LEN = 2,
        WIRE_SGROUP = 3, /* deprecated groups: only ever skipped */
        WIRE_EGROUP = 4,
        WIRE_I32 = 5,
};

/* A growing output buffer. */
struct wire_buf {
        uint8_t *data;
        size_t len;
        size_t cap;
};
void wire_buf_done(struct wire_buf *b);
void wire_put_raw(struct wire_buf *b, const void *data, size_t len);
void wire_put_varint(struct wire_buf *b, uint64_t v);
void wire_put_tag(struct wire_buf *b, uint32_t field, enum wire_type type);
/* A field is written even when it holds its default value: omitting those is the caller's call. */
void wire_put_varint_field(struct wire_buf *b, uint32_t field, uint64_t v);
void wire_put_bytes_field(struct wire_buf *b, uint32_t field, const void *data, size_t len);
void wire_put_string_field(struct wire_buf *b, uint32_t field, const char *s);

/* Reading: fields one at a time from borrowed bytes. */
struct wire_reader {
        const uint8_t *p;
        size_t len;
        size_t off;
};
struct wire_field {
        uint32_t number;
        enum wire_type type;
        uint64_t value;      /* WIRE_VARINT, WIRE_I64, WIRE_I32 (little-endian, as read) */
        const uint8_t *data; /* WIRE_LEN: borrowed from the reader's bytes */
        size_t len;
};
void wire_reader_init(struct wire_reader *r, const void *data, size_t len);
/* The next field: 1 with *RET filled, 0 at the end, -EBADMSG on malformed input. A group is
 * returned as one WIRE_SGROUP field with its contents already skipped. */
int wire_reader_next(struct wire_reader *r, struct wire_field *ret, berth_error_t **err);
/* -EBADMSG unless F has wire type WANT. */
int wire_field_check(const struct wire_field *f, enum wire_type want, berth_error_t **err);
/* A WIRE_LEN field as a NUL-terminated copy; a NUL byte inside is -EBADMSG (it would cut the C
 * string short and make "a\0b" look like "a"). *RET is replaced (last one wins, as protobuf). */
int wire_field_string(const struct wire_field *f, char **ret, berth_error_t **err);
/* A WIRE_LEN field as a copy (NULL when empty); *RET is replaced. */
int wire_field_bytes(const struct wire_field *f, uint8_t **ret, size_t *ret_len,
                     berth_error_t **err);

/* ttrpc.KeyValue: metadata is a multimap with lower-case keys (containerd sends
 * "containerd-namespace-ttrpc" on every call). */
struct ttrpc_kv {
        char *key;
        char *value;
};
/* The first value of KEY among N entries of MD, or NULL. */
const char *ttrpc_metadata_get(const struct ttrpc_kv *md, size_t n, const char *key);

/* ttrpc.Request. Parsed ones own every pointer; ttrpc_request_done() frees them. */
struct ttrpc_request {
        char *service;
        char *method;
        uint8_t *payload;
        size_t payload_len;
        int64_t timeout_nano; /* relative; 0: none; negative: already expired */
        struct ttrpc_kv *metadata;
        size_t n_metadata;
};
void ttrpc_request_format(const struct ttrpc_request *req, struct wire_buf *out);
int ttrpc_request_parse(const uint8_t *data, size_t len, struct ttrpc_request *ret,
                        berth_error_t **err);
void ttrpc_request_done(struct ttrpc_request *req);

/* google.protobuf.Any and google.rpc.Status (containerd never sends details; they are kept). */
struct ttrpc_any {
        char *type_url;
        uint8_t *value;
        size_t value_len;
};
struct ttrpc_status {
        int32_t code; /* enum ttrpc_code (status.h) */
        char *message;
        struct ttrpc_any *details;
        size_t n_details;
};
void ttrpc_status_done(struct ttrpc_status *st);

/* ttrpc.Response. On success the Go server leaves the status out and sends the payload only;
 * a missing status and code 0 both mean OK. */
struct ttrpc_response {
        bool has_status;
        struct ttrpc_status status;
        uint8_t *payload;
        size_t payload_len;
};
void ttrpc_response_format(const struct ttrpc_response *resp, struct wire_buf *out);
int ttrpc_response_parse(const uint8_t *data, size_t len, struct ttrpc_response *ret,
                         berth_error_t **err);
void ttrpc_response_done(struct ttrpc_response *resp);
