/* tests/unit/test_linux_devices_bpf.c: the cgroup v2 device program against cgroup v1. Each rule
 * set becomes (1) a BPF program, run here by a small interpreter of the instructions the builder
 * may emit, and (2) the v1 devices.allow / devices.deny lines, fed to a model of the kernel's v1
 * devices controller written from security/device_cgroup.c. Both must give the same verdict for
 * every (type, major, minor, access) probed, and so must device_policy_allows(). Then the kernel
 * verifier must accept each program (skipped without the privilege to load one). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <cmocka.h>

#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/linux/cgroup.h"
#include "runtime/linux/device_policy.h"
#include "runtime/linux/devices_bpf.h"

/* ---- the interpreter ---------------------------------------------------------------------- */

/* Runs PROG on CTX and returns r0. Any instruction outside the subset the builder documents, a
 * jump out of the program or backwards, or falling off the end fails the test. */
static uint64_t
interpret(const struct bpf_insn *prog, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
        uint64_t reg[11] = {0};
        const unsigned char *mem = (const unsigned char *) ctx;
        bool ctx_ptr[11] = {false};

        ctx_ptr[BPF_REG_1] = true;
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &prog[pc];
                uint32_t v32;
                int64_t jump = -1;

                assert_true(i->dst_reg <= 10 && i->src_reg <= 10);
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        assert_true(ctx_ptr[i->src_reg]);
                        assert_true(i->off >= 0 && (size_t) i->off + 4 <= sizeof(*ctx)
                                    && i->off % 4 == 0);
                        memcpy(&v32, mem + i->off, 4);
                        reg[i->dst_reg] = v32;
                        ctx_ptr[i->dst_reg] = false;
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] & (uint32_t) i->imm;
                        ctx_ptr[i->dst_reg] = false;
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        assert_true(i->imm >= 0 && i->imm < 32);
                        reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] >> i->imm;
                        ctx_ptr[i->dst_reg] = false;
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        reg[i->dst_reg] = (uint32_t) reg[i->src_reg];
                        ctx_ptr[i->dst_reg] = false;
                        break;
                case BPF_ALU | BPF_MOV | BPF_K:
                        reg[i->dst_reg] = (uint32_t) i->imm;
                        ctx_ptr[i->dst_reg] = false;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        /* 64-bit compare against the sign-extended immediate */
                        if (reg[i->dst_reg] != (uint64_t) (int64_t) i->imm)
                                jump = (int64_t) pc + 1 + i->off;
                        break;
                case BPF_JMP | BPF_JNE | BPF_X:
                        if (reg[i->dst_reg] != reg[i->src_reg])
                                jump = (int64_t) pc + 1 + i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return reg[BPF_REG_0];
                default:
                        fail_msg("instruction %zu: opcode 0x%02x is outside the builder's subset",
                                 pc, i->code);
                }
                if (jump >= 0) {
                        assert_true(i->off >= 0);
                        assert_true((size_t) jump < n);
                        pc = (size_t) jump - 1;
                }
        }
        fail_msg("the program ran off its end");
        return 0;
}

/* ---- the v1 kernel model ------------------------------------------------------------------ */

struct v1_ex {
        char type;
        int64_t major, minor;
        unsigned access;
};

struct v1_cgroup {
        bool allow_all; /* DEVCG_DEFAULT_ALLOW */
        struct v1_ex ex[512];
        size_t n;
};

static int64_t
v1_number(const char *s, const char **end)
{
        if (*s == '*') {
                *end = s + 1;
                return -1;
        }
        return strtoll(s, (char **) end, 10);
}

/* One line of cgroup_v1_device_lines(): "a ..." to devices.allow, "d ..." to devices.deny. */
static void
v1_write(struct v1_cgroup *cg, const char *line)
{
        bool allow_file = line[0] == 'a';
        const char *p = line + 2, *end = NULL;
        struct v1_ex ex = {0};

        if (*p == 'a') {
                /* devcgroup_update_access, case 'a': clean the exceptions, set the behaviour */
                cg->allow_all = allow_file;
                cg->n = 0;
                return;
        }
        ex.type = *p;
        p += 2;
        ex.major = v1_number(p, &end);
        assert_int_equal(*end, ':');
        ex.minor = v1_number(end + 1, &end);
        assert_int_equal(*end, ' ');
        for (p = end + 1; *p; p++)
                ex.access |= *p == 'r'   ? DEVICE_ACC_READ
                             : *p == 'w' ? DEVICE_ACC_WRITE
                                         : DEVICE_ACC_MKNOD;

        if (allow_file == cg->allow_all) {
                /* dev_exception_rm: only an exception with the very same type and numbers */
                for (size_t i = 0; i < cg->n;) {
                        struct v1_ex *w = &cg->ex[i];
                        if (w->type == ex.type && w->major == ex.major && w->minor == ex.minor) {
                                w->access &= ~ex.access;
                                if (!w->access) {
                                        memmove(w, w + 1, (cg->n - i - 1) * sizeof(*w));
                                        cg->n--;
                                        continue;
                                }
                        }
                        i++;
                }
                return;
        }
        /* dev_exception_add: merge into the same exception, else append */
        for (size_t i = 0; i < cg->n; i++) {
                struct v1_ex *w = &cg->ex[i];
                if (w->type == ex.type && w->major == ex.major && w->minor == ex.minor) {
                        w->access |= ex.access;
                        return;
                }
        }
        assert_true(cg->n < 512);
        cg->ex[cg->n++] = ex;
}

/* devcgroup_legacy_check_permission -> match_exception */
static bool
v1_allows(const struct v1_cgroup *cg, char type, uint32_t major, uint32_t minor, unsigned access)
{
        bool matched = false;

        for (size_t i = 0; i < cg->n && !matched; i++) {
                const struct v1_ex *e = &cg->ex[i];
                if (e->type != type)
                        continue;
                if (e->major != -1 && (uint32_t) e->major != major)
                        continue;
                if (e->minor != -1 && (uint32_t) e->minor != minor)
                        continue;
                if (access & ~e->access)
                        continue;
                matched = true;
        }
        return cg->allow_all ? !matched : matched;
}

/* ---- the comparison ----------------------------------------------------------------------- */

#define RULE(al, t, ma, mi, acc)                                                          \
        {                                                                                 \
                .allow = (al), .type = (t), .major = (ma), .minor = (mi), .access = (acc) \
        }
#define DENY_ALL  RULE(false, 'a', -1, -1, "rwm")
#define ALLOW_ALL RULE(true, 'a', -1, -1, "rwm")

static const uint32_t majors[] = {0, 1, 4, 5, 7, 8, 10, 136, 254, 4095};
static const uint32_t minors[] = {0, 1, 3, 5, 7, 9, 200, 229, 1048575};

/* Loads and attaches nothing: build, interpret, and compare with the v1 model and the policy. */
static void
compare_all(const struct spec_device_rule *rules, size_t n)
{
        cleanup_free struct bpf_insn *prog = NULL;
        cleanup_strv char **lines = NULL;
        struct device_policy policy = {0};
        struct v1_cgroup cg = {.allow_all = true}; /* a new v1 cgroup below the root */
        size_t n_prog = 0, probes = 0;
        berth_error_t *err = NULL;

        assert_int_equal(devices_bpf_build(rules, n, &prog, &n_prog, &err), 0);
        assert_null(err);
        assert_int_equal(device_policy_build(rules, n, &policy, &err), 0);
        lines = cgroup_v1_device_lines(rules, n);
        strv_foreach(l, lines)
                v1_write(&cg, l);

        for (int t = 0; t < 2; t++) {
                char type = t ? 'b' : 'c';
                for (size_t a = 0; a < sizeof(majors) / sizeof(majors[0]); a++) {
                        for (size_t b = 0; b < sizeof(minors) / sizeof(minors[0]); b++) {
                                for (unsigned acc = 1; acc <= DEVICE_ACC_ALL; acc++) {
                                        struct bpf_cgroup_dev_ctx ctx = {
                                                .access_type = (acc << 16)
                                                               | (type == 'b' ? BPF_DEVCG_DEV_BLOCK
                                                                              : BPF_DEVCG_DEV_CHAR),
                                                .major = majors[a],
                                                .minor = minors[b],
                                        };
                                        bool want = v1_allows(&cg, type, majors[a], minors[b], acc);
                                        uint64_t got = interpret(prog, n_prog, &ctx);
                                        if (got != (want ? 1 : 0)
                                            || device_policy_allows(&policy, type, majors[a],
                                                                    minors[b], acc)
                                                       != want)
                                                fail_msg(
                                                        "%c %u:%u access %u: v1 says %s, the program %s, the policy %s",
                                                        type, majors[a], minors[b], acc,
                                                        want ? "allow" : "deny",
                                                        got ? "allow" : "deny",
                                                        device_policy_allows(&policy, type,
                                                                             majors[a], minors[b],
                                                                             acc)
                                                                ? "allow"
                                                                : "deny");
                                        probes++;
                                }
                        }
                }
        }
        assert_int_equal(probes, 2 * 10 * 9 * 7);
        device_policy_done(&policy);
}

/* The verdict of the built program for one request. */
static bool
verdict(const struct spec_device_rule *rules, size_t n, char type, uint32_t major, uint32_t minor,
        const char *access)
{
        cleanup_free struct bpf_insn *prog = NULL;
        size_t n_prog = 0;
        struct bpf_cgroup_dev_ctx ctx = {
                .access_type = (device_access_bits(access) << 16)
                               | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                .major = major,
                .minor = minor,
        };

        assert_int_equal(devices_bpf_build(rules, n, &prog, &n_prog, NULL), 0);
        return interpret(prog, n_prog, &ctx) == 1;
}

#define NRULES(a) (sizeof(a) / sizeof((a)[0]))

static void
test_no_rules_allows_everything(void **state)
{
        cleanup_free struct bpf_insn *prog = NULL;
        size_t n_prog = 0;
        (void) state;

        compare_all(NULL, 0);
        /* runc's defaults only allow, and everything is allowed already: no exception is left,
         * so the program is the context loads and "return 1". */
        assert_int_equal(devices_bpf_build(NULL, 0, &prog, &n_prog, NULL), 0);
        assert_int_equal(n_prog, 8);
        assert_true(verdict(NULL, 0, 'b', 8, 0, "rwm"));
        assert_true(verdict(NULL, 0, 'c', 1, 1, "r"));
}

static void
test_default_spec(void **state)
{
        static const struct spec_device_rule rules[] = {DENY_ALL};
        (void) state;

        compare_all(rules, NRULES(rules));
        assert_true(verdict(rules, 1, 'c', 1, 3, "rw"));   /* /dev/null */
        assert_true(verdict(rules, 1, 'c', 1, 5, "r"));    /* /dev/zero */
        assert_true(verdict(rules, 1, 'c', 136, 7, "rw")); /* a pty */
        assert_true(verdict(rules, 1, 'c', 1, 1, "m"));    /* mknod of anything */
        assert_true(verdict(rules, 1, 'b', 7, 0, "m"));
        assert_false(verdict(rules, 1, 'c', 1, 1, "r")); /* /dev/mem */
        assert_false(verdict(rules, 1, 'b', 7, 0, "r")); /* loop0 */
        assert_false(verdict(rules, 1, 'c', 10, 229, "rw"));
        assert_false(verdict(rules, 1, 'c', 5, 1, "rw")); /* /dev/console: not in runc 1.1's list */
}

static void
test_allow_list(void **state)
{
        static const struct spec_device_rule rules[] = {
                DENY_ALL,
                RULE(true, 'c', 10, 229, "rwm"),
                RULE(true, 'b', 7, 0, "rw"),
                RULE(true, 'c', 1, 1, "r"),
        };
        (void) state;

        compare_all(rules, NRULES(rules));
        assert_true(verdict(rules, NRULES(rules), 'c', 10, 229, "rw"));
        assert_true(verdict(rules, NRULES(rules), 'b', 7, 0, "rw"));
        assert_false(verdict(rules, NRULES(rules), 'b', 7, 1, "r"));
        assert_true(verdict(rules, NRULES(rules), 'c', 1, 1, "r"));
        assert_false(verdict(rules, NRULES(rules), 'c', 1, 1, "rw")); /* partial access: r only */
        assert_false(verdict(rules, NRULES(rules), 'c', 1, 1, "w"));
}

static void
test_wildcards(void **state)
{
        static const struct spec_device_rule rules[] = {
                DENY_ALL,
                RULE(true, 'c', 4, -1, "rwm"),
                RULE(true, 'b', -1, -1, "r"),
                RULE(true, 'c', -1, 9, "w"),
        };
        (void) state;

        compare_all(rules, NRULES(rules));
        assert_true(verdict(rules, NRULES(rules), 'c', 4, 1048575, "rw"));
        assert_false(verdict(rules, NRULES(rules), 'b', 4, 0, "rw"));
        assert_true(verdict(rules, NRULES(rules), 'b', 8, 0, "r"));
        assert_false(verdict(rules, NRULES(rules), 'b', 8, 0, "w"));
        assert_true(verdict(rules, NRULES(rules), 'c', 254, 9, "w"));
        assert_true(verdict(rules, NRULES(rules), 'c', 1, 9, "rw")); /* /dev/urandom is a default */
        assert_false(verdict(rules, NRULES(rules), 'c', 254, 9, "rw"));
}

static void
test_write_only(void **state)
{
        static const struct spec_device_rule rules[] = {DENY_ALL, RULE(true, 'c', 1, 1, "w")};
        (void) state;

        compare_all(rules, NRULES(rules));
        assert_true(verdict(rules, NRULES(rules), 'c', 1, 1, "w"));
        assert_false(verdict(rules, NRULES(rules), 'c', 1, 1, "r"));
        assert_false(verdict(rules, NRULES(rules), 'c', 1, 1, "rw"));
}

/* Later rules take access back from, or add it to, the exception of the very same device. */
static void
test_later_rules_override(void **state)
{
        static const struct spec_device_rule rules[] = {
                DENY_ALL,
                RULE(true, 'c', 1, 1, "rwm"),
                RULE(false, 'c', 1, 1, "w"),
                RULE(true, 'b', 7, -1, "r"),
                RULE(true, 'b', 7, -1, "w"),
                RULE(false, 'c', 10, 229, "rwm"), /* takes away nothing: no such exception */
                RULE(true, 'c', 10, 200, "rwm"),
                RULE(false, 'c', 10, 200, "rwm"), /* ... until the default puts it back */
        };
        (void) state;

        compare_all(rules, NRULES(rules));
        assert_true(verdict(rules, NRULES(rules), 'c', 1, 1, "r"));
        assert_false(verdict(rules, NRULES(rules), 'c', 1, 1, "w"));
        assert_true(verdict(rules, NRULES(rules), 'b', 7, 3, "rw"));
        /* one exception must cover the whole request: rw here, m from the default "b *:* m" */
        assert_false(verdict(rules, NRULES(rules), 'b', 7, 3, "rwm"));
        assert_true(verdict(rules, NRULES(rules), 'b', 7, 3, "m"));
        assert_true(verdict(rules, NRULES(rules), 'c', 10, 200, "rw"));
}

/* An "a" rule resets everything before it, whatever its numbers and access say. */
static void
test_type_a_resets(void **state)
{
        static const struct spec_device_rule to_allow[] = {
                DENY_ALL,
                RULE(true, 'c', 1, 1, "r"),
                RULE(false, 'c', 1, 1, "r"),
                RULE(true, 'a', 3, 4, "r"), /* allow all: numbers and access ignored */
                RULE(false, 'c', 1, 1, "rwm"),
                RULE(false, 'b', 7, -1, "rw"),
        };
        static const struct spec_device_rule to_deny[] = {
                ALLOW_ALL,
                RULE(false, 'c', 1, 1, "rwm"),
                RULE(false, 'a', -1, -1, "m"), /* deny all */
                RULE(true, 'c', 1, 1, "rw"),
        };
        (void) state;

        compare_all(to_allow, NRULES(to_allow));
        assert_false(verdict(to_allow, NRULES(to_allow), 'c', 1, 1, "r"));
        assert_false(verdict(to_allow, NRULES(to_allow), 'c', 1, 1, "m"));
        assert_false(verdict(to_allow, NRULES(to_allow), 'b', 7, 2, "r"));
        assert_true(verdict(to_allow, NRULES(to_allow), 'b', 8, 2, "rw"));
        /* "deny b 7:* rw" refuses only requests within rw: mknod, or rwm at once, pass, as on v1 */
        assert_true(verdict(to_allow, NRULES(to_allow), 'b', 7, 2, "m"));
        assert_true(verdict(to_allow, NRULES(to_allow), 'b', 7, 2, "rwm"));

        compare_all(to_deny, NRULES(to_deny));
        assert_true(verdict(to_deny, NRULES(to_deny), 'c', 1, 1, "rw"));
        assert_false(verdict(to_deny, NRULES(to_deny), 'c', 4, 1, "r"));
}

/* Deny rules after "allow all": runc's defaults come after the config's rules and take back a
 * deny of a default device (so a deny of /dev/zero has no effect, on v1 and with runc too); a
 * deny of anything else stays. */
static void
test_deny_list(void **state)
{
        static const struct spec_device_rule rules[] = {
                ALLOW_ALL,
                RULE(false, 'c', 1, 5, "rwm"),
                RULE(false, 'c', 1, 1, "r"),
                RULE(false, 'b', 7, -1, "rwm"),
                RULE(false, 'c', -1, 229, "w"),
        };
        (void) state;

        compare_all(rules, NRULES(rules));
        assert_true(verdict(rules, NRULES(rules), 'c', 1, 5, "r"));
        assert_false(verdict(rules, NRULES(rules), 'c', 1, 1, "r"));
        /* a request is refused only when one deny covers all of it (v1's match_exception) */
        assert_true(verdict(rules, NRULES(rules), 'c', 1, 1, "rw"));
        assert_true(verdict(rules, NRULES(rules), 'c', 1, 1, "w"));
        assert_false(verdict(rules, NRULES(rules), 'b', 7, 9, "rw"));
        assert_false(verdict(rules, NRULES(rules), 'b', 7, 9, "m"));
        assert_false(verdict(rules, NRULES(rules), 'c', 10, 229, "w"));
        assert_true(verdict(rules, NRULES(rules), 'c', 10, 229, "r"));
}

static void
test_many_rules(void **state)
{
        struct spec_device_rule rules[200];
        (void) state;

        rules[0] = (struct spec_device_rule) DENY_ALL;
        /* Wildcard minors get "m" only and denies "w" only, so no deny punches a hole. */
        for (size_t i = 1; i < NRULES(rules); i++) {
                rules[i] = (struct spec_device_rule){
                        .allow = i % 3 != 0,
                        .type = i % 2 ? 'c' : 'b',
                        .major = (int64_t) (i % 11),
                        .minor = i % 7 ? (int64_t) (i % 10) : -1,
                };
                strcpy(rules[i].access, i % 7 == 0 ? "m" : i % 3 == 0 ? "w" : i % 5 ? "rw" : "r");
        }
        compare_all(rules, NRULES(rules));
}

/* Thousands of distinct exceptions: past INT16_MAX instructions a jump offset would no longer
 * fit, so the builder refuses; just below it, the program still decides as v1 does. */
static void
test_too_many_rules(void **state)
{
        const size_t n_big = 6001, n_ok = 4001;
        cleanup_free struct spec_device_rule *rules = xreallocarray(NULL, n_big, sizeof(rules[0]));
        cleanup_free struct bpf_insn *prog = NULL;
        cleanup_error berth_error_t *e = NULL;
        size_t n_prog = 0;
        (void) state;

        rules[0] = (struct spec_device_rule) DENY_ALL;
        for (size_t i = 1; i < n_big; i++) {
                rules[i] = (struct spec_device_rule){
                        .allow = true, .type = 'c', .major = 1, .minor = (int64_t) i};
                strcpy(rules[i].access, "r");
        }
        assert_int_equal(devices_bpf_build(rules, n_big, &prog, &n_prog, &e), -EINVAL);
        assert_null(prog);
        assert_string_equal(e->json_path, "linux.resources.devices");

        assert_int_equal(devices_bpf_build(rules, n_ok, &prog, &n_prog, NULL), 0);
        assert_true(n_prog <= INT16_MAX);
        assert_true(verdict(rules, n_ok, 'c', 1, 4000, "r"));
        assert_false(verdict(rules, n_ok, 'c', 1, 4000, "w"));
        assert_false(verdict(rules, n_ok, 'c', 1, 4001, "r"));
        assert_true(verdict(rules, n_ok, 'c', 1, 3, "rw"));
}

/* A hole in a wildcard exception: v1 would ignore the rule silently; runc refuses it. */
static void
test_wildcard_hole_is_refused(void **state)
{
        static const struct spec_device_rule hole[] = {
                DENY_ALL,
                RULE(true, 'c', -1, -1, "rwm"),
                RULE(false, 'c', 1, 5, "r"),
        };
        static const struct spec_device_rule same_key[] = {
                DENY_ALL, RULE(true, 'c', 1, -1, "rwm"),
                RULE(false, 'c', 1, -1, "w"), /* the wildcard itself: fine */
                RULE(false, 'c', 2, 1, "w"),  /* no overlapping wildcard: fine */
        };
        static const struct spec_device_rule default_hole[] = {
                ALLOW_ALL,
                RULE(false, 'c', -1, -1, "rw"), /* the default "allow c 1:3 rwm" cannot undo this */
        };
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        struct bpf_insn *prog = NULL;
        size_t n_prog = 0;
        (void) state;

        assert_int_equal(devices_bpf_build(hole, NRULES(hole), &prog, &n_prog, &e1), -EINVAL);
        assert_null(prog);
        assert_string_equal(e1->json_path, "linux.resources.devices[2]");
        assert_string_equal(
                e1->msg,
                "linux.resources.devices[2]: deny \"c 1:5 r\" cannot punch a hole in the earlier wildcard rule \"c *:* rwm\"");

        compare_all(same_key, NRULES(same_key));

        assert_int_equal(devices_bpf_build(default_hole, NRULES(default_hole), &prog, &n_prog, &e2),
                         -EINVAL);
        assert_null(prog);
        assert_string_equal(
                e2->msg,
                "linux.resources.devices: runc's default rule allow \"c 1:3 rwm\" cannot punch a hole in the earlier wildcard rule \"c *:* rw\"");
}

/* ---- the kernel's verifier ---------------------------------------------------------------- */

static void
load_one(const struct spec_device_rule *rules, size_t n)
{
        cleanup_free struct bpf_insn *prog = NULL;
        size_t n_prog = 0;
        char log[4096] = "";
        LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log));
        int fd;

        assert_int_equal(devices_bpf_build(rules, n, &prog, &n_prog, NULL), 0);
        fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "berth_test", "Apache", prog, n_prog,
                           &opts);
        if (fd == -EPERM || fd == -EACCES || fd == -ENOSYS)
                skip();
        if (fd < 0)
                fail_msg("the verifier refused the program (%s): %s", strerror(-fd), log);
        close(fd);
}

static void
test_verifier_accepts(void **state)
{
        static const struct spec_device_rule deny_all[] = {DENY_ALL};
        static const struct spec_device_rule mixed[] = {
                DENY_ALL,
                RULE(true, 'c', 4, -1, "rwm"),
                RULE(true, 'b', -1, -1, "r"),
                RULE(true, 'c', 4095, 1048575, "w"),
        };
        static const struct spec_device_rule deny_list[] = {
                ALLOW_ALL,
                RULE(false, 'c', 1, 1, "r"),
                RULE(false, 'b', 7, -1, "rwm"),
        };
        (void) state;

        load_one(NULL, 0);
        load_one(deny_all, NRULES(deny_all));
        load_one(mixed, NRULES(mixed));
        load_one(deny_list, NRULES(deny_list));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_rules_allows_everything),
                cmocka_unit_test(test_default_spec),
                cmocka_unit_test(test_allow_list),
                cmocka_unit_test(test_wildcards),
                cmocka_unit_test(test_write_only),
                cmocka_unit_test(test_later_rules_override),
                cmocka_unit_test(test_type_a_resets),
                cmocka_unit_test(test_deny_list),
                cmocka_unit_test(test_many_rules),
                cmocka_unit_test(test_too_many_rules),
                cmocka_unit_test(test_wildcard_hole_is_refused),
                cmocka_unit_test(test_verifier_accepts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
