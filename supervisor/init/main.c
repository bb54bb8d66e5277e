/* supervisor/init/main.c: berth-init, the PID 1 of containers run with --init (docs/berthd.md
 * "--init"). It runs `berth-init [--] CMD [ARG...]`: forks CMD in a process group of its own
 * (the terminal's foreground group when stdin is one), forwards every catchable signal it gets
 * to CMD, reaps every child that comes to it (orphans included) and exits with CMD's status
 * (128+N for signal N) once CMD has exited. Linked statically; kept small. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/init/policy.h"

static void
die(const char *what)
{
        fprintf(stderr, "berth-init: %s: %s\n", what, strerror(errno));
        exit(1);
}

/* Reap every exited child; true when CHILD was one (its status in *STATUS). */
static bool
reap_all(pid_t child, int *status)
{
        bool done = false;
        for (;;) {
                int ws;
                pid_t p = waitpid(-1, &ws, WNOHANG);
                if (p <= 0)
                        return done;
                if (p == child) {
                        *status = ws;
                        done = true;
                }
        }
}

int
main(int argc, char *argv[])
{
        sigset_t all, old;
        pid_t child;
        int idx = init_command_index(argc, argv), status = 0;

        if (idx < 0) {
                fprintf(stderr, "usage: berth-init [--] COMMAND [ARG...]\n");
                return 1;
        }
        sigemptyset(&all);
        for (int s = 1; s < NSIG; s++)
                if (s == SIGCHLD || init_signal_forwarded(s))
                        sigaddset(&all, s);
        if (sigprocmask(SIG_BLOCK, &all, &old) < 0)
                die("sigprocmask");
        child = fork();
        if (child < 0)
                die("fork");
        if (child == 0) {
                /* Its own process group, in the foreground of the terminal if there is one. */
                (void) setpgid(0, 0);
                if (isatty(STDIN_FILENO)) {
                        signal(SIGTTOU, SIG_IGN);
                        (void) tcsetpgrp(STDIN_FILENO, getpgrp());
                        signal(SIGTTOU, SIG_DFL);
                }
                sigprocmask(SIG_SETMASK, &old, NULL);
                execvp(argv[idx], argv + idx);
                fprintf(stderr, "berth-init: exec %s: %s\n", argv[idx], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        for (;;) {
                siginfo_t si;
                struct timespec ts = {.tv_sec = 1};
                int s = sigtimedwait(&all, &si, &ts);
                if (s < 0 && errno != EAGAIN && errno != EINTR)
                        die("sigtimedwait");
                if (s > 0 && s != SIGCHLD && init_signal_forwarded(s)) {
                        if (kill(child, s) < 0 && errno != ESRCH)
                                fprintf(stderr, "berth-init: forward signal %d: %s\n", s,
                                        strerror(errno));
                        continue;
                }
                if (reap_all(child, &status)) {
                        /* Orphans that exited together with the child are reaped too. */
                        (void) reap_all(child, &status);
                        return init_exit_code(status);
                }
        }
}
