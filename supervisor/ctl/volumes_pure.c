/* supervisor/ctl/volumes_pure.c: the pure parts of berthctl volume: --filter arguments into the
 * query's JSON, and the rows `volume ls --format` renders. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/volumes.h"

static const char *
str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);

        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

int
ctl_volumes_filters(char *const *args, char **ret)
{
        cleanup_json struct json_object *f = NULL;

        if (args == NULL) {
                *ret = NULL;
                return 0;
        }
        f = json_object_new_object();
        strv_foreach(a, args) {
                const char *eq = strchr(a, '=');
                cleanup_free char *k = NULL;
                struct json_object *vals = NULL;
                if (eq == NULL) {
                        fprintf(stderr, "bad format of filter (expected name=value)\n");
                        return -1;
                }
                k = xstrndup(a, (size_t) (eq - a));
                if (!json_object_object_get_ex(f, k, &vals)) {
                        vals = json_object_new_object();
                        json_object_object_add(f, k, vals);
                }
                json_object_object_add(vals, eq + 1, json_object_new_boolean(true));
        }
        *ret = xstrdup(json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN));
        return 0;
}

struct json_object *
ctl_volumes_row(struct json_object *vol)
{
        struct json_object *o = json_object_new_object(), *labels = json_key(vol, "Labels");
        cleanup_strv char **kv = NULL;
        cleanup_free char *joined = NULL;

        if (labels && json_object_is_type(labels, json_type_object)) {
                json_object_object_foreach(labels, k, v) {
                        cleanup_free char *s = xasprintf("%s=%s", k, json_object_get_string(v));
                        strv_push(&kv, s);
                }
        }
        joined = kv ? strv_join(kv, ",") : xstrdup("");
        json_object_object_add(o, "Name", json_object_new_string(str(vol, "Name")));
        json_object_object_add(o, "Driver", json_object_new_string(str(vol, "Driver")));
        json_object_object_add(o, "Scope", json_object_new_string(str(vol, "Scope")));
        json_object_object_add(o, "Mountpoint", json_object_new_string(str(vol, "Mountpoint")));
        json_object_object_add(o, "Labels", json_object_new_string(joined));
        json_object_object_add(o, "Links", json_object_new_string("N/A"));
        json_object_object_add(o, "Size", json_object_new_string("N/A"));
        return o;
}
