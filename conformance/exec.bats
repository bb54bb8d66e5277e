#!/usr/bin/env bats
# exec: a new process in a running container, as containerd's shim and conmon call it.

load helpers

# exec_run ARGS...: `rt exec` with stdin from /dev/null, output captured (bats `run`).
exec_run() {
	run --separate-stderr rt exec "$@" </dev/null
}

running() {
	bundle_new
	set_args sleep 100
	rt_run_d
	wait_status running
}

@test "exec: runs in the container's namespaces and exits with the process's status" {
	running
	local pid
	pid=$(state_field pid)
	exec_run "$ID" sh -c 'for n in pid mnt net; do readlink /proc/self/ns/$n; done; cat /proc/1/cmdline | tr "\0" " "; exit 7'
	assert_status 7
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" "$(readlink /proc/$pid/ns/pid)" "pid namespace"
	assert_eq "${lines[1]}" "$(readlink /proc/$pid/ns/mnt)" "mount namespace"
	assert_eq "${lines[2]}" "$(readlink /proc/$pid/ns/net)" "network namespace"
	assert_eq "${lines[3]}" "sleep 100 " "pid 1 is the container's init"
}

@test "exec: the process joins the container's cgroup" {
	running
	local pid
	pid=$(state_field pid)
	exec_run "$ID" cat /proc/self/cgroup
	assert_status 0
	# same cgroup path in every hierarchy as the init (cgroupns or not, compare the text)
	assert_eq "$output" "$(sed 's/^/x/' /proc/$pid/cgroup | sed 's/^x//')" "cgroups of the exec'd process"
}

@test "exec: the process is in the container's cgroup.procs in every hierarchy" {
	running
	local pid p d n=0
	pid=$(state_field pid)
	rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 50 </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	p=$(cat "$T/exec.pid")
	record_pid "$p"
	assert_eq "$(cgv_paths "$p")" "$(cgv_paths "$pid")" "cgroups of the exec'd process"
	while IFS= read -r d; do
		grep -qx "$p" "$d/cgroup.procs" || {
			echo "exec'd pid $p not in $d/cgroup.procs" >&2
			false
		}
		n=$((n + 1))
	done < <(cgv_dirs "$pid")
	((n > 0))
}

@test "exec: --env, --cwd, --user and --additional-gids" {
	running
	exec_run --env FOO=bar --env PATH=/bin --cwd /tmp --user 1000:1000 --additional-gids 10 "$ID" sh -c 'echo $FOO $PATH; pwd; id -u; id -g; id -G'
	assert_status 0
	assert_output $'bar /bin\n/tmp\n1000\n1000\n1000 10'
}

@test "exec: --process runs the process object as given" {
	running
	jq -n '{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo from-process $X; pwd"], "env": ["PATH=/bin", "X=y"], "cwd": "/etc"}' >"$T/process.json"
	exec_run --process "$T/process.json" "$ID"
	assert_status 0
	assert_output $'from-process y\n/etc'
}

@test "exec: -d with --pid-file returns at once; the pid is the process's" {
	running
	rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 50 </dev/null >"$T/exec.out" 2>&1 || {
		echo "exec -d failed: $(cat "$T/exec.out")" >&2
		return 1
	}
	local p
	p=$(cat "$T/exec.pid")
	[[ $p =~ ^[0-9]+$ ]]
	[[ $(tr '\0' ' ' </proc/$p/cmdline) == "sleep 50 " ]]
	record_pid "$p"
}

# exec_sub_cgroups PID NAME [CONTROLLERS_RE]: make NAME below the init's cgroup in every
# hierarchy the runtime can see (cgv_paths: "CONTROLLERS:PATH") whose line matches
# CONTROLLERS_RE (all when empty).
exec_sub_cgroups() {
	local line d re=${3:-}
	while IFS=$'\t' read -r line d; do
		[[ -z $re || $line =~ $re ]] || continue
		mkdir "$d/$2"
		# a v1 cpuset cgroup takes no process until it has cpus and mems
		if [[ -f $d/$2/cpuset.cpus ]]; then
			cat "$d/cpuset.cpus" >"$d/$2/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/$2/cpuset.mems"
		fi
	done < <(paste <(cgv_paths "$1") <(cgv_dirs "$1"))
}

@test "exec: --cgroup PATH puts the process in an existing sub-cgroup of every hierarchy" {
	running
	local pid p line
	pid=$(state_field pid)
	exec_sub_cgroups "$pid" sub
	rt exec -d --cgroup sub --pid-file "$T/exec.pid" "$ID" sleep 50 </dev/null >"$T/exec.out" 2>&1 || {
		echo "exec --cgroup failed: $(cat "$T/exec.out")" >&2
		return 1
	}
	p=$(cat "$T/exec.pid")
	record_pid "$p"
	# the init's cgroups with /sub appended, in every hierarchy the runtime sees
	assert_eq "$(cgv_paths "$p")" "$(cgv_paths "$pid" | sed 's|/*$|/sub|')" "cgroups of the exec'd process"
	# ps and kill --all see processes in sub-cgroups; delete -f removes the sub-cgroups too
	run rt ps --format json "$ID"
	assert_status 0
	[[ $output == *"$p"* ]]
	local d
	paste <(cgv_paths "$pid") <(cgv_dirs "$pid") >"$T/init.cgroup"
	run rt delete -f "$ID"
	assert_status 0
	wait_pid_gone "$p"
	while IFS=$'\t' read -r line d; do
		[[ ${line#*:} != / ]] || continue
		[[ ! -e $d ]] || {
			echo "cgroup left behind: $d" >&2
			return 1
		}
	done <"$T/init.cgroup"
	assert_no_container
}

@test "exec: --cgroup CONTROLLER:PATH picks the sub-cgroup of one hierarchy only" {
	[[ $(cgv_layout) != unified ]] || skip "unified cgroup host (/sys/fs/cgroup is cgroup2): controller prefixes need cgroup v1 hierarchies"
	running
	local pid p
	pid=$(state_field pid)
	exec_sub_cgroups "$pid" only '^pids:'
	rt exec -d --cgroup pids:only --pid-file "$T/exec.pid" "$ID" sleep 50 </dev/null >"$T/exec.out" 2>&1 || {
		echo "exec --cgroup failed: $(cat "$T/exec.out")" >&2
		return 1
	}
	p=$(cat "$T/exec.pid")
	record_pid "$p"
	assert_eq "$(cat /proc/$p/cgroup)" "$(sed '/:pids:/s|/*$|/only|' /proc/$pid/cgroup)" "cgroups of the exec'd process"
}

@test "exec: --cgroup naming a missing sub-cgroup or a bad argument fails and starts nothing" {
	running
	exec_run --cgroup no-such-sub "$ID" true
	assert_fail
	exec_run --cgroup a --cgroup b "$ID" true
	assert_fail
	[[ $stderr == *"a"* ]]
	run rt ps --format json "$ID"
	assert_status 0
	# only the init (sleep 100) is in the container
	[[ $(jq length <<<"$output") == 1 ]]
}

@test "exec: a missing command fails with exit status 255, a stopped container is refused" {
	running
	exec_run "$ID" /no/such/binary
	assert_status 255
	rt kill "$ID" KILL
	wait_status stopped
	exec_run "$ID" true
	assert_fail
}

@test "exec: capabilities come from the container's process (or --cap)" {
	running
	exec_run "$ID" sh -c 'grep ^CapBnd: /proc/self/status'
	assert_status 0
	# the bundle's bounding set: AUDIT_WRITE, KILL, NET_BIND_SERVICE
	assert_output $'CapBnd:\t0000000020000420'
	exec_run --cap CAP_SYS_ADMIN "$ID" sh -c 'grep ^CapBnd: /proc/self/status'
	assert_status 0
	assert_output $'CapBnd:\t0000000020200420'
}
