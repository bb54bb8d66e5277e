#!/usr/bin/env bats
# create / start / run / kill / delete as containerd's runc shim and podman drive them, with the
# host-side effects checked: processes, exit codes, state directory, cgroups in every hierarchy.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() { bundle_new; }
teardown() { bundle_cleanup; }

# cgroup_dirs: the cgroup directories named $ID in any hierarchy
cgroup_dirs() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 10 -type d -name "$ID" 2>/dev/null | sort
}

@test "lifecycle: create leaves the init waiting, start makes it run the process" {
	local pid
	set_args sh -c 'echo started >/tmp/started; sleep 100'
	spec_edit '.root.readonly = false'
	ctr_create
	assert_eq "$(state_field status)" created "status after create"
	pid=$(state_field pid)
	[[ -d /proc/$pid ]]
	pid_alive "$pid"
	# the user process has not run yet
	[[ ! -e $BUNDLE/rootfs/tmp/started ]]
	[[ -d $ROOT/$ID ]]
	brun start "$ID"
	assert_status 0
	assert_eq "$output$stderr" "" "start output"
	wait_status running
	assert_eq "$(state_field pid)" "$pid" "pid after start"
	wait_file "$BUNDLE/rootfs/tmp/started"
}

@test "lifecycle: run -d, kill, delete" {
	local pid
	set_args sleep 100
	brun run -d --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output$stderr" "" "run -d output"
	assert_eq "$(state_field status)" running "status"
	pid=$(state_field pid)
	pid_alive "$pid"
	[[ -n $(cgroup_dirs) ]]
	brun kill "$ID" KILL
	assert_status 0
	wait_status stopped
	wait_pid_gone "$pid"
	brun delete "$ID"
	assert_status 0
	assert_eq "$output$stderr" "" "delete output"
	assert_no_container
}

@test "lifecycle: delete of a created container kills its init" {
	local pid
	set_args sleep 100
	ctr_create
	pid=$(state_field pid)
	pid_alive "$pid"
	brun delete "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	assert_no_container
}

@test "lifecycle: delete --force of a running container kills it and cleans up" {
	local pid
	set_args sleep 100
	ctr_run_d
	pid=$(state_field pid)
	brun delete --force "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	assert_no_container
}

@test "lifecycle: kill --all reaches every process in the container" {
	local pids p
	# init (pid 1 of the namespace) ignores TERM, its children do not
	set_args sh -c 'sleep 100 & sleep 100 & wait; wait'
	ctr_run_d
	for ((p = 0; p < 100; p++)); do
		[[ $(ctr_pids | wc -l) -ge 3 ]] && break
		sleep 0.02
	done
	pids=$(ctr_pids)
	assert_eq "$(wc -l <<<"$pids")" 3 "processes in the container"
	# without --all only init gets the signal, and it ignores it
	brun kill "$ID" TERM
	assert_status 0
	sleep 0.2
	for p in $pids; do pid_alive "$p"; done
	brun kill --all "$ID" TERM
	assert_status 0
	for p in $pids; do wait_pid_gone "$p"; done
	wait_status stopped
}

@test "lifecycle: kill --all KILL without a pid namespace reaches processes that outlive init" {
	local pids p
	spec_edit '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 100 & sleep 100 & wait'
	ctr_run_d
	for ((p = 0; p < 100; p++)); do
		[[ $(ctr_pids | wc -l) -ge 3 ]] && break
		sleep 0.02
	done
	pids=$(ctr_pids)
	assert_eq "$(wc -l <<<"$pids")" 3 "processes in the container"
	brun kill --all "$ID" KILL
	assert_status 0
	for p in $pids; do wait_pid_gone "$p"; done
	wait_status stopped
	rt delete "$ID"
	assert_no_container
}

@test "lifecycle: cgroups are made in every hierarchy and all removed by delete" {
	local h n
	set_args sleep 100
	ctr_run_d
	n=0
	# every mounted v1 controller hierarchy (and the unified one, if any) gets the container
	for h in /sys/fs/cgroup/*/; do
		[[ -e $h/cgroup.procs ]] || continue
		[[ -n $(find "$h" -mindepth 1 -maxdepth 8 -type d -name "$ID" 2>/dev/null) ]] || {
			echo "no cgroup $ID under $h" >&2
			return 1
		}
		n=$((n + 1))
	done
	((n > 0))
	rt kill "$ID" KILL
	wait_status stopped
	brun delete "$ID"
	assert_status 0
	assert_eq "$(cgroup_dirs)" "" "cgroups after delete"
}

# berth puts them there without cgroup.procs (runtime/linux/cgroup_join.h): clone3 into the v2
# cgroup, the process's own "0" into each v1 `tasks` file.
@test "lifecycle: the init and an exec'd process start in the container's cgroup in every hierarchy" {
	assert_cgroups_of_init_and_exec
	assert_eq "$(cgroup_dirs)" "" "cgroups after delete"
}

@test "lifecycle: run in the foreground exits with the container's exit code" {
	set_args sh -c 'exit 42'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 42
	assert_no_container
	set_args true
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_no_container
}

@test "lifecycle: run in the foreground: a signal death exits 128+signal as runc" {
	spec_edit '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'kill -KILL $$'
	runc_run run --bundle "$BUNDLE" "$ID-runc"
	assert_status 137
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 137
	assert_no_container
}

@test "lifecycle: run --keep leaves a stopped container to delete" {
	set_args sh -c 'exit 3'
	brun run --keep --bundle "$BUNDLE" "$ID"
	assert_status 3
	assert_eq "$(state_field status)" stopped "status after run --keep"
	assert_eq "$(state_field pid)" 0 "pid after run --keep"
	brun delete "$ID"
	assert_status 0
	assert_no_container
}

@test "lifecycle: commands need no global flag but --root after create" {
	set_args sleep 100
	brun --log "$T/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_status 0
	brun start "$ID"
	assert_status 0
	brun kill "$ID" KILL
	assert_status 0
	wait_status stopped
	brun delete "$ID"
	assert_status 0
	assert_no_container
}
