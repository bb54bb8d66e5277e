#!/usr/bin/env bash
# bench/cri.sh — the Kubernetes exec probe: CRI ExecSync of `true` into a running container,
# through containerd 1.6's CRI plugin, runtime handler "berth" (containerd-shim-berth-v2 +
# berth) against handler "runc" (Debian's containerd-shim-runc-v2 + runc).
#
#   (as root) bench/cri.sh
#   (as root) BERTH=$PWD/berth SHIM=$PWD/containerd-shim-berth-v2 bench/cri.sh
#
# A private containerd (tests/helpers/cri/cri_env.bash: root, state, socket in a temporary
# directory, cgroupfs driver, pods in the node's network namespace) runs one pod per handler
# with one busybox `sleep` container. Each round then makes N ExecSync calls of `true` per
# handler on one gRPC connection (tests/helpers/cri/cri.py exec-bench: no interpreter start-up
# in the timing), alternating the handlers so drift hits both alike. Reported: the median over
# the rounds of the mean time per call, and the fastest round; ratio berth / runc from the
# medians. This is what kubelet's exec probes cost (each probe is one ExecSync), seen from the
# client; it includes containerd's own share, which is the same for both handlers.
#
# Environment knobs (defaults in brackets):
#   BERTH    path of the berth binary [berth from PATH]
#   SHIM     path of containerd-shim-berth-v2 [next to BERTH, else from PATH]
#   N        ExecSync calls per round and handler [100]
#   ROUNDS   rounds [5]
#   WARMUP   untimed calls per handler before the first round [10]
#   OUTDIR   where results-cri-<date>.md goes [bench/]
#   CRI_LOG_LEVEL  containerd's --log-level [info]
# Goal: berth / runc ≤ 0.3×.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"

say() { printf '%s\n' "$*" >&2; }
die() { say "bench/cri: error: $*"; exit 1; }

# Outer part: re-run under a child subreaper. PID 1 of this host does not reap orphans, and
# every shim is one (its `start` action exits once the long-lived shim is up).
if [ "${1:-}" != __inner ]; then
	[ "$(id -u)" = 0 ] || die "must run as root"
	exec python3 -c '
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:          # PR_SET_CHILD_SUBREAPER
    sys.exit("bench/cri: prctl(PR_SET_CHILD_SUBREAPER) failed")
child = os.fork()
if child == 0:
    os.execvp("bash", ["bash"] + sys.argv[1:])
def fwd(sig, _frame):
    try:
        os.kill(child, sig)
    except ProcessLookupError:
        pass
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, fwd)
rc = None
while True:
    try:
        pid, st = os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    if pid == child:
        rc = os.waitstatus_to_exitcode(st)
        break
sys.exit(1 if rc is None else rc)
' "$SELF" __inner
fi

# shellcheck source=../tests/helpers/cri/cri_env.bash
source "$REPO/tests/helpers/cri/cri_env.bash"

N=${N:-100}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-10}
OUTDIR=${OUTDIR:-$HERE}
DATE=$(date +%F)

if [[ ${BERTH:-berth} == */* ]]; then BERTH=$(readlink -f -- "$BERTH"); else BERTH=$(command -v "${BERTH:-berth}" || true); fi
{ [ -n "$BERTH" ] && [ -x "$BERTH" ]; } || die "berth not found (set BERTH=/path/to/berth)"
if [ -z "${SHIM:-}" ] && [ -x "$(dirname "$BERTH")/containerd-shim-berth-v2" ]; then
	SHIM=$(dirname "$BERTH")/containerd-shim-berth-v2
fi
if [[ ${SHIM:-containerd-shim-berth-v2} == */* ]]; then SHIM=$(readlink -f -- "$SHIM"); else SHIM=$(command -v containerd-shim-berth-v2 || true); fi
{ [ -n "$SHIM" ] && [ -x "$SHIM" ]; } || die "containerd-shim-berth-v2 not found (set SHIM=/path)"
missing=$(cri_env_check)
[ -z "$missing" ] || die "$missing"

trap 'cri_env_stop' EXIT
trap 'exit 130' INT TERM HUP
# containerd's debug logging costs both handlers alike; it is not what a node runs
export CRI_LOG_LEVEL=${CRI_LOG_LEVEL:-info}
say "bench/cri: starting a private containerd"
cri_env_start "$(mktemp -d /tmp/berth-cri-bench.XXXXXX)" "$SHIM" "$BERTH" || die "containerd did not start"

declare -A CID
for h in berth runc; do
	cri_pod_config "bench-$h" "$CRI_DIR/pod-$h.json"
	pod=$(cri_ runp --handler "$h" "$CRI_DIR/pod-$h.json" | jq -r .id)
	{ [ -n "$pod" ] && [ "$pod" != null ]; } || die "RunPodSandbox (handler $h) failed"
	cri_container_config "probe-$h" "$CRI_DIR/ctr-$h.json" sleep 1000000
	cid=$(cri_ create "$pod" "$CRI_DIR/ctr-$h.json" "$CRI_DIR/pod-$h.json" | jq -r .id)
	{ [ -n "$cid" ] && [ "$cid" != null ]; } || die "CreateContainer (handler $h) failed"
	cri_ start "$cid" >/dev/null || die "StartContainer (handler $h) failed"
	CID[$h]=$cid
	r=$(cri_ exec-bench "$cid" "$WARMUP" true) || die "ExecSync (handler $h) failed: $r"
done

declare -A MS last
RATIOS=""
for r in $(seq "$ROUNDS"); do
	for h in berth runc; do
		res=$(cri_ exec-bench "${CID[$h]}" "$N" true) || die "ExecSync (handler $h) failed: $res"
		[ "$(jq -r '.exit_codes["0"]' <<<"$res")" = "$N" ] || die "ExecSync true (handler $h): $res"
		MS[$h]+="$(jq -r .per_call_ms <<<"$res") "
		last[$h]=$(jq -r .per_call_ms <<<"$res")
		say "bench/cri: round $r, $h: $(jq -r '.per_call_ms * 1000 | round / 1000' <<<"$res") ms/call"
	done
	RATIOS+="$(awk -v b="${last[berth]}" -v r="${last[runc]}" 'BEGIN { printf "%.4f", b / r }') "
done

stat() { # stat "v1 v2 ..." -> "median min"
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END {
		m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f %.2f\n", m, v[1] }'
}
read -r bmed bmin <<<"$(stat "${MS[berth]}")"
read -r rmed rmin <<<"$(stat "${MS[runc]}")"
ratio=$(awk -v b="$bmed" -v r="$rmed" 'BEGIN { printf "%.2f", b / r }')
read -r pmed pmin <<<"$(stat "$RATIOS")"
pmax=$(tr ' ' '\n' <<<"$RATIOS" | grep . | sort -g | tail -n1 | awk '{ printf "%.2f", $1 }')
verdict=$(awk -v x="$ratio" 'BEGIN { print (x <= 0.3) ? "PASS" : "FAIL" }')

report=$(cat <<EOF
## CRI exec probe: ExecSync of \`true\` (bench/cri.sh), $DATE

containerd $(containerd --version | awk '{print $3}') CRI (runtime.v1), cgroupfs, host network; $N calls per round and
handler on one gRPC connection, $ROUNDS rounds alternating the handlers; per-call time = round
time / $N, as seen by the CRI client (kubelet's view of an exec probe).

| handler | shim + runtime | median ms/call | fastest round |
|---|---|---:|---:|
| berth | containerd-shim-berth-v2 + berth ($("$BERTH" --version | head -n1)) | $bmed | $bmin |
| runc | containerd-shim-runc-v2 + runc ($(runc --version | head -n1 | awk '{print $3}')) | $rmed | $rmin |

berth / runc: ${ratio}× (goal: at most 0.3×): $verdict
(per round, berth and runc measured back to back: median ${pmed}×, range ${pmin}–${pmax}×)

Reproduce (as root): \`BERTH=$BERTH SHIM=$SHIM N=$N ROUNDS=$ROUNDS bench/cri.sh\`
EOF
)
printf '%s\n' "$report"
mkdir -p "$OUTDIR"
printf '%s\n' "$report" >"$OUTDIR/results-cri-$DATE.md"
say "bench/cri: wrote $OUTDIR/results-cri-$DATE.md"
