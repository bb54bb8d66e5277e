/* supervisor/containers/seccomp_default.c: docker's default seccomp profile (the one dockerd
 * 20.10 compiles in, moby profiles/seccomp), kept as a C table and turned into docker's profile
 * format on demand, so that the default and a user's profile take the same road to linux.seccomp.
 *
 * A table rather than a JSON file under $(datadir): nothing to install, find or lose at run time
 * (berthd runs from the build tree in the tests), and nobody edits it behind berthd's back; dockerd
 * compiles its default in for the same reasons. */
#include <config.h>

#include "supervisor/containers/seccomp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Allowed for every container. */
static const char *const allowed[] = {
        "accept",
        "accept4",
        "access",
        "adjtimex",
        "alarm",
        "bind",
        "brk",
        "capget",
        "capset",
        "chdir",
        "chmod",
        "chown",
        "chown32",
        "clock_adjtime",
        "clock_adjtime64",
        "clock_getres",
        "clock_getres_time64",
        "clock_gettime",
        "clock_gettime64",
        "clock_nanosleep",
        "clock_nanosleep_time64",
        "close",
        "close_range",
        "connect",
        "copy_file_range",
        "creat",
        "dup",
        "dup2",
        "dup3",
        "epoll_create",
        "epoll_create1",
        "epoll_ctl",
        "epoll_ctl_old",
        "epoll_pwait",
        "epoll_pwait2",
        "epoll_wait",
        "epoll_wait_old",
        "eventfd",
        "eventfd2",
        "execve",
        "execveat",
        "exit",
        "exit_group",
        "faccessat",
        "faccessat2",
        "fadvise64",
        "fadvise64_64",
        "fallocate",
        "fanotify_mark",
        "fchdir",
        "fchmod",
        "fchmodat",
        "fchown",
        "fchown32",
        "fchownat",
        "fcntl",
        "fcntl64",
        "fdatasync",
        "fgetxattr",
        "flistxattr",
        "flock",
        "fork",
        "fremovexattr",
        "fsetxattr",
        "fstat",
        "fstat64",
        "fstatat64",
        "fstatfs",
        "fstatfs64",
        "fsync",
        "ftruncate",
        "ftruncate64",
        "futex",
        "futex_time64",
        "futex_waitv",
        "futimesat",
        "getcpu",
        "getcwd",
        "getdents",
        "getdents64",
        "getegid",
        "getegid32",
        "geteuid",
        "geteuid32",
        "getgid",
        "getgid32",
        "getgroups",
        "getgroups32",
        "getitimer",
        "getpeername",
        "getpgid",
        "getpgrp",
        "getpid",
        "getppid",
        "getpriority",
        "getrandom",
        "getresgid",
        "getresgid32",
        "getresuid",
        "getresuid32",
        "getrlimit",
        "get_robust_list",
        "getrusage",
        "getsid",
        "getsockname",
        "getsockopt",
        "get_thread_area",
        "gettid",
        "gettimeofday",
        "getuid",
        "getuid32",
        "getxattr",
        "inotify_add_watch",
        "inotify_init",
        "inotify_init1",
        "inotify_rm_watch",
        "io_cancel",
        "ioctl",
        "io_destroy",
        "io_getevents",
        "io_pgetevents",
        "io_pgetevents_time64",
        "ioprio_get",
        "ioprio_set",
        "io_setup",
        "io_submit",
        "io_uring_enter",
        "io_uring_register",
        "io_uring_setup",
        "ipc",
        "kill",
        "landlock_add_rule",
        "landlock_create_ruleset",
        "landlock_restrict_self",
        "lchown",
        "lchown32",
        "lgetxattr",
        "link",
        "linkat",
        "listen",
        "listxattr",
        "llistxattr",
        "_llseek",
        "lremovexattr",
        "lseek",
        "lsetxattr",
        "lstat",
        "lstat64",
        "madvise",
        "membarrier",
        "memfd_create",
        "memfd_secret",
        "mincore",
        "mkdir",
        "mkdirat",
        "mknod",
        "mknodat",
        "mlock",
        "mlock2",
        "mlockall",
        "mmap",
        "mmap2",
        "mprotect",
        "mq_getsetattr",
        "mq_notify",
        "mq_open",
        "mq_timedreceive",
        "mq_timedreceive_time64",
        "mq_timedsend",
        "mq_timedsend_time64",
        "mq_unlink",
        "mremap",
        "msgctl",
        "msgget",
        "msgrcv",
        "msgsnd",
        "msync",
        "munlock",
        "munlockall",
        "munmap",
        "nanosleep",
        "newfstatat",
        "_newselect",
        "open",
        "openat",
        "openat2",
        "pause",
        "pidfd_open",
        "pidfd_send_signal",
        "pipe",
        "pipe2",
        "poll",
        "ppoll",
        "ppoll_time64",
        "prctl",
        "pread64",
        "preadv",
        "preadv2",
        "prlimit64",
        "process_mrelease",
        "pselect6",
        "pselect6_time64",
        "pwrite64",
        "pwritev",
        "pwritev2",
        "read",
        "readahead",
        "readlink",
        "readlinkat",
        "readv",
        "recv",
        "recvfrom",
        "recvmmsg",
        "recvmmsg_time64",
        "recvmsg",
        "remap_file_pages",
        "removexattr",
        "rename",
        "renameat",
        "renameat2",
        "restart_syscall",
        "rmdir",
        "rseq",
        "rt_sigaction",
        "rt_sigpending",
        "rt_sigprocmask",
        "rt_sigqueueinfo",
        "rt_sigreturn",
        "rt_sigsuspend",
        "rt_sigtimedwait",
        "rt_sigtimedwait_time64",
        "rt_tgsigqueueinfo",
        "sched_getaffinity",
        "sched_getattr",
        "sched_getparam",
        "sched_get_priority_max",
        "sched_get_priority_min",
        "sched_getscheduler",
        "sched_rr_get_interval",
        "sched_rr_get_interval_time64",
        "sched_setaffinity",
        "sched_setattr",
        "sched_setparam",
        "sched_setscheduler",
        "sched_yield",
        "seccomp",
        "select",
        "semctl",
        "semget",
        "semop",
        "semtimedop",
        "semtimedop_time64",
        "send",
        "sendfile",
        "sendfile64",
        "sendmmsg",
        "sendmsg",
        "sendto",
        "setfsgid",
        "setfsgid32",
        "setfsuid",
        "setfsuid32",
        "setgid",
        "setgid32",
        "setgroups",
        "setgroups32",
        "setitimer",
        "setpgid",
        "setpriority",
        "setregid",
        "setregid32",
        "setresgid",
        "setresgid32",
        "setresuid",
        "setresuid32",
        "setreuid",
        "setreuid32",
        "setrlimit",
        "set_robust_list",
        "setsid",
        "setsockopt",
        "set_thread_area",
        "set_tid_address",
        "setuid",
        "setuid32",
        "setxattr",
        "shmat",
        "shmctl",
        "shmdt",
        "shmget",
        "shutdown",
        "sigaltstack",
        "signalfd",
        "signalfd4",
        "sigprocmask",
        "sigreturn",
        "socket",
        "socketcall",
        "socketpair",
        "splice",
        "stat",
        "stat64",
        "statfs",
        "statfs64",
        "statx",
        "symlink",
        "symlinkat",
        "sync",
        "sync_file_range",
        "syncfs",
        "sysinfo",
        "tee",
        "tgkill",
        "time",
        "timer_create",
        "timer_delete",
        "timer_getoverrun",
        "timer_gettime",
        "timer_gettime64",
        "timer_settime",
        "timer_settime64",
        "timerfd_create",
        "timerfd_gettime",
        "timerfd_gettime64",
        "timerfd_settime",
        "timerfd_settime64",
        "times",
        "tkill",
        "truncate",
        "truncate64",
        "ugetrlimit",
        "umask",
        "uname",
        "unlink",
        "unlinkat",
        "utime",
        "utimensat",
        "utimensat_time64",
        "utimes",
        "vfork",
        "vmsplice",
        "wait4",
        "waitid",
        "waitpid",
        "write",
        "writev",
        NULL,
};

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The conditional part: a rule is kept when the bounding set holds every cap of caps_in and none
 * of caps_out, the arch (Go's name for it) is in arches_in (when given) and not in arches_out, and
 * the kernel is at least min_kernel. */
struct default_rule {
        const char *const *names;
        const char *action; /* NULL: SCMP_ACT_ALLOW */
        int errno_ret;      /* with SCMP_ACT_ERRNO */
        bool has_arg;       /* one argument condition */
        unsigned arg_index;
        uint64_t arg_value;
        const char *arg_op;
        const char *const *caps_in;
        const char *const *caps_out;
        const char *const *arches_in;
        const char *const *arches_out;
        const char *min_kernel;
};

/* Namespace flags (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET): clone without
 * CAP_SYS_ADMIN must have all of them clear. */
#define CLONE_NS_FLAGS 0x7e020000ull

static const struct default_rule rules[] = {
        {.names = NAMES("ptrace"), .min_kernel = "4.8"},
        /* personality: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the query */
        {.names = NAMES("personality"), .has_arg = true, .arg_value = 0x0, .arg_op = "SCMP_CMP_EQ"},
        {.names = NAMES("personality"), .has_arg = true, .arg_value = 0x8, .arg_op = "SCMP_CMP_EQ"},
        {.names = NAMES("personality"),
         .has_arg = true,
         .arg_value = 0x20000,
         .arg_op = "SCMP_CMP_EQ"},
        {.names = NAMES("personality"),
         .has_arg = true,
         .arg_value = 0x20008,
         .arg_op = "SCMP_CMP_EQ"},
        {.names = NAMES("personality"),
         .has_arg = true,
         .arg_value = 0xffffffff,
         .arg_op = "SCMP_CMP_EQ"},
        {.names = NAMES("sync_file_range2", "swapcontext"), .arches_in = NAMES("ppc64le")},
        {.names = NAMES("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
                        "cacheflush", "set_tls"),
         .arches_in = NAMES("arm", "arm64")},
        {.names = NAMES("arch_prctl"), .arches_in = NAMES("amd64", "x32")},
        {.names = NAMES("modify_ldt"), .arches_in = NAMES("amd64", "x32", "x86")},
        {.names = NAMES("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
         .arches_in = NAMES("s390", "s390x")},
        {.names = NAMES("riscv_flush_icache"), .arches_in = NAMES("riscv64")},
        {.names = NAMES("open_by_handle_at"), .caps_in = NAMES("CAP_DAC_READ_SEARCH")},
        {.names = NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
                        "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount",
                        "name_to_handle_at", "open_tree", "perf_event_open", "quotactl",
                        "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
                        "umount2", "unshare"),
         .caps_in = NAMES("CAP_SYS_ADMIN")},
        /* clone's flags are its first argument, except on s390 where they are the second */
        {.names = NAMES("clone"),
         .has_arg = true,
         .arg_index = 0,
         .arg_value = CLONE_NS_FLAGS,
         .arg_op = "SCMP_CMP_MASKED_EQ",
         .caps_out = NAMES("CAP_SYS_ADMIN"),
         .arches_out = NAMES("s390", "s390x")},
        {.names = NAMES("clone"),
         .has_arg = true,
         .arg_index = 1,
         .arg_value = CLONE_NS_FLAGS,
         .arg_op = "SCMP_CMP_MASKED_EQ",
         .caps_out = NAMES("CAP_SYS_ADMIN"),
         .arches_in = NAMES("s390", "s390x")},
        /* clone3 passes its flags in memory, where a filter cannot look: ENOSYS makes glibc fall
         * back to clone (an EPERM would be final) */
        {.names = NAMES("clone3"),
         .action = "SCMP_ACT_ERRNO",
         .errno_ret = 38,
         .caps_out = NAMES("CAP_SYS_ADMIN")},
        {.names = NAMES("reboot"), .caps_in = NAMES("CAP_SYS_BOOT")},
        {.names = NAMES("chroot"), .caps_in = NAMES("CAP_SYS_CHROOT")},
        {.names = NAMES("delete_module", "init_module", "finit_module"),
         .caps_in = NAMES("CAP_SYS_MODULE")},
        {.names = NAMES("acct"), .caps_in = NAMES("CAP_SYS_PACCT")},
        {.names = NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                        "process_vm_writev", "ptrace"),
         .caps_in = NAMES("CAP_SYS_PTRACE")},
        {.names = NAMES("iopl", "ioperm"), .caps_in = NAMES("CAP_SYS_RAWIO")},
        {.names = NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"),
         .caps_in = NAMES("CAP_SYS_TIME")},
        {.names = NAMES("vhangup"), .caps_in = NAMES("CAP_SYS_TTY_CONFIG")},
        {.names = NAMES("get_mempolicy", "mbind", "set_mempolicy"),
         .caps_in = NAMES("CAP_SYS_NICE")},
        {.names = NAMES("syslog"), .caps_in = NAMES("CAP_SYSLOG")},
        {.names = NAMES("bpf"), .caps_in = NAMES("CAP_BPF")},
        {.names = NAMES("perf_event_open"), .caps_in = NAMES("CAP_PERFMON")},
};

static struct json_object *
strv_json(const char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static void
add_filter(struct json_object *rule, const char *key, const char *const *caps,
           const char *const *arches, const char *min_kernel)
{
        struct json_object *f;

        if (caps == NULL && arches == NULL && min_kernel == NULL)
                return;
        f = json_object_new_object();
        if (caps)
                json_object_object_add(f, "caps", strv_json(caps));
        if (arches)
                json_object_object_add(f, "arches", strv_json(arches));
        if (min_kernel)
                json_object_object_add(f, "minKernel", json_object_new_string(min_kernel));
        json_object_object_add(rule, key, f);
}

static struct json_object *
arch_entry(const char *arch, const char *const *subs)
{
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "architecture", json_object_new_string(arch));
        json_object_object_add(e, "subArchitectures", strv_json(subs));
        return e;
}

struct json_object *
container_seccomp_default_profile(void)
{
        struct json_object *p = json_object_new_object();
        struct json_object *archs = json_object_new_array(), *calls = json_object_new_array();
        struct json_object *all = json_object_new_object();

        json_object_object_add(p, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
        json_object_object_add(p, "defaultErrnoRet", json_object_new_int(1)); /* EPERM */
        json_object_array_add(
                archs, arch_entry("SCMP_ARCH_X86_64", NAMES("SCMP_ARCH_X86", "SCMP_ARCH_X32")));
        json_object_array_add(archs, arch_entry("SCMP_ARCH_AARCH64", NAMES("SCMP_ARCH_ARM")));
        json_object_array_add(archs, arch_entry("SCMP_ARCH_MIPS64",
                                                NAMES("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32")));
        json_object_array_add(archs, arch_entry("SCMP_ARCH_MIPS64N32",
                                                NAMES("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64")));
        json_object_array_add(archs,
                              arch_entry("SCMP_ARCH_MIPSEL64",
                                         NAMES("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32")));
        json_object_array_add(archs, arch_entry("SCMP_ARCH_MIPSEL64N32",
                                                NAMES("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64")));
        json_object_array_add(archs, arch_entry("SCMP_ARCH_S390X", NAMES("SCMP_ARCH_S390")));
        json_object_array_add(archs, arch_entry("SCMP_ARCH_RISCV64", (const char *const[]){NULL}));
        json_object_object_add(p, "archMap", archs);

        json_object_object_add(all, "names", strv_json(allowed));
        json_object_object_add(all, "action", json_object_new_string("SCMP_ACT_ALLOW"));
        json_object_array_add(calls, all);
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
                const struct default_rule *d = &rules[i];
                struct json_object *r = json_object_new_object();

                json_object_object_add(r, "names", strv_json(d->names));
                json_object_object_add(
                        r, "action",
                        json_object_new_string(d->action ? d->action : "SCMP_ACT_ALLOW"));
                if (d->errno_ret)
                        json_object_object_add(r, "errnoRet", json_object_new_int(d->errno_ret));
                if (d->has_arg) {
                        struct json_object *args = json_object_new_array();
                        struct json_object *a = json_object_new_object();
                        json_object_object_add(a, "index", json_object_new_int((int) d->arg_index));
                        json_object_object_add(a, "value", json_object_new_uint64(d->arg_value));
                        json_object_object_add(a, "op", json_object_new_string(d->arg_op));
                        json_object_array_add(args, a);
                        json_object_object_add(r, "args", args);
                }
                add_filter(r, "includes", d->caps_in, d->arches_in, d->min_kernel);
                add_filter(r, "excludes", d->caps_out, d->arches_out, NULL);
                json_object_array_add(calls, r);
        }
        json_object_object_add(p, "syscalls", calls);
        return p;
}
