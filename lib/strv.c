/* lib/strv.c: NULL-terminated string vectors. */
#include <config.h>

#include "lib/strv.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

void
strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

size_t
strv_length(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

void
strv_push(char ***v, const char *s)
{
        size_t n = strv_length(*v);
        *v = xreallocarray(*v, n + 2, sizeof(char *));
        (*v)[n] = xstrdup(s);
        (*v)[n + 1] = NULL;
}

char *
strv_join(char *const *v, const char *sep)
{
        size_t len = 1, seplen = strlen(sep);
        char *out, *p;

        for (size_t i = 0; v && v[i]; i++)
                len += strlen(v[i]) + seplen;
        out = p = xmalloc(len);
        *p = '\0';
        for (size_t i = 0; v && v[i]; i++) {
                if (i > 0) {
                        memcpy(p, sep, seplen);
                        p += seplen;
                }
                size_t n = strlen(v[i]);
                memcpy(p, v[i], n);
                p += n;
        }
        *p = '\0';
        return out;
}
