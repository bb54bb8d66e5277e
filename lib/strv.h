/* lib/strv.h: NULL-terminated string vectors. */
#pragma once

#include <stddef.h>

void strv_free(char **v);
size_t strv_length(char *const *v);
/* Appends a copy of S; *v may be NULL. */
void strv_push(char ***v, const char *s);
char *strv_join(char *const *v, const char *sep);

static inline void
strv_freep(char ***v)
{
        strv_free(*v);
}
#define cleanup_strv __attribute__((cleanup(strv_freep)))
#define strv_foreach(s, v) for (char *const *_sp = (v), *s; _sp && (s = *_sp); _sp++)
