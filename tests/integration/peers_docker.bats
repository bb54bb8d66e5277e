#!/usr/bin/env bats
# tests/integration/peers_docker.bats: berth as dockerd 20.10's default runtime
# (--add-runtime berth=$BERTH --default-runtime berth: containerd's io.containerd.runc.v2 shim with
# BinaryName=berth), with the Debian docker CLI /usr/bin/docker.
#
# Privacy: dockerd gets its own data root, exec root, socket, pid file, config file (also moving
# the trust key out of /etc/docker), containerd namespace, cgroup parent /$PEERS_TAG, and a private
# containerd (dockerd 20.10 would use /run/containerd/containerd.sock if it exists). dockerd runs
# in a new network namespace (unshare -n): its docker0 bridge, veths and docker-proxy live and die
# there. --iptables=false --ip-forward=false --ip-masq=false: no iptables rules and no sysctl, so
# `-p` is served by the userland proxy alone (docker-proxy, which docker starts for each published
# port); the port test connects from inside that namespace (nsenter -n).

load helpers
load peers

setup_file() {
	peers_need dockerd /usr/bin/docker docker-proxy containerd script unshare nsenter wget skopeo
	peers_new docker
	containerd_start "$PD/ctd"
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$PD" >"$PD/daemon.json"
	# shellcheck disable=SC2016 # "$@" is the inner shell's
	peers_spawn dockerd unshare -n sh -c 'ip link set lo up && exec dockerd "$@"' dockerd \
		--config-file "$PD/daemon.json" --data-root "$PD/data" --exec-root "$PD/exec" \
		-H "unix://$PD/d.sock" --pidfile "$PD/d.pid" \
		--containerd "$PD/ctd/c.sock" --containerd-namespace "$PEERS_TAG" \
		--containerd-plugins-namespace "$PEERS_TAG-plugins" \
		--add-runtime "berth=$BERTH" --default-runtime berth \
		--iptables=false --ip-forward=false --ip-masq=false --cgroup-parent "/$PEERS_TAG"
	peers_wait 30 /usr/bin/docker -H "unix://$PD/d.sock" version || {
		peers_log dockerd
		echo "peers: dockerd did not come up" >&2
		return 1
	}
	# docker 20.10 loads docker-archive, not oci-archive
	skopeo copy -q "oci-archive:$PD/img.tar" "docker-archive:$PD/img-docker.tar:busybox:latest"
	d load -q -i "$PD/img-docker.tar" >&2
}

teardown_file() {
	if [[ -S ${PD:-}/d.sock ]]; then
		# shellcheck disable=SC2046
		d rm -f $(d ps -aq) >/dev/null 2>&1
	fi
	peers_stop dockerd 30
	peers_stop containerd
	peers_teardown
}

setup() {
	NAME="c$BATS_TEST_NUMBER"
	IMG=busybox:latest
	# dockerd 20.10 gives every io.containerd.runc.v2 runtime the root <exec-root>/runtime-runc
	RTROOT=$PD/exec/runtime-runc/$PEERS_TAG
}

teardown() {
	d rm -f "$NAME" >/dev/null 2>&1
	if [[ $BATS_TEST_COMPLETED != 1 ]]; then
		peers_log dockerd
	fi
	return 0
}

# d ARGS...: the Debian docker CLI against the private dockerd.
d() {
	timeout "$PEERS_TIMEOUT" /usr/bin/docker -H "unix://$PD/d.sock" "$@"
}

@test "docker: berth is the default runtime; run --rm prints the output" {
	run -0 d info --format '{{.DefaultRuntime}}'
	assert_eq "$output" "berth" "default runtime"
	run -0 d run --rm --network none "$IMG" echo hi
	assert_eq "$output" "hi" "output"
	run -0 d run --rm --network none -u 65534 "$IMG" id
	assert_eq "$output" "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" "id"
	# the shim ran berth with --root <exec-root>/runtime-runc/<namespace>; delete emptied it
	[[ -d $RTROOT ]]
	# nothing but the compiled seccomp programs (runtime/linux/seccomp_cache.h)
	assert_eq "$(ls -A "$RTROOT")" "@seccomp-cache" "berth root after run --rm"
}

@test "docker: exit statuses: the process's, 127 for a missing command, 126 for no permission" {
	run -3 d run --rm --network none "$IMG" sh -c 'exit 3'
	# docker's CLI picks 127/126 from runc's (Go's) lowercase words; anything else is 125
	run -127 d run --rm --network none "$IMG" /nosuch
	assert_contains "$output" 'OCI runtime create failed: exec: "/nosuch": stat /nosuch: no such file or directory' "error"
	run -127 d run --rm --network none "$IMG" nosuchcmd
	# shellcheck disable=SC2016 # a literal $PATH
	assert_contains "$output" 'exec: "nosuchcmd": executable file not found in $PATH' "error"
	run -126 d run --rm --network none "$IMG" /etc
	assert_contains "$output" 'exec: "/etc": is a directory: permission denied' "error"
	run -126 d run --rm --network none "$IMG" /etc/passwd
	assert_contains "$output" 'exec: "/etc/passwd": permission denied' "error"
}

@test "docker: run -i passes stdin" {
	run -0 d run --rm -i --network none "$IMG" cat <<<"piped"
	assert_eq "$output" "piped" "output"
}

@test "docker: run -d, ps, exec, top, logs, pause and unpause, stop, rm" {
	local id
	run -0 d run -d --name "$NAME" --network none "$IMG" \
		sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
	id=$output
	peers_berth_state "$RTROOT/$id/state.json"
	run -0 d ps --format '{{.Names}} {{.Status}}'
	assert_match "$output" "^$NAME Up " "ps"

	run -0 d exec "$NAME" sh -c 'echo in exec; id -u'
	assert_eq "$output" "$(printf 'in exec\n0')" "exec output"
	run -6 d exec "$NAME" sh -c 'exit 6'
	run -126 d exec "$NAME" /nosuch
	assert_contains "$output" 'OCI runtime exec failed: exec: "/nosuch": stat /nosuch: no such file or directory' "exec error"
	run -0 d exec -d "$NAME" sleep 100
	run -0 d top "$NAME"
	assert_contains "$output" "sleep 100" "top"

	run -0 d pause "$NAME"
	assert_eq "$(d inspect --format '{{.State.Status}}' "$NAME")" "paused" "after pause"
	assert_eq "$("$BERTH" --root "$RTROOT" state "$id" | jq -r .status)" "paused" "berth state"
	run -0 d unpause "$NAME"
	assert_eq "$(d inspect --format '{{.State.Status}}' "$NAME")" "running" "after unpause"

	run -0 d stop -t 10 "$NAME"
	assert_eq "$(d inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$NAME")" "exited 0" "after stop"
	run -0 d logs "$NAME"
	assert_eq "$output" "$(printf 'started\nbye')" "logs"
	[[ ! -e $RTROOT/$id ]]
	run -0 d rm "$NAME"
}

@test "docker: stop falls back to SIGKILL after the timeout; restart; kill" {
	run -0 d run -d --name "$NAME" --network none "$IMG" sleep 1000
	run -0 d stop -t 1 "$NAME"
	assert_eq "$(d inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$NAME")" "exited 137" "after stop"
	run -0 d restart -t 1 "$NAME"
	assert_eq "$(d inspect --format '{{.State.Status}}' "$NAME")" "running" "after restart"
	run -0 d kill "$NAME"
	run -0 d wait "$NAME"
	assert_eq "$output" "137" "wait"
	run -0 d rm "$NAME"
}

@test "docker: run -t and exec -t get a terminal" {
	run -0 script -qec "/usr/bin/docker -H unix://$PD/d.sock run -t --rm --network none $IMG sh -c 'tty; echo tt'" /dev/null
	assert_contains "$output" "/dev/pts/0" "tty in run -t"
	run -0 d run -d --name "$NAME" --network none "$IMG" sleep 1000
	run -0 script -qec "/usr/bin/docker -H unix://$PD/d.sock exec -t $NAME tty" /dev/null
	assert_match "$output" "/dev/pts/[0-9]+" "tty in exec -t"
	run -1 d exec "$NAME" tty
	assert_contains "$output" "not a tty" "exec without -t"
}

@test "docker: -p publishes a port (userland proxy, dockerd's private network namespace)" {
	local port=$((20000 + RANDOM % 20000)) dpid
	dpid=$(<"$PD/dockerd.pid")
	run -0 d run -d --name "$NAME" -p "127.0.0.1:$port:8080" "$IMG" \
		sh -c 'printf "HTTP/1.0 200 OK\r\n\r\nhello-port\n" >/tmp/r; while :; do nc -l -p 8080 </tmp/r; done'
	run -0 d port "$NAME" 8080
	assert_eq "$output" "127.0.0.1:$port" "docker port"
	peers_wait 10 nsenter -t "$dpid" -n wget -qO /dev/null "http://127.0.0.1:$port/"
	run -0 nsenter -t "$dpid" -n wget -qO- "http://127.0.0.1:$port/"
	assert_eq "$output" "hello-port" "reply through the published port"
	run -0 d rm -f "$NAME"
}

@test "docker: the newer docker CLI in /usr/local/bin drives the same daemon" {
	[[ -x /usr/local/bin/docker ]] || skip "/usr/local/bin/docker is not installed on this host"
	run -0 timeout "$PEERS_TIMEOUT" /usr/local/bin/docker -H "unix://$PD/d.sock" run --rm --network none "$IMG" echo hi
	assert_eq "$output" "hi" "output"
}
