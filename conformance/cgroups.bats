#!/usr/bin/env bats
# linux.cgroupsPath and linux.resources (cgroup v1 / hybrid and v2 hosts).
# Every cgroup used here is created by the runtime under test, under a
# unique name ending in the container id, and must be gone after delete.

load helpers

# cg_dir CONTROLLER: host directory of the container's cgroup for a v1
# controller (or the unified dir on a pure v2 host).
cg_dir() {
	if [[ -d /sys/fs/cgroup/$1 && ! -e /sys/fs/cgroup/cgroup.controllers ]]; then
		echo "/sys/fs/cgroup/$1$CG"
	else
		echo "/sys/fs/cgroup$CG"
	fi
}

cg_bundle() {
	bundle_new
	CG=/berth-conf-$ID
	spec_edit '.linux.cgroupsPath = $cg' --arg cg "$CG"
	set_args sleep 100
}

@test "cgroups: absolute cgroupsPath is used for every hierarchy" {
	cg_bundle
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	run cat "/proc/$pid/cgroup"
	[[ -n $output ]]
	# runc on a hybrid host also joins name=systemd and the unified (0::)
	# hierarchy at the same path
	local line bad=0
	while IFS= read -r line; do
		[[ ${line#*:*:} == "$CG" ]] || {
			echo "not in $CG: $line" >&2
			bad=1
		}
	done <<<"$output"
	((bad == 0))
	grep -qx "$pid" "$(cg_dir memory)/cgroup.procs"
	grep -qx "$pid" "$(cg_dir pids)/cgroup.procs"

	run rt delete -f "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	[[ ! -e $(cg_dir memory) && ! -e $(cg_dir pids) ]]
	assert_no_container
}

@test "cgroups: cgroup exists from create, removed by delete of a stopped container" {
	cg_bundle
	set_args true
	rt_create
	[[ -d $(cg_dir pids) ]]
	rt start "$ID"
	wait_status stopped
	run rt delete "$ID"
	assert_status 0
	[[ ! -e $(cg_dir pids) ]]
	assert_no_container
}

@test "cgroups: memory, pids and cpu resources are written" {
	cg_bundle
	spec_edit '.linux.resources.memory = {"limit": 67108864}
		| .linux.resources.pids = {"limit": 64}
		| .linux.resources.cpu = {"shares": 512}'
	rt_run_d
	wait_status running
	if [[ -d /sys/fs/cgroup/memory && ! -e /sys/fs/cgroup/cgroup.controllers ]]; then
		assert_eq "$(cat "$(cg_dir memory)/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes"
		assert_eq "$(cat "$(cg_dir pids)/pids.max")" 64 "pids.max"
		assert_eq "$(cat "$(cg_dir cpu)/cpu.shares")" 512 "cpu.shares"
	else
		assert_eq "$(cat "$(cg_dir memory)/memory.max")" 67108864 "memory.max"
		assert_eq "$(cat "$(cg_dir pids)/pids.max")" 64 "pids.max"
	fi
}

@test "cgroups: pids limit is enforced" {
	cg_bundle
	spec_edit '.linux.resources.pids = {"limit": 5}'
	# busybox sh aborts on the first failed fork ("can't fork")
	set_args sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & echo forked; done; echo ALL-FORKED'
	ctr_run
	assert_fail
	refute_line ALL-FORKED
	# sh itself is one of the 5 pids: at most 4 sleepers could be forked
	local n
	n=$(grep -c '^forked$' <<<"$output" || true)
	((n >= 1 && n <= 4)) || {
		echo "forked $n processes under pids.max=5" >&2
		false
	}
}

@test "cgroups: default cgroup (no cgroupsPath) is named after the id and removed" {
	# runc's default: <runtime's own cgroup>/<id> in each hierarchy
	bundle_new
	spec_edit 'del(.linux.cgroupsPath)'
	set_args sleep 100
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	run grep -E '^[0-9]+:pids:' "/proc/$pid/cgroup"
	[[ $output == *"/$ID" ]] || {
		echo "pids cgroup of the container: $output" >&2
		false
	}
	rt delete -f "$ID"
	wait_pid_gone "$pid"
	assert_no_container
}

@test "cgroups: update --resources - and update flags change the limits of a running container" {
	cg_bundle
	rt_run_d
	wait_status running
	run rt update --resources - "$ID" <<<'{"memory": {"limit": 33554432}, "pids": {"limit": 20}}'
	assert_status 0
	if [[ -d /sys/fs/cgroup/memory && ! -e /sys/fs/cgroup/cgroup.controllers ]]; then
		assert_eq "$(cat "$(cg_dir memory)/memory.limit_in_bytes")" 33554432 "memory.limit_in_bytes"
	else
		assert_eq "$(cat "$(cg_dir memory)/memory.max")" 33554432 "memory.max"
	fi
	assert_eq "$(cat "$(cg_dir pids)/pids.max")" 20 "pids.max"
	run rt update --pids-limit 30 "$ID"
	assert_status 0
	assert_eq "$(cat "$(cg_dir pids)/pids.max")" 30 "pids.max after --pids-limit"
}
