#!/usr/bin/env bash
# bench/shim_phases.sh — where a `ctr run --rm IMAGE ID true` spends its time, berth's shim vs
# containerd's runc shim, from containerd's debug-log timestamps (issue 6), as root:
#
#   SHIM=$PWD/containerd-shim-berth-v2 BERTH=$PWD/berth K=15 bench/shim_phases.sh
#
# One private containerd 1.6 (debug log, CRI off); K runs of each shim, alternating, 0.3 s apart.
# Prints a markdown table of per-phase medians (ms) on stdout. Nothing is left behind.
set -euo pipefail

K=${K:-15}
SHIM=$(readlink -f "$(command -v "${SHIM:-containerd-shim-berth-v2}")")
BERTH=$(readlink -f "$(command -v "${BERTH:-berth}")")
RUNC=$(readlink -f "$(command -v runc)")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=docker.io/library/berth-bench/busybox:latest

[ "$(id -u)" = 0 ] || { echo "bench/shim_phases.sh: must run as root" >&2; exit 1; }
CD=$(mktemp -d /tmp/berth-bench-phases.XXXXXX)
CTR=(ctr -a "$CD/c.sock")
cleanup() {
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
cat >"$CD/config.toml" <<EOF2
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CD/c.sock"
[debug]
  level = "debug"
EOF2
# From inside $CD: containerd 1.6 looks for a shim in its working directory before $PATH.
(cd "$CD" && PATH="$CD/bin:$PATH" exec setsid containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1) &
echo $! >"$CD/containerd.pid"
for _ in $(seq 100); do "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
/usr/bin/python3 "$HERE/../tests/helpers/mkimage.py" "$CD/busybox.tar" "$IMAGE"
"${CTR[@]}" images import "$CD/busybox.tar" >/dev/null
B=(--runtime io.containerd.berth.v2)
R=(--runtime io.containerd.runc.v2 --runc-binary "$RUNC")
for i in 1 2 3; do
	"${CTR[@]}" run --rm "${B[@]}" "$IMAGE" "warm-b$i" true
	"${CTR[@]}" run --rm "${R[@]}" "$IMAGE" "warm-r$i" true
done
: >"$CD/runs.txt"
for k in $(seq "$K"); do
	for rt in berth runc; do
		if [ "$rt" = berth ]; then a=("${B[@]}"); else a=("${R[@]}"); fi
		s=$(date +%s.%N)
		"${CTR[@]}" run --rm "${a[@]}" "$IMAGE" "$rt$k" true
		e=$(date +%s.%N)
		echo "$rt $s $e" >>"$CD/runs.txt"
		sleep 0.3
	done
done
sleep 0.3
/usr/bin/python3 - "$CD/runs.txt" "$CD/containerd.log" <<'PY'
import datetime, re, statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
ev = []
for l in open(sys.argv[2], errors="replace"):
    m = re.search(r'time="([^"]+)" level=\w+ msg="([^"]*)"', l)
    if m:
        ts = m.group(1)  # 2026-11-23T19:46:17.123456789Z or ...+00:00
        base, zone = ts[:26], ("+00:00" if ts.endswith("Z") else ts[-6:])
        ev.append((datetime.datetime.fromisoformat(base + zone).timestamp(), m.group(2)))
rows = {"berth": [], "runc": []}
for rt, s, e in runs:
    s, e = float(s), float(e)
    msgs = [((t - s) * 1000, m) for t, m in ev if s <= t <= e]
    mounts = [t for t, m in msgs if m == "get snapshot mounts"]
    fwd = [t for t, m in msgs if m == "event forwarded"]
    disc = [t for t, m in msgs if m == "shim disconnected"]
    if len(mounts) < 2 or len(fwd) < 4 or not disc:
        continue
    total = (e - s) * 1000
    rows[rt].append([mounts[1], fwd[0] - mounts[1], fwd[1] - fwd[0], fwd[2] - fwd[1],
                     fwd[3] - fwd[2], disc[0] - fwd[3], total - disc[0], total])
names = ["ctr start → task create begins (snapshot, container record)",
         "task create: shim start action, connect, Create (rootfs mount, runtime create) → TaskCreate",
         "Start → TaskStart", "→ TaskExit",
         "TaskExit → TaskDelete (ctr's wait, Delete, runtime delete)",
         "TaskDelete → shim disconnected (Shutdown)",
         "disconnect → ctr exits (delete action, bundle and snapshot removal)", "total"]
print("| phase (median ms; %d / %d runs) | berth shim | runc shim |" % (len(rows["berth"]), len(rows["runc"])))
print("|---|---|---|")
for i, n in enumerate(names):
    med = lambda rt: statistics.median(r[i] for r in rows[rt]) if rows[rt] else float("nan")
    print("| %s | %.1f | %.1f |" % (n, med("berth"), med("runc")))
PY
