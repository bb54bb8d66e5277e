#!/usr/bin/env bash
# bench/pull.sh — cold pull of a multi-layer image from a local registry: berthd vs containerd
# 1.6 (ctr pull, which unpacks), dockerd 20.10 and podman 4.3, each started privately (temp
# roots and sockets) and each pull from an empty store, as root:
#
#   bench/pull.sh                           # berthd from PATH
#   BERTHD=./berthd RUNS=7 bench/pull.sh
#   LAYERS="gzip:16M gzip:16M zstd:16M" bench/pull.sh
#   SKIP="dockerd podman" bench/pull.sh
#
# The image: tests/helpers/mklayers.py, LAYERS (default five gzip layers of 16 MiB of
# pseudo-random data that compresses about 2:1, so ~8 MiB each on the wire), pushed by skopeo
# to a private docker-registry on 127.0.0.1. Each run: pull (timed, wall clock, from the
# request to the end of the client), then remove the image and collect, so the next run starts
# cold. Prints a markdown table of medians and ratios to berthd. Every daemon is stopped by the
# PID it was started with and the temp directory is removed, on failure too.
set -euo pipefail

RUNS=${RUNS:-5}
LAYERS=${LAYERS:-gzip:16M gzip:16M gzip:16M gzip:16M gzip:16M}
SKIP=${SKIP:-}
BERTHD=$(readlink -f "$(command -v "${BERTHD:-berthd}")")
HERE=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" = 0 ] || { echo "bench/pull.sh: must run as root" >&2; exit 1; }
for t in containerd ctr curl skopeo docker-registry jq; do
	command -v "$t" >/dev/null || { echo "bench/pull.sh: $t not found" >&2; exit 1; }
done

D=$(mktemp -d /tmp/berth-bench-pull.XXXXXX)
pids=()
cleanup() {
	local p i
	[ -n "${PODMAN_OK:-}" ] && podman --root "$D/p/root" --runroot "$D/p/run" rmi -af >/dev/null 2>&1 || true
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
	if grep -q " $D/" /proc/self/mountinfo; then
		grep " $D/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l
	fi
	rm -rf -- "$D"
}
trap cleanup EXIT

wait_for() { # COMMAND...: retry for up to 20 s
	local i
	for ((i = 0; i < 400; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "bench/pull.sh: timed out waiting for: $*" >&2
	return 1
}
skipped() { [[ " $SKIP " == *" $1 "* ]]; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The registry and the image.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$D/reg.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $D/reg
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$D/reg.yml" >"$D/reg.log" 2>&1 &
pids+=($!)
wait_for curl -sf "http://127.0.0.1:$port/v2/"
# shellcheck disable=SC2086
/usr/bin/python3 "$HERE/../tests/helpers/mklayers.py" --seed 7 "$D/img" $LAYERS
REF=127.0.0.1:$port/bench/layers:1
skopeo copy -q --dest-tls-verify=false "oci:$D/img" "docker://$REF"
wire=$(find "$D/img/blobs" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1048576 }')

declare -A times
run_one() { # NAME PULL_CMD...: prints the milliseconds PULL_CMD took
	local t0 t1
	shift
	t0=$(now_ms)
	"$@" >"$D/last.out" 2>&1 || { echo "bench/pull.sh: pull failed:" >&2; cat "$D/last.out" >&2; return 1; }
	t1=$(now_ms)
	echo $((t1 - t0))
}

# berthd
echo '{}' >"$D/berthd.json"
"$BERTHD" --data-root "$D/b/data" --exec-root "$D/b/exec" -H "unix://$D/b.sock" \
	--config-file "$D/berthd.json" 2>"$D/berthd.log" &
pids+=($!)
wait_for curl -sf --unix-socket "$D/b.sock" http://x/_ping
bpull() { curl -sf --unix-socket "$D/b.sock" -X POST "http://x/v1.41/images/create?fromImage=${REF%:*}&tag=1" | grep -q 'Status: Downloaded'; }
bclean() { curl -sf --unix-socket "$D/b.sock" -X DELETE "http://x/v1.41/images/$REF" >/dev/null; }
for ((i = 0; i < RUNS; i++)); do
	times[berthd]+="$(run_one berthd bpull) "
	bclean
done

if ! skipped containerd; then
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
	wait_for ctr --address "$D/c.sock" version
	cpull() { ctr --address "$D/c.sock" -n bench images pull --plain-http "$REF"; }
	cclean() { ctr --address "$D/c.sock" -n bench images rm --sync "$REF" >/dev/null; }
	for ((i = 0; i < RUNS; i++)); do
		times[containerd]+="$(run_one containerd cpull) "
		cclean
	done
fi

if ! skipped dockerd && command -v dockerd >/dev/null; then
	echo "{\"deprecated-key-path\": \"$D/d/key.json\"}" >"$D/dockerd.json"
	dockerd --data-root "$D/d/data" --exec-root "$D/d/exec" --pidfile "$D/d/dockerd.pid" \
		-H "unix://$D/d.sock" --config-file "$D/dockerd.json" --bridge none --iptables=false \
		--ip6tables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
		2>"$D/dockerd.log" &
	pids+=($!)
	wait_for curl -sf --unix-socket "$D/d.sock" http://x/_ping
	dpull() { docker -H "unix://$D/d.sock" pull -q "$REF"; }
	dclean() { docker -H "unix://$D/d.sock" rmi "$REF" >/dev/null; }
	for ((i = 0; i < RUNS; i++)); do
		times[dockerd]+="$(run_one dockerd dpull) "
		dclean
	done
fi

if ! skipped podman && command -v podman >/dev/null; then
	PODMAN_OK=1
	P=(podman --root "$D/p/root" --runroot "$D/p/run" --storage-driver overlay)
	ppull() { "${P[@]}" pull -q --tls-verify=false "$REF"; }
	pclean() { "${P[@]}" rmi -f "$REF" >/dev/null; }
	for ((i = 0; i < RUNS; i++)); do
		times[podman]+="$(run_one podman ppull) "
		pclean
	done
fi

b=$(echo "${times[berthd]}" | tr ' ' '\n' | grep . | median)
echo "Image: $(echo "$LAYERS" | wc -w) layers ($LAYERS), $wire MiB of blobs; median of $RUNS cold pulls each."
echo
echo "| daemon | command | runs (ms) | median (ms) | vs berthd |"
echo "|---|---|---|---:|---:|"
cmd_of() {
	case $1 in
	berthd) echo 'curl -X POST /images/create?fromImage=…' ;;
	containerd) echo 'ctr images pull --plain-http (unpacks)' ;;
	dockerd) echo 'docker pull' ;;
	podman) echo 'podman pull --tls-verify=false' ;;
	esac
}
for n in berthd containerd dockerd podman; do
	[ -n "${times[$n]:-}" ] || continue
	m=$(echo "${times[$n]}" | tr ' ' '\n' | grep . | median)
	printf '| %s | `%s` | %s | %s | %.2f× |\n' "$n" "$(cmd_of "$n")" "${times[$n]% }" "$m" \
		"$(awk -v a="$m" -v b="$b" 'BEGIN { print a / b }')"
done
