/* runtime/cli/foreground.c: what `run` and `exec` do while their process runs in the
 * foreground: forward signals, copy the pty, reap orphans as a subreaper, wait. */
#include <config.h>

#include "runtime/cli/foreground.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/sock.h"

static void
copy_once(int from, int to, bool *open_)
{
        char buf[8192];
        ssize_t n = read(from, buf, sizeof(buf));

        if (n <= 0) {
                *open_ = false;
                return;
        }
        (void) fs_write_all(to, buf, (size_t) n);
}

static void
resize_from_stdin(int master)
{
        struct winsize ws;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                (void) ioctl(master, TIOCSWINSZ, &ws);
}

/* Wait for PID, forwarding signals and copying the pty. Returns the wait status. */
int
foreground_supervise(pid_t pid, int sfd, struct foreground_io *io)
{
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        bool in_open = io->master >= 0, out_open = io->master >= 0;
        int status = 0;

        for (;;) {
                struct pollfd p[4] = {
                        {.fd = sfd, .events = POLLIN},
                        {.fd = pidfd, .events = POLLIN},
                        {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
                        {.fd = out_open ? io->master : -1, .events = POLLIN},
                };
                if (poll(p, 4, -1) < 0 && errno != EINTR)
                        break;
                if (p[0].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo == SIGWINCH && io->master >= 0)
                                        resize_from_stdin(io->master);
                                else if (si.ssi_signo != SIGCHLD)
                                        kill(pid, (int) si.ssi_signo);
                        }
                        /* As a subreaper we inherit orphans: reap them, but not the init here. */
                        siginfo_t info;
                        for (;;) {
                                memset(&info, 0, sizeof(info));
                                if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0)
                                        break;
                                if (info.si_pid == pid)
                                        break;
                                waitpid(info.si_pid, NULL, 0);
                        }
                }
                if (in_open && (p[2].revents & (POLLIN | POLLHUP)))
                        copy_once(STDIN_FILENO, io->master, &in_open);
                if (out_open && (p[3].revents & (POLLIN | POLLHUP)))
                        copy_once(io->master, STDOUT_FILENO, &out_open);
                if (p[1].revents & POLLIN) {
                        /* Drain what the process wrote before it went away. */
                        while (out_open) {
                                struct pollfd q = {.fd = io->master, .events = POLLIN};
                                if (poll(&q, 1, 50) <= 0)
                                        break;
                                copy_once(io->master, STDOUT_FILENO, &out_open);
                        }
                        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                                ;
                        break;
                }
        }
        if (pidfd >= 0)
                close(pidfd);
        return status;
}

void
foreground_block_signals(sigset_t *fwd, sigset_t *old)
{
        sigemptyset(fwd);
        for (int s = 1; s < NSIG; s++) {
                /* Not the ones that mean a fault of our own, nor job control of our terminal. */
                if (s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS && s != SIGILL
                    && s != SIGFPE && s != SIGTTIN && s != SIGTTOU && s != SIGTSTP && s != 32 && s != 33)
                        sigaddset(fwd, s);
        }
        sigprocmask(SIG_BLOCK, fwd, old);
}

void
foreground_take_console(int sock, struct foreground_io *io)
{
        /* The process sends the master only when it has a terminal. */
        struct pollfd p = {.fd = sock, .events = POLLIN};

        if (poll(&p, 1, 0) <= 0)
                return;
        io->master = sock_recv_fd(sock, NULL);
        if (io->master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &io->saved) == 0) {
                struct termios raw = io->saved;
                cfmakeraw(&raw);
                io->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
                resize_from_stdin(io->master);
        }
}

void
foreground_io_done(struct foreground_io *io)
{
        if (io->raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &io->saved);
        if (io->master >= 0)
                close(io->master);
        io->master = -1;
        io->raw = false;
}
