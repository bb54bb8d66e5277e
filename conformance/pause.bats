#!/usr/bin/env bats
# pause / resume (the cgroup freezer) and ps, as containerd's shim and podman call them.

load helpers

running() {
	bundle_new
	set_args sh -c 'while :; do echo tick >> /tmp/ticks; sleep 0.1; done'
	spec_edit '.root.readonly = false'
	rt_run_d
	wait_status running
}

@test "pause: state paused, the processes stop; resume: running, they go on" {
	running
	run rt pause "$ID"
	assert_status 0
	assert_eq "$(state_field status)" paused "status after pause"
	local n1 n2
	n1=$(wc -l <"$BUNDLE/rootfs/tmp/ticks")
	sleep 0.5
	n2=$(wc -l <"$BUNDLE/rootfs/tmp/ticks")
	assert_eq "$n2" "$n1" "ticks while paused"
	run rt resume "$ID"
	assert_status 0
	assert_eq "$(state_field status)" running "status after resume"
	sleep 0.5
	(($(wc -l <"$BUNDLE/rootfs/tmp/ticks") > n2))
}

@test "pause: resume of a running container fails; pause of a stopped one fails" {
	running
	run rt resume "$ID"
	assert_fail
	rt kill "$ID" KILL
	wait_status stopped
	run rt pause "$ID"
	assert_fail
}

@test "ps: --format json lists the container's host pids, the table the host's ps rows" {
	running
	local pid
	pid=$(state_field pid)
	run --separate-stderr rt ps --format json "$ID"
	assert_status 0
	jq -e --argjson p "$pid" 'type == "array" and index($p) != null' <<<"$output" >/dev/null
	run --separate-stderr rt ps "$ID"
	assert_status 0
	[[ ${lines[0]} == *PID* ]]
	local row
	row=$(awk -v p="$pid" '$2 == p' <<<"$output")
	[[ -n $row ]]
}
