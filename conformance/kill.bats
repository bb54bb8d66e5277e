#!/usr/bin/env bats
# kill: --all reaches every process of the container, plain kill only its
# init; kill of a created (not started) container.

load helpers

# ns_procs PID: "HOSTPID CMDLINE" of every live process in the pid namespace
# of PID (PID included), cmdline args joined by spaces.
ns_procs() {
	local ns p d
	ns=$(readlink "/proc/$1/ns/pid") || return 1
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[[ $(readlink "$d/ns/pid" 2>/dev/null) == "$ns" ]] || continue
		pid_alive "$p" || continue
		echo "$p $(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"
	done
}

# count_sleepers PID: processes running "sleep 1000" in PID's pid namespace
count_sleepers() {
	ns_procs "$1" | grep -c ' sleep 1000 $' || true
}

# wait_sleepers PID N [TIMEOUT_S]: until exactly N "sleep 1000" remain
wait_sleepers() {
	local i n tmo=${3:-10}
	for ((i = 0; i < tmo * 20; i++)); do
		n=$(count_sleepers "$1")
		[[ $n == "$2" ]] && return 0
		sleep 0.05
	done
	echo "expected $2 'sleep 1000' processes in the container, found $n:" >&2
	ns_procs "$1" >&2
	return 1
}

# ctl_bundle: bundle with a host dir $T/ctl bind-mounted rw at /ctl
ctl_bundle() {
	bundle_new
	mkdir -p "$T/ctl"
	spec_edit '.mounts += [{"destination": "/ctl", "type": "bind", "source": $src, "options": ["rbind", "rw"]}]' \
		--arg src "$T/ctl"
}

@test "kill --all: reaches every process; plain kill only the init (pid namespace)" {
	bundle_new
	# three sleepers: two children and a grandchild (in a subshell) of init.
	# init is pid 1 of its namespace without a TERM handler, so TERM from
	# outside does not touch it; its children die of it.
	set_args sh -c 'sleep 1000 & sleep 1000 & (sleep 1000; :) & echo READY; wait; echo WAITED; while :; do sleep 1; done'
	rt_run_d
	wait_file "$CTR_OUT" '^READY$'
	local init
	init=$(state_field pid)
	wait_sleepers "$init" 3

	# without --all: only init gets it (and ignores it)
	run rt kill "$ID" TERM
	assert_status 0
	sleep 0.3
	assert_eq "$(count_sleepers "$init")" 3 "sleepers alive after a plain kill TERM"
	assert_eq "$(state_field status)" running "status after a plain kill TERM"

	# --all: every process gets it; the sleepers die, init goes on
	run rt kill --all "$ID" TERM
	assert_status 0
	wait_sleepers "$init" 0
	wait_file "$CTR_OUT" '^WAITED$'
	pid_alive "$init"
	assert_eq "$(state_field status)" running "status after kill --all TERM"

	run rt kill --all "$ID" KILL
	assert_status 0
	wait_status stopped
	wait_pid_gone "$init"
	assert_eq "$(state_field pid)" 0 "pid of the stopped container"
}

@test "kill --all KILL: without a pid namespace every process is gone" {
	# Here killing init does not take the others with it (no pid namespace
	# to tear down): only a runtime that signals every process of the
	# container gets them all.
	ctl_bundle
	spec_edit '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 1000 & echo $! >> /ctl/pids; sleep 1000 & echo $! >> /ctl/pids
		(sleep 1000 & echo $! >> /ctl/pids; wait) & echo $! >> /ctl/pids
		echo READY > /ctl/ready; wait'
	rt_run_d
	wait_file "$T/ctl/ready" READY
	local init pids p
	init=$(state_field pid)
	# wait for the grandchild's pid as well: 4 lines
	local i
	for ((i = 0; i < 200; i++)); do
		[[ $(wc -l <"$T/ctl/pids") -ge 4 ]] && break
		sleep 0.05
	done
	pids=$(cat "$T/ctl/pids")
	assert_eq "$(wc -l <<<"$pids")" 4 "background processes started"
	for p in $pids; do
		record_pid "$p" # host pids: teardown kills any survivor
		pid_alive "$p" || {
			echo "background process $p is not running before the kill" >&2
			false
		}
	done

	local dirs d
	mapfile -t dirs < <(cgv_dirs "$init")
	run rt kill --all "$ID" KILL
	assert_status 0
	wait_status stopped
	wait_pid_gone "$init"
	for p in $pids; do
		wait_pid_gone "$p" 5 || {
			echo "container process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)) survived kill --all KILL" >&2
			false
		}
	done
	# the container's cgroups stay until delete, and are empty
	for d in "${dirs[@]}"; do
		[[ -d $d && -z $(cat "$d/cgroup.procs") ]] || {
			echo "cgroup $d after kill --all KILL: $(cat "$d/cgroup.procs" 2>&1)" >&2
			false
		}
	done
}

@test "kill --all: reaches exec'd processes, which share the container's cgroup" {
	# no pid namespace: the exec'd process would outlive init's death
	bundle_new
	spec_edit '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sleep 1000
	rt_run_d
	wait_status running
	local init p
	init=$(state_field pid)
	rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 1000 </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	p=$(cat "$T/exec.pid")
	record_pid "$p"
	grep -qx "$p" "$(cgv_dir "$init")/cgroup.procs"
	run rt kill --all "$ID" KILL
	assert_status 0
	wait_status stopped
	wait_pid_gone "$init"
	wait_pid_gone "$p" 5
}

@test "kill: KILL of a created container makes it stopped; the process never runs" {
	ctl_bundle
	set_args sh -c 'echo ran > /ctl/ran'
	rt_create
	local pid
	pid=$(state_field pid)
	[[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]]
	run rt kill "$ID" KILL
	assert_status 0
	wait_status stopped
	assert_eq "$(state_field pid)" 0 "pid of the stopped container"
	wait_pid_gone "$pid"
	run rt start "$ID"
	assert_fail
	sleep 0.2
	[[ ! -e $T/ctl/ran ]] || {
		echo "the user process ran after its container was killed in the created state" >&2
		false
	}
	assert_eq "$(state_field status)" stopped "status after the failed start"
	run rt delete "$ID"
	assert_status 0
	assert_no_container
}

@test "kill --all: KILL of a created container makes it stopped" {
	ctl_bundle
	set_args sh -c 'echo ran > /ctl/ran'
	rt_create
	local pid
	pid=$(state_field pid)
	run rt kill --all "$ID" KILL
	assert_status 0
	wait_status stopped
	wait_pid_gone "$pid"
	[[ ! -e $T/ctl/ran ]]
	run rt delete "$ID"
	assert_status 0
	assert_no_container
}
