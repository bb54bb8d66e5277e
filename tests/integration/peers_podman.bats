#!/usr/bin/env bats
# tests/integration/peers_podman.bats: berth as podman 4.3's OCI runtime (through conmon 2.1),
# with private storage, run and tmp directories and berth's state under $PD/berth-root.
#
# Privacy: containers.conf ($CONTAINERS_CONF) names berth in [engine.runtimes] and in
# runtime_supports_json (so conmon passes --log-format=json --log <oci-log>, interfaces.md §6.7),
# uses file locks (not the shared /dev/shm/libpod_lock), cgroupfs and a file events log; every
# container runs with --cgroup-parent /$PEERS_TAG. Podman's default ulimits (nofile and nproc
# 1048576) need CAP_SYS_RESOURCE, which this host lacks (runc and crun fail the same way), so
# containers.conf lowers them. Networking is --network none, except the port test, which uses
# slirp4netns: a user-space stack and port forwarder, no bridge, no iptables, no sysctl.
#
# berth's state goes to $PD/berth-root through $PD/berth, a two-line script that execs berth with
# --root: podman 4.3's --runtime-flag is not passed on to conmon's exit command (`podman container
# cleanup`), which then deletes against the default root and races with podman's own cleanup
# (`stop` then `restart` fails half the time with "container with given ID already exists", with
# runc as much as with berth).

load helpers
load peers

setup_file() {
	peers_need podman conmon script slirp4netns wget
	peers_new podman
	export CONTAINERS_CONF=$PD/containers.conf
	export CONTAINERS_STORAGE_CONF=$PD/storage.conf
	cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$PD/root"
		runroot = "$PD/runroot"
	EOF
	cat >"$CONTAINERS_CONF" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PD/events.log"
		tmp_dir = "$PD/tmp"
		static_dir = "$PD/root/libpod"
		volume_path = "$PD/root/volumes"
		image_copy_tmp_dir = "$PD/imgtmp"
		lock_type = "file"
		runtime = "berth"
		runtime_supports_json = ["berth"]
		[engine.runtimes]
		berth = ["$PD/berth"]
		[network]
		network_config_dir = "$PD/net"
	EOF
	mkdir -p "$PD/imgtmp"
	printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$BERTH" "$PD/berth-root" >"$PD/berth"
	chmod 755 "$PD/berth"
	p load -q -i "$PD/img.tar" >&2
}

teardown_file() {
	if [[ -n ${PD:-} && -f $PD/containers.conf ]]; then
		p rm -a -f -t 0 >/dev/null 2>&1
	fi
	peers_teardown
}

setup() {
	NAME="c$BATS_TEST_NUMBER"
}

teardown() {
	p rm -f -t 0 "$NAME" >/dev/null 2>&1
	return 0
}

# p ARGS...: podman with the private roots and berth.
p() {
	timeout "$PEERS_TIMEOUT" podman --root "$PD/root" --runroot "$PD/runroot" --storage-driver overlay \
		--tmpdir "$PD/tmp" --runtime berth --cgroup-manager cgroupfs --events-backend file "$@"
}

# p_run ARGS...: podman run in this file's cgroup parent.
p_run() {
	p run --cgroup-parent "/$PEERS_TAG" "$@"
}

@test "podman: berth is the runtime; run --rm prints the output" {
	run -0 p info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
	assert_eq "$output" "berth $PD/berth" "podman info"
	run -0 p_run --rm --network none "$PEERS_IMAGE" echo hi
	assert_eq "$output" "hi" "output"
	run -0 p_run --rm --network none -u 65534 "$PEERS_IMAGE" id
	assert_eq "$output" "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" "id"
	# --rm: berth deleted both containers
	# nothing but the compiled seccomp programs (runtime/linux/seccomp_cache.h)
	assert_eq "$(ls -A "$PD/berth-root")" "@seccomp-cache" "berth root after run --rm"
}

@test "podman: exit statuses: the process's, 127 for a missing command, 126 for a directory" {
	run -4 p_run --rm --network none "$PEERS_IMAGE" sh -c 'exit 4'
	run -127 p_run --rm --network none "$PEERS_IMAGE" /nosuch
	assert_contains "$output" 'berth: exec: "/nosuch": stat /nosuch: no such file or directory' "error"
	run -127 p_run --rm --network none "$PEERS_IMAGE" nosuchcmd
	# shellcheck disable=SC2016 # a literal $PATH
	assert_contains "$output" 'exec: "nosuchcmd": executable file not found in $PATH' "error"
	run -126 p_run --rm --network none "$PEERS_IMAGE" /etc
	assert_contains "$output" "permission denied" "error"
}

@test "podman: run -i passes stdin" {
	run -0 p_run --rm -i --network none "$PEERS_IMAGE" cat <<<"piped"
	assert_eq "$output" "piped" "output"
}

@test "podman: run -d, ps, exec, top, logs, pause and unpause, stop, rm" {
	local id
	run -0 p_run -d --name "$NAME" --network none "$PEERS_IMAGE" \
		sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
	id=$output
	peers_berth_state "$PD/berth-root/$id/state.json"
	assert_eq "$("$BERTH" --root "$PD/berth-root" state "$id" | jq -r .status)" "running" "berth state"

	run -0 p ps --format '{{.Names}} {{.Status}}'
	assert_match "$output" "^$NAME Up " "ps"
	run -0 p exec "$NAME" sh -c 'echo in exec; id -u'
	assert_eq "$output" "$(printf 'in exec\n0')" "exec output"
	run -7 p exec "$NAME" sh -c 'exit 7'
	run -127 p exec "$NAME" /nosuch
	run -0 p exec -d "$NAME" sleep 100
	run -0 p top "$NAME" pid comm
	assert_match "$output" "1 +sh" "top: init"
	assert_match "$output" "sleep" "top: the exec -d process"

	run -0 p pause "$NAME"
	assert_eq "$(p inspect --format '{{.State.Status}}' "$NAME")" "paused" "after pause"
	assert_eq "$("$BERTH" --root "$PD/berth-root" state "$id" | jq -r .status)" "paused" "berth state"
	run -0 p unpause "$NAME"
	assert_eq "$(p inspect --format '{{.State.Status}}' "$NAME")" "running" "after unpause"

	run -0 p stop -t 10 "$NAME"
	assert_eq "$(p inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$NAME")" "exited 0" "after stop"
	run -0 p logs "$NAME"
	assert_eq "$output" "$(printf 'started\nbye')" "logs"
	run -0 p rm "$NAME"
	[[ ! -e $PD/berth-root/$id ]]
}

@test "podman: stop falls back to SIGKILL after the timeout; restart; kill" {
	run -0 p_run -d --name "$NAME" --network none "$PEERS_IMAGE" sleep 1000
	run -0 p stop -t 1 "$NAME"
	assert_eq "$(p inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$NAME")" "exited 137" "after stop"
	run -0 p restart "$NAME"
	assert_eq "$(p inspect --format '{{.State.Status}}' "$NAME")" "running" "after restart"
	run -0 p kill "$NAME"
	run -0 p wait "$NAME"
	assert_eq "$output" "137" "wait"
	run -0 p rm "$NAME"
}

@test "podman: run -t and exec -t get a terminal" {
	run -0 script -qec "podman --root $PD/root --runroot $PD/runroot --storage-driver overlay --tmpdir $PD/tmp --runtime berth --cgroup-manager cgroupfs --events-backend file run --cgroup-parent /$PEERS_TAG -t --rm --network none $PEERS_IMAGE sh -c 'tty; echo tt'" /dev/null
	assert_contains "$output" "/dev/pts/0" "tty in run -t"
	run -0 p_run -d --name "$NAME" --network none "$PEERS_IMAGE" sleep 1000
	run -0 script -qec "podman --root $PD/root --runroot $PD/runroot --storage-driver overlay --tmpdir $PD/tmp --runtime berth --cgroup-manager cgroupfs --events-backend file exec -t $NAME tty" /dev/null
	assert_match "$output" "/dev/pts/[0-9]+" "tty in exec -t"
	run -1 p exec "$NAME" tty
	assert_contains "$output" "not a tty" "exec without -t"
}

@test "podman: -p publishes a port (slirp4netns, user-space forwarding)" {
	local port=$((20000 + RANDOM % 20000)) netns
	run -0 p_run -d --name "$NAME" --network slirp4netns -p "127.0.0.1:$port:8080" "$PEERS_IMAGE" \
		sh -c 'printf "HTTP/1.0 200 OK\r\n\r\nhello-port\n" >/tmp/r; while :; do nc -l -p 8080 </tmp/r; done'
	netns=$(p inspect --format '{{.NetworkSettings.SandboxKey}}' "$NAME")
	run -0 p port "$NAME"
	assert_eq "$output" "8080/tcp -> 127.0.0.1:$port" "podman port"
	peers_wait 10 wget -qO /dev/null "http://127.0.0.1:$port/"
	run -0 wget -qO- "http://127.0.0.1:$port/"
	assert_eq "$output" "hello-port" "reply through the published port"
	run -0 p rm -f -t 0 "$NAME"
	# podman removes the network namespace it made (a bind mount under /run/netns)
	[[ -z $netns || ! -e $netns ]]
}

# shellcheck disable=SC2016 # sh text in single quotes
@test "podman: container checkpoint and restore through berth and criu" {
	local before after out
	command -v criu >/dev/null || skip "criu is not installed on this host"
	out=$(criu check 2>&1) || skip "\`criu check\` fails on this host: $(tail -n 1 <<<"$out")"
	run -0 p_run -d --name "$NAME" --network none "$PEERS_IMAGE" \
		sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/n; sleep 0.1; done'
	peers_wait 10 p exec "$NAME" test -s /tmp/n
	run -0 p container checkpoint "$NAME"
	assert_eq "$(p inspect --format '{{.State.Status}}' "$NAME")" "exited" "after checkpoint"
	before=$(p mount "$NAME" >/dev/null && cat "$(p mount "$NAME")/tmp/n")
	run -0 p container restore "$NAME"
	assert_eq "$(p inspect --format '{{.State.Status}}' "$NAME")" "running" "after restore"
	sleep 0.3
	after=$(p exec "$NAME" cat /tmp/n)
	((after > before)) || {
		echo "the counter did not go on from $before (now $after)" >&2
		return 1
	}
	p umount "$NAME" >/dev/null
}
