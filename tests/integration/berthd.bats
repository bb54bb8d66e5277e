#!/usr/bin/env bats
# tests/integration/berthd.bats: berthd's skeleton (issue 7): the Docker Engine API's system
# endpoints over its UNIX socket (curl, berthctl, and the docker CLIs when installed), its flags and
# daemon.json, and its crash-safety: SIGTERM removes the socket, kill -9 then restart keeps the
# daemon ID (LMDB) and replaces the stale socket, stale ingests are collected at start.
#
# setup_file starts one berthd on a private data-root, exec-root and socket under a temp dir; the
# tests that stop or crash a daemon start their own. Every daemon is stopped by the PID recorded
# when it was started, in teardown/teardown_file, failures included.
#
#   BERTHD, BERTHCTL   default: beside $BERTH (the build tree), else on PATH

load helpers
load berthd_helpers

setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	if [[ ! -x $BERTHD || ! -x $BERTHCTL ]]; then
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	fi
	command -v curl >/dev/null || {
		echo "setup_file: curl is required" >&2
		return 1
	}
	# Short: a UNIX socket path has room for 107 bytes.
	BD_DIR=$(mktemp -d /tmp/berthd-it.XXXXXX)
	export BERTHD BERTHCTL BD_DIR
	SOCK=$BD_DIR/s.sock
	export SOCK
	bd_start "$BD_DIR"
}

teardown_file() {
	if [[ -n ${BD_DIR:-} ]]; then
		bd_stop "$BD_DIR"
		rm -rf -- "$BD_DIR"
	fi
}

setup() {
	T2=$(mktemp -d /tmp/berthd-it2.XXXXXX)
}

teardown() {
	bd_stop "$T2"
	bd_stop "$T2/second"
	rm -rf -- "$T2"
}

api() { # curl against the shared daemon: api [curl args...] PATH
	local path=${*: -1}
	curl -s --unix-socket "$SOCK" "${@:1:$#-1}" "http://localhost$path"
}

@test "berthd: HEAD /_ping answers 200 with docker's headers and no body" {
	run api -I /_ping
	[ "$status" -eq 0 ]
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" == *$'Api-Version: 1.41\r'* ]]
	[[ "$output" == *$'Docker-Experimental: false\r'* ]]
	[[ "$output" == *$'Ostype: linux\r'* ]]
	[[ "$output" == *$'Cache-Control: no-cache, no-store, must-revalidate\r'* ]]
	[[ "$output" == *$'Pragma: no-cache\r'* ]]
	[[ "$output" == *$'Content-Length: 0\r'* ]]
	[[ "$output" == *$'Content-Type: text/plain; charset=utf-8\r'* ]]
}

@test "berthd: GET /_ping says OK, with and without a version prefix" {
	run api /_ping
	[ "$output" = "OK" ]
	run api /v1.41/_ping
	[ "$output" = "OK" ]
	run api -i /v1.24/_ping
	[[ "$output" == *$'Content-Length: 2\r'* ]]
}

@test "berthd: GET /version reports API 1.41 and this host's kernel" {
	run api /v1.41/version
	[ "$status" -eq 0 ]
	[ "$(jq -r .ApiVersion <<<"$output")" = 1.41 ]
	[ "$(jq -r .MinAPIVersion <<<"$output")" = 1.24 ]
	[ "$(jq -r .Os <<<"$output")" = linux ]
	[ "$(jq -r .KernelVersion <<<"$output")" = "$(uname -r)" ]
	[ "$(jq -r '.Components[0].Name' <<<"$output")" = Engine ]
	[ "$(jq -r '.Components[0].Details.ApiVersion' <<<"$output")" = 1.41 ]
	[ "$(jq -r .Platform.Name <<<"$output")" = berth ]
}

@test "berthd: GET /info reports real values" {
	local os cgv
	run api /info
	[ "$status" -eq 0 ]
	os=$(. /etc/os-release && echo "$PRETTY_NAME")
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then cgv=2; else cgv=1; fi
	[ "$(jq -r .DockerRootDir <<<"$output")" = "$BD_DIR/data" ]
	[ "$(jq -r .NCPU <<<"$output")" = "$(nproc)" ]
	[ "$(jq -r .KernelVersion <<<"$output")" = "$(uname -r)" ]
	[ "$(jq -r .OperatingSystem <<<"$output")" = "$os" ]
	[ "$(jq -r .Name <<<"$output")" = "$(hostname)" ]
	[ "$(jq -r .CgroupVersion <<<"$output")" = "$cgv" ]
	[ "$(jq -r .CgroupDriver <<<"$output")" = cgroupfs ]
	[ "$(jq -r .Images <<<"$output")" = 0 ]
	[ "$(jq -r .Containers <<<"$output")" = 0 ]
	[ "$(jq -r .DefaultRuntime <<<"$output")" = berth ]
	[ -x "$(jq -r .Runtimes.berth.path <<<"$output")" ]
	[[ $(jq -r .Driver <<<"$output") =~ ^(overlay2|vfs)$ ]]
	[ "$(jq -r .MemTotal <<<"$output")" -eq "$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))" ]
	[[ $(jq -r .ID <<<"$output") =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	# the probe's overlay mount is gone, and so is its directory
	! grep -q " $BD_DIR/" /proc/self/mountinfo
	[ -z "$(find "$BD_DIR/data" -maxdepth 1 -name '.overlay-probe*')" ]
}

@test "berthd: unknown paths and wrong methods get docker's 404 body" {
	run api -i /v1.41/nope
	[[ "$output" == "HTTP/1.1 404"* ]]
	[[ "$output" == *$'Content-Type: application/json\r'* ]]
	[[ "$output" == *'{"message":"page not found"}' ]]
	[[ "$output" != *"Api-Version"* ]] # dockerd's 404 comes from outside its middleware
	run api -X POST /version
	[ "$output" = '{"message":"page not found"}' ]
	run api /vx/info
	[ "$output" = '{"message":"page not found"}' ]
}

@test "berthd: API versions outside 1.24..1.41 are refused with 400 and docker's message" {
	run api -w '\n%{http_code}' /v1/version
	[ "${lines[1]}" = 400 ]
	run api -w '\n%{http_code}' /v1.12/version
	# plain text, as dockerd answers clients older than 1.24
	[ "${lines[0]}" = 'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version' ]
	[ "${lines[1]}" = 400 ]
	run api -w '\n%{http_code}' /v1.42/info
	[ "${lines[0]}" = '{"message":"client version 1.42 is too new. Maximum supported API version is 1.41"}' ]
	[ "${lines[1]}" = 400 ]
}

bd_docker_cli() { # CLI: docker version and info against berthd
	local cli=$1 id
	run "$cli" -H "unix://$SOCK" version
	[ "$status" -eq 0 ]
	[[ "$output" == *"Server: berth"* ]]
	[[ "$output" == *"API version:       1.41"* ]]
	run "$cli" -H "unix://$SOCK" info
	[ "$status" -eq 0 ]
	id=$(api /info | jq -r .ID)
	[[ "$output" == *"ID: $id"* ]]
	[[ "$output" == *"Docker Root Dir: $BD_DIR/data"* ]]
	[[ "$output" == *"Default Runtime: berth"* ]]
}

@test "berthd: Debian's docker CLI (/usr/bin/docker) runs version and info" {
	[[ -x /usr/bin/docker ]] || skip "no /usr/bin/docker on this host (Debian package docker.io)"
	bd_docker_cli /usr/bin/docker
}

@test "berthd: a newer docker CLI (/usr/local/bin/docker) negotiates down to 1.41" {
	[[ -x /usr/local/bin/docker ]] || skip "no /usr/local/bin/docker on this host"
	bd_docker_cli /usr/local/bin/docker
	run /usr/local/bin/docker -H "unix://$SOCK" version --format '{{.Client.APIVersion}}'
	[ "$output" = 1.41 ]
}

@test "berthctl: version and info, with -H and with BERTH_HOST" {
	run "$BERTHCTL" -H "unix://$SOCK" version
	[ "$status" -eq 0 ]
	[[ "$output" == *"API version:      1.41 (minimum version 1.24)"* ]]
	[[ "$output" == *"Kernel version:   $(uname -r)"* ]]
	BERTH_HOST="unix://$SOCK" run "$BERTHCTL" info
	[ "$status" -eq 0 ]
	[[ "$output" == *"Docker Root Dir: $BD_DIR/data"* ]]
	[[ "$output" == *"CPUs: $(nproc)"* ]]
	run "$BERTHCTL" -H "unix://$T2/absent.sock" info
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot connect to berthd at unix://$T2/absent.sock"* ]]
}

@test "berthd: bad flags fail with a clear message and create nothing" {
	run "$BERTHD" --data-root "$T2/data" --exec-root "$T2/exec" --bogus
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown flag: --bogus"* ]]
	run "$BERTHD" --data-root "$T2/data" --exec-root "$T2/exec" -H tcp://127.0.0.1:2375
	[ "$status" -eq 125 ]
	[[ "$output" == *'host "tcp://127.0.0.1:2375": only unix:// sockets and fd:// are supported'* ]]
	run "$BERTHD" --data-root "$T2/data" --log-level loud
	[ "$status" -eq 125 ]
	[[ "$output" == *"unable to parse logging level: loud"* ]]
	[ ! -e "$T2/data" ] && [ ! -e "$T2/exec" ]
}

@test "berthd: a bad config file (unknown key, bad JSON, missing) fails and creates nothing" {
	echo '{"max-concurrent-downloads": 2, "storage-opts": []}' >"$T2/unknown.json"
	run "$BERTHD" --data-root "$T2/data" --exec-root "$T2/exec" -H "unix://$T2/s.sock" --config-file "$T2/unknown.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"config file \"$T2/unknown.json\": the following directives don't match any configuration option: storage-opts"* ]]
	printf '{"debug": true,\n "registry-mirrors": [}\n' >"$T2/bad.json"
	run "$BERTHD" --data-root "$T2/data" --exec-root "$T2/exec" -H "unix://$T2/s.sock" --config-file "$T2/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"config file \"$T2/bad.json\": invalid JSON at line 2 column "* ]]
	run "$BERTHD" --data-root "$T2/data" --exec-root "$T2/exec" -H "unix://$T2/s.sock" --config-file "$T2/absent.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"\"$T2/absent.json\""* ]]
	[ ! -e "$T2/data" ] && [ ! -e "$T2/exec" ] && [ ! -e "$T2/s.sock" ]
}

@test "berthd: daemon.json settings reach /info" {
	mkdir "$T2/d"
	echo '{"insecure-registries": ["reg.test:5000", "10.9.0.0/16"], "registry-mirrors": ["https://mirror.test"]}' >"$T2/d/daemon.json"
	bd_start "$T2/d"
	run curl -s --unix-socket "$T2/d/s.sock" http://x/info
	[ "$(jq -r '.RegistryConfig.InsecureRegistryCIDRs | join(",")' <<<"$output")" = "127.0.0.0/8,10.9.0.0/16" ]
	[ "$(jq -r '.RegistryConfig.IndexConfigs["reg.test:5000"].Secure' <<<"$output")" = false ]
	[ "$(jq -r '.RegistryConfig.Mirrors[0]' <<<"$output")" = https://mirror.test ]
	bd_stop "$T2/d"
}

@test "berthd: SIGTERM removes the socket and the pid file" {
	bd_start "$T2"
	[ -S "$T2/s.sock" ]
	[ "$(stat -c %a "$T2/s.sock")" = 660 ]
	if getent group berth >/dev/null; then
		[ "$(stat -c %G "$T2/s.sock")" = berth ]
	else
		[ "$(stat -c %g "$T2/s.sock")" = 0 ]
	fi
	[ "$(cat "$T2/exec/berthd.pid")" = "$(cat "$T2/pid")" ]
	bd_stop "$T2" TERM
	[ ! -e "$T2/s.sock" ]
	[ ! -e "$T2/exec/berthd.pid" ]
	grep -q "shutting down" "$T2/log"
}

@test "berthd: kill -9 then restart keeps the daemon ID and replaces the stale socket" {
	local id1 id2
	bd_start "$T2"
	id1=$(curl -s --unix-socket "$T2/s.sock" http://x/info | jq -r .ID)
	[ -n "$id1" ]
	bd_stop "$T2" KILL
	[ -S "$T2/s.sock" ] # left behind by the crash
	# a crash mid-download leaves an ingest behind: collected at the next start
	echo partial >"$T2/data/content/ingest/layer-sha256:abc"
	bd_start "$T2"
	id2=$(curl -s --unix-socket "$T2/s.sock" http://x/info | jq -r .ID)
	[ "$id1" = "$id2" ]
	[ ! -e "$T2/data/content/ingest/layer-sha256:abc" ]
	grep -q "removed 1 stale ingest" "$T2/log"
}

@test "berthd: a second daemon on the same exec-root is refused and the first keeps serving" {
	bd_start "$T2"
	mkdir "$T2/second"
	run "$BERTHD" --data-root "$T2/data" --exec-root "$T2/exec" -H "unix://$T2/s.sock" --config-file "$T2/daemon.json"
	[ "$status" -eq 1 ]
	# logged in logrus' text format, where the quotes are escaped
	[[ "$output" == *"another berthd is running with exec-root \\\"$T2/exec\\\""* ]]
	[ "$(curl -s --unix-socket "$T2/s.sock" http://x/_ping)" = OK ]
}

@test "berthd: -H fd:// serves the socket systemd passes (LISTEN_FDS) and leaves its file alone" {
	local i flags
	command -v systemd-socket-activate >/dev/null || skip "no systemd-socket-activate on this host (Debian package systemd)"
	echo '{}' >"$T2/daemon.json"
	# systemd-socket-activate binds, then execs berthd (same PID) at the first connection.
	systemd-socket-activate -l "$T2/sa.sock" "$BERTHD" -H fd:// --data-root "$T2/data" \
		--exec-root "$T2/exec" --config-file "$T2/daemon.json" >>"$T2/log" 2>&1 3>&- &
	echo $! >"$T2/pid"
	for ((i = 0; i < 100; i++)); do
		[ -S "$T2/sa.sock" ] && break
		sleep 0.05
	done
	run curl -s --max-time 10 --unix-socket "$T2/sa.sock" http://x/_ping
	[ "$output" = OK ]
	[ "$(cat "/proc/$(cat "$T2/pid")/comm")" = berthd ]
	# the socket is close-on-exec, like every fd berthd holds
	flags=$(awk '/^flags:/ { print $2 }' "/proc/$(cat "$T2/pid")/fdinfo/3")
	(((8#$flags & 8#2000000) != 0))
	bd_stop "$T2"
	[ -S "$T2/sa.sock" ] # systemd's file: berthd does not remove it
}

@test "berthd: -H fd:// without a passed socket fails and creates nothing" {
	echo '{}' >"$T2/daemon.json"
	run "$BERTHD" -H fd:// --data-root "$T2/data" --exec-root "$T2/exec" --config-file "$T2/daemon.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"-H fd://: no socket passed by systemd"* ]]
	[ ! -e "$T2/data" ] && [ ! -e "$T2/exec" ]
}
