/* runtime/spec/seccomp.c: config.json "linux.seccomp". */
#include <config.h>

#include "runtime/spec/seccomp.h"

#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

const char *const spec_seccomp_action_names[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
        "SCMP_ACT_NOTIFY", NULL,
};

const char *const spec_seccomp_op_names[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

const char *const spec_seccomp_arch_names[] = {
        "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",  "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",    "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL,
};

const char *const spec_seccomp_flag_names[] = {
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL,
};

static int
word_index(const char *const *words, const char *w)
{
        for (int i = 0; words[i]; i++) {
                if (strcmp(words[i], w) == 0)
                        return i;
        }
        return -1;
}

static int
parse_action(struct json_object *obj, const struct jpath *at, const char *key, bool required,
             enum seccomp_action *ret, berth_error_t **err)
{
        const char *s = NULL;
        int r = json_get_string(obj, at, key, &s, err);
        int i;

        if (r < 0)
                return r;
        if (r == 0)
                return required ? json_error(err, JPATH_KEY(at, key), "required") : 0;
        i = word_index(spec_seccomp_action_names, s);
        if (i < 0)
                return json_error(err, JPATH_KEY(at, key), "unknown action \"%s\"", s);
        *ret = (enum seccomp_action) i;
        return 1;
}

static int
parse_args(struct json_object *arr, const struct jpath *at, struct spec_seccomp_rule *rule,
           berth_error_t **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        rule->args = xzalloc(n * sizeof(*rule->args));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                const struct jpath *here = JPATH_IDX(at, i);
                struct spec_seccomp_arg *a = &rule->args[i];
                const char *op = NULL;
                int64_t idx;

                if ((r = json_expect_object(o, here, err)) < 0)
                        return r;
                if ((r = json_need_int_range(o, here, "index", 0, 5, &idx, err)) < 0)
                        return r;
                a->index = (unsigned) idx;
                if ((r = json_need_uint64(o, here, "value", &a->value, err)) < 0)
                        return r;
                if ((r = json_get_uint64(o, here, "valueTwo", &a->value_two, err)) < 0)
                        return r;
                if ((r = json_need_string(o, here, "op", &op, err)) < 0)
                        return r;
                int k = word_index(spec_seccomp_op_names, op);
                if (k < 0)
                        return json_error(err, JPATH_KEY(here, "op"), "unknown operator \"%s\"", op);
                a->op = (enum seccomp_op) k;
                rule->n_args++;
        }
        return 0;
}

static int
parse_rules(struct json_object *arr, const struct jpath *at, struct spec_seccomp *s,
            berth_error_t **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        s->rules = xzalloc(n * sizeof(*s->rules));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i), *args = NULL;
                const struct jpath *here = JPATH_IDX(at, i);
                struct spec_seccomp_rule *rule = &s->rules[i];
                int64_t e;

                if ((r = json_expect_object(o, here, err)) < 0)
                        return r;
                s->n_rules++;
                if ((r = json_get_strv(o, here, "names", &rule->names, err)) < 0)
                        return r;
                if (strv_length(rule->names) == 0)
                        return json_error(err, JPATH_KEY(here, "names"), "must name at least one syscall");
                if ((r = parse_action(o, here, "action", true, &rule->action, err)) < 0)
                        return r;
                if ((r = json_get_int_range(o, here, "errnoRet", 0, 4094, &e, err)) < 0)
                        return r;
                if (r > 0) {
                        if (rule->action != SECCOMP_ACTION_ERRNO && rule->action != SECCOMP_ACTION_TRACE)
                                return json_error(err, JPATH_KEY(here, "errnoRet"),
                                                  "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
                        rule->has_errno = true;
                        rule->errno_ret = (uint32_t) e;
                }
                if ((r = json_get_array(o, here, "args", &args, err)) < 0)
                        return r;
                if (r > 0 && (r = parse_args(args, JPATH_KEY(here, "args"), rule, err)) < 0)
                        return r;
        }
        return 0;
}

int
spec_parse_seccomp(struct json_object *obj, const struct jpath *at, struct spec_seccomp *s,
                   berth_error_t **err)
{
        struct json_object *arr = NULL;
        const char *str = NULL;
        int64_t e;
        int r;

        memset(s, 0, sizeof(*s));
        s->present = true;
        if ((r = parse_action(obj, at, "defaultAction", true, &s->default_action, err)) < 0)
                return r;
        if ((r = json_get_int_range(obj, at, "defaultErrnoRet", 0, 4094, &e, err)) < 0)
                return r;
        if (r > 0) {
                if (s->default_action != SECCOMP_ACTION_ERRNO && s->default_action != SECCOMP_ACTION_TRACE)
                        return json_error(err, JPATH_KEY(at, "defaultErrnoRet"),
                                          "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
                s->has_default_errno = true;
                s->default_errno = (uint32_t) e;
        }
        if ((r = json_get_strv(obj, at, "architectures", &s->architectures, err)) < 0)
                return r;
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                if (word_index(spec_seccomp_arch_names, s->architectures[i]) < 0)
                        return json_error(err, JPATH_IDX(JPATH_KEY(at, "architectures"), i),
                                          "unknown architecture \"%s\"", s->architectures[i]);
        }
        if ((r = json_get_array(obj, at, "flags", &arr, err)) < 0)
                return r;
        for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
                const struct jpath *here = JPATH_IDX(JPATH_KEY(at, "flags"), i);
                if ((r = json_value_string(json_object_array_get_idx(arr, i), here, &str, err)) < 0)
                        return r;
                int k = word_index(spec_seccomp_flag_names, str);
                if (k < 0)
                        return json_error(err, here, "unknown flag \"%s\"", str);
                s->flags |= 1u << k;
        }
        str = NULL;
        if ((r = json_get_string(obj, at, "listenerPath", &str, err)) < 0)
                return r;
        if (r > 0 && str[0])
                s->listener_path = xstrdup(str);
        str = NULL;
        if ((r = json_get_string(obj, at, "listenerMetadata", &str, err)) < 0)
                return r;
        if (r > 0 && str[0])
                s->listener_metadata = xstrdup(str);
        arr = NULL;
        if ((r = json_get_array(obj, at, "syscalls", &arr, err)) < 0)
                return r;
        if (r > 0 && (r = parse_rules(arr, JPATH_KEY(at, "syscalls"), s, err)) < 0)
                return r;
        if (spec_seccomp_uses_notify(s) && !s->listener_path)
                return json_error(err, JPATH_KEY(at, "listenerPath"), "required when an action is SCMP_ACT_NOTIFY");
        return 0;
}

bool
spec_seccomp_uses_notify(const struct spec_seccomp *s)
{
        if (!s->present)
                return false;
        if (s->default_action == SECCOMP_ACTION_NOTIFY)
                return true;
        for (size_t i = 0; i < s->n_rules; i++) {
                if (s->rules[i].action == SECCOMP_ACTION_NOTIFY)
                        return true;
        }
        return false;
}

void
spec_seccomp_done(struct spec_seccomp *s)
{
        strv_free(s->architectures);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_rules; i++) {
                strv_free(s->rules[i].names);
                free(s->rules[i].args);
        }
        free(s->rules);
        memset(s, 0, sizeof(*s));
}
