/* supervisor/init/policy.c: berth-init's pure decisions (policy.h). No allocation, no libc
 * beyond string comparison: it is linked into the static berth-init. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "supervisor/init/policy.h"

bool
init_signal_forwarded(int sig)
{
        switch (sig) {
        case SIGCHLD:
        case SIGKILL:
        case SIGSTOP:
        case SIGSEGV:
        case SIGBUS:
        case SIGILL:
        case SIGFPE:
        case SIGTRAP:
        case SIGSYS:
        case SIGABRT:
                return false;
        default:
                return sig > 0 && sig < NSIG;
        }
}

int
init_exit_code(int wstatus)
{
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus))
                return 128 + WTERMSIG(wstatus);
        return 1;
}

int
init_command_index(int argc, char *const argv[])
{
        int i = 1;
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        return i < argc ? i : -1;
}
