/* runtime/cli/criu_notify.c: berth as criu's --action-script. criu runs the script with no
 * arguments at each step of a restore, CRTOOLS_SCRIPT_ACTION and CRTOOLS_INIT_PID in its
 * environment; this passes the step to the berth that runs criu (over the socket named by
 * CRIU_NOTIFY_ENV, see runtime/container/criu_run.h) and fails the step if that berth says so. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "runtime/cli/cli.h"
#include "runtime/container/criu.h"
#include "runtime/container/criu_run.h"

bool
cli_criu_notify_wanted(int argc)
{
        return argc == 1 && getenv(CRIU_NOTIFY_ENV) && getenv("CRTOOLS_SCRIPT_ACTION");
}

int
cli_criu_notify(void)
{
        cleanup_error berth_error_t *err = NULL;
        const char *pid = getenv("CRTOOLS_INIT_PID");
        char *end;
        long fd = strtol(getenv(CRIU_NOTIFY_ENV), &end, 10);

        if (*end || fd < 3) {
                fprintf(stderr, "berth: %s: bad fd\n", CRIU_NOTIFY_ENV);
                return 1;
        }
        if (criu_notify_send((int) fd, getenv("CRTOOLS_SCRIPT_ACTION"), pid ? (pid_t) atoi(pid) : 0, &err) < 0) {
                /* criu copies its script's output into its log. */
                fprintf(stderr, "berth: %s\n", err->msg);
                return 1;
        }
        return 0;
}
