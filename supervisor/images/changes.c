/* supervisor/images/changes.c: the Dockerfile instructions docker import accepts as changes
 * (moby builder/dockerfile: BuildFromConfig and its dispatchers; the parsing rules of its
 * parser: JSON array or shell form, ENV/LABEL key=value pairs with quotes). */
#include <config.h>

#include "supervisor/images/changes.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

struct json_object *
image_changes_new_config(void)
{
        static const char *const strings[] = {"Hostname", "Domainname", "User"};
        static const char *const bools[] = {"AttachStdin", "AttachStdout", "AttachStderr",
                                            "Tty",         "OpenStdin",    "StdinOnce"};
        struct json_object *c = json_object_new_object();

        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
                json_object_object_add(c, strings[i], json_object_new_string(""));
        for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
                json_object_object_add(c, bools[i], json_object_new_boolean(0));
        json_object_object_add(c, "Env", NULL);
        json_object_object_add(c, "Cmd", NULL);
        json_object_object_add(c, "Image", json_object_new_string(""));
        json_object_object_add(c, "Volumes", NULL);
        json_object_object_add(c, "WorkingDir", json_object_new_string(""));
        json_object_object_add(c, "Entrypoint", NULL);
        json_object_object_add(c, "OnBuild", NULL);
        json_object_object_add(c, "Labels", NULL);
        return c;
}

static const char *
skip_space(const char *s)
{
        while (*s && isspace((unsigned char) *s))
                s++;
        return s;
}

/* Dockerfile words: whitespace-separated, with "…" and '…' quoting and backslash escapes. */
static int
split_words(const char *s, const char *inst, char ***ret, berth_error_t **err)
{
        cleanup_strv char **words = NULL;

        s = skip_space(s);
        while (*s) {
                cleanup_free char *w = xmalloc(strlen(s) + 1);
                size_t n = 0;
                char quote = 0;
                for (; *s && (quote || !isspace((unsigned char) *s)); s++) {
                        if (quote && *s == quote) {
                                quote = 0;
                        } else if (!quote && (*s == '"' || *s == '\'')) {
                                quote = *s;
                        } else if (*s == '\\' && s[1] && quote != '\'') {
                                w[n++] = *++s;
                        } else {
                                w[n++] = *s;
                        }
                }
                if (quote)
                        return berth_error_new(err, EINVAL, "%s: unmatched quote", inst);
                w[n] = '\0';
                strv_push(&words, w);
                s = skip_space(s);
        }
        *ret = TAKE_PTR(words);
        return 0;
}

/* CMD/ENTRYPOINT/VOLUME: a JSON array of strings, or the shell form. */
static struct json_object *
json_array_form(const char *args)
{
        struct json_object *v;
        const char *s = skip_space(args);

        if (*s != '[')
                return NULL;
        v = json_tokener_parse(s);
        if (v == NULL || !json_object_is_type(v, json_type_array)) {
                json_object_put(v);
                return NULL;
        }
        for (size_t i = 0; i < json_object_array_length(v); i++)
                if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string)) {
                        json_object_put(v);
                        return NULL;
                }
        return v;
}

static struct json_object *
command(const char *args)
{
        struct json_object *v = json_array_form(args), *a;

        if (v)
                return v;
        a = json_object_new_array();
        json_object_array_add(a, json_object_new_string("/bin/sh"));
        json_object_array_add(a, json_object_new_string("-c"));
        json_object_array_add(a, json_object_new_string(skip_space(args)));
        return a;
}

/* ENV and LABEL: "k=v k2=v2" pairs, or the legacy "k v…" with one key. */
static int
pairs(const char *args, const char *inst, char ***ret, berth_error_t **err)
{
        cleanup_strv char **words = NULL, **out = NULL;
        int r = split_words(args, inst, &words, err);

        if (r < 0)
                return r;
        if (words == NULL)
                return berth_error_new(err, EINVAL, "%s requires at least one argument", inst);
        if (strchr(words[0], '=') == NULL) {
                const char *s = skip_space(args), *v;
                cleanup_free char *k = xstrndup(s, strcspn(s, " \t"));
                v = skip_space(s + strlen(k));
                if (*v == '\0')
                        return berth_error_new(err, EINVAL, "%s must have two arguments", inst);
                strv_push(&out, k);
                strv_push(&out, v);
        } else {
                strv_foreach(w, words) {
                        char *eq = strchr(w, '=');
                        cleanup_free char *k = NULL;
                        if (eq == NULL || eq == w)
                                return berth_error_new(
                                        err, EINVAL,
                                        "%s names can not be blank or lack a value: \"%s\"", inst,
                                        w);
                        k = xstrndup(w, (size_t) (eq - w));
                        strv_push(&out, k);
                        strv_push(&out, eq + 1);
                }
        }
        *ret = TAKE_PTR(out);
        return 0;
}

static void
env_set(struct json_object *config, const char *k, const char *v)
{
        struct json_object *env = NULL;
        cleanup_free char *kv = xasprintf("%s=%s", k, v);
        size_t kl = strlen(k);

        json_object_object_get_ex(config, "Env", &env);
        if (env == NULL || !json_object_is_type(env, json_type_array)) {
                env = json_object_new_array();
                json_object_object_add(config, "Env", env);
        }
        for (size_t i = 0; i < json_object_array_length(env); i++) {
                const char *e = json_object_get_string(json_object_array_get_idx(env, i));
                if (strncmp(e, k, kl) == 0 && e[kl] == '=') {
                        json_object_array_put_idx(env, i, json_object_new_string(kv));
                        return;
                }
        }
        json_object_array_add(env, json_object_new_string(kv));
}

static struct json_object *
object_member(struct json_object *config, const char *key)
{
        struct json_object *o = NULL;

        json_object_object_get_ex(config, key, &o);
        if (o == NULL || !json_object_is_type(o, json_type_object)) {
                o = json_object_new_object();
                json_object_object_add(config, key, o);
        }
        return o;
}

static int
apply_one(struct json_object *config, const char *inst, const char *args, berth_error_t **err)
{
        cleanup_strv char **w = NULL;
        int r;

        if (strcasecmp(inst, "CMD") == 0) {
                json_object_object_add(config, "Cmd", command(args));
        } else if (strcasecmp(inst, "ENTRYPOINT") == 0) {
                json_object_object_add(config, "Entrypoint", command(args));
        } else if (strcasecmp(inst, "ENV") == 0 || strcasecmp(inst, "LABEL") == 0) {
                bool env = strcasecmp(inst, "ENV") == 0;
                r = pairs(args, env ? "ENV" : "LABEL", &w, err);
                if (r < 0)
                        return r;
                for (size_t i = 0; w[i]; i += 2) {
                        if (env)
                                env_set(config, w[i], w[i + 1]);
                        else
                                json_object_object_add(object_member(config, "Labels"), w[i],
                                                       json_object_new_string(w[i + 1]));
                }
        } else if (strcasecmp(inst, "USER") == 0 || strcasecmp(inst, "STOPSIGNAL") == 0) {
                r = split_words(args, inst, &w, err);
                if (r < 0)
                        return r;
                if (strv_length(w) != 1)
                        return berth_error_new(err, EINVAL, "%s requires exactly one argument",
                                               strcasecmp(inst, "USER") == 0 ? "USER"
                                                                             : "STOPSIGNAL");
                json_object_object_add(config,
                                       strcasecmp(inst, "USER") == 0 ? "User" : "StopSignal",
                                       json_object_new_string(w[0]));
        } else if (strcasecmp(inst, "WORKDIR") == 0) {
                struct json_object *cur = NULL;
                cleanup_free char *dir = NULL;
                const char *a = skip_space(args), *base = "";
                size_t n = strlen(a);
                while (n > 0 && isspace((unsigned char) a[n - 1]))
                        n--;
                if (n == 0)
                        return berth_error_new(err, EINVAL,
                                               "WORKDIR requires exactly one argument");
                if (json_object_object_get_ex(config, "WorkingDir", &cur) && cur)
                        base = json_object_get_string(cur);
                if (a[0] == '/')
                        dir = xstrndup(a, n);
                else
                        dir = xasprintf("%s/%.*s", base[0] ? base : "", (int) n, a);
                json_object_object_add(config, "WorkingDir", json_object_new_string(dir));
        } else if (strcasecmp(inst, "EXPOSE") == 0) {
                struct json_object *ports;
                r = split_words(args, inst, &w, err);
                if (r < 0)
                        return r;
                if (w == NULL)
                        return berth_error_new(err, EINVAL,
                                               "EXPOSE requires at least one argument");
                ports = object_member(config, "ExposedPorts");
                strv_foreach(p, w) {
                        cleanup_free char *key = NULL;
                        char *end = NULL;
                        long port = strtol(p, &end, 10);
                        if (end == p || port < 0 || port > 65535
                            || (*end && strcmp(end, "/tcp") != 0 && strcmp(end, "/udp") != 0
                                && strcmp(end, "/sctp") != 0))
                                return berth_error_new(err, EINVAL, "EXPOSE: invalid port \"%s\"",
                                                       p);
                        key = *end ? xstrdup(p) : xasprintf("%s/tcp", p);
                        json_object_object_add(ports, key, json_object_new_object());
                }
        } else if (strcasecmp(inst, "VOLUME") == 0) {
                struct json_object *arr = json_array_form(args), *vols;
                if (arr == NULL) {
                        r = split_words(args, inst, &w, err);
                        if (r < 0)
                                return r;
                        arr = json_object_new_array();
                        strv_foreach(p, w)
                                json_object_array_add(arr, json_object_new_string(p));
                }
                if (json_object_array_length(arr) == 0) {
                        json_object_put(arr);
                        return berth_error_new(err, EINVAL,
                                               "VOLUME specified can not be an empty string");
                }
                vols = object_member(config, "Volumes");
                for (size_t i = 0; i < json_object_array_length(arr); i++)
                        json_object_object_add(
                                vols, json_object_get_string(json_object_array_get_idx(arr, i)),
                                json_object_new_object());
                json_object_put(arr);
        } else {
                cleanup_free char *lower = xstrdup(inst);
                for (char *c = lower; *c; c++)
                        *c = (char) tolower((unsigned char) *c);
                return berth_error_new(err, EINVAL, "%s is not a valid change command", lower);
        }
        return 0;
}

int
image_changes_apply(struct json_object *config, char *const *changes, berth_error_t **err)
{
        strv_foreach(change, changes) {
                cleanup_free char *copy = xstrdup(change);
                char *save = NULL;
                for (char *line = strtok_r(copy, "\n", &save); line;
                     line = strtok_r(NULL, "\n", &save)) {
                        const char *s = skip_space(line);
                        cleanup_free char *inst = NULL;
                        int r;
                        if (*s == '\0' || *s == '#')
                                continue;
                        inst = xstrndup(s, strcspn(s, " \t"));
                        r = apply_one(config, inst, s + strlen(inst), err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
