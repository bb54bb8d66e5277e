/* runtime/linux/seccomp.c: libseccomp filters in runc's manner (libcontainer/seccomp). */
#include <config.h>

#include "runtime/linux/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/sock.h"
#include "lib/xalloc.h"

static uint32_t
action_value(enum seccomp_action a, bool has_errno, uint32_t errno_ret)
{
        switch (a) {
        case SECCOMP_ACTION_KILL:
        case SECCOMP_ACTION_KILL_THREAD:
                return SCMP_ACT_KILL_THREAD;
        case SECCOMP_ACTION_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case SECCOMP_ACTION_TRAP:
                return SCMP_ACT_TRAP;
        case SECCOMP_ACTION_ERRNO:
                return SCMP_ACT_ERRNO(has_errno ? errno_ret : EPERM);
        case SECCOMP_ACTION_TRACE:
                return SCMP_ACT_TRACE(has_errno ? errno_ret : EPERM);
        case SECCOMP_ACTION_ALLOW:
                return SCMP_ACT_ALLOW;
        case SECCOMP_ACTION_LOG:
                return SCMP_ACT_LOG;
        case SECCOMP_ACTION_NOTIFY:
                return SCMP_ACT_NOTIFY;
        }
        return SCMP_ACT_KILL_THREAD;
}

static const enum scmp_compare op_values[] = {
        [SECCOMP_OP_NE] = SCMP_CMP_NE, [SECCOMP_OP_LT] = SCMP_CMP_LT,
        [SECCOMP_OP_LE] = SCMP_CMP_LE, [SECCOMP_OP_EQ] = SCMP_CMP_EQ,
        [SECCOMP_OP_GE] = SCMP_CMP_GE, [SECCOMP_OP_GT] = SCMP_CMP_GT,
        [SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static bool
repeated_index(const struct spec_seccomp_rule *rule)
{
        for (size_t i = 0; i < rule->n_args; i++) {
                for (size_t j = i + 1; j < rule->n_args; j++) {
                        if (rule->args[i].index == rule->args[j].index)
                                return true;
                }
        }
        return false;
}

static struct scmp_arg_cmp
arg_cmp(const struct spec_seccomp_arg *a)
{
        return (struct scmp_arg_cmp){
                .arg = a->index,
                .op = op_values[a->op],
                .datum_a = a->value,
                .datum_b = a->value_two,
        };
}

static int
add_rule(scmp_filter_ctx ctx, const struct spec_seccomp_rule *rule, uint32_t action, int nr,
         const struct jpath *at, const char *name, berth_error_t **err)
{
        struct scmp_arg_cmp cmps[6];
        int r;

        if (repeated_index(rule)) {
                /* libseccomp cannot AND two conditions on one argument: like runc, each becomes a
                 * rule of its own (so they OR). */
                for (size_t i = 0; i < rule->n_args; i++) {
                        cmps[0] = arg_cmp(&rule->args[i]);
                        r = seccomp_rule_add_array(ctx, action, nr, 1, cmps);
                        if (r < 0) {
                                cleanup_free char *p = jpath_render(at);
                                return berth_error_sys(err, -r, "%s: add rule for \"%s\"", p, name);
                        }
                }
                return 0;
        }
        /* Six arguments with distinct indices at the most, since indices run 0 to 5. */
        for (size_t i = 0; i < rule->n_args && i < 6; i++)
                cmps[i] = arg_cmp(&rule->args[i]);
        r = seccomp_rule_add_array(ctx, action, nr, (unsigned) rule->n_args, cmps);
        if (r < 0) {
                cleanup_free char *p = jpath_render(at);
                return berth_error_sys(err, -r, "%s: add rule for \"%s\"", p, name);
        }
        return 0;
}

int
seccomp_filter_build(const struct spec_seccomp *s, scmp_filter_ctx *ret, berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(JPATH_KEY(NULL, "linux"), "seccomp");
        uint32_t def = action_value(s->default_action, s->has_default_errno, s->default_errno);
        cleanup_seccomp scmp_filter_ctx ctx = seccomp_init(def);
        int r;

        if (!ctx)
                return berth_error_new(err, EINVAL, "linux.seccomp.defaultAction: libseccomp refused it");
        /* berth sets no_new_privs itself, when process.noNewPrivileges says so. */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
                return berth_error_sys(err, -r, "seccomp: clear the NNP attribute");
        if ((s->flags & SECCOMP_SPEC_FLAG_TSYNC) && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
                return berth_error_sys(err, -r, "linux.seccomp.flags: SECCOMP_FILTER_FLAG_TSYNC");
        if ((s->flags & SECCOMP_SPEC_FLAG_LOG) && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)) < 0)
                return berth_error_sys(err, -r, "linux.seccomp.flags: SECCOMP_FILTER_FLAG_LOG");
        if ((s->flags & SECCOMP_SPEC_FLAG_SPEC_ALLOW) && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1)) < 0)
                return berth_error_sys(err, -r, "linux.seccomp.flags: SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                char lower[32];
                size_t k;
                for (k = 0; s->architectures[i][10 + k] && k < sizeof(lower) - 1; k++)
                        lower[k] = (char) tolower((unsigned char) s->architectures[i][10 + k]);
                lower[k] = '\0';
                uint32_t arch = seccomp_arch_resolve_name(lower);
                if (arch == 0)
                        return json_error(err, JPATH_IDX(JPATH_KEY(at, "architectures"), i),
                                          "architecture \"%s\" is unknown to libseccomp", s->architectures[i]);
                r = seccomp_arch_add(ctx, arch);
                if (r < 0 && r != -EEXIST)
                        return berth_error_sys(err, -r, "linux.seccomp.architectures[%zu]: add \"%s\"", i,
                                               s->architectures[i]);
        }
        for (size_t i = 0; i < s->n_rules; i++) {
                const struct spec_seccomp_rule *rule = &s->rules[i];
                const struct jpath *rat = JPATH_IDX(JPATH_KEY(at, "syscalls"), i);
                uint32_t action = action_value(rule->action, rule->has_errno, rule->errno_ret);
                for (size_t j = 0; rule->names[j]; j++) {
                        int nr = seccomp_syscall_resolve_name(rule->names[j]);
                        if (nr == __NR_SCMP_ERROR)
                                return json_error(err, JPATH_IDX(JPATH_KEY(rat, "names"), j), "unknown syscall \"%s\"",
                                                  rule->names[j]);
                        /* A rule that only repeats the default adds nothing; libseccomp refuses it. */
                        if (action == def)
                                continue;
                        r = add_rule(ctx, rule, action, nr, rat, rule->names[j], err);
                        if (r < 0)
                                return r;
                }
        }
        *ret = TAKE_PTR(ctx);
        return 0;
}

int
seccomp_filter_compile(scmp_filter_ctx ctx, unsigned flags, struct seccomp_program *ret,
                       berth_error_t **err)
{
        cleanup_close int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
        struct stat st;
        int r;

        if (fd < 0)
                return berth_error_sys(err, errno, "memfd_create");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return berth_error_sys(err, -r, "linux.seccomp: compile the filter");
        if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return berth_error_sys(err, errno, "linux.seccomp: compile the filter");
        if (st.st_size <= 0 || st.st_size % 8 != 0 || st.st_size > 8 * 4096)
                return berth_error_new(err, E2BIG,
                                       "linux.seccomp: the filter compiles to %lld bytes of BPF",
                                       (long long) st.st_size);
        ret->insns = xmalloc((size_t) st.st_size);
        ret->len = (size_t) st.st_size;
        ret->flags = flags;
        if (fs_read_all(fd, ret->insns, ret->len) != (ssize_t) ret->len) {
                seccomp_program_done(ret);
                return berth_error_sys(err, errno ? errno : EIO, "linux.seccomp: read the filter");
        }
        return 0;
}

void
seccomp_program_done(struct seccomp_program *p)
{
        free(p->insns);
        p->insns = NULL;
        p->len = 0;
}

int
seccomp_filter_export(const struct seccomp_program *p, berth_error_t **err)
{
        int fd = memfd_create("berth-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        int r = 0;

        if (fd < 0)
                return berth_error_sys(err, errno, "memfd_create");
        if (fs_write_all(fd, p->insns, p->len) < 0 || lseek(fd, 0, SEEK_SET) < 0
            || fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                return berth_error_sys(err, -r, "linux.seccomp: export the filter");
        }
        return fd;
}

int
seccomp_filter_install(const struct seccomp_program *p, bool notify, berth_error_t **err)
{
        struct sock_fprog prog = {.len = (unsigned short) (p->len / 8),
                                  .filter = (struct sock_filter *) p->insns};
        /* linux.seccomp.flags are the kernel's SECCOMP_FILTER_FLAG_* values. */
        unsigned long flags = p->flags;
        long r;

        if (notify) {
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
                /* With TSYNC a listener needs TSYNC_ESRCH (as libseccomp asks for). */
                if (flags & SECCOMP_FILTER_FLAG_TSYNC)
                        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (r < 0 && errno == ENOSYS && flags == 0)
                r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
        if (r < 0)
                return berth_error_sys(err, errno, "linux.seccomp: load the filter");
        return notify ? (int) r : 0;
}

int
seccomp_listener_connect(const struct spec_seccomp *s, berth_error_t **err)
{
        int sock = sock_connect_unix(s->listener_path, err);

        if (sock < 0)
                return berth_error_prefix(err, "linux.seccomp.listenerPath");
        return sock;
}

int
seccomp_notify_send(const struct spec_seccomp *s, int sock, int notify_fd, const char *state_json,
                    berth_error_t **err)
{
        cleanup_json struct json_object *msg = json_object_new_object();
        struct json_object *state = json_tokener_parse(state_json);
        struct json_object *fds = json_object_new_array();
        struct json_object *v = NULL;
        int r;

        if (!state)
                return berth_error_new(err, EINVAL, "seccomp listener: bad state");
        json_object_object_get_ex(state, "ociVersion", &v);
        json_object_object_add(msg, "ociVersion", json_object_get(v));
        json_object_array_add(fds, json_object_new_string("seccompFd"));
        json_object_object_add(msg, "fds", fds);
        v = NULL;
        json_object_object_get_ex(state, "pid", &v);
        json_object_object_add(msg, "pid", json_object_get(v));
        json_object_object_add(msg, "metadata", json_object_new_string(s->listener_metadata ? s->listener_metadata : ""));
        json_object_object_add(msg, "state", state);
        r = sock_send_fd(sock, notify_fd, json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN), err);
        if (r < 0)
                return berth_error_prefix(err, "linux.seccomp.listenerPath");
        return 0;
}
