#!/usr/bin/env bats
# seccomp: linux.seccomp as the process sees it: errno actions and errnoRet, defaultErrnoRet, kill
# and trap actions, argument conditions (one argument twice ORs, as runc), SCMP_ACT_LOG, the
# filter mode in /proc/self/status with and without noNewPrivileges, and Docker's default
# profile converted the way dockerd does it. Busybox applets make the syscalls.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; stderr comes from bats' run
load helpers

# Docker's default profile in moby's own format (Debian: golang-github-docker-docker-dev).
DOCKER_PROFILE=/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json

# all_syscalls: a JSON array of every syscall name libseccomp knows on this architecture (the
# runtimes link the same libseccomp), for allow-lists that block one call and nothing else.
all_syscalls() {
	python3 -c '
import ctypes, json
lib = ctypes.CDLL("libseccomp.so.2")
lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_char_p
names = []
for nr in range(1024):
    n = lib.seccomp_syscall_resolve_num_arch(0, nr)  # SCMP_ARCH_NATIVE
    if n:
        names.append(n.decode())
print(json.dumps(names))'
}

# seccomp_block ACTION [EXTRA]: linux.seccomp allows everything but mkdir and mkdirat, which get
# ACTION (EXTRA: more members of that rule, e.g. `"errnoRet": 38`).
seccomp_block() {
	spec_edit ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"$1\"${2:+, $2}}]}"
}

# docker_default_profile: $DOCKER_PROFILE as dockerd turns it into linux.seccomp for a default
# container on amd64 (profiles/seccomp/seccomp_linux.go, setupSeccomp): the archMap entry of
# SCMP_ARCH_X86_64 with its sub-architectures; a syscall entry is kept only when its excludes do
# not match (arch amd64, a cap in the bundle's bounding set, a kernel at least minKernel) and its
# includes do (arch amd64, every cap in the bounding set, kernel at least minKernel); the
# includes, excludes and comment keys go.
docker_default_profile() {
	[[ -r $DOCKER_PROFILE ]] || {
		echo "$DOCKER_PROFILE missing: apt-get install golang-github-docker-docker-dev" >&2
		return 1
	}
	jq --arg kernel "$(uname -r)" --argjson caps "$(jq '.process.capabilities.bounding // []' "$BUNDLE/config.json")" '
		def has($x): any(.[]?; . == $x);
		def ver: capture("^(?<a>[0-9]+)\\.(?<b>[0-9]+)") | [(.a | tonumber), (.b | tonumber)];
		($kernel | ver) as $kv
		| {defaultAction: .defaultAction}
		+ (if .defaultErrnoRet then {defaultErrnoRet: .defaultErrnoRet} else {} end)
		+ {architectures: [.archMap[] | select(.architecture == "SCMP_ARCH_X86_64")
				| .architecture, .subArchitectures[]],
		   syscalls: [.syscalls[]
			| select(.excludes.arches | has("amd64") | not)
			| select(any(.excludes.caps[]?; . as $c | $caps | has($c)) | not)
			| select(if .excludes.minKernel then $kv < (.excludes.minKernel | ver) else true end)
			| select(if (.includes.arches // []) | length > 0 then .includes.arches | has("amd64") else true end)
			| select(all(.includes.caps[]?; . as $c | $caps | has($c)))
			| select(if .includes.minKernel then $kv >= (.includes.minKernel | ver) else true end)
			| {names: (.names // [.name]), action: .action}
			  + (if .errnoRet then {errnoRet: .errnoRet} else {} end)
			  + (if (.args // []) | length > 0 then {args: .args} else {} end)]}' "$DOCKER_PROFILE"
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet fails mkdir with EPERM, in the process and its children" {
	bundle_new
	spec_edit '.root.readonly = false'
	seccomp_block SCMP_ACT_ERRNO
	ctr_run sh -c 'mkdir /x; echo "rc=$?"; (mkdir /y); echo "child rc=$?"; ls -d /x /y 2>&1; touch /f && echo touched'
	assert_status 0
	assert_line '^rc=1$'
	assert_line '^child rc=1$'
	assert_line '^touched$'
	assert_line "ls: /x: No such file or directory"
	assert_eq "$(grep -c "can't create directory .*: Operation not permitted" <<<"$stderr")" 2 "EPERM lines on stderr"
}

@test "seccomp: errnoRet 38 makes mkdir fail with ENOSYS" {
	bundle_new
	spec_edit '.root.readonly = false'
	seccomp_block SCMP_ACT_ERRNO '"errnoRet": 38'
	ctr_run mkdir /x
	assert_status 1
	assert_eq "$stderr" "mkdir: can't create directory '/x': Function not implemented" "mkdir's error"
	[[ ! -e $BUNDLE/rootfs/x ]]
}

@test "seccomp: defaultErrnoRet applies to every syscall no rule allows" {
	bundle_new
	local all
	all=$(all_syscalls)
	[[ $(jq length <<<"$all") -gt 300 ]]
	spec_edit '.root.readonly = false'
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 95,
		"syscalls": [{"names": ($all - ["mkdir", "mkdirat"]), "action": "SCMP_ACT_ALLOW"}]}' --argjson all "$all"
	ctr_run sh -c 'mkdir /x; echo "rc=$?"; touch /f && echo touched'
	assert_status 0
	assert_line '^rc=1$'
	assert_line '^touched$'
	assert_eq "$stderr" "mkdir: can't create directory '/x': Operation not supported" "mkdir's error"
	# without defaultErrnoRet: EPERM
	spec_edit '.linux.seccomp |= del(.defaultErrnoRet)'
	ctr_run mkdir /x
	assert_status 1
	assert_eq "$stderr" "mkdir: can't create directory '/x': Operation not permitted" "mkdir's error"
}

@test "seccomp: SCMP_ACT_KILL_PROCESS, KILL, KILL_THREAD and TRAP end the process with SIGSYS" {
	bundle_new
	spec_edit '.root.readonly = false'
	local action
	for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP; do
		seccomp_block "$action"
		ctr_run mkdir /x
		# the runtime exits 128 + SIGSYS (31), as for any signal that ends the process
		assert_status 159
		assert_eq "$output" "" "$action: stdout"
		[[ ! -e $BUNDLE/rootfs/x ]]
		# a child is killed, the shell goes on and sees the signal
		ctr_run sh -c 'mkdir /x & wait $!; echo "status=$?"'
		assert_status 0
		assert_output "status=159"
	done
}

@test "seccomp: SCMP_ACT_LOG allows the syscall" {
	bundle_new
	spec_edit '.root.readonly = false'
	seccomp_block SCMP_ACT_LOG
	ctr_run sh -c 'mkdir /x && echo made; ls -d /x; grep "^Seccomp:" /proc/self/status'
	assert_status 0
	assert_output "$(printf 'made\n/x\nSeccomp:\t2')"
}

@test "seccomp: argument conditions: personality(8) and socket(AF_INET, SOCK_DGRAM) only" {
	bundle_new
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
		 "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"},
			  {"index": 1, "value": 15, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	# linux32 calls personality(PER_LINUX32 = 8), linux64 personality(PER_LINUX = 0); ifconfig
	# opens socket(AF_INET, SOCK_DGRAM, 0), ip socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, ...)
	ctr_run sh -c 'linux32 true; echo "linux32=$?"; linux64 true; echo "linux64=$?";
		ifconfig lo >/dev/null; echo "ifconfig=$?"; ip link show lo >/dev/null; echo "ip=$?"'
	assert_status 0
	assert_output "$(printf 'linux32=1\nlinux64=0\nifconfig=1\nip=0')"
	assert_eq "$stderr" "$(printf '%s\n' 'linux32: personality(0x8): Operation not permitted' \
		'ifconfig: socket: Address family not supported by protocol')" "stderr"
}

@test "seccomp: two conditions on one argument are OR'ed (runc: one rule each)" {
	bundle_new
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
			  {"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
	ctr_run sh -c 'linux32 true; echo "linux32=$?"; linux64 true; echo "linux64=$?"; uname -m'
	assert_status 0
	assert_output "$(printf 'linux32=1\nlinux64=1\nx86_64')"
}

@test "seccomp: seven conditions on one argument (more than libseccomp's six per rule) still OR" {
	bundle_new
	spec_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
			  {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"},
			  {"index": 0, "value": 3, "op": "SCMP_CMP_EQ"},
			  {"index": 0, "value": 4, "op": "SCMP_CMP_EQ"},
			  {"index": 0, "value": 5, "op": "SCMP_CMP_EQ"},
			  {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
			  {"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
	ctr_run sh -c 'linux32 true; echo "linux32=$?"; linux64 true; echo "linux64=$?"'
	assert_status 0
	assert_output "$(printf 'linux32=1\nlinux64=1')"
}

@test "seccomp: filter mode 2 in /proc/self/status with and without noNewPrivileges" {
	bundle_new
	spec_edit '.root.readonly = false'
	seccomp_block SCMP_ACT_ERRNO '"errnoRet": 38'
	local nnp
	for nnp in true false; do
		spec_edit ".process.noNewPrivileges = $nnp"
		ctr_run sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; mkdir /x; echo "rc=$?"'
		assert_status 0
		assert_line '^Seccomp:	2$'
		assert_line "^NoNewPrivs:	$([[ $nnp == true ]] && echo 1 || echo 0)$"
		assert_line '^rc=1$'
		[[ $stderr == *"Function not implemented"* ]]
	done
	# and no filter at all without linux.seccomp
	spec_edit 'del(.linux.seccomp)'
	ctr_run grep '^Seccomp:' /proc/self/status
	assert_status 0
	assert_output "$(printf 'Seccomp:\t0')"
}

@test "seccomp: the container's filter applies to exec'd processes" {
	bundle_new
	spec_edit '.root.readonly = false'
	seccomp_block SCMP_ACT_ERRNO '"errnoRet": 38'
	set_args sleep 100
	rt_run_d
	wait_status running
	run --separate-stderr rt exec "$ID" sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /x; echo "rc=$?"' </dev/null
	assert_status 0
	assert_output "$(printf 'Seccomp:\t2\nrc=1')"
	assert_eq "$stderr" "mkdir: can't create directory '/x': Function not implemented" "mkdir's error"
}

@test "seccomp: a non-root process without noNewPrivileges gets the filter too" {
	bundle_new
	spec_edit '.root.readonly = false | .process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	seccomp_block SCMP_ACT_ERRNO '"errnoRet": 38'
	ctr_run sh -c 'id -u; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/x; echo "rc=$?"'
	assert_status 0
	assert_output "$(printf '1000\nNoNewPrivs:\t0\nSeccomp:\t2\nrc=1')"
	assert_eq "$stderr" "mkdir: can't create directory '/tmp/x': Function not implemented" "mkdir's error"
}

@test "seccomp: Docker's default profile runs busybox and blocks unshare" {
	bundle_new
	local profile
	# Docker's default: no no_new_privs
	spec_edit '.root.readonly = false | .process.noNewPrivileges = false'
	# without a filter, unshare(CLONE_NEWUSER) works in this container: the check below means something
	ctr_run unshare -U true
	assert_status 0
	profile=$(docker_default_profile)
	jq -e '.defaultAction == "SCMP_ACT_ERRNO" and .architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
		and ([.syscalls[].names[]] | index("read") != null and index("unshare") == null and index("mount") == null)
		and ([.syscalls[] | select(.names == ["clone3"])][0].errnoRet == 38)' <<<"$profile" >/dev/null || {
		echo "unexpected conversion: $(jq -c 'del(.syscalls)' <<<"$profile")" >&2
		false
	}
	spec_edit '.linux.seccomp = $p' --argjson p "$profile"
	ctr_run sh -c 'echo ok; ls /; mkdir /tmp/x && echo made; grep "^Seccomp:" /proc/self/status'
	assert_status 0
	assert_line '^ok$'
	assert_line '^bin$'
	assert_line '^made$'
	assert_line '^Seccomp:	2$'
	# unshare is allowed only with CAP_SYS_ADMIN in the bounding set: the default action, EPERM
	ctr_run unshare -U true
	assert_status 1
	assert_eq "$stderr" "unshare: unshare(0x10000000): Operation not permitted" "unshare's error"
}
