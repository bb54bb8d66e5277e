#!/usr/bin/env bats
# linux.cgroupsPath and linux.resources (cgroup v1 / hybrid and v2 hosts).
# Every cgroup used here is created by the runtime under test, under a
# unique name ending in the container id, and must be gone after delete.

load helpers

cg_bundle() {
	bundle_new
	CG=/berth-conf-$ID
	spec_edit '.linux.cgroupsPath = $cg' --arg cg "$CG"
	set_args sleep 100
}

# assert_cgroup_paths PID WANT: PID is at WANT in every hierarchy the runtime
# can see (runc on a hybrid host also joins name=systemd and the unified (0::)
# hierarchy at the same path), and listed in each directory's cgroup.procs.
assert_cgroup_paths() {
	local pid=$1 want=$2 line d bad=0
	while IFS= read -r line; do
		[[ ${line#*:} == "$want" ]] || {
			echo "not in $want: $line" >&2
			bad=1
		}
	done < <(cgv_paths "$pid")
	while IFS= read -r d; do
		grep -qx "$pid" "$d/cgroup.procs" || {
			echo "pid $pid not in $d/cgroup.procs" >&2
			bad=1
		}
	done < <(cgv_dirs "$pid")
	((bad == 0))
}

# assert_gone DIR...: none of the directories exists
assert_gone() {
	local d bad=0
	for d in "$@"; do
		[[ ! -e $d ]] || {
			echo "cgroup $d still exists" >&2
			bad=1
		}
	done
	((bad == 0))
}

@test "cgroups: absolute cgroupsPath is used for every hierarchy" {
	cg_bundle
	rt_run_d
	wait_status running
	local pid dirs
	pid=$(state_field pid)
	assert_cgroup_paths "$pid" "$CG"
	mapfile -t dirs < <(cgv_dirs "$pid")
	((${#dirs[@]} > 0))
	if [[ $(cgv_layout) == unified ]]; then
		# one cgroup, at linux.cgroupsPath in the v2 tree
		assert_eq "${dirs[*]}" "/sys/fs/cgroup$CG" "the container's cgroup"
	fi

	run rt delete -f "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	assert_gone "${dirs[@]}"
	assert_no_container
}

@test "cgroups: cgroup exists from create, removed by delete of a stopped container" {
	cg_bundle
	set_args true
	rt_create
	local pid dirs
	pid=$(state_field pid)
	assert_cgroup_paths "$pid" "$CG"
	mapfile -t dirs < <(cgv_dirs "$pid")
	rt start "$ID"
	wait_status stopped
	local d
	for d in "${dirs[@]}"; do
		[[ -d $d ]] || {
			echo "cgroup $d is gone before delete" >&2
			false
		}
	done
	run rt delete "$ID"
	assert_status 0
	assert_gone "${dirs[@]}"
	assert_no_container
}

@test "cgroups: memory, pids and cpu resources are written" {
	cgv_require memory pids cpu
	cg_bundle
	spec_edit '.linux.resources.memory = {"limit": 67108864}
		| .linux.resources.pids = {"limit": 64}
		| .linux.resources.cpu = {"shares": 512}'
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	if [[ $(cgv_layout) != unified ]]; then
		assert_eq "$(cat "$(cgv_dir "$pid" memory)/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes"
		assert_eq "$(cat "$(cgv_dir "$pid" pids)/pids.max")" 64 "pids.max"
		assert_eq "$(cat "$(cgv_dir "$pid" cpu)/cpu.shares")" 512 "cpu.shares"
	else
		local d
		d=$(cgv_dir "$pid")
		assert_eq "$(cat "$d/memory.max")" 67108864 "memory.max"
		assert_eq "$(cat "$d/pids.max")" 64 "pids.max"
		# shares [2, 262144] map linearly onto weight [1, 10000] (runc, crun)
		assert_eq "$(cat "$d/cpu.weight")" 20 "cpu.weight"
	fi
}

@test "cgroups: pids limit is enforced" {
	cgv_require pids
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

# relative_base CONTROLLERS: where the runtime puts a relative cgroupsPath in
# that hierarchy: below its own cgroup there (runc's v1 driver), or on a
# unified host beside it, below its parent (runc's v2 driver: the runtime's
# own cgroup has processes, so no controller could be enabled below it).
# The runtime runs in this shell's cgroups.
relative_base() {
	local own
	own=$(cgv_paths $$ | awk -v c="$1" 'index($0, c ":") == 1 {print substr($0, length(c) + 2); exit}')
	if [[ -z $1 && $(cgv_layout) == unified ]]; then
		own=$(dirname "$own")
	fi
	[[ $own == / ]] || printf '%s' "$own"
}

# assert_relative_paths PID REL: PID is at relative_base + /REL in every hierarchy
assert_relative_paths() {
	local pid=$1 rel=$2 line c bad=0
	while IFS= read -r line; do
		c=${line%%:*}
		[[ ${line#*:} == "$(relative_base "$c")/$rel" ]] || {
			echo "hierarchy '$c': container at ${line#*:}, expected $(relative_base "$c")/$rel" >&2
			bad=1
		}
	done < <(cgv_paths "$pid")
	((bad == 0))
}

@test "cgroups: default cgroup (no cgroupsPath) is named after the id and removed" {
	# runc's default: the relative path <id>
	bundle_new
	spec_edit 'del(.linux.cgroupsPath)'
	set_args sleep 100
	rt_run_d
	wait_status running
	local pid dirs
	pid=$(state_field pid)
	assert_relative_paths "$pid" "$ID"
	mapfile -t dirs < <(cgv_dirs "$pid")
	rt delete -f "$ID"
	wait_pid_gone "$pid"
	assert_gone "${dirs[@]}"
	assert_no_container
}

@test "cgroups: relative cgroupsPath is placed like runc's (v1: below the runtime's cgroup, v2: beside it)" {
	bundle_new
	spec_edit '.linux.cgroupsPath = $cg' --arg cg "conf-$ID-rel/$ID"
	set_args sleep 100
	rt_run_d
	wait_status running
	local pid dirs d
	pid=$(state_field pid)
	mapfile -t dirs < <(cgv_dirs "$pid")
	# the runtime leaves the parent it made (runc does)
	for d in "${dirs[@]}"; do cgv_record "$(dirname "$d")"; done
	assert_relative_paths "$pid" "conf-$ID-rel/$ID"
	rt delete -f "$ID"
	wait_pid_gone "$pid"
	assert_gone "${dirs[@]}"
	assert_no_container
}

@test "cgroups: v2: the root's controllers are enabled down to a nested cgroupsPath" {
	[[ $(cgv_layout) == unified ]] ||
		skip "/sys/fs/cgroup is not a cgroup2 mount on this host (cgroup layout $(cgv_layout); CONF_CGROUP_VIEW=v2 makes one)"
	bundle_new
	CG=/conf-nest-$ID/mid/$ID
	spec_edit '.linux.cgroupsPath = $cg' --arg cg "$CG"
	set_args sleep 100
	cgv_record "/sys/fs/cgroup/conf-nest-$ID"
	cgv_record "/sys/fs/cgroup/conf-nest-$ID/mid"
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	assert_cgroup_paths "$pid" "$CG"
	# runc writes every controller of the root into each ancestor's
	# cgroup.subtree_control, so the container's cgroup has them all
	assert_eq "$(cat "/sys/fs/cgroup$CG/cgroup.controllers")" "$(cat /sys/fs/cgroup/cgroup.controllers)" \
		"cgroup.controllers of the container's cgroup"
}

@test "cgroups: delete -f removes the cgroup of a container with exec'd processes" {
	cg_bundle
	rt_run_d
	wait_status running
	local pid dirs p
	pid=$(state_field pid)
	mapfile -t dirs < <(cgv_dirs "$pid")
	rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 100 </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	p=$(cat "$T/exec.pid")
	record_pid "$p"
	run rt delete -f "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	wait_pid_gone "$p"
	assert_gone "${dirs[@]}"
	assert_no_container
}

@test "cgroups: kill --all reaches processes in cgroups the container made below its own; delete removes them" {
	# A cgroup namespace and a writable cgroup mount let the container make
	# child cgroups (as systemd or a nested runtime in it would). Without a pid
	# namespace only a runtime that walks the cgroup tree reaches the process
	# moved into the child. (kill --all, then delete: runc 1.1.5's v2 delete -f
	# removes the tree right after SIGKILL, without waiting for a process that
	# is not its child to leave it, and fails with EBUSY.)
	bundle_new
	mkdir -p "$T/ctl"
	spec_edit '.linux.namespaces |= map(select(.type != "pid")) | .linux.namespaces += [{"type": "cgroup"}]
		| (.mounts[] | select(.type == "cgroup") | .options) |= map(select(. != "ro"))
		| .mounts += [{"destination": "/ctl", "type": "bind", "source": $src, "options": ["rbind", "rw"]}]' \
		--arg src "$T/ctl"
	# v2: the container's cgroup is /sys/fs/cgroup inside; v1: one directory per hierarchy
	set_args sh -c 'c=/sys/fs/cgroup; [ -e $c/cgroup.controllers ] || c=$c/pids
		mkdir -p $c/conf-sub/leaf || exit 1
		sleep 1000 & echo $! > $c/conf-sub/leaf/cgroup.procs && echo $! > /ctl/pid
		echo READY > /ctl/ready; wait'
	rt_run_d
	wait_file "$T/ctl/ready" READY
	local init p dirs d
	init=$(state_field pid)
	p=$(cat "$T/ctl/pid")
	record_pid "$p"
	mapfile -t dirs < <(cgv_dirs "$init")
	d=$(cgv_dir "$init" pids)
	grep -qx "$p" "$d/conf-sub/leaf/cgroup.procs" || {
		echo "pid $p is not in $d/conf-sub/leaf" >&2
		false
	}
	run rt kill --all "$ID" KILL
	assert_status 0
	wait_pid_gone "$init"
	wait_pid_gone "$p" 5
	wait_status stopped
	[[ -d $d/conf-sub/leaf ]] || {
		echo "the container's child cgroup $d/conf-sub/leaf is gone before delete" >&2
		false
	}
	run rt delete "$ID"
	assert_status 0
	assert_gone "${dirs[@]}"
	assert_no_container
}

@test "cgroups: update --resources - and update flags change the limits of a running container" {
	cgv_require memory pids
	cg_bundle
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	run rt update --resources - "$ID" <<<'{"memory": {"limit": 33554432}, "pids": {"limit": 20}}'
	assert_status 0
	if [[ $(cgv_layout) != unified ]]; then
		assert_eq "$(cat "$(cgv_dir "$pid" memory)/memory.limit_in_bytes")" 33554432 "memory.limit_in_bytes"
	else
		assert_eq "$(cat "$(cgv_dir "$pid")/memory.max")" 33554432 "memory.max"
	fi
	assert_eq "$(cat "$(cgv_dir "$pid" pids)/pids.max")" 20 "pids.max"
	run rt update --pids-limit 30 "$ID"
	assert_status 0
	assert_eq "$(cat "$(cgv_dir "$pid" pids)/pids.max")" 30 "pids.max after --pids-limit"
}

@test "cgroups: with a cgroup namespace /sys/fs/cgroup in the container is its own cgroup (cgroup2 on a unified host)" {
	bundle_new
	spec_edit '.linux.namespaces += [{"type": "cgroup"}]'
	# v2: the container's cgroup is /sys/fs/cgroup; v1: one mount per hierarchy below it
	ctr_run sh -c 'awk '\''$5 == "/sys/fs/cgroup" { for (i = 7; $i != "-"; i++); print $(i + 1) }'\'' /proc/self/mountinfo
		c=/sys/fs/cgroup; [ -e $c/cgroup.controllers ] || c=$c/pids; cat $c/cgroup.procs'
	assert_status 0
	local want=tmpfs
	[[ $(cgv_layout) != unified ]] || want=cgroup2
	assert_eq "${lines[0]}" "$want" "filesystem at /sys/fs/cgroup in the container"
	# the container's init is pid 1 of its pid namespace, and in that cgroup
	assert_line "^1$"
}

@test "cgroups: v2: a limit for a controller the cgroup2 hierarchy lacks fails create, which leaves nothing" {
	[[ $(cgv_layout) == unified ]] ||
		skip "/sys/fs/cgroup is not a cgroup2 mount on this host (cgroup layout $(cgv_layout); CONF_CGROUP_VIEW=v2 makes one)"
	! cgv_has memory || skip "the cgroup2 hierarchy has the memory controller on this host (nothing to miss)"
	cg_bundle
	spec_edit '.linux.resources.memory = {"limit": 67108864}'
	run --separate-stderr rt create --bundle "$BUNDLE" "$ID"
	echo "create: status $status, stdout: $output, stderr: $stderr" >&2
	[[ $status != 0 ]]
	assert_no_container
	[[ ! -e /sys/fs/cgroup$CG ]] || {
		echo "cgroup /sys/fs/cgroup$CG left after the failed create" >&2
		false
	}
}
