#!/usr/bin/env bats
# security: regressions of runc's CVEs as properties any runtime must have, for run and exec
# (process.cwd through a leaked fd, procfs through a symlink, mounts through symlinks out of the
# rootfs, inheritable capabilities, the runtime binary reachable from a container), the default
# masked and read-only paths, mounts inside /proc, and no runtime fd reaching the process.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; stderr comes from bats' run
load helpers

# runtime_path: the installed runtime binary, as a path on the host.
runtime_path() { readlink -f -- "$RT"; }

# created_init_pid: create $ID (detached, not started) and print its init's host pid.
created_init_pid() {
	rt_create || {
		echo "create failed: $(cat "$CTR_ERR")" >&2
		return 1
	}
	state_field pid
}

# running: run -d $ID (sleep) from a fresh bundle and wait until it runs.
running() {
	bundle_new
	set_args sleep 100
	rt_run_d
	wait_status running
}

# exec_run ARGS...: `rt exec` with stdin from /dev/null, output captured (bats `run`).
exec_run() {
	run --separate-stderr rt exec "$@" </dev/null
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/N (N = 3..12) never lands outside the rootfs" {
	bundle_new
	local marker=$T/host-marker n
	echo host >"$marker"
	for n in 3 4 5 6 7 8 9 10 11 12; do
		spec_edit ".process.cwd = \"/proc/self/fd/$n\""
		# From a cwd outside the rootfs, ".." climbs to the host's / and finds the marker;
		# inside the rootfs it stops at the container's /.
		ctr_run sh -c "test -e ../../../../../../../../../../../..$marker && echo ESCAPED;
			ls -a ../../../../../../../../../../../..$T 2>/dev/null | grep -x host-marker; readlink /proc/self/cwd"
		if [[ $status -eq 0 ]]; then
			refute_line ESCAPED
			refute_line host-marker
			refute_line "^$T"
		fi
	done
}

@test "CVE-2024-21626: exec --cwd /proc/self/fd/N (N = 3..12) never lands outside the rootfs" {
	running
	local marker=$T/host-marker n
	echo host >"$marker"
	for n in 3 4 5 6 7 8 9 10 11 12; do
		exec_run --cwd "/proc/self/fd/$n" "$ID" sh -c "test -e ../../../../../../../../../../../..$marker && echo ESCAPED;
			ls -a ../../../../../../../../../../../..$T 2>/dev/null | grep -x host-marker; readlink /proc/self/cwd"
		if [[ $status -eq 0 ]]; then
			refute_line ESCAPED
			refute_line host-marker
			refute_line "^$T"
		fi
	done
}

@test "CVE-2019-16884, CVE-2023-27561: /proc as a symlink in the rootfs is refused; no procfs mounted through it" {
	bundle_new
	local hostdir=$T/hostproc
	mkdir -p "$hostdir"
	echo untouched >"$hostdir/marker"
	rmdir "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/evil"
	ln -s evil "$BUNDLE/rootfs/proc"
	ctr_run sh -c 'echo started; ls /evil'
	assert_fail
	refute_line started
	run findmnt -rn "$BUNDLE/rootfs/evil"
	assert_fail
	[[ -z $(ls -A "$BUNDLE/rootfs/evil") ]]
	# an absolute link to a host directory: the host directory stays as it was
	rm "$BUNDLE/rootfs/proc"
	ln -s "$hostdir" "$BUNDLE/rootfs/proc"
	ctr_run sh -c 'echo started'
	assert_fail
	refute_line started
	assert_eq "$(ls -A "$hostdir")" marker "host dir content"
	run findmnt -rn "$hostdir"
	assert_fail
	assert_no_container
}

@test "CVE-2019-16884, CVE-2023-27561: /sys as a symlink in the rootfs is refused; no sysfs mounted through it" {
	bundle_new
	rmdir "$BUNDLE/rootfs/sys"
	mkdir "$BUNDLE/rootfs/evil"
	ln -s /evil "$BUNDLE/rootfs/sys"
	ctr_run sh -c 'echo started'
	assert_fail
	refute_line started
	run findmnt -rn "$BUNDLE/rootfs/evil"
	assert_fail
	[[ -z $(ls -A "$BUNDLE/rootfs/evil") ]]
	assert_no_container
}

@test "CVE-2021-30465: mounts through a symlink to / (../../..) stay inside the rootfs; the host is untouched" {
	bundle_new
	local hostdir=$T/hostdir30465
	mkdir -p "$hostdir"
	echo untouched >"$hostdir/marker"
	echo bound >"$T/src"
	# rootfs/evil climbs far above the rootfs: resolved on the host it would be the host's /
	ln -s ../../../../../../../../../../../.. "$BUNDLE/rootfs/evil"
	spec_edit '.mounts += [
		{"destination": ($d + "/newdir/sub"), "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
		{"destination": ($d + "/bound"), "type": "bind", "source": $s, "options": ["bind"]}]' \
		--arg d "/evil$hostdir" --arg s "$T/src"
	ctr_run sh -c "cut -d' ' -f5 /proc/self/mountinfo | grep -F '$hostdir'; cat $hostdir/bound;
		echo pwned >$hostdir/newdir/sub/p && echo wrote"
	assert_status 0
	assert_output "$(printf '%s\n' "$hostdir/newdir/sub" "$hostdir/bound" bound wrote)"
	# nothing was created, mounted or written on the host
	assert_eq "$(ls -A "$hostdir")" marker "host dir content"
	assert_eq "$(cat "$hostdir/marker")" untouched "host marker"
	assert_eq "$(cat "$T/src")" bound "bind source"
	run findmnt -rn -o TARGET
	refute_line "^$hostdir"
	# the mount points were made inside the rootfs
	[[ -d $BUNDLE/rootfs$hostdir/newdir/sub && -e $BUNDLE/rootfs$hostdir/bound ]]
}

@test "CVE-2022-29162: inheritable capabilities are empty by default, for root and non-root" {
	bundle_new
	local uid
	for uid in 0 1000; do
		# the template's bounding, effective, permitted and ambient sets, no inheritable
		spec_edit ".process.user = {\"uid\": $uid, \"gid\": $uid} | del(.process.capabilities.inheritable)"
		ctr_run sh -c 'grep -E "^Cap(Inh|Amb):" /proc/self/status; grep "^CapInh:" /proc/1/status'
		assert_status 0
		assert_output "$(printf 'CapInh:\t0000000000000000\nCapAmb:\t0000000000000000\nCapInh:\t0000000000000000')"
		# what is asked for is there: the check above can see a set bit
		spec_edit '.process.capabilities.inheritable = ["CAP_KILL"]'
		ctr_run grep '^CapInh:' /proc/self/status
		assert_status 0
		assert_output "$(printf 'CapInh:\t0000000000000020')"
	done
}

@test "default config: /proc/sys and /proc/sysrq-trigger are not writable, /sys/firmware shows nothing" {
	bundle_new
	# the template has runc spec's maskedPaths and readonlyPaths
	[[ -n $(ls -A /sys/firmware) ]]
	ctr_run sh -c 'true >>/proc/sys/kernel/hostname && echo OPEN-sys;
		true >>/proc/sys/net/ipv4/ip_forward && echo OPEN-net;
		true >>/proc/sysrq-trigger && echo OPEN-sysrq;
		echo "firmware=$(ls -A /sys/firmware | wc -l)"; echo "timer_list=$(wc -c </proc/timer_list)"'
	assert_status 0
	assert_output "$(printf 'firmware=0\ntimer_list=0')"
	[[ $stderr == *"can't create /proc/sys/kernel/hostname: Read-only file system"* ]]
	[[ $stderr == *"can't create /proc/sys/net/ipv4/ip_forward: Read-only file system"* ]]
	if [[ -e /proc/sysrq-trigger ]]; then
		[[ $stderr == *"can't create /proc/sysrq-trigger: Read-only file system"* ]]
	fi
}

@test "CVE-2019-5736: the process's /proc/1/exe is the container's busybox" {
	bundle_new
	ctr_run sh -c 'readlink /proc/1/exe; readlink /proc/self/exe'
	assert_status 0
	assert_output "$(printf '/bin/busybox\n/bin/busybox')"
}

@test "CVE-2019-5736: a created container's init is never the installed runtime binary" {
	bundle_new
	local pid exe sum
	sum=$(sha256sum <"$(runtime_path)")
	set_args true
	pid=$(created_init_pid)
	exe=$(readlink "/proc/$pid/exe")
	[[ -n $exe && $exe != "$(runtime_path)" && $exe != "$(runtime_path) (deleted)" ]] || {
		echo "created init $pid runs $exe; the runtime is $(runtime_path)" >&2
		false
	}
	# and it cannot be opened for writing through the init
	run python3 -c 'import os, sys; os.open(sys.argv[1], os.O_WRONLY)' "/proc/$pid/exe"
	assert_fail
	rt start "$ID"
	wait_status stopped
	assert_eq "$(sha256sum <"$(runtime_path)")" "$sum" "runtime binary checksum"
}

@test "CVE-2019-5736: with a startContainer hook, a created container's init is never the installed runtime binary" {
	bundle_new
	local pid exe
	set_args true
	spec_edit '.hooks.startContainer = [{"path": "/bin/true"}]'
	pid=$(created_init_pid)
	exe=$(readlink "/proc/$pid/exe")
	[[ -n $exe && $exe != "$(runtime_path)" && $exe != "$(runtime_path) (deleted)" ]] || {
		echo "created init $pid runs $exe; the runtime is $(runtime_path)" >&2
		false
	}
}

# The exploit's other half: a process that can see a created container's init (here: a second
# container in its pid namespace) keeps an fd on /proc/1/exe, and once the init has exec'd the
# process, reopens it for writing (appending nothing: a runtime that fails changes no byte). It
# then sleeps with the fd open, so the host can tell what the fd is.
PIDNS_PROBE='if (exec 3</proc/1/exe) 2>/dev/null; then exec 3</proc/1/exe; echo opened; else echo denied; fi
	i=0
	while [ "$(readlink /proc/1/exe)" != /bin/busybox ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	echo "now $(readlink /proc/1/exe)"
	if [ -e /proc/self/fd/3 ]; then
		if (true 4>>/proc/self/fd/3) 2>/dev/null; then echo WRITABLE; else echo not-writable; fi
	else
		echo no-fd
	fi
	exec sleep 100'

# pidns_probe [HOOK]: create a-$ID (sleep; with a startContainer hook if HOOK is "hook"), run b-$ID
# in its pid namespace with PIDNS_PROBE, start a-$ID; the probe's output is in $T/b.out.
pidns_probe() {
	local pid
	bundle_new "$T/a"
	set_args sleep 100
	if [[ ${1:-} == hook ]]; then
		spec_edit '.hooks.startContainer = [{"path": "/bin/true"}]'
	fi
	rt create --bundle "$T/a" "a-$ID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	pid=$(state_field pid "a-$ID")
	bundle_new "$T/b"
	set_args sh -c "$PIDNS_PROBE"
	spec_edit '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "/proc/$pid/ns/pid"
	: >"$T/b.out"
	rt run -d --bundle "$T/b" "b-$ID" </dev/null >>"$T/b.out" 2>>"$CTR_ERR"
	wait_file "$T/b.out" '^(opened|denied)$'
	rt start "a-$ID"
	wait_file "$T/b.out" '^(WRITABLE|not-writable|no-fd)$'
}

# assert_probe_safe: the probe could not reopen the runtime's own binary for writing (a sealed
# copy or another file it may reopen; the runtime's inode, never).
assert_probe_safe() {
	local bpid held
	grep -qx WRITABLE "$T/b.out" || return 0
	bpid=$(state_field pid "b-$ID")
	held=$(stat -L -c %d:%i "/proc/$bpid/fd/3")
	if [[ $held == "$(stat -L -c %d:%i "$(runtime_path)")" ]]; then
		printf 'a container reopened the runtime binary %s for writing:\n%s\n' "$(runtime_path)" "$(cat "$T/b.out")" >&2
		return 1
	fi
}

@test "CVE-2019-5736: a process in a created container's pid namespace cannot write the runtime through its init" {
	local sum
	sum=$(sha256sum <"$(runtime_path)")
	pidns_probe
	assert_probe_safe
	assert_eq "$(sha256sum <"$(runtime_path)")" "$sum" "runtime binary checksum"
}

@test "CVE-2019-5736: with a startContainer hook, a process in the init's pid namespace cannot write the runtime" {
	local sum
	sum=$(sha256sum <"$(runtime_path)")
	pidns_probe hook
	assert_probe_safe
	assert_eq "$(sha256sum <"$(runtime_path)")" "$sum" "runtime binary checksum"
}

@test "CVE-2019-5736: an entrypoint of /proc/self/exe does not run the runtime" {
	bundle_new
	local version sum
	version=$("$RT" --version | head -n1)
	[[ -n $version ]]
	sum=$(sha256sum <"$(runtime_path)")
	# (not bats' run: whatever the entrypoint turns out to be, exit status 127 is no error here)
	set_args /proc/self/exe --version
	rt run --bundle "$BUNDLE" "$ID" </dev/null >"$T/out" 2>&1 || true
	[[ $(<"$T/out") != *"$version"* ]] || {
		echo "the container ran the runtime: $(cat "$T/out")" >&2
		false
	}
	# the same through a symlink in the image (the original exploit's /bin/sh -> /proc/self/exe)
	ln -s /proc/self/exe "$BUNDLE/rootfs/bin/evil"
	set_args /bin/evil --version
	rt run --bundle "$BUNDLE" "$ID" </dev/null >"$T/out" 2>&1 || true
	[[ $(<"$T/out") != *"$version"* ]] || {
		echo "the container ran the runtime: $(cat "$T/out")" >&2
		false
	}
	assert_eq "$(sha256sum <"$(runtime_path)")" "$sum" "runtime binary checksum"
}

@test "CVE-2019-5736: exec of /proc/self/exe does not run the runtime; an exec'd process is the container's binary" {
	running
	local version sum
	version=$("$RT" --version | head -n1)
	[[ -n $version ]]
	sum=$(sha256sum <"$(runtime_path)")
	exec_run "$ID" sh -c 'readlink /proc/self/exe'
	assert_status 0
	assert_output /bin/busybox
	# (not bats' run: whatever the process turns out to be, exit status 127 is no error here)
	rt exec "$ID" /proc/self/exe --version </dev/null >"$T/out" 2>&1 || true
	[[ $(<"$T/out") != *"$version"* ]] || {
		echo "exec ran the runtime: $(cat "$T/out")" >&2
		false
	}
	assert_eq "$(sha256sum <"$(runtime_path)")" "$sum" "runtime binary checksum"
}

@test "CVE-2022-29162: exec'd processes get no inheritable capabilities, as root and as another user" {
	running
	exec_run "$ID" grep -E '^Cap(Inh|Amb):' /proc/self/status
	assert_status 0
	assert_output "$(printf 'CapInh:\t0000000000000000\nCapAmb:\t0000000000000000')"
	exec_run --user 1000:1000 "$ID" sh -c 'id -u; grep -E "^Cap(Inh|Amb):" /proc/self/status'
	assert_status 0
	assert_output "$(printf '1000\nCapInh:\t0000000000000000\nCapAmb:\t0000000000000000')"
}

@test "no fd of the runtime reaches the process: 0, 1, 2 only" {
	bundle_new
	# ls's own directory fd is the 3
	ctr_run ls /proc/self/fd
	assert_status 0
	assert_output "$(printf '0\n1\n2\n3')"
	# a detached container's process, seen from the host
	set_args sleep 30
	rt_run_d
	local pid
	pid=$(state_field pid)
	assert_eq "$(cd "/proc/$pid/fd" && echo *)" "0 1 2" "fds of the detached process"
	rt kill "$ID" KILL
	wait_status stopped
	rt delete "$ID"
	# created, then started
	rt_create
	rt start "$ID"
	wait_status running
	pid=$(state_field pid)
	assert_eq "$(cd "/proc/$pid/fd" && echo *)" "0 1 2" "fds of the started process"
	# and an exec'd process
	exec_run "$ID" ls /proc/self/fd
	assert_status 0
	assert_output "$(printf '0\n1\n2\n3')"
}

@test "mounts inside /proc other than runc's list are refused; /proc/cpuinfo may be bound" {
	bundle_new
	local dest
	echo fake-cpuinfo >"$T/cpuinfo"
	for dest in /proc/self/exe /proc/1/mem /proc/sys/kernel/core_pattern; do
		bundle_new
		spec_edit '.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": ["bind", "ro"]}]' \
			--arg d "$dest" --arg s "$T/cpuinfo"
		ctr_run sh -c 'echo started'
		assert_fail
		refute_line started
		assert_no_container
	done
	bundle_new
	spec_edit '.mounts += [{"destination": "/proc/cpuinfo", "type": "bind", "source": $s, "options": ["bind", "ro"]}]' \
		--arg s "$T/cpuinfo"
	ctr_run cat /proc/cpuinfo
	assert_status 0
	assert_output fake-cpuinfo
}
