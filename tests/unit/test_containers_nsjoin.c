/* tests/unit/test_containers_nsjoin.c: supervisor/containers/nsjoin.h: container:X modes resolved
 * at create, dockerd's checks and texts at start, and the config.json rewrite. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/containers/nsjoin.h"

#define AID  "aaaaaaaaaaaa0123456789abcdef0123456789abcdef0123456789abcdef0123"
#define SELF "5e1f5e1f5e1f0123456789abcdef0123456789abcdef0123456789abcdef0123"

/* One container, "web" (AID). */
static int
fake_resolve(void *ctx, const char *ref, char **ret_id, berth_error_t **err)
{
        (void) ctx;
        if (strcmp(ref, "web") == 0 || strncmp(AID, ref, strlen(ref)) == 0) {
                *ret_id = xstrdup(AID);
                return 0;
        }
        return berth_error_new(err, ENOENT, "No such container: %s", ref);
}

static const char *
str(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        assert_true(json_object_object_get_ex(o, key, &v));
        return json_object_get_string(v);
}

static int
resolve(const char *config, const char *hc_s, struct json_object **ret_hc, berth_error_t **err)
{
        cleanup_json struct json_object *cfg = json_tokener_parse(config);
        struct json_object *hc = json_tokener_parse(hc_s);
        int r;

        assert_non_null(cfg);
        assert_non_null(hc);
        r = container_nsjoin_resolve_modes(cfg, hc, fake_resolve, NULL, err);
        *ret_hc = hc;
        return r;
}

static void
test_ref(void **state)
{
        (void) state;
        assert_string_equal(container_nsjoin_ref("container:web"), "web");
        assert_string_equal(container_nsjoin_ref("container:"), "");
        assert_null(container_nsjoin_ref("host"));
        assert_null(container_nsjoin_ref("containe"));
        assert_null(container_nsjoin_ref(NULL));
}

static void
test_resolve_stores_full_ids(void **state)
{
        cleanup_json struct json_object *hc = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(resolve("{}",
                                 "{\"PidMode\":\"container:web\",\"IpcMode\":\"container:aaaa\","
                                 "\"NetworkMode\":\"container:web\",\"UTSMode\":\"host\"}",
                                 &hc, &err),
                         0);
        assert_string_equal(str(hc, "PidMode"), "container:" AID);
        assert_string_equal(str(hc, "IpcMode"), "container:" AID);
        assert_string_equal(str(hc, "NetworkMode"), "container:" AID);
        assert_string_equal(str(hc, "UTSMode"), "host");
}

static void
test_resolve_unknown_targets(void **state)
{
        (void) state;
        /* PID and IPC: dockerd's create answers 400 "No such container" */
        {
                cleanup_json struct json_object *hc = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(resolve("{}", "{\"PidMode\":\"container:nope\"}", &hc, &err),
                                 -EINVAL);
                assert_string_equal(err->msg, "No such container: nope");
        }
        {
                cleanup_json struct json_object *hc = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(resolve("{}", "{\"IpcMode\":\"container:nope\"}", &hc, &err),
                                 -EINVAL);
                assert_string_equal(err->msg, "No such container: nope");
        }
        /* the network's is looked up at start only; "container:" waits for start too */
        {
                cleanup_json struct json_object *hc = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(resolve("{}",
                                         "{\"NetworkMode\":\"container:nope\","
                                         "\"PidMode\":\"container:\"}",
                                         &hc, &err),
                                 0);
                assert_null(err);
                assert_string_equal(str(hc, "NetworkMode"), "container:nope");
                assert_string_equal(str(hc, "PidMode"), "container:");
        }
        {
                cleanup_json struct json_object *hc = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(resolve("{}", "{\"NetworkMode\":\"container:\"}", &hc, &err),
                                 -EINVAL);
                assert_string_equal(
                        err->msg,
                        "Invalid network mode: invalid container format container:<name|id>");
        }
}

static void
test_network_conflicts(void **state)
{
        struct {
                const char *config, *hc, *msg;
        } cases[] = {
                {"{\"Hostname\":\"foo\"}", "{}",
                 "conflicting options: hostname and the network mode"},
                {"{}", "{\"Links\":[\"a:b\"]}",
                 "conflicting options: container type network can't be used with links. This "
                 "would result in undefined behavior"},
                {"{}", "{\"Dns\":[\"1.1.1.1\"]}", "conflicting options: dns and the network mode"},
                {"{}", "{\"ExtraHosts\":[\"a:1.2.3.4\"]}",
                 "conflicting options: custom host-to-IP mapping and the network mode"},
                {"{\"MacAddress\":\"02:42:ac:11:00:02\"}", "{}",
                 "conflicting options: mac-address and the network mode"},
                {"{}", "{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"80\"}]}}",
                 "conflicting options: port publishing and the container type network mode"},
                {"{}", "{\"PublishAllPorts\":true}",
                 "conflicting options: port publishing and the container type network mode"},
                {"{\"ExposedPorts\":{\"80/tcp\":{}}}", "{}",
                 "conflicting options: port exposing and the container type network mode"},
        };
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cleanup_json struct json_object *hc = json_tokener_parse(cases[i].hc);
                cleanup_json struct json_object *cfg = json_tokener_parse(cases[i].config);
                cleanup_error berth_error_t *err = NULL;
                json_object_object_add(hc, "NetworkMode", json_object_new_string("container:web"));
                assert_int_equal(container_nsjoin_resolve_modes(cfg, hc, fake_resolve, NULL, &err),
                                 -EINVAL);
                assert_string_equal(err->msg, cases[i].msg);
        }
        /* the same with the host's network or the default are no conflict here */
        {
                cleanup_json struct json_object *hc =
                        json_tokener_parse("{\"NetworkMode\":\"host\",\"Dns\":[\"1.1.1.1\"]}");
                cleanup_json struct json_object *cfg = json_tokener_parse("{\"Hostname\":\"x\"}");
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(container_nsjoin_resolve_modes(cfg, hc, fake_resolve, NULL, &err),
                                 0);
        }
}

static void
check_join(enum container_ns_kind kind, const char *ref, const struct container_nsjoin_target *t,
           int code, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;
        int r = container_nsjoin_check(kind, SELF, ref, t, &err);
        if (code == 0) {
                assert_int_equal(r, 0);
                assert_null(err);
                return;
        }
        assert_int_equal(r, -code);
        assert_string_equal(err->msg, msg);
}

static void
test_check_texts(void **state)
{
        struct container_nsjoin_target gone = {0};
        struct container_nsjoin_target stopped = {.id = AID};
        struct container_nsjoin_target restarting = {
                .id = AID, .running = true, .restarting = true, .pid = 7};
        struct container_nsjoin_target running = {.id = AID, .running = true, .pid = 42};
        struct container_nsjoin_target shareable = {
                .id = AID, .running = true, .pid = 42, .shm = "/run/x/shm"};
        struct container_nsjoin_target self = {.id = SELF, .running = true, .pid = 42};
        (void) state;

        check_join(CONTAINER_NS_PID, "nope", &gone, EIO,
                   "cannot join PID of a non running container: nope: No such container: nope");
        check_join(CONTAINER_NS_PID, AID, &stopped, EIO, "container " AID " is not running");
        check_join(CONTAINER_NS_PID, AID, &restarting, EIO,
                   "Container " AID " is restarting, wait until the container is running");
        check_join(CONTAINER_NS_PID, AID, &running, 0, NULL);

        check_join(CONTAINER_NS_IPC, "nope", &gone, EIO,
                   "can't join IPC of container nope: No such container: nope");
        check_join(CONTAINER_NS_IPC, AID, &stopped, EIO,
                   "can't join IPC of container " AID ": container " AID " is not running");
        check_join(CONTAINER_NS_IPC, AID, &running, EIO,
                   "can't join IPC of container " AID
                   ": non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
        check_join(CONTAINER_NS_IPC, AID, &shareable, 0, NULL);

        check_join(CONTAINER_NS_NET, "nope", &gone, ENOENT, "No such container: nope");
        check_join(CONTAINER_NS_NET, AID, &stopped, EBUSY,
                   "cannot join network of a non running container: " AID);
        check_join(CONTAINER_NS_NET, "me", &self, EINVAL, "cannot join own network");
        check_join(CONTAINER_NS_NET, AID, &running, 0, NULL);
}

static const char spec_text[] =
        "{\"hostname\":\"5e1f5e1f5e1f\","
        "\"process\":{\"env\":[\"PATH=/bin\",\"HOSTNAME=5e1f5e1f5e1f\"]},"
        "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
        "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\"},"
        "{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":\"/d/self/hostname\"},"
        "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/d/self/hosts\"},"
        "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"/d/self/resolv.conf\"}],"
        "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":\"pid\"},"
        "{\"type\":\"ipc\"}]}}";

static const char *
plain(struct json_object *o)
{
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_spec_apply(void **state)
{
        cleanup_json struct json_object *spec = json_tokener_parse(spec_text);
        cleanup_error berth_error_t *err = NULL;
        struct container_nsjoin_target t = {
                .id = AID, .running = true, .pid = 4242, .shm = "/run/b/containers/" AID "/shm"};
        struct json_object *linux_ = NULL, *nss = NULL, *mounts = NULL;
        (void) state;

        assert_null(container_nsjoin_shm_source(spec)); /* a private tmpfs */
        assert_int_equal(container_nsjoin_spec_apply(spec, CONTAINER_NS_PID, &t, &err), 0);
        assert_int_equal(container_nsjoin_spec_apply(spec, CONTAINER_NS_NET, &t, &err), 0);
        assert_int_equal(container_nsjoin_spec_apply(spec, CONTAINER_NS_IPC, &t, &err), 0);
        assert_true(json_object_object_get_ex(spec, "linux", &linux_));
        assert_true(json_object_object_get_ex(linux_, "namespaces", &nss));
        assert_string_equal(plain(nss), "[{\"type\":\"mount\"},"
                                        "{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"},"
                                        "{\"type\":\"pid\",\"path\":\"/proc/4242/ns/pid\"},"
                                        "{\"type\":\"ipc\",\"path\":\"/proc/4242/ns/ipc\"}]");
        assert_true(json_object_object_get_ex(spec, "mounts", &mounts));
        assert_string_equal(plain(json_object_array_get_idx(mounts, 1)),
                            "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":"
                            "\"/run/b/containers/" AID
                            "/shm\",\"options\":[\"rbind\",\"rprivate\"]}");
        assert_string_equal(container_nsjoin_shm_source(spec), "/run/b/containers/" AID "/shm");

        container_nsjoin_spec_net_files(spec, "aaaaaaaaaaaa", "/d/a/hostname", "/d/a/hosts",
                                        "/d/a/resolv.conf");
        assert_string_equal(str(spec, "hostname"), "aaaaaaaaaaaa");
        {
                struct json_object *process = NULL, *env = NULL;
                assert_true(json_object_object_get_ex(spec, "process", &process));
                assert_true(json_object_object_get_ex(process, "env", &env));
                assert_string_equal(plain(env), "[\"PATH=/bin\",\"HOSTNAME=aaaaaaaaaaaa\"]");
        }
        assert_string_equal(str(json_object_array_get_idx(mounts, 2), "source"), "/d/a/hostname");
        assert_string_equal(str(json_object_array_get_idx(mounts, 3), "source"), "/d/a/hosts");
        assert_string_equal(str(json_object_array_get_idx(mounts, 4), "source"),
                            "/d/a/resolv.conf");
}

static void
test_spec_apply_adds_missing_entries(void **state)
{
        cleanup_json struct json_object *spec = json_tokener_parse(
                "{\"mounts\":[],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}");
        cleanup_json struct json_object *bare = json_tokener_parse("{}");
        cleanup_error berth_error_t *err = NULL;
        struct container_nsjoin_target t = {.id = AID, .running = true, .pid = 9, .shm = "/s"};
        struct json_object *linux_ = NULL, *nss = NULL, *mounts = NULL;
        (void) state;

        /* --ipc none's spec has no /dev/shm; a joiner of IPC gets the donor's */
        assert_int_equal(container_nsjoin_spec_apply(spec, CONTAINER_NS_IPC, &t, &err), 0);
        assert_true(json_object_object_get_ex(spec, "linux", &linux_));
        assert_true(json_object_object_get_ex(linux_, "namespaces", &nss));
        assert_string_equal(plain(nss), "[{\"type\":\"mount\"},"
                                        "{\"type\":\"ipc\",\"path\":\"/proc/9/ns/ipc\"}]");
        assert_true(json_object_object_get_ex(spec, "mounts", &mounts));
        assert_int_equal(json_object_array_length(mounts), 1);
        assert_string_equal(container_nsjoin_shm_source(spec), "/s");

        assert_int_equal(container_nsjoin_spec_apply(bare, CONTAINER_NS_PID, &t, &err), -EINVAL);
        assert_string_equal(err->msg, "config.json: linux: missing");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ref),
                cmocka_unit_test(test_resolve_stores_full_ids),
                cmocka_unit_test(test_resolve_unknown_targets),
                cmocka_unit_test(test_network_conflicts),
                cmocka_unit_test(test_check_texts),
                cmocka_unit_test(test_spec_apply),
                cmocka_unit_test(test_spec_apply_adds_missing_entries),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
