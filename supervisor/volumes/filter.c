/* supervisor/volumes/filter.c: volume list and prune filters (moby daemon/volumes.go
 * filterVolumes, api/types/filters: Match is a regular expression search, ExactMatch equality,
 * MatchKVList labels). */
#include <config.h>

#include "supervisor/volumes/filter.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* {"k":{"v":true}} or the older {"k":["v"]}: the values of K. */
static int
values_of(struct json_object *v, const char *k, char ***ret, berth_error_t **err)
{
        if (json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, val, on) {
                        (void) on;
                        strv_push(ret, val);
                }
                return 0;
        }
        if (json_object_is_type(v, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        struct json_object *s = json_object_array_get_idx(v, i);
                        if (!json_object_is_type(s, json_type_string))
                                return berth_error_new(err, EINVAL, "Invalid filter '%s'", k);
                        strv_push(ret, json_object_get_string(s));
                }
                return 0;
        }
        return berth_error_new(err, EINVAL, "Invalid filter '%s'", k);
}

int
volume_filters_parse(const char *json, enum volume_filter_use use, struct volume_filters *ret,
                     berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        struct volume_filters f = {.dangling = -1};
        cleanup_strv char **dangling = NULL;
        int r = 0;

        if (json == NULL || json[0] == '\0') {
                *ret = f;
                return 0;
        }
        r = json_parse_buffer(json, strlen(json), &doc, err);
        if (r < 0)
                return berth_error_prefix(err, "filters");
        if (!json_object_is_type(doc, json_type_object))
                return berth_error_new(err, EINVAL, "filters: expected a JSON object");
        json_object_object_foreach(doc, k, v) {
                char ***into = NULL;
                if (use == VOLUME_FILTER_LIST && strcmp(k, "dangling") == 0)
                        into = &dangling;
                else if (use == VOLUME_FILTER_LIST && strcmp(k, "name") == 0)
                        into = &f.names;
                else if (use == VOLUME_FILTER_LIST && strcmp(k, "driver") == 0)
                        into = &f.drivers;
                else if (strcmp(k, "label") == 0)
                        into = &f.labels;
                else if (use == VOLUME_FILTER_PRUNE && strcmp(k, "label!") == 0)
                        into = &f.not_labels;
                if (into == NULL) {
                        r = berth_error_new(err, EINVAL, "Invalid filter '%s'", k);
                        break;
                }
                r = values_of(v, k, into, err);
                if (r < 0)
                        break;
        }
        strv_foreach(d, dangling) {
                int want;
                if (r < 0)
                        break;
                if (strcmp(d, "true") == 0 || strcmp(d, "1") == 0)
                        want = 1;
                else if (strcmp(d, "false") == 0 || strcmp(d, "0") == 0)
                        want = 0;
                else {
                        r = berth_error_new(err, EINVAL, "Invalid filter 'dangling=%s'", d);
                        break;
                }
                f.dangling = want;
        }
        strv_foreach(n, f.names) {
                regex_t re;
                if (r < 0)
                        break;
                if (regcomp(&re, n, REG_EXTENDED | REG_NOSUB) != 0) {
                        r = berth_error_new(err, EINVAL, "Invalid filter 'name=%s'", n);
                        break;
                }
                regfree(&re);
        }
        if (r < 0) {
                volume_filters_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

void
volume_filters_done(struct volume_filters *f)
{
        strv_free(f->names);
        strv_free(f->labels);
        strv_free(f->not_labels);
        strv_free(f->drivers);
        *f = (struct volume_filters){.dangling = -1};
}

bool
volume_label_match(struct json_object *labels, const char *filter)
{
        const char *eq = strchr(filter, '=');
        cleanup_free char *key = eq ? xstrndup(filter, (size_t) (eq - filter)) : xstrdup(filter);
        struct json_object *v = NULL;

        if (labels == NULL || !json_object_is_type(labels, json_type_object)
            || !json_object_object_get_ex(labels, key, &v))
                return false;
        if (eq == NULL)
                return true;
        return json_object_is_type(v, json_type_string)
               && strcmp(json_object_get_string(v), eq + 1) == 0;
}

static const char *
member(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;

        if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
                return "";
        return json_object_get_string(v);
}

static bool
name_match(char *const *names, const char *name)
{
        if (names == NULL)
                return true;
        strv_foreach(n, names) {
                regex_t re;
                bool hit;
                if (regcomp(&re, n, REG_EXTENDED | REG_NOSUB) != 0)
                        continue;
                hit = regexec(&re, name, 0, NULL, 0) == 0;
                regfree(&re);
                if (hit)
                        return true;
        }
        return false;
}

bool
volume_filters_match(const struct volume_filters *f, struct json_object *vol, bool in_use)
{
        struct json_object *labels = NULL;

        json_object_object_get_ex(vol, "Labels", &labels);
        if (f->dangling == 1 && in_use)
                return false;
        if (f->dangling == 0 && !in_use)
                return false;
        if (!name_match(f->names, member(vol, "Name")))
                return false;
        if (f->drivers) {
                bool hit = false;
                strv_foreach(d, f->drivers) {
                        hit |= strcmp(d, member(vol, "Driver")) == 0;
                }
                if (!hit)
                        return false;
        }
        strv_foreach(l, f->labels) {
                if (!volume_label_match(labels, l))
                        return false;
        }
        strv_foreach(l, f->not_labels) {
                if (volume_label_match(labels, l))
                        return false;
        }
        return true;
}
