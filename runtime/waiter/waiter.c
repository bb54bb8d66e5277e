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
 * It also runs the startContainer hooks, after the fifo and before the filter (runc's order), from
 * a memfd that berth filled with the state and the hooks, NUL-separated:
 *   state, then per hook: path, argc, args..., envc or "-" (no env: ours), env..., timeout.
 *
 * argv: [name, fifo-fd or "-", bpf-fd or "-", seccomp flags, hooks-fd or "-", executable,
 *        process args...];
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

/* The hooks memfd's contents. */
static char hooks_buf[65536];

struct pollfd_ {
        int fd;
        short events, revents;
};
struct timespec_ {
        long sec, nsec;
};

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

/* Go's words for what execve can fail with: runc reports "exec PATH: exec format error" on the
 * container's stderr, and people and log scrapers know those texts (no strerror here: no libc). */
static const char *
exec_errno_text(long e)
{
        switch (e) {
        case 1:
                return "operation not permitted";
        case 2:
                return "no such file or directory";
        case 7:
                return "argument list too long";
        case 8:
                return "exec format error";
        case 12:
                return "cannot allocate memory";
        case 13:
                return "permission denied";
        case 20:
                return "not a directory";
        case 21:
                return "is a directory";
        case 26:
                return "text file busy";
        case 40:
                return "too many levels of symbolic links";
        case 80:
                return "accessing a corrupted shared library";
        default:
                return "exec failed";
        }
}

/* "exec PATH: TEXT" on stderr, then exit 127 (the shell's "cannot run"). */
static void __attribute__((noreturn)) die_exec(const char *path, long e)
{
        const char *text = exec_errno_text(e);

        sys3(__NR_write, 2, (long) "exec ", 5);
        sys3(__NR_write, 2, (long) path, (long) str_len(path));
        sys3(__NR_write, 2, (long) ": ", 2);
        sys3(__NR_write, 2, (long) text, (long) str_len(text));
        sys3(__NR_write, 2, (long) "\n", 1);
        for (;;)
                sys3(__NR_exit, 127, 0, 0);
}

static long
read_all(long fd, char *buf, unsigned long size)
{
        unsigned long got = 0;

        for (;;) {
                long k = sys3(__NR_read, fd, (long) (buf + got), (long) (size - got));
                if (k == -EINTR_)
                        continue;
                if (k < 0)
                        return k;
                if (k == 0 || got + (unsigned long) k == size)
                        return (long) (got + (unsigned long) k);
                got += (unsigned long) k;
        }
}

/* Next NUL-terminated field of the hooks buffer, or 0 at its end. */
static char *
field(char **cur, char *end)
{
        char *f = *cur;

        if (f >= end)
                return 0;
        while (*cur < end && **cur)
                (*cur)++;
        (*cur)++;
        return f;
}

#define MAX_HOOK_ARGS 256

static void
run_hooks(long fd, char **envp)
{
        long len = read_all(fd, hooks_buf, sizeof(hooks_buf) - 1);
        char *cur = hooks_buf, *end, *state, *path;
        int ok;

        if (len < 0)
                die("berth-waiter: cannot read the startContainer hooks", 0, 1);
        sys3(__NR_close, fd, 0, 0);
        end = hooks_buf + len;
        state = field(&cur, end);
        if (!state)
                die("berth-waiter: no state for the startContainer hooks", 0, 1);
        while ((path = field(&cur, end))) {
                char *args[MAX_HOOK_ARGS + 1], *env[MAX_HOOK_ARGS + 1], **hook_env = env;
                long argc = parse_num(field(&cur, end), &ok), envc, timeout;
                long p[2], pid, pidfd, status = 0;
                char *ec;

                if (!ok || argc > MAX_HOOK_ARGS)
                        die("berth-waiter: bad hooks data", 0, 1);
                for (long i = 0; i < argc; i++)
                        args[i] = field(&cur, end);
                args[argc] = 0;
                ec = field(&cur, end);
                if (ec && ec[0] == '-' && ec[1] == 0) {
                        hook_env = envp;
                } else {
                        envc = parse_num(ec, &ok);
                        if (!ok || envc > MAX_HOOK_ARGS)
                                die("berth-waiter: bad hooks data", 0, 1);
                        for (long i = 0; i < envc; i++)
                                env[i] = field(&cur, end);
                        env[envc] = 0;
                }
                timeout = parse_num(field(&cur, end), &ok);
                if (!ok)
                        die("berth-waiter: bad hooks data", 0, 1);
                int pfd[2];
                if (sys3(__NR_pipe2, (long) pfd, O_CLOEXEC_, 0) < 0)
                        die("berth-waiter: pipe", 0, 1);
                p[0] = pfd[0];
                p[1] = pfd[1];
                pid = sys4(__NR_clone, 17 /* SIGCHLD */, 0, 0, 0);
                if (pid == 0) {
                        sys3(__NR_dup3, p[0], 0, 0);
                        sys3(__NR_execve, (long) path, (long) args, (long) hook_env);
                        die("berth-waiter: startContainer hook: exec failed", path, 127);
                }
                if (pid < 0)
                        die("berth-waiter: fork", 0, 1);
                sys3(__NR_close, p[0], 0, 0);
                sys3(__NR_write, p[1], (long) state, (long) str_len(state));
                sys3(__NR_close, p[1], 0, 0);
                pidfd = sys3(__NR_pidfd_open, pid, 0, 0);
                if (timeout > 0 && pidfd >= 0) {
                        struct pollfd_ pf = {.fd = (int) pidfd, .events = 1 /* POLLIN */};
                        struct timespec_ ts = {.sec = timeout, .nsec = 0};
                        long k;
                        do
                                k = sys4(__NR_ppoll, (long) &pf, 1, (long) &ts, 0);
                        while (k == -EINTR_);
                        if (k == 0) {
                                sys3(__NR_kill, pid, 9, 0);
                                sys4(__NR_wait4, pid, (long) &status, 0, 0);
                                die("berth-waiter: startContainer hook timed out", path, 1);
                        }
                }
                if (pidfd >= 0)
                        sys3(__NR_close, pidfd, 0, 0);
                while (sys4(__NR_wait4, pid, (long) &status, 0, 0) == -EINTR_)
                        ;
                /* exited with 0: the low 16 bits are all zero */
                if ((status & 0xffff) != 0)
                        die("berth-waiter: startContainer hook failed", path, 1);
        }
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

        if (argc < 7)
                die("berth-waiter: usage: berth-waiter FIFO-FD|- BPF-FD|- FLAGS HOOKS-FD|- EXECUTABLE ARGS...", 0, 127);
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
        if (!(argv[4][0] == '-' && argv[4][1] == '\0')) {
                long hooks = parse_num(argv[4], &ok);
                if (!ok)
                        die("berth-waiter: bad hooks fd", argv[4], 127);
                run_hooks(hooks, envp);
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
        long e = sys3(__NR_execve, (long) argv[5], (long) (argv + 6), (long) envp);
        die_exec(argv[5], -e);
}

#if defined(__x86_64__)
__asm__(".text\n.globl _start\n_start:\n\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall waiter_main\n\thlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.globl _start\n_start:\n\tmov x29, #0\n\tmov x0, sp\n\tbl waiter_main\n");
#endif
