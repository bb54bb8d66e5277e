#!/usr/bin/env bash
# bench/shim.sh — containerd-shim-berth-v2 vs containerd-shim-runc-v2, side by side, under one
# private containerd 1.6 (Debian's), as root:
#
#   bench/shim.sh                 # installed shim and berth
#   SHIM=./containerd-shim-berth-v2 BERTH=./berth bench/shim.sh
#
# Scenarios (goals from issue 6):
#   1. `ctr run --rm IMAGE ID true`: berth's shim (driving berth) vs containerd's runc shim
#      (driving runc); hyperfine, RUNS runs each [20]. Goal: at most 0.5x.
#   2. RSS per shim with N idle containers [10] (`sleep`): the sum of the shims' VmRSS over N.
#      Goal: under 1 MiB (containerd-shim-runc-v2: about 13 MiB here).
# Prints a markdown table on stdout; nothing is left behind (containerd stopped by its PID,
# containers killed and removed, the temp directory unmounted and removed).
set -euo pipefail

RUNS=${RUNS:-20}
N=${N:-10}
SHIM=$(readlink -f "$(command -v "${SHIM:-containerd-shim-berth-v2}")")
BERTH=$(readlink -f "$(command -v "${BERTH:-berth}")")
RUNC=$(readlink -f "$(command -v runc)")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=docker.io/library/berth-bench/busybox:latest

[ "$(id -u)" = 0 ] || { echo "bench/shim.sh: must run as root" >&2; exit 1; }
for t in containerd ctr hyperfine jq python3; do
	command -v "$t" >/dev/null || { echo "bench/shim.sh: $t not found" >&2; exit 1; }
done

CD=$(mktemp -d /tmp/berth-bench-shim.XXXXXX)
CTR=(ctr -a "$CD/c.sock")
cleanup() {
	local t
	for t in $("${CTR[@]}" task ls -q 2>/dev/null); do
		"${CTR[@]}" task kill -s 9 "$t" >/dev/null 2>&1 || true
	done
	sleep 0.5
	for t in $("${CTR[@]}" task ls -q 2>/dev/null); do
		"${CTR[@]}" task delete -f "$t" >/dev/null 2>&1 || true
	done
	for t in $("${CTR[@]}" containers ls -q 2>/dev/null); do
		"${CTR[@]}" containers rm "$t" >/dev/null 2>&1 || true
	done
	if [ -s "$CD/containerd.pid" ]; then
		kill "$(cat "$CD/containerd.pid")" 2>/dev/null || true
		sleep 0.5
	fi
	findmnt -rn -o TARGET | grep "^$CD/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$CD"
}
trap cleanup EXIT

mkdir -p "$CD/bin"
ln -s "$SHIM" "$CD/bin/containerd-shim-berth-v2"
ln -s "$BERTH" "$CD/bin/berth"
cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CD/c.sock"
EOF
# From inside $CD: containerd 1.6 looks for a shim binary in its working directory before $PATH
# (run from a build tree, it would pick that tree's shim, not $SHIM).
(cd "$CD" && PATH="$CD/bin:$PATH" exec setsid containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1) &
echo $! >"$CD/containerd.pid"
for _ in $(seq 100); do "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
python3 "$HERE/../tests/helpers/mkimage.py" "$CD/busybox.tar" "$IMAGE"
"${CTR[@]}" images import "$CD/busybox.tar" >/dev/null

# 1. ctr run --rm true
hyperfine -N -w 3 -r "$RUNS" --export-json "$CD/run.json" \
	-n berth-shim "ctr -a $CD/c.sock run --rm --runtime io.containerd.berth.v2 $IMAGE b-run true" \
	-n runc-shim "ctr -a $CD/c.sock run --rm --runtime io.containerd.runc.v2 --runc-binary $RUNC $IMAGE r-run true" >&2
med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$CD/run.json"; }
b_ms=$(med berth-shim)
r_ms=$(med runc-shim)

# 2. RSS per shim, N idle containers each
mem_kib() { # the sum of smaps_rollup field $2 (Rss, Pss, Private_*) of the shims named $1
	local sum=0 p v
	for p in $(pgrep -f "$1 .*-address $CD/c.sock" || true); do
		v=$(awk -v f="$2:" '$1 == f { s += $2 } END { print s + 0 }' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
		sum=$((sum + v))
	done
	echo "$sum"
}
count() { pgrep -fc "$1 .*-address $CD/c.sock" || true; }
for i in $(seq "$N"); do
	"${CTR[@]}" run -d --runtime io.containerd.berth.v2 "$IMAGE" "b-idle-$i" sleep 100000 >/dev/null
	"${CTR[@]}" run -d --runtime io.containerd.runc.v2 --runc-binary "$RUNC" "$IMAGE" "r-idle-$i" sleep 100000 >/dev/null
done
sleep 1
[ -n "${BENCH_DEBUG:-}" ] && ps -eo pid,args | grep -- "-address $CD" >&2
B=containerd-shim-berth-v2 R=containerd-shim-runc-v2
b_n=$(count "$B") r_n=$(count "$R")
b_rss=$(mem_kib "$B" Rss) r_rss=$(mem_kib "$R" Rss)
b_pss=$(mem_kib "$B" Pss) r_pss=$(mem_kib "$R" Pss)
b_uss=$(($(mem_kib "$B" Private_Clean) + $(mem_kib "$B" Private_Dirty)))
r_uss=$(($(mem_kib "$R" Private_Clean) + $(mem_kib "$R" Private_Dirty)))

printf '\n| scenario | berth shim | runc shim | ratio | goal |\n|---|---|---|---|---|\n'
printf '| `ctr run --rm … true` (median ms, %s runs) | %.1f | %.1f | %.2fx | ≤ 0.5x |\n' "$RUNS" "$b_ms" "$r_ms" \
	"$(echo "$b_ms / $r_ms" | bc -l)"
row() { # label, berth KiB total, runc KiB total, goal
	printf '| %s per container, %s idle containers (KiB; %s vs %s shims) | %d | %d | %.3fx | %s |\n' "$1" "$N" \
		"$b_n" "$r_n" "$(($2 / N))" "$(($3 / N))" "$(echo "$2 / $3" | bc -l)" "$4"
}
row RSS "$b_rss" "$r_rss" "< 1024 KiB"
row "PSS (shared pages split among their users)" "$b_pss" "$r_pss" ""
row "USS (private pages)" "$b_uss" "$r_uss" ""
