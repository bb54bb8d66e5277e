/* supervisor/events/filter.c: GET /events' filters, timestamps and message shape (see filter.h). */
#include <config.h>

#include "supervisor/events/filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/events/bus.h"

void
events_filter_done(struct events_filter *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->items[i].key);
                strv_free(f->items[i].values);
        }
        free(f->items);
        memset(f, 0, sizeof(*f));
}

int
events_filter_parse(const char *text, struct events_filter *ret, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *perr = NULL; /* replaced by dockerd's wording below */
        struct events_filter f = {0};

        if (text == NULL || text[0] == '\0') {
                *ret = f;
                return 0;
        }
        if (json_parse_buffer(text, strlen(text), &doc, &perr) < 0
            || !json_object_is_type(doc, json_type_object))
                return berth_error_new(err, EINVAL, "invalid filter: %s", text);
        json_object_object_foreach(doc, k, v) {
                char **values = NULL;
                /* dockerd 20.10 takes any key and ignores those it does not match on (a
                 * private dockerd answered {"bogus":…} with the full stream). */
                if (json_object_is_type(v, json_type_object)) {
                        json_object_object_foreach(v, val, on) {
                                if (json_object_get_boolean(on))
                                        strv_push(&values, val);
                        }
                } else if (json_object_is_type(v, json_type_array)) {
                        for (size_t i = 0; i < json_object_array_length(v); i++) {
                                struct json_object *s = json_object_array_get_idx(v, i);
                                if (json_object_is_type(s, json_type_string))
                                        strv_push(&values, json_object_get_string(s));
                        }
                } else {
                        events_filter_done(&f);
                        return berth_error_new(err, EINVAL, "invalid filter: %s", text);
                }
                if (values == NULL)
                        continue;
                f.items = xrealloc(f.items, (f.n + 1) * sizeof(f.items[0]));
                f.items[f.n].key = xstrdup(k);
                f.items[f.n].values = values;
                f.n++;
        }
        *ret = f;
        return 0;
}

static char *const *
values_of(const struct events_filter *f, const char *key)
{
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->items[i].key, key) == 0)
                        return f->items[i].values;
        return NULL;
}

/* moby's Args.ExactMatch: true when KEY is not filtered on, or SOURCE is one of its values. */
static bool
exact(const struct events_filter *f, const char *key, const char *source)
{
        char *const *vals = values_of(f, key);

        if (vals == NULL)
                return true;
        strv_foreach(v, vals) {
                if (source && strcmp(v, source) == 0)
                        return true;
        }
        return false;
}

/* moby's Args.FuzzyMatch: an exact value, or one that SOURCE starts with (short IDs). */
static bool
fuzzy(const struct events_filter *f, const char *key, const char *source)
{
        char *const *vals = values_of(f, key);

        if (vals == NULL)
                return true;
        strv_foreach(v, vals) {
                if (source && strncmp(source, v, strlen(v)) == 0)
                        return true;
        }
        return false;
}

/* "busybox:latest" → "busybox"; a port colon ("host:5000/x") is left alone. */
static char *
strip_tag(const char *ref)
{
        const char *slash = strrchr(ref, '/');
        const char *colon = strrchr(slash ? slash : ref, ':');
        const char *at = strchr(ref, '@');

        if (at)
                return xstrndup(ref, (size_t) (at - ref));
        if (colon)
                return xstrndup(ref, (size_t) (colon - ref));
        return xstrdup(ref);
}

static bool
match_image(const struct events_filter *f, const struct event *e)
{
        const char *name = event_attr(e, strcmp(e->type, "image") == 0 ? "name" : "image");
        cleanup_free char *id_stripped = NULL, *name_stripped = NULL;

        if (values_of(f, "image") == NULL)
                return true;
        id_stripped = strip_tag(e->actor_id);
        name_stripped = name ? strip_tag(name) : NULL;
        return exact(f, "image", e->actor_id) || (name && exact(f, "image", name))
               || exact(f, "image", id_stripped) || (name && exact(f, "image", name_stripped));
}

/* Actors of TYPE are matched by ID or name; a filter on TYPE excludes events of other types. */
static bool
match_named(const struct events_filter *f, const struct event *e, const char *type)
{
        if (values_of(f, type) == NULL)
                return true;
        if (strcmp(e->type, type) != 0)
                return false;
        return fuzzy(f, type, e->actor_id) || fuzzy(f, type, event_attr(e, "name"));
}

/* label=KEY or label=KEY=VALUE, against the actor's attributes; every one must hold. */
static bool
match_labels(const struct events_filter *f, const struct event *e)
{
        char *const *vals = values_of(f, "label");

        strv_foreach(v, vals) {
                const char *eq = strchr(v, '=');
                cleanup_free char *key = eq ? xstrndup(v, (size_t) (eq - v)) : xstrdup(v);
                const char *have = event_attr(e, key);
                if (have == NULL || (eq && strcmp(have, eq + 1) != 0))
                        return false;
        }
        return true;
}

bool
events_filter_match(const struct events_filter *f, const struct event *e)
{
        return exact(f, "event", e->action) && exact(f, "type", e->type)
               && exact(f, "scope", "local") && match_named(f, e, "container")
               && match_named(f, e, "volume") && match_named(f, e, "network")
               && match_named(f, e, "plugin") && match_named(f, e, "daemon") && match_image(f, e)
               && match_labels(f, e);
}

int
events_parse_timestamp(const char *text, int64_t *ret_nano)
{
        const char *p = text;
        int64_t sec = 0, nano = 0;
        size_t digits;

        if (text == NULL || *text == '\0')
                return -EINVAL;
        digits = strspn(p, "0123456789");
        if (digits == 0 || digits > 12)
                return -EINVAL;
        for (size_t i = 0; i < digits; i++)
                sec = sec * 10 + (p[i] - '0');
        p += digits;
        if (*p == '.') {
                p++;
                digits = strspn(p, "0123456789");
                if (digits == 0 || digits > 9)
                        return -EINVAL;
                for (size_t i = 0; i < 9; i++)
                        nano = nano * 10 + (i < digits ? p[i] - '0' : 0);
                p += digits;
        }
        if (*p != '\0')
                return -EINVAL;
        *ret_nano = sec * 1000000000 + nano;
        return 0;
}

struct json_object *
events_message_build(const struct event *e)
{
        struct json_object *o = json_object_new_object();
        struct json_object *actor = json_object_new_object();
        struct json_object *attrs = json_object_new_object();
        bool container = strcmp(e->type, "container") == 0;

        /* The deprecated top-level fields: dockerd fills them for containers and images only
         * (moby daemon/events/events.go, Log). */
        if (container || strcmp(e->type, "image") == 0) {
                json_object_object_add(o, "status", json_object_new_string(e->action));
                json_object_object_add(o, "id", json_object_new_string(e->actor_id));
                if (container && event_attr(e, "image"))
                        json_object_object_add(o, "from",
                                               json_object_new_string(event_attr(e, "image")));
        }
        json_object_object_add(o, "Type", json_object_new_string(e->type));
        json_object_object_add(o, "Action", json_object_new_string(e->action));
        json_object_object_add(actor, "ID", json_object_new_string(e->actor_id));
        for (size_t i = 0; e->attrs && e->attrs[i] && e->attrs[i + 1]; i += 2)
                json_object_object_add(attrs, e->attrs[i], json_object_new_string(e->attrs[i + 1]));
        json_object_object_add(actor, "Attributes", attrs);
        json_object_object_add(o, "Actor", actor);
        json_object_object_add(o, "scope", json_object_new_string("local"));
        json_object_object_add(o, "time", json_object_new_int64(e->time_nano / 1000000000));
        json_object_object_add(o, "timeNano", json_object_new_int64(e->time_nano));
        return o;
}
