/* supervisor/containers/config.c: merging the image's config into a create request's Config. */
#include <config.h>

#include "supervisor/containers/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool
empty_str(struct json_object *v)
{
        return v == NULL || !json_object_is_type(v, json_type_string)
               || json_object_get_string_len(v) == 0;
}

static bool
empty_arr(struct json_object *v)
{
        return v == NULL || !json_object_is_type(v, json_type_array)
               || json_object_array_length(v) == 0;
}

static struct json_object *
copy(struct json_object *v)
{
        struct json_object *out = NULL;
        if (v == NULL)
                return NULL;
        json_object_deep_copy(v, &out, NULL);
        return out;
}

static size_t
key_len(const char *kv)
{
        return strcspn(kv, "=");
}

/* Union of two objects, B's members winning; NULL when both are absent. */
static struct json_object *
object_union(struct json_object *a, struct json_object *b)
{
        struct json_object *out;

        if ((a == NULL || !json_object_is_type(a, json_type_object))
            && (b == NULL || !json_object_is_type(b, json_type_object)))
                return NULL;
        out = json_object_new_object();
        if (a && json_object_is_type(a, json_type_object)) {
                json_object_object_foreach(a, ka, va)
                        json_object_object_add(out, ka, copy(va));
        }
        if (b && json_object_is_type(b, json_type_object)) {
                json_object_object_foreach(b, kb, vb)
                        json_object_object_add(out, kb, copy(vb));
        }
        return out;
}

static int
check_string_array(struct json_object *v, const char *what, berth_error_t **err)
{
        if (v == NULL)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return berth_error_new(err, EINVAL, "Config.%s: expected an array of strings",
                                       what);
        for (size_t i = 0; i < json_object_array_length(v); i++)
                if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
                        return berth_error_new(err, EINVAL, "Config.%s[%zu]: expected a string",
                                               what, i);
        return 0;
}

int
container_config_merge(struct json_object *image, struct json_object *req, const char *id,
                       struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *out = NULL;
        struct json_object *env, *entry, *cmd, *v;
        static const char *const arrays[] = {"Env", "Cmd", "Entrypoint", NULL};
        static const char *const inherit[] = {"User", "WorkingDir", "StopSignal", NULL};
        cleanup_free char *short_id = xstrndup(id, 12);
        bool reset_entry = false;
        int r;

        if (req && !json_object_is_type(req, json_type_object))
                return berth_error_new(err, EINVAL, "Config: expected an object");
        out = req ? copy(req) : json_object_new_object();
        for (size_t i = 0; arrays[i]; i++) {
                /* docker accepts a single string for Cmd and Entrypoint (strslice). */
                v = json_key(out, arrays[i]);
                if (v && json_object_is_type(v, json_type_string)) {
                        struct json_object *a = json_object_new_array();
                        json_object_array_add(a, json_object_get(v));
                        json_object_object_add(out, arrays[i], a);
                        continue;
                }
                r = check_string_array(v, arrays[i], err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; inherit[i]; i++)
                if (empty_str(json_key(out, inherit[i])) && !empty_str(json_key(image, inherit[i])))
                        json_object_object_add(out, inherit[i], copy(json_key(image, inherit[i])));
        if (json_key(out, "Healthcheck") == NULL && json_key(image, "Healthcheck"))
                json_object_object_add(out, "Healthcheck", copy(json_key(image, "Healthcheck")));

        /* Env: the request's, then the image's variables it does not set. */
        env = json_object_new_array();
        v = json_key(out, "Env");
        for (size_t i = 0; v && i < json_object_array_length(v); i++)
                json_object_array_add(env, copy(json_object_array_get_idx(v, i)));
        v = json_key(image, "Env");
        for (size_t i = 0;
             v && json_object_is_type(v, json_type_array) && i < json_object_array_length(v); i++) {
                const char *ie = json_object_get_string(json_object_array_get_idx(v, i));
                bool found = false;
                for (size_t j = 0; ie && j < json_object_array_length(env) && !found; j++) {
                        const char *ue = json_object_get_string(json_object_array_get_idx(env, j));
                        found = key_len(ue) == key_len(ie) && strncmp(ue, ie, key_len(ie)) == 0;
                }
                if (ie && !found)
                        json_object_array_add(env, json_object_new_string(ie));
        }
        json_object_object_add(out, "Env", env);

        /* docker's shapes: Labels always an object, ExposedPorts omitted when empty, Volumes
         * null when empty. */
        v = object_union(json_key(image, "Labels"), json_key(out, "Labels"));
        json_object_object_add(out, "Labels", v ? v : json_object_new_object());
        v = object_union(json_key(image, "ExposedPorts"), json_key(out, "ExposedPorts"));
        if (v)
                json_object_object_add(out, "ExposedPorts", v);
        else
                json_object_object_del(out, "ExposedPorts");
        v = object_union(json_key(image, "Volumes"), json_key(out, "Volumes"));
        if (v && json_object_object_length(v) == 0) {
                json_object_put(v);
                v = NULL;
        }
        json_object_object_add(out, "Volumes", v);

        /* moby's merge(): an entrypoint in the request replaces the image's and drops the
         * image's Cmd; `--entrypoint ""` arrives as [""] and means no entrypoint at all. */
        entry = json_key(out, "Entrypoint");
        cmd = json_key(out, "Cmd");
        if (!empty_arr(entry) && json_object_array_length(entry) == 1
            && json_object_get_string_len(json_object_array_get_idx(entry, 0)) == 0)
                reset_entry = true;
        if (empty_arr(entry)) {
                bool inherit_entry = entry == NULL;
                if (empty_arr(cmd))
                        json_object_object_add(out, "Cmd", copy(json_key(image, "Cmd")));
                if (inherit_entry)
                        json_object_object_add(out, "Entrypoint",
                                               copy(json_key(image, "Entrypoint")));
        } else if (reset_entry) {
                json_object_object_add(out, "Entrypoint", NULL);
        }
        if (empty_arr(json_key(out, "Entrypoint")) && empty_arr(json_key(out, "Cmd")))
                return berth_error_new(err, EINVAL, "No command specified");
        if (empty_str(json_key(out, "Hostname")))
                json_object_object_add(out, "Hostname", json_object_new_string(short_id));
        *ret = TAKE_PTR(out);
        return 0;
}

void
container_config_command(struct json_object *config, char **ret_path, struct json_object **ret_args)
{
        struct json_object *entry = json_key(config, "Entrypoint"), *cmd = json_key(config, "Cmd");
        struct json_object *args = json_object_new_array();
        const char *path = "";
        size_t start = 1;

        if (!empty_arr(entry)) {
                path = json_object_get_string(json_object_array_get_idx(entry, 0));
                for (size_t i = 1; i < json_object_array_length(entry); i++)
                        json_object_array_add(args, copy(json_object_array_get_idx(entry, i)));
                start = 0;
        } else if (!empty_arr(cmd)) {
                path = json_object_get_string(json_object_array_get_idx(cmd, 0));
        }
        for (size_t i = start; !empty_arr(cmd) && i < json_object_array_length(cmd); i++)
                json_object_array_add(args, copy(json_object_array_get_idx(cmd, i)));
        *ret_path = xstrdup(path);
        *ret_args = args;
}

static void
replace_or_append(char ***env, const char *kv)
{
        size_t n = key_len(kv);

        for (size_t i = 0; *env && (*env)[i]; i++)
                if (key_len((*env)[i]) == n && strncmp((*env)[i], kv, n) == 0) {
                        free((*env)[i]);
                        (*env)[i] = xstrdup(kv);
                        return;
                }
        strv_push(env, kv);
}

char **
container_config_process_env(struct json_object *config)
{
        char **env = NULL;
        struct json_object *tty = json_key(config, "Tty"), *ce = json_key(config, "Env");
        cleanup_free char *hn =
                xasprintf("HOSTNAME=%s", json_object_get_string(json_key(config, "Hostname")));

        /* moby's CreateDaemonEnvironment: the defaults first, the config's Env over them. */
        strv_push(&env, DEFAULT_PATH);
        strv_push(&env, hn);
        if (tty && json_object_get_boolean(tty))
                strv_push(&env, "TERM=xterm");
        for (size_t i = 0; ce && i < json_object_array_length(ce); i++) {
                const char *kv = json_object_get_string(json_object_array_get_idx(ce, i));
                if (kv)
                        replace_or_append(&env, kv);
        }
        return env;
}
