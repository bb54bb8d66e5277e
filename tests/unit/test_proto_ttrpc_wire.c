/* tests/unit/test_proto_ttrpc_wire.c: proto/ttrpc/wire.h against bytes that Go's gogo/protobuf
 * produced for ttrpc.Request and ttrpc.Response (Debian's golang-github-containerd-ttrpc-dev
 * 1.1.1), plus unknown fields, groups, metadata and malformed input. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ttrpc/wire.h"

/* proto.Marshal(&ttrpc.Request{Service: "s.S", Method: "M", Payload: {8, 1}, TimeoutNano: 1000,
 * Metadata: {{"k", "v"}, {"k", "w"}}}) */
static const uint8_t go_request[] = {
        0x0a, 0x03, 0x73, 0x2e, 0x53, 0x12, 0x01, 0x4d, 0x1a, 0x02, 0x08,
        0x01, 0x20, 0xe8, 0x07, 0x2a, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01,
        0x76, 0x2a, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x77,
};
/* {Service: "s", Method: "M", TimeoutNano: -1}: a negative int64 takes ten bytes */
static const uint8_t go_request_negative[] = {
        0x0a, 0x01, 0x73, 0x12, 0x01, 0x4d, 0x20, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
};
/* {Status: {Code: 5, Message: "x: not found", Details: {{TypeUrl: "t", Value: {1}}}}} */
static const uint8_t go_response_status[] = {
        0x0a, 0x18, 0x08, 0x05, 0x12, 0x0c, 0x78, 0x3a, 0x20, 0x6e, 0x6f, 0x74, 0x20,
        0x66, 0x6f, 0x75, 0x6e, 0x64, 0x1a, 0x06, 0x0a, 0x01, 0x74, 0x12, 0x01, 0x01,
};
/* {Status: {Code: -2}}: int32 is sign-extended to ten bytes */
static const uint8_t go_response_negative[] = {
        0x0a, 0x0b, 0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
};
/* interfaces.md §1.4, observed from containerd-shim-runc-v2: Connect's answer, payload only */
static const uint8_t go_response_payload[] = {0x12, 0x03, 0x08, 0x94, 0x60};

static void
test_varint(void **state)
{
        struct wire_buf b = {0};
        struct wire_reader r;
        struct wire_field f;
        cleanup_error berth_error_t *err = NULL;

        (void) state;
        wire_put_varint_field(&b, 1, 0);
        wire_put_varint_field(&b, 2, 300);
        wire_put_varint_field(&b, 3, UINT64_MAX);
        assert_memory_equal(b.data, ((uint8_t[]){0x08, 0x00, 0x10, 0xac, 0x02, 0x18}), 6);
        assert_int_equal(b.len, 6 + 10);
        wire_reader_init(&r, b.data, b.len);
        assert_int_equal(wire_reader_next(&r, &f, &err), 1);
        assert_int_equal(f.value, 0);
        assert_int_equal(wire_reader_next(&r, &f, &err), 1);
        assert_int_equal(f.number, 2);
        assert_int_equal(f.value, 300);
        assert_int_equal(wire_reader_next(&r, &f, &err), 1);
        assert_true(f.value == UINT64_MAX);
        assert_int_equal(wire_reader_next(&r, &f, &err), 0);
        wire_buf_done(&b);
}

static void
test_request_matches_go(void **state)
{
        struct ttrpc_kv md[] = {{"k", "v"}, {"k", "w"}};
        struct ttrpc_request req = {.service = "s.S",
                                    .method = "M",
                                    .payload = (uint8_t[]){8, 1},
                                    .payload_len = 2,
                                    .timeout_nano = 1000,
                                    .metadata = md,
                                    .n_metadata = 2};
        struct ttrpc_request neg = {.service = "s", .method = "M", .timeout_nano = -1};
        struct wire_buf b = {0};

        (void) state;
        ttrpc_request_format(&req, &b);
        assert_int_equal(b.len, sizeof(go_request));
        assert_memory_equal(b.data, go_request, sizeof(go_request));
        wire_buf_done(&b);
        ttrpc_request_format(&neg, &b);
        assert_int_equal(b.len, sizeof(go_request_negative));
        assert_memory_equal(b.data, go_request_negative, sizeof(go_request_negative));
        wire_buf_done(&b);
}

static void
test_request_parse(void **state)
{
        struct ttrpc_request req;
        cleanup_error berth_error_t *err = NULL;

        (void) state;
        assert_int_equal(ttrpc_request_parse(go_request, sizeof(go_request), &req, &err), 0);
        assert_string_equal(req.service, "s.S");
        assert_string_equal(req.method, "M");
        assert_int_equal(req.payload_len, 2);
        assert_memory_equal(req.payload, ((uint8_t[]){8, 1}), 2);
        assert_int_equal(req.timeout_nano, 1000);
        assert_int_equal(req.n_metadata, 2);
        assert_string_equal(ttrpc_metadata_get(req.metadata, req.n_metadata, "k"), "v");
        assert_string_equal(req.metadata[1].value, "w"); /* a multimap: both kept, in order */
        assert_null(ttrpc_metadata_get(req.metadata, req.n_metadata, "K"));
        ttrpc_request_done(&req);

        assert_int_equal(
                ttrpc_request_parse(go_request_negative, sizeof(go_request_negative), &req, &err),
                0);
        assert_int_equal(req.timeout_nano, -1);
        assert_null(req.payload);
        ttrpc_request_done(&req);

        /* Empty input is a valid, empty request. */
        assert_int_equal(ttrpc_request_parse(NULL, 0, &req, &err), 0);
        assert_string_equal(req.service, "");
        assert_string_equal(req.method, "");
        ttrpc_request_done(&req);
}

static void
test_request_unknown_fields(void **state)
{
        struct wire_buf b = {0};
        struct ttrpc_request req;
        cleanup_error berth_error_t *err = NULL;

        (void) state;
        /* Fields a later ttrpc might add, of every wire type, around and inside the known ones. */
        wire_put_varint_field(&b, 99, 7);
        wire_put_string_field(&b, 1, "svc");
        wire_put_tag(&b, 100, WIRE_I64);
        wire_put_raw(&b, "12345678", 8);
        wire_put_tag(&b, 101, WIRE_I32);
        wire_put_raw(&b, "1234", 4);
        wire_put_tag(&b, 102, WIRE_SGROUP); /* a group, with a nested group inside */
        wire_put_varint_field(&b, 1, 5);
        wire_put_tag(&b, 103, WIRE_SGROUP);
        wire_put_string_field(&b, 2, "deep");
        wire_put_tag(&b, 103, WIRE_EGROUP);
        wire_put_tag(&b, 102, WIRE_EGROUP);
        wire_put_string_field(&b, 2, "first");
        wire_put_string_field(&b, 2, "Method"); /* repeated scalar: the last one wins */
        {
                struct wire_buf kv = {0};
                wire_put_string_field(&kv, 1, "containerd-namespace-ttrpc");
                wire_put_varint_field(&kv, 3, 1); /* unknown inside KeyValue */
                wire_put_string_field(&kv, 2, "default");
                wire_put_bytes_field(&b, 5, kv.data, kv.len);
                wire_buf_done(&kv);
        }
        wire_put_bytes_field(&b, 55, "opaque", 6);
        assert_int_equal(ttrpc_request_parse(b.data, b.len, &req, &err), 0);
        assert_string_equal(req.service, "svc");
        assert_string_equal(req.method, "Method");
        assert_string_equal(
                ttrpc_metadata_get(req.metadata, req.n_metadata, "containerd-namespace-ttrpc"),
                "default");
        ttrpc_request_done(&req);
        wire_buf_done(&b);
}

static void
expect_bad_request(const uint8_t *data, size_t len, const char *msg)
{
        struct ttrpc_request req;
        berth_error_t *err = NULL;

        assert_int_equal(ttrpc_request_parse(data, len, &req, &err), -EBADMSG);
        assert_non_null(err);
        assert_int_equal(err->code, EBADMSG);
        assert_string_equal(err->msg, msg);
        berth_error_free(err);
}

static void
test_request_malformed(void **state)
{
        (void) state;
        expect_bad_request(go_request, sizeof(go_request) - 1,
                           "field 5: length 6 runs past the end of the data");
        expect_bad_request((uint8_t[]){0x20, 0xff}, 2, "unexpected end of data in a varint");
        expect_bad_request(
                (uint8_t[]){0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
                12, "varint longer than 10 bytes");
        expect_bad_request((uint8_t[]){0x0a, 0x01}, 2,
                           "field 1: length 1 runs past the end of the data");
        expect_bad_request((uint8_t[]){0x08, 0x01}, 2, "field 1: wire type 0, expected 2");
        expect_bad_request((uint8_t[]){0x22, 0x00}, 2, "field 4: wire type 2, expected 0");
        expect_bad_request((uint8_t[]){0x0a, 0x03, 'a', 0, 'b'}, 5,
                           "field 1: string holds a NUL byte");
        expect_bad_request((uint8_t[]){0x00, 0x01}, 2, "bad field number 0");
        expect_bad_request((uint8_t[]){0x0e}, 1, "field 1: unknown wire type 6");
        expect_bad_request((uint8_t[]){0x0c}, 1, "field 1: end of a group that never started");
        expect_bad_request((uint8_t[]){0x0b, 0x08, 0x01}, 3,
                           "field 1: unexpected end of data in a group");
        expect_bad_request((uint8_t[]){0x0b, 0x14}, 2, "field 1: group ended by field 2");
        expect_bad_request((uint8_t[]){0x2a, 0x02, 0x08, 0x01}, 4,
                           "metadata: field 1: wire type 0, expected 2");
}

static void
test_response_matches_go(void **state)
{
        struct ttrpc_any any = {.type_url = "t", .value = (uint8_t[]){1}, .value_len = 1};
        struct ttrpc_response resp = {
                .has_status = true,
                .status = {.code = 5, .message = "x: not found", .details = &any, .n_details = 1}};
        struct ttrpc_response neg = {.has_status = true, .status = {.code = -2}};
        struct ttrpc_response ok = {.payload = (uint8_t[]){0x08, 0x94, 0x60}, .payload_len = 3};
        struct wire_buf b = {0};

        (void) state;
        ttrpc_response_format(&resp, &b);
        assert_int_equal(b.len, sizeof(go_response_status));
        assert_memory_equal(b.data, go_response_status, b.len);
        wire_buf_done(&b);
        ttrpc_response_format(&neg, &b);
        assert_int_equal(b.len, sizeof(go_response_negative));
        assert_memory_equal(b.data, go_response_negative, b.len);
        wire_buf_done(&b);
        ttrpc_response_format(&ok, &b);
        assert_int_equal(b.len, sizeof(go_response_payload));
        assert_memory_equal(b.data, go_response_payload, b.len);
        wire_buf_done(&b);
        /* Success with an empty payload is zero bytes (Shutdown's answer, §1.2). */
        ok.payload_len = 0;
        ttrpc_response_format(&ok, &b);
        assert_int_equal(b.len, 0);
        wire_buf_done(&b);
}

static void
test_response_parse(void **state)
{
        struct ttrpc_response resp;
        cleanup_error berth_error_t *err = NULL;
        struct wire_buf b = {0};

        (void) state;
        assert_int_equal(
                ttrpc_response_parse(go_response_payload, sizeof(go_response_payload), &resp, &err),
                0);
        assert_false(resp.has_status);
        assert_int_equal(resp.payload_len, 3);
        assert_memory_equal(resp.payload, ((uint8_t[]){0x08, 0x94, 0x60}), 3);
        ttrpc_response_done(&resp);

        assert_int_equal(
                ttrpc_response_parse(go_response_status, sizeof(go_response_status), &resp, &err),
                0);
        assert_true(resp.has_status);
        assert_int_equal(resp.status.code, 5);
        assert_string_equal(resp.status.message, "x: not found");
        assert_int_equal(resp.status.n_details, 1);
        assert_string_equal(resp.status.details[0].type_url, "t");
        assert_int_equal(resp.status.details[0].value_len, 1);
        assert_null(resp.payload);
        ttrpc_response_done(&resp);

        assert_int_equal(ttrpc_response_parse(go_response_negative, sizeof(go_response_negative),
                                              &resp, &err),
                         0);
        assert_int_equal(resp.status.code, -2);
        assert_string_equal(resp.status.message, "");
        ttrpc_response_done(&resp);

        /* Status given twice: merged, as protobuf does for a message field; unknowns skipped. */
        wire_put_bytes_field(&b, 1, (uint8_t[]){0x08, 0x03}, 2);
        wire_put_varint_field(&b, 7, 1);
        wire_put_bytes_field(&b, 1, (uint8_t[]){0x12, 0x01, 'm', 0x20, 0x01}, 5);
        assert_int_equal(ttrpc_response_parse(b.data, b.len, &resp, &err), 0);
        assert_int_equal(resp.status.code, 3);
        assert_string_equal(resp.status.message, "m");
        ttrpc_response_done(&resp);
        wire_buf_done(&b);

        assert_int_equal(ttrpc_response_parse((uint8_t[]){0x0a, 0x02, 0x08}, 3, &resp, &err),
                         -EBADMSG);
        assert_string_equal(err->msg, "field 1: length 2 runs past the end of the data");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_varint),
                cmocka_unit_test(test_request_matches_go),
                cmocka_unit_test(test_request_parse),
                cmocka_unit_test(test_request_unknown_fields),
                cmocka_unit_test(test_request_malformed),
                cmocka_unit_test(test_response_matches_go),
                cmocka_unit_test(test_response_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
