/* tests/unit/test_proto_codecs.c: berth's two codecs for the shim v2 messages (nanopb in the shim,
 * protobuf-c in berthd) read each other's bytes, and both write the bytes containerd writes. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pb_common.h>
#include <protobuf-c/protobuf-c.h>

#include "cgroups/v1/metrics.pb-c.h"
#include "cgroups/v1/metrics.pb.h"
#include "containerd/events/task.pb-c.h"
#include "containerd/events/task.pb.h"
#include "containerd/runc/v1/options.pb-c.h"
#include "containerd/runc/v1/options.pb.h"
#include "containerd/services/events/ttrpc/v1/events.pb-c.h"
#include "containerd/services/events/ttrpc/v1/events.pb.h"
#include "containerd/task/v2/shim.pb-c.h"
#include "containerd/task/v2/shim.pb.h"
#include "google/protobuf/empty.pb-c.h"
#include "google/protobuf/empty.pb.h"
#include "lib/error.h"
#include "lib/strv.h"
#include "proto/nano_callbacks.h"

/* Go's time.Time{} as a Timestamp: what containerd sends for "not exited" (interfaces.md §3.2). */
#define GO_ZERO_SECONDS (-62135596800LL)

static void
assert_bytes_equal(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
        if (got_len != want_len || memcmp(got, want, want_len) != 0) {
                for (size_t i = 0; i < got_len; i++)
                        print_message("%02x ", got[i]);
                print_message("\n");
        }
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);
}

static uint8_t *
pbc_pack(const ProtobufCMessage *m, size_t *ret_len)
{
        size_t n = protobuf_c_message_get_packed_size(m);
        uint8_t *buf = malloc(n ? n : 1);

        assert_non_null(buf);
        assert_int_equal(protobuf_c_message_pack(m, buf), n);
        *ret_len = n;
        return buf;
}

static uint8_t *
nano_pack(const pb_msgdesc_t *desc, const void *msg, size_t *ret_len)
{
        cleanup_error berth_error_t *err = NULL;
        uint8_t *buf = NULL;

        assert_int_equal(nano_encode(desc, msg, &buf, ret_len, &err), 0);
        assert_null(err);
        return buf;
}

/* Debian's libprotobuf-nanopb.a is built without PB_FIELD_32BIT (16-bit pb_size_t): a build that
 * defined it would disagree with the library about every struct it passes. The library's
 * pb_field_iter_begin() must write exactly the iterator our headers declare. */
static void
test_nanopb_headers_match_the_library(void **state)
{
        union {
                pb_field_iter_t iter;
                unsigned char bytes[sizeof(pb_field_iter_t) + 64];
        } u;
        containerd_task_v2_CreateTaskRequest *req = calloc(1, sizeof(*req));
        size_t last = 0;

        (void) state;
        assert_non_null(req);
        memset(u.bytes, 0xa5, sizeof(u.bytes));
        assert_true(pb_field_iter_begin(&u.iter, containerd_task_v2_CreateTaskRequest_fields, req));
        for (size_t i = 0; i < sizeof(u.bytes); i++)
                if (u.bytes[i] != 0xa5)
                        last = i + 1;
        assert_true(last <= sizeof(pb_field_iter_t));
        assert_int_equal(u.iter.tag, 1);
        assert_ptr_equal(u.iter.pData, req->id);
        free(req);
}

/* containerd's ConnectResponse as observed on the wire from containerd-shim-runc-v2
 * (interfaces.md §1.4: payload 08 94 60 = shim_pid 12308). */
static void
test_connect_response_bytes(void **state)
{
        static const uint8_t want[] = {0x08, 0x94, 0x60};
        containerd_task_v2_ConnectResponse n = containerd_task_v2_ConnectResponse_init_zero;
        Containerd__Task__V2__ConnectResponse c = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
        cleanup_free uint8_t *nb = NULL, *cb = NULL;
        size_t nlen, clen;

        (void) state;
        n.shim_pid = 12308;
        c.shim_pid = 12308;
        nb = nano_pack(containerd_task_v2_ConnectResponse_fields, &n, &nlen);
        cb = pbc_pack(&c.base, &clen);
        assert_bytes_equal(nb, nlen, want, sizeof(want));
        assert_bytes_equal(cb, clen, want, sizeof(want));
}

/* The shape of the runc shim's `delete` output (interfaces.md §2.5): pid uint32(-1), status 137,
 * a 12-byte timestamp. Hand-encoded: 1700000000 = 80 e2 cf aa 06, 500000000 = 80 ca b5 ee 01. */
static void
test_delete_response_bytes(void **state)
{
        static const uint8_t want[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x10, 0x89,
                                       0x01, 0x1a, 0x0c, 0x08, 0x80, 0xe2, 0xcf, 0xaa,
                                       0x06, 0x10, 0x80, 0xca, 0xb5, 0xee, 0x01};
        containerd_task_v2_DeleteResponse n = containerd_task_v2_DeleteResponse_init_zero;
        Containerd__Task__V2__DeleteResponse c = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
        Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        cleanup_free uint8_t *nb = NULL, *cb = NULL;
        size_t nlen, clen;

        (void) state;
        n.pid = UINT32_MAX;
        n.exit_status = 137;
        n.has_exited_at = true;
        n.exited_at.seconds = 1700000000;
        n.exited_at.nanos = 500000000;
        c.pid = UINT32_MAX;
        c.exit_status = 137;
        ts.seconds = 1700000000;
        ts.nanos = 500000000;
        c.exited_at = &ts;
        nb = nano_pack(containerd_task_v2_DeleteResponse_fields, &n, &nlen);
        cb = pbc_pack(&c.base, &clen);
        assert_bytes_equal(nb, nlen, want, sizeof(want));
        assert_bytes_equal(cb, clen, want, sizeof(want));
}

/* Empty (the answer of Kill, Pause, Shutdown, …) is zero bytes (interfaces.md §1.2). */
static void
test_empty_is_zero_bytes(void **state)
{
        google_protobuf_Empty n = google_protobuf_Empty_init_zero;
        Google__Protobuf__Empty c = GOOGLE__PROTOBUF__EMPTY__INIT;
        cleanup_free uint8_t *nb = NULL, *cb = NULL;
        size_t nlen, clen;

        (void) state;
        nb = nano_pack(google_protobuf_Empty_fields, &n, &nlen);
        cb = pbc_pack(&c.base, &clen);
        assert_int_equal(nlen, 0);
        assert_int_equal(clen, 0);
}

/* Two rootfs mounts as containerd sends them (no target) and runc options in an Any. */
static const char *const overlay_options[] = {"index=off", "workdir=/var/lib/x/3/work",
                                              "upperdir=/var/lib/x/3/fs",
                                              "lowerdir=/var/lib/x/2/fs:/var/lib/x/1/fs", NULL};
static const char *const bind_options[] = {"ro", "rbind", NULL};

static void
check_create_request_pbc(const Containerd__Task__V2__CreateTaskRequest *c)
{
        Containerd__Runc__V1__Options *o = NULL;

        assert_string_equal(c->id, "ctr1");
        assert_string_equal(c->bundle,
                            "/run/containerd/io.containerd.runtime.v2.task/default/ctr1");
        assert_true(c->terminal);
        assert_string_equal(c->stdin, "/run/containerd/fifo/1/ctr1-stdin");
        assert_string_equal(c->stdout, "/run/containerd/fifo/1/ctr1-stdout");
        assert_string_equal(c->stderr, "");
        assert_string_equal(c->checkpoint, "");
        assert_int_equal(c->n_rootfs, 2);
        assert_string_equal(c->rootfs[0]->type, "overlay");
        assert_string_equal(c->rootfs[0]->source, "overlay");
        assert_string_equal(c->rootfs[0]->target, "");
        assert_int_equal(c->rootfs[0]->n_options, 4);
        for (size_t i = 0; i < 4; i++)
                assert_string_equal(c->rootfs[0]->options[i], overlay_options[i]);
        assert_string_equal(c->rootfs[1]->type, "bind");
        assert_string_equal(c->rootfs[1]->source, "/var/lib/x/1/fs");
        assert_int_equal(c->rootfs[1]->n_options, 2);
        assert_string_equal(c->rootfs[1]->options[1], "rbind");
        assert_non_null(c->options);
        assert_string_equal(c->options->type_url, "containerd.runc.v1.Options");
        o = containerd__runc__v1__options__unpack(NULL, c->options->value.len,
                                                  c->options->value.data);
        assert_non_null(o);
        assert_string_equal(o->binary_name, "/usr/local/sbin/berth");
        assert_string_equal(o->root, "/run/containerd/berth");
        assert_true(o->systemd_cgroup);
        assert_int_equal(o->io_uid, 1000);
        assert_false(o->no_pivot_root);
        containerd__runc__v1__options__free_unpacked(o, NULL);
}

static void
test_create_task_request_nanopb_to_protobuf_c(void **state)
{
        containerd_task_v2_CreateTaskRequest *req = calloc(1, sizeof(*req));
        containerd_runc_v1_Options *opts = calloc(1, sizeof(*opts));
        containerd_types_Mount mounts[2] = {containerd_types_Mount_init_zero,
                                            containerd_types_Mount_init_zero};
        struct nano_list rootfs = {.desc = containerd_types_Mount_fields,
                                   .size = sizeof(containerd_types_Mount),
                                   .items = mounts,
                                   .count = 2};
        struct nano_message inner = {containerd_runc_v1_Options_fields, opts};
        Containerd__Task__V2__CreateTaskRequest *c = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len;

        (void) state;
        assert_non_null(req);
        assert_non_null(opts);
        strcpy(opts->binary_name, "/usr/local/sbin/berth");
        strcpy(opts->root, "/run/containerd/berth");
        opts->systemd_cgroup = true;
        opts->io_uid = 1000;
        strcpy(mounts[0].type, "overlay");
        strcpy(mounts[0].source, "overlay");
        mounts[0].options.funcs.encode = nano_encode_strv;
        mounts[0].options.arg = (void *) overlay_options;
        strcpy(mounts[1].type, "bind");
        strcpy(mounts[1].source, "/var/lib/x/1/fs");
        mounts[1].options.funcs.encode = nano_encode_strv;
        mounts[1].options.arg = (void *) bind_options;

        strcpy(req->id, "ctr1");
        strcpy(req->bundle, "/run/containerd/io.containerd.runtime.v2.task/default/ctr1");
        req->terminal = true;
        strcpy(req->stdin, "/run/containerd/fifo/1/ctr1-stdin");
        strcpy(req->stdout, "/run/containerd/fifo/1/ctr1-stdout");
        req->rootfs.funcs.encode = nano_encode_list;
        req->rootfs.arg = &rootfs;
        req->has_options = true;
        assert_int_equal(nano_set_any(&req->options, "containerd.runc.v1.Options", &inner, &err),
                         0);
        assert_int_equal(
                nano_encode(containerd_task_v2_CreateTaskRequest_fields, req, &buf, &len, &err), 0);

        c = containerd__task__v2__create_task_request__unpack(NULL, len, buf);
        assert_non_null(c);
        check_create_request_pbc(c);
        containerd__task__v2__create_task_request__free_unpacked(c, NULL);
        free(opts);
        free(req);
}

static void
test_create_task_request_protobuf_c_to_nanopb(void **state)
{
        Containerd__Task__V2__CreateTaskRequest c = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
        Containerd__Types__Mount m0 = CONTAINERD__TYPES__MOUNT__INIT,
                                 m1 = CONTAINERD__TYPES__MOUNT__INIT;
        Containerd__Types__Mount *mounts[] = {&m0, &m1};
        Containerd__Runc__V1__Options o = CONTAINERD__RUNC__V1__OPTIONS__INIT;
        Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
        containerd_task_v2_CreateTaskRequest *req = calloc(1, sizeof(*req));
        containerd_runc_v1_Options *opts = calloc(1, sizeof(*opts));
        struct nano_list rootfs = NANO_MOUNT_LIST_INIT;
        const containerd_types_Mount *got = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *ob = NULL, *buf = NULL;
        size_t olen, len;
        char **v = NULL;

        (void) state;
        assert_non_null(req);
        assert_non_null(opts);
        o.binary_name = "/usr/local/sbin/berth";
        o.root = "/run/containerd/berth";
        o.systemd_cgroup = true;
        o.io_uid = 1000;
        ob = pbc_pack(&o.base, &olen);
        any.type_url = "containerd.runc.v1.Options";
        any.value.data = ob;
        any.value.len = olen;
        m0.type = "overlay";
        m0.source = "overlay";
        m0.n_options = 4;
        m0.options = (char **) overlay_options;
        m1.type = "bind";
        m1.source = "/var/lib/x/1/fs";
        m1.n_options = 2;
        m1.options = (char **) bind_options;
        c.id = "ctr1";
        c.bundle = "/run/containerd/io.containerd.runtime.v2.task/default/ctr1";
        c.terminal = true;
        c.stdin = "/run/containerd/fifo/1/ctr1-stdin";
        c.stdout = "/run/containerd/fifo/1/ctr1-stdout";
        c.n_rootfs = 2;
        c.rootfs = mounts;
        c.options = &any;
        buf = pbc_pack(&c.base, &len);

        req->rootfs.funcs.decode = nano_decode_list;
        req->rootfs.arg = &rootfs;
        req->options.value.funcs.decode = nano_decode_bytes;
        assert_int_equal(
                nano_decode(containerd_task_v2_CreateTaskRequest_fields, req, buf, len, &err), 0);
        assert_string_equal(req->id, "ctr1");
        assert_string_equal(req->bundle, c.bundle);
        assert_true(req->terminal);
        assert_string_equal(req->stdin, c.stdin);
        assert_string_equal(req->stdout, c.stdout);
        assert_string_equal(req->stderr, "");
        assert_int_equal(rootfs.count, 2);
        got = rootfs.items;
        assert_string_equal(got[0].type, "overlay");
        assert_string_equal(got[0].target, "");
        v = got[0].options.arg;
        assert_int_equal(strv_length(v), 4);
        for (size_t i = 0; i < 4; i++)
                assert_string_equal(v[i], overlay_options[i]);
        assert_string_equal(got[1].source, "/var/lib/x/1/fs");
        v = got[1].options.arg;
        assert_int_equal(strv_length(v), 2);
        assert_string_equal(v[0], "ro");

        assert_true(req->has_options);
        assert_int_equal(nano_unpack_any(&req->options, "containerd.runc.v1.Options",
                                         containerd_runc_v1_Options_fields, opts, &err),
                         0);
        assert_string_equal(opts->binary_name, "/usr/local/sbin/berth");
        assert_string_equal(opts->root, "/run/containerd/berth");
        assert_true(opts->systemd_cgroup);
        assert_int_equal(opts->io_uid, 1000);

        /* The wrong message in the Any is refused with both names. */
        assert_int_equal(nano_unpack_any(&req->options, "runtimeoptions.v1.Options",
                                         containerd_runc_v1_Options_fields, opts, &err),
                         -EINVAL);
        assert_string_equal(err->msg, "any: type_url \"containerd.runc.v1.Options\", expected "
                                      "\"runtimeoptions.v1.Options\"");

        nano_free_list_items(&rootfs);
        free(req->options.value.arg);
        free(opts);
        free(req);
}

/* A process that has not exited: exited_at is Go's zero time, never 1970 (interfaces.md §3.2).
 * Field 10, 11 bytes: 08 and the ten-byte varint of -62135596800. */
static const uint8_t zero_time_field[] = {0x52, 0x0b, 0x08, 0x80, 0x92, 0xb8, 0xc3,
                                          0x98, 0xfe, 0xff, 0xff, 0xff, 0x01};

static void
test_state_response_zero_time_nanopb_to_protobuf_c(void **state)
{
        containerd_task_v2_StateResponse *n = calloc(1, sizeof(*n));
        Containerd__Task__V2__StateResponse *c = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len;

        (void) state;
        assert_non_null(n);
        strcpy(n->id, "ctr1");
        strcpy(n->bundle, "/run/b");
        n->pid = 4242;
        n->status = containerd_v1_types_Status_RUNNING;
        n->has_exited_at = true;
        n->exited_at.seconds = GO_ZERO_SECONDS;
        buf = nano_pack(containerd_task_v2_StateResponse_fields, n, &len);
        assert_true(len >= sizeof(zero_time_field));
        assert_memory_equal(buf + len - sizeof(zero_time_field), zero_time_field,
                            sizeof(zero_time_field));

        c = containerd__task__v2__state_response__unpack(NULL, len, buf);
        assert_non_null(c);
        assert_string_equal(c->id, "ctr1");
        assert_string_equal(c->bundle, "/run/b");
        assert_int_equal(c->pid, 4242);
        assert_int_equal(c->status, CONTAINERD__V1__TYPES__STATUS__RUNNING);
        assert_non_null(c->exited_at);
        assert_int_equal(c->exited_at->seconds, GO_ZERO_SECONDS);
        assert_int_equal(c->exited_at->nanos, 0);
        assert_int_equal(c->exit_status, 0);
        containerd__task__v2__state_response__free_unpacked(c, NULL);
        free(n);
}

static void
test_state_response_zero_time_protobuf_c_to_nanopb(void **state)
{
        Containerd__Task__V2__StateResponse c = CONTAINERD__TASK__V2__STATE_RESPONSE__INIT;
        Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        containerd_task_v2_StateResponse *n = calloc(1, sizeof(*n));
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len;

        (void) state;
        assert_non_null(n);
        c.id = "exec1";
        c.pid = 4243;
        c.status = CONTAINERD__V1__TYPES__STATUS__STOPPED;
        c.exit_status = 137;
        c.exec_id = "exec1";
        ts.seconds = GO_ZERO_SECONDS;
        c.exited_at = &ts;
        buf = pbc_pack(&c.base, &len);
        assert_int_equal(nano_decode(containerd_task_v2_StateResponse_fields, n, buf, len, &err),
                         0);
        assert_string_equal(n->id, "exec1");
        assert_string_equal(n->exec_id, "exec1");
        assert_int_equal(n->status, containerd_v1_types_Status_STOPPED);
        assert_int_equal(n->exit_status, 137);
        assert_true(n->has_exited_at);
        assert_int_equal(n->exited_at.seconds, GO_ZERO_SECONDS);
        assert_int_equal(n->exited_at.nanos, 0);
        free(n);
}

/* TaskExit in an Any in an Envelope in a ForwardRequest: what a shim sends to Events/Forward. */
static void
test_task_exit_envelope_nanopb_to_protobuf_c(void **state)
{
        containerd_events_TaskExit exit_ = containerd_events_TaskExit_init_zero;
        containerd_services_events_ttrpc_v1_ForwardRequest fwd =
                containerd_services_events_ttrpc_v1_ForwardRequest_init_zero;
        struct nano_message inner = {containerd_events_TaskExit_fields, &exit_};
        Containerd__Services__Events__Ttrpc__V1__ForwardRequest *c = NULL;
        Containerd__Events__TaskExit *e = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len;

        (void) state;
        strcpy(exit_.container_id, "ctr1");
        strcpy(exit_.id, "ctr1");
        exit_.pid = 4242;
        exit_.exit_status = 143;
        exit_.has_exited_at = true;
        exit_.exited_at.seconds = 1700000000;
        exit_.exited_at.nanos = 1;
        fwd.has_envelope = true;
        fwd.envelope.has_timestamp = true;
        fwd.envelope.timestamp.seconds = 1700000001;
        strcpy(fwd.envelope.namespace, "default");
        strcpy(fwd.envelope.topic, "/tasks/exit");
        fwd.envelope.has_event = true;
        assert_int_equal(
                nano_set_any(&fwd.envelope.event, "containerd.events.TaskExit", &inner, &err), 0);
        buf = nano_pack(containerd_services_events_ttrpc_v1_ForwardRequest_fields, &fwd, &len);

        c = containerd__services__events__ttrpc__v1__forward_request__unpack(NULL, len, buf);
        assert_non_null(c);
        assert_non_null(c->envelope);
        assert_int_equal(c->envelope->timestamp->seconds, 1700000001);
        assert_string_equal(c->envelope->namespace_, "default");
        assert_string_equal(c->envelope->topic, "/tasks/exit");
        assert_string_equal(c->envelope->event->type_url, "containerd.events.TaskExit");
        e = containerd__events__task_exit__unpack(NULL, c->envelope->event->value.len,
                                                  c->envelope->event->value.data);
        assert_non_null(e);
        assert_string_equal(e->container_id, "ctr1");
        assert_string_equal(e->id, "ctr1");
        assert_int_equal(e->pid, 4242);
        assert_int_equal(e->exit_status, 143);
        assert_int_equal(e->exited_at->seconds, 1700000000);
        assert_int_equal(e->exited_at->nanos, 1);
        containerd__events__task_exit__free_unpacked(e, NULL);
        containerd__services__events__ttrpc__v1__forward_request__free_unpacked(c, NULL);
}

static void
test_task_exit_envelope_protobuf_c_to_nanopb(void **state)
{
        Containerd__Events__TaskExit e = CONTAINERD__EVENTS__TASK_EXIT__INIT;
        Google__Protobuf__Timestamp exited = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        Google__Protobuf__Timestamp now = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
        Containerd__Services__Events__Ttrpc__V1__Envelope env =
                CONTAINERD__SERVICES__EVENTS__TTRPC__V1__ENVELOPE__INIT;
        Containerd__Services__Events__Ttrpc__V1__ForwardRequest c =
                CONTAINERD__SERVICES__EVENTS__TTRPC__V1__FORWARD_REQUEST__INIT;
        containerd_services_events_ttrpc_v1_ForwardRequest fwd =
                containerd_services_events_ttrpc_v1_ForwardRequest_init_zero;
        containerd_events_TaskExit got = containerd_events_TaskExit_init_zero;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *eb = NULL, *buf = NULL;
        size_t elen, len;

        (void) state;
        e.container_id = "ctr1";
        e.id = "exec-7";
        e.pid = 4300;
        e.exit_status = 1;
        exited.seconds = 1700000000;
        e.exited_at = &exited;
        eb = pbc_pack(&e.base, &elen);
        any.type_url = "containerd.events.TaskExit";
        any.value.data = eb;
        any.value.len = elen;
        now.seconds = 1700000002;
        env.timestamp = &now;
        env.namespace_ = "k8s.io";
        env.topic = "/tasks/exit";
        env.event = &any;
        c.envelope = &env;
        buf = pbc_pack(&c.base, &len);

        fwd.envelope.event.value.funcs.decode = nano_decode_bytes;
        assert_int_equal(nano_decode(containerd_services_events_ttrpc_v1_ForwardRequest_fields,
                                     &fwd, buf, len, &err),
                         0);
        assert_true(fwd.has_envelope);
        assert_int_equal(fwd.envelope.timestamp.seconds, 1700000002);
        assert_string_equal(fwd.envelope.namespace, "k8s.io");
        assert_string_equal(fwd.envelope.topic, "/tasks/exit");
        assert_true(fwd.envelope.has_event);
        assert_int_equal(nano_unpack_any(&fwd.envelope.event, "containerd.events.TaskExit",
                                         containerd_events_TaskExit_fields, &got, &err),
                         0);
        assert_string_equal(got.container_id, "ctr1");
        assert_string_equal(got.id, "exec-7");
        assert_int_equal(got.pid, 4300);
        assert_int_equal(got.exit_status, 1);
        assert_int_equal(got.exited_at.seconds, 1700000000);
        free(fwd.envelope.event.value.arg);
}

/* Exec's spec is an Any whose value is JSON, not protobuf (interfaces.md §3.4): bytes as given. */
static void
test_exec_spec_json_any(void **state)
{
        static const char json[] = "{\"args\":[\"sh\"],\"cwd\":\"/\",\"terminal\":false}";
        static const char url[] = "types.containerd.io/opencontainers/runtime-spec/1/Process";
        struct nano_span span = {json, sizeof(json) - 1};
        containerd_task_v2_ExecProcessRequest *n = calloc(1, sizeof(*n));
        containerd_task_v2_ExecProcessRequest *back = calloc(1, sizeof(*back));
        Containerd__Task__V2__ExecProcessRequest *c = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        const struct nano_bytes *b = NULL;
        size_t len;

        (void) state;
        assert_non_null(n);
        assert_non_null(back);
        strcpy(n->id, "ctr1");
        strcpy(n->exec_id, "exec-1");
        n->has_spec = true;
        strcpy(n->spec.type_url, url);
        n->spec.value.funcs.encode = nano_encode_span;
        n->spec.value.arg = &span;
        buf = nano_pack(containerd_task_v2_ExecProcessRequest_fields, n, &len);

        c = containerd__task__v2__exec_process_request__unpack(NULL, len, buf);
        assert_non_null(c);
        assert_string_equal(c->exec_id, "exec-1");
        assert_string_equal(c->spec->type_url, url);
        assert_int_equal(c->spec->value.len, sizeof(json) - 1);
        assert_memory_equal(c->spec->value.data, json, sizeof(json) - 1);
        containerd__task__v2__exec_process_request__free_unpacked(c, NULL);

        back->spec.value.funcs.decode = nano_decode_bytes;
        assert_int_equal(
                nano_decode(containerd_task_v2_ExecProcessRequest_fields, back, buf, len, &err), 0);
        b = back->spec.value.arg;
        assert_non_null(b);
        assert_int_equal(b->len, sizeof(json) - 1);
        assert_memory_equal(b->data, json, sizeof(json) - 1);
        free(back->spec.value.arg);
        free(back);
        free(n);
}

/* A hand-encoded Any: 0a 19 "containerd.events.TaskOOM" 12 04 (0a 02 "c1"). */
static void
test_any_task_oom_bytes(void **state)
{
        static const uint8_t want[] = {0x0a, 0x19, 'c', 'o', 'n', 't',  'a',  'i',  'n',  'e', 'r',
                                       'd',  '.',  'e', 'v', 'e', 'n',  't',  's',  '.',  'T', 'a',
                                       's',  'k',  'O', 'O', 'M', 0x12, 0x04, 0x0a, 0x02, 'c', '1'};
        containerd_events_TaskOOM oom = containerd_events_TaskOOM_init_zero;
        google_protobuf_Any any = google_protobuf_Any_init_zero;
        struct nano_message inner = {containerd_events_TaskOOM_fields, &oom};
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len;

        (void) state;
        strcpy(oom.container_id, "c1");
        assert_int_equal(nano_set_any(&any, "containerd.events.TaskOOM", &inner, &err), 0);
        buf = nano_pack(google_protobuf_Any_fields, &any, &len);
        assert_bytes_equal(buf, len, want, sizeof(want));
}

/* cgroup v1 stats with per-CPU usage: nanopb writes the packed form proto3 readers expect. */
static void
test_metrics_v1_per_cpu_packed(void **state)
{
        static const uint64_t per_cpu[] = {1, 300, 1ULL << 40};
        struct nano_u64s u = {per_cpu, 3};
        io_containerd_cgroups_v1_Metrics m = io_containerd_cgroups_v1_Metrics_init_zero;
        Io__Containerd__Cgroups__V1__Metrics *c = NULL;
        cleanup_free uint8_t *buf = NULL;
        size_t len;

        (void) state;
        m.has_cpu = true;
        m.cpu.has_usage = true;
        m.cpu.usage.total = 1 + 300 + (1ULL << 40);
        m.cpu.usage.per_cpu.funcs.encode = nano_encode_packed_u64;
        m.cpu.usage.per_cpu.arg = &u;
        m.has_memory = true;
        m.memory.total_inactive_file = 4096;
        m.memory.has_usage = true;
        m.memory.usage.usage = 1 << 20;
        m.memory.usage.limit = UINT64_MAX;
        buf = nano_pack(io_containerd_cgroups_v1_Metrics_fields, &m, &len);

        c = io__containerd__cgroups__v1__metrics__unpack(NULL, len, buf);
        assert_non_null(c);
        assert_int_equal(c->cpu->usage->total, m.cpu.usage.total);
        assert_int_equal(c->cpu->usage->n_per_cpu, 3);
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(c->cpu->usage->per_cpu[i], per_cpu[i]);
        assert_int_equal(c->memory->total_inactive_file, 4096);
        assert_int_equal(c->memory->usage->usage, 1 << 20);
        assert_int_equal(c->memory->usage->limit, UINT64_MAX);
        io__containerd__cgroups__v1__metrics__free_unpacked(c, NULL);
}

/* ids are containerd identifiers, at most 76 characters: a longer one is a decode error, not a
 * silently truncated id. */
static void
test_nanopb_refuses_an_id_longer_than_76(void **state)
{
        Containerd__Task__V2__KillRequest c = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;
        containerd_task_v2_KillRequest n = containerd_task_v2_KillRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free uint8_t *buf = NULL;
        char id[78];
        size_t len;

        (void) state;
        memset(id, 'a', 76);
        id[76] = '\0';
        c.id = id;
        c.signal = 9;
        buf = pbc_pack(&c.base, &len);
        assert_int_equal(nano_decode(containerd_task_v2_KillRequest_fields, &n, buf, len, &err), 0);
        assert_string_equal(n.id, id);
        assert_int_equal(n.signal, 9);
        free(buf);

        id[76] = 'a';
        id[77] = '\0';
        buf = pbc_pack(&c.base, &len);
        assert_int_equal(nano_decode(containerd_task_v2_KillRequest_fields, &n, buf, len, &err),
                         -EINVAL);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->msg, "protobuf: string overflow");
}

/* A mount option with a NUL inside would be cut short by every C string function. */
static void
test_nanopb_refuses_a_nul_in_a_mount_option(void **state)
{
        static const uint8_t bad[] = {0x1a, 0x07, 0x22, 0x05, 'r', 'o', 0x00, 'x', 'y'};
        containerd_task_v2_CreateTaskRequest *req = calloc(1, sizeof(*req));
        struct nano_list rootfs = NANO_MOUNT_LIST_INIT;
        cleanup_error berth_error_t *err = NULL;

        (void) state;
        assert_non_null(req);
        req->rootfs.funcs.decode = nano_decode_list;
        req->rootfs.arg = &rootfs;
        assert_int_equal(nano_decode(containerd_task_v2_CreateTaskRequest_fields, req, bad,
                                     sizeof(bad), &err),
                         -EINVAL);
        assert_string_equal(err->msg, "protobuf: string holds a NUL byte");
        assert_int_equal(rootfs.count, 0);
        nano_free_list_items(&rootfs);
        free(req);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nanopb_headers_match_the_library),
                cmocka_unit_test(test_connect_response_bytes),
                cmocka_unit_test(test_delete_response_bytes),
                cmocka_unit_test(test_empty_is_zero_bytes),
                cmocka_unit_test(test_create_task_request_nanopb_to_protobuf_c),
                cmocka_unit_test(test_create_task_request_protobuf_c_to_nanopb),
                cmocka_unit_test(test_state_response_zero_time_nanopb_to_protobuf_c),
                cmocka_unit_test(test_state_response_zero_time_protobuf_c_to_nanopb),
                cmocka_unit_test(test_task_exit_envelope_nanopb_to_protobuf_c),
                cmocka_unit_test(test_task_exit_envelope_protobuf_c_to_nanopb),
                cmocka_unit_test(test_exec_spec_json_any),
                cmocka_unit_test(test_any_task_oom_bytes),
                cmocka_unit_test(test_metrics_v1_per_cpu_packed),
                cmocka_unit_test(test_nanopb_refuses_an_id_longer_than_76),
                cmocka_unit_test(test_nanopb_refuses_a_nul_in_a_mount_option),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
