/* lib/json.h: strict JSON input with JSON paths in errors, and typed getters over json-c. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

/* A location in a document as a chain of stack frames; rendered only when an error is made.
 * up NULL: the root; key NULL: an array item at index. */
struct jpath {
        const struct jpath *up;
        const char *key;
        size_t index;
};
#define JPATH_KEY(u, k) (&(const struct jpath){.up = (u), .key = (k)})
#define JPATH_IDX(u, i) (&(const struct jpath){.up = (u), .index = (i)})

static inline void
json_putp(struct json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

/* "process.rlimits[1].type"; "" for the root. Caller frees. */
char *jpath_render(const struct jpath *at);

/* -EINVAL with err->json_path set and msg "<path>: <text>". */
int json_error(berth_error_t **err, const struct jpath *at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Parse one JSON document; trailing bytes and bad UTF-8 are errors with line:column. */
int json_parse_buffer(const char *buf, size_t len, struct json_object **ret, berth_error_t **err);
int json_parse_file(const char *path, struct json_object **ret, berth_error_t **err);

/* A JSON string literal for s (with quotes). Caller frees. */
char *json_quote(const char *s);

/* Typed getters of member KEY of OBJ (whose own location is AT). Each returns 1 when the member is
 * present, 0 when absent or null (*ret untouched), or -EINVAL with the member's path when it has
 * the wrong type or is out of range. json-c's own getters coerce silently; never use them on
 * input. */
int json_get_string(struct json_object *obj, const struct jpath *at, const char *key,
                    const char **ret, berth_error_t **err);
int json_get_bool(struct json_object *obj, const struct jpath *at, const char *key, bool *ret,
                  berth_error_t **err);
int json_get_int64(struct json_object *obj, const struct jpath *at, const char *key, int64_t *ret,
                   berth_error_t **err);
int json_get_uint64(struct json_object *obj, const struct jpath *at, const char *key, uint64_t *ret,
                    berth_error_t **err);
int json_get_int_range(struct json_object *obj, const struct jpath *at, const char *key,
                       int64_t min, int64_t max, int64_t *ret, berth_error_t **err);
int json_get_object(struct json_object *obj, const struct jpath *at, const char *key,
                    struct json_object **ret, berth_error_t **err);
int json_get_array(struct json_object *obj, const struct jpath *at, const char *key,
                   struct json_object **ret, berth_error_t **err);
/* A NULL-terminated copy of an array of strings; free with strv_free(). */
/* Lenient lookups for documents berthd wrote itself (records, API bodies already checked): the
 * value of KEY in O, or NULL when O is NULL, not an object or has no KEY. */
struct json_object *json_key(struct json_object *o, const char *key);
/* The same for a string value: NULL when absent or not a string. */
const char *json_key_str(struct json_object *o, const char *key);

int json_get_strv(struct json_object *obj, const struct jpath *at, const char *key, char ***ret,
                  berth_error_t **err);
/* The same for a member that must be there: 0 when present, -EINVAL "<path>.KEY: required" when
 * absent or null (and, for json_need_path, when the string is empty). */
int json_need_string(struct json_object *obj, const struct jpath *at, const char *key,
                     const char **ret, berth_error_t **err);
int json_need_path(struct json_object *obj, const struct jpath *at, const char *key,
                   const char **ret, berth_error_t **err);
int json_need_bool(struct json_object *obj, const struct jpath *at, const char *key, bool *ret,
                   berth_error_t **err);
int json_need_uint64(struct json_object *obj, const struct jpath *at, const char *key,
                     uint64_t *ret, berth_error_t **err);
int json_need_int_range(struct json_object *obj, const struct jpath *at, const char *key,
                        int64_t min, int64_t max, int64_t *ret, berth_error_t **err);
int json_need_object(struct json_object *obj, const struct jpath *at, const char *key,
                     struct json_object **ret, berth_error_t **err);
/* Same checks on a value rather than a member (array items). */
int json_expect_object(struct json_object *v, const struct jpath *at, berth_error_t **err);
int json_value_string(struct json_object *v, const struct jpath *at, const char **ret,
                      berth_error_t **err);
int json_value_int_range(struct json_object *v, const struct jpath *at, int64_t min, int64_t max,
                         int64_t *ret, berth_error_t **err);
const char *json_type_word(struct json_object *v);
