/* supervisor/ctl/template.h: the subset of Go's text/template that docker's --format strings
 * use, over a JSON object, and docker's "table" layout (text/tabwriter, padding 3). */
#pragma once

#include "lib/error.h"

struct json_object;

/* Render TMPL for DATA: literal text, "{{.Field}}" and "{{.Field.Sub}}" (a string member as is,
 * anything else as its JSON; a missing one as "<no value>"), "{{.}}", "{{json .}}",
 * "{{json .Field}}", "{{upper .Field}}", "{{lower .Field}}"; "\t" and "\n" escapes as docker
 * unquotes them. -EINVAL names the bad action. *ret is the caller's. Pure. */
int ctl_template_render(const char *tmpl, struct json_object *data, char **ret,
                        berth_error_t **err);

/* docker's --format handling for a list: "table" or "table TMPL" prints a header (HEADERS maps
 * a field to its column title; unknown fields print their name upper-cased) and aligns the
 * tab-separated cells of every row; a plain TMPL prints one rendered line per item. ITEMS is a
 * JSON array of objects. *ret is the whole text. */
int ctl_template_list(const char *format, struct json_object *headers, struct json_object *items,
                      char **ret, berth_error_t **err);

/* docker's inspect output for ITEMS (a JSON array): with FORMAT (may be NULL) one rendered
 * line per item, else the array as indented JSON, a "\n" after either. *ret is the caller's. */
int ctl_inspect_text(const char *format, struct json_object *items, char **ret,
                     berth_error_t **err);
/* ctl_inspect_text on stdout: RC, or 1 after printing a bad FORMAT's error. */
int ctl_inspect_print(const char *format, struct json_object *items, int rc);
