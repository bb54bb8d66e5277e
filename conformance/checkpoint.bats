#!/usr/bin/env bats
# checkpoint and restore (criu), as podman (conmon) and containerd call them: the refusals any
# host can check, and the real round trip, which needs a criu whose `criu check` passes on this
# kernel (it is skipped, with criu's reason, where it does not). The flag mapping and the state
# transitions around criu are tests/integration/checkpoint.bats, with a stand-in criu.

# shellcheck disable=SC2016,SC2154 # sh text in single quotes; stderr comes from bats' run
load helpers

CRIU=${CRIU:-criu}

# requires_criu: skip unless criu is installed and `criu check` passes, naming what it says.
# CRIU_FORCE=1 runs the test anyway, to see how a runtime fails with that criu.
requires_criu() {
	local out reason
	command -v "$CRIU" >/dev/null 2>&1 || skip "criu is not installed"
	[[ ${CRIU_FORCE:-} == 1 ]] && return 0
	out=$("$CRIU" check 2>&1) && return 0
	# "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds" -> the text after the place
	reason=$(sed -nE 's/^.*Error \([^)]*\): *//p' <<<"$out" | paste -sd ';' | sed 's/;/; /g')
	skip "\`criu check\` fails on this host: ${reason:-$out}"
}

# counter: a container counting ten times a second into /tmp/n of its rootfs.
counter() {
	bundle_new
	spec_edit '.root.readonly = false'
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done'
}

# count: the counter's last value.
count() { cat "$BUNDLE/rootfs/tmp/n" 2>/dev/null; }

# wait_count N: until the counter has reached N.
wait_count() {
	local i n
	for ((i = 0; i < 200; i++)); do
		n=$(count) || n=0
		[[ -n $n && $n -ge $1 ]] && return 0
		sleep 0.05
	done
	echo "counter at '$n', wanted $1" >&2
	return 1
}

# run_piped ARGS...: the runtime with stdin /dev/null and stdout and stderr one pipe into
# $T/ctr.pipe, as conmon and containerd give a detached container pipes.
run_piped() {
	rt "$@" </dev/null > >(exec cat >>"$T/ctr.pipe") 2>&1
	local rc=$?
	record_pid $!
	return $rc
}

# criu_log FILE: its Error lines, for a failure message.
criu_log() { grep -E 'Error|Warn' "$1" 2>/dev/null | tail -n 20 >&2 || true; }

@test "checkpoint: an unknown container fails" {
	run --separate-stderr rt checkpoint --image-path "$T/img" nosuch-"$ID"
	assert_fail
}

@test "checkpoint: a created container is refused and stays created" {
	bundle_new
	rt_create
	run --separate-stderr rt checkpoint --image-path "$T/img" "$ID"
	assert_fail
	[[ $stderr == *"cannot be checkpointed in created state"* ]] || {
		echo "stderr: $stderr" >&2
		false
	}
	assert_eq "$(state_field status)" created
}

@test "checkpoint: a missing --criu binary fails and the container runs on" {
	counter
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	run --separate-stderr timeout -k 5 "$CONF_RT_TIMEOUT" "$RT" --root "$ROOT" --criu "$T/no-criu" \
		checkpoint --image-path "$T/img" "$ID"
	assert_fail
	assert_eq "$(state_field status)" running
	assert_eq "$(state_field pid)" "$pid"
}

@test "restore: a missing image directory fails and leaves no container" {
	bundle_new
	run --separate-stderr rt restore -d --image-path "$T/none" --bundle "$BUNDLE" "$ID"
	assert_fail
	assert_no_container
}

@test "checkpoint and restore: the counter goes on from where it was (real criu)" {
	requires_criu
	counter
	run_piped run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	wait_count 30
	run --separate-stderr rt checkpoint --image-path "$T/img" --work-path "$T/work" "$ID"
	if [[ $status -ne 0 ]]; then
		criu_log "$T/work/dump.log"
		assert_status 0
	fi
	[[ -s $T/img/descriptors.json ]]
	# without --leave-running the processes are gone and so is the container
	local n1 n
	n1=$(count)
	sleep 0.5
	assert_eq "$(count)" "$n1" "counter after the checkpoint"
	assert_no_container

	run_piped restore -d --image-path "$T/img" --work-path "$T/work" --bundle "$BUNDLE" "$ID" || {
		criu_log "$T/work/restore.log"
		false
	}
	assert_eq "$(state_field status)" running
	pid_alive "$(state_field pid)"
	wait_count $((n1 + 3))
	# a restart would count from 1 again: n1 >= 30 is three seconds of counting away
	n=$(count)
	((n > n1 && n < n1 + 30)) || {
		echo "counter went from $n1 to $n" >&2
		false
	}
	run rt kill "$ID" KILL
	assert_status 0
	wait_status stopped
	run rt delete "$ID"
	assert_status 0
	assert_no_container
}

@test "checkpoint --leave-running: the container keeps counting; a restore under a new id counts on from the image (real criu)" {
	requires_criu
	counter
	run_piped run -d --bundle "$BUNDLE" "$ID"
	wait_status running
	wait_count 30
	local n0 n1
	n0=$(count)
	run --separate-stderr rt checkpoint --leave-running --image-path "$T/img" --work-path "$T/work" "$ID"
	if [[ $status -ne 0 ]]; then
		criu_log "$T/work/dump.log"
		assert_status 0
	fi
	n1=$(count)
	assert_eq "$(state_field status)" running
	wait_count $((n1 + 3))
	run rt kill "$ID" KILL
	assert_status 0
	wait_status stopped
	run rt delete "$ID"
	assert_status 0
	echo 0 >"$BUNDLE/rootfs/tmp/n"
	run_piped restore -d --image-path "$T/img" --work-path "$T/work" --bundle "$BUNDLE" "$ID-2" || {
		criu_log "$T/work/restore.log"
		false
	}
	assert_eq "$(state_field status "$ID-2")" running
	# the image was taken at n0 or later; a restart would be at 5 or so in half a second
	sleep 0.5
	(($(count) > n0)) || {
		echo "restored counter at $(count), the image was taken after $n0" >&2
		false
	}
	run rt delete -f "$ID-2"
	assert_status 0
	assert_no_container "$ID-2"
}
