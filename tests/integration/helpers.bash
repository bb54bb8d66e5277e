# shellcheck shell=bash
# tests/integration/helpers.bash: common helpers for berth's integration suite (runs as root).
#
#     load helpers
#     setup()    { bundle_new; }     # fresh $BUNDLE with the busybox rootfs, unique $ID
#     teardown() { bundle_cleanup; } # delete -f, kill recorded pids, unmount, rmdir cgroups
#
# Variables in a test:
#   BERTH   the runtime under test ($BERTH: a name on PATH or a path; default: berth)
#   RUNC    runc, for the tests that compare berth with it ($RUNC; default: runc)
#   ROOT    fresh state directory (passed as --root), made by bundle_new
#   RUNC_ROOT  fresh --root for runc (same lifetime as ROOT)
#   ID      container id, unique per test and per run
#   BUNDLE  $BATS_TEST_TMPDIR/bundle, made by bundle_new
#   T       $BATS_TEST_TMPDIR
#
# Nothing here is loaded from conformance/: tests/ stands alone.

bats_require_minimum_version 1.5.0

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_REPO=$(cd "$IT_DIR/../.." && pwd)
# shellcheck disable=SC2034 # used by the .bats files
IT_HELPERS=$IT_REPO/tests/helpers

# it_resolve NAME-OR-PATH: absolute path of an executable, or nothing.
it_resolve() {
	if [[ $1 == */* ]]; then
		readlink -f -- "$1" 2>/dev/null
	else
		command -v -- "$1" 2>/dev/null
	fi
}

BERTH=$(it_resolve "${BERTH:-berth}")
RUNC=$(it_resolve "${RUNC:-runc}")

# Seconds any single runtime invocation may take before it is killed.
: "${IT_TIMEOUT:=20}"

# bundle_new: fresh $ROOT, $RUNC_ROOT, $ID and a copy of the busybox bundle at $BUNDLE.
bundle_new() {
	T=$BATS_TEST_TMPDIR
	[[ -n $BERTH && -x $BERTH ]] || {
		echo "berth not found (set BERTH=/path/to/berth)" >&2
		return 1
	}
	[[ -n ${IT_TEMPLATE:-} && -x $IT_TEMPLATE/rootfs/bin/busybox ]] || {
		echo "bundle template missing: setup_suite did not run" >&2
		return 1
	}
	ROOT=$(mktemp -d "${TMPDIR:-/tmp}/berth-it-root.XXXXXX")
	RUNC_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/berth-it-runc.XXXXXX")
	ID="bit-${IT_RUN:-x$RANDOM}-${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}"
	: >"$T/.pids"
	: >"$T/.mounts"
	: >"$T/.cgroups"
	BUNDLE=$T/bundle
	rm -rf "$BUNDLE"
	cp -a "$IT_TEMPLATE" "$BUNDLE"
}

# spec_edit 'jq filter' [jq options...]: edit $BUNDLE/config.json in place.
spec_edit() {
	local filter=$1 cfg=$BUNDLE/config.json
	shift
	jq "$@" "$filter" <"$cfg" >"$cfg.new" && mv -f "$cfg.new" "$cfg"
}

# set_args ARG...: process.args = [ARG...]
set_args() {
	local a argv=
	for a in "$@"; do
		argv+=${argv:+,}$(printf '%s' "$a" | jq -Rs .) || return 1
	done
	# shellcheck disable=SC2016 # $argv is jq's
	spec_edit '.process.args = $argv' --argjson argv "[$argv]"
}

# ---------------------------------------------------------------------------
# running the runtimes

# rt ARGS...: "$BERTH" --root "$ROOT" ARGS..., bounded by a timeout.
rt() {
	timeout -k 5 "$IT_TIMEOUT" "$BERTH" --root "$ROOT" "$@"
}

# runc_rt ARGS...: runc with its own root, for comparisons.
runc_rt() {
	[[ -n $RUNC && -x $RUNC ]] || {
		echo "runc not found (set RUNC=/path/to/runc): this test compares berth with it" >&2
		return 1
	}
	timeout -k 5 "$IT_TIMEOUT" "$RUNC" --root "$RUNC_ROOT" "$@"
}

# it_capture CMD...: run CMD with stdin </dev/null and stdout/stderr going to files, so
# that a container that starts (wrongly or not) cannot hold bats' pipes open.
# Sets status, output (stdout) and stderr like bats' `run --separate-stderr`.
it_capture() {
	local rc=0
	"$@" </dev/null >"$T/cap.out" 2>"$T/cap.err" || rc=$?
	status=$rc
	output=$(<"$T/cap.out")
	stderr=$(<"$T/cap.err")
}

# brun ARGS...: it_capture rt ARGS...
brun() { it_capture rt "$@"; }
# runc_run ARGS...: it_capture runc_rt ARGS...
runc_run() { it_capture runc_rt "$@"; }

# ctr_create [create options]: create $ID from $BUNDLE (detached, stdio to files).
ctr_create() {
	rt create --bundle "$BUNDLE" "$@" "$ID" </dev/null >>"$T/ctr.out" 2>>"$T/ctr.err" || {
		echo "create $ID failed: $(cat "$T/ctr.err")" >&2
		return 1
	}
}

# ctr_run_d [run options]: run -d $ID from $BUNDLE (stdio to files).
ctr_run_d() {
	rt run -d --bundle "$BUNDLE" "$@" "$ID" </dev/null >>"$T/ctr.out" 2>>"$T/ctr.err" || {
		echo "run -d $ID failed: $(cat "$T/ctr.err")" >&2
		return 1
	}
}

# state_field FIELD [ID]: one field of `berth state`.
state_field() {
	rt state "${2:-$ID}" | jq -r ".$1"
}

# wait_status STATUS [ID] [TIMEOUT_S]: poll `berth state` until the status matches.
wait_status() {
	local want=$1 id=${2:-$ID} tmo=${3:-10} i st=
	for ((i = 0; i < tmo * 50; i++)); do
		st=$(rt state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || st=
		[[ $st == "$want" ]] && return 0
		sleep 0.02
	done
	echo "container $id: status '$st', wanted '$want' after ${tmo}s" >&2
	return 1
}

# wait_file FILE [TIMEOUT_S]: poll until FILE exists.
wait_file() {
	local f=$1 tmo=${2:-10} i
	for ((i = 0; i < tmo * 50; i++)); do
		[[ -e $f ]] && return 0
		sleep 0.02
	done
	echo "timeout waiting for $f" >&2
	return 1
}

# pid_alive PID: PID exists and is not a zombie.
pid_alive() {
	local st
	st=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}

# wait_pid_gone PID [TIMEOUT_S]
wait_pid_gone() {
	local pid=$1 tmo=${2:-10} i
	for ((i = 0; i < tmo * 50; i++)); do
		pid_alive "$pid" || return 0
		sleep 0.02
	done
	echo "pid $pid still alive after ${tmo}s" >&2
	return 1
}

# ctr_pids [ID]: host pids in the container's pids cgroup (v1) or unified cgroup.
ctr_pids() {
	local pid cg
	pid=$(state_field pid "${1:-$ID}") || return 1
	cg=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")
	if [[ -n $cg && -r /sys/fs/cgroup/pids$cg/cgroup.procs ]]; then
		cat "/sys/fs/cgroup/pids$cg/cgroup.procs"
		return
	fi
	cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	cat "/sys/fs/cgroup/unified$cg/cgroup.procs" 2>/dev/null || cat "/sys/fs/cgroup$cg/cgroup.procs"
}

# assert_in_container_cgroups PID: every line of /proc/PID/cgroup (every hierarchy, v1 and v2)
# names the container's own cgroup, .../$ID.
assert_in_container_cgroups() {
	local line n=0
	while IFS= read -r line; do
		[[ $line == */"$ID" ]] || {
			printf 'pid %s is not in the cgroup of %s: %s\n' "$1" "$ID" "$line" >&2
			return 1
		}
		n=$((n + 1))
	done <"/proc/$1/cgroup"
	((n > 0))
}

# assert_cgroups_of_init_and_exec: run $BUNDLE detached as $ID (a sleep), then its init and a
# detached exec'd process are in the container's cgroups (assert_in_container_cgroups); then
# kill and delete it.
assert_cgroups_of_init_and_exec() {
	local epid
	set_args sleep 100
	ctr_run_d
	assert_in_container_cgroups "$(state_field pid)"
	rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 100 </dev/null >/dev/null 2>&1
	epid=$(cat "$T/exec.pid")
	record_pid "$epid"
	assert_in_container_cgroups "$epid"
	rt kill "$ID" KILL
	wait_status stopped
	brun delete "$ID"
	assert_status 0
}

# record_pid PID: a host process the test started; killed in teardown.
record_pid() { echo "$1" >>"$T/.pids"; }
# record_mount PATH: a mount the test made; unmounted in teardown.
record_mount() { echo "$1" >>"$T/.mounts"; }
# record_cgroup DIR: a cgroup directory the test made; removed in teardown.
record_cgroup() { echo "$1" >>"$T/.cgroups"; }

# ---------------------------------------------------------------------------
# assertions (they print what they expected and what they saw)

assert_status() {
	if [[ $status -ne $1 ]]; then
		printf 'expected exit status %s, got %s\nstdout: %s\nstderr: %s\n' "$1" "$status" "$output" "${stderr:-}" >&2
		return 1
	fi
}

# assert_eq ACTUAL EXPECTED [what]
assert_eq() {
	if [[ $1 != "$2" ]]; then
		printf '%s:\n  expected [%s]\n  got      [%s]\n' "${3:-value}" "$2" "$1" >&2
		return 1
	fi
}

# assert_contains HAYSTACK NEEDLE [what]: literal substring match.
assert_contains() {
	if [[ $1 != *"$2"* ]]; then
		printf '%s:\n  expected to contain [%s]\n  got [%s]\n' "${3:-value}" "$2" "$1" >&2
		return 1
	fi
}

# assert_match HAYSTACK ERE [what]
assert_match() {
	if ! [[ $1 =~ $2 ]]; then
		printf '%s:\n  expected to match /%s/\n  got [%s]\n' "${3:-value}" "$2" "$1" >&2
		return 1
	fi
}

# errmsg [TEXT]: the error message(s) in TEXT (default: $stderr), one a line, whether the runtime
# printed the bare message or logrus text (time="…" level=error msg="…", runc's form without --log).
errmsg() {
	local line out='' re='^time="[^"]*" level=[a-z]+ msg="(.*)"$'
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			line=$(printf '%s' "${BASH_REMATCH[1]}" | sed -e 's/\\"/"/g' -e 's/\\\\/\\/g')
		fi
		out+=${out:+$'\n'}$line
	done <<<"${1-$stderr}"
	printf '%s\n' "$out"
}

# assert_no_cgroup [ID]: no cgroup directory named ID in any hierarchy under /sys/fs/cgroup.
assert_no_cgroup() {
	local cg
	cg=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 10 -type d -name "${1:-$ID}" 2>/dev/null || true)
	if [[ -n $cg ]]; then
		printf 'cgroups named %s left behind:\n%s\n' "${1:-$ID}" "$cg" >&2
		return 1
	fi
}

# assert_no_process [ID]: no process whose command line names the container id (berth's own
# children before exec) or whose root directory is the bundle's rootfs (the container's processes,
# pivoted or not). Call it when no other container of $BUNDLE is running.
assert_no_process() {
	local id=${1:-$ID} f p rootfs found=
	rootfs=$(stat -L -c %d:%i "$BUNDLE/rootfs")
	# (globs are expanded before grep and stat run, so they never see themselves)
	for f in $(grep -lsF -- "$id" /proc/[0-9]*/cmdline) \
		$(stat -L -c '%d:%i %n' /proc/[0-9]*/root 2>/dev/null | awk -v r="$rootfs" '$1 == r { print $2 }'); do
		p=${f#/proc/}
		p=${p%%/*}
		[[ $p == "$$" || $p == "$BASHPID" ]] && continue
		pid_alive "$p" || continue
		found+="$p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"$'\n'
	done
	if [[ -n $found ]]; then
		printf 'processes of container %s left behind:\n%s' "$id" "$found" >&2
		return 1
	fi
}

# assert_no_container [ID]: state fails with "container does not exist", no $ROOT/ID, no
# cgroup and no process named after it.
assert_no_container() {
	local id=${1:-$ID} out
	if out=$(rt state "$id" 2>&1); then
		echo "container $id still exists: $out" >&2
		return 1
	fi
	assert_contains "$out" "container does not exist" "state $id after failure"
	if [[ -e $ROOT/$id ]]; then
		echo "state dir $ROOT/$id left behind" >&2
		return 1
	fi
	assert_no_cgroup "$id"
	assert_no_process "$id"
}

# ---------------------------------------------------------------------------
# teardown

# bundle_cleanup: `delete -f` every container in $ROOT (and runc's in $RUNC_ROOT), kill recorded
# pids, unmount recorded mounts, remove recorded cgroups and $ROOT. Fails the test if a cgroup
# named $ID is left after the runtime's own delete.
bundle_cleanup() {
	local rc=0 id pid m cg self_pidns
	[[ -n ${ROOT:-} ]] || return 0

	# Container processes to double-check after delete -f.
	: >"$T/.ctrpids"
	if [[ -d $ROOT ]]; then
		for id in $({ rt list -q 2>/dev/null; ls -A "$ROOT"; } | sort -u); do
			pid=$(rt state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null) || pid=0
			if [[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]]; then echo "$pid" >>"$T/.ctrpids"; fi
			rt delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	if [[ -d ${RUNC_ROOT:-} && -n $RUNC && -n $(ls -A "$RUNC_ROOT") ]]; then
		for id in "$RUNC_ROOT"/*; do
			id=${id##*/}
			timeout -k 5 "$IT_TIMEOUT" "$RUNC" --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi

	while read -r pid; do
		[[ $pid =~ ^[0-9]+$ ]] || continue
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done <"$T/.pids"

	# Only ever kill a pid that is still in another pid namespace (a container process that
	# survived delete -f), never a recycled host pid.
	self_pidns=$(readlink /proc/self/ns/pid)
	while read -r pid; do
		if pid_alive "$pid" && [[ $(readlink "/proc/$pid/ns/pid" 2>/dev/null) != "$self_pidns" ]]; then
			echo "cleanup: container process $pid survived 'delete -f'" >&2
			kill -KILL "$pid" 2>/dev/null || true
			rc=1
		fi
	done <"$T/.ctrpids"

	sort -r "$T/.mounts" | while read -r m; do
		if [[ -n $m ]]; then umount -l "$m" 2>/dev/null || true; fi
	done

	# Recorded cgroups are the test's own; one named $ID is a leak from the runtime.
	sort -r "$T/.cgroups" | while read -r cg; do
		if [[ -n $cg ]]; then rmdir "$cg" 2>/dev/null || true; fi
	done
	cg=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 10 -depth -type d -name "$ID" 2>/dev/null || true)
	if [[ -n $cg ]]; then
		echo "cleanup: cgroups left behind by the runtime: $cg" >&2
		rc=1
		for m in $cg; do rmdir "$m" 2>/dev/null || true; done
	fi

	rm -rf "$ROOT" "$RUNC_ROOT"
	return $rc
}
