/* runtime/linux/devices_bpf.c: the cgroup v2 device program: built from a device policy, loaded
 * and attached with libbpf. */
#include <config.h>

#include "runtime/linux/devices_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <bpf/bpf.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/linux/device_policy.h"

/* What the program keeps where, once the context is read (r1 is free for scratch after). */
enum {
        REG_TYPE = BPF_REG_2,   /* BPF_DEVCG_DEV_BLOCK or BPF_DEVCG_DEV_CHAR */
        REG_ACCESS = BPF_REG_3, /* BPF_DEVCG_ACC_* bits requested */
        REG_MAJOR = BPF_REG_4,
        REG_MINOR = BPF_REG_5,
};

struct insn_buf {
        struct bpf_insn *v;
        size_t n;
};

static size_t
emit(struct insn_buf *b, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        b->v = xreallocarray(b->v, b->n + 1, sizeof(b->v[0]));
        b->v[b->n] = (struct bpf_insn){
                .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
        return b->n++;
}

/* dst = *(u32 *)(r1 + off): word loads zero-extend. */
static void
emit_load_ctx(struct insn_buf *b, uint8_t dst, int16_t off)
{
        emit(b, BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, off, 0);
}

static void
emit_return(struct insn_buf *b, bool allow)
{
        emit(b, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0);
        emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Forward jumps whose targets are not emitted yet: each is patched to land at the end. */
struct pending {
        size_t at[8];
        size_t n;
};

static void
emit_jne_pending(struct insn_buf *b, struct pending *p, uint8_t code, uint8_t dst, uint8_t src,
                 int32_t imm)
{
        p->at[p->n++] = emit(b, BPF_JMP | BPF_JNE | code, dst, src, 0, imm);
}

static void
land_pending(struct insn_buf *b, struct pending *p)
{
        for (size_t i = 0; i < p->n; i++)
                b->v[p->at[i]].off = (int16_t) (b->n - p->at[i] - 1);
        p->n = 0;
}

/* One exception, once its type (and major, in a major group) is known to match: each test that
 * fails jumps past the block; a request passing them all gets the verdict. Full rwm access or a
 * wildcard minor is no test at all. */
static void
emit_exception(struct insn_buf *b, const struct device_exception *e, bool check_major, bool verdict)
{
        struct pending fail = {.n = 0};

        if (e->access != DEVICE_ACC_ALL) {
                /* the request must be a subset of the exception's access: (req & acc) == req */
                emit(b, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, REG_ACCESS, 0, 0);
                emit(b, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t) e->access);
                emit_jne_pending(b, &fail, BPF_X, BPF_REG_1, REG_ACCESS, 0);
        }
        /* The spec parser bounds major to 4095 and minor to 2^20-1: both fit the signed imm. */
        if (check_major && e->major >= 0)
                emit_jne_pending(b, &fail, BPF_K, REG_MAJOR, 0, (int32_t) e->major);
        if (e->minor >= 0)
                emit_jne_pending(b, &fail, BPF_K, REG_MINOR, 0, (int32_t) e->minor);
        emit_return(b, verdict);
        land_pending(b, &fail);
}

static int
cmp_exception(const void *a, const void *b)
{
        const struct device_exception *x = a, *y = b;

        if (x->type != y->type)
                return x->type < y->type ? -1 : 1;
        if (x->major != y->major)
                return x->major < y->major ? -1 : 1;
        return x->minor < y->minor ? -1 : x->minor > y->minor;
}

/* The exceptions of one type, E[0..n), sorted by major: one type test for all of them, one
 * major test per run of a major. Fewer branches is fewer paths for the verifier to walk, and its
 * time is most of what loading costs (about 1 µs per instruction it visits here). */
static void
emit_type_group(struct insn_buf *b, const struct device_exception *e, size_t n, bool verdict)
{
        struct pending not_type = {.n = 0};

        emit_jne_pending(b, &not_type, BPF_K, REG_TYPE, 0,
                         e[0].type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
        for (size_t i = 0; i < n;) {
                size_t j = i + 1;
                while (j < n && e[j].major == e[i].major)
                        j++;
                if (e[i].major < 0 || j - i == 1) {
                        for (; i < j; i++)
                                emit_exception(b, &e[i], true, verdict);
                        continue;
                }
                struct pending not_major = {.n = 0};
                emit_jne_pending(b, &not_major, BPF_K, REG_MAJOR, 0, (int32_t) e[i].major);
                for (; i < j; i++)
                        emit_exception(b, &e[i], false, verdict);
                land_pending(b, &not_major);
        }
        land_pending(b, &not_type);
}

int
devices_bpf_build(const struct spec_device_rule *rules, size_t n, struct bpf_insn **ret,
                  size_t *ret_n, berth_error_t **err)
{
        struct device_policy p = {0};
        struct insn_buf b = {0};
        int r;

        r = device_policy_build(rules, n, &p, err);
        if (r < 0)
                return r;
        /* struct bpf_cgroup_dev_ctx: access_type is (access << 16) | type. */
        emit_load_ctx(&b, REG_TYPE, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        emit(&b, BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff);
        emit_load_ctx(&b, REG_ACCESS, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        emit(&b, BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16);
        emit_load_ctx(&b, REG_MAJOR, offsetof(struct bpf_cgroup_dev_ctx, major));
        emit_load_ctx(&b, REG_MINOR, offsetof(struct bpf_cgroup_dev_ctx, minor));
        /* Every exception has the same verdict, so their order does not matter and any match
         * decides, as in the v1 kernel's walk of its exception list: group them. */
        if (p.n > 1)
                qsort(p.ex, p.n, sizeof(p.ex[0]), cmp_exception);
        for (size_t i = 0; i < p.n;) {
                size_t j = i + 1;
                while (j < p.n && p.ex[j].type == p.ex[i].type)
                        j++;
                emit_type_group(&b, &p.ex[i], j - i, !p.default_allow);
                i = j;
        }
        emit_return(&b, p.default_allow);
        device_policy_done(&p);
        /* Every jump is forward and lands inside the program, so a program no longer than
         * INT16_MAX instructions has every offset fit the 16-bit field (a few thousand
         * distinct device exceptions; the kernel takes up to a million instructions). */
        if (b.n > INT16_MAX) {
                free(b.v);
                return json_error(err,
                                  JPATH_KEY(JPATH_KEY(JPATH_KEY(NULL, "linux"), "resources"),
                                            "devices"),
                                  "too many device rules: the program would have %zu instructions, more than %d",
                                  b.n, INT16_MAX);
        }
        *ret = b.v;
        *ret_n = b.n;
        return 0;
}

/* libbpf 1.x returns -errno; 0.x, outside its strict mode, returns -1. Both leave errno set. */
static int
libbpf_ret(int r)
{
        return r < 0 ? -errno : r;
}

/* The ids of the device programs attached to the cgroup DIRFD itself. */
static int
query_attached(int dirfd, uint32_t **ret, uint32_t *ret_n, berth_error_t **err)
{
        uint32_t cap = 64;

        for (int tries = 0; tries < 8; tries++) {
                cleanup_free uint32_t *ids = xreallocarray(NULL, cap, sizeof(uint32_t));
                uint32_t cnt = cap, flags = 0;
                int r = libbpf_ret(bpf_prog_query(dirfd, BPF_CGROUP_DEVICE, 0, &flags, ids, &cnt));
                /* ENOSPC: more programs than room; cnt now says how many. */
                if (r == -ENOSPC && cnt > cap) {
                        cap = cnt;
                        continue;
                }
                if (r < 0)
                        return berth_error_sys(err, -r, "query attached device programs");
                *ret = TAKE_PTR(ids);
                *ret_n = cnt;
                return 0;
        }
        return berth_error_new(err, EAGAIN,
                               "query attached device programs: the list keeps growing");
}

/* The verifier's verdict is the last non-empty line of its log. */
static const char *
verifier_verdict(char *log)
{
        char *end = log + strlen(log);

        while (end > log && (end[-1] == '\n' || end[-1] == ' '))
                *--end = '\0';
        while (end > log && end[-1] != '\n')
                end--;
        return end;
}

static int
detach_old(int dirfd, const uint32_t *ids, uint32_t n, berth_error_t **err)
{
        for (uint32_t i = 0; i < n; i++) {
                cleanup_close int fd = libbpf_ret(bpf_prog_get_fd_by_id(ids[i]));
                int r;

                /* Gone meanwhile, or hidden from us by an LSM: a device program can only take
                 * access away, so one we cannot see cannot widen what ours allows (runc does
                 * the same). */
                if (fd == -ENOENT || fd == -EPERM || fd == -EACCES)
                        continue;
                if (fd < 0)
                        return berth_error_sys(err, -fd, "open attached device program %u", ids[i]);
                r = libbpf_ret(bpf_prog_detach2(fd, dirfd, BPF_CGROUP_DEVICE));
                if (r < 0 && r != -ENOENT)
                        return berth_error_sys(err, -r, "detach old device program %u", ids[i]);
        }
        return 0;
}

int
devices_bpf_apply(const char *cgroup_dir, const struct bpf_insn *insns, size_t n,
                  berth_error_t **err)
{
        cleanup_close int dirfd = -1;
        cleanup_close int prog = -1;
        cleanup_free uint32_t *old = NULL;
        uint32_t n_old = 0;
        char log[4096] = "";
        struct rlimit memlock;
        bool have_memlock;
        int r;

        dirfd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return berth_error_sys(err, errno, "open cgroup \"%s\"", cgroup_dir);
        r = query_attached(dirfd, &old, &n_old, err);
        if (r < 0)
                return r;

        /* libbpf retries with the verifier log on when the first load fails. The license only
         * gates GPL-only helpers, of which the program calls none. On kernels before 5.11
         * (no memcg accounting of BPF memory) libbpf raises RLIMIT_MEMLOCK to infinity first;
         * the container is cloned from this process later and must not inherit that, so put the
         * limit back (lowering needs no privilege). */
        LIBBPF_OPTS(bpf_prog_load_opts, load_opts, .log_buf = log, .log_size = sizeof(log));
        have_memlock = getrlimit(RLIMIT_MEMLOCK, &memlock) == 0;
        prog = libbpf_ret(bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "berth_devices", "Apache",
                                        insns, n, &load_opts));
        if (have_memlock)
                setrlimit(RLIMIT_MEMLOCK, &memlock);
        if (prog < 0) {
                if (log[0])
                        return berth_error_new(err, -prog, "load cgroup device program: %s: %s",
                                               strerror(-prog), verifier_verdict(log));
                return berth_error_sys(err, -prog, "load cgroup device program");
        }

        /* One program there already (ours, from create): swap it in one step. */
        if (n_old == 1) {
                cleanup_close int cur = libbpf_ret(bpf_prog_get_fd_by_id(old[0]));
                if (cur >= 0) {
                        LIBBPF_OPTS(bpf_prog_attach_opts, swap,
                                    .flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE,
                                    .replace_prog_fd = cur);
                        r = libbpf_ret(bpf_prog_attach_opts(prog, dirfd, BPF_CGROUP_DEVICE, &swap));
                        if (r == 0)
                                return 0;
                        /* EINVAL: a kernel before 5.6, without BPF_F_REPLACE; ENOENT: it went
                         * away meanwhile. Either way attach alongside and detach below. */
                        if (r != -EINVAL && r != -ENOENT)
                                return berth_error_sys(err, -r,
                                                       "attach cgroup device program to \"%s\"",
                                                       cgroup_dir);
                }
        }
        r = libbpf_ret(bpf_prog_attach(prog, dirfd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI));
        if (r < 0)
                return berth_error_sys(err, -r, "attach cgroup device program to \"%s\"",
                                       cgroup_dir);
        return detach_old(dirfd, old, n_old, err);
}
