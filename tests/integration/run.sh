#!/bin/sh
# tests/integration/run.sh [bats options] [tests...]
#
# Runs the integration suite under a child subreaper, so that detached
# containers (create / run -d), which get reparented when the runtime exits,
# are reaped by us instead of by PID 1 (which may never reap them).
#
#   BERTH     berth under test, a name on PATH or a path (default: berth)
#   RUNC      runc to compare with (default: runc)
#
# All arguments are passed to bats. If none of them names an existing file
# or directory, the whole tests/integration/ directory is run.
#
# Exit status: bats' exit status.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
: "${BERTH:=berth}"
export BERTH
export IT_SUBREAPER=1

have_path=0
for a in "$@"; do
	if [ -e "$a" ]; then have_path=1; fi
done
if [ "$have_path" = 0 ]; then
	set -- "$@" "$here"
fi

exec python3 -c '
import ctypes, os, signal, sys

PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    e = ctypes.get_errno()
    sys.exit("run.sh: prctl(PR_SET_CHILD_SUBREAPER): " + os.strerror(e))

pid = os.fork()
if pid == 0:
    try:
        os.execvp("bats", ["bats"] + sys.argv[1:])
    except OSError as e:
        os.write(2, ("run.sh: cannot exec bats: %s\n" % e).encode())
        os._exit(127)

# Forward the usual termination signals to bats.
def fwd(sig, _frame):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, fwd)

code = None
while code is None:
    try:
        wpid, st = os.wait()
    except InterruptedError:
        continue
    except ChildProcessError:
        break
    if wpid == pid:
        code = os.waitstatus_to_exitcode(st)
        if code < 0:
            code = 128 - code

# bats is done: reap whatever already exited, report anything still alive
# (a leaked container process is a test failure in its own right).
leaked = []
while True:
    try:
        wpid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if wpid == 0:
        # children remain and are still running
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[1] == str(os.getpid()) and fields[0] != "Z":
                leaked.append(d + " " + stat.split("(", 1)[1].rsplit(")", 1)[0])
        break
if leaked:
    sys.stderr.write("run.sh: processes leaked by the suite (still running): %s\n" % ", ".join(leaked))
    if code == 0:
        code = 1
sys.exit(code if code is not None else 1)
' "$@"
