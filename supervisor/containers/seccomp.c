/* supervisor/containers/seccomp.c: a docker seccomp profile → OCI linux.seccomp for one container.
 * Behaviour as moby's profiles/seccomp (setupSeccomp): archMap picks the host's entry, a rule is
 * kept only when its includes hold and its excludes do not (caps against the bounding set, arches
 * against the host's Go arch name, minKernel against the running kernel); "name" and "names" are
 * one list. Unlike moby, every word (action, operator, arch, flag) is checked here, so a bad
 * profile is refused at create with its JSON path instead of failing later in the runtime. */
#include <config.h>

#include "supervisor/containers/seccomp.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* The words of runtime-spec config-linux.md "Seccomp" (runtime/spec/seccomp.c checks them again;
 * the supervisor does not include the runtime's headers). */
static const char *const action_names[] = {
        "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
        "SCMP_ACT_NOTIFY",      NULL,
};
static const char *const op_names[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};
static const char *const arch_names[] = {
        "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     NULL,
};
static const char *const flag_names[] = {
        "SECCOMP_FILTER_FLAG_TSYNC",
        "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        NULL,
};

/* Go's GOARCH → libseccomp's arch (moby's nativeToSeccomp). */
static const struct {
        const char *go, *scmp;
} go_arches[] = {
        {"amd64", "SCMP_ARCH_X86_64"},  {"arm64", "SCMP_ARCH_AARCH64"},
        {"386", "SCMP_ARCH_X86"},       {"arm", "SCMP_ARCH_ARM"},
        {"mips", "SCMP_ARCH_MIPS"},     {"mipsle", "SCMP_ARCH_MIPSEL"},
        {"mips64", "SCMP_ARCH_MIPS64"}, {"mips64le", "SCMP_ARCH_MIPSEL64"},
        {"ppc64", "SCMP_ARCH_PPC64"},   {"ppc64le", "SCMP_ARCH_PPC64LE"},
        {"s390x", "SCMP_ARCH_S390X"},   {"riscv64", "SCMP_ARCH_RISCV64"},
};

const char *
container_seccomp_native_arch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
        return "x32";
#elif defined(__x86_64__)
        return "amd64";
#elif defined(__i386__)
        return "386";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__arm__)
        return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64le";
#elif defined(__powerpc64__)
        return "ppc64";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#else
        return "";
#endif
}

static const char *
scmp_arch_of(const char *go)
{
        for (size_t i = 0; i < sizeof(go_arches) / sizeof(go_arches[0]); i++)
                if (strcmp(go_arches[i].go, go) == 0)
                        return go_arches[i].scmp;
        return NULL;
}

static bool
word_in(const char *const *words, const char *w)
{
        for (size_t i = 0; words && words[i]; i++)
                if (strcmp(words[i], w) == 0)
                        return true;
        return false;
}

static struct json_object *
strv_json(char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

/* includes / excludes */
struct filter {
        char **caps;
        char **arches;
        bool has_kernel;
        unsigned kernel_major, kernel_minor;
};

static void
filter_done(struct filter *f)
{
        strv_free(f->caps);
        strv_free(f->arches);
}

/* "4.8" (a third number, "5.10.3", is allowed and ignored, as moby compares major.minor only). */
static bool
parse_kernel(const char *s, unsigned *ret_major, unsigned *ret_minor)
{
        unsigned long v[3] = {0, 0, 0};
        const char *p = s;
        size_t n = 0;

        for (;;) {
                char *end = NULL;
                if (*p < '0' || *p > '9' || n == 3)
                        return false;
                v[n++] = strtoul(p, &end, 10);
                if (v[n - 1] > 65535)
                        return false;
                p = end;
                if (*p == '\0')
                        break;
                if (*p != '.')
                        return false;
                p++;
        }
        *ret_major = (unsigned) v[0];
        *ret_minor = (unsigned) v[1];
        return true;
}

static int
parse_filter(struct json_object *rule, const struct jpath *at, const char *key, struct filter *f,
             berth_error_t **err)
{
        struct json_object *o = NULL;
        const struct jpath *fat = JPATH_KEY(at, key);
        const char *k = NULL;
        int r;

        r = json_get_object(rule, at, key, &o, err);
        if (r <= 0)
                return r;
        if ((r = json_get_strv(o, fat, "caps", &f->caps, err)) < 0
            || (r = json_get_strv(o, fat, "arches", &f->arches, err)) < 0
            || (r = json_get_string(o, fat, "minKernel", &k, err)) < 0)
                return r;
        if (k && k[0]) {
                if (!parse_kernel(k, &f->kernel_major, &f->kernel_minor))
                        return json_error(err, JPATH_KEY(fat, "minKernel"),
                                          "invalid kernel version \"%s\"", k);
                f->has_kernel = true;
        }
        return 0;
}

static bool
kernel_at_least(const struct container_seccomp_host *host, const struct filter *f)
{
        if (host->kernel_major != f->kernel_major)
                return host->kernel_major > f->kernel_major;
        return host->kernel_minor >= f->kernel_minor;
}

/* moby's order: any exclude that matches drops the rule, then every include must hold. */
static bool
rule_applies(const struct filter *in, const struct filter *ex, const char *const *caps,
             const char *arch, const struct container_seccomp_host *host)
{
        if (ex->arches && ex->arches[0] && word_in((const char *const *) ex->arches, arch))
                return false;
        for (size_t i = 0; ex->caps && ex->caps[i]; i++)
                if (word_in(caps, ex->caps[i]))
                        return false;
        if (ex->has_kernel && kernel_at_least(host, ex))
                return false;
        if (in->arches && in->arches[0] && !word_in((const char *const *) in->arches, arch))
                return false;
        for (size_t i = 0; in->caps && in->caps[i]; i++)
                if (!word_in(caps, in->caps[i]))
                        return false;
        if (in->has_kernel && !kernel_at_least(host, in))
                return false;
        return true;
}

static int
get_word(struct json_object *o, const struct jpath *at, const char *key, const char *const *words,
         const char *what, const char **ret, berth_error_t **err)
{
        const char *s = NULL;
        int r = json_get_string(o, at, key, &s, err);

        if (r <= 0)
                return r;
        if (!word_in(words, s))
                return json_error(err, JPATH_KEY(at, key), "unknown %s \"%s\"", what, s);
        *ret = s;
        return 1;
}

static int
check_words(char **v, const struct jpath *at, const char *const *words, const char *what,
            berth_error_t **err)
{
        for (size_t i = 0; v && v[i]; i++)
                if (!word_in(words, v[i]))
                        return json_error(err, JPATH_IDX(at, i), "unknown %s \"%s\"", what, v[i]);
        return 0;
}

static int
get_errno(struct json_object *o, const struct jpath *at, const char *key, struct json_object *out,
          const char *out_key, berth_error_t **err)
{
        int64_t e = 0;
        int r = json_get_int_range(o, at, key, 0, 65535, &e, err);

        if (r > 0)
                json_object_object_add(out, out_key, json_object_new_int64(e));
        return r;
}

static int
build_args(struct json_object *rule, const struct jpath *at, struct json_object *out,
           berth_error_t **err)
{
        struct json_object *args = NULL, *oargs;
        const struct jpath *aat = JPATH_KEY(at, "args");
        int r = json_get_array(rule, at, "args", &args, err);

        if (r <= 0 || json_object_array_length(args) == 0)
                return r;
        oargs = json_object_new_array();
        json_object_object_add(out, "args", oargs);
        for (size_t i = 0; i < json_object_array_length(args); i++) {
                struct json_object *a = json_object_array_get_idx(args, i);
                const struct jpath *here = JPATH_IDX(aat, i);
                struct json_object *oa;
                int64_t index = 0;
                uint64_t value = 0, two = 0;
                const char *op = NULL;
                int has_two;

                if ((r = json_expect_object(a, here, err)) < 0
                    || (r = json_need_int_range(a, here, "index", 0, 5, &index, err)) < 0
                    || (r = json_get_uint64(a, here, "value", &value, err)) < 0
                    || (has_two = r = json_get_uint64(a, here, "valueTwo", &two, err)) < 0
                    || (r = get_word(a, here, "op", op_names, "operator", &op, err)) < 0)
                        return r;
                if (r == 0)
                        return json_error(err, JPATH_KEY(here, "op"), "required");
                oa = json_object_new_object();
                json_object_object_add(oa, "index", json_object_new_int64(index));
                json_object_object_add(oa, "value", json_object_new_uint64(value));
                if (has_two)
                        json_object_object_add(oa, "valueTwo", json_object_new_uint64(two));
                json_object_object_add(oa, "op", json_object_new_string(op));
                json_object_array_add(oargs, oa);
        }
        return 0;
}

/* One entry of "syscalls": validated whether or not it applies here, so that a profile is refused
 * on every host alike. *RET NULL when it does not apply (or names nothing the runtime knows). */
static int
build_rule(struct json_object *rule, const struct jpath *at, const char *const *caps,
           const char *arch, const struct container_seccomp_host *host, struct json_object **ret,
           berth_error_t **err)
{
        cleanup_json struct json_object *out = json_object_new_object();
        cleanup_strv char **names = NULL;
        struct filter in = {0}, ex = {0};
        struct json_object *onames;
        const char *name = NULL, *action = NULL;
        bool applies;
        int r;

        if ((r = json_expect_object(rule, at, err)) < 0
            || (r = json_get_string(rule, at, "name", &name, err)) < 0
            || (r = json_get_strv(rule, at, "names", &names, err)) < 0)
                return r;
        if (name && names && names[0])
                return json_error(err, at,
                                  "\"name\" and \"names\" are both given; use one of them");
        if (name)
                strv_push(&names, name);
        if (names == NULL || names[0] == NULL)
                return json_error(err, JPATH_KEY(at, "names"), "required");
        for (size_t j = 0; names[j]; j++)
                if (names[j][0] == '\0')
                        return json_error(err,
                                          name ? JPATH_KEY(at, "name")
                                               : JPATH_IDX(JPATH_KEY(at, "names"), j),
                                          "empty syscall name");
        r = get_word(rule, at, "action", action_names, "action", &action, err);
        if (r < 0)
                return r;
        if (r == 0)
                return json_error(err, JPATH_KEY(at, "action"), "required");
        json_object_object_add(out, "action", json_object_new_string(action));
        if ((r = get_errno(rule, at, "errnoRet", out, "errnoRet", err)) < 0
            || (r = build_args(rule, at, out, err)) < 0)
                return r;
        r = parse_filter(rule, at, "includes", &in, err);
        if (r >= 0)
                r = parse_filter(rule, at, "excludes", &ex, err);
        applies = r >= 0 && rule_applies(&in, &ex, caps, arch, host);
        filter_done(&in);
        filter_done(&ex);
        if (r < 0)
                return r;
        *ret = NULL;
        if (!applies)
                return 0;
        onames = json_object_new_array();
        for (size_t j = 0; names[j]; j++)
                if (host->syscall_known == NULL || host->syscall_known(names[j]))
                        json_object_array_add(onames, json_object_new_string(names[j]));
        if (json_object_array_length(onames) == 0) {
                json_object_put(onames);
                return 0;
        }
        json_object_object_add(out, "names", onames);
        *ret = TAKE_PTR(out);
        return 0;
}

static int
build_arches(struct json_object *p, const char *arch, struct json_object *out, berth_error_t **err)
{
        cleanup_strv char **arches = NULL;
        struct json_object *map = NULL;
        const struct jpath *mat = JPATH_KEY(NULL, "archMap");
        const char *native = scmp_arch_of(arch);
        cleanup_strv char **chosen = NULL;
        int r;

        if ((r = json_get_strv(p, NULL, "architectures", &arches, err)) < 0
            || (r = check_words(arches, JPATH_KEY(NULL, "architectures"), arch_names,
                                "architecture", err))
                       < 0
            || (r = json_get_array(p, NULL, "archMap", &map, err)) < 0)
                return r;
        if (arches && arches[0] && map && json_object_array_length(map) > 0)
                return json_error(
                        err, NULL,
                        "\"architectures\" and \"archMap\" are both given; use one of them");
        strv_foreach(a, arches)
                strv_push(&chosen, a);
        for (size_t i = 0; map && i < json_object_array_length(map); i++) {
                struct json_object *e = json_object_array_get_idx(map, i);
                const struct jpath *here = JPATH_IDX(mat, i);
                cleanup_strv char **subs = NULL;
                const char *a = NULL;

                if ((r = json_expect_object(e, here, err)) < 0
                    || (r = get_word(e, here, "architecture", arch_names, "architecture", &a, err))
                               < 0)
                        return r;
                if (r == 0)
                        return json_error(err, JPATH_KEY(here, "architecture"), "required");
                if ((r = json_get_strv(e, here, "subArchitectures", &subs, err)) < 0
                    || (r = check_words(subs, JPATH_KEY(here, "subArchitectures"), arch_names,
                                        "architecture", err))
                               < 0)
                        return r;
                if (native == NULL || strcmp(a, native) != 0)
                        continue;
                strv_push(&chosen, a);
                strv_foreach(s, subs)
                        strv_push(&chosen, s);
        }
        /* None: libseccomp filters the native arch alone. */
        if (chosen && chosen[0])
                json_object_object_add(out, "architectures", strv_json(chosen));
        return 0;
}

static int
build(struct json_object *p, const char *const *caps, const struct container_seccomp_host *host,
      struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *out = json_object_new_object();
        cleanup_strv char **flags = NULL;
        struct json_object *calls = NULL, *ocalls;
        const struct jpath *cat = JPATH_KEY(NULL, "syscalls");
        const char *def = NULL, *listener = NULL, *meta = NULL;
        const char *arch = host->arch ? host->arch : container_seccomp_native_arch();
        int r;

        if (!json_object_is_type(p, json_type_object))
                return json_error(err, NULL, "expected an object, got %s", json_type_word(p));
        if ((r = get_word(p, NULL, "defaultAction", action_names, "action", &def, err)) < 0
            || (r = json_get_array(p, NULL, "syscalls", &calls, err)) < 0)
                return r;
        if (def == NULL && (calls == NULL || json_object_array_length(calls) == 0)) {
                /* moby: neither a default nor rules means no filter at all */
                *ret = NULL;
                return 0;
        }
        if (def == NULL)
                return json_error(err, JPATH_KEY(NULL, "defaultAction"), "required");
        json_object_object_add(out, "defaultAction", json_object_new_string(def));
        if ((r = get_errno(p, NULL, "defaultErrnoRet", out, "defaultErrnoRet", err)) < 0
            || (r = build_arches(p, arch, out, err)) < 0
            || (r = json_get_strv(p, NULL, "flags", &flags, err)) < 0
            || (r = check_words(flags, JPATH_KEY(NULL, "flags"), flag_names, "flag", err)) < 0
            || (r = json_get_string(p, NULL, "listenerPath", &listener, err)) < 0
            || (r = json_get_string(p, NULL, "listenerMetadata", &meta, err)) < 0)
                return r;
        if (flags && flags[0])
                json_object_object_add(out, "flags", strv_json(flags));
        if (listener && listener[0])
                json_object_object_add(out, "listenerPath", json_object_new_string(listener));
        if (meta && meta[0])
                json_object_object_add(out, "listenerMetadata", json_object_new_string(meta));
        ocalls = json_object_new_array();
        json_object_object_add(out, "syscalls", ocalls);
        for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
                struct json_object *rule = NULL;
                r = build_rule(json_object_array_get_idx(calls, i), JPATH_IDX(cat, i), caps, arch,
                               host, &rule, err);
                if (r < 0)
                        return r;
                if (rule)
                        json_object_array_add(ocalls, rule);
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int
container_seccomp_build(struct json_object *profile, const char *const *caps,
                        const struct container_seccomp_host *host, struct json_object **ret,
                        berth_error_t **err)
{
        static const struct container_seccomp_host none = {0};
        struct json_object *out = NULL;
        int r = build(profile, caps, host ? host : &none, &out, err);

        if (r < 0)
                return berth_error_prefix(err, "seccomp profile");
        *ret = out;
        return 0;
}

int
container_seccomp_build_text(const char *text, const char *const *caps,
                             const struct container_seccomp_host *host, struct json_object **ret,
                             berth_error_t **err)
{
        cleanup_json struct json_object *p = NULL;
        int r = json_parse_buffer(text, strlen(text), &p, err);

        if (r < 0)
                return berth_error_prefix(err, "seccomp profile");
        return container_seccomp_build(p, caps, host, ret, err);
}
