/* tests/unit/test_tasks_codec.c: the runtime options berthd gives its shims, event envelopes
 * (interfaces.md §4) decoded as the shim forwards them, and Go's zero time. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "containerd/events/task.pb-c.h"
#include "containerd/runc/v1/options.pb-c.h"
#include "containerd/services/events/ttrpc/v1/events.pb-c.h"
#include "google/protobuf/any.pb-c.h"
#include "lib/cleanup.h"
#include "supervisor/tasks/codec.h"

static void
test_options_any(void **state)
{
        struct task_runtime_options o = {.binary_name = "/usr/sbin/berth",
                                         .root = "/run/berth/runtime",
                                         .systemd_cgroup = true};
        cleanup_free uint8_t *buf = NULL;
        size_t len = 0;
        (void) state;

        task_options_build(&o, &buf, &len);
        /* field 1 type_url, 26 bytes, exactly containerd's name (no type.googleapis.com/) */
        assert_true(len > 28);
        assert_int_equal(buf[0], 0x0a);
        assert_int_equal(buf[1], 26);
        assert_memory_equal(buf + 2, "containerd.runc.v1.Options", 26);
        assert_int_equal(buf[28], 0x12);
        Google__Protobuf__Any *any = google__protobuf__any__unpack(NULL, len, buf);
        assert_non_null(any);
        Containerd__Runc__V1__Options *m =
                containerd__runc__v1__options__unpack(NULL, any->value.len, any->value.data);
        assert_non_null(m);
        assert_string_equal(m->binary_name, "/usr/sbin/berth");
        assert_string_equal(m->root, "/run/berth/runtime");
        assert_true(m->systemd_cgroup);
        assert_false(m->no_pivot_root);
        assert_string_equal(m->shim_cgroup, "");
        containerd__runc__v1__options__free_unpacked(m, NULL);
        google__protobuf__any__free_unpacked(any, NULL);
}

static void
test_options_empty_has_no_fields(void **state)
{
        struct task_runtime_options o = {0};
        cleanup_free uint8_t *buf = NULL;
        size_t len = 0;
        (void) state;

        task_options_build(&o, &buf, &len);
        /* proto3: defaults are not sent, so the Any holds the type url and an empty value */
        assert_int_equal(len, 28);
}

/* A ForwardRequest around EVENT (packed) of type TYPE_URL. */
static uint8_t *
forward_pack(const char *ns, const char *topic, const char *type_url, const ProtobufCMessage *event,
             size_t *ret_len)
{
        Containerd__Services__Events__Ttrpc__V1__ForwardRequest fr =
                CONTAINERD__SERVICES__EVENTS__TTRPC__V1__FORWARD_REQUEST__INIT;
        Containerd__Services__Events__Ttrpc__V1__Envelope env =
                CONTAINERD__SERVICES__EVENTS__TTRPC__V1__ENVELOPE__INIT;
        Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
        size_t n = protobuf_c_message_get_packed_size(event);
        uint8_t *inner = malloc(n + 1), *out;

        protobuf_c_message_pack(event, inner);
        any.type_url = (char *) type_url;
        any.value.data = inner;
        any.value.len = n;
        ts.seconds = 1700000000;
        ts.nanos = 5;
        env.timestamp = &ts;
        env.namespace_ = (char *) ns;
        env.topic = (char *) topic;
        env.event = &any;
        fr.envelope = &env;
        *ret_len = containerd__services__events__ttrpc__v1__forward_request__get_packed_size(&fr);
        out = malloc(*ret_len + 1);
        containerd__services__events__ttrpc__v1__forward_request__pack(&fr, out);
        free(inner);
        return out;
}

static void
test_exit_of_init(void **state)
{
        Containerd__Events__TaskExit ex = CONTAINERD__EVENTS__TASK_EXIT__INIT;
        Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        struct task_event e;
        cleanup_error berth_error_t *err = NULL;
        size_t len;
        (void) state;

        ex.container_id = "c1";
        ex.id = "c1"; /* the shim names the init by the container id */
        ex.pid = 42;
        ex.exit_status = 137;
        at.seconds = 1700000001;
        at.nanos = 7;
        ex.exited_at = &at;
        cleanup_free uint8_t *buf =
                forward_pack("berth", "/tasks/exit", "containerd.events.TaskExit", &ex.base, &len);
        assert_int_equal(task_event_parse(buf, len, &e, &err), 0);
        assert_int_equal(e.kind, TASK_EVENT_EXIT);
        assert_string_equal(e.ns, "berth");
        assert_string_equal(e.topic, "/tasks/exit");
        assert_string_equal(e.container_id, "c1");
        assert_string_equal(e.exec_id, "");
        assert_int_equal(e.pid, 42);
        assert_int_equal(e.exit_status, 137);
        assert_true(e.has_exited_at);
        assert_int_equal(e.exited_sec, 1700000001);
        assert_int_equal(e.exited_nsec, 7);
        assert_int_equal(e.ts_sec, 1700000000);
        assert_string_equal(task_event_kind_name(e.kind), "exit");
        task_event_done(&e);
}

static void
test_exit_of_exec_and_go_zero_time(void **state)
{
        Containerd__Events__TaskExit ex = CONTAINERD__EVENTS__TASK_EXIT__INIT;
        Google__Protobuf__Timestamp zero = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        struct task_event e;
        cleanup_error berth_error_t *err = NULL;
        size_t len;
        (void) state;

        ex.container_id = "c1";
        ex.id = "e1";
        ex.exit_status = 3;
        zero.seconds = -62135596800LL;
        ex.exited_at = &zero;
        cleanup_free uint8_t *buf =
                forward_pack("berth", "/tasks/exit", "containerd.events.TaskExit", &ex.base, &len);
        assert_int_equal(task_event_parse(buf, len, &e, &err), 0);
        assert_string_equal(e.exec_id, "e1");
        assert_false(e.has_exited_at);
        task_event_done(&e);
        assert_false(task_timestamp_is_set(true, -62135596800LL, 0));
        assert_false(task_timestamp_is_set(false, 5, 0));
        assert_true(task_timestamp_is_set(true, 0, 0)); /* the epoch is a time, if a wrong one */
}

static void
test_other_kinds(void **state)
{
        Containerd__Events__TaskExecStarted es = CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;
        Containerd__Events__TaskOOM oom = CONTAINERD__EVENTS__TASK_OOM__INIT;
        Containerd__Events__TaskStart st = CONTAINERD__EVENTS__TASK_START__INIT;
        struct task_event e;
        cleanup_error berth_error_t *err = NULL;
        size_t len;
        (void) state;

        es.container_id = "c1";
        es.exec_id = "e2";
        es.pid = 9;
        {
                cleanup_free uint8_t *buf =
                        forward_pack("berth", "/tasks/exec-started",
                                     "containerd.events.TaskExecStarted", &es.base, &len);
                assert_int_equal(task_event_parse(buf, len, &e, &err), 0);
                assert_int_equal(e.kind, TASK_EVENT_EXEC_STARTED);
                assert_string_equal(e.exec_id, "e2");
                assert_int_equal(e.pid, 9);
                task_event_done(&e);
        }
        oom.container_id = "c1";
        {
                cleanup_free uint8_t *buf = forward_pack(
                        "berth", "/tasks/oom", "containerd.events.TaskOOM", &oom.base, &len);
                assert_int_equal(task_event_parse(buf, len, &e, &err), 0);
                assert_int_equal(e.kind, TASK_EVENT_OOM);
                assert_string_equal(e.container_id, "c1");
                task_event_done(&e);
        }
        st.container_id = "c1";
        st.pid = 77;
        {
                /* a type this berthd does not know: passed on as such, not refused */
                cleanup_free uint8_t *buf =
                        forward_pack("berth", "/x/y", "example.Other", &st.base, &len);
                assert_int_equal(task_event_parse(buf, len, &e, &err), 0);
                assert_int_equal(e.kind, TASK_EVENT_UNKNOWN);
                assert_string_equal(e.type_url, "example.Other");
                assert_string_equal(e.container_id, "");
                task_event_done(&e);
        }
}

static void
expect(const char *type_url, const ProtobufCMessage *m, enum task_event_kind kind, const char *cid,
       const char *eid, uint32_t pid, uint32_t status)
{
        struct task_event e;
        cleanup_error berth_error_t *err = NULL;
        size_t len;
        cleanup_free uint8_t *buf = forward_pack("berth", "/tasks/x", type_url, m, &len);

        assert_int_equal(task_event_parse(buf, len, &e, &err), 0);
        assert_int_equal(e.kind, kind);
        assert_string_equal(e.container_id, cid);
        assert_string_equal(e.exec_id, eid);
        assert_int_equal(e.pid, pid);
        assert_int_equal(e.exit_status, status);
        assert_false(e.has_exited_at);
        task_event_done(&e);
}

/* Every task event the shim forwards, with the fields berthd reads from each. */
static void
test_every_kind(void **state)
{
        Containerd__Events__TaskCreate cr = CONTAINERD__EVENTS__TASK_CREATE__INIT;
        Containerd__Events__TaskStart st = CONTAINERD__EVENTS__TASK_START__INIT;
        Containerd__Events__TaskDelete de = CONTAINERD__EVENTS__TASK_DELETE__INIT;
        Containerd__Events__TaskExecAdded ea = CONTAINERD__EVENTS__TASK_EXEC_ADDED__INIT;
        Containerd__Events__TaskExecStarted es = CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;
        Containerd__Events__TaskPaused pa = CONTAINERD__EVENTS__TASK_PAUSED__INIT;
        Containerd__Events__TaskResumed re = CONTAINERD__EVENTS__TASK_RESUMED__INIT;
        Containerd__Events__TaskOOM oom = CONTAINERD__EVENTS__TASK_OOM__INIT;
        Containerd__Events__TaskCheckpointed cp = CONTAINERD__EVENTS__TASK_CHECKPOINTED__INIT;
        (void) state;

        cr.container_id = "c1", cr.bundle = "/b", cr.pid = 11;
        expect("containerd.events.TaskCreate", &cr.base, TASK_EVENT_CREATE, "c1", "", 11, 0);
        st.container_id = "c1", st.pid = 12;
        expect("containerd.events.TaskStart", &st.base, TASK_EVENT_START, "c1", "", 12, 0);
        de.container_id = "c1", de.id = "c1", de.pid = 13, de.exit_status = 2;
        expect("containerd.events.TaskDelete", &de.base, TASK_EVENT_DELETE, "c1", "", 13, 2);
        de.id = "e1";
        expect("containerd.events.TaskDelete", &de.base, TASK_EVENT_DELETE, "c1", "e1", 13, 2);
        ea.container_id = "c1", ea.exec_id = "e1";
        expect("containerd.events.TaskExecAdded", &ea.base, TASK_EVENT_EXEC_ADDED, "c1", "e1", 0, 0);
        es.container_id = "c1", es.exec_id = "c1", es.pid = 14; /* an exec may be named so */
        expect("containerd.events.TaskExecStarted", &es.base, TASK_EVENT_EXEC_STARTED, "c1", "c1", 14, 0);
        pa.container_id = "c1";
        expect("containerd.events.TaskPaused", &pa.base, TASK_EVENT_PAUSED, "c1", "", 0, 0);
        re.container_id = "c1";
        expect("containerd.events.TaskResumed", &re.base, TASK_EVENT_RESUMED, "c1", "", 0, 0);
        oom.container_id = "c1";
        expect("containerd.events.TaskOOM", &oom.base, TASK_EVENT_OOM, "c1", "", 0, 0);
        cp.container_id = "c1", cp.checkpoint = "img";
        expect("containerd.events.TaskCheckpointed", &cp.base, TASK_EVENT_CHECKPOINTED, "c1", "", 0, 0);
        assert_string_equal(task_event_kind_name(TASK_EVENT_CHECKPOINTED), "checkpointed");
}

static void
test_hand_encoded_oom(void **state)
{
        /* ForwardRequest{envelope{namespace "ns", topic "/tasks/oom",
         *   event Any{"containerd.events.TaskOOM", TaskOOM{container_id "c"}}}}, by hand */
        static const uint8_t wire[] = {
                0x0a, 0x32,           /* envelope, 50 bytes */
                0x12, 0x02, 'n', 's', /* namespace */
                0x1a, 0x0a, '/', 't',  'a',  's',  'k',  's', '/', 'o', 'o', 'm', /* topic */
                0x22, 0x20, /* event Any, 32 bytes */
                0x0a, 0x19, 'c', 'o',  'n',  't',  'a',  'i', 'n', 'e', 'r', 'd',
                '.',  'e',  'v', 'e',  'n',  't',  's',  '.', 'T', 'a', 's', 'k',
                'O',  'O',  'M', 0x12, 0x03, 0x0a, 0x01, 'c',
        };
        struct task_event e;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(task_event_parse(wire, sizeof(wire), &e, &err), 0);
        assert_int_equal(e.kind, TASK_EVENT_OOM);
        assert_string_equal(e.ns, "ns");
        assert_string_equal(e.container_id, "c");
        assert_int_equal(e.ts_sec, 0);
        task_event_done(&e);
}

static void
test_bad_envelopes(void **state)
{
        Containerd__Events__TaskOOM oom = CONTAINERD__EVENTS__TASK_OOM__INIT;
        static const uint8_t garbage[] = {0x0a, 0x05, 0x01};
        struct task_event e;
        size_t len;
        (void) state;

        oom.container_id = "c1";
        {
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(task_event_parse(garbage, sizeof(garbage), &e, &err), -EINVAL);
        }
        {
                cleanup_error berth_error_t *err = NULL;
                cleanup_free uint8_t *buf = forward_pack(
                        "", "/tasks/oom", "containerd.events.TaskOOM", &oom.base, &len);
                assert_int_equal(task_event_parse(buf, len, &e, &err), -EINVAL);
                assert_string_equal(err->msg, "envelope: namespace must not be empty");
        }
        {
                cleanup_error berth_error_t *err = NULL;
                cleanup_free uint8_t *buf = forward_pack(
                        "berth", "tasks/oom", "containerd.events.TaskOOM", &oom.base, &len);
                assert_int_equal(task_event_parse(buf, len, &e, &err), -EINVAL);
                assert_string_equal(err->msg,
                                    "envelope: topic \"tasks/oom\" must start with \"/\"");
        }
        {
                /* a TaskExit type with bytes that are not one */
                Containerd__Events__TaskExit ex = CONTAINERD__EVENTS__TASK_EXIT__INIT;
                cleanup_error berth_error_t *err = NULL;
                ex.container_id = "c1";
                cleanup_free uint8_t *buf = forward_pack(
                        "berth", "/tasks/exit", "containerd.events.TaskExit", &ex.base, &len);
                /* corrupt the inner message: its last byte is the container id's last char;
                 * make the string's length run past the end instead */
                size_t at = len - 4; /* 0x0a 0x02 'c' '1' */
                assert_int_equal(buf[at], 0x0a);
                buf[at + 1] = 0x7f;
                assert_int_equal(task_event_parse(buf, len, &e, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "does not decode"));
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_options_any),
                cmocka_unit_test(test_options_empty_has_no_fields),
                cmocka_unit_test(test_exit_of_init),
                cmocka_unit_test(test_exit_of_exec_and_go_zero_time),
                cmocka_unit_test(test_other_kinds),
                cmocka_unit_test(test_every_kind),
                cmocka_unit_test(test_hand_encoded_oom),
                cmocka_unit_test(test_bad_envelopes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
