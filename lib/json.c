/* lib/json.c: strict parsing and typed access for every JSON document berth reads. */
#include <config.h>

#include "lib/json.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static void
jpath_append(const struct jpath *at, char **buf, size_t *len, size_t *cap)
{
        char piece[32];
        const char *s;
        size_t n;

        if (!at)
                return;
        jpath_append(at->up, buf, len, cap);
        if (at->key) {
                s = at->key;
                n = strlen(s);
        } else {
                n = (size_t) snprintf(piece, sizeof(piece), "[%zu]", at->index);
                s = piece;
        }
        if (*len + n + 2 > *cap) {
                *cap = (*len + n + 2) * 2;
                *buf = xrealloc(*buf, *cap);
        }
        if (at->key && *len > 0)
                (*buf)[(*len)++] = '.';
        memcpy(*buf + *len, s, n);
        *len += n;
        (*buf)[*len] = '\0';
}

char *
jpath_render(const struct jpath *at)
{
        size_t len = 0, cap = 64;
        char *buf = xzalloc(cap);

        jpath_append(at, &buf, &len, &cap);
        return buf;
}

int
json_error(berth_error_t **err, const struct jpath *at, const char *fmt, ...)
{
        va_list ap;
        cleanup_free char *text = NULL;
        char *path = jpath_render(at);
        int r;

        va_start(ap, fmt);
        text = xvasprintf(fmt, ap);
        va_end(ap);
        if (path[0])
                r = berth_error_new(err, EINVAL, "%s: %s", path, text);
        else
                r = berth_error_new(err, EINVAL, "%s", text);
        if (err && *err)
                (*err)->json_path = path;
        else
                free(path);
        return r;
}

/* One strict pass over BUF[0, LEN): the document, or NULL with *RET_ERR and the offset of the
 * failure in *RET_END. False when no tokener could be allocated. */
static bool
tokenize(const char *buf, size_t len, struct json_object **ret, enum json_tokener_error *ret_err,
         size_t *ret_end)
{
        struct json_tokener *tok = json_tokener_new_ex(64);

        if (!tok)
                return false;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        *ret = json_tokener_parse_ex(tok, buf, (int) len);
        *ret_err = json_tokener_get_error(tok);
        *ret_end = json_tokener_get_parse_end(tok);
        if (*ret_err == json_tokener_continue) {
                /* A top-level number or literal ends only at a delimiter: hand json-c the NUL
                 * that json_tokener_parse() passes (json_tokener.h, json_tokener_parse_ex). */
                *ret = json_tokener_parse_ex(tok, "", 1);
                *ret_err = json_tokener_get_error(tok);
                *ret_end = len;
                if (*ret_err == json_tokener_continue)
                        *ret_err = json_tokener_error_parse_eof;
        }
        json_tokener_free(tok);
        return true;
}

int
json_parse_buffer(const char *buf, size_t len, struct json_object **ret, berth_error_t **err)
{
        struct json_object *obj = NULL, *prefix = NULL;
        enum json_tokener_error jerr, perr;
        size_t end, pend, line = 1, col = 1;
        bool trailing = false;

        if (!tokenize(buf, len, &obj, &jerr, &end))
                return berth_error_new(err, ENOMEM, "cannot allocate a JSON parser");
        if (jerr == json_tokener_success) {
                /* json-c stops at a NUL byte; past the document all but whitespace is data. */
                for (size_t i = end; i < len && !trailing; i++) {
                        if (buf[i] == '\0' || !strchr(" \t\r\n", buf[i])) {
                                end = i;
                                trailing = true;
                        }
                }
                if (trailing) {
                        json_object_put(obj);
                        obj = NULL;
                }
        } else if (jerr == json_tokener_error_parse_unexpected && end < len) {
                /* Strict json-c reports a byte after the document as an unexpected character
                 * like any other: it is trailing data when the bytes before it parse alone. */
                if (!tokenize(buf, end, &prefix, &perr, &pend))
                        return berth_error_new(err, ENOMEM, "cannot allocate a JSON parser");
                trailing = perr == json_tokener_success;
                json_object_put(prefix);
        }
        if (jerr != json_tokener_success || trailing) {
                for (size_t i = 0; i < end && i < len; i++) {
                        if (buf[i] == '\n') {
                                line++;
                                col = 1;
                        } else {
                                col++;
                        }
                }
                if (trailing)
                        return berth_error_new(err, EINVAL, "invalid JSON at line %zu column %zu: unexpected data after the document", line, col);
                return berth_error_new(err, EINVAL, "invalid JSON at line %zu column %zu: %s", line,
                                       col, json_tokener_error_desc(jerr));
        }
        *ret = obj;
        return 0;
}

int
json_parse_file(const char *path, struct json_object **ret, berth_error_t **err)
{
        cleanup_free char *buf = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(AT_FDCWD, path, &buf, &len, err);
        if (r < 0)
                return r;
        return json_parse_buffer(buf, len, ret, err);
}

char *
json_quote(const char *s)
{
        struct json_object *o = json_object_new_string(s ? s : "");
        char *q = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return q;
}

const char *
json_type_word(struct json_object *v)
{
        switch (json_object_get_type(v)) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "boolean";
        case json_type_double:
        case json_type_int:
                return "number";
        case json_type_object:
                return "object";
        case json_type_array:
                return "array";
        case json_type_string:
                return "string";
        }
        return "value";
}

static int
member(struct json_object *obj, const char *key, struct json_object **v)
{
        if (!obj || !json_object_object_get_ex(obj, key, v) || !*v)
                return 0;
        return 1;
}

int
json_expect_object(struct json_object *v, const struct jpath *at, berth_error_t **err)
{
        if (!json_object_is_type(v, json_type_object))
                return json_error(err, at, "expected object, got %s", json_type_word(v));
        return 0;
}

int
json_value_string(struct json_object *v, const struct jpath *at, const char **ret,
                  berth_error_t **err)
{
        if (!json_object_is_type(v, json_type_string))
                return json_error(err, at, "expected string, got %s", json_type_word(v));
        *ret = json_object_get_string(v);
        return 1;
}

int
json_get_string(struct json_object *obj, const struct jpath *at, const char *key,
                const char **ret, berth_error_t **err)
{
        struct json_object *v;

        if (!member(obj, key, &v))
                return 0;
        return json_value_string(v, JPATH_KEY(at, key), ret, err);
}

int
json_get_bool(struct json_object *obj, const struct jpath *at, const char *key, bool *ret,
              berth_error_t **err)
{
        struct json_object *v;

        if (!member(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return json_error(err, JPATH_KEY(at, key), "expected boolean, got %s",
                                  json_type_word(v));
        *ret = json_object_get_boolean(v);
        return 1;
}

/* json-c keeps integers as int64 or, above INT64_MAX, uint64; a double is never an integer. */
static int
integer_value(struct json_object *v, const struct jpath *at, bool *negative, uint64_t *mag,
              berth_error_t **err)
{
        int64_t i;

        if (!json_object_is_type(v, json_type_int))
                return json_error(err, at, "expected integer, got %s%s", json_type_word(v),
                                  json_object_is_type(v, json_type_double) ? " with a fraction or exponent" : "");
        errno = 0;
        i = json_object_get_int64(v);
        if (i == INT64_MAX) {
                *negative = false;
                *mag = json_object_get_uint64(v);
                return 0;
        }
        *negative = i < 0;
        *mag = i < 0 ? (uint64_t) (-(i + 1)) + 1 : (uint64_t) i;
        return 0;
}

int
json_get_int64(struct json_object *obj, const struct jpath *at, const char *key, int64_t *ret,
               berth_error_t **err)
{
        return json_get_int_range(obj, at, key, INT64_MIN, INT64_MAX, ret, err);
}

int
json_value_int_range(struct json_object *v, const struct jpath *at, int64_t min, int64_t max,
                     int64_t *ret, berth_error_t **err)
{
        bool neg;
        uint64_t mag;
        int64_t val;
        int r;

        r = integer_value(v, at, &neg, &mag, err);
        if (r < 0)
                return r;
        if (!neg && mag > (uint64_t) INT64_MAX)
                goto range;
        val = neg ? (int64_t) (0 - mag) : (int64_t) mag;
        if (val < min || val > max)
                goto range;
        *ret = val;
        return 1;
range:
        return json_error(err, at, "%s%" PRIu64 " out of range [%" PRId64 ", %" PRId64 "]",
                          neg ? "-" : "", mag, min, max);
}

int
json_get_int_range(struct json_object *obj, const struct jpath *at, const char *key, int64_t min,
                   int64_t max, int64_t *ret, berth_error_t **err)
{
        struct json_object *v;

        if (!member(obj, key, &v))
                return 0;
        return json_value_int_range(v, JPATH_KEY(at, key), min, max, ret, err);
}

int
json_get_uint64(struct json_object *obj, const struct jpath *at, const char *key, uint64_t *ret,
                berth_error_t **err)
{
        struct json_object *v;
        bool neg;
        uint64_t mag;
        int r;

        if (!member(obj, key, &v))
                return 0;
        r = integer_value(v, JPATH_KEY(at, key), &neg, &mag, err);
        if (r < 0)
                return r;
        if (neg)
                return json_error(err, JPATH_KEY(at, key), "-%" PRIu64 " must not be negative", mag);
        *ret = mag;
        return 1;
}

int
json_get_object(struct json_object *obj, const struct jpath *at, const char *key,
                struct json_object **ret, berth_error_t **err)
{
        struct json_object *v;
        int r;

        if (!member(obj, key, &v))
                return 0;
        r = json_expect_object(v, JPATH_KEY(at, key), err);
        if (r < 0)
                return r;
        *ret = v;
        return 1;
}

int
json_get_array(struct json_object *obj, const struct jpath *at, const char *key,
               struct json_object **ret, berth_error_t **err)
{
        struct json_object *v;

        if (!member(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return json_error(err, JPATH_KEY(at, key), "expected array, got %s",
                                  json_type_word(v));
        *ret = v;
        return 1;
}

int
json_get_strv(struct json_object *obj, const struct jpath *at, const char *key, char ***ret,
              berth_error_t **err)
{
        struct json_object *arr = NULL;
        const struct jpath *here = JPATH_KEY(at, key);
        char **v;
        size_t n;
        int r;

        r = json_get_array(obj, at, key, &arr, err);
        if (r <= 0)
                return r;
        n = json_object_array_length(arr);
        v = xzalloc((n + 1) * sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                const char *s = NULL;
                r = json_value_string(json_object_array_get_idx(arr, i), JPATH_IDX(here, i), &s, err);
                if (r < 0) {
                        strv_free(v);
                        return r;
                }
                v[i] = xstrdup(s);
        }
        *ret = v;
        return 1;
}

/* R from a json_get_* of KEY: absence (0) becomes the "required" error. */
static int
required(int r, const struct jpath *at, const char *key, berth_error_t **err)
{
        if (r == 0)
                return json_error(err, JPATH_KEY(at, key), "required");
        return r < 0 ? r : 0;
}

int
json_need_string(struct json_object *obj, const struct jpath *at, const char *key,
                 const char **ret, berth_error_t **err)
{
        return required(json_get_string(obj, at, key, ret, err), at, key, err);
}

int
json_need_path(struct json_object *obj, const struct jpath *at, const char *key, const char **ret,
               berth_error_t **err)
{
        const char *s = NULL;
        int r = json_get_string(obj, at, key, &s, err);

        if (r > 0 && s[0] == '\0')
                r = 0;
        if ((r = required(r, at, key, err)) < 0)
                return r;
        *ret = s;
        return 0;
}

int
json_need_bool(struct json_object *obj, const struct jpath *at, const char *key, bool *ret,
               berth_error_t **err)
{
        return required(json_get_bool(obj, at, key, ret, err), at, key, err);
}

int
json_need_uint64(struct json_object *obj, const struct jpath *at, const char *key, uint64_t *ret,
                 berth_error_t **err)
{
        return required(json_get_uint64(obj, at, key, ret, err), at, key, err);
}

int
json_need_int_range(struct json_object *obj, const struct jpath *at, const char *key, int64_t min,
                    int64_t max, int64_t *ret, berth_error_t **err)
{
        return required(json_get_int_range(obj, at, key, min, max, ret, err), at, key, err);
}

int
json_need_object(struct json_object *obj, const struct jpath *at, const char *key,
                 struct json_object **ret, berth_error_t **err)
{
        return required(json_get_object(obj, at, key, ret, err), at, key, err);
}

struct json_object *
json_key(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (o == NULL || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

const char *
json_key_str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);

        if (v == NULL || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}
