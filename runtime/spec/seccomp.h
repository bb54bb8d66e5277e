/* runtime/spec/seccomp.h: linux.seccomp as typed structs; every name is checked against the
 * spec's words here, syscall names against libseccomp in runtime/linux/seccomp.c. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "lib/json.h"

enum seccomp_action {
        SECCOMP_ACTION_KILL = 0, /* SCMP_ACT_KILL: the thread (runc's meaning) */
        SECCOMP_ACTION_KILL_PROCESS,
        SECCOMP_ACTION_KILL_THREAD,
        SECCOMP_ACTION_TRAP,
        SECCOMP_ACTION_ERRNO,
        SECCOMP_ACTION_TRACE,
        SECCOMP_ACTION_ALLOW,
        SECCOMP_ACTION_LOG,
        SECCOMP_ACTION_NOTIFY,
};

enum seccomp_op {
        SECCOMP_OP_NE = 0,
        SECCOMP_OP_LT,
        SECCOMP_OP_LE,
        SECCOMP_OP_EQ,
        SECCOMP_OP_GE,
        SECCOMP_OP_GT,
        SECCOMP_OP_MASKED_EQ,
};

/* linux.seccomp.flags */
#define SECCOMP_SPEC_FLAG_TSYNC      (1u << 0)
#define SECCOMP_SPEC_FLAG_LOG        (1u << 1)
#define SECCOMP_SPEC_FLAG_SPEC_ALLOW (1u << 2)

struct spec_seccomp_arg {
        unsigned index;
        uint64_t value, value_two;
        enum seccomp_op op;
};

struct spec_seccomp_rule {
        char **names;
        enum seccomp_action action;
        bool has_errno;
        uint32_t errno_ret;
        struct spec_seccomp_arg *args;
        size_t n_args;
};

struct spec_seccomp {
        bool present;
        enum seccomp_action default_action;
        bool has_default_errno;
        uint32_t default_errno;
        char **architectures; /* "SCMP_ARCH_X86_64", ... as written (validated) */
        unsigned flags;
        char *listener_path;
        char *listener_metadata;
        struct spec_seccomp_rule *rules;
        size_t n_rules;
};

int spec_parse_seccomp(struct json_object *obj, const struct jpath *at, struct spec_seccomp *s,
                       berth_error_t **err);
void spec_seccomp_done(struct spec_seccomp *s);
/* Whether any rule (or the default) is SCMP_ACT_NOTIFY. */
bool spec_seccomp_uses_notify(const struct spec_seccomp *s);
/* Names as the spec spells them, for `features`. */
extern const char *const spec_seccomp_action_names[];
extern const char *const spec_seccomp_op_names[];
extern const char *const spec_seccomp_arch_names[];
extern const char *const spec_seccomp_flag_names[];
