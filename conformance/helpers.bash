# shellcheck shell=bash
# Common helpers for the OCI runtime conformance suite.
#
# Usage in a .bats file:
#     load helpers
# which installs setup()/teardown() (override them and call conf_setup /
# conf_teardown yourself if a file needs more).
#
# Variables available in a test:
#   RT      absolute path of the runtime under test ($RUNTIME: name or path)
#   ROOT    fresh state directory for this test (passed as --root)
#   ID      container id, unique per test (contains the run token)
#   BUNDLE  set by bundle_new: $BATS_TEST_TMPDIR/bundle
#   T       shorthand for $BATS_TEST_TMPDIR
#   CTR_OUT / CTR_ERR  files receiving stdio of detached containers
#
# Functions: rt, rt_ns, bundle_new, spec_edit, set_args, ctr_run, rt_create,
#   rt_run_d, wait_status, state_field, record_pid, record_mount, pid_alive,
#   wait_pid_gone, wait_file, host_ns, assert_*, bundle_cleanup; cgroups as
#   the runtime sees them: cgv_layout, cgv_mounts, cgv_paths, cgv_path, cgv_dir,
#   cgv_dirs, cgv_has, cgv_require, cgv_record.

bats_require_minimum_version 1.5.0

CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Resolve the runtime again here so a test file run without setup_suite
# (e.g. a broken bats) still fails loudly instead of silently using nothing.
if [[ -n ${CONF_RT:-} ]]; then
	RT=$CONF_RT
elif [[ ${RUNTIME:-berth} == */* ]]; then
	RT=$(readlink -f -- "${RUNTIME}")
else
	RT=$(command -v -- "${RUNTIME:-berth}" || true)
fi

# Seconds any single runtime invocation may take before it is killed.
: "${CONF_RT_TIMEOUT:=30}"

conf_setup() {
	T=$BATS_TEST_TMPDIR
	[[ -n $RT && -x $RT ]] || {
		echo "runtime '${RUNTIME:-berth}' not found" >&2
		return 1
	}
	[[ -n ${CONF_TEMPLATE:-} && -d $CONF_TEMPLATE/rootfs ]] || {
		echo "bundle template missing: setup_suite did not run" >&2
		return 1
	}
	ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bconf-root.XXXXXX")
	local n=${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}
	ID="bconf-${CONF_RUN:-x$RANDOM}-$n"
	CTR_OUT=$T/ctr.out
	CTR_ERR=$T/ctr.err
	: >"$CTR_OUT"
	: >"$CTR_ERR"
	: >"$T/.pids"
	: >"$T/.mounts"
	: >"$T/.ctrpids"
	: >"$T/.cgroups"
	BUNDLE=
}

conf_teardown() {
	bundle_cleanup
}

setup() { conf_setup; }
teardown() { conf_teardown; }

# ---------------------------------------------------------------------------
# runtime invocation

# rt ARGS...  ==  "$RT" --root "$ROOT" ARGS...   (bounded by a timeout)
rt() {
	timeout -k 5 "$CONF_RT_TIMEOUT" "$RT" --root "$ROOT" "$@"
}

# rt_ns "UNSHARE-OPTS" ARGS...: run the runtime inside fresh host namespaces
# (e.g. "--uts" or "--net"), so a runtime that wrongly applies a setting to
# "the host" only damages a throw-away namespace.
rt_ns() {
	local opts=$1
	shift
	# shellcheck disable=SC2086
	timeout -k 5 "$CONF_RT_TIMEOUT" unshare $opts -- "$RT" --root "$ROOT" "$@"
}

# ---------------------------------------------------------------------------
# bundles

# bundle_new [DIR]: fresh copy of the template bundle (default $T/bundle).
bundle_new() {
	BUNDLE=${1:-$T/bundle}
	rm -rf "$BUNDLE"
	cp -a "$CONF_TEMPLATE" "$BUNDLE"
}

# spec_edit 'jq filter' [jq options...]: edit $BUNDLE/config.json in place.
spec_edit() {
	local filter=$1
	shift
	local cfg=$BUNDLE/config.json
	jq "$@" "$filter" <"$cfg" >"$cfg.new" && mv -f "$cfg.new" "$cfg"
}

# set_args ARG...: process.args = [ARG...]
set_args() {
	# (not jq --args: jq would parse a "-c" among the args as its own option)
	local a argv=
	for a in "$@"; do
		argv+=${argv:+,}$(printf '%s' "$a" | jq -Rs .) || return 1
	done
	spec_edit '.process.args = $argv' --argjson argv "[$argv]"
}

# ctr_run [ARG...]: (optionally set process.args, then) run the container in
# the foreground with stdin </dev/null. Sets bats' $status, $output (container
# stdout + runtime stdout) and $stderr.
ctr_run() {
	if (($#)); then set_args "$@"; fi
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	if [[ $status -ne 0 ]]; then
		echo "# rt run exit status $status; stderr: $stderr" >&2
	fi
}

# rt_create [runtime create options]: create $ID detached; stdio -> files so no
# pipe of the caller is held open by the container.
rt_create() {
	rt create --bundle "$BUNDLE" "$@" "$ID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
}

# rt_run_d [runtime run options]: run -d $ID, stdio -> files.
rt_run_d() {
	rt run -d --bundle "$BUNDLE" "$@" "$ID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
}

# state_field FIELD [ID]: print one field of `rt state`.
state_field() {
	rt state "${2:-$ID}" | jq -r ".$1"
}

# wait_status STATUS [ID] [TIMEOUT_S]: poll `rt state` until status matches.
wait_status() {
	local want=$1 id=${2:-$ID} tmo=${3:-10} i st=
	for ((i = 0; i < tmo * 20; i++)); do
		st=$(rt state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || st=
		[[ $st == "$want" ]] && return 0
		sleep 0.05
	done
	echo "container $id: status '$st', wanted '$want' after ${tmo}s" >&2
	return 1
}

# wait_file FILE REGEX [TIMEOUT_S]: poll until FILE contains a line matching REGEX.
wait_file() {
	local f=$1 re=$2 tmo=${3:-10} i
	for ((i = 0; i < tmo * 20; i++)); do
		grep -qE -- "$re" "$f" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timeout waiting for /$re/ in $f; content:" >&2
	cat "$f" >&2 2>/dev/null || true
	return 1
}

# pid_alive PID: true if PID exists and is not a zombie.
pid_alive() {
	local st
	st=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}

# wait_pid_gone PID [TIMEOUT_S]
wait_pid_gone() {
	local pid=$1 tmo=${2:-10} i
	for ((i = 0; i < tmo * 20; i++)); do
		pid_alive "$pid" || return 0
		sleep 0.05
	done
	echo "pid $pid still alive after ${tmo}s" >&2
	return 1
}

# record_pid PID: a host process this test started; killed in teardown.
record_pid() { echo "$1" >>"$T/.pids"; }
# record_mount PATH: a host mount this test made; unmounted in teardown.
record_mount() { echo "$1" >>"$T/.mounts"; }

# host_ns TYPE: inode of the test process' namespace of TYPE (e.g. net).
host_ns() { stat -L -c %i "/proc/self/ns/$1"; }

# ---------------------------------------------------------------------------
# assertions (print expected/actual on failure)

assert_status() {
	if [[ $status -ne $1 ]]; then
		echo "expected exit status $1, got $status" >&2
		echo "output: $output" >&2
		echo "stderr: ${stderr:-}" >&2
		return 1
	fi
}

assert_fail() {
	if [[ $status -eq 0 ]]; then
		echo "expected failure, got exit status 0" >&2
		echo "output: $output" >&2
		return 1
	fi
}

assert_output() {
	if [[ $output != "$1" ]]; then
		printf 'expected output:\n%s\nactual output:\n%s\nstderr:\n%s\n' "$1" "$output" "${stderr:-}" >&2
		return 1
	fi
}

# assert_eq ACTUAL EXPECTED [what]
assert_eq() {
	if [[ $1 != "$2" ]]; then
		printf '%s: expected [%s], got [%s]\n' "${3:-value}" "$2" "$1" >&2
		return 1
	fi
}

# assert_line REGEX: some line of $output matches
assert_line() {
	if ! grep -qE -- "$1" <<<"$output"; then
		printf 'no output line matches /%s/; output:\n%s\nstderr:\n%s\n' "$1" "$output" "${stderr:-}" >&2
		return 1
	fi
}

refute_line() {
	if grep -qE -- "$1" <<<"$output"; then
		printf 'unexpected output line matching /%s/; output:\n%s\n' "$1" "$output" >&2
		return 1
	fi
}

# assert_no_container [ID]: the runtime has no trace of the container:
# `state` fails, it is not listed, no state dir entry and no cgroup named
# after it.
assert_no_container() {
	local id=${1:-$ID} cg
	if rt state "$id" >/dev/null 2>&1; then
		echo "container $id still exists (state succeeded)" >&2
		return 1
	fi
	if rt list -q 2>/dev/null | grep -qxF -- "$id"; then
		echo "container $id still listed" >&2
		return 1
	fi
	# ids that are not plain names (invalid-id tests) cannot name a
	# state dir or cgroup; callers check $ROOT as a whole for those
	if [[ ! $id =~ ^[A-Za-z0-9_+.-]+$ || $id == . || $id == .. ]]; then
		return 0
	fi
	if [[ -e $ROOT/$id ]]; then
		echo "state dir $ROOT/$id left behind" >&2
		return 1
	fi
	cg=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$id" 2>/dev/null || true)
	if [[ -n $cg ]]; then
		echo "cgroups left behind: $cg" >&2
		return 1
	fi
}

# ---------------------------------------------------------------------------
# cgroups, located the way the runtime under test finds them: from this
# process' /proc/self/mountinfo (the hierarchies it can see) and
# /proc/PID/cgroup (where PID is in each). run.sh's CONF_CGROUP_VIEW=v2 shows
# a unified host (cgroup2 on /sys/fs/cgroup) on a hybrid one; the v1 lines of
# /proc/PID/cgroup then name hierarchies the runtime cannot see, and are ignored.

# cgv_layout: "unified" (cgroup2 on /sys/fs/cgroup), "hybrid" (v1 hierarchies
# and a cgroup2 mount) or "legacy" (v1 only).
cgv_layout() {
	if [[ $(stat -f -c %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; then
		echo unified
	elif [[ -n $(cgv_mounts | awk -F '\t' '$2 == ""') ]]; then
		echo hybrid
	else
		echo legacy
	fi
}

# cgv_mounts: "MOUNTPOINT<TAB>CONTROLLERS" for each cgroup hierarchy mounted
# and not hidden by a later mount at or above it; CONTROLLERS is the v1
# list ("cpu", "name=systemd") or empty for cgroup2.
cgv_mounts() {
	awk '
	{
		for (i = 7; i <= NF && $i != "-"; i++)
			;
		fs = $(i + 1); so = $(i + 3); mp = $5
		for (k in M)
			if (k == mp || index(k, mp "/") == 1 || mp == "/")
				delete M[k]
		if ((fs == "cgroup" || fs == "cgroup2") && $4 == "/") {
			c = ""
			if (fs == "cgroup") {
				n = split(so, o, ",")
				for (j = 1; j <= n; j++)
					if (o[j] !~ /^(rw|ro|clone_children|noprefix|xattr|cpuset_v2_mode|release_agent=.*)$/)
						c = c (c == "" ? "" : ",") o[j]
			}
			M[mp] = fs == "cgroup2" ? "" : c
		}
	}
	END { for (k in M) print k "\t" M[k] }' /proc/self/mountinfo | sort
}

# cgv_paths PID: "CONTROLLERS:PATH" (as in /proc/PID/cgroup, without the
# hierarchy id) of PID's cgroup in each visible hierarchy.
cgv_paths() {
	local pid=$1 mp c line rest
	while IFS=$'\t' read -r mp c; do
		while IFS= read -r line; do
			rest=${line#*:}
			if [[ ${rest%%:*} == "$c" ]]; then
				printf '%s\n' "$rest"
				break
			fi
		done <"/proc/$pid/cgroup"
	done < <(cgv_mounts)
}

# cgv_path PID [CONTROLLER]: PID's cgroup (path inside the hierarchy) in the
# hierarchy that has CONTROLLER: on a unified host the cgroup2 one whatever
# CONTROLLER is; without CONTROLLER, the cgroup2 one.
cgv_path() {
	cgv_dir "$@" >/dev/null || return 1
	printf '%s\n' "$CGV_PATH"
}

# cgv_dir PID [CONTROLLER]: the same as a directory: mountpoint + path. Also
# sets CGV_PATH (the path alone) when run in the current shell.
cgv_dir() {
	local pid=$1 want=${2:-} mp c line rest
	[[ $(cgv_layout) != unified ]] || want=
	while IFS=$'\t' read -r mp c; do
		if [[ -z $want ]]; then
			[[ -z $c ]] || continue
		else
			[[ ,$c, == *",$want,"* ]] || continue
		fi
		while IFS= read -r line; do
			rest=${line#*:}
			if [[ ${rest%%:*} == "$c" ]]; then
				CGV_PATH=${rest#*:}
				if [[ $CGV_PATH == / ]]; then echo "$mp"; else echo "$mp$CGV_PATH"; fi
				return 0
			fi
		done <"/proc/$pid/cgroup"
	done < <(cgv_mounts)
	echo "cgv_dir: no visible hierarchy with ${want:-cgroup2} for pid $pid" >&2
	return 1
}

# cgv_dirs PID: PID's cgroup directory in every visible hierarchy, one a line.
cgv_dirs() {
	local pid=$1 mp c p
	while IFS=: read -r c p; do
		mp=$(cgv_mounts | awk -F '\t' -v c="$c" '$2 == c {print $1; exit}')
		if [[ $p == / ]]; then echo "$mp"; else echo "$mp$p"; fi
	done < <(cgv_paths "$pid")
}

# cgv_has CONTROLLER: the runtime can use CONTROLLER: a v1 hierarchy has it,
# or the cgroup2 root's cgroup.controllers lists it.
cgv_has() {
	local mp c
	while IFS=$'\t' read -r mp c; do
		if [[ -z $c ]]; then
			grep -qw -- "$1" "$mp/cgroup.controllers" && return 0
		elif [[ ,$c, == *",$1,"* ]]; then
			return 0
		fi
	done < <(cgv_mounts)
	return 1
}

# cgv_require CONTROLLER...: skip the test, naming the first controller this
# host cannot give the runtime.
cgv_require() {
	local c
	for c in "$@"; do
		cgv_has "$c" && continue
		if [[ $(cgv_layout) == unified ]]; then
			skip "cgroup2 hierarchy has no $c controller on this host"
		else
			skip "no cgroup v1 hierarchy has the $c controller on this host"
		fi
	done
}

# cgv_record DIR: a cgroup directory this test made itself (or a parent the
# runtime made for a nested cgroupsPath and leaves, as runc does); removed in
# teardown, in the reverse order of recording, after the containers.
cgv_record() { echo "$1" >>"$T/.cgroups"; }

# ---------------------------------------------------------------------------
# teardown

# bundle_cleanup: delete every container in $ROOT, kill recorded host pids,
# unmount recorded mounts, remove $ROOT. Returns non-zero (failing the test)
# if it finds things the runtime should have cleaned up itself: leftover
# cgroups or unexpected host mounts.
bundle_cleanup() {
	local rc=0 id ids pid line m cg
	[[ -n ${ROOT:-} ]] || return 0

	if [[ -d $ROOT ]]; then
		ids=$({
			rt list -q 2>/dev/null
			rt list --format json 2>/dev/null | jq -r '.[]?.id' 2>/dev/null
			ls -A "$ROOT" 2>/dev/null
		} | sort -u)
		for id in $ids; do
			pid=$(rt state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null) || pid=0
			[[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]] && echo "$pid" >>"$T/.ctrpids"
			rt delete -f "$id" >/dev/null 2>&1 || true
		done
	fi

	# Host helper processes started by the test (unshare sleepers, ...).
	if [[ -s $T/.pids ]]; then
		while read -r pid; do
			[[ $pid =~ ^[0-9]+$ ]] || continue
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		done <"$T/.pids"
	fi

	# Container init processes the runtime failed to kill. Only ever kill a
	# pid that is in a different pid namespace than ours (i.e. still a
	# container process), never a recycled host pid.
	if [[ -s $T/.ctrpids ]]; then
		local self_pidns
		self_pidns=$(readlink /proc/self/ns/pid)
		while read -r pid; do
			[[ $pid =~ ^[0-9]+$ ]] || continue
			if pid_alive "$pid"; then
				if [[ $(readlink "/proc/$pid/ns/pid" 2>/dev/null) != "$self_pidns" ]]; then
					echo "cleanup: container process $pid survived 'delete -f'" >&2
					kill -KILL "$pid" 2>/dev/null || true
					wait_pid_gone "$pid" 5 || true
					rc=1
				fi
			fi
		done <"$T/.ctrpids"
	fi

	# Mounts: recorded ones are expected; anything else under the test dirs is
	# a leak from the runtime.
	local mnts
	mnts=$(findmnt -rn -o TARGET | grep -F -e "$T" -e "$ROOT" | sort -r || true)
	for m in $mnts; do
		if ! grep -qxF -- "$m" "$T/.mounts" 2>/dev/null; then
			echo "cleanup: unexpected host mount left behind: $m" >&2
			rc=1
		fi
		umount -l "$m" 2>/dev/null || true
	done

	# Parents of nested cgroupsPaths and other cgroups the test recorded.
	if [[ -s $T/.cgroups ]]; then
		while read -r cg; do
			if [[ -d $cg ]] && ! rmdir "$cg"; then
				rc=1
			fi
		done < <(tac "$T/.cgroups")
	fi

	# cgroups named after the container id must be gone after delete -f.
	cg=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -depth -type d -name "*${ID}" 2>/dev/null || true)
	if [[ -n $cg ]]; then
		echo "cleanup: cgroups left behind by the runtime: $cg" >&2
		rc=1
		# deepest first (find -depth); rmdir only removes empty cgroups
		for line in $cg; do rmdir "$line" 2>/dev/null || true; done
	fi

	rm -rf "$ROOT"
	return $rc
}
