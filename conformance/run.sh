#!/bin/sh
# conformance/run.sh [bats options] [tests...]
#
# Runs the conformance suite under a child subreaper, so that detached
# containers (create / run -d), which get reparented when the runtime exits,
# are reaped by us instead of by PID 1 (which may never reap them).
#
#   RUNTIME            runtime under test, a name on PATH or a path (default: berth)
#   CONF_CGROUP_VIEW   unset: the host's own cgroup layout. "v2": run bats in a
#                      private mount namespace (propagation private, so the host's
#                      mounts are never touched) with cgroup2 mounted on
#                      /sys/fs/cgroup, so the runtime takes its cgroup v2 paths on a
#                      hybrid or legacy host. bats runs in a leaf cgroup
#                      /sys/fs/cgroup/bconf-v2-RUN/runner (v2 allows no process in a
#                      cgroup whose controllers are delegated to children, and runc
#                      puts a default cgroup beside its own); at the end every process
#                      left in that subtree or in a cgroup named after this run's
#                      containers is killed and those cgroups are removed, on failure too.
#                      (A run killed by SIGKILL cannot clean up: the next v2 run removes a
#                      bconf-v2-* subtree older than 10 minutes that has no process in it.)
#
# All arguments are passed to bats. If none of them names an existing file
# or directory, the whole conformance/ directory is run.
#
# Exit status: bats' exit status.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
: "${RUNTIME:=berth}"
export RUNTIME
export CONF_SUBREAPER=1
# The run token (container ids bconf-RUN-N): made here so the v2 view's cleanup
# below knows which cgroups are this run's.
CONF_RUN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
export CONF_RUN
case ${CONF_CGROUP_VIEW:=} in
"" | v2) ;;
*)
	echo "run.sh: CONF_CGROUP_VIEW=$CONF_CGROUP_VIEW: unknown view (unset or v2)" >&2
	exit 2
	;;
esac
export CONF_CGROUP_VIEW

have_path=0
for a in "$@"; do
	if [ -e "$a" ]; then have_path=1; fi
done
if [ "$have_path" = 0 ]; then
	set -- "$@" "$here"
fi

exec python3 -c '
import ctypes, errno, os, signal, sys, time

PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNS = 0x20000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
CGROOT = "/sys/fs/cgroup"
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]

def die(what):
    e = ctypes.get_errno()
    sys.exit("run.sh: %s: %s" % (what, os.strerror(e)))

if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    die("prctl(PR_SET_CHILD_SUBREAPER)")

view = os.environ.get("CONF_CGROUP_VIEW", "")
run_token = os.environ["CONF_RUN"]
top = runner = None
if view == "v2":
    # This process (and so bats and the runtime) gets a mount namespace of its
    # own; every mount in it is made private first, so nothing done here or
    # by the tests propagates to the host. The namespace ends with its last
    # process. cgroup2 over /sys/fs/cgroup hides the v1 hierarchies: the
    # runtime sees a unified host. The cgroup tree itself is the one
    # cgroup2 hierarchy (on a hybrid host also at /sys/fs/cgroup/unified).
    if libc.unshare(CLONE_NEWNS) != 0:
        die("unshare(CLONE_NEWNS)")
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        die("make / private in the new mount namespace")
    if libc.mount(b"cgroup2", CGROOT.encode(), b"cgroup2", 0, None) != 0:
        die("mount cgroup2 on " + CGROOT)
    # The view of a run that was killed (SIGKILL leaves no time to clean up):
    # an old bconf-v2-* subtree with no process in it is removed. A live run
    # has bats in its runner within milliseconds of making it.
    for name in os.listdir(CGROOT):
        old = os.path.join(CGROOT, name)
        if not name.startswith("bconf-v2-") or not os.path.isdir(old):
            continue
        try:
            if time.time() - os.stat(old).st_ctime < 600:
                continue
            tree = [d for d, _, _ in os.walk(old)]
            busy = False
            for d in tree:
                with open(d + "/cgroup.procs") as f:
                    busy = busy or bool(f.read().strip())
            if busy:
                continue
            for d in sorted(tree, key=lambda d: d.count("/"), reverse=True):
                os.rmdir(d)
            sys.stderr.write("run.sh: v2 view: removed %s, left by a killed run\n" % old)
        except OSError:
            pass
    top = "%s/bconf-v2-%s" % (CGROOT, run_token)
    runner = top + "/runner"
    os.mkdir(top)
    try:
        os.mkdir(runner)
    except OSError as e:
        os.rmdir(top)
        sys.exit("run.sh: mkdir %s: %s" % (runner, e.strerror))

def cgroup_procs(d):
    try:
        with open(d + "/cgroup.procs") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []

def view_cleanup():
    """Kill what is left in the cgroups of this run, remove them; return the leftovers to report."""
    mine = []
    for d, subdirs, _ in os.walk(CGROOT):
        if d == top or d.startswith(top + "/") or ("bconf-%s-" % run_token) in os.path.basename(d):
            mine.append(d)
        elif d.count("/") - CGROOT.count("/") >= 8:
            subdirs[:] = []
    mine.sort(key=lambda d: d.count("/"), reverse=True)
    left_procs = sorted({p for d in mine for p in cgroup_procs(d)})
    # Only this run put processes there (its runner and its containers, all
    # descendants of this subreaper): kill them and reap them.
    for _ in range(100):
        procs = [p for d in mine for p in cgroup_procs(d)]
        if not procs:
            break
        for d in mine:
            try:
                with open(d + "/cgroup.kill", "w") as f:
                    f.write("1")
            except OSError:
                for p in cgroup_procs(d):
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.05)
    left_dirs = [d for d in mine if d not in (top, runner)]
    failed = []
    for d in mine:
        for _ in range(100):
            try:
                os.rmdir(d)
                break
            except FileNotFoundError:
                break
            except OSError as e:
                if e.errno != errno.EBUSY:
                    failed.append("%s (%s)" % (d, e.strerror))
                    break
                time.sleep(0.05)
        else:
            failed.append("%s (busy)" % d)
    return left_procs, left_dirs, failed

# Forward the usual termination signals to bats (installed before the fork, so
# that no signal can end this process before its cleanup below).
pid = 0
def fwd(sig, _frame):
    if pid <= 0:
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, fwd)

try:
    pid = os.fork()
except OSError as e:
    if top:
        view_cleanup()
    sys.exit("run.sh: fork: %s" % e.strerror)
if pid == 0:
    try:
        if runner:
            with open(runner + "/cgroup.procs", "w") as f:
                f.write(str(os.getpid()))
        os.execvp("bats", ["bats"] + sys.argv[1:])
    except OSError as e:
        os.write(2, ("run.sh: cannot exec bats: %s\n" % e).encode())
        os._exit(127)

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
if top:
    procs, dirs, failed = view_cleanup()
    if procs:
        sys.stderr.write("run.sh: v2 view: killed processes left in the cgroups of this run: %s\n" % " ".join(map(str, procs)))
    if dirs:
        sys.stderr.write("run.sh: v2 view: removed cgroups left behind: %s\n" % " ".join(dirs))
    if failed:
        sys.stderr.write("run.sh: v2 view: cannot remove cgroups: %s\n" % " ".join(failed))
    if (procs or dirs or failed) and code == 0:
        code = 1
sys.exit(code if code is not None else 1)
' "$@"
