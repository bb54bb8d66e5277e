/* supervisor/containers/run_policy.c: the pure parts of running containers: signal names, wait
 * conditions, dockerd's restart decisions and backoff. */
#include <config.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "supervisor/containers/run.h"

static const struct {
        const char *name;
        int num;
} signals[] = {
        {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS},   {"CHLD", SIGCHLD},
        {"CONT", SIGCONT}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},
        {"INT", SIGINT},   {"IO", SIGIO},     {"IOT", SIGIOT},   {"KILL", SIGKILL},
        {"PIPE", SIGPIPE}, {"PROF", SIGPROF}, {"PWR", SIGPWR},   {"QUIT", SIGQUIT},
        {"SEGV", SIGSEGV}, {"STOP", SIGSTOP}, {"SYS", SIGSYS},   {"TERM", SIGTERM},
        {"TRAP", SIGTRAP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
        {"URG", SIGURG},   {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"VTALRM", SIGVTALRM},
        {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

int
container_signal_parse(const char *s)
{
        char *end;
        long n;

        if (s == NULL || *s == '\0')
                return -1;
        n = strtol(s, &end, 10);
        if (*end == '\0')
                return n > 0 && n < 65 ? (int) n : -1;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
                if (strcasecmp(signals[i].name, s) == 0)
                        return signals[i].num;
        if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
                bool min = strncasecmp(s, "RTMIN", 5) == 0;
                long off = 0;
                if (s[5] != '\0') {
                        off = strtol(s + 5, &end, 10);
                        if (*end != '\0')
                                return -1;
                }
                n = min ? SIGRTMIN + off : SIGRTMAX + off;
                return n >= SIGRTMIN && n <= SIGRTMAX ? (int) n : -1;
        }
        return -1;
}

int
container_wait_condition_parse(const char *s)
{
        if (s == NULL || *s == '\0' || strcmp(s, "not-running") == 0)
                return CONTAINER_WAIT_NOT_RUNNING;
        if (strcmp(s, "next-exit") == 0)
                return CONTAINER_WAIT_NEXT_EXIT;
        if (strcmp(s, "removed") == 0)
                return CONTAINER_WAIT_REMOVED;
        return -1;
}

bool
container_restart_wanted(const char *policy, int max, int count, int exit_code, bool manual)
{
        if (policy == NULL || *policy == '\0' || strcmp(policy, "no") == 0 || manual)
                return false;
        if (strcmp(policy, "always") == 0 || strcmp(policy, "unless-stopped") == 0)
                return true;
        if (strcmp(policy, "on-failure") == 0)
                return exit_code != 0 && (max <= 0 || count < max);
        return false;
}

int64_t
container_restart_delay(int64_t prev_ms, int64_t ran_ms)
{
        if (ran_ms >= 10000 || prev_ms <= 0)
                return 100;
        return prev_ms * 2 > 60000 ? 60000 : prev_ms * 2; /* dockerd's cap: one minute */
}
