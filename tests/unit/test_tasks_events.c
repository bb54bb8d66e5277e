/* tests/unit/test_tasks_events.c: the Events/Forward server on its thread, reached by a ttrpc
 * client as a shim's publisher reaches it: an event reaches the callback before Forward is
 * answered; a bad envelope is INVALID_ARGUMENT; close removes the socket. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "containerd/events/task.pb-c.h"
#include "containerd/services/events/ttrpc/v1/events.pb-c.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "proto/ttrpc/client.h"
#include "supervisor/tasks/events.h"

struct seen {
        int n;
        char container_id[64];
        enum task_event_kind kind;
};

static void
on_event(const struct task_event *ev, void *userdata)
{
        struct seen *s = userdata;

        s->n++;
        s->kind = ev->kind;
        snprintf(s->container_id, sizeof(s->container_id), "%s", ev->container_id);
}

static int
forward(const char *sock, const uint8_t *payload, size_t len, berth_error_t **err)
{
        cleanup_ttrpc_client struct ttrpc_client *c = NULL;
        cleanup_free uint8_t *resp = NULL;
        size_t resp_len = 0;
        struct ttrpc_kv md = {.key = "containerd-namespace-ttrpc", .value = "berth"};
        struct ttrpc_client_request rq = {
                .service = "containerd.services.events.ttrpc.v1.Events",
                .method = "Forward",
                .payload = payload,
                .payload_len = len,
                .timeout_ns = 5000000000LL,
                .metadata = &md,
                .n_metadata = 1,
        };
        int r = ttrpc_client_connect_unix(sock, false, &c, err);

        if (r < 0)
                return r;
        return ttrpc_client_call(c, &rq, &resp, &resp_len, err);
}

static void
test_forward(void **state)
{
        char dir[] = "/tmp/berth-test-events.XXXXXX";
        struct seen seen = {0};
        struct task_events *ev = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_non_null(mkdtemp(dir));
        cleanup_free char *sock = xasprintf("%s/events.sock", dir);
        assert_int_equal(task_events_open(sock, on_event, &seen, &ev, &err), 0);

        Containerd__Events__TaskOOM oom = CONTAINERD__EVENTS__TASK_OOM__INIT;
        Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
        Containerd__Services__Events__Ttrpc__V1__Envelope env =
                CONTAINERD__SERVICES__EVENTS__TTRPC__V1__ENVELOPE__INIT;
        Containerd__Services__Events__Ttrpc__V1__ForwardRequest fr =
                CONTAINERD__SERVICES__EVENTS__TTRPC__V1__FORWARD_REQUEST__INIT;
        uint8_t inner[64], buf[256];
        oom.container_id = "c9";
        any.type_url = "containerd.events.TaskOOM";
        any.value.len = containerd__events__task_oom__pack(&oom, inner);
        any.value.data = inner;
        env.namespace_ = "berth";
        env.topic = "/tasks/oom";
        env.event = &any;
        fr.envelope = &env;
        size_t len = containerd__services__events__ttrpc__v1__forward_request__pack(&fr, buf);

        assert_int_equal(forward(sock, buf, len, &err), 0);
        /* the callback ran before the answer */
        assert_int_equal(seen.n, 1);
        assert_int_equal(seen.kind, TASK_EVENT_OOM);
        assert_string_equal(seen.container_id, "c9");

        env.topic = "no-slash";
        len = containerd__services__events__ttrpc__v1__forward_request__pack(&fr, buf);
        assert_int_equal(forward(sock, buf, len, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "must start with"));
        assert_int_equal(seen.n, 1);

        task_events_close(ev);
        assert_int_equal(access(sock, F_OK), -1);
        assert_int_equal(rmdir(dir), 0);
}

static void
test_refuses_to_replace_a_file(void **state)
{
        char dir[] = "/tmp/berth-test-events.XXXXXX";
        struct task_events *ev = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_non_null(mkdtemp(dir));
        cleanup_free char *path = xasprintf("%s/not-a-socket", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(task_events_open(path, on_event, NULL, &ev, &err), -EEXIST);
        assert_non_null(strstr(err->msg, "is not a socket"));
        assert_int_equal(access(path, F_OK), 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forward),
                cmocka_unit_test(test_refuses_to_replace_a_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
