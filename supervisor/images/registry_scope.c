/* supervisor/images/registry_scope.c: token scopes (merge, query) and docker's texts for a
 * refused bearer request (registry_scope.h). Pure. */
#include <config.h>

#include "supervisor/images/registry_scope.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

char *
registry_scope_repository(const char *name, const char *actions)
{
        return xasprintf("repository:%s:%s", name, actions);
}

/* The resource part of SCOPE ("repository:a/b" of "repository:a/b:pull"), its length; 0 when
 * SCOPE has fewer than three parts. */
static size_t
resource_len(const char *scope)
{
        const char *first = strchr(scope, ':'), *last = strrchr(scope, ':');

        if (first == NULL || last == first)
                return 0;
        return (size_t) (last - scope);
}

/* Whether the comma-separated ACTIONS (LEN bytes) hold ACTION (ALEN bytes). */
static bool
has_action(const char *actions, size_t len, const char *action, size_t alen)
{
        const char *p = actions, *end = actions + len;

        while (p < end) {
                const char *comma = memchr(p, ',', (size_t) (end - p));
                size_t n = comma ? (size_t) (comma - p) : (size_t) (end - p);
                if (n == alen && strncmp(p, action, n) == 0)
                        return true;
                p += n + 1;
        }
        return false;
}

static void
add_one(char ***list, const char *scope, size_t len)
{
        cleanup_free char *s = xstrndup(scope, len);
        size_t rlen = resource_len(s);

        if (len == 0)
                return;
        for (char **it = *list; it && *it; it++) {
                const char *acts, *p;
                size_t ilen = resource_len(*it);
                if (rlen == 0 || ilen != rlen || strncmp(*it, s, rlen) != 0) {
                        if (strcmp(*it, s) == 0)
                                return; /* the same malformed scope again */
                        continue;
                }
                /* The same resource: add the actions it lacks. */
                acts = s + rlen + 1;
                for (p = acts; *p;) {
                        size_t n = strcspn(p, ",");
                        const char *have = *it + ilen + 1;
                        if (n > 0 && !has_action(have, strlen(have), p, n)) {
                                char *merged =
                                        xasprintf("%s%s%.*s", *it, have[0] ? "," : "", (int) n, p);
                                free(*it);
                                *it = merged;
                        }
                        p += n;
                        if (*p == ',')
                                p++;
                }
                return;
        }
        strv_push(list, s);
}

void
registry_scopes_add(char ***list, const char *scopes)
{
        const char *p = scopes;

        while (p && *p) {
                size_t n;
                while (*p == ' ')
                        p++;
                n = strcspn(p, " ");
                add_one(list, p, n);
                p += n;
        }
}

char *
registry_scopes_query(char *const *list)
{
        static const char hex[] = "0123456789ABCDEF";
        size_t cap = 1, n = 0;
        char *out;

        strv_foreach(s, list)
                cap += 7 + 3 * strlen(s);
        out = xmalloc(cap);
        strv_foreach(s, list) {
                if (n > 0)
                        out[n++] = '&';
                memcpy(out + n, "scope=", 6);
                n += 6;
                for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
                                out[n++] = (char) *p;
                        } else {
                                out[n++] = '%';
                                out[n++] = hex[*p >> 4];
                                out[n++] = hex[*p & 15];
                        }
                }
        }
        out[n] = '\0';
        return out;
}

char *
registry_bearer_error_text(const char *error, const char *description)
{
        const char *code, *msg;

        if (error == NULL)
                return NULL;
        if (strcmp(error, "insufficient_scope") == 0) {
                code = "denied";
                msg = "requested access to the resource is denied";
        } else if (strcmp(error, "invalid_token") == 0) {
                code = "unauthorized";
                msg = "authentication required";
        } else {
                return NULL;
        }
        if (description && description[0])
                msg = description;
        return xasprintf("%s: %s", code, msg);
}
