/* supervisor/api/images_filter.c: creation times and labels for GET /images/json's filters. */
#include <config.h>

#include "supervisor/api/images_filter.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/api/images.h"

long long
api_images_created_nanos(const char *s)
{
        long long sec = api_parse_created(s), nano = 0;
        const char *dot = s ? strchr(s, '.') : NULL;

        if (sec == 0 || dot == NULL || dot < strchr(s, 'T'))
                return sec * 1000000000LL;
        /* api_parse_created() already applied any offset; only the fraction is left. */
        dot++;
        for (int i = 0, digits = 1; i < 9; i++) {
                digits = digits && dot[i] >= '0' && dot[i] <= '9';
                nano = nano * 10 + (digits ? dot[i] - '0' : 0);
        }
        return sec * 1000000000LL + nano;
}

bool
api_images_labels_match(struct json_object *labels, char *const *filters)
{
        strv_foreach(f, filters) {
                const char *eq = strchr(f, '=');
                cleanup_free char *key = eq ? xstrndup(f, (size_t) (eq - f)) : xstrdup(f);
                struct json_object *v = NULL;
                if (labels == NULL || !json_object_object_get_ex(labels, key, &v))
                        return false;
                if (eq
                    && (!json_object_is_type(v, json_type_string)
                        || strcmp(json_object_get_string(v), eq + 1) != 0))
                        return false;
        }
        return true;
}
