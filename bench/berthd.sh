#!/usr/bin/env bash
# bench/berthd.sh — idle memory of berthd vs containerd 1.6 vs dockerd 20.10 (Debian's), each
# started privately (temp data root, state and socket) as root:
#
#   bench/berthd.sh                         # berthd from PATH
#   BERTHD=./berthd bench/berthd.sh
#   DOCKERD=0 bench/berthd.sh               # without dockerd
#
# Each daemon is started, asked one question (berthd and dockerd: GET /info; containerd:
# `ctr version`), left idle SETTLE seconds [3], then its VmRSS (and dockerd's child containerd's)
# is read from /proc. dockerd runs with --bridge none, iptables/ip-forward/masquerade off and its
# key under the temp dir, so it changes nothing on the host. Prints a markdown table; every daemon is stopped by the PID it was
# started with, and the temp directory is removed, on failure too.
set -euo pipefail

SETTLE=${SETTLE:-3}
DOCKERD=${DOCKERD:-1}
BERTHD=$(readlink -f "$(command -v "${BERTHD:-berthd}")")

[ "$(id -u)" = 0 ] || { echo "bench/berthd.sh: must run as root" >&2; exit 1; }
for t in containerd ctr curl; do
	command -v "$t" >/dev/null || { echo "bench/berthd.sh: $t not found" >&2; exit 1; }
done

D=$(mktemp -d /tmp/berth-bench-bd.XXXXXX)
pids=()
cleanup() {
	local p i
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# dockerd mounts nothing with these flags, but make sure before removing its root
	if grep -q " $D/" /proc/self/mountinfo; then
		grep " $D/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l
	fi
	rm -rf -- "$D"
}
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
wait_for() { # COMMAND...: retry for up to 10 s
	local i
	for ((i = 0; i < 200; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "bench/berthd.sh: timed out waiting for: $*" >&2
	return 1
}
row() { printf '| %s | %s | %.1f |\n' "$1" "$2" "$(echo "$3" | awk '{ print $1 / 1024 }')"; }

echo '{}' >"$D/berthd.json"
"$BERTHD" --data-root "$D/b/data" --exec-root "$D/b/exec" -H "unix://$D/b.sock" \
	--config-file "$D/berthd.json" 2>"$D/berthd.log" &
pids+=($!)
bpid=$!
wait_for curl -sf --unix-socket "$D/b.sock" http://x/info

cat >"$D/containerd.toml" <<TOML
version = 2
root = "$D/c/root"
state = "$D/c/state"
[grpc]
  address = "$D/c.sock"
[ttrpc]
  address = "$D/c.sock.ttrpc"
TOML
containerd --config "$D/containerd.toml" 2>"$D/containerd.log" &
pids+=($!)
cpid=$!
wait_for ctr --address "$D/c.sock" version

dpid= dcpid=
if [ "$DOCKERD" = 1 ] && command -v dockerd >/dev/null; then
	# its libtrust key would otherwise go to /etc/docker/key.json
	echo "{\"deprecated-key-path\": \"$D/d/key.json\"}" >"$D/dockerd.json"
	dockerd --data-root "$D/d/data" --exec-root "$D/d/exec" --pidfile "$D/d/dockerd.pid" \
		-H "unix://$D/d.sock" --config-file "$D/dockerd.json" --bridge none --iptables=false \
		--ip6tables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
		2>"$D/dockerd.log" &
	pids+=($!)
	dpid=$!
	wait_for curl -sf --unix-socket "$D/d.sock" http://x/info
	dcpid=$(pgrep -P "$dpid" containerd || true)
fi

sleep "$SETTLE"
echo "| daemon | version | idle VmRSS (MiB) |"
echo "|---|---|---|"
row berthd "$("$BERTHD" --version | awk '{ print $3 }' | tr -d ,)" "$(rss_kib "$bpid")"
row containerd "$(containerd --version | awk '{ print $3 }')" "$(rss_kib "$cpid")"
if [ -n "$dpid" ]; then
	row dockerd "$(dockerd --version | awk '{ print $3 }' | tr -d ,)" "$(rss_kib "$dpid")"
	if [ -n "$dcpid" ]; then
		row "dockerd's containerd" "(child)" "$(rss_kib "$dcpid")"
		row "dockerd + its containerd" "" "$(($(rss_kib "$dpid") + $(rss_kib "$dcpid")))"
	fi
fi
