/* shim/options.c: which runtime the shim drives and how (containerd.runc.v1.Options, or a
 * berth shim config file), kept in <bundle>/options.json for the delete action. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "shim/service.h"

#define OPTIONS_FILE "options.json"

void
shim_options_defaults(struct shim_options *o)
{
        *o = (struct shim_options){0};
        o->binary_name = xstrdup("berth");
        o->root = xstrdup("/run/containerd/berth");
}

void
shim_options_done(struct shim_options *o)
{
        free(o->binary_name);
        free(o->root);
        free(o->criu_path);
        free(o->shim_cgroup);
        *o = (struct shim_options){0};
}

int
shim_options_save(const char *bundle, const struct shim_options *o, berth_error_t **err)
{
        cleanup_json struct json_object *j = json_object_new_object();
        cleanup_close int dirfd = -1;

        json_object_object_add(j, "binary_name", json_object_new_string(o->binary_name));
        json_object_object_add(j, "root", json_object_new_string(o->root));
        if (o->criu_path)
                json_object_object_add(j, "criu_path", json_object_new_string(o->criu_path));
        json_object_object_add(j, "systemd_cgroup", json_object_new_boolean(o->systemd_cgroup));
        json_object_object_add(j, "no_pivot_root", json_object_new_boolean(o->no_pivot_root));
        json_object_object_add(j, "no_new_keyring", json_object_new_boolean(o->no_new_keyring));
        json_object_object_add(j, "io_uid", json_object_new_int64(o->io_uid));
        json_object_object_add(j, "io_gid", json_object_new_int64(o->io_gid));
        const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
        dirfd = open(bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dirfd < 0)
                return berth_error_sys(err, errno, "open bundle %s", bundle);
        return fs_replace_file(dirfd, OPTIONS_FILE, text, strlen(text), 0600, err);
}

static void
options_take_string(struct json_object *j, const char *key, char **field)
{
        struct json_object *v;

        if (json_object_object_get_ex(j, key, &v) && json_object_is_type(v, json_type_string)) {
                free(*field);
                *field = xstrdup(json_object_get_string(v));
        }
}

static void
options_take_bool(struct json_object *j, const char *key, bool *field)
{
        struct json_object *v;

        if (json_object_object_get_ex(j, key, &v))
                *field = json_object_get_boolean(v);
}

int
shim_options_load(const char *bundle, struct shim_options *o, berth_error_t **err)
{
        cleanup_free char *path = xasprintf("%s/" OPTIONS_FILE, bundle);
        cleanup_json struct json_object *j = NULL;
        struct json_object *v;
        int r;

        shim_options_defaults(o);
        r = json_parse_file(path, &j, err);
        if (r < 0) {
                shim_options_done(o);
                return r;
        }
        options_take_string(j, "binary_name", &o->binary_name);
        options_take_string(j, "root", &o->root);
        options_take_string(j, "criu_path", &o->criu_path);
        options_take_bool(j, "systemd_cgroup", &o->systemd_cgroup);
        options_take_bool(j, "no_pivot_root", &o->no_pivot_root);
        options_take_bool(j, "no_new_keyring", &o->no_new_keyring);
        if (json_object_object_get_ex(j, "io_uid", &v))
                o->io_uid = (uint32_t) json_object_get_int64(v);
        if (json_object_object_get_ex(j, "io_gid", &v))
                o->io_gid = (uint32_t) json_object_get_int64(v);
        return 0;
}

static char *
config_strip(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n > 0 && strchr(" \t\r", s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* A TOML basic string ("..." with \" and \\ escapes) or a bare word. */
static int
config_value_string(const char *path, unsigned line, char *v, char **ret, berth_error_t **err)
{
        if (*v != '"') {
                *ret = xstrdup(v);
                return 0;
        }
        char *out = xmalloc(strlen(v) + 1), *w = out;
        for (v++; *v && *v != '"'; v++) {
                if (*v == '\\' && (v[1] == '"' || v[1] == '\\'))
                        v++;
                *w++ = *v;
        }
        *w = '\0';
        const char *rest = *v == '"' ? config_strip(v + 1) : NULL;
        if (!rest || (*rest != '\0' && *rest != '#')) {
                free(out);
                return berth_error_new(err, EINVAL, "%s:%u: unterminated string", path, line);
        }
        *ret = out;
        return 0;
}

int
shim_options_read_config(const char *path, struct shim_options *o, berth_error_t **err)
{
        cleanup_free char *text = NULL;
        unsigned line = 0;
        int r;

        r = fs_read_file(AT_FDCWD, path, &text, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "shim config");
        for (char *cursor = text, *l; (l = strsep(&cursor, "\n"));) {
                line++;
                char *hash = strchr(l, '#');
                if (hash && !strchr(l, '"'))
                        *hash = '\0';
                l = config_strip(l);
                if (*l == '\0' || *l == '[')
                        continue;
                char *eq = strchr(l, '=');
                if (!eq)
                        return berth_error_new(err, EINVAL, "%s:%u: expected key = value", path,
                                               line);
                *eq = '\0';
                char *key = config_strip(l);
                cleanup_free char *val = NULL;
                r = config_value_string(path, line, config_strip(eq + 1), &val, err);
                if (r < 0)
                        return r;
                if (strcmp(key, "BinaryName") == 0) {
                        free(o->binary_name);
                        o->binary_name = TAKE_PTR(val);
                } else if (strcmp(key, "Root") == 0) {
                        free(o->root);
                        o->root = TAKE_PTR(val);
                } else if (strcmp(key, "ShimCgroup") == 0) {
                        free(o->shim_cgroup);
                        o->shim_cgroup = TAKE_PTR(val);
                } else if (strcmp(key, "CriuPath") == 0) {
                        free(o->criu_path);
                        o->criu_path = TAKE_PTR(val);
                } else if (strcmp(key, "SystemdCgroup") == 0 || strcmp(key, "NoPivotRoot") == 0
                           || strcmp(key, "NoNewKeyring") == 0) {
                        bool b;
                        if (strcmp(val, "true") == 0)
                                b = true;
                        else if (strcmp(val, "false") == 0)
                                b = false;
                        else
                                return berth_error_new(err, EINVAL,
                                                       "%s:%u: %s: expected true or false, not %s",
                                                       path, line, key, val);
                        if (key[0] == 'S')
                                o->systemd_cgroup = b;
                        else if (key[2] == 'P')
                                o->no_pivot_root = b;
                        else
                                o->no_new_keyring = b;
                } else if (strcmp(key, "IoUid") == 0 || strcmp(key, "IoGid") == 0) {
                        char *end;
                        errno = 0;
                        unsigned long n = strtoul(val, &end, 10);
                        if (errno || *end || end == val || n > UINT32_MAX)
                                return berth_error_new(err, EINVAL, "%s:%u: %s: not a uid/gid: %s",
                                                       path, line, key, val);
                        *(key[2] == 'U' ? &o->io_uid : &o->io_gid) = (uint32_t) n;
                } else {
                        return berth_error_new(err, EINVAL, "%s:%u: unknown key %s", path, line,
                                               key);
                }
        }
        return 0;
}
