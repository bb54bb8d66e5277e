/* tests/unit/test_linux_seccomp.c: seccomp_filter_build (runtime/linux/seccomp.h) from parsed
 * linux.seccomp sections, read back through libseccomp's pseudo filter code; nothing is loaded. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "runtime/linux/seccomp.h"
#include "runtime/spec/seccomp.h"

/* JSON written with ' for " so the profiles below stay readable. */
static struct json_object *
doc(const char *squoted)
{
        cleanup_free char *text = xstrdup(squoted);
        cleanup_error berth_error_t *err = NULL;
        struct json_object *o = NULL;

        for (char *p = text; *p; p++) {
                if (*p == '\'')
                        *p = '"';
        }
        assert_int_equal(json_parse_buffer(text, strlen(text), &o, &err), 0);
        assert_null(err);
        return o;
}

#define AT JPATH_KEY(JPATH_KEY(NULL, "linux"), "seccomp")

/* No test may leave a filter (or no_new_privs) on the test process. */
static void
assert_nothing_loaded(void)
{
        cleanup_free char *status = NULL;

        assert_int_equal(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
        assert_int_equal(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
        assert_int_equal(fs_read_file(AT_FDCWD, "/proc/self/status", &status, NULL, NULL), 0);
        assert_non_null(strstr(status, "\nSeccomp:\t0\n"));
        assert_non_null(strstr(status, "\nNoNewPrivs:\t0\n"));
}

/* Parse SQUOTED as linux.seccomp and build it; returns the context (the caller releases it). */
static scmp_filter_ctx
build(const char *squoted)
{
        cleanup_json struct json_object *d = doc(squoted);
        cleanup_error berth_error_t *err = NULL;
        struct spec_seccomp s;
        scmp_filter_ctx ctx = NULL;

        assert_int_equal(spec_parse_seccomp(d, AT, &s, &err), 0);
        assert_null(err);
        if (seccomp_filter_build(&s, &ctx, &err) < 0)
                fail_msg("seccomp_filter_build: %s", err ? err->msg : "(no error)");
        assert_null(err);
        assert_non_null(ctx);
        spec_seccomp_done(&s);
        assert_nothing_loaded();
        return ctx;
}

/* The filter as libseccomp's pseudo filter code, through a memfd. Caller frees. */
static char *
pfc_of(scmp_filter_ctx ctx)
{
        cleanup_close int fd = memfd_create("test-pfc", MFD_CLOEXEC);
        char *buf = NULL;
        size_t len = 0, cap = 0;
        ssize_t n;

        assert_true(fd >= 0);
        assert_int_equal(seccomp_export_pfc(ctx, fd), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        for (;;) {
                if (cap - len < 4096) {
                        cap = cap ? cap * 2 : 16384;
                        buf = xrealloc(buf, cap);
                }
                n = read(fd, buf + len, cap - len - 1);
                assert_true(n >= 0);
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        return buf;
}

static char *
pfc(const char *squoted)
{
        cleanup_seccomp scmp_filter_ctx ctx = build(squoted);
        return pfc_of(ctx);
}

/* The part of TEXT between the line holding START and the next line holding one of the ENDs
 * (or the end of TEXT); NULL when START is not there. Caller frees. */
static char *
slice(const char *text, const char *start, const char *end1, const char *end2)
{
        const char *b = strstr(text, start), *e, *e2;

        if (!b)
                return NULL;
        e = strstr(b + strlen(start), end1);
        e2 = end2 ? strstr(b + strlen(start), end2) : NULL;
        if (!e || (e2 && e2 < e))
                e = e2;
        return e ? xstrndup(b, (size_t) (e - b)) : xstrdup(b);
}

/* The code for one architecture ("x86_64", "x86", "x32"). */
static char *
arch_section(const char *text, const char *arch)
{
        cleanup_free char *start = xasprintf("# filter for arch %s (", arch);
        return slice(text, start, "# filter for arch ", "# invalid architecture action");
}

/* The code for one syscall within an architecture's section. */
static char *
syscall_block(const char *section, const char *name)
{
        cleanup_free char *start = xasprintf("# filter for syscall \"%s\" (", name);
        return slice(section, start, "\n  # ", NULL);
}

/* The default action line of an architecture's section. */
static char *
default_of(const char *section)
{
        return slice(section, "  # default action\n", "\n# ", NULL);
}

#define assert_contains(hay, needle)                                                          \
        do {                                                                                  \
                const char *_h = (hay), *_n = (needle);                                       \
                if (!_h || !strstr(_h, _n))                                                   \
                        fail_msg("expected to find [%s] in:\n%s", _n, _h ? _h : "(nothing)"); \
        } while (0)

#define assert_lacks(hay, needle)                                        \
        do {                                                             \
                const char *_h = (hay), *_n = (needle);                  \
                if (_h && strstr(_h, _n))                                \
                        fail_msg("did not expect [%s] in:\n%s", _n, _h); \
        } while (0)

static size_t
count_of(const char *hay, const char *needle)
{
        size_t n = 0;

        for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static void
test_errno_rules(void **state)
{
        cleanup_free char *text = pfc(
                "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38},"
                " {'names': ['mkdirat'], 'action': 'SCMP_ACT_ERRNO'},"
                " {'names': ['rmdir', 'unlink'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13}]}");
        cleanup_free char *sec = arch_section(text, "x86_64");
        cleanup_free char *mkdir_b = syscall_block(sec, "mkdir");
        cleanup_free char *mkdirat_b = syscall_block(sec, "mkdirat");
        cleanup_free char *rmdir_b = syscall_block(sec, "rmdir");
        cleanup_free char *unlink_b = syscall_block(sec, "unlink");
        cleanup_free char *def = default_of(sec);
        (void) state;

        assert_non_null(sec);
        assert_contains(mkdir_b, "# filter for syscall \"mkdir\" (83)");
        assert_contains(mkdir_b, "if ($syscall == 83)\n    action ERRNO(38);");
        /* No errnoRet: EPERM, as runc. */
        assert_contains(mkdirat_b, "action ERRNO(1);");
        assert_contains(rmdir_b, "action ERRNO(13);");
        assert_contains(unlink_b, "action ERRNO(13);");
        assert_contains(def, "action ALLOW;");
        assert_lacks(sec, "\"getpid\"");
        /* Only the native architecture when none is named. */
        assert_lacks(text, "# filter for arch x86 (");
        assert_int_equal(count_of(text, "# filter for arch "), 1);
}

static void
test_default_errno(void **state)
{
        cleanup_free char *text =
                pfc("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38, 'syscalls': ["
                    " {'names': ['read', 'write', 'exit_group'], 'action': 'SCMP_ACT_ALLOW'}]}");
        cleanup_free char *sec = arch_section(text, "x86_64");
        cleanup_free char *def = default_of(sec);
        cleanup_free char *read_b = syscall_block(sec, "read");
        cleanup_free char *exit_b = syscall_block(sec, "exit_group");
        cleanup_free char *text2 = pfc("{'defaultAction': 'SCMP_ACT_ERRNO'}");
        cleanup_free char *def2 = default_of(text2);
        (void) state;

        assert_contains(def, "action ERRNO(38);");
        assert_contains(read_b, "action ALLOW;");
        assert_contains(exit_b, "action ALLOW;");
        /* Without defaultErrnoRet: EPERM. */
        assert_contains(def2, "action ERRNO(1);");
}

static void
test_every_action(void **state)
{
        cleanup_free char *text =
                pfc("{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/l', 'syscalls': ["
                    " {'names': ['chroot'], 'action': 'SCMP_ACT_KILL'},"
                    " {'names': ['pivot_root'], 'action': 'SCMP_ACT_KILL_THREAD'},"
                    " {'names': ['reboot'], 'action': 'SCMP_ACT_KILL_PROCESS'},"
                    " {'names': ['chdir'], 'action': 'SCMP_ACT_TRAP'},"
                    " {'names': ['rename'], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 5},"
                    " {'names': ['renameat'], 'action': 'SCMP_ACT_TRACE'},"
                    " {'names': ['getpid'], 'action': 'SCMP_ACT_LOG'},"
                    " {'names': ['rmdir'], 'action': 'SCMP_ACT_NOTIFY'},"
                    " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 4094}]}");
        cleanup_free char *sec = arch_section(text, "x86_64");
        cleanup_free char *notify = xasprintf("action 0x%x;", SCMP_ACT_NOTIFY);
        (void) state;

        {
                cleanup_free char *b = syscall_block(sec, "chroot");
                assert_contains(b, "action KILL;");
        }
        {
                /* SCMP_ACT_KILL is the thread, as in runc. */
                cleanup_free char *b = syscall_block(sec, "pivot_root");
                assert_contains(b, "action KILL;");
        }
        {
                cleanup_free char *b = syscall_block(sec, "reboot");
                assert_contains(b, "action KILL_PROCESS;");
        }
        {
                cleanup_free char *b = syscall_block(sec, "chdir");
                assert_contains(b, "action TRAP;");
        }
        {
                cleanup_free char *b = syscall_block(sec, "rename");
                assert_contains(b, "action TRACE(5);");
        }
        {
                cleanup_free char *b = syscall_block(sec, "renameat");
                assert_contains(b, "action TRACE(1);");
        }
        {
                cleanup_free char *b = syscall_block(sec, "getpid");
                assert_contains(b, "action LOG;");
        }
        {
                cleanup_free char *b = syscall_block(sec, "rmdir");
                assert_contains(b, notify);
        }
        {
                cleanup_free char *b = syscall_block(sec, "mkdir");
                assert_contains(b, "action ERRNO(4094);");
        }
}

static void
test_default_actions(void **state)
{
        static const struct {
                const char *action, *pfc;
        } table[] = {
                {"SCMP_ACT_KILL", "action KILL;"},
                {"SCMP_ACT_KILL_THREAD", "action KILL;"},
                {"SCMP_ACT_KILL_PROCESS", "action KILL_PROCESS;"},
                {"SCMP_ACT_TRAP", "action TRAP;"},
                {"SCMP_ACT_LOG", "action LOG;"},
                {"SCMP_ACT_ALLOW", "action ALLOW;"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                cleanup_free char *json =
                        xasprintf("{'defaultAction': '%s', 'syscalls': [{'names': ['mkdir'],"
                                  " 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}",
                                  table[i].action);
                cleanup_free char *text = pfc(json);
                cleanup_free char *sec = arch_section(text, "x86_64");
                cleanup_free char *def = default_of(sec);
                cleanup_free char *b = syscall_block(sec, "mkdir");
                assert_contains(def, table[i].pfc);
                assert_contains(b, "action ERRNO(38);");
        }
}

static void
test_arg_conditions(void **state)
{
        cleanup_free char *text =
                pfc("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                    " {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 0, 'value': 4294967295, 'op': 'SCMP_CMP_EQ'}]},"
                    " {'names': ['socket'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 97,"
                    "  'args': [{'index': 0, 'value': 2, 'op': 'SCMP_CMP_EQ'},"
                    "   {'index': 1, 'value': 15, 'valueTwo': 1, 'op': 'SCMP_CMP_MASKED_EQ'}]},"
                    " {'names': ['setuid'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 0, 'value': 4294967296, 'op': 'SCMP_CMP_EQ'}]},"
                    " {'names': ['tkill'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 1, 'value': 2, 'op': 'SCMP_CMP_NE'}]},"
                    " {'names': ['setgid'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 0, 'value': 7, 'op': 'SCMP_CMP_GE'}]},"
                    " {'names': ['setfsuid'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 0, 'value': 7, 'op': 'SCMP_CMP_GT'}]},"
                    " {'names': ['setfsgid'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 0, 'value': 7, 'op': 'SCMP_CMP_LT'}]},"
                    " {'names': ['setpgid'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 1, 'value': 7, 'op': 'SCMP_CMP_LE'}]}]}");
        cleanup_free char *sec = arch_section(text, "x86_64");
        (void) state;

        {
                cleanup_free char *b = syscall_block(sec, "personality");
                assert_contains(b, "  if ($syscall == 135)\n"
                                   "    if ($a0.hi32 == 0)\n"
                                   "      if ($a0.lo32 == 4294967295)\n"
                                   "        action ERRNO(1);");
        }
        {
                /* Conditions on different arguments AND: nested. */
                cleanup_free char *b = syscall_block(sec, "socket");
                assert_contains(b, "  if ($syscall == 41)\n"
                                   "    if ($a0.hi32 == 0)\n"
                                   "      if ($a0.lo32 == 2)\n"
                                   "        if ($a1.hi32 & 0x00000000 == 0)\n"
                                   "          if ($a1.lo32 & 0x0000000f == 1)\n"
                                   "            action ERRNO(97);");
                assert_int_equal(count_of(b, "action "), 1);
        }
        {
                /* A 64-bit value compares both halves. */
                cleanup_free char *b = syscall_block(sec, "setuid");
                assert_contains(b, "if ($a0.hi32 == 1)\n");
                assert_contains(b, "if ($a0.lo32 == 0)\n");
        }
        {
                /* NE: the action is on the "else" of the equality. */
                cleanup_free char *b = syscall_block(sec, "tkill");
                assert_contains(b, "if ($a1.lo32 == 2)\n      else\n        action ERRNO(1);");
        }
        {
                cleanup_free char *b = syscall_block(sec, "setgid");
                assert_contains(b, "if ($a0.lo32 >= 7)\n          action ERRNO(1);");
        }
        {
                cleanup_free char *b = syscall_block(sec, "setfsuid");
                assert_contains(b, "if ($a0.lo32 > 7)\n          action ERRNO(1);");
        }
        {
                /* LT: the action is on the "else" of >=. */
                cleanup_free char *b = syscall_block(sec, "setfsgid");
                assert_contains(b, "if ($a0.lo32 >= 7)\n        else\n          action ERRNO(1);");
        }
        {
                /* LE: the action is on the "else" of >. */
                cleanup_free char *b = syscall_block(sec, "setpgid");
                assert_contains(b, "if ($a1.lo32 > 7)\n        else\n          action ERRNO(1);");
        }
}

/* Two conditions on one argument cannot AND in libseccomp: like runc, each is a rule of its own. */
static void
test_repeated_index_is_or(void **state)
{
        cleanup_free char *text =
                pfc("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                    " {'names': ['kill'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 3,"
                    "  'args': [{'index': 1, 'value': 9, 'op': 'SCMP_CMP_EQ'},"
                    "   {'index': 1, 'value': 15, 'op': 'SCMP_CMP_EQ'}]}]}");
        cleanup_free char *sec = arch_section(text, "x86_64");
        cleanup_free char *b = syscall_block(sec, "kill");
        (void) state;

        /* Each value leads to the action on its own (OR), not one nested in the other (AND). */
        assert_contains(b, "      if ($a1.lo32 == 9)\n        action ERRNO(3);");
        assert_contains(b, "      if ($a1.lo32 == 15)\n        action ERRNO(3);");
}

/* runc adds one rule per condition whatever their number when an index repeats; libseccomp's
 * limit of 6 is per rule. */
static void
test_repeated_index_more_than_six(void **state)
{
        cleanup_free char *text = pfc("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                      " {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO',"
                                      "  'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'},"
                                      "   {'index': 0, 'value': 2, 'op': 'SCMP_CMP_EQ'},"
                                      "   {'index': 0, 'value': 3, 'op': 'SCMP_CMP_EQ'},"
                                      "   {'index': 0, 'value': 4, 'op': 'SCMP_CMP_EQ'},"
                                      "   {'index': 0, 'value': 5, 'op': 'SCMP_CMP_EQ'},"
                                      "   {'index': 0, 'value': 6, 'op': 'SCMP_CMP_EQ'},"
                                      "   {'index': 0, 'value': 7, 'op': 'SCMP_CMP_EQ'}]}]}");
        cleanup_free char *sec = arch_section(text, "x86_64");
        cleanup_free char *b = syscall_block(sec, "personality");
        (void) state;

        for (int v = 1; v <= 7; v++) {
                cleanup_free char *cmp = xasprintf("if ($a0.lo32 == %d)\n", v);
                assert_contains(b, cmp);
        }
}

/* A rule whose action is the default adds nothing (libseccomp would refuse it with EACCES). */
static void
test_rules_equal_to_default_are_dropped(void **state)
{
        cleanup_free char *text =
                pfc("{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': ["
                    " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'},"
                    " {'names': ['rmdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1},"
                    " {'names': ['chdir'], 'action': 'SCMP_ACT_ERRNO',"
                    "  'args': [{'index': 0, 'value': 0, 'op': 'SCMP_CMP_EQ'}]},"
                    " {'names': ['unlink'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 2},"
                    " {'names': ['getpid'], 'action': 'SCMP_ACT_ALLOW'}]}");
        cleanup_free char *sec = arch_section(text, "x86_64");
        cleanup_free char *unlink_b = syscall_block(sec, "unlink");
        cleanup_free char *getpid_b = syscall_block(sec, "getpid");
        cleanup_free char *text2 = pfc("{'defaultAction': 'SCMP_ACT_KILL', 'syscalls': ["
                                       " {'names': ['reboot'], 'action': 'SCMP_ACT_KILL_THREAD'},"
                                       " {'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}");
        cleanup_free char *text3 =
                pfc("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                    " {'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'}]}");
        (void) state;

        assert_lacks(sec, "\"mkdir\"");
        assert_lacks(sec, "\"rmdir\"");
        assert_lacks(sec, "\"chdir\"");
        assert_contains(unlink_b, "action ERRNO(2);");
        assert_contains(getpid_b, "action ALLOW;");
        assert_lacks(text2, "\"reboot\"");
        assert_contains(text2, "\"read\"");
        assert_lacks(text3, "# filter for syscall");
}

static void
expect_build_error(const char *squoted, const char *path, const char *msg)
{
        cleanup_json struct json_object *d = doc(squoted);
        cleanup_error berth_error_t *err = NULL;
        struct spec_seccomp s;
        scmp_filter_ctx ctx = NULL;

        assert_int_equal(spec_parse_seccomp(d, AT, &s, &err), 0);
        assert_null(err);
        assert_int_equal(seccomp_filter_build(&s, &ctx, &err), -EINVAL);
        assert_null(ctx);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        assert_non_null(err->json_path);
        assert_string_equal(err->json_path, path);
        assert_string_equal(err->msg, msg);
        spec_seccomp_done(&s);
        assert_nothing_loaded();
}

static void
test_unknown_syscall(void **state)
{
        (void) state;
        expect_build_error("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                           " {'names': ['getpid'], 'action': 'SCMP_ACT_LOG'},"
                           " {'names': ['mkdir', 'rmdir', 'mkdir2'], 'action': 'SCMP_ACT_ERRNO'}]}",
                           "linux.seccomp.syscalls[1].names[2]",
                           "linux.seccomp.syscalls[1].names[2]: unknown syscall \"mkdir2\"");
        /* Checked even when the rule only repeats the default. */
        expect_build_error("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                           " {'names': ['no_such_call'], 'action': 'SCMP_ACT_ALLOW'}]}",
                           "linux.seccomp.syscalls[0].names[0]",
                           "linux.seccomp.syscalls[0].names[0]: unknown syscall \"no_such_call\"");
        expect_build_error("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                           " {'names': [''], 'action': 'SCMP_ACT_ERRNO'}]}",
                           "linux.seccomp.syscalls[0].names[0]",
                           "linux.seccomp.syscalls[0].names[0]: unknown syscall \"\"");
}

static void
test_architectures(void **state)
{
        cleanup_free char *text = pfc(
                "{'defaultAction': 'SCMP_ACT_ALLOW',"
                " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
                " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}");
        cleanup_free char *x86_64 = arch_section(text, "x86_64");
        cleanup_free char *x86 = arch_section(text, "x86");
        cleanup_free char *x32 = arch_section(text, "x32");
        cleanup_free char *b64 = syscall_block(x86_64, "mkdir");
        cleanup_free char *b32 = syscall_block(x86, "mkdir");
        cleanup_free char *bx32 = syscall_block(x32, "mkdir");
        (void) state;

        assert_int_equal(count_of(text, "# filter for arch "), 3);
        assert_contains(b64, "if ($syscall == 83)\n    action ERRNO(38);");
        assert_contains(b32, "if ($syscall == 39)\n    action ERRNO(38);");
        assert_contains(bx32, "action ERRNO(38);");
}

static void
test_flags_and_attributes(void **state)
{
        cleanup_seccomp scmp_filter_ctx all =
                build("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_TSYNC',"
                      " 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW']}");
        cleanup_seccomp scmp_filter_ctx none = build("{'defaultAction': 'SCMP_ACT_ALLOW'}");
        uint32_t v;
        (void) state;

        /* berth sets no_new_privs itself, from process.noNewPrivileges. */
        assert_int_equal(seccomp_attr_get(all, SCMP_FLTATR_CTL_NNP, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(seccomp_attr_get(none, SCMP_FLTATR_CTL_NNP, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(seccomp_attr_get(all, SCMP_FLTATR_CTL_TSYNC, &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(seccomp_attr_get(none, SCMP_FLTATR_CTL_TSYNC, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(seccomp_attr_get(all, SCMP_FLTATR_CTL_LOG, &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(seccomp_attr_get(none, SCMP_FLTATR_CTL_LOG, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(seccomp_attr_get(all, SCMP_FLTATR_CTL_SSB, &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(seccomp_attr_get(none, SCMP_FLTATR_CTL_SSB, &v), 0);
        assert_int_equal(v, 0);
}

/* The BPF the waiter loads: a sealed memfd at offset 0 holding the same program libseccomp
 * exports. */
static void
test_export_bpf_memfd(void **state)
{
        cleanup_seccomp scmp_filter_ctx ctx =
                build("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                      " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}");
        cleanup_error berth_error_t *err = NULL;
        cleanup_seccomp_program struct seccomp_program prog = {0};
        assert_int_equal(seccomp_filter_compile(ctx, 0, &prog, &err), 0);
        cleanup_close int fd = seccomp_filter_export(&prog, &err);
        cleanup_close int ref = memfd_create("test-bpf", MFD_CLOEXEC);
        struct stat st, st_ref;
        int seals;
        (void) state;

        assert_null(err);
        assert_true(fd >= 0);
        assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
        seals = fcntl(fd, F_GET_SEALS);
        assert_int_equal(seals & (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
                         F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
        assert_int_equal(write(fd, "x", 1), -1);
        assert_int_equal(errno, EPERM);
        assert_true(ref >= 0);
        assert_int_equal(seccomp_export_bpf(ctx, ref), 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(fstat(ref, &st_ref), 0);
        assert_true(st.st_size > 0);
        assert_int_equal(st.st_size % 8, 0); /* struct sock_filter */
        assert_int_equal(st.st_size, st_ref.st_size);
        assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
        assert_nothing_loaded();
}

/* Last: after every build above, this process still has no filter. */
static void
test_nothing_was_loaded(void **state)
{
        (void) state;
        assert_nothing_loaded();
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_errno_rules),
                cmocka_unit_test(test_default_errno),
                cmocka_unit_test(test_every_action),
                cmocka_unit_test(test_default_actions),
                cmocka_unit_test(test_arg_conditions),
                cmocka_unit_test(test_repeated_index_is_or),
                cmocka_unit_test(test_repeated_index_more_than_six),
                cmocka_unit_test(test_rules_equal_to_default_are_dropped),
                cmocka_unit_test(test_unknown_syscall),
                cmocka_unit_test(test_architectures),
                cmocka_unit_test(test_flags_and_attributes),
                cmocka_unit_test(test_export_bpf_memfd),
                cmocka_unit_test(test_nothing_was_loaded),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
