#!/usr/bin/env bats
# ttrpc interoperability: berth's C ttrpc (proto/ttrpc, driven by tests/interop/ttrpc/ttrpc-peer,
# which `make check` builds) against the Go ttrpc 1.1.1 that containerd 1.6 uses (Debian's
# golang-github-containerd-ttrpc-dev; tests/interop/ttrpc/main.go, built here offline in GOPATH
# mode). Each side runs as server and as client: concurrent calls answered out of order, a call
# left pending while others complete, errdefs classes, metadata and timeouts, the 4 MiB limit,
# raw frames (which must get the same answers from both servers), abstract names, SO_PEERCRED.
#
#   TTRPC_PEER  the C peer (default: tests/interop/ttrpc/ttrpc-peer in this tree)
#   GO          the Go toolchain (default: /usr/lib/go-1.19/bin/go, then go on PATH)

# shellcheck disable=SC2154 # status/output come from bats
load helpers
bats_require_minimum_version 1.5.0 # run -N

setup_file() {
	local go src=$IT_REPO/tests/interop/ttrpc peer=${TTRPC_PEER:-$IT_REPO/tests/interop/ttrpc/ttrpc-peer}
	go=${GO:-/usr/lib/go-1.19/bin/go}
	[[ -x $go ]] || go=$(command -v go) || {
		echo "setup_file: no Go toolchain (contrib/install-deps.sh installs golang-1.19-go)" >&2
		return 1
	}
	[[ -x $peer ]] || {
		echo "setup_file: $peer not built (run make check first, or set TTRPC_PEER)" >&2
		return 1
	}
	[[ -d /usr/share/gocode/src/github.com/containerd/ttrpc ]] || {
		echo "setup_file: Go ttrpc sources missing (golang-github-containerd-ttrpc-dev)" >&2
		return 1
	}
	# World-readable, so that the credential tests can run the binaries as nobody.
	IT_TTRPC_BIN=$(mktemp -d /tmp/berth-ttrpc-interop.XXXXXX)
	export IT_TTRPC_BIN
	chmod 755 "$IT_TTRPC_BIN"
	cp "$peer" "$IT_TTRPC_BIN/ttrpc-peer"
	# Offline: GOPATH mode over Debian's /usr/share/gocode, no module proxy, a private cache.
	# main.go is named (not the directory), which holds peer.c too.
	(cd "$src" && env -u GOFLAGS GO111MODULE=off GOPROXY=off CGO_ENABLED=0 \
		GOPATH="/usr/share/gocode:$BATS_FILE_TMPDIR/gopath" GOCACHE="$BATS_FILE_TMPDIR/gocache" \
		"$go" build -o "$IT_TTRPC_BIN/ttrpc-interop" main.go) >&2 || {
		echo "setup_file: building tests/interop/ttrpc/main.go failed" >&2
		return 1
	}
	chmod 755 "$IT_TTRPC_BIN"/*
}

teardown_file() {
	[[ -n ${IT_TTRPC_BIN:-} ]] && rm -rf "$IT_TTRPC_BIN"
}

setup() {
	T=$BATS_TEST_TMPDIR
	: >"$T/.servers"
}

teardown() {
	stop_servers
}

# start_server go|c ADDR: the Go or berth's server on ADDR ("@name": abstract), in the
# background; returns once it listens.
start_server() {
	local kind=$1 addr=$2 bin i
	[[ $kind == go ]] && bin=$IT_TTRPC_BIN/ttrpc-interop || bin=$IT_TTRPC_BIN/ttrpc-peer
	"$bin" server "$addr" >"$T/$kind.out" 2>"$T/$kind.err" 3>&- &
	echo "$kind $!" >>"$T/.servers"
	for ((i = 0; i < 100; i++)); do
		if [[ $(cat "$T/$kind.out") == ready ]]; then
			return 0
		fi
		sleep 0.1
	done
	echo "$kind server on $addr did not start: $(cat "$T/$kind.err")" >&2
	return 1
}

# stop_servers: SIGTERM each server this test started, SIGKILL after 5 s. Both servers exit 0
# on SIGTERM; anything else fails the test.
stop_servers() {
	local kind pid i rc=0 st
	while read -r kind pid; do
		kill -TERM "$pid" 2>/dev/null || continue
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "$kind server $pid ignored SIGTERM" >&2
			kill -KILL "$pid" 2>/dev/null
			rc=1
		fi
		st=0
		wait "$pid" || st=$?
		if [[ $st != 0 ]]; then
			echo "$kind server exited with $st: $(cat "$T/$kind.err")" >&2
			rc=1
		fi
	done <"$T/.servers"
	: >"$T/.servers"
	return $rc
}

# A command prefix for uid/gid 65534, effective and real: a peer the servers must refuse.
AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)

@test "ttrpc interop: Go client against berth's server" {
	start_server c "$T/c.sock"
	run -0 timeout 120 "$IT_TTRPC_BIN/ttrpc-interop" client "$T/c.sock"
	echo "$output"
	assert_eq "$(grep -c '^ok - ' <<<"$output")" 9 "checks passed"
	assert_contains "$output" "ok - a pending call does not hold up the others (answered out of order)"
	assert_contains "$output" "ok - errdefs NotFound round trip"
	assert_contains "$output" "ok - over-limit request: RESOURCE_EXHAUSTED, connection still usable"
	# The Go client that left with a Sleep pending: berth's server cancelled that call.
	assert_contains "$(cat "$T/c.err")" "ttrpc-peer: cancelled Sleep 5000"
	stop_servers
	[ ! -e "$T/c.sock" ]
}

@test "ttrpc interop: berth's client against the Go server" {
	start_server go "$T/go.sock"
	run -0 timeout 120 "$IT_TTRPC_BIN/ttrpc-peer" client "$T/go.sock"
	echo "$output"
	assert_eq "$(grep -c '^ok - ' <<<"$output")" 10 "checks passed"
	assert_contains "$output" "ok - a pending call does not hold up the others (answered out of order)"
	assert_contains "$output" "ok - errdefs NotFound round trip"
	assert_contains "$output" "ok - over-limit answer skipped, the connection goes on"
}

@test "ttrpc interop: raw frames get the same answers from the Go server and berth's" {
	local want
	start_server go "$T/go.sock"
	start_server c "$T/c.sock"
	run -0 timeout 60 "$IT_TTRPC_BIN/ttrpc-peer" raw "$T/go.sock"
	echo "$output" >"$T/raw.go"
	run -0 timeout 60 "$IT_TTRPC_BIN/ttrpc-peer" raw "$T/c.sock"
	echo "$output" >"$T/raw.c"
	diff -u "$T/raw.go" "$T/raw.c"
	want='1 code=8 message=message length 5242880 exceed maximum message size of 4194304
2 code=3 message=StreamID must be odd for client initiated streams
3 code=3
9 code=0 value=raw
11 code=12 message=service nope.v1.X
13 code=12 message=method Nope
15 code=0 value=raw
17 code=0 value=ns=k8s.io timeout=yes
19 code=12 message=service 
1 code=0 value=raw
client echo ok'
	assert_eq "$(cat "$T/raw.c")" "$want" "answers to the raw frames"
}

@test "ttrpc interop: abstract names; a peer with other credentials is dropped (SO_PEERCRED)" {
	local name=berth-ttrpc-interop-$$-$RANDOM
	command -v setpriv >/dev/null || {
		echo "setpriv (util-linux) is needed" >&2
		return 1
	}
	start_server go "@$name-go"
	start_server c "@$name-c"
	# Same user: served.
	run -0 timeout 60 "$IT_TTRPC_BIN/ttrpc-peer" raw "@$name-go"
	assert_eq "${lines[-1]}" "client echo ok"
	run -0 timeout 60 "$IT_TTRPC_BIN/ttrpc-peer" raw "@$name-c"
	assert_eq "${lines[-1]}" "client echo ok"
	# Abstract sockets have no file permissions: the credential check is all that keeps other
	# users out (Go ttrpc's UnixSocketRequireSameUser; berth's server does the same).
	run -0 timeout 30 "${AS_NOBODY[@]}" "$IT_TTRPC_BIN/ttrpc-interop" refused "@$name-c"
	assert_eq "$output" "ok - refused"
	run -0 timeout 30 "${AS_NOBODY[@]}" "$IT_TTRPC_BIN/ttrpc-peer" refused "@$name-go"
	assert_eq "$output" "ok - refused"
	run -0 timeout 30 "${AS_NOBODY[@]}" "$IT_TTRPC_BIN/ttrpc-peer" refused "@$name-c"
	assert_eq "$output" "ok - refused"
}
