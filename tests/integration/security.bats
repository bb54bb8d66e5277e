#!/usr/bin/env bats
# Security: seccomp notify (the listener gets containerProcessState and the notify fd, and its
# answers reach the process), bad seccomp profiles, capabilities and LSM fields refused with the
# JSON path and nothing left behind, mounts inside /proc, the filter without noNewPrivileges and
# seccomp flags, and the init exec'd from the sealed waiter (CVE-2019-5736).

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() { bundle_new; }
teardown() { bundle_cleanup; }

# expect_error MSG: `create` and `run` of $BUNDLE both exit 1; stderr is exactly MSG, the --log
# file holds exactly one JSON line with level "error" and the same message, and the container
# left nothing behind: no state, cgroup or process.
expect_error() {
	local want=$1 cmd msg
	for cmd in create run; do
		rm -f "$T/log.json"
		brun --log "$T/log.json" --log-format json "$cmd" --bundle "$BUNDLE" "$ID"
		assert_status 1
		assert_eq "$stderr" "$want" "$cmd: stderr"
		assert_eq "$(wc -l <"$T/log.json")" 1 "$cmd: lines in --log"
		msg=$(jq -er 'select(.level == "error") | .msg' "$T/log.json") || {
			echo "$cmd: --log holds no error line: $(cat "$T/log.json")" >&2
			return 1
		}
		assert_eq "$msg" "$want" "$cmd: msg in --log"
		assert_no_container
		if [[ -n $(ls -A "$ROOT") ]]; then
			echo "$cmd left state in $ROOT: $(ls -A "$ROOT")" >&2
			return 1
		fi
	done
}

# start_listener ANSWER [SOCKET]: seccomp_listener.py on SOCKET (default $T/listener.sock), output
# in $T/notify (.json: the message, .nfds: fds received, itself: one line per notification).
start_listener() {
	python3 "$IT_HELPERS/seccomp_listener.py" "${2:-$T/listener.sock}" "$T/notify" "$1" 2>"$T/notify.err" &
	LISTENER_PID=$!
	record_pid "$LISTENER_PID"
	wait_file "$T/notify.ready"
}

# wait_listener: wait for the listener to see the filter's last user go; fail if it failed.
wait_listener() {
	local rc=0
	wait "$LISTENER_PID" || rc=$?
	if ((rc != 0)); then
		echo "seccomp_listener.py exited $rc: $(cat "$T/notify.err")" >&2
		return 1
	fi
}

# notify_profile [EXTRA]: mkdir and mkdirat go to the listener at $T/listener.sock.
notify_profile() {
	spec_edit '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"listenerPath": $sock, "listenerMetadata": "berth-test=1",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}' --arg sock "$T/listener.sock"
}

@test "seccomp notify: the listener gets containerProcessState and one fd" {
	notify_profile
	set_args sh -c 'mkdir /x; echo "mkdir=$?"; exec sleep 30'
	start_listener ok
	ctr_run_d
	local pid msg
	pid=$(state_field pid)
	wait_file "$T/notify.json"
	msg=$(cat "$T/notify.json")
	assert_eq "$(cat "$T/notify.nfds")" 1 "fds sent with the message"
	assert_eq "$(jq -c .fds <<<"$msg")" '["seccompFd"]' "fds"
	assert_eq "$(jq -r .ociVersion <<<"$msg")" "$(jq -r .ociVersion "$BUNDLE/config.json")" "ociVersion"
	assert_eq "$(jq -r .metadata <<<"$msg")" "berth-test=1" "metadata"
	assert_eq "$(jq -r .pid <<<"$msg")" "$pid" "pid"
	assert_eq "$(jq -r .state.pid <<<"$msg")" "$pid" "state.pid"
	assert_eq "$(jq -r .state.id <<<"$msg")" "$ID" "state.id"
	assert_eq "$(jq -r .state.bundle <<<"$msg")" "$BUNDLE" "state.bundle"
	assert_eq "$(jq -r .state.status <<<"$msg")" creating "state.status"
	assert_eq "$(jq -r .state.ociVersion <<<"$msg")" "$(jq -r .ociVersion "$BUNDLE/config.json")" "state.ociVersion"
	# the process reports before it is killed
	local i
	for ((i = 0; i < 500; i++)); do
		[[ -s $T/ctr.out ]] && break
		sleep 0.02
	done
	rt kill "$ID" KILL
	wait_status stopped
	wait_listener
	# the one mkdir was seen (x86_64 mkdir is 83) and answered
	assert_eq "$(cut -d' ' -f1,6- "$T/notify")" "83 ok" "notifications"
	assert_eq "$(cat "$T/ctr.out")" "mkdir=0" "the process' view"
}

@test "seccomp notify: the listener's fake success reaches mkdir, nothing is made" {
	notify_profile
	set_args sh -c 'mkdir /x && echo made; ls -d /x 2>&1; true'
	start_listener ok
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$(printf 'made\nls: /x: No such file or directory')" "container output"
	wait_listener
	[[ ! -e $BUNDLE/rootfs/x ]]
}

@test "seccomp notify: the listener's errno reaches mkdir; continue lets it run" {
	notify_profile
	set_args sh -c 'mkdir /x; echo "mkdir=$?"'
	start_listener errno:13
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "mkdir=1" "container output"
	assert_eq "$stderr" "mkdir: can't create directory '/x': Permission denied" "mkdir's error"
	wait_listener
	[[ ! -e $BUNDLE/rootfs/x ]]

	rm -f "$T/notify" "$T/notify.ready" "$T/notify.json" "$T/listener.sock"
	start_listener continue
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "mkdir=0" "container output"
	wait_listener
	[[ -d $BUNDLE/rootfs/x ]]
}

@test "seccomp notify: without noNewPrivileges, as a non-root user" {
	notify_profile
	spec_edit '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status'
	start_listener errno:28
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$(printf 'mkdir=1\nNoNewPrivs:\t0\nSeccomp:\t2')" "container output"
	assert_eq "$stderr" "mkdir: can't create directory '/tmp/x': No space left on device" "mkdir's error"
	wait_listener
}

@test "seccomp notify: listenerPath is the host's, never a socket at that path in the rootfs" {
	notify_profile
	set_args sh -c 'mkdir /x; echo "mkdir=$?"'
	# a decoy at the same path inside the container's root, which would answer "success"
	mkdir -p "$BUNDLE/rootfs$T"
	python3 "$IT_HELPERS/seccomp_listener.py" "$BUNDLE/rootfs$T/listener.sock" "$T/decoy" ok 2>/dev/null &
	record_pid $!
	wait_file "$T/decoy.ready"
	start_listener errno:1
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "mkdir=1" "container output"
	wait_listener
	[[ ! -e $T/decoy.json ]] || {
		echo "the decoy in the rootfs got the notify fd: $(cat "$T/decoy.json")" >&2
		false
	}
}

@test "seccomp notify: an unreachable listenerPath fails the run and leaves nothing behind" {
	notify_profile
	set_args true
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "linux.seccomp.listenerPath: connect to \"$T/listener.sock\": No such file or directory"
	assert_no_container
}

@test "seccomp: unknown syscall names linux.seccomp.syscalls[1].names[1]" {
	set_args true
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["getpid"], "action": "SCMP_ACT_LOG"},
		{"names": ["mkdir", "mkdir2"], "action": "SCMP_ACT_ERRNO"}]}'
	expect_error 'config.json: linux.seccomp.syscalls[1].names[1]: unknown syscall "mkdir2"'
}

@test "seccomp: unknown action names linux.seccomp.syscalls[0].action" {
	set_args true
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_BLOCK"}]}'
	expect_error 'config.json: linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_BLOCK"'
}

@test "seccomp: unknown defaultAction" {
	set_args true
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_DENY"}'
	expect_error 'config.json: linux.seccomp.defaultAction: unknown action "SCMP_ACT_DENY"'
}

@test "seccomp: unknown architecture names linux.seccomp.architectures[1]" {
	set_args true
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]}'
	expect_error 'config.json: linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_Z80"'
}

@test "seccomp: unknown operator names linux.seccomp.syscalls[0].args[0].op" {
	set_args true
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"],
		"action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_MASKED_NE"}]}]}'
	expect_error 'config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_MASKED_NE"'
}

@test "seccomp: unknown flag, errnoRet on SCMP_ACT_ALLOW, SCMP_ACT_NOTIFY without listenerPath" {
	set_args true
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"]}'
	expect_error 'config.json: linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"'
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}]}'
	expect_error 'config.json: linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE'
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	expect_error 'config.json: linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY'
}

@test "seccomp: the filter applies without noNewPrivileges, for root and non-root" {
	spec_edit '.root.readonly = false | .process.noNewPrivileges = false | .linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	local uid
	for uid in 0 1000; do
		spec_edit ".process.user = {\"uid\": $uid, \"gid\": $uid}"
		set_args sh -c 'id -u; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/x; echo "mkdir=$?"'
		brun run --bundle "$BUNDLE" "$ID"
		assert_status 0
		assert_eq "$output" "$(printf '%s\nNoNewPrivs:\t0\nSeccomp:\t2\nmkdir=1' "$uid")" "uid $uid: output"
		assert_eq "$stderr" "mkdir: can't create directory '/tmp/x': Function not implemented" "uid $uid: stderr"
	done
}

@test "seccomp: flags TSYNC, LOG and SPEC_ALLOW are taken (runc 1.1.5 refuses any flag)" {
	spec_edit '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	local nnp
	for nnp in true false; do
		spec_edit ".process.noNewPrivileges = $nnp"
		set_args sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /x; echo "mkdir=$?"'
		brun run --bundle "$BUNDLE" "$ID"
		assert_status 0
		assert_eq "$output" "$(printf 'Seccomp:\t2\nmkdir=1')" "noNewPrivileges $nnp: output"
		assert_eq "$stderr" "mkdir: can't create directory '/x': Function not implemented" "noNewPrivileges $nnp: stderr"
	done
}

@test "capabilities: unknown names, wherever they are, name their JSON path" {
	set_args true
	spec_edit '.process.capabilities.ambient = ["CAP_KILL", "cap_kill"]'
	expect_error 'config.json: process.capabilities.ambient[1]: unknown capability "cap_kill"'
	spec_edit '.process.capabilities.ambient = [] | .process.capabilities.inheritable = ["CAP_KILL", "CAP_SYS_FOO"]'
	expect_error 'config.json: process.capabilities.inheritable[1]: unknown capability "CAP_SYS_FOO"'
	spec_edit '.process.capabilities.inheritable = [] | .process.capabilities.permitted = ["KILL"]'
	expect_error 'config.json: process.capabilities.permitted[0]: unknown capability "KILL"'
}

@test "capabilities: no capabilities object means no capabilities at all (runc 1.1)" {
	spec_edit 'del(.process.capabilities)'
	set_args grep '^Cap' /proc/self/status
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$(printf 'CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000')" "capability sets"
}

@test "lsm: apparmorProfile on a host without AppArmor" {
	[[ ! -e /sys/module/apparmor/parameters/enabled ]]
	set_args true
	spec_edit '.process.apparmorProfile = "x"'
	expect_error 'config.json: process.apparmorProfile: profile "x" given, but AppArmor is not enabled on this host'
}

@test "lsm: selinuxLabel and mountLabel on a host without SELinux" {
	[[ ! -e /sys/fs/selinux/enforce ]]
	set_args true
	spec_edit '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	expect_error 'config.json: process.selinuxLabel: label given, but SELinux is not enabled on this host'
	spec_edit 'del(.process.selinuxLabel) | .linux.mountLabel = "system_u:object_r:container_file_t:s0"'
	expect_error 'config.json: linux.mountLabel: label given, but SELinux is not enabled on this host'
}

@test "mounts: over /proc/self/exe or /proc/1/mem is refused: cannot be mounted because it is inside /proc" {
	set_args true
	local dest
	for dest in /proc/self/exe /proc/1/mem; do
		spec_edit '.mounts = (.mounts | map(select(.destination | startswith("/proc/") | not)))
			+ [{"destination": $d, "type": "bind", "source": "/etc/hostname", "options": ["bind", "ro"]}]' --arg d "$dest"
		expect_error "mounts[7] \"$dest\": cannot be mounted because it is inside /proc"
	done
}

@test "mounts: procfs and sysfs through a symlink in the rootfs are refused (CVE-2019-16884, CVE-2023-27561)" {
	set_args true
	rmdir "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/evil"
	ln -s /evil "$BUNDLE/rootfs/proc"
	expect_error 'mounts[0] "/proc": the destination of a proc mount must not be a symlink'
	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	rmdir "$BUNDLE/rootfs/sys"
	ln -s evil "$BUNDLE/rootfs/sys"
	expect_error 'mounts[5] "/sys": the destination of a sysfs mount must not be a symlink'
	[[ -z $(ls -A "$BUNDLE/rootfs/evil") ]]
}

@test "CVE-2019-5736: a created container's init runs the sealed waiter, not berth" {
	set_args true
	ctr_create
	local pid
	pid=$(state_field pid)
	assert_eq "$(readlink "/proc/$pid/exe")" "/memfd:berth-init (deleted)" "created init's exe"
	[[ $(stat -L -c %d:%i "/proc/$pid/exe") != "$(stat -L -c %d:%i "$BERTH")" ]]
	# sealed: no writing through it, not even by root on the host
	run python3 -c '
import os, sys
try:
    os.open(sys.argv[1], os.O_WRONLY)
except OSError as e:
    sys.exit(e.strerror)
sys.exit("opened for writing")' "/proc/$pid/exe"
	[[ $status -ne 0 && $output != "opened for writing" ]]
	rt start "$ID"
	wait_status stopped
}

@test "CVE-2019-5736: the started process is the container's binary; /proc/self/exe as entrypoint finds the waiter" {
	set_args sh -c 'readlink /proc/1/exe'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" /bin/busybox "pid 1's exe"
	# the process's /proc/self/exe at exec time is the waiter's memfd: it runs the waiter again
	set_args /proc/self/exe --version
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 127
	assert_contains "$stderr" "berth-waiter: usage:"
	[[ $output != *"berth version"* && $stderr != *"berth version"* ]]
}
