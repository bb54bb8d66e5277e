/* runtime/spec/process.c: config.json "process": args, env, cwd, user, rlimits, terminal, caps. */
#include <config.h>

#include "runtime/spec/spec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

static const struct {
        const char *name;
        int resource;
} rlimit_table[] = {
        {"RLIMIT_AS", RLIMIT_AS},         {"RLIMIT_CORE", RLIMIT_CORE},
        {"RLIMIT_CPU", RLIMIT_CPU},       {"RLIMIT_DATA", RLIMIT_DATA},
        {"RLIMIT_FSIZE", RLIMIT_FSIZE},   {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
        {"RLIMIT_NICE", RLIMIT_NICE},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_NPROC", RLIMIT_NPROC},   {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

int
spec_rlimit_resource(const char *name)
{
        for (size_t i = 0; i < sizeof(rlimit_table) / sizeof(rlimit_table[0]); i++) {
                if (strcmp(rlimit_table[i].name, name) == 0)
                        return rlimit_table[i].resource;
        }
        return -1;
}

static int
parse_rlimits(struct json_object *arr, const struct jpath *at, struct spec_process *p,
              berth_error_t **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        p->rlimits = xzalloc(n * sizeof(*p->rlimits));
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                const struct jpath *here = JPATH_IDX(at, i);
                struct spec_rlimit *rl = &p->rlimits[i];
                const char *type = NULL;

                r = json_expect_object(o, here, err);
                if (r < 0)
                        return r;
                r = json_need_string(o, here, "type", &type, err);
                if (r < 0)
                        return r;
                rl->resource = spec_rlimit_resource(type);
                if (rl->resource < 0)
                        return json_error(err, JPATH_KEY(here, "type"), "unknown rlimit \"%s\"", type);
                for (size_t j = 0; j < i; j++) {
                        if (p->rlimits[j].resource == rl->resource)
                                return json_error(err, JPATH_KEY(here, "type"),
                                                  "duplicate rlimit \"%s\"", type);
                }
                for (size_t k = 0; k < sizeof(rlimit_table) / sizeof(rlimit_table[0]); k++) {
                        if (rlimit_table[k].resource == rl->resource)
                                rl->name = rlimit_table[k].name;
                }
                r = json_need_uint64(o, here, "soft", &rl->soft, err);
                if (r < 0)
                        return r;
                r = json_need_uint64(o, here, "hard", &rl->hard, err);
                if (r < 0)
                        return r;
                if (rl->soft > rl->hard)
                        return json_error(err, here, "soft limit %" PRIu64 " is above the hard limit %" PRIu64,
                                          rl->soft, rl->hard);
                p->n_rlimits++;
        }
        return 0;
}

static int
parse_user(struct json_object *obj, const struct jpath *at, struct spec_user *u,
           berth_error_t **err)
{
        struct json_object *arr = NULL;
        int64_t v;
        int r;

        r = json_get_int_range(obj, at, "uid", 0, UINT32_MAX - 1, &v, err);
        if (r < 0)
                return r;
        u->uid = r ? (uid_t) v : 0;
        r = json_get_int_range(obj, at, "gid", 0, UINT32_MAX - 1, &v, err);
        if (r < 0)
                return r;
        u->gid = r ? (gid_t) v : 0;
        r = json_get_int_range(obj, at, "umask", 0, 07777, &v, err);
        if (r < 0)
                return r;
        if (r > 0) {
                u->has_umask = true;
                u->umask = (mode_t) v;
        }
        r = json_get_array(obj, at, "additionalGids", &arr, err);
        if (r < 0)
                return r;
        if (r > 0) {
                const struct jpath *here = JPATH_KEY(at, "additionalGids");
                size_t n = json_object_array_length(arr);
                u->additional_gids = xzalloc(n * sizeof(gid_t));
                for (size_t i = 0; i < n; i++) {
                        r = json_value_int_range(json_object_array_get_idx(arr, i), JPATH_IDX(here, i),
                                                 0, UINT32_MAX - 1, &v, err);
                        if (r < 0)
                                return r;
                        u->additional_gids[u->n_additional_gids++] = (gid_t) v;
                }
        }
        return 0;
}

static int
parse_caps(struct json_object *obj, const struct jpath *at, struct spec_capabilities *c,
           berth_error_t **err)
{
        int r;

        c->present = true;
        if ((r = json_get_strv(obj, at, "bounding", &c->bounding, err)) < 0)
                return r;
        if ((r = json_get_strv(obj, at, "effective", &c->effective, err)) < 0)
                return r;
        if ((r = json_get_strv(obj, at, "inheritable", &c->inheritable, err)) < 0)
                return r;
        if ((r = json_get_strv(obj, at, "permitted", &c->permitted, err)) < 0)
                return r;
        if ((r = json_get_strv(obj, at, "ambient", &c->ambient, err)) < 0)
                return r;
        return 0;
}

/* runc's rules: every entry NAME=VALUE with a name; a repeated name keeps its first place and
 * takes the last value. */
int
spec_env_normalize(char **env, const struct jpath *at, berth_error_t **err)
{
        size_t n = strv_length(env), out = 0;

        if (!env)
                return 0;
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(env[i], '=');
                if (!eq)
                        return json_error(err, JPATH_IDX(at, i), "invalid environment variable: \"%s\"", env[i]);
                if (eq == env[i])
                        return json_error(err, JPATH_IDX(at, i), "environment variable name can't be empty: \"%s\"", env[i]);
        }
        for (size_t i = 0; i < n; i++) {
                size_t len = (size_t) (strchr(env[i], '=') - env[i]) + 1;
                bool seen = false;
                for (size_t j = 0; j < out; j++) {
                        if (strncmp(env[j], env[i], len) == 0) {
                                free(env[j]);
                                env[j] = env[i];
                                seen = true;
                                break;
                        }
                }
                if (!seen)
                        env[out++] = env[i];
        }
        env[out] = NULL;
        return 0;
}

static int
word_value(const char *const *names, const int *values, const char *w)
{
        for (size_t i = 0; names[i]; i++) {
                if (strcmp(names[i], w) == 0)
                        return values[i];
        }
        return -1;
}

static int
parse_io_priority(struct json_object *o, const struct jpath *at, struct spec_process *p,
                  berth_error_t **err)
{
        static const char *const names[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL};
        static const int values[] = {1, 2, 3};
        const char *cls = NULL;
        int64_t prio = 0;
        int r;

        if ((r = json_need_string(o, at, "class", &cls, err)) < 0)
                return r;
        p->io_priority_class = word_value(names, values, cls);
        if (p->io_priority_class < 0)
                return json_error(err, JPATH_KEY(at, "class"), "unknown class \"%s\"", cls);
        if ((r = json_get_int_range(o, at, "priority", 0, 7, &prio, err)) < 0)
                return r;
        p->io_priority = (int) prio;
        p->has_io_priority = true;
        return 0;
}

static int
parse_scheduler(struct json_object *o, const struct jpath *at, struct spec_process *p,
                berth_error_t **err)
{
        static const char *const policies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
                                               "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL};
        static const int policy_values[] = {0, 1, 2, 3, 4, 5, 6};
        static const char *const flags[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                                            "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
                                            "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
                                            "SCHED_FLAG_UTIL_CLAMP_MAX", NULL};
        static const int flag_values[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40};
        struct spec_scheduler *sc = &p->scheduler;
        cleanup_strv char **fl = NULL;
        const char *pol = NULL;
        int64_t v;
        int r;

        if ((r = json_need_string(o, at, "policy", &pol, err)) < 0)
                return r;
        sc->policy = word_value(policies, policy_values, pol);
        if (sc->policy < 0)
                return json_error(err, JPATH_KEY(at, "policy"), "unknown policy \"%s\"", pol);
        if ((r = json_get_int_range(o, at, "nice", -20, 19, &v, err)) < 0)
                return r;
        sc->nice = r ? (int) v : 0;
        if ((r = json_get_int_range(o, at, "priority", 0, 99, &v, err)) < 0)
                return r;
        sc->priority = r ? (int) v : 0;
        if ((r = json_get_strv(o, at, "flags", &fl, err)) < 0)
                return r;
        for (size_t i = 0; fl && fl[i]; i++) {
                int f = word_value(flags, flag_values, fl[i]);
                if (f < 0)
                        return json_error(err, JPATH_IDX(JPATH_KEY(at, "flags"), i), "unknown flag \"%s\"", fl[i]);
                sc->flags |= (uint64_t) f;
        }
        if ((r = json_get_uint64(o, at, "runtime", &sc->runtime, err)) < 0)
                return r;
        if ((r = json_get_uint64(o, at, "deadline", &sc->deadline, err)) < 0)
                return r;
        if ((r = json_get_uint64(o, at, "period", &sc->period, err)) < 0)
                return r;
        p->has_scheduler = true;
        return 0;
}

int
spec_parse_process(struct json_object *obj, const struct jpath *at, struct spec_process *p,
                   berth_error_t **err)
{
        struct json_object *sub = NULL;
        const char *s = NULL;
        int64_t v;
        int r;

        r = json_get_bool(obj, at, "terminal", &p->terminal, err);
        if (r < 0)
                return r;
        r = json_get_object(obj, at, "consoleSize", &sub, err);
        if (r < 0)
                return r;
        if (r > 0) {
                const struct jpath *here = JPATH_KEY(at, "consoleSize");
                r = json_get_int_range(sub, here, "height", 0, UINT16_MAX, &v, err);
                if (r < 0)
                        return r;
                p->console_height = r ? (unsigned) v : 0;
                r = json_get_int_range(sub, here, "width", 0, UINT16_MAX, &v, err);
                if (r < 0)
                        return r;
                p->console_width = r ? (unsigned) v : 0;
        }

        sub = NULL;
        r = json_get_object(obj, at, "user", &sub, err);
        if (r < 0)
                return r;
        if (r > 0) {
                r = parse_user(sub, JPATH_KEY(at, "user"), &p->user, err);
                if (r < 0)
                        return r;
        }

        r = json_get_strv(obj, at, "args", &p->args, err);
        if (r < 0)
                return r;
        if (strv_length(p->args) == 0)
                return json_error(err, JPATH_KEY(at, "args"), "must not be empty");
        r = json_get_strv(obj, at, "env", &p->env, err);
        if (r < 0)
                return r;
        r = spec_env_normalize(p->env, JPATH_KEY(at, "env"), err);
        if (r < 0)
                return r;
        r = json_need_path(obj, at, "cwd", &s, err);
        if (r < 0)
                return r;
        if (s[0] != '/')
                return json_error(err, JPATH_KEY(at, "cwd"), "\"%s\" is not an absolute path", s);
        p->cwd = xstrdup(s);

        sub = NULL;
        r = json_get_array(obj, at, "rlimits", &sub, err);
        if (r < 0)
                return r;
        if (r > 0) {
                r = parse_rlimits(sub, JPATH_KEY(at, "rlimits"), p, err);
                if (r < 0)
                        return r;
        }
        r = json_get_bool(obj, at, "noNewPrivileges", &p->no_new_privileges, err);
        if (r < 0)
                return r;
        r = json_get_int_range(obj, at, "oomScoreAdj", -1000, 1000, &v, err);
        if (r < 0)
                return r;
        if (r > 0) {
                p->has_oom_score_adj = true;
                p->oom_score_adj = (int) v;
        }
        sub = NULL;
        r = json_get_object(obj, at, "capabilities", &sub, err);
        if (r < 0)
                return r;
        if (r > 0) {
                r = parse_caps(sub, JPATH_KEY(at, "capabilities"), &p->caps, err);
                if (r < 0)
                        return r;
        }
        r = json_get_string(obj, at, "apparmorProfile", &s, err);
        if (r < 0)
                return r;
        if (r > 0 && s[0])
                p->apparmor_profile = xstrdup(s);
        r = json_get_string(obj, at, "selinuxLabel", &s, err);
        if (r < 0)
                return r;
        if (r > 0 && s[0])
                p->selinux_label = xstrdup(s);
        sub = NULL;
        r = json_get_object(obj, at, "ioPriority", &sub, err);
        if (r < 0)
                return r;
        if (r > 0 && (r = parse_io_priority(sub, JPATH_KEY(at, "ioPriority"), p, err)) < 0)
                return r;
        sub = NULL;
        r = json_get_object(obj, at, "scheduler", &sub, err);
        if (r < 0)
                return r;
        if (r > 0 && (r = parse_scheduler(sub, JPATH_KEY(at, "scheduler"), p, err)) < 0)
                return r;
        return 0;
}

void
spec_process_done(struct spec_process *p)
{
        free(p->user.additional_gids);
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        free(p->rlimits);
        strv_free(p->caps.bounding);
        strv_free(p->caps.effective);
        strv_free(p->caps.inheritable);
        strv_free(p->caps.permitted);
        strv_free(p->caps.ambient);
        free(p->apparmor_profile);
        free(p->selinux_label);
}
