/* tests/unit/test_ctl_port.c: docker port's output (supervisor/ctl/port_pure.c) and inspect's
 * NetworkSettings.Ports (supervisor/containers/list.c). */
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
#include <json-c/json.h>

#include "supervisor/containers/list.h"
#include "supervisor/ctl/port.h"

static void
test_format(void **state)
{
        struct json_object *ports = json_tokener_parse(
                "{\"8080/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"80\"},"
                "{\"HostIp\":\"::\",\"HostPort\":\"80\"}],\"53/udp\":[{\"HostIp\":\"127.0.0.1\","
                "\"HostPort\":\"5353\"}],\"443/tcp\":null}");
        berth_error_t *err = NULL;
        char *out = NULL;
        (void) state;

        assert_int_equal(ctl_port_format(ports, NULL, "web", &out, &err), 0);
        assert_string_equal(out, "53/udp -> 127.0.0.1:5353\n8080/tcp -> 0.0.0.0:80\n"
                                 "8080/tcp -> [::]:80\n");
        free(out);
        assert_int_equal(ctl_port_format(ports, "8080", "web", &out, &err), 0);
        assert_string_equal(out, "0.0.0.0:80\n[::]:80\n");
        free(out);
        assert_int_equal(ctl_port_format(ports, "53/udp", "web", &out, &err), 0);
        assert_string_equal(out, "127.0.0.1:5353\n");
        free(out);
        /* exposed without a binding, or unknown: docker's error */
        assert_int_equal(ctl_port_format(ports, "443", "web", &out, &err), -ENOENT);
        assert_string_equal(err->msg, "Error: No public port '443/tcp' published for web");
        berth_error_free(err), err = NULL;
        assert_int_equal(ctl_port_format(ports, "53", "web", &out, &err), -ENOENT);
        assert_string_equal(err->msg, "Error: No public port '53/tcp' published for web");
        berth_error_free(err), err = NULL;
        assert_int_equal(ctl_port_format(ports, "x", "web", &out, &err), -EINVAL);
        berth_error_free(err), err = NULL;
        json_object_put(ports);
        /* no ports at all: nothing printed */
        assert_int_equal(ctl_port_format(NULL, NULL, "web", &out, &err), 0);
        assert_string_equal(out, "");
        free(out);
}

static void
test_inspect_ports(void **state)
{
        struct json_object *cfg =
                json_tokener_parse("{\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}}");
        struct json_object *hc = json_tokener_parse("{\"NetworkMode\":\"default\"}");
        struct json_object *none = json_tokener_parse("{\"NetworkMode\":\"none\"}");
        struct json_object *p;
        (void) state;

        p = container_ports_build(cfg, hc, true);
        assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
                            "{\"80\\/tcp\":null,\"53\\/udp\":null}");
        json_object_put(p);
        p = container_ports_build(cfg, hc, false);
        assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN), "{}");
        json_object_put(p);
        p = container_ports_build(cfg, none, true);
        assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN), "{}");
        json_object_put(p);
        p = container_ports_build(NULL, hc, true);
        assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN), "{}");
        json_object_put(p);
        json_object_put(cfg);
        json_object_put(hc);
        json_object_put(none);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_inspect_ports),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
