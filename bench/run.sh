#!/usr/bin/env bash
# bench/run.sh — berth vs runc vs crun, side by side.
#
#   (as root) bench/run.sh
#   (as root) RUNTIMES="runc crun" bench/run.sh
#   (as root) BERTH=/path/to/berth bench/run.sh
#
# See bench/README.md for what each scenario measures and the goals.
#
# Environment knobs (defaults in brackets):
#   RUNTIMES       runtimes to compare ["berth runc crun"]. A name with the
#                  suffix "@host" runs in the host's own mount namespace
#                  (hybrid cgroups) instead of the private cgroup2-only one.
#   BERTH          path of the berth binary [berth from PATH]
#   BERTH_HOST     1 = also measure berth@host when berth is listed [1]
#   WARMUP         hyperfine warmup runs for scenarios 1-2 [3]
#   MIN_RUNS       hyperfine --min-runs for scenarios 1-2 [20]
#   MAX_RUNS       hyperfine --max-runs for scenarios 1-2 [300]
#   TEARDOWN_N     containers started per teardown measurement [100]
#   TEARDOWN_RUNS  hyperfine --runs for the teardown scenario [3]
#   RSS_RUNS       creates sampled for the two RSS scenarios (median) [7]
#   OUTDIR         where results-<date>.md and RESULTS.md go [bench/]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: error: $*"; exit 1; }

# ---------------------------------------------------------------------------
# Outer part (host mount namespace): checks, work dir, subreaper, then re-run
# this script as the "inner" part inside a private mount namespace.
# ---------------------------------------------------------------------------
if [ "${1:-}" != __inner ]; then
	[ "$(id -u)" = 0 ] || die "must run as root (bench/run.sh as root)"
	for t in hyperfine jq python3 cc unshare mount ldd readlink stat; do
		command -v "$t" >/dev/null 2>&1 || die "required tool '$t' not found"
	done
	[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"

	BENCH_WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
	export BENCH_WORK BENCH_CMDLINE="$0 $*"
	outer_cleanup() {
		rm -rf "$BENCH_WORK" 2>/dev/null || true
	}
	trap outer_cleanup EXIT
	# Ctrl-C reaches every process of the foreground group; the inner part
	# traps it and cleans up, the outer part just waits for that. (A no-op
	# handler, not SIG_IGN: an ignored signal would be inherited through exec
	# and the inner bash could not trap it.)
	trap ':' INT

	# The subreaper: PID 1 of this host does not reap orphans, and detached
	# containers are orphans. Everything below (including every container
	# init) ends up as a child of this process, which reaps it; whatever is
	# still alive when the inner part has finished is SIGKILLed and reaped.
	cat > "$BENCH_WORK/subreaper.py" <<'PY'
import ctypes, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:          # PR_SET_CHILD_SUBREAPER
    sys.stderr.write("subreaper: prctl failed: %s\n" % os.strerror(ctypes.get_errno()))
    sys.exit(1)
child = os.fork()
if child == 0:
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
def forward(sig, _frame):
    try:
        os.kill(child, sig)
    except ProcessLookupError:
        pass
signal.signal(signal.SIGINT, lambda s, f: None)   # the tty sends it to the child too
signal.signal(signal.SIGTERM, forward)
signal.signal(signal.SIGHUP, forward)
rc = 1
while True:
    try:
        pid, st = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    if pid == child:
        rc = os.waitstatus_to_exitcode(st)
        break
def my_children():
    me, out = str(os.getpid()), []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if f.read().rsplit(")", 1)[1].split()[1] == me:
                        out.append(int(d))
            except (OSError, IndexError):
                pass
    return out
deadline, killed = time.time() + 5, False
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid:
        continue
    if time.time() > deadline:
        left = my_children()
        if not left:
            break
        if killed:
            sys.stderr.write("subreaper: processes still alive: %s\n" % left)
            break
        sys.stderr.write("subreaper: killing %d leftover process(es): %s\n" % (len(left), left))
        for p in left:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed, deadline = True, time.time() + 5
    time.sleep(0.02)
sys.exit(rc)
PY
	rc=0
	python3 "$BENCH_WORK/subreaper.py" \
		unshare -m --propagation private -- bash "$SELF" __inner || rc=$?
	exit "$rc"
fi

# ---------------------------------------------------------------------------
# Inner part: private mount namespace, child of the subreaper.
# ---------------------------------------------------------------------------
WORK=${BENCH_WORK:?}
HOST_NS=/proc/$PPID/ns/mnt            # the subreaper lives in the host namespace
[ "$(readlink "$HOST_NS")" != "$(readlink /proc/self/ns/mnt)" ] ||
	die "not in a private mount namespace"

RUNTIMES=${RUNTIMES:-berth runc crun}
BERTH_HOST=${BERTH_HOST:-1}
WARMUP=${WARMUP:-3}
MIN_RUNS=${MIN_RUNS:-20}
MAX_RUNS=${MAX_RUNS:-300}
TEARDOWN_N=${TEARDOWN_N:-100}
TEARDOWN_RUNS=${TEARDOWN_RUNS:-3}
RSS_RUNS=${RSS_RUNS:-7}
OUTDIR=${OUTDIR:-$HERE}
TAG=bb$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')   # unique per bench run
DATE=$(date +%F)

SHIM="" NSEXEC=""
LABEL=() BIN=() PRELOAD=() WRAP=()
ROOTS=() ROOT_IDX=()                 # every --root dir we handed out, for cleanup
SKIPPED=()
declare -A M                         # metrics: M[scenario,idx,field]

CLEANED=0
cleanup() {
	set +e
	[ "$CLEANED" = 0 ] || return 0
	CLEANED=1
	trap '' INT TERM HUP
	local k i root id n=0
	for k in "${!ROOTS[@]}"; do
		root=${ROOTS[$k]} i=${ROOT_IDX[$k]}
		[ -d "$root" ] || continue
		for id in $(rt "$i" "$root" list -q 2>/dev/null); do
			rt "$i" "$root" delete -f "$id" >/dev/null 2>&1 ||
				say "bench: cleanup: delete -f $id (${LABEL[$i]}) failed"
			n=$((n + 1))
		done
	done
	[ "$n" = 0 ] || say "bench: cleanup: deleted $n leftover container(s)"
	# Cgroups named after our containers that a runtime failed to remove
	# (only ours: every container id contains $TAG). Both views: the private
	# cgroup2 mount and the host's hierarchies (seen through the subreaper).
	# Processes still in them are our containers' processes: SIGKILL them
	# (the subreaper reaps them), then remove the cgroups.
	local d cg cgs=() p
	for d in /sys/fs/cgroup "/proc/$PPID/root/sys/fs/cgroup"; do
		[ -d "$d" ] || continue
		while read -r cg; do cgs+=("$cg"); done < <(find "$d" -maxdepth 6 -depth -type d -name "*$TAG*" 2>/dev/null)
	done
	if [ "${#cgs[@]}" -gt 0 ]; then
		say "bench: cleanup: ${#cgs[@]} leftover cgroup(s) named *$TAG*; killing their processes and removing them"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			p=$(cat "${cgs[@]/%//cgroup.procs}" 2>/dev/null | sort -u)
			[ -n "$p" ] || break
			# shellcheck disable=SC2086
			kill -KILL $p 2>/dev/null
			sleep 0.2
		done
		for cg in "${cgs[@]}"; do
			rmdir "$cg" 2>/dev/null || say "bench: cleanup: could not rmdir $cg"
		done
	fi
	# The LD_PRELOAD shim, helpers, bundles, state dirs.
	[ -z "$SHIM" ] || rm -f "$SHIM"
	rm -rf "${WORK:?}"/* 2>/dev/null || true
}
on_signal() {
	say "bench: interrupted, cleaning up"
	cleanup
	exit 130
}
trap cleanup EXIT
trap on_signal INT TERM HUP

# Run runtime #i with --root ROOT (bash side; not used for timed commands).
rt() {
	local i=$1 root=$2
	shift 2
	# shellcheck disable=SC2086  # WRAP is a word list without spaces in words
	LD_PRELOAD=${PRELOAD[$i]} ${WRAP[$i]} "${BIN[$i]}" --root "$root" "$@"
}
# The same, as a string for sh -c (hyperfine). Only crun gets LD_PRELOAD.
rt_sh() {
	local i=$1 root=$2 s=""
	[ -z "${PRELOAD[$i]}" ] || s="LD_PRELOAD=${PRELOAD[$i]} "
	printf '%s%s%s --root %s' "$s" "${WRAP[$i]:+${WRAP[$i]} }" "${BIN[$i]}" "$root"
}
new_root() {                         # new_root SCENARIO IDX; sets $root
	# (not a $(...) function: the bookkeeping must happen in this shell)
	root="$WORK/roots/$1-$2"
	mkdir -p "$root"
	ROOTS+=("$root") ROOT_IDX+=("$2")
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) exit 1; if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# ---------------------------------------------------------------- namespace --
# cgroup2 on /sys/fs/cgroup, private to this mount namespace. crun 1.8 refuses
# hybrid hosts; runc and berth run in the same setup for a fair comparison.
mount -t cgroup2 cgroup2 /sys/fs/cgroup || die "cannot mount cgroup2 on /sys/fs/cgroup"

# ------------------------------------------------------------------- bundle --
BUNDLE="$WORK/bundle"
if [ -f "$REPO/contrib/busybox-bundle.sh" ]; then
	say "bench: bundle from contrib/busybox-bundle.sh"
	bash "$REPO/contrib/busybox-bundle.sh" "$BUNDLE" >/dev/null ||
		die "contrib/busybox-bundle.sh failed"
	BUNDLE_SRC=contrib/busybox-bundle.sh
else
	say "bench: contrib/busybox-bundle.sh not found; building a throwaway bundle"
	command -v runc >/dev/null 2>&1 || die "fallback bundle needs 'runc spec'"
	bb=${BUSYBOX:-/bin/busybox}
	mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/sys" \
		"$BUNDLE/rootfs/dev" "$BUNDLE/rootfs/tmp" "$BUNDLE/rootfs/etc"
	cp "$bb" "$BUNDLE/rootfs/bin/busybox"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -sfn busybox "$BUNDLE/rootfs/bin/$a"
	done
	(cd "$BUNDLE" && runc spec && jq '.process.terminal=false | .process.args=["sh"]' \
		config.json > config.json.new && mv config.json.new config.json)
	BUNDLE_SRC="throwaway (busybox + runc spec)"
fi
rootpath=$(jq -r .root.path "$BUNDLE/config.json")
case $rootpath in /*) ;; *) rootpath="$BUNDLE/$rootpath" ;; esac
inroot() {                           # first existing applet path inside the rootfs
	local p
	for p in /bin /usr/bin /sbin /usr/sbin; do
		if [ -e "$rootpath$p/$1" ] || [ -L "$rootpath$p/$1" ]; then printf '%s' "$p/$1"; return; fi
	done
	printf '%s' "$1"
}
mkbundle() {                         # mkbundle NAME ARGS_JSON
	mkdir -p "$WORK/$1"
	jq --arg root "$rootpath" --argjson args "$2" \
		'.process.terminal=false | .process.args=$args | .root.path=$root' \
		"$BUNDLE/config.json" > "$WORK/$1/config.json"
}
mkbundle b-true "[\"$(inroot true)\"]"
mkbundle b-sleep "[\"$(inroot sleep)\", \"1000\"]"
B_TRUE="$WORK/b-true" B_SLEEP="$WORK/b-sleep"

# ----------------------------------------------------------------- runtimes --
want=()
for r in $RUNTIMES; do want+=("$r"); done
if [ "$BERTH_HOST" = 1 ] && [[ " $RUNTIMES " == *" berth "* ]] && [[ " $RUNTIMES " != *" berth@host "* ]]; then
	want+=("berth@host")
fi
for r in "${want[@]}"; do
	base=${r%@host}
	if [ "$base" = berth ] && [ -n "${BERTH:-}" ]; then
		bin=$BERTH
		[ -x "$bin" ] || bin=""
	else
		bin=$(command -v "$base" 2>/dev/null || true)
	fi
	if [ -z "$bin" ]; then
		if [ "$base" = berth ]; then
			say "bench: NOTICE: skipping $r: berth not found (not on PATH, BERTH=${BERTH:-unset}); under sudo pass BERTH=/abs/path"
		else
			say "bench: NOTICE: skipping $r: '$base' is not installed"
		fi
		SKIPPED+=("$r: not installed")
		continue
	fi
	i=${#LABEL[@]}
	LABEL[$i]=$r BIN[$i]=$(readlink -f "$bin") PRELOAD[$i]="" WRAP[$i]=""
	if [ "$base" = crun ]; then
		if [ -z "$SHIM" ]; then
			# crun 1.8 raises RLIMIT_MEMLOCK before loading its device eBPF
			# program and aborts when that fails (no CAP_SYS_RESOURCE here).
			SHIM="$WORK/memlock-shim.so"
			cat > "$WORK/memlock-shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>
/* setrlimit/prlimit of RLIMIT_MEMLOCK succeed without doing anything. */
int setrlimit(__rlimit_resource_t r, const struct rlimit *l)
{
	static int (*real)(__rlimit_resource_t, const struct rlimit *);
	if (r == RLIMIT_MEMLOCK) return 0;
	if (!real) real = dlsym(RTLD_NEXT, "setrlimit");
	return real(r, l);
}
int setrlimit64(__rlimit_resource_t r, const struct rlimit64 *l)
{
	static int (*real)(__rlimit_resource_t, const struct rlimit64 *);
	if (r == RLIMIT_MEMLOCK) return 0;
	if (!real) real = dlsym(RTLD_NEXT, "setrlimit64");
	return real(r, l);
}
int prlimit(pid_t p, __rlimit_resource_t r, const struct rlimit *n, struct rlimit *o)
{
	static int (*real)(pid_t, __rlimit_resource_t, const struct rlimit *, struct rlimit *);
	if (!real) real = dlsym(RTLD_NEXT, "prlimit");
	if (r == RLIMIT_MEMLOCK && n) return o ? real(p, r, NULL, o) : 0;
	return real(p, r, n, o);
}
int prlimit64(pid_t p, __rlimit_resource_t r, const struct rlimit64 *n, struct rlimit64 *o)
{
	static int (*real)(pid_t, __rlimit_resource_t, const struct rlimit64 *, struct rlimit64 *);
	if (!real) real = dlsym(RTLD_NEXT, "prlimit64");
	if (r == RLIMIT_MEMLOCK && n) return o ? real(p, r, NULL, o) : 0;
	return real(p, r, n, o);
}
C
			cc -shared -fPIC -O2 -o "$SHIM" "$WORK/memlock-shim.c" -ldl ||
				die "cannot build the RLIMIT_MEMLOCK shim"
		fi
		PRELOAD[$i]=$SHIM
	fi
	if [ "$r" != "$base" ]; then
		if [ -z "$NSEXEC" ]; then
			# setns() into the host mount namespace, then exec: the @host
			# variants pay this one extra exec of a tiny static binary.
			NSEXEC="$WORK/nsexec"
			cat > "$WORK/nsexec.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char cwd[PATH_MAX];
	int have_cwd = getcwd(cwd, sizeof cwd) != NULL, fd;
	if (argc < 3) { fputs("usage: nsexec MNTNS CMD [ARG...]\n", stderr); return 127; }
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNS) != 0) {
		fprintf(stderr, "nsexec: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	close(fd);
	if (have_cwd && chdir(cwd) != 0) { /* cwd not visible there: stay at / */ }
	execvp(argv[2], argv + 2);
	fprintf(stderr, "nsexec: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
C
			cc -static -O2 -o "$NSEXEC" "$WORK/nsexec.c" 2>/dev/null ||
				cc -O2 -o "$NSEXEC" "$WORK/nsexec.c" || die "cannot build nsexec"
		fi
		WRAP[$i]="$NSEXEC $HOST_NS"
	fi
done

# Sanity check: a runtime that cannot run the bundle is skipped, loudly.
keep=()
for i in "${!LABEL[@]}"; do
	new_root sanity "$i"
	id="${TAG}-s$i"
	err="$WORK/sanity-$i.err"
	ok=1
	if ! rt "$i" "$root" run -b "$B_TRUE" "$id" </dev/null >/dev/null 2>"$err"; then
		ok=0
	elif rt "$i" "$root" state "$id" >/dev/null 2>&1; then
		say "bench: WARNING: ${LABEL[$i]}: container still exists after foreground run"
		rt "$i" "$root" delete -f "$id" >/dev/null 2>&1 || true
	fi
	if [ "$ok" = 1 ] && ! { rt "$i" "$root" create -b "$B_SLEEP" "$id-c" </dev/null >/dev/null 2>>"$err" &&
		[ "$(rt "$i" "$root" state "$id-c" 2>>"$err" | jq -r .status)" = created ] &&
		rt "$i" "$root" delete -f "$id-c" >/dev/null 2>>"$err"; }; then
		ok=0
	fi
	if [ "$ok" = 1 ]; then
		keep+=("$i")
	else
		say "bench: NOTICE: skipping ${LABEL[$i]}: sanity check failed:"
		sed 's/^/    /' "$err" | tail -n 5 >&2
		SKIPPED+=("${LABEL[$i]}: sanity check failed ($(tail -n 1 "$err"))")
	fi
done
[ "${#keep[@]}" -gt 0 ] || die "no runtime left to benchmark"
say "bench: runtimes: $(for i in "${keep[@]}"; do printf '%s=%s ' "${LABEL[$i]}" "${BIN[$i]}"; done)"

hf_collect() {                        # hf_collect SCENARIO JSON
	local s=$1 json=$2 k=0 i
	for i in "${keep[@]}"; do
		M[$s,$i,median]=$(jq ".results[$k].median * 1000" "$json")
		M[$s,$i,mean]=$(jq ".results[$k].mean * 1000" "$json")
		M[$s,$i,sd]=$(jq "(.results[$k].stddev // 0) * 1000" "$json")
		M[$s,$i,n]=$(jq ".results[$k].times | length" "$json")
		k=$((k + 1))
	done
}

# ------------------------------------------------- scenario 1: run `true` --
say ""
say "== 1. run true (foreground; the runtime removes the container on exit)"
args=()
for i in "${keep[@]}"; do
	new_root s1 "$i"
	# $$ (the pid of hyperfine's sh) makes the id unique per iteration; `exec`
	# replaces that sh, whose spawn time hyperfine measures and subtracts.
	args+=(-n "${LABEL[$i]}" "$(rt_sh "$i" "$root" | sed 's/^\(LD_PRELOAD=[^ ]* \)\?/&exec /') run -b $B_TRUE ${TAG}-1-$i-\$\$ </dev/null")
done
hyperfine -w "$WARMUP" -m "$MIN_RUNS" -M "$MAX_RUNS" --export-json "$WORK/s1.json" "${args[@]}" >&2
hf_collect s1 "$WORK/s1.json"

# -------------------------------------- scenario 2: create + start + delete --
say ""
say "== 2. create + start + delete of a true container"
args=()
for i in "${keep[@]}"; do
	new_root s2 "$i"
	mkdir -p "$WORK/pids2-$i"
	R=$(rt_sh "$i" "$root")
	c="${TAG}-2-$i-\$\$" pf="$WORK/pids2-$i/\$\$"
	# Wait (sh builtins only) for the container process to exit and be
	# reaped before `delete`, so delete always sees a stopped container.
	args+=(-n "${LABEL[$i]}" "set -e; $R create --pid-file $pf -b $B_TRUE $c </dev/null; $R start $c; read p < $pf || :; while kill -0 \$p 2>/dev/null; do :; done; $R delete $c")
done
hyperfine -w "$WARMUP" -m "$MIN_RUNS" -M "$MAX_RUNS" --export-json "$WORK/s2.json" "${args[@]}" >&2
hf_collect s2 "$WORK/s2.json"

# --------------------------------------------- scenario 3: teardown of 100 --
say ""
say "== 3. teardown: delete -f of $TEARDOWN_N running containers (setup: $TEARDOWN_N x run -d, untimed)"
cat > "$WORK/prep.sh" <<'SH'
# prep.sh CTRFILE N BUNDLE IDPREFIX PRELOAD RUNTIME-CMD...
set -e
ctr=$1 n=$2 bundle=$3 pfx=$4 pre=$5
shift 5
if [ -n "$pre" ]; then export LD_PRELOAD="$pre"; fi
k=0
if [ -f "$ctr" ]; then read k < "$ctr" || :; fi
k=$((k + 1))
echo "$k" > "$ctr"
i=1
while [ "$i" -le "$n" ]; do
	"$@" run -d -b "$bundle" "$pfx$k-$i" </dev/null >/dev/null 2>&1 ||
		{ echo "prep.sh: run -d $pfx$k-$i failed" >&2; exit 1; }
	i=$((i + 1))
done
SH
cat > "$WORK/teardown.sh" <<'SH'
# teardown.sh CTRFILE N IDPREFIX PRELOAD RUNTIME-CMD...   (timed)
ctr=$1 n=$2 pfx=$3 pre=$4
shift 4
if [ -n "$pre" ]; then export LD_PRELOAD="$pre"; fi
read k < "$ctr" || :
rc=0 i=1
while [ "$i" -le "$n" ]; do
	"$@" delete -f "$pfx$k-$i" || rc=1
	i=$((i + 1))
done
exit $rc
SH
args=() preps=()
for i in "${keep[@]}"; do
	new_root s3 "$i"
	R="${WRAP[$i]:+${WRAP[$i]} }${BIN[$i]} --root $root"
	pre=${PRELOAD[$i]:-"''"}
	preps+=(-p "exec sh $WORK/prep.sh $WORK/ctr3-$i $TEARDOWN_N $B_SLEEP ${TAG}-3-$i- $pre $R")
	args+=(-n "${LABEL[$i]}" "exec sh $WORK/teardown.sh $WORK/ctr3-$i $TEARDOWN_N ${TAG}-3-$i- $pre $R")
done
hyperfine -w 0 -r "$TEARDOWN_RUNS" "${preps[@]}" --export-json "$WORK/s3.json" "${args[@]}" >&2
hf_collect s3 "$WORK/s3.json"

# --------------------------- scenario 7: exec `true` into a running container --
# What a Kubernetes exec probe pays: one `exec` of true into a running container (setup:
# one `run -d` of sleep per runtime, untimed; removed right after).
say ""
say "== 7. exec true into a running container"
args=()
for i in "${keep[@]}"; do
	new_root s7 "$i"
	rt "$i" "$root" run -d -b "$B_SLEEP" "${TAG}-7-$i" </dev/null >/dev/null 2>"$WORK/err7" ||
		{ cat "$WORK/err7" >&2; die "${LABEL[$i]}: run -d for the exec scenario failed"; }
	args+=(-n "${LABEL[$i]}" "$(rt_sh "$i" "$root" | sed 's/^\(LD_PRELOAD=[^ ]* \)\?/&exec /') exec ${TAG}-7-$i true </dev/null")
done
hyperfine -w "$WARMUP" -m "$MIN_RUNS" -M "$MAX_RUNS" --export-json "$WORK/s7.json" "${args[@]}" >&2
hf_collect s7 "$WORK/s7.json"
for i in "${keep[@]}"; do
	rt "$i" "$WORK/roots/s7-$i" delete -f "${TAG}-7-$i" >/dev/null 2>&1 || say "bench: delete -f ${TAG}-7-$i failed"
done

# ------------------- scenarios 4+5: peak RSS of `create`, RSS of created init --
say ""
say "== 4+5. peak RSS of the runtime during create; VmRSS of the init in \"created\" state ($RSS_RUNS samples)"
for i in "${keep[@]}"; do
	new_root s45 "$i"
	: > "$WORK/maxrss-$i" && : > "$WORK/initrss-$i"
	for n in $(seq "$RSS_RUNS"); do
		id="${TAG}-45-$i-$n" pf="$WORK/pid45-$i-$n" tf="$WORK/time45-$i-$n"
		# shellcheck disable=SC2086
		LD_PRELOAD=${PRELOAD[$i]} /usr/bin/time -f %M -o "$tf" ${WRAP[$i]} "${BIN[$i]}" --root "$root" \
			create --pid-file "$pf" -b "$B_SLEEP" "$id" </dev/null >/dev/null 2>"$WORK/err45" ||
			{ cat "$WORK/err45" >&2; die "${LABEL[$i]}: create failed"; }
		tail -n 1 "$tf" >> "$WORK/maxrss-$i"
		read -r p < "$pf" || :
		awk '/^VmRSS:/ {print $2}' "/proc/$p/status" >> "$WORK/initrss-$i"
		M[s5,$i,comm]=$(cat "/proc/$p/comm")
		rt "$i" "$root" delete -f "$id" >/dev/null
	done
	M[s4,$i,median]=$(median < "$WORK/maxrss-$i")
	M[s4,$i,min]=$(sort -n "$WORK/maxrss-$i" | head -n 1)
	M[s4,$i,max]=$(sort -n "$WORK/maxrss-$i" | tail -n 1)
	M[s5,$i,median]=$(median < "$WORK/initrss-$i")
	M[s5,$i,min]=$(sort -n "$WORK/initrss-$i" | head -n 1)
	M[s5,$i,max]=$(sort -n "$WORK/initrss-$i" | tail -n 1)
	say "  ${LABEL[$i]}: create peak RSS KiB: $(tr '\n' ' ' < "$WORK/maxrss-$i"); created init (${M[s5,$i,comm]}) VmRSS KiB: $(tr '\n' ' ' < "$WORK/initrss-$i")"
done

# ------------------------------------------------------ scenario 6: size --
for i in "${keep[@]}"; do
	b=${BIN[$i]}
	M[s6,$i,size]=$(stat -c %s "$b")
	if ldd "$b" >/dev/null 2>&1 && ldd "$b" | grep -q '=>'; then
		libs=$(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3}')
		tot=0 names=""
		for l in $libs; do
			tot=$((tot + $(stat -c %s "$(readlink -f "$l")")))
			names="$names ${l##*/}"
		done
		M[s6,$i,nlibs]=$(printf '%s\n' $libs | grep -c .)
		M[s6,$i,libsize]=$tot
		M[s6,$i,libnames]=${names# }
	else
		M[s6,$i,nlibs]=0 M[s6,$i,libsize]=0 M[s6,$i,libnames]=""
	fi
	M[ver,$i]=$(LD_PRELOAD=${PRELOAD[$i]} "$b" --version 2>/dev/null | head -n 1 || echo "?")
done

# nsexec overhead, if any @host column was measured
NSEXEC_NOTE=""
if [ -n "$NSEXEC" ]; then
	hyperfine -N -w 20 -r 300 --export-json "$WORK/ns.json" "$NSEXEC $HOST_NS /bin/true" "/bin/true" >/dev/null 2>&1 &&
		NSEXEC_NOTE=$(jq -r '"\(((.results[0].median - .results[1].median) * 1000000) | round) µs"' "$WORK/ns.json")
fi

# ------------------------------------------------------------------ report --
f2() { awk -v x="$1" 'BEGIN {printf "%.2f", x}'; }
f1() { awk -v x="$1" 'BEGIN {printf "%.1f", x}'; }
mib() { awk -v x="$1" -v d="$2" 'BEGIN {printf "%.2f", x / d}'; }   # mib VALUE DIVISOR
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f×", a / b; else printf "–"}'; }

# value used for ratios, per row
val() {                              # val ROW IDX
	case $1 in
	s1 | s2 | s3 | s4 | s5 | s7) printf '%s' "${M[$1,$2,median]}" ;;
	s6) printf '%s' "${M[s6,$2,size]}" ;;
	esac
}
cell() {                             # cell ROW IDX
	local i=$2
	case $1 in
	s1 | s2 | s7) printf '%s ms (%s ± %s)' "$(f2 "${M[$1,$i,median]}")" "$(f2 "${M[$1,$i,mean]}")" "$(f2 "${M[$1,$i,sd]}")" ;;
	s3) printf '%s ms (%s ms/ctr)' "$(f1 "${M[s3,$i,median]}")" "$(f2 "$(awk -v t="${M[s3,$i,median]}" -v n="$TEARDOWN_N" 'BEGIN {print t / n}')")" ;;
	s4 | s5) printf '%s MiB (%s KiB)' "$(mib "${M[$1,$i,median]}" 1024)" "${M[$1,$i,median]}" ;;
	s6) printf '%s MiB (%s KiB)' "$(mib "${M[s6,$i,size]}" 1048576)" "$(( (M[s6,$i,size] + 1023) / 1024 ))" ;;
	deps)
		if [ "${M[s6,$i,nlibs]}" = 0 ]; then printf 'static'
		else printf '%s libs, %s MiB' "${M[s6,$i,nlibs]}" "$(mib "${M[s6,$i,libsize]}" 1048576)"; fi ;;
	esac
}
declare -A ROWNAME=(
	[s1]="1. \`run\` true"
	[s2]="2. create+start+delete true"
	[s3]="3. teardown: $TEARDOWN_N × \`delete -f\`"
	[s7]="7. \`exec\` true into a running container"
	[s4]="4. runtime peak RSS during \`create\`"
	[s5]="5. init RSS in \"created\" state"
	[s6]="6. binary size"
	[deps]="   dynamic deps (ldd)"
)
idx_of() { local i; for i in "${keep[@]}"; do [ "${LABEL[$i]}" = "$1" ] && { printf '%s' "$i"; return; }; done; }
REF_RUNC=$(idx_of runc) REF_CRUN=$(idx_of crun)

report() {
	local i r ref refs hdr sep
	echo "# berth benchmark — $DATE"
	echo
	echo "Host: $(uname -r), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)."
	echo "Bundle: $BUNDLE_SRC (static busybox rootfs, \`runc spec\`-shaped config, terminal false)."
	echo "Cgroups: each runtime runs in a private mount namespace with cgroup2 mounted on"
	echo "/sys/fs/cgroup (the host is hybrid; crun 1.8 refuses hybrid). A \`@host\` column runs in"
	echo "the host's namespace (hybrid: v1 controllers) through a tiny static setns+exec helper$([ -z "$NSEXEC_NOTE" ] || echo "
(measured overhead of that helper: ~$NSEXEC_NOTE per invocation, included in those numbers)")."
	echo "Other load on the host is not controlled; compare ratios within one run."
	echo "Device control is the same work everywhere: in the private namespace (cgroup v2) every"
	echo "runtime, berth included, loads and attaches a device-control BPF program; in the @host"
	echo "column each writes cgroup v1 devices rules. The bundle has no seccomp profile, so no"
	echo "runtime loads one."
	echo
	echo "Runtimes:"
	for i in "${keep[@]}"; do
		echo "- **${LABEL[$i]}**: \`${BIN[$i]}\` — ${M[ver,$i]}$([ -z "${PRELOAD[$i]}" ] || echo " (run with an LD_PRELOAD shim making setrlimit/prlimit(RLIMIT_MEMLOCK) a no-op)")"
	done
	for r in "${SKIPPED[@]+"${SKIPPED[@]}"}"; do echo "- *skipped* — $r"; done
	if [ -z "$(idx_of berth)" ]; then
		echo
		echo "**berth: column pending** — berth was not built/installed when this was run."
	fi
	echo
	echo "Timings are hyperfine medians (mean ± σ in parentheses); RSS values are medians of"
	echo "$RSS_RUNS creates. Teardown: $TEARDOWN_RUNS runs of $TEARDOWN_N sequential \`delete -f\` of running containers."
	echo
	hdr="| metric |" sep="|---|"
	for i in "${keep[@]}"; do hdr="$hdr ${LABEL[$i]} |" sep="$sep---:|"; done
	echo "$hdr"
	echo "$sep"
	for r in s1 s2 s3 s7 s4 s5 s6 deps; do
		printf '| %s |' "${ROWNAME[$r]}"
		for i in "${keep[@]}"; do printf ' %s |' "$(cell "$r" "$i")"; done
		echo
	done
	echo
	refs=()
	[ -z "$REF_RUNC" ] || refs+=("$REF_RUNC")
	[ -z "$REF_CRUN" ] || refs+=("$REF_CRUN")
	if [ "${#refs[@]}" -gt 0 ]; then
		echo "Ratios (lower is better; computed from the medians above):"
		echo
		hdr="| metric |" sep="|---|"
		for ref in "${refs[@]}"; do
			for i in "${keep[@]}"; do
				[ "$i" = "$ref" ] && continue
				hdr="$hdr ${LABEL[$i]} / ${LABEL[$ref]} |" sep="$sep---:|"
			done
		done
		echo "$hdr"
		echo "$sep"
		for r in s1 s2 s3 s7 s4 s5 s6; do
			printf '| %s |' "${ROWNAME[$r]}"
			for ref in "${refs[@]}"; do
				for i in "${keep[@]}"; do
					[ "$i" = "$ref" ] && continue
					printf ' %s |' "$(ratio "$(val "$r" "$i")" "$(val "$r" "$ref")")"
				done
			done
			echo
		done
		echo
	fi
	echo "Dynamic dependencies (resolved by ldd):"
	for i in "${keep[@]}"; do
		if [ "${M[s6,$i,nlibs]}" = 0 ]; then echo "- ${LABEL[$i]}: none (static)"
		else echo "- ${LABEL[$i]}: ${M[s6,$i,libnames]}"; fi
	done
	echo
	echo "Goals (berth, one run): \`run true\` ≤ 0.7× crun and ≤ 0.25× runc; created-state init RSS < 1 MiB;"
	echo "$TEARDOWN_N-container teardown ≤ 0.5× crun; \`exec\` true ≤ 0.3× runc."
	echo
	local any=0
	for i in "${keep[@]}"; do
		case ${LABEL[$i]} in berth | berth@*) ;; *) continue ;; esac
		any=1
		g() { awk -v a="$1" -v b="$2" -v lim="$3" 'BEGIN {if (b == "") {print "n/a"; exit} r = a / b; printf "%.2f× (%s)", r, (r <= lim ? "PASS" : "FAIL")}'; }
		echo "- ${LABEL[$i]}: run true vs crun $(g "${M[s1,$i,median]}" "${REF_CRUN:+${M[s1,$REF_CRUN,median]}}" 0.7);" \
			"vs runc $(g "${M[s1,$i,median]}" "${REF_RUNC:+${M[s1,$REF_RUNC,median]}}" 0.25);" \
			"created RSS ${M[s5,$i,median]} KiB ($([ "${M[s5,$i,median]%.*}" -lt 1024 ] && echo PASS || echo FAIL));" \
			"teardown vs crun $(g "${M[s3,$i,median]}" "${REF_CRUN:+${M[s3,$REF_CRUN,median]}}" 0.5);" \
			"exec vs runc $(g "${M[s7,$i,median]}" "${REF_RUNC:+${M[s7,$REF_RUNC,median]}}" 0.3)"
	done
	if [ "$any" = 0 ]; then
		echo "- berth: pending (not measured in this run)."
		if [ -n "$REF_RUNC" ] && [ -n "$REF_CRUN" ]; then
			echo "- Targets implied by these runc/crun numbers: \`run true\` ≤ $(awk -v a="${M[s1,$REF_CRUN,median]}" -v b="${M[s1,$REF_RUNC,median]}" 'BEGIN {x = 0.7 * a; y = 0.25 * b; printf "%.2f", (x < y ? x : y)}') ms;" \
				"created-state RSS < 1024 KiB; teardown of $TEARDOWN_N ≤ $(awk -v a="${M[s3,$REF_CRUN,median]}" 'BEGIN {printf "%.0f", 0.5 * a}') ms."
		fi
	fi
}

mkdir -p "$OUTDIR"
report > "$WORK/report.md"
say ""
cat "$WORK/report.md"
cp "$WORK/report.md" "$OUTDIR/results-$DATE.md"
{
	cat "$WORK/report.md"
	echo
	echo "## Reproduce"
	echo
	echo '```sh'
	echo "bench/run.sh   # as root"
	envs=""
	[ -z "${BERTH:-}" ] || envs="$envs BERTH=$BERTH"
	[ "$RUNTIMES" = "berth runc crun" ] || envs="$envs RUNTIMES=\"$RUNTIMES\""
	[ -z "$envs" ] || echo "# this table:$(printf ' sudo%s bench/run.sh' "$envs")"
	echo '```'
} > "$OUTDIR/RESULTS.md"
say ""
say "bench: wrote $OUTDIR/results-$DATE.md and $OUTDIR/RESULTS.md"
