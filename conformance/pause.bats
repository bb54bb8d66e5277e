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

# freezer_state PID: "frozen" or "thawed", as the container's cgroup reports it:
# v1 freezer.state (FROZEN / THAWED), v2 cgroup.events ("frozen 1" / "frozen 0").
freezer_state() {
	local d
	if [[ $(cgv_layout) == unified ]]; then
		d=$(cgv_dir "$1") || return 1
		if grep -qx 'frozen 1' "$d/cgroup.events"; then echo frozen; else echo thawed; fi
	else
		d=$(cgv_dir "$1" freezer) || return 1
		tr 'A-Z' 'a-z' <"$d/freezer.state"
	fi
}

@test "pause: the container's cgroup is frozen (v1 freezer.state, v2 cgroup.freeze); resume thaws it" {
	[[ $(cgv_layout) == unified ]] || cgv_require freezer
	running
	local pid
	pid=$(state_field pid)
	assert_eq "$(freezer_state "$pid")" thawed "freezer before pause"
	run rt pause "$ID"
	assert_status 0
	# the runtime returns once the kernel reports the cgroup frozen
	assert_eq "$(freezer_state "$pid")" frozen "freezer after pause"
	if [[ $(cgv_layout) == unified ]]; then
		assert_eq "$(cat "$(cgv_dir "$pid")/cgroup.freeze")" 1 "cgroup.freeze after pause"
	fi
	run rt resume "$ID"
	assert_status 0
	assert_eq "$(freezer_state "$pid")" thawed "freezer after resume"
	assert_eq "$(state_field status)" running "status after resume"
}

@test "pause: a paused container is killed and removed by delete -f" {
	running
	local pid dirs
	pid=$(state_field pid)
	mapfile -t dirs < <(cgv_dirs "$pid")
	rt pause "$ID"
	assert_eq "$(state_field status)" paused "status after pause"
	run rt delete -f "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	local d
	for d in "${dirs[@]}"; do
		[[ ! -e $d ]] || {
			echo "cgroup $d left after delete -f of a paused container" >&2
			false
		}
	done
	assert_no_container
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

@test "ps: lists every process in the container's cgroup, exec'd ones too" {
	running
	local pid p
	pid=$(state_field pid)
	rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 100 </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	p=$(cat "$T/exec.pid")
	record_pid "$p"
	run --separate-stderr rt ps --format json "$ID"
	assert_status 0
	jq -e --argjson a "$pid" --argjson b "$p" 'index($a) != null and index($b) != null' <<<"$output" >/dev/null || {
		echo "ps --format json: $output; wanted $pid and $p" >&2
		false
	}
}
