/* runtime/spec/spec.c: config.json's top level (ociVersion, root, hostname, annotations) and the
 * loader; each section has a file of its own. */
#include <config.h>

#include "runtime/spec/spec.h"

#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

static int
parse_root(struct json_object *doc, struct spec *spec, berth_error_t **err)
{
        struct json_object *root = NULL;
        const struct jpath *at = JPATH_KEY(NULL, "root");
        const char *path = NULL;
        int r;

        r = json_get_object(doc, NULL, "root", &root, err);
        if (r < 0)
                return r;
        if (r == 0)
                return json_error(err, at, "required");
        r = json_need_path(root, at, "path", &path, err);
        if (r < 0)
                return r;
        spec->root_path = xstrdup(path);
        r = json_get_bool(root, at, "readonly", &spec->root_readonly, err);
        return r < 0 ? r : 0;
}

static int
parse_string_map(struct json_object *doc, const struct jpath *at, const char *key, char ***ret,
                 berth_error_t **err)
{
        struct json_object *obj = NULL;
        const struct jpath *here = JPATH_KEY(at, key);
        int r;

        r = json_get_object(doc, at, key, &obj, err);
        if (r <= 0)
                return r;
        json_object_object_foreach(obj, k, v)
        {
                const char *s;
                r = json_value_string(v, JPATH_KEY(here, k), &s, err);
                if (r < 0)
                        return r;
                strv_push(ret, k);
                strv_push(ret, s);
        }
        return 0;
}

int
spec_parse_json(struct json_object *doc, struct spec *spec, berth_error_t **err)
{
        struct json_object *sec = NULL;
        const char *s = NULL;
        int r;

        memset(spec, 0, sizeof(*spec));
        r = json_expect_object(doc, NULL, err);
        if (r < 0)
                return r;
        spec->doc = json_object_get(doc);

        r = json_need_string(doc, NULL, "ociVersion", &s, err);
        if (r < 0)
                return r;
        if (strncmp(s, "1.", 2) != 0)
                return json_error(err, JPATH_KEY(NULL, "ociVersion"),
                                  "unsupported version \"%s\" (berth implements 1.0 to 1.2)", s);
        spec->oci_version = xstrdup(s);

        r = parse_root(doc, spec, err);
        if (r < 0)
                return r;

        r = json_get_object(doc, NULL, "process", &sec, err);
        if (r < 0)
                return r;
        if (r > 0) {
                spec->has_process = true;
                r = spec_parse_process(sec, JPATH_KEY(NULL, "process"), &spec->process, err);
                if (r < 0)
                        return r;
        }

        r = json_get_string(doc, NULL, "hostname", &s, err);
        if (r < 0)
                return r;
        if (r > 0) {
                spec->has_hostname = true;
                spec->hostname = xstrdup(s);
        }
        r = json_get_string(doc, NULL, "domainname", &s, err);
        if (r < 0)
                return r;
        if (r > 0) {
                spec->has_domainname = true;
                spec->domainname = xstrdup(s);
        }

        sec = NULL;
        r = json_get_array(doc, NULL, "mounts", &sec, err);
        if (r < 0)
                return r;
        if (r > 0) {
                r = spec_parse_mounts(sec, JPATH_KEY(NULL, "mounts"), spec, err);
                if (r < 0)
                        return r;
        }

        sec = NULL;
        r = json_get_object(doc, NULL, "hooks", &sec, err);
        if (r < 0)
                return r;
        if (r > 0) {
                r = spec_parse_hooks(sec, JPATH_KEY(NULL, "hooks"), &spec->hooks, err);
                if (r < 0)
                        return r;
        }

        r = parse_string_map(doc, NULL, "annotations", &spec->annotations, err);
        if (r < 0)
                return r;

        sec = NULL;
        r = json_get_object(doc, NULL, "linux", &sec, err);
        if (r < 0)
                return r;
        if (r > 0) {
                r = spec_parse_linux(sec, JPATH_KEY(NULL, "linux"), &spec->linux, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int
spec_load(const char *bundle, struct spec *spec, berth_error_t **err)
{
        cleanup_free char *path = xasprintf("%s/config.json", bundle);
        cleanup_json struct json_object *doc = NULL;
        int r;

        memset(spec, 0, sizeof(*spec));
        r = json_parse_file(path, &doc, err);
        if (r == -ENOENT)
                return r; /* the message names the path already */
        if (r < 0)
                return berth_error_prefix(err, "config.json");
        r = spec_parse_json(doc, spec, err);
        if (r < 0) {
                spec_done(spec);
                return berth_error_prefix(err, "config.json");
        }
        return 0;
}

const struct spec_namespace *
spec_find_namespace(const struct spec *spec, int type)
{
        for (size_t i = 0; i < spec->linux.n_namespaces; i++) {
                if (spec->linux.namespaces[i].type == type)
                        return &spec->linux.namespaces[i];
        }
        return NULL;
}

void
spec_done(struct spec *spec)
{
        free(spec->oci_version);
        free(spec->root_path);
        spec_process_done(&spec->process);
        free(spec->hostname);
        free(spec->domainname);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                struct spec_mount *m = &spec->mounts[i];
                free(m->destination);
                free(m->type);
                free(m->source);
                strv_free(m->options);
                free(m->data);
                free(m->uid_mappings);
                free(m->gid_mappings);
        }
        free(spec->mounts);
        spec_hooks_done(&spec->hooks);
        strv_free(spec->annotations);
        spec_linux_done(&spec->linux);
        if (spec->doc)
                json_object_put(spec->doc);
        memset(spec, 0, sizeof(*spec));
}
