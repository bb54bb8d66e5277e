#!/usr/bin/env bats
# tests/integration/berthd_seccomp.bats: seccomp and --privileged through berthd (issue 8):
# docker's default profile (filtered by the container's capabilities), seccomp=unconfined, a
# custom profile from a file (berthctl and the docker CLIs read it and send its JSON), a bad
# profile refused with its JSON path and nothing left, --privileged with the host's devices and
# no filter, docker info's Security Options.
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown: every container is removed; at the end the private dockerd and containerd (the
# comparison test) and berthd are stopped by their PIDs, then any shim whose command line names
# $PD is killed by PID, and peers_teardown kills what is left in the peers' cgroups and unmounts
# what is under $PD.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file seccomp; }

teardown_file() {
	[[ -n ${PD:-} ]] && {
		peers_stop dockerd 30
		peers_stop containerd
	}
	bdc_teardown_file
}

setup() {
	bdc_setup
	# allow everything but mkdir: EPERM by default for SCMP_ACT_ERRNO
	P=$BATS_TEST_TMPDIR/nomkdir.json
	cat >"$P" <<-'JSON'
	{
	  "defaultAction": "SCMP_ACT_ALLOW",
	  "syscalls": [
	    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" }
	  ]
	}
	JSON
	BAD=$BATS_TEST_TMPDIR/bad.json
	cat >"$BAD" <<-'JSON'
	{
	  "defaultAction": "SCMP_ACT_ALLOW",
	  "syscalls": [
	    { "names": ["getpid"], "action": "SCMP_ACT_ALLOW" },
	    { "names": ["mkdir"], "action": "SCMP_ACT_FOO" }
	  ]
	}
	JSON
}

teardown() { bdc_remove_containers; }

seccomp_mode() { # seccomp_mode ARGS...: the Seccomp line of /proc/self/status in a container
	"${C[@]}" run --rm "$@" busybox sh -c 'grep "^Seccomp:" /proc/self/status' | tr -d ' \t'
}

@test "seccomp: a default container is filtered (Seccomp: 2), unconfined and --privileged are not" {
	[ "$(seccomp_mode)" = Seccomp:2 ]
	[ "$(seccomp_mode --security-opt seccomp=unconfined)" = Seccomp:0 ]
	[ "$(seccomp_mode --security-opt seccomp:unconfined)" = Seccomp:0 ]
	[ "$(seccomp_mode --privileged)" = Seccomp:0 ]
	# an exec'd process gets the container's filter too
	local id
	id=$("${C[@]}" run -d busybox sleep 100)
	[ "$("${C[@]}" exec "$id" grep '^Seccomp:' /proc/self/status | tr -d ' \t')" = Seccomp:2 ]
	run "${C[@]}" exec "$id" busybox unshare -U true
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	"${C[@]}" rm -f "$id" >/dev/null
	nothing_left "$id"
}

@test "seccomp: the default profile is in config.json, filtered by capabilities as moby does" {
	local id cfg
	id=$("${C[@]}" create busybox true)
	cfg=$BD/data/containers/$id/config.json
	[ -e "$cfg" ] || cfg=$(find "$BD" -path "*$id*" -name config.json | head -1)
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and .linux.seccomp.defaultErrnoRet == 1' "$cfg"
	jq -e '.linux.seccomp.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]' "$cfg"
	# mount and unshare need CAP_SYS_ADMIN; clone3 gets ENOSYS without it; chroot comes with CAP_SYS_CHROOT
	jq -e '[.linux.seccomp.syscalls[].names[]] | (index("mount") == null and index("unshare") == null and index("chroot") != null)' "$cfg"
	jq -e '.linux.seccomp.syscalls[] | select(.names == ["clone3"]) | .action == "SCMP_ACT_ERRNO" and .errnoRet == 38' "$cfg"
	"${C[@]}" rm "$id"
	id=$("${C[@]}" create --cap-add SYS_ADMIN busybox true)
	cfg=$BD/data/containers/$id/config.json
	[ -e "$cfg" ] || cfg=$(find "$BD" -path "*$id*" -name config.json | head -1)
	jq -e '[.linux.seccomp.syscalls[].names[]] | (index("mount") != null and index("unshare") != null and index("clone3") != null)' "$cfg"
	jq -e '[.linux.seccomp.syscalls[] | select(.names == ["clone3"])] | length == 0' "$cfg"
	"${C[@]}" rm "$id"
}

@test "seccomp: a syscall the default profile forbids fails; --cap-add SYS_ADMIN and unconfined allow it" {
	run "${C[@]}" run --rm busybox busybox unshare -U true
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	run "${C[@]}" run --rm --cap-add SYS_ADMIN busybox busybox unshare -U true
	[ "$status" -eq 0 ]
	run "${C[@]}" run --rm --security-opt seccomp=unconfined busybox busybox unshare -U true
	[ "$status" -eq 0 ]
	# what the default allows still works
	run "${C[@]}" run --rm busybox sh -c 'mkdir /tmp/x && echo ok'
	[ "$status" -eq 0 ] && [ "$output" = ok ]
	nothing_left
}

@test "seccomp: a custom profile from a file denies mkdir with EPERM, the rest works" {
	run "${C[@]}" run --rm --security-opt "seccomp=$P" busybox mkdir /tmp/x
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	run "${C[@]}" run --rm --security-opt "seccomp=$P" busybox sh -c 'echo hi > /tmp/f && cat /tmp/f && grep "^Seccomp:" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output == hi*Seccomp:*2 ]]
	# berthctl sent the file's JSON, as the docker CLI does
	local id
	id=$("${C[@]}" create --security-opt "seccomp=$P" busybox true)
	api "/v1.41/containers/$id/json" | jq -e '.HostConfig.SecurityOpt[0] | startswith("seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"")'
	"${C[@]}" rm "$id"
	# a file that is not there: berthctl's error, as the docker CLI's
	run "${C[@]}" run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/nosuch.json" busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"opening seccomp profile ($BATS_TEST_TMPDIR/nosuch.json) failed"* ]]
	nothing_left
}

@test "seccomp: a bad profile is refused with its JSON path (400) and leaves nothing" {
	local before after body
	before=$(api "/v1.41/containers/json?all=1" | jq length)
	run "${C[@]}" run --rm --security-opt "seccomp=$BAD" busybox true
	[ "$status" -ne 0 ]
	[[ $output == *'seccomp profile: syscalls[1].action: unknown action "SCMP_ACT_FOO"'* ]]
	# the API: 400, docker's {"message"}
	body=$(jq -n --arg p "seccomp=$(jq -c . "$BAD")" '{Image: "busybox", Cmd: ["true"], HostConfig: {SecurityOpt: [$p]}}')
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d "$body" /v1.41/containers/create)" = 400 ]
	jq -e '.message | contains("syscalls[1].action: unknown action")' "$BATS_TEST_TMPDIR/body"
	# not JSON at all
	body='{"Image":"busybox","Cmd":["true"],"HostConfig":{"SecurityOpt":["seccomp={nope"]}}'
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d "$body" /v1.41/containers/create)" = 400 ]
	jq -e '.message | startswith("seccomp profile: ")' "$BATS_TEST_TMPDIR/body"
	# a bad minKernel and both name and names
	body=$(jq -n '{Image: "busybox", HostConfig: {SecurityOpt: ["seccomp=" + ({defaultAction: "SCMP_ACT_ERRNO", syscalls: [{names: ["read"], action: "SCMP_ACT_ALLOW", includes: {minKernel: "four"}}]} | tojson)]}}')
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d "$body" /v1.41/containers/create)" = 400 ]
	jq -e '.message == "seccomp profile: syscalls[0].includes.minKernel: invalid kernel version \"four\""' "$BATS_TEST_TMPDIR/body"
	after=$(api "/v1.41/containers/json?all=1" | jq length)
	[ "$before" = "$after" ]
	[ -z "$(ls -A "$BD/exec/containers" 2>/dev/null)" ]
	nothing_left
}

@test "privileged: host devices with rwm, every capability, no seccomp" {
	run "${C[@]}" run --rm --privileged busybox sh -c 'ls /dev/loop-control /dev/kmsg && grep -E "^(CapEff|Seccomp):" /proc/self/status && head -c 1 /dev/kmsg >/dev/null && echo read-ok'
	[ "$status" -eq 0 ]
	[[ $output == */dev/kmsg*/dev/loop-control* ]]
	[[ $output == *"Seccomp:"*0* ]]
	[[ $output != *"CapEff:"*"00000000a80425fb"* ]]
	[[ $output == *read-ok* ]]
	# without --privileged there is no such node
	run "${C[@]}" run --rm busybox ls /dev/loop-control
	[ "$status" -ne 0 ]
	# the devices docker leaves out: console is the container's own, pts and shm are mounts
	local id cfg
	id=$("${C[@]}" create --privileged busybox true)
	cfg=$BD/data/containers/$id/config.json
	[ -e "$cfg" ] || cfg=$(find "$BD" -path "*$id*" -name config.json | head -1)
	jq -e '[.linux.devices[].path] | (index("/dev/loop-control") != null and index("/dev/console") == null and (map(select(startswith("/dev/pts/"))) | length == 0))' "$cfg"
	jq -e '.linux.resources.devices == [{"allow": true, "access": "rwm"}] and (.linux.seccomp == null)' "$cfg"
	"${C[@]}" rm "$id"
	nothing_left
}

@test "seccomp: docker info lists the default profile" {
	[ "$(api /v1.41/info | jq -c .SecurityOptions)" = '["name=seccomp,profile=default"]' ]
	local cli n=0
	for cli in $(clis); do
		n=$((n + 1))
		"$cli" info --format '{{json .SecurityOptions}}' | grep -q 'name=seccomp,profile=default'
		"$cli" info 2>/dev/null | grep -A2 'Security Options' | grep -q seccomp
	done
	((n > 0)) || skip "no docker CLI on this host"
}

@test "seccomp: docker CLI 20.10 and 28: default, custom profile file, unconfined, bad profile, --privileged" {
	local cli n=0
	for cli in $(clis); do
		n=$((n + 1))
		[ "$(timeout 30 "$cli" run --rm busybox grep '^Seccomp:' /proc/self/status | tr -d ' \t')" = Seccomp:2 ]
		run timeout 30 "$cli" run --rm --security-opt "seccomp=$P" busybox mkdir /tmp/x
		[ "$status" -ne 0 ]
		[[ $output == *"Operation not permitted"* ]]
		[ "$(timeout 30 "$cli" run --rm --security-opt "seccomp=$P" busybox sh -c 'echo ok')" = ok ]
		[ "$(timeout 30 "$cli" run --rm --security-opt seccomp=unconfined busybox grep '^Seccomp:' /proc/self/status | tr -d ' \t')" = Seccomp:0 ]
		run timeout 30 "$cli" run --rm busybox busybox unshare -U true
		[ "$status" -ne 0 ]
		run timeout 30 "$cli" run --rm --security-opt "seccomp=$BAD" busybox true
		[ "$status" -ne 0 ]
		[[ $output == *'syscalls[1].action: unknown action "SCMP_ACT_FOO"'* ]]
		run timeout 30 "$cli" run --rm --privileged busybox sh -c 'ls /dev/loop-control && grep "^Seccomp:" /proc/self/status'
		[ "$status" -eq 0 ]
		[[ $output == */dev/loop-control*Seccomp:*0* ]]
		[ "$(api "/v1.41/containers/json?all=1" | jq length)" = 0 ]
		nothing_left
	done
	((n > 0)) || skip "no docker CLI on this host"
}

# linux.seccomp of a config.json as a set of lines "name action errnoRet args", plus the default
# and the arches; names this host's libseccomp does not know are left out (berthd leaves them
# out, runc skips them).
seccomp_lines() {
	/usr/bin/python3 - "$1" <<-'PY'
	import ctypes, json, sys
	lib = ctypes.CDLL("libseccomp.so.2")
	lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
	known = lambda n: lib.seccomp_syscall_resolve_name(n.encode()) != -10
	sc = json.load(open(sys.argv[1]))["linux"]["seccomp"]
	# no defaultErrnoRet (dockerd 20.10) is EPERM, as the runtimes read SCMP_ACT_ERRNO
	print("default", sc["defaultAction"], sc.get("defaultErrnoRet", 1), sc.get("architectures"))
	out = set()
	for r in sc.get("syscalls") or []:
	    args = json.dumps([{k: a.get(k, 0) for k in ("index", "value", "valueTwo", "op")} for a in r.get("args") or []], sort_keys=True)
	    for n in r["names"]:
	        if known(n):
	            out.add("%s %s %s %s" % (n, r["action"], r.get("errnoRet"), args))
	print("\n".join(sorted(out)))
	PY
}

@test "seccomp: the default profile's effect equals a private dockerd 20.10's (default caps, SYS_ADMIN, SYS_PTRACE)" {
	peers_need dockerd /usr/bin/docker containerd unshare
	local flags id did cfg dcfg same=true
	docker save -o "$PD/to-dockerd.tar" busybox
	containerd_start "$PD/ctd2"
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$PD" >"$PD/dockerd.json"
	# shellcheck disable=SC2016 # "$@" is the inner shell's
	peers_spawn dockerd unshare -n sh -c 'ip link set lo up && exec dockerd "$@"' dockerd \
		--config-file "$PD/dockerd.json" --data-root "$PD/ddata" --exec-root "$PD/dexec" \
		-H "unix://$PD/d.sock" --pidfile "$PD/d.pid" \
		--containerd "$PD/ctd2/c.sock" --containerd-namespace "$PEERS_TAG" \
		--containerd-plugins-namespace "$PEERS_TAG-plugins" --bridge none \
		--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
		--cgroup-parent "/$PEERS_TAG"
	peers_wait 30 /usr/bin/docker -H "unix://$PD/d.sock" version || {
		peers_log dockerd
		false
	}
	timeout "$PEERS_TIMEOUT" /usr/bin/docker -H "unix://$PD/d.sock" load -q -i "$PD/to-dockerd.tar"
	for flags in "" "--cap-add SYS_ADMIN" "--cap-add SYS_PTRACE --cap-drop CHOWN"; do
		# shellcheck disable=SC2086 # flags are words
		did=$(timeout "$PEERS_TIMEOUT" /usr/bin/docker -H "unix://$PD/d.sock" run -d --network none $flags busybox sleep 100)
		dcfg=$(find "$PD/ctd2/state" -path "*$did*" -name config.json | head -1)
		[ -n "$dcfg" ]
		seccomp_lines "$dcfg" >"$BATS_TEST_TMPDIR/dockerd.txt"
		/usr/bin/docker -H "unix://$PD/d.sock" rm -f "$did" >/dev/null
		# shellcheck disable=SC2086
		id=$("${C[@]}" create $flags busybox sleep 100)
		cfg=$BD/data/containers/$id/config.json
		[ -e "$cfg" ] || cfg=$(find "$BD" -path "*$id*" -name config.json | head -1)
		seccomp_lines "$cfg" >"$BATS_TEST_TMPDIR/berthd.txt"
		"${C[@]}" rm "$id" >/dev/null
		echo "flags: ${flags:-none}"
		diff -u "$BATS_TEST_TMPDIR/dockerd.txt" "$BATS_TEST_TMPDIR/berthd.txt" || same=false
		[ "$(wc -l <"$BATS_TEST_TMPDIR/berthd.txt")" -gt 300 ]
	done
	$same
	# (--privileged cannot be compared here: dockerd 20.10 asks runc for every capability the
	# kernel knows and fails with EPERM on a host whose bounding set lacks CAP_SYS_RESOURCE.)
	peers_stop dockerd 30
	peers_stop containerd
}
