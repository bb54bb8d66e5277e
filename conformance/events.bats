#!/usr/bin/env bats
# events: --stats (one stats object) and the stream (stats every interval, "oom" when the kernel
# OOM-kills in the container), in runc 1.1's shape.

load helpers

@test "events --stats: one stats object with cpu, memory and pids" {
	cgv_require memory pids
	bundle_new
	set_args sleep 100
	spec_edit '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	rt_run_d
	wait_status running
	run --separate-stderr rt events --stats "$ID"
	assert_status 0
	assert_eq "$(wc -l <<<"$output")" 1 "lines"
	jq -e --arg id "$ID" '.type == "stats" and .id == $id
		and (.data.cpu.usage.total | type == "number") and .data.cpu.usage.total > 0
		and .data.memory.usage.limit == 67108864 and (.data.memory.usage.usage | type == "number")
		and .data.pids.current >= 1 and .data.pids.limit == 50' <<<"$output" >/dev/null || {
		echo "stats object: $output" >&2
		false
	}
}

@test "events --stats: cpu usage and the number of processes, with no resource set" {
	# on a cgroup2 hierarchy without the pids controller runc counts cgroup.procs
	bundle_new
	set_args sh -c 'sleep 100 & sleep 100 & wait'
	rt_run_d
	wait_status running
	local pid i
	pid=$(state_field pid)
	for ((i = 0; i < 100; i++)); do
		(($(wc -l <"$(cgv_dir "$pid")/cgroup.procs") >= 3)) && break
		sleep 0.05
	done
	run --separate-stderr rt events --stats "$ID"
	assert_status 0
	jq -e --arg id "$ID" '.type == "stats" and .id == $id
		and .data.cpu.usage.total > 0 and .data.pids.current == 3' <<<"$output" >/dev/null || {
		echo "stats object: $output" >&2
		false
	}
}

@test "events: an OOM kill in the container is reported" {
	cgv_require memory
	bundle_new
	# tail keeps one growing line of /dev/zero in memory until the limit kills it
	set_args sh -c 'sleep 1; tail /dev/zero; sleep 100'
	spec_edit '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	rt_run_d
	wait_status running
	run --separate-stderr timeout 8 "$RT" --root "$ROOT" events --interval 1s "$ID"
	grep -qx '{"type":"oom","id":"'"$ID"'"}' <<<"$(jq -c 'select(.type == "oom") | {type, id}' <<<"$output")" || {
		echo "no oom event in: $output" >&2
		false
	}
}

@test "events: a stopped container is an error" {
	bundle_new
	set_args true
	rt_create
	rt start "$ID"
	wait_status stopped
	run rt events --stats "$ID"
	assert_fail
}
