/* tests/unit/test_linux_cgroup_resources.c: linux.resources as cgroup writes on unified, hybrid
 * and legacy hosts (parsed from mountinfo text), with runc's file names, order and conversions,
 * and every error naming its JSON path; then the apply step on a fake cgroupfs in a temporary
 * directory (regular files stand in for the kernel's). */
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "runtime/linux/cgroup_resources.h"
#include "runtime/linux/hugetlb.h"

#define ROOT_MOUNT "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"

/* cgroup2 alone at /sys/fs/cgroup. */
static const char unified_mi[] = ROOT_MOUNT
        "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

/* This machine: v1 controllers one per mount, no hugetlb, net_cls, net_prio or rdma among them,
 * and cgroup2 (which therefore has hugetlb and rdma) at /sys/fs/cgroup/unified. */
static const char hybrid_mi[] = ROOT_MOUNT
        "31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* Every v1 controller, cpu and cpuacct and net_cls and net_prio co-mounted; no cgroup2. */
static const char legacy_mi[] = ROOT_MOUNT
        "31 22 0:28 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
        "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n"
        "37 31 0:34 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
        "38 31 0:35 / /sys/fs/cgroup/hugetlb rw - cgroup cgroup rw,hugetlb\n"
        "39 31 0:36 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
        "40 31 0:37 / /sys/fs/cgroup/rdma rw - cgroup cgroup rw,rdma\n";

/* A legacy host with only memory and pids. */
static const char sparse_mi[] = ROOT_MOUNT
        "35 22 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "37 22 0:34 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";

enum host_kind { UNIFIED, HYBRID, LEGACY, SPARSE };

static void
host_parse(enum host_kind k, struct cgroup_host *host)
{
        static const char *const mi[] = {unified_mi, hybrid_mi, legacy_mi, sparse_mi};
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(cgroup_host_parse(mi[k], "0::/\n", host, &err), 0);
}

/* One write as "[v2 ]controller/file=value[|alt=altvalue][#flags]". */
static void
render_write(const struct cgroup_write *w, char *buf, size_t len)
{
        static const struct {
                unsigned flag;
                char letter;
        } letters[] = {
                {CGROUP_WRITE_OPTIONAL, 'o'}, {CGROUP_WRITE_DEFER_EINVAL, 'd'}, {CGROUP_WRITE_SWAP_ORDER, 's'},
                {CGROUP_WRITE_READBACK, 'r'}, {CGROUP_WRITE_USAGE_EBUSY, 'e'},  {CGROUP_WRITE_KEEP_QUOTA, 'q'},
                {CGROUP_WRITE_BFQ_DEVICE, 'b'}, {CGROUP_WRITE_PAGESIZE, 'p'},   {CGROUP_WRITE_CHECK_USAGE, 'c'},
                {CGROUP_WRITE_UNIFIED, 'u'},    {CGROUP_WRITE_SWAP_TOTAL, 't'}, {CGROUP_WRITE_SWAP_KEEP, 'k'},
        };
        size_t n;

        n = (size_t) snprintf(buf, len, "%s%s/%s=%s", w->v2 ? "v2 " : "", w->controller, w->file, w->value);
        if (w->alt_file)
                n += (size_t) snprintf(buf + n, len - n, "|%s=%s", w->alt_file, w->alt_value ? w->alt_value : w->value);
        if (w->flags)
                n += (size_t) snprintf(buf + n, len - n, "#");
        for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++) {
                if (w->flags & letters[i].flag)
                        n += (size_t) snprintf(buf + n, len - n, "%c", letters[i].letter);
        }
}

/* The plan of RESOURCES on host K, one write per line; or NULL and the error in *RET_ERR. */
static char *
plan_text(enum host_kind k, const char *resources, berth_error_t **ret_err, char ***ret_warnings)
{
        cleanup_json struct json_object *o = json_tokener_parse(resources);
        struct cgroup_host host;
        struct cgroup_plan plan;
        char buf[8192] = "";
        int r;

        assert_non_null(o);
        host_parse(k, &host);
        r = cgroup_resources_plan(o, &host, &plan, ret_err);
        cgroup_host_done(&host);
        if (r < 0) {
                assert_non_null(*ret_err);
                assert_int_equal(r, -(*ret_err)->code);
                return NULL;
        }
        for (size_t i = 0; i < plan.n; i++) {
                size_t len = strlen(buf);
                render_write(&plan.w[i], buf + len, sizeof(buf) - len - 1);
                strcat(buf, "\n");
        }
        if (ret_warnings)
                *ret_warnings = TAKE_PTR(plan.warnings);
        cgroup_plan_done(&plan);
        return strdup(buf);
}

static void
expect_plan(enum host_kind k, const char *resources, const char *want)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *got = plan_text(k, resources, &err, NULL);

        if (!got)
                fail_msg("plan failed: %s", err->msg);
        assert_string_equal(got, want);
}

static void
expect_error(enum host_kind k, const char *resources, int code, const char *path, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *got = plan_text(k, resources, &err, NULL);

        if (got)
                fail_msg("expected an error, got the plan:\n%s", got);
        assert_int_equal(err->code, code);
        assert_non_null(err->json_path);
        assert_string_equal(err->json_path, path);
        assert_string_equal(err->msg, msg);
}

static void
test_memory_v1(void **state)
{
        (void) state;
        /* runc fs/memory.go: limit and memsw (ordered at apply), soft limit, oom_control, swappiness */
        expect_plan(LEGACY,
                    "{\"memory\":{\"limit\":67108864,\"reservation\":1048576,\"swap\":134217728,"
                    "\"swappiness\":10,\"disableOOMKiller\":true}}",
                    "memory/memory.limit_in_bytes=67108864#se\n"
                    "memory/memory.memsw.limit_in_bytes=134217728\n"
                    "memory/memory.soft_limit_in_bytes=1048576\n"
                    "memory/memory.oom_control=1\n"
                    "memory/memory.swappiness=10\n");
        /* -1 without swap: memory+swap unlimited too, where the kernel has memsw */
        expect_plan(HYBRID, "{\"memory\":{\"limit\":-1}}",
                    "memory/memory.limit_in_bytes=-1#se\n"
                    "memory/memory.memsw.limit_in_bytes=-1#o\n");
        /* zeros leave things alone; swappiness 2^64-1 is runc's -1; disableOOMKiller false is nothing */
        expect_plan(HYBRID,
                    "{\"memory\":{\"limit\":0,\"swap\":0,\"reservation\":0,\"swappiness\":18446744073709551615,"
                    "\"disableOOMKiller\":false}}",
                    "");
        expect_plan(HYBRID, "{\"memory\":{\"swap\":-1}}", "memory/memory.memsw.limit_in_bytes=-1\n");
        expect_plan(HYBRID, "{\"memory\":{\"swappiness\":0}}", "memory/memory.swappiness=0\n");
        expect_plan(HYBRID, "{\"memory\":{\"swappiness\":100}}", "memory/memory.swappiness=100\n");
        /* checkBeforeUpdate is v2's: the v1 kernel refuses a limit below the usage itself */
        expect_plan(HYBRID, "{\"memory\":{\"limit\":4096,\"checkBeforeUpdate\":true}}",
                    "memory/memory.limit_in_bytes=4096#e\n");
}

static void
test_memory_v2(void **state)
{
        (void) state;
        /* swap.max is memory+swap minus memory, written first (runc fs2 setMemory) */
        expect_plan(UNIFIED, "{\"memory\":{\"limit\":67108864,\"swap\":134217728,\"reservation\":1048576}}",
                    "v2 memory/memory.swap.max=67108864\n"
                    "v2 memory/memory.max=67108864\n"
                    "v2 memory/memory.low=1048576\n");
        /* memory+swap equal to memory: no swap at all */
        expect_plan(UNIFIED, "{\"memory\":{\"limit\":1000,\"swap\":1000}}",
                    "v2 memory/memory.swap.max=0\nv2 memory/memory.max=1000\n");
        /* unlimited memory, swap unset: both unlimited */
        expect_plan(UNIFIED, "{\"memory\":{\"limit\":-1}}", "v2 memory/memory.swap.max=max\nv2 memory/memory.max=max\n");
        expect_plan(UNIFIED, "{\"memory\":{\"limit\":1000,\"swap\":-1}}",
                    "v2 memory/memory.swap.max=max\nv2 memory/memory.max=1000\n");
        expect_plan(UNIFIED, "{\"memory\":{\"reservation\":-1}}", "v2 memory/memory.low=max\n");
        /* runc's fs2 driver ignores swappiness and disableOOMKiller */
        expect_plan(UNIFIED, "{\"memory\":{\"swappiness\":200,\"disableOOMKiller\":true}}", "");
        /* checkBeforeUpdate: a check of memory.current before any write */
        expect_plan(UNIFIED, "{\"memory\":{\"limit\":4096,\"swap\":8192,\"checkBeforeUpdate\":true}}",
                    "v2 memory/memory.current=4096 8192#c\n"
                    "v2 memory/memory.swap.max=4096\n"
                    "v2 memory/memory.max=4096\n");
        expect_plan(UNIFIED, "{\"memory\":{\"checkBeforeUpdate\":true}}", "");
        /* an update of one of the two: runc converts with the other from its saved config, which is
         * what the kernel has; apply reads it (test_apply_v2_swap_from_current) */
        expect_plan(UNIFIED, "{\"memory\":{\"swap\":8192}}", "v2 memory/memory.swap.max=8192#t\n");
        expect_plan(UNIFIED, "{\"memory\":{\"limit\":4096}}",
                    "v2 memory/memory.swap.max=4096#ok\nv2 memory/memory.max=4096\n");
}

static void
test_kernel_memory_is_ignored_with_a_warning(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_strv char **warnings = NULL;
        cleanup_free char *got = NULL;
        (void) state;

        got = plan_text(HYBRID, "{\"memory\":{\"kernel\":1048576,\"kernelTCP\":2097152,\"useHierarchy\":true}}", &err,
                        &warnings);
        assert_non_null(got);
        assert_string_equal(got, "");
        /* one warning, as runc gives */
        assert_int_equal(strv_length(warnings), 1);
        assert_string_equal(warnings[0], "linux.resources.memory.kernel: kernel memory limits are obsolete, ignoring");
        strv_free(warnings);
        free(got);
        got = plan_text(UNIFIED, "{\"memory\":{\"kernelTCP\":1048576}}", &err, &warnings);
        assert_string_equal(got, "");
        assert_int_equal(strv_length(warnings), 1);
        assert_string_equal(warnings[0], "linux.resources.memory.kernelTCP: kernel memory limits are obsolete, ignoring");
}

static void
test_cpu_v1(void **state)
{
        (void) state;
        /* runc fs/cpu.go (1.2 for burst and idle): period and burst retried after the quota */
        expect_plan(HYBRID,
                    "{\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"burst\":10000,\"idle\":1,"
                    "\"realtimePeriod\":1000000,\"realtimeRuntime\":950000}}",
                    "cpu/cpu.shares=512#r\n"
                    "cpu/cpu.cfs_period_us=100000#d\n"
                    "cpu/cpu.cfs_burst_us=10000#od\n"
                    "cpu/cpu.cfs_quota_us=50000\n"
                    "cpu/cpu.idle=1\n"
                    "cpu/cpu.rt_period_us=1000000\n"
                    "cpu/cpu.rt_runtime_us=950000\n");
        /* nothing to retry after without a quota; idle 0 and burst 0 are values */
        expect_plan(HYBRID, "{\"cpu\":{\"period\":50000,\"burst\":0,\"idle\":0}}",
                    "cpu/cpu.cfs_period_us=50000\ncpu/cpu.cfs_burst_us=0#o\ncpu/cpu.idle=0\n");
        expect_plan(HYBRID, "{\"cpu\":{\"quota\":-1}}", "cpu/cpu.cfs_quota_us=-1\n");
        /* co-mounted cpu,cpuacct */
        expect_plan(LEGACY, "{\"cpu\":{\"shares\":2}}", "cpu/cpu.shares=2#r\n");
        expect_plan(HYBRID, "{\"cpu\":{\"shares\":0,\"quota\":0,\"period\":0,\"cpus\":\"\",\"mems\":\"\"}}", "");
}

static void
test_cpu_v2(void **state)
{
        (void) state;
        /* runc 1.2 fs2 setCpu: idle, weight, burst, max */
        expect_plan(UNIFIED,
                    "{\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":10000,\"idle\":1,"
                    "\"realtimePeriod\":1000000,\"realtimeRuntime\":950000}}",
                    "v2 cpu/cpu.idle=1\n"
                    "v2 cpu/cpu.weight=39\n"
                    "v2 cpu/cpu.max.burst=10000#d\n"
                    "v2 cpu/cpu.max=50000 100000\n");
        /* quota alone keeps the period; a period alone keeps the quota (read at apply) */
        expect_plan(UNIFIED, "{\"cpu\":{\"quota\":20000}}", "v2 cpu/cpu.max=20000\n");
        expect_plan(UNIFIED, "{\"cpu\":{\"quota\":-1,\"period\":25000}}", "v2 cpu/cpu.max=max 25000\n");
        expect_plan(UNIFIED, "{\"cpu\":{\"period\":25000}}", "v2 cpu/cpu.max=25000#q\n");
        expect_plan(UNIFIED, "{\"cpu\":{\"burst\":5}}", "v2 cpu/cpu.max.burst=5\n");
}

static void
test_cpuset(void **state)
{
        (void) state;
        /* v1: cpuset is the first controller runc's fs driver sets */
        expect_plan(HYBRID, "{\"memory\":{\"limit\":4096},\"cpu\":{\"cpus\":\"0-1\",\"mems\":\"0\",\"shares\":100}}",
                    "cpuset/cpuset.cpus=0-1\ncpuset/cpuset.mems=0\n"
                    "memory/memory.limit_in_bytes=4096#e\n"
                    "cpu/cpu.shares=100#r\n");
        /* v2: after cpu (fs2 manager.Set) */
        expect_plan(UNIFIED, "{\"cpu\":{\"cpus\":\"0-1\",\"mems\":\"0\",\"shares\":100}}",
                    "v2 cpu/cpu.weight=4\nv2 cpuset/cpuset.cpus=0-1\nv2 cpuset/cpuset.mems=0\n");
}

static void
test_pids(void **state)
{
        (void) state;
        expect_plan(HYBRID, "{\"pids\":{\"limit\":64}}", "pids/pids.max=64\n");
        expect_plan(HYBRID, "{\"pids\":{\"limit\":-1}}", "pids/pids.max=max\n");
        expect_plan(UNIFIED, "{\"pids\":{\"limit\":-5}}", "v2 pids/pids.max=max\n");
        /* runc 1.1: 0, or no limit at all, leaves pids.max alone */
        expect_plan(HYBRID, "{\"pids\":{\"limit\":0}}", "");
        expect_plan(HYBRID, "{\"pids\":{}}", "");
}

static const char blkio_all[] = "{\"blockIO\":{\"weight\":500,\"leafWeight\":300,"
                                "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":600,\"leafWeight\":700},"
                                "{\"major\":8,\"minor\":16,\"leafWeight\":20}],"
                                "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
                                "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":2097152}],"
                                "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":100}],"
                                "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":0}]}}";

static void
test_blkio_v1(void **state)
{
        (void) state;
        /* runc fs/blkio.go: CFQ's weight files, else BFQ's */
        expect_plan(HYBRID, blkio_all,
                    "blkio/blkio.weight=500|blkio.bfq.weight=500\n"
                    "blkio/blkio.leaf_weight=300\n"
                    "blkio/blkio.weight_device=8:0 600|blkio.bfq.weight_device=8:0 600\n"
                    "blkio/blkio.leaf_weight_device=8:0 700\n"
                    "blkio/blkio.leaf_weight_device=8:16 20\n"
                    "blkio/blkio.throttle.read_bps_device=8:0 1048576\n"
                    "blkio/blkio.throttle.write_bps_device=8:0 2097152\n"
                    "blkio/blkio.throttle.read_iops_device=8:0 100\n"
                    "blkio/blkio.throttle.write_iops_device=8:0 0\n");
}

static void
test_blkio_v2(void **state)
{
        (void) state;
        /* runc fs2/io.go: BFQ's weight as it is, else io.weight on [1, 10000]; device weights
         * only through BFQ; no leaf weights */
        expect_plan(UNIFIED, blkio_all,
                    "v2 io/io.bfq.weight=500|io.weight=4950\n"
                    "v2 io/io.bfq.weight=8:0 600#b\n"
                    "v2 io/io.max=8:0 rbps=1048576\n"
                    "v2 io/io.max=8:0 wbps=2097152\n"
                    "v2 io/io.max=8:0 riops=100\n"
                    "v2 io/io.max=8:0 wiops=0\n");
        expect_plan(UNIFIED, "{\"blockIO\":{\"weight\":10}}", "v2 io/io.bfq.weight=10|io.weight=1\n");
        expect_plan(UNIFIED, "{\"blockIO\":{\"weight\":1000}}", "v2 io/io.bfq.weight=1000|io.weight=10000\n");
}

static void
test_hugetlb(void **state)
{
        static const char limits[] = "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304},"
                                     "{\"pageSize\":\"1GB\",\"limit\":0}]}";
        (void) state;
        expect_plan(LEGACY, limits,
                    "hugetlb/hugetlb.2MB.limit_in_bytes=4194304#p\n"
                    "hugetlb/hugetlb.2MB.rsvd.limit_in_bytes=4194304#o\n"
                    "hugetlb/hugetlb.1GB.limit_in_bytes=0#p\n"
                    "hugetlb/hugetlb.1GB.rsvd.limit_in_bytes=0#o\n");
        expect_plan(UNIFIED, limits,
                    "v2 hugetlb/hugetlb.2MB.max=4194304#p\n"
                    "v2 hugetlb/hugetlb.2MB.rsvd.max=4194304#o\n"
                    "v2 hugetlb/hugetlb.1GB.max=0#p\n"
                    "v2 hugetlb/hugetlb.1GB.rsvd.max=0#o\n");
        /* hybrid: no v1 hierarchy has hugetlb, so the cgroup2 mount's files */
        expect_plan(HYBRID, "{\"hugepageLimits\":[{\"pageSize\":\"64KB\",\"limit\":65536}]}",
                    "v2 hugetlb/hugetlb.64KB.max=65536#p\nv2 hugetlb/hugetlb.64KB.rsvd.max=65536#o\n");
        expect_plan(HYBRID, "{\"hugepageLimits\":[]}", "");
}

static void
test_network(void **state)
{
        static const char net[] = "{\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5},"
                                  "{\"name\":\"lo\",\"priority\":0}]}}";
        (void) state;
        expect_plan(LEGACY, net,
                    "net_cls/net_cls.classid=1048577\n"
                    "net_prio/net_prio.ifpriomap=eth0 5\n"
                    "net_prio/net_prio.ifpriomap=lo 0\n");
        /* runc's fs2 driver ignores network: v2 has no such controllers */
        expect_plan(UNIFIED, net, "");
        expect_plan(LEGACY, "{\"network\":{\"classID\":0}}", "");
        /* runc's fs driver fails without the hierarchy */
        expect_error(HYBRID, net, EINVAL, "linux.resources.network.classID",
                     "linux.resources.network.classID: this host has no net_cls cgroup controller");
        expect_error(HYBRID, "{\"network\":{\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]}}", EINVAL,
                     "linux.resources.network.priorities[0]",
                     "linux.resources.network.priorities[0]: this host has no net_prio cgroup controller");
}

static void
test_rdma(void **state)
{
        static const char rdma[] = "{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000},"
                                   "\"mlx4_0\":{\"hcaObjects\":1000}}}";
        (void) state;
        expect_plan(LEGACY, rdma,
                    "rdma/rdma.max=mlx5_1 hca_handle=3 hca_object=10000\n"
                    "rdma/rdma.max=mlx4_0 hca_object=1000\n");
        expect_plan(HYBRID, rdma,
                    "v2 rdma/rdma.max=mlx5_1 hca_handle=3 hca_object=10000\n"
                    "v2 rdma/rdma.max=mlx4_0 hca_object=1000\n");
        expect_error(SPARSE, rdma, EINVAL, "linux.resources.rdma.mlx5_1",
                     "linux.resources.rdma.mlx5_1: this host has no rdma cgroup controller");
}

static void
test_unified(void **state)
{
        static const char uni[] = "{\"unified\":{\"memory.high\":\"1073741824\",\"hugetlb.2MB.max\":\"max\","
                                  "\"cgroup.max.depth\":\"4\"}}";
        (void) state;
        expect_plan(UNIFIED, uni,
                    "v2 memory/memory.high=1073741824#u\n"
                    "v2 hugetlb/hugetlb.2MB.max=max#u\n"
                    "v2 cgroup/cgroup.max.depth=4#u\n");
        /* hybrid: into the cgroup2 mount's directory */
        expect_plan(HYBRID, uni,
                    "v2 memory/memory.high=1073741824#u\n"
                    "v2 hugetlb/hugetlb.2MB.max=max#u\n"
                    "v2 cgroup/cgroup.max.depth=4#u\n");
        expect_plan(LEGACY, "{\"unified\":{}}", "");
        expect_error(LEGACY, uni, EINVAL, "linux.resources.unified",
                     "linux.resources.unified: this host has no cgroup v2 hierarchy");
}

/* Spelled per controller: on this machine memory, pids and cpu are v1, hugetlb is v2, and the
 * unified keys go last. */
static void
test_hybrid_spells_per_controller(void **state)
{
        (void) state;
        expect_plan(HYBRID,
                    "{\"unified\":{\"hugetlb.1GB.max\":\"0\"},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],"
                    "\"pids\":{\"limit\":10},\"memory\":{\"limit\":4096},\"cpu\":{\"shares\":100}}",
                    "memory/memory.limit_in_bytes=4096#e\n"
                    "cpu/cpu.shares=100#r\n"
                    "pids/pids.max=10\n"
                    "v2 hugetlb/hugetlb.2MB.max=0#p\n"
                    "v2 hugetlb/hugetlb.2MB.rsvd.max=0#o\n"
                    "v2 hugetlb/hugetlb.1GB.max=0#u\n");
}

static void
test_unified_host_order(void **state)
{
        (void) state;
        /* runc fs2 manager.Set: pids, memory, io, cpu, cpuset, hugetlb, rdma, then unified */
        expect_plan(UNIFIED,
                    "{\"unified\":{\"pids.max\":\"7\"},\"rdma\":{\"d\":{\"hcaHandles\":1}},"
                    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],\"cpu\":{\"cpus\":\"0\",\"shares\":2},"
                    "\"blockIO\":{\"weight\":100},\"memory\":{\"limit\":4096},\"pids\":{\"limit\":10}}",
                    "v2 pids/pids.max=10\n"
                    "v2 memory/memory.swap.max=4096#ok\n"
                    "v2 memory/memory.max=4096\n"
                    "v2 io/io.bfq.weight=100|io.weight=910\n"
                    "v2 cpu/cpu.weight=1\n"
                    "v2 cpuset/cpuset.cpus=0\n"
                    "v2 hugetlb/hugetlb.2MB.max=0#p\n"
                    "v2 hugetlb/hugetlb.2MB.rsvd.max=0#o\n"
                    "v2 rdma/rdma.max=d hca_handle=1\n"
                    "v2 pids/pids.max=7#u\n");
}

static void
test_missing_controllers(void **state)
{
        (void) state;
        expect_error(SPARSE, "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}", EINVAL,
                     "linux.resources.hugepageLimits[0]",
                     "linux.resources.hugepageLimits[0]: this host has no hugetlb cgroup controller");
        expect_error(SPARSE, "{\"cpu\":{\"shares\":100}}", EINVAL, "linux.resources.cpu.shares",
                     "linux.resources.cpu.shares: this host has no cpu cgroup controller");
        expect_error(SPARSE, "{\"cpu\":{\"cpus\":\"0\"}}", EINVAL, "linux.resources.cpu.cpus",
                     "linux.resources.cpu.cpus: this host has no cpuset cgroup controller");
        expect_error(SPARSE, "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1}]}}", EINVAL,
                     "linux.resources.blockIO.throttleReadBpsDevice[0]",
                     "linux.resources.blockIO.throttleReadBpsDevice[0]: this host has no blkio cgroup controller");
        /* nothing to write, nothing missing */
        expect_plan(SPARSE, "{\"cpu\":{},\"blockIO\":{},\"hugepageLimits\":[],\"network\":{},\"rdma\":{}}", "");
}

static void
test_errors_name_the_path(void **state)
{
        static const struct {
                enum host_kind host;
                const char *json, *path, *msg;
        } cases[] = {
                {HYBRID, "{\"memory\":{\"limit\":\"1G\"}}", "linux.resources.memory.limit",
                 "linux.resources.memory.limit: expected integer, got string"},
                {HYBRID, "{\"memory\":[]}", "linux.resources.memory", "linux.resources.memory: expected object, got array"},
                {HYBRID, "{\"memory\":{\"swappiness\":101}}", "linux.resources.memory.swappiness",
                 "linux.resources.memory.swappiness: 101 is above 100"},
                {HYBRID, "{\"memory\":{\"swappiness\":-1}}", "linux.resources.memory.swappiness",
                 "linux.resources.memory.swappiness: -1 must not be negative"},
                {HYBRID, "{\"memory\":{\"limit\":2000,\"swap\":1000}}", "linux.resources.memory.swap",
                 "linux.resources.memory.swap: memory+swap limit 1000 is below the memory limit 2000"},
                {UNIFIED, "{\"memory\":{\"limit\":2000,\"swap\":1000}}", "linux.resources.memory.swap",
                 "linux.resources.memory.swap: memory+swap limit 1000 is below the memory limit 2000"},
                {UNIFIED, "{\"memory\":{\"limit\":-1,\"swap\":1000}}", "linux.resources.memory.swap",
                 "linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2"},
                {UNIFIED, "{\"memory\":{\"limit\":-2,\"swap\":1000}}", "linux.resources.memory.limit",
                 "linux.resources.memory.limit: -2 is not a memory limit"},
                {HYBRID, "{\"memory\":{\"kernel\":\"x\"}}", "linux.resources.memory.kernel",
                 "linux.resources.memory.kernel: expected integer, got string"},
                {HYBRID, "{\"memory\":{\"useHierarchy\":1}}", "linux.resources.memory.useHierarchy",
                 "linux.resources.memory.useHierarchy: expected boolean, got number"},
                {HYBRID, "{\"cpu\":{\"shares\":-1}}", "linux.resources.cpu.shares",
                 "linux.resources.cpu.shares: -1 must not be negative"},
                {HYBRID, "{\"cpu\":{\"cpus\":0}}", "linux.resources.cpu.cpus",
                 "linux.resources.cpu.cpus: expected string, got number"},
                {HYBRID, "{\"pids\":{\"limit\":1.5}}", "linux.resources.pids.limit",
                 "linux.resources.pids.limit: expected integer, got number with a fraction or exponent"},
                {HYBRID, "{\"blockIO\":{\"weight\":5}}", "linux.resources.blockIO.weight",
                 "linux.resources.blockIO.weight: 5 is below 10"},
                {HYBRID, "{\"blockIO\":{\"weight\":1001}}", "linux.resources.blockIO.weight",
                 "linux.resources.blockIO.weight: 1001 out of range [0, 1000]"},
                {HYBRID, "{\"blockIO\":{\"leafWeight\":9}}", "linux.resources.blockIO.leafWeight",
                 "linux.resources.blockIO.leafWeight: 9 is below 10"},
                {HYBRID, "{\"blockIO\":{\"weightDevice\":[{\"minor\":0,\"weight\":100}]}}",
                 "linux.resources.blockIO.weightDevice[0].major",
                 "linux.resources.blockIO.weightDevice[0].major: required"},
                {HYBRID, "{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":2000}]}}",
                 "linux.resources.blockIO.weightDevice[0].weight",
                 "linux.resources.blockIO.weightDevice[0].weight: 2000 out of range [0, 1000]"},
                {HYBRID, "{\"blockIO\":{\"weightDevice\":[7]}}", "linux.resources.blockIO.weightDevice[0]",
                 "linux.resources.blockIO.weightDevice[0]: expected object, got number"},
                {HYBRID, "{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":-1,\"rate\":1}]}}",
                 "linux.resources.blockIO.throttleWriteIOPSDevice[0].minor",
                 "linux.resources.blockIO.throttleWriteIOPSDevice[0].minor: -1 out of range [0, 9223372036854775807]"},
                {HYBRID, "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}",
                 "linux.resources.blockIO.throttleReadBpsDevice[0].rate",
                 "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required"},
                {HYBRID, "{\"hugepageLimits\":[{\"limit\":1}]}", "linux.resources.hugepageLimits[0].pageSize",
                 "linux.resources.hugepageLimits[0].pageSize: required"},
                {HYBRID, "{\"hugepageLimits\":[{\"pageSize\":\"../2MB\",\"limit\":1}]}",
                 "linux.resources.hugepageLimits[0].pageSize",
                 "linux.resources.hugepageLimits[0].pageSize: \"../2MB\" is not a huge page size such as \"2MB\" or \"1GB\""},
                {HYBRID, "{\"hugepageLimits\":[{\"pageSize\":\"2mb\",\"limit\":1}]}",
                 "linux.resources.hugepageLimits[0].pageSize",
                 "linux.resources.hugepageLimits[0].pageSize: \"2mb\" is not a huge page size such as \"2MB\" or \"1GB\""},
                {HYBRID, "{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}", "linux.resources.hugepageLimits[0].limit",
                 "linux.resources.hugepageLimits[0].limit: required"},
                {LEGACY, "{\"network\":{\"classID\":4294967296}}", "linux.resources.network.classID",
                 "linux.resources.network.classID: 4294967296 out of range [0, 4294967295]"},
                {LEGACY, "{\"network\":{\"priorities\":[{\"name\":\"eth0\\n1\",\"priority\":1}]}}",
                 "linux.resources.network.priorities[0].name",
                 "linux.resources.network.priorities[0].name: \"eth0\n1\" is not an interface name"},
                {LEGACY, "{\"network\":{\"priorities\":[{\"name\":\"eth0\"}]}}",
                 "linux.resources.network.priorities[0].priority",
                 "linux.resources.network.priorities[0].priority: required"},
                {LEGACY, "{\"rdma\":{\"mlx 4\":{\"hcaHandles\":1}}}", "linux.resources.rdma.mlx 4",
                 "linux.resources.rdma.mlx 4: \"mlx 4\" is not an RDMA device name"},
                {LEGACY, "{\"rdma\":{\"mlx4\":{\"hcaHandles\":-1}}}", "linux.resources.rdma.mlx4.hcaHandles",
                 "linux.resources.rdma.mlx4.hcaHandles: -1 out of range [0, 4294967295]"},
                {UNIFIED, "{\"unified\":{\"../memory.max\":\"1\"}}", "linux.resources.unified.../memory.max",
                 "linux.resources.unified.../memory.max: \"../memory.max\" must be a file name (no \"/\" or \"..\")"},
                {UNIFIED, "{\"unified\":{\"memory..max\":\"1\"}}", "linux.resources.unified.memory..max",
                 "linux.resources.unified.memory..max: \"memory..max\" must be a file name (no \"/\" or \"..\")"},
                {UNIFIED, "{\"unified\":{\"x/memory.max\":\"1\"}}", "linux.resources.unified.x/memory.max",
                 "linux.resources.unified.x/memory.max: \"x/memory.max\" must be a file name (no \"/\" or \"..\")"},
                {UNIFIED, "{\"unified\":{\"memory\":\"1\"}}", "linux.resources.unified.memory",
                 "linux.resources.unified.memory: \"memory\" must be in the form CONTROLLER.PARAMETER"},
                {UNIFIED, "{\"unified\":{\".max\":\"1\"}}", "linux.resources.unified..max",
                 "linux.resources.unified..max: \".max\" must be in the form CONTROLLER.PARAMETER"},
                {UNIFIED, "{\"unified\":{\"memory.max\":1}}", "linux.resources.unified.memory.max",
                 "linux.resources.unified.memory.max: expected string, got number"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                expect_error(cases[i].host, cases[i].json, EINVAL, cases[i].path, cases[i].msg);
}

static void
test_conversion_formulas(void **state)
{
        (void) state;
        assert_int_equal(cgroup_shares_to_weight(0), 0);
        assert_int_equal(cgroup_shares_to_weight(1), 1); /* below the v1 range: clamped */
        assert_int_equal(cgroup_shares_to_weight(2), 1);
        assert_int_equal(cgroup_shares_to_weight(1024), 39);
        assert_int_equal(cgroup_shares_to_weight(262144), 10000);
        assert_int_equal(cgroup_shares_to_weight(1000000), 10000);
        assert_int_equal(cgroup_blkio_to_io_weight(0), 0);
        assert_int_equal(cgroup_blkio_to_io_weight(10), 1);
        assert_int_equal(cgroup_blkio_to_io_weight(500), 4950);
        assert_int_equal(cgroup_blkio_to_io_weight(1000), 10000);
}

static void
test_hugetlb_size_names(void **state)
{
        static const struct {
                unsigned long long kb;
                const char *name;
        } cases[] = {
                {64, "64KB"}, {512, "512KB"}, {2048, "2MB"}, {32768, "32MB"}, {524288, "512MB"},
                {1048576, "1GB"}, {16777216, "16GB"},
        };
        cleanup_error berth_error_t *err = NULL;
        cleanup_strv char **sizes = NULL;
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cleanup_free char *name = hugetlb_size_name(cases[i].kb);
                assert_string_equal(name, cases[i].name);
        }
        /* Whatever this host has, it is listed in the same spelling. */
        assert_int_equal(hugetlb_page_sizes(&sizes, &err), 0);
        assert_non_null(sizes);
        strv_foreach(s, sizes)
        {
                assert_true(strstr(s, "KB") || strstr(s, "MB") || strstr(s, "GB"));
        }
}

static void
test_nothing_without_resources(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        struct cgroup_plan plan;
        (void) state;

        host_parse(HYBRID, &host);
        assert_int_equal(cgroup_resources_plan(NULL, &host, &plan, &err), 0);
        assert_int_equal(plan.n, 0);
        assert_null(plan.warnings);
        expect_plan(HYBRID, "{}", "");
        cgroup_host_done(&host);
}

/* ---- apply, on a fake cgroupfs ---- */

struct fake {
        char root[64];
        struct cgroup_host host;
        char *dirs[4];
};

static void
put(const char *dir, const char *file, const char *text)
{
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, file);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *
get(const char *dir, const char *file)
{
        cleanup_free char *path = NULL;
        char *buf = NULL;

        assert_true(asprintf(&path, "%s/%s", dir, file) > 0);
        if (fs_read_file(AT_FDCWD, path, &buf, NULL, NULL) < 0)
                return strdup("<missing>");
        return buf;
}

/* A v1 memory+cpu+blkio hierarchy and a cgroup2 one with hugetlb, each with the container at
 * /c1/ctr below the root, and the files the tests write. */
static int
fake_setup(void **state)
{
        struct fake *f = calloc(1, sizeof(*f));
        char mi[1024];
        cleanup_error berth_error_t *err = NULL;

        strcpy(f->root, "/tmp/berth-cgres-XXXXXX");
        assert_non_null(mkdtemp(f->root));
        snprintf(mi, sizeof(mi),
                 ROOT_MOUNT "35 22 0:32 / %s/v1 rw - cgroup cgroup rw,memory,cpu,blkio\n"
                            "41 22 0:38 / %s/v2 rw - cgroup2 cgroup2 rw\n",
                 f->root, f->root);
        assert_int_equal(cgroup_host_parse(mi, "0::/\n", &f->host, &err), 0);
        assert_int_equal(f->host.layout, CGROUP_LAYOUT_HYBRID);
        assert_true(asprintf(&f->dirs[0], "%s/v1/c1/ctr", f->root) > 0);
        assert_true(asprintf(&f->dirs[1], "%s/v2/c1/ctr", f->root) > 0);
        for (int i = 0; i < 2; i++)
                assert_int_equal(fs_mkdir_p(f->dirs[i], 0755, NULL), 0);
        *state = f;
        return 0;
}

static int
fake_teardown(void **state)
{
        struct fake *f = *state;

        assert_int_equal(fs_remove_tree(AT_FDCWD, f->root, NULL), 0);
        free(f->dirs[0]);
        free(f->dirs[1]);
        cgroup_host_done(&f->host);
        free(f);
        return 0;
}

static int
fake_apply(struct fake *f, const char *resources, berth_error_t **err)
{
        cleanup_json struct json_object *o = json_tokener_parse(resources);
        struct cgroup_plan plan;
        int r;

        assert_non_null(o);
        assert_int_equal(cgroup_resources_plan(o, &f->host, &plan, err), 0);
        r = cgroup_resources_apply(&f->host, f->dirs, &plan, err);
        cgroup_plan_done(&plan);
        return r;
}

static void
test_apply_writes_and_fallbacks(void **state)
{
        struct fake *f = *state;
        const char *v1 = f->dirs[0];
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *lim = NULL, *memsw = NULL, *bfq = NULL, *shares = NULL, *quota = NULL, *burst = NULL;

        put(v1, "memory.limit_in_bytes", "9223372036854771712\n");
        put(v1, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        put(v1, "blkio.bfq.weight", "100\n");
        put(v1, "cpu.shares", "1024\n");
        put(v1, "cpu.cfs_quota_us", "-1\n");
        /* no cpu.cfs_burst_us: an older kernel, skipped; no blkio.weight: BFQ's file instead */
        assert_int_equal(fake_apply(f,
                                    "{\"memory\":{\"limit\":4096,\"swap\":8192},\"cpu\":{\"shares\":512,\"quota\":1000,"
                                    "\"burst\":10},\"blockIO\":{\"weight\":300}}",
                                    &err),
                         0);
        lim = get(v1, "memory.limit_in_bytes");
        memsw = get(v1, "memory.memsw.limit_in_bytes");
        bfq = get(v1, "blkio.bfq.weight");
        shares = get(v1, "cpu.shares");
        quota = get(v1, "cpu.cfs_quota_us");
        assert_string_equal(lim, "4096");
        assert_string_equal(memsw, "8192");
        assert_string_equal(bfq, "300");
        assert_string_equal(shares, "512");
        assert_string_equal(quota, "1000");
        burst = get(v1, "cpu.cfs_burst_us");
        assert_string_equal(burst, "<missing>");
}

static void
test_apply_errors(void **state)
{
        struct fake *f = *state;
        const char *v1 = f->dirs[0];
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_error berth_error_t *e3 = NULL;
        cleanup_free char *want = NULL;
        char root[128];

        /* neither weight file */
        assert_int_equal(fake_apply(f, "{\"blockIO\":{\"weight\":300}}", &e1), -ENOENT);
        assert_true(asprintf(&want,
                             "linux.resources.blockIO.weight: neither \"blkio.weight\" nor \"blkio.bfq.weight\" exists in \"%s\"",
                             v1) > 0);
        assert_string_equal(e1->msg, want);
        assert_string_equal(e1->json_path, "linux.resources.blockIO.weight");
        /* pids is on no v1 hierarchy here, and the cgroup2 one does not offer it */
        snprintf(root, sizeof(root), "%s/v2", f->root);
        put(root, "cgroup.controllers", "hugetlb\n");
        put(f->dirs[1], "cgroup.controllers", "hugetlb\n");
        assert_int_equal(fake_apply(f, "{\"pids\":{\"limit\":3}}", &e2), -ENOTSUP);
        free(want);
        assert_true(asprintf(&want,
                             "linux.resources.pids.limit: this host has no pids cgroup controller (the cgroup v2 "
                             "hierarchy at \"%s\" offers \"hugetlb\")",
                             root) > 0);
        assert_string_equal(e2->msg, want);
        /* a page size the host does not have */
        assert_int_equal(fake_apply(f, "{\"hugepageLimits\":[{\"pageSize\":\"3MB\",\"limit\":1}]}", &e3), -EINVAL);
        assert_string_equal(e3->json_path, "linux.resources.hugepageLimits[0].pageSize");
        assert_non_null(strstr(e3->msg, "linux.resources.hugepageLimits[0].pageSize: this host has no \"3MB\" huge pages (it has "));
}

static void
test_apply_v2_enables_controllers(void **state)
{
        struct fake *f = *state;
        const char *v2 = f->dirs[1];
        char root[128], mid[128];
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_free char *a = NULL, *b = NULL, *c = NULL, *a2 = NULL, *b2 = NULL, *m = NULL, *own = NULL;

        snprintf(root, sizeof(root), "%s/v2", f->root);
        snprintf(mid, sizeof(mid), "%s/v2/c1", f->root);
        put(root, "cgroup.controllers", "hugetlb rdma\n");
        put(root, "cgroup.subtree_control", "hugetlb\n");
        put(mid, "cgroup.subtree_control", "\n");
        put(v2, "cgroup.controllers", "\n");
        put(v2, "hugetlb.2MB.max", "max\n");
        put(v2, "rdma.max", "\n");
        /* the root has hugetlb already and is left alone; c1 gets it; the container's own
         * cgroup.subtree_control is not a parent's and is never written */
        assert_int_equal(fake_apply(f, "{\"unified\":{\"hugetlb.2MB.max\":\"4194304\"}}", &err), 0);
        a = get(root, "cgroup.subtree_control");
        b = get(mid, "cgroup.subtree_control");
        c = get(v2, "hugetlb.2MB.max");
        assert_string_equal(a, "hugetlb\n");
        assert_string_equal(b, "+hugetlb");
        assert_string_equal(c, "4194304");
        own = get(v2, "cgroup.subtree_control");
        assert_string_equal(own, "<missing>");
        /* rdma at every level */
        assert_int_equal(fake_apply(f, "{\"rdma\":{\"mlx4_0\":{\"hcaHandles\":2}}}", &e2), 0);
        a2 = get(root, "cgroup.subtree_control");
        b2 = get(mid, "cgroup.subtree_control");
        m = get(v2, "rdma.max");
        assert_string_equal(a2, "+rdma");
        assert_string_equal(b2, "+rdma");
        assert_string_equal(m, "mlx4_0 hca_handle=2");
}

static void
test_apply_unified_missing_controller(void **state)
{
        struct fake *f = *state;
        const char *v2 = f->dirs[1];
        char root[128];
        cleanup_error berth_error_t *err = NULL;

        snprintf(root, sizeof(root), "%s/v2", f->root);
        put(root, "cgroup.controllers", "hugetlb\n");
        put(v2, "cgroup.controllers", "hugetlb\n");
        assert_int_equal(fake_apply(f, "{\"unified\":{\"memory.high\":\"1\"}}", &err), -ENOTSUP);
        assert_string_equal(err->msg, "linux.resources.unified.memory.high: unified resource \"memory.high\" can't be set: "
                                      "controller \"memory\" not available");
        assert_string_equal(err->json_path, "linux.resources.unified.memory.high");
}

static void
test_apply_v2_cpu_max_and_bfq(void **state)
{
        struct fake *f = *state;
        const char *v2 = f->dirs[1];
        char root[128], mid[128];
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_free char *max = NULL, *bfq = NULL, *bfq2 = NULL, *w = NULL;
        struct cgroup_host host;
        char *dirs[2] = {(char *) v2, NULL};
        char mi[256];
        cleanup_json struct json_object *o = NULL;
        struct cgroup_plan plan;

        /* a unified host over the same directories */
        snprintf(mi, sizeof(mi), ROOT_MOUNT "41 22 0:38 / %s/v2 rw - cgroup2 cgroup2 rw\n", f->root);
        assert_int_equal(cgroup_host_parse(mi, "0::/\n", &host, &err), 0);
        snprintf(root, sizeof(root), "%s/v2", f->root);
        snprintf(mid, sizeof(mid), "%s/v2/c1", f->root);
        put(root, "cgroup.controllers", "cpu io\n");
        put(root, "cgroup.subtree_control", "cpu io\n");
        put(mid, "cgroup.subtree_control", "cpu io\n");
        put(v2, "cgroup.controllers", "cpu io\n");
        put(v2, "cpu.max", "50000 100000\n");
        put(v2, "io.bfq.weight", "default 100\n");
        /* a period alone keeps the quota; BFQ takes per-device weights where it lists them */
        o = json_tokener_parse("{\"cpu\":{\"period\":20000},\"blockIO\":{"
                               "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":300}]}}");
        assert_int_equal(cgroup_resources_plan(o, &host, &plan, &err), 0);
        assert_int_equal(cgroup_resources_apply(&host, dirs, &plan, &err), 0);
        cgroup_plan_done(&plan);
        max = get(v2, "cpu.max");
        bfq = get(v2, "io.bfq.weight");
        assert_string_equal(max, "50000 20000");
        assert_string_equal(bfq, "8:0 300");
        /* and the weight itself as it is, not mapped onto io.weight's range */
        json_object_put(o);
        o = json_tokener_parse("{\"blockIO\":{\"weight\":200}}");
        assert_int_equal(cgroup_resources_plan(o, &host, &plan, &err), 0);
        assert_int_equal(cgroup_resources_apply(&host, dirs, &plan, &err), 0);
        cgroup_plan_done(&plan);
        w = get(v2, "io.bfq.weight");
        assert_string_equal(w, "200");
        /* an old kernel's io.bfq.weight (one number): per-device weights are skipped */
        put(v2, "io.bfq.weight", "100\n");
        json_object_put(o);
        o = json_tokener_parse("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":300}]}}");
        assert_int_equal(cgroup_resources_plan(o, &host, &plan, &e2), 0);
        assert_int_equal(cgroup_resources_apply(&host, dirs, &plan, &e2), 0);
        cgroup_plan_done(&plan);
        bfq2 = get(v2, "io.bfq.weight");
        assert_string_equal(bfq2, "100\n");
        cgroup_host_done(&host);
}

static void
test_apply_check_before_update(void **state)
{
        struct fake *f = *state;
        const char *v2 = f->dirs[1];
        char root[128], mid[128];
        cleanup_error berth_error_t *err = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        struct cgroup_host host;
        char *dirs[2] = {(char *) v2, NULL};
        char mi[256];
        cleanup_json struct json_object *o = NULL;
        cleanup_free char *max = NULL;
        struct cgroup_plan plan;

        snprintf(mi, sizeof(mi), ROOT_MOUNT "41 22 0:38 / %s/v2 rw - cgroup2 cgroup2 rw\n", f->root);
        assert_int_equal(cgroup_host_parse(mi, "0::/\n", &host, &err), 0);
        snprintf(root, sizeof(root), "%s/v2", f->root);
        snprintf(mid, sizeof(mid), "%s/v2/c1", f->root);
        put(root, "cgroup.controllers", "memory\n");
        put(root, "cgroup.subtree_control", "memory\n");
        put(mid, "cgroup.subtree_control", "memory\n");
        put(v2, "cgroup.controllers", "memory\n");
        put(v2, "memory.current", "8192\n");
        put(v2, "memory.max", "max\n");
        o = json_tokener_parse("{\"memory\":{\"limit\":4096,\"checkBeforeUpdate\":true}}");
        assert_int_equal(cgroup_resources_plan(o, &host, &plan, &err), 0);
        assert_int_equal(cgroup_resources_apply(&host, dirs, &plan, &e2), -EBUSY);
        cgroup_plan_done(&plan);
        assert_string_equal(e2->msg, "linux.resources.memory.checkBeforeUpdate: rejecting memory limit 4096 <= usage 8192");
        max = get(v2, "memory.max");
        assert_string_equal(max, "max\n");
        cgroup_host_done(&host);
}

static void
test_apply_v2_swap_from_current(void **state)
{
        struct fake *f = *state;
        const char *v2 = f->dirs[1];
        char root[128], mid[128];
        cleanup_error berth_error_t *err = NULL;
        struct cgroup_host host;
        char *dirs[2] = {(char *) v2, NULL};
        char mi[256];
        static const struct {
                const char *max, *swap, *resources; /* before; NULL: no file */
                const char *want_max, *want_swap;     /* after */
                int r;
                const char *msg;
        } cases[] = {
                /* memory+swap alone: less the current limit */
                {"4096\n", "max\n", "{\"memory\":{\"swap\":12288}}", "4096\n", "8192", 0, NULL},
                {"max\n", "max\n", "{\"memory\":{\"swap\":12288}}", "max\n", "max\n", -EINVAL,
                 "linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2"},
                {"16384\n", "max\n", "{\"memory\":{\"swap\":12288}}", "16384\n", "max\n", -EINVAL,
                 "linux.resources.memory.swap: memory+swap limit 12288 is below the memory limit 16384"},
                /* the limit alone keeps memory+swap (4096 + 8192) */
                {"4096\n", "8192\n", "{\"memory\":{\"limit\":8192}}", "8192", "4096", 0, NULL},
                {"4096\n", "8192\n", "{\"memory\":{\"limit\":16384}}", "4096\n", "8192\n", -EINVAL,
                 "linux.resources.memory.limit: memory limit 16384 is above the memory+swap limit 12288"},
                /* no memory+swap to keep: unlimited swap, unlimited memory, no swap accounting */
                {"4096\n", "max\n", "{\"memory\":{\"limit\":8192}}", "8192", "max\n", 0, NULL},
                {"max\n", "8192\n", "{\"memory\":{\"limit\":8192}}", "8192", "8192\n", 0, NULL},
                {"4096\n", NULL, "{\"memory\":{\"limit\":8192}}", "8192", NULL, 0, NULL},
        };

        snprintf(mi, sizeof(mi), ROOT_MOUNT "41 22 0:38 / %s/v2 rw - cgroup2 cgroup2 rw\n", f->root);
        assert_int_equal(cgroup_host_parse(mi, "0::/\n", &host, &err), 0);
        snprintf(root, sizeof(root), "%s/v2", f->root);
        snprintf(mid, sizeof(mid), "%s/v2/c1", f->root);
        put(root, "cgroup.controllers", "memory\n");
        put(root, "cgroup.subtree_control", "memory\n");
        put(mid, "cgroup.subtree_control", "memory\n");
        put(v2, "cgroup.controllers", "memory\n");
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cleanup_json struct json_object *o = json_tokener_parse(cases[i].resources);
                cleanup_error berth_error_t *e = NULL;
                cleanup_free char *max = NULL, *swap = NULL;
                char swap_path[256];
                struct cgroup_plan plan;
                snprintf(swap_path, sizeof(swap_path), "%s/memory.swap.max", v2);
                put(v2, "memory.max", cases[i].max);
                unlink(swap_path);
                if (cases[i].swap)
                        put(v2, "memory.swap.max", cases[i].swap);
                assert_int_equal(cgroup_resources_plan(o, &host, &plan, &err), 0);
                assert_int_equal(cgroup_resources_apply(&host, dirs, &plan, &e), cases[i].r);
                cgroup_plan_done(&plan);
                if (cases[i].msg)
                        assert_string_equal(e->msg, cases[i].msg);
                max = get(v2, "memory.max");
                assert_string_equal(max, cases[i].want_max);
                if (cases[i].want_swap) {
                        swap = get(v2, "memory.swap.max");
                        assert_string_equal(swap, cases[i].want_swap);
                } else {
                        assert_int_equal(access(swap_path, F_OK), -1);
                }
        }
        cgroup_host_done(&host);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_memory_v1),
                cmocka_unit_test(test_memory_v2),
                cmocka_unit_test(test_kernel_memory_is_ignored_with_a_warning),
                cmocka_unit_test(test_cpu_v1),
                cmocka_unit_test(test_cpu_v2),
                cmocka_unit_test(test_cpuset),
                cmocka_unit_test(test_pids),
                cmocka_unit_test(test_blkio_v1),
                cmocka_unit_test(test_blkio_v2),
                cmocka_unit_test(test_hugetlb),
                cmocka_unit_test(test_network),
                cmocka_unit_test(test_rdma),
                cmocka_unit_test(test_unified),
                cmocka_unit_test(test_hybrid_spells_per_controller),
                cmocka_unit_test(test_unified_host_order),
                cmocka_unit_test(test_missing_controllers),
                cmocka_unit_test(test_errors_name_the_path),
                cmocka_unit_test(test_conversion_formulas),
                cmocka_unit_test(test_hugetlb_size_names),
                cmocka_unit_test(test_nothing_without_resources),
                cmocka_unit_test_setup_teardown(test_apply_writes_and_fallbacks, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_errors, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v2_enables_controllers, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_unified_missing_controller, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v2_cpu_max_and_bfq, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_check_before_update, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v2_swap_from_current, fake_setup, fake_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
