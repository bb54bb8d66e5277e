/* supervisor/ctl/port_pure.c: docker port's output from inspect's NetworkSettings.Ports (port.h),
 * apart from the client so that it is unit-tested alone. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/port.h"

/* "80/tcp": port number and protocol, for sorting. */
static void
key_split(const char *k, long *port, const char **proto)
{
        char *end;
        *port = strtol(k, &end, 10);
        *proto = *end == '/' ? end + 1 : "tcp";
}

static int
key_cmp(const void *a, const void *b)
{
        const char *x = *(const char *const *) a, *y = *(const char *const *) b;
        long px, py;
        const char *sx, *sy;
        key_split(x, &px, &sx);
        key_split(y, &py, &sy);
        if (px != py)
                return px < py ? -1 : 1;
        return strcmp(sx, sy);
}

static void
append(char **buf, size_t *len, const char *s)
{
        size_t n = strlen(s);
        *buf = xrealloc(*buf, *len + n + 1);
        memcpy(*buf + *len, s, n + 1);
        *len += n;
}

static void
append_binding(char **out, size_t *len, const char *from, struct json_object *b)
{
        const char *ip = json_object_get_string(json_key(b, "HostIp"));
        const char *hp = json_object_get_string(json_key(b, "HostPort"));
        cleanup_free char *line = NULL;
        /* An IPv6 host address is bracketed, as the docker CLI does (net.JoinHostPort). */
        bool v6 = ip && strchr(ip, ':');
        if (from)
                line = xasprintf("%s -> %s%s%s:%s\n", from, v6 ? "[" : "", ip ? ip : "",
                                 v6 ? "]" : "", hp ? hp : "");
        else
                line = xasprintf("%s%s%s:%s\n", v6 ? "[" : "", ip ? ip : "", v6 ? "]" : "",
                                 hp ? hp : "");
        append(out, len, line);
}

int
ctl_port_format(struct json_object *ports, const char *private_port, const char *name, char **ret,
                berth_error_t **err)
{
        cleanup_free char *out = xstrdup(""), *key = NULL;
        size_t len = 0;

        if (private_port) {
                const char *slash = strchr(private_port, '/');
                cleanup_free char *num =
                        xstrndup(private_port,
                                 slash ? (size_t) (slash - private_port) : strlen(private_port));
                const char *proto = slash && slash[1] ? slash + 1 : "tcp";
                struct json_object *b;
                char *end;
                long n = strtol(num, &end, 10);
                if (*num == '\0' || *end != '\0' || n < 0 || n > 65535)
                        return berth_error_new(err, EINVAL, "Error: invalid port \"%s\"",
                                               private_port);
                key = xasprintf("%ld/%s", n, proto);
                b = json_key(ports, key);
                if (b == NULL || !json_object_is_type(b, json_type_array)
                    || json_object_array_length(b) == 0)
                        return berth_error_new(err, ENOENT,
                                               "Error: No public port '%s' published for %s", key,
                                               name);
                for (size_t i = 0; i < json_object_array_length(b); i++)
                        append_binding(&out, &len, NULL, json_object_array_get_idx(b, i));
                *ret = TAKE_PTR(out);
                return 0;
        }
        if (ports && json_object_is_type(ports, json_type_object)) {
                size_t n = 0, i = 0;
                const char **keys;
                json_object_object_foreach(ports, k0, v0) {
                        (void) k0;
                        (void) v0;
                        n++;
                }
                keys = xreallocarray(NULL, n ? n : 1, sizeof(*keys));
                json_object_object_foreach(ports, k, v) {
                        (void) v;
                        keys[i++] = k;
                }
                qsort(keys, n, sizeof(*keys), key_cmp);
                for (i = 0; i < n; i++) {
                        struct json_object *b = json_key(ports, keys[i]);
                        for (size_t j = 0; b && json_object_is_type(b, json_type_array)
                                           && j < json_object_array_length(b);
                             j++)
                                append_binding(&out, &len, keys[i],
                                               json_object_array_get_idx(b, j));
                }
                free(keys);
        }
        *ret = TAKE_PTR(out);
        return 0;
}
