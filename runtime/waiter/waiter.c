/* runtime/waiter/waiter.c: what a created container's init becomes while it waits for `start`.
 *
 * After init has set everything up it execs this tiny freestanding program from a sealed memfd
 * (embedded in berth, see runtime/linux/waiter.h): it holds a few pages instead of berth's
 * whole image, so a container sitting in "created" costs almost no memory, and its
 * /proc/self/exe is the memfd, never the host's berth binary. It opens the exec fifo (blocking
 * until `start` reads it), writes one byte and execs the container's process; the fifo stays
 * open, close-on-exec, so `start` sees end-of-file exactly when that exec happened.
 *
 * With noNewPrivileges, the seccomp filter is loaded here too, after the fifo and right before
 * execve (runc's point), from a memfd holding the classic BPF program berth built.
 *
 * argv: [name, fifo-fd or "-", bpf-fd or "-", seccomp flags, executable, process args...];
 * envp: the process's environment.
 * No libc: raw syscalls and a hand-written entry point, for x86_64 and aarch64. */

#include <asm/unistd.h>

#define AT_FDCWD_   (-100)
#define O_WRONLY_   01
#define O_CLOEXEC_  02000000
#define EINTR_      4

static long
sys3(long n, long a, long b, long c)
{
        long r;
#if defined(__x86_64__)
        __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
        r = x0;
#else
#        error "berth's waiter supports x86_64 and aarch64"
#endif
        return r;
}

static long
sys4(long n, long a, long b, long c, long d)
{
        long r;
#if defined(__x86_64__)
        register long r10 __asm__("r10") = d;
        __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        register long x3 __asm__("x3") = d;
        __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
        r = x0;
#endif
        return r;
}

struct sock_filter_ {
        unsigned short code;
        unsigned char jt, jf;
        unsigned int k;
};
struct sock_fprog_ {
        unsigned short len;
        struct sock_filter_ *filter;
};

/* BPF_MAXINSNS (4096) instructions of 8 bytes; only the pages read are resident. */
static struct sock_filter_ program[4096];

static long
parse_num(const char *s, int *ok)
{
        long v = 0;
        *ok = *s != '\0';
        for (; *s; s++) {
                if (*s < '0' || *s > '9') {
                        *ok = 0;
                        return 0;
                }
                v = v * 10 + (*s - '0');
        }
        return v;
}

static unsigned long
str_len(const char *s)
{
        unsigned long n = 0;
        while (s[n])
                n++;
        return n;
}

static void __attribute__((noreturn))
die(const char *what, const char *arg, long code)
{
        sys3(__NR_write, 2, (long) what, (long) str_len(what));
        if (arg) {
                sys3(__NR_write, 2, (long) " \"", 2);
                sys3(__NR_write, 2, (long) arg, (long) str_len(arg));
                sys3(__NR_write, 2, (long) "\"", 1);
        }
        sys3(__NR_write, 2, (long) "\n", 1);
        for (;;)
                sys3(__NR_exit, code, 0, 0);
}

void __attribute__((used, noreturn)) waiter_main(long *sp);

void
waiter_main(long *sp)
{
        long argc = sp[0];
        char **argv = (char **) (sp + 1);
        char **envp = argv + argc + 1;
        char path[40] = "/proc/self/fd/";
        long fifo = 0, fd;
        unsigned long n = str_len(path);

        long bpf = -1, flags = 0;
        int ok;

        if (argc < 6)
                die("berth-waiter: usage: berth-waiter FIFO-FD BPF-FD|- FLAGS EXECUTABLE ARGS...", 0, 127);
        /* "-": released already (init ran startContainer hooks); only load and exec. */
        int wait_fifo = !(argv[1][0] == '-' && argv[1][1] == '\0');
        for (const char *p = argv[1]; wait_fifo && *p; p++) {
                if (*p < '0' || *p > '9' || n >= sizeof(path) - 1)
                        die("berth-waiter: bad fifo fd", argv[1], 127);
                fifo = fifo * 10 + (*p - '0');
                path[n++] = *p;
        }
        path[n] = '\0';
        if (!(argv[2][0] == '-' && argv[2][1] == '\0')) {
                bpf = parse_num(argv[2], &ok);
                if (!ok)
                        die("berth-waiter: bad seccomp fd", argv[2], 127);
        }
        flags = parse_num(argv[3], &ok);
        if (!ok)
                die("berth-waiter: bad seccomp flags", argv[3], 127);
        if (wait_fifo) {
                do
                        fd = sys4(__NR_openat, AT_FDCWD_, (long) path, O_WRONLY_ | O_CLOEXEC_, 0);
                while (fd == -EINTR_);
                if (fd < 0)
                        die("berth-waiter: cannot open the exec fifo", path, 1);
                if (sys3(__NR_write, fd, (long) "0", 1) != 1)
                        die("berth-waiter: cannot write the exec fifo", path, 1);
                sys3(__NR_close, fifo, 0, 0);
        }
        if (bpf >= 0) {
                unsigned long got = 0;
                for (;;) {
                        long k = sys3(__NR_read, bpf, (long) ((char *) program + got), (long) (sizeof(program) - got));
                        if (k == -EINTR_)
                                continue;
                        if (k < 0)
                                die("berth-waiter: cannot read the seccomp filter", 0, 1);
                        if (k == 0 || got + (unsigned long) k == sizeof(program)) {
                                got += (unsigned long) k;
                                break;
                        }
                        got += (unsigned long) k;
                }
                sys3(__NR_close, bpf, 0, 0);
                struct sock_fprog_ prog = {.len = (unsigned short) (got / sizeof(program[0])), .filter = program};
                /* SECCOMP_SET_MODE_FILTER = 1 */
                if (got == 0 || sys3(__NR_seccomp, 1, flags, (long) &prog) < 0)
                        die("berth-waiter: cannot load the seccomp filter", 0, 1);
        }
        sys3(__NR_execve, (long) argv[4], (long) (argv + 5), (long) envp);
        die("berth-waiter: exec failed", argv[4], 127);
}

#if defined(__x86_64__)
__asm__(".text\n.globl _start\n_start:\n\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall waiter_main\n\thlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.globl _start\n_start:\n\tmov x29, #0\n\tmov x0, sp\n\tbl waiter_main\n");
#endif
