/* runtime/spec/hooks.c: config.json "hooks". */
#include <config.h>

#include "runtime/spec/spec.h"

#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

const char *const spec_hook_names[HOOK_KIND_COUNT] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

int
spec_parse_hooks(struct json_object *obj, const struct jpath *at, struct spec_hooks *hooks,
                 berth_error_t **err)
{
        int r;

        for (int k = 0; k < HOOK_KIND_COUNT; k++) {
                struct json_object *arr = NULL;
                const struct jpath *kat = JPATH_KEY(at, spec_hook_names[k]);
                size_t n;

                r = json_get_array(obj, at, spec_hook_names[k], &arr, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                n = json_object_array_length(arr);
                hooks->list[k] = xzalloc(n * sizeof(struct spec_hook));
                for (size_t i = 0; i < n; i++) {
                        struct json_object *o = json_object_array_get_idx(arr, i);
                        const struct jpath *here = JPATH_IDX(kat, i);
                        struct spec_hook *h = &hooks->list[k][i];
                        const char *path = NULL;
                        int64_t t;

                        r = json_expect_object(o, here, err);
                        if (r < 0)
                                return r;
                        hooks->count[k]++;
                        r = json_need_path(o, here, "path", &path, err);
                        if (r < 0)
                                return r;
                        h->path = xstrdup(path);
                        r = json_get_strv(o, here, "args", &h->args, err);
                        if (r < 0)
                                return r;
                        r = json_get_strv(o, here, "env", &h->env, err);
                        if (r < 0)
                                return r;
                        r = json_get_int_range(o, here, "timeout", 1, INT32_MAX, &t, err);
                        if (r < 0)
                                return r;
                        h->timeout = r ? (int) t : 0;
                }
        }
        return 0;
}

void
spec_hooks_done(struct spec_hooks *hooks)
{
        for (int k = 0; k < HOOK_KIND_COUNT; k++) {
                for (size_t i = 0; i < hooks->count[k]; i++) {
                        free(hooks->list[k][i].path);
                        strv_free(hooks->list[k][i].args);
                        strv_free(hooks->list[k][i].env);
                }
                free(hooks->list[k]);
        }
}
