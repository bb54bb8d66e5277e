#!/usr/bin/env bash
# bench/run-containers.sh — berthd's container path against the engines people use (issue 8):
#
#   BERTHD=$PWD/berthd bench/run-containers.sh        # berthd, berthctl, shim, berth beside it
#   RUNS=30 IDLE=100 bench/run-containers.sh
#
# 1. `run --rm busybox true`: berthctl (berthd) vs ctr run --rm (private containerd, runc shim),
#    docker run --rm (private dockerd 20.10, runc through the same private containerd) and podman
#    run --rm (private --root/--runroot, cgroupfs, runc). No networking anywhere: berthd has none
#    yet, the others get --network none (ctr: its default, an empty netns).
# 2. `exec true` into a running container: berthctl exec and docker exec against berthd, docker
#    exec against dockerd, ctr task exec, podman exec.
# 3. Memory with IDLE [100] idle `sleep` containers: VmRSS summed over berthd + its shims + its
#    berth-logger processes; dockerd + containerd + containerd-shim-runc-v2s; podman's conmons.
#
# Timings are hyperfine medians of RUNS [20] runs after WARMUP [3]. Every daemon is started on a
# temp root with its own socket and stopped by the PID it was started with; every container is
# removed, leftover shims/conmons (found by a command line naming the temp root) are killed by
# PID, mounts under the temp root unmounted, the bench's cgroups removed — on failure too.
# Progress goes to stderr, the markdown report to stdout.
set -euo pipefail

RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
IDLE=${IDLE:-100}
BERTHD=$(readlink -f "$(command -v "${BERTHD:-berthd}")")
BDIR=$(dirname "$BERTHD")
BERTHCTL=${BERTHCTL:-$BDIR/berthctl}
[[ -x $BERTHCTL ]] || BERTHCTL=$(command -v berthctl)
DOCKER=${DOCKER:-/usr/bin/docker}
HERE=$(cd "$(dirname "$0")" && pwd)
IMG=docker.io/library/busybox:latest

[ "$(id -u)" = 0 ] || { echo "bench/run-containers.sh: must run as root" >&2; exit 1; }
for t in hyperfine jq curl containerd ctr dockerd "$DOCKER" podman runc conmon skopeo; do
	command -v "$t" >/dev/null || { echo "bench/run-containers.sh: $t not found" >&2; exit 1; }
done

D=$(mktemp -d /tmp/brc.XXXXXX)
TAG=brc-${D##*.}
pids=()
log() { echo "run-containers: $*" >&2; }

# processes whose command line names $D (shims, conmons, daemons: only ours do)
ours() {
	local p
	for p in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$D/" && echo "${p#/proc/}"
	done
	return 0
}

cleanup() {
	local p i
	set +e
	log "cleaning up"
	if [[ -S $D/b.sock ]]; then
		for i in $(curl -s --unix-socket "$D/b.sock" "http://x/v1.41/containers/json?all=1" | jq -r '.[].Id' 2>/dev/null); do
			curl -s -X DELETE --unix-socket "$D/b.sock" "http://x/v1.41/containers/$i?force=1" >/dev/null
		done
	fi
	if [[ -S $D/d.sock ]]; then
		# shellcheck disable=SC2046
		"$DOCKER" -H "unix://$D/d.sock" rm -f $("$DOCKER" -H "unix://$D/d.sock" ps -aq) >/dev/null 2>&1
	fi
	if [[ -S $D/c.sock ]]; then
		for i in $(ctr -a "$D/c.sock" -n "$TAG" tasks ls -q 2>/dev/null); do
			ctr -a "$D/c.sock" -n "$TAG" tasks kill -s KILL "$i" >/dev/null 2>&1
			ctr -a "$D/c.sock" -n "$TAG" tasks delete -f "$i" >/dev/null 2>&1
		done
		for i in $(ctr -a "$D/c.sock" -n "$TAG" containers ls -q 2>/dev/null); do
			ctr -a "$D/c.sock" -n "$TAG" containers rm "$i" >/dev/null 2>&1
		done
	fi
	[[ -d $D/p ]] && pm rm -a -f -t 0 >/dev/null 2>&1
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for ((i = 0; i < 150; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in $(ours); do
		[[ $p == "$$" || $p == "$BASHPID" ]] && continue
		log "killing leftover $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80) ($p)"
		kill -KILL "$p" 2>/dev/null
	done
	sleep 0.2
	grep -F " $D/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	for p in /sys/fs/cgroup/*/"$TAG"* /sys/fs/cgroup/*/"$TAG"*/* /sys/fs/cgroup/*/berth-bench-"$TAG"; do
		[[ -d $p ]] || continue
		find "$p" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf -- "$D"
}
trap cleanup EXIT

wait_for() { # SECONDS COMMAND...: retry every 0.1 s
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	log "timed out waiting for: $*"
	return 1
}
spawn() { # NAME COMMAND...: a daemon in its own session; its PID in pids and $D/NAME.pid
	local name=$1
	shift
	setsid "$@" >"$D/$name.log" 2>&1 </dev/null &
	pids+=($!)
	echo $! >"$D/$name.pid"
}

b() { "$BERTHCTL" -H "unix://$D/b.sock" "$@"; }
dk() { "$DOCKER" -H "unix://$D/d.sock" "$@"; }
c() { ctr -a "$D/c.sock" -n "$TAG" "$@"; }
pm() {
	podman --root "$D/p/root" --runroot "$D/p/run" --storage-driver overlay --tmpdir "$D/p/tmp" \
		--runtime runc --cgroup-manager cgroupfs --events-backend file "$@"
}
# podman sets RLIMIT_NOFILE/NPROC above the hard limit by default; no CAP_SYS_RESOURCE here
PULIM="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
PM="podman --root $D/p/root --runroot $D/p/run --storage-driver overlay --tmpdir $D/p/tmp --runtime runc --cgroup-manager cgroupfs --events-backend file"

# --- the image, everywhere --------------------------------------------------------------------
log "building the busybox image"
python3 "$HERE/../tests/helpers/mkimage.py" "$D/img.tar" "$IMG" >&2
skopeo copy -q "oci-archive:$D/img.tar" "docker-archive:$D/img-docker.tar:busybox:latest"

log "starting berthd ($BERTHD)"
echo '{}' >"$D/berthd.json"
spawn berthd "$BERTHD" --data-root "$D/b/data" --exec-root "$D/b/exec" -H "unix://$D/b.sock" \
	--config-file "$D/berthd.json"
BPID=${pids[-1]}
wait_for 10 curl -sf --unix-socket "$D/b.sock" http://x/_ping
b load -q -i "$D/img.tar" >&2

log "starting containerd"
mkdir -p "$D/ctd"
cat >"$D/ctd/config.toml" <<EOF
version = 2
root = "$D/ctd/root"
state = "$D/ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$D/c.sock"
[ttrpc]
  address = "$D/c.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/ctd/opt"
EOF
spawn containerd containerd --config "$D/ctd/config.toml"
CPID=${pids[-1]}
wait_for 20 ctr -a "$D/c.sock" version
c images import "$D/img.tar" >&2

log "starting dockerd"
printf '{"deprecated-key-path": "%s/key.json"}\n' "$D" >"$D/dockerd.json"
spawn dockerd dockerd --config-file "$D/dockerd.json" --data-root "$D/d/data" --exec-root "$D/d/exec" \
	-H "unix://$D/d.sock" --pidfile "$D/d.pid" --containerd "$D/c.sock" \
	--containerd-namespace "$TAG-d" --containerd-plugins-namespace "$TAG-dp" \
	--bridge none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
	--userland-proxy=false --cgroup-parent "/$TAG-d"
DPID=${pids[-1]}
wait_for 30 "$DOCKER" -H "unix://$D/d.sock" version
dk load -q -i "$D/img-docker.tar" >&2

log "loading the image into podman's private storage"
mkdir -p "$D/p/tmp"
pm load -q -i "$D/img.tar" >&2

# --- 1. run --rm true ---------------------------------------------------------------------------
median_ms() { jq -r '.results[0].median * 1000' "$1"; }
bench() { # NAME COMMAND: hyperfine median in ms into $D/NAME.ms
	log "hyperfine: $2"
	hyperfine -N -w "$WARMUP" -r "$RUNS" --export-json "$D/$1.json" "$2" >&2
	median_ms "$D/$1.json" >"$D/$1.ms"
}
bench run_berthctl "$BERTHCTL -H unix://$D/b.sock run --rm busybox true"
bench run_ctr "ctr -a $D/c.sock -n $TAG run --rm $IMG brc-run true"
bench run_docker "$DOCKER -H unix://$D/d.sock run --rm --network none busybox true"
bench run_podman "$PM run --rm --network none $PULIM --cgroup-parent /$TAG-p busybox true"

# --- 2. exec latency ----------------------------------------------------------------------------
log "starting one idle container per engine for exec"
b run -d --name ex busybox sleep 1000000 >/dev/null
c run -d $IMG brc-ex sleep 1000000 >/dev/null
dk run -d --network none --name ex busybox sleep 1000000 >/dev/null
pm run -d --network none $PULIM --cgroup-parent "/$TAG-p" --name ex busybox sleep 1000000 >/dev/null
bench exec_berthctl "$BERTHCTL -H unix://$D/b.sock exec ex true"
bench exec_docker_berthd "$DOCKER -H unix://$D/b.sock exec ex true"
bench exec_docker "$DOCKER -H unix://$D/d.sock exec ex true"
bench exec_ctr "ctr -a $D/c.sock -n $TAG task exec --exec-id brc-e brc-ex true"
bench exec_podman "$PM exec ex true"
b rm -f ex >/dev/null
c task kill -s KILL brc-ex >/dev/null
wait_for 10 sh -c "! ctr -a $D/c.sock -n $TAG task ls -q | grep -q brc-ex || ctr -a $D/c.sock -n $TAG task delete brc-ex"
c task delete -f brc-ex >/dev/null 2>&1 || true
c containers rm brc-ex >/dev/null
dk rm -f ex >/dev/null
pm rm -f -t 0 ex >/dev/null

# --- 3. memory with $IDLE idle containers -------------------------------------------------------
rss() { # PID...: summed VmRSS in KiB
	local p s=0 v
	for p in "$@"; do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
pss() { # PID...: summed Pss in KiB (shared pages divided among their users)
	local p s=0 v
	for p in "$@"; do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || true)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
by_comm() { # COMM PATTERN: PIDs with that comm whose command line names PATTERN (or any, if -)
	local p
	for p in /proc/[0-9]*; do
		[[ $(cat "$p/comm" 2>/dev/null) == "$1" ]] || continue
		[[ $2 == - ]] || { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$2" || continue
		echo "${p#/proc/}"
	done
	return 0
}
descendants() { # PID: all descendants
	local k
	for k in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$k"
		descendants "$k"
	done
}
settle() { sleep 3; }

log "berthd: $IDLE idle containers"
for ((i = 0; i < IDLE; i++)); do b run -d busybox sleep 1000000 >/dev/null; done
settle
# berthd is the shims' subreaper: they and their loggers are its descendants
bdesc=$(descendants "$BPID")
# (a shim re-executes itself from a sealed copy: its comm is "exe", its argv[0] says what it is)
bshims=$(for p in $bdesc; do if tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -1 | grep -q containerd-shim-berth-v2; then echo "$p"; fi; done)
blogs=$(for p in $bdesc; do if [[ $(cat /proc/$p/comm 2>/dev/null) == berth-logger ]]; then echo "$p"; fi; done)
B_D=$(rss "$BPID")
B_S=$(rss $bshims)
B_L=$(rss $blogs)
B_NS=$(echo $bshims | wc -w)
B_NL=$(echo $blogs | wc -w)
B_PSS=$(pss "$BPID" $bshims $blogs)
log "berthd $B_D KiB, $B_NS shims $B_S KiB, $B_NL loggers $B_L KiB"
# one shim's and one logger's smaps_rollup, for where the memory goes
s1=$(echo $bshims | awk '{ print $1 }')
l1=$(echo $blogs | awk '{ print $1 }')
[[ -n $s1 ]] && grep -E '^(Rss|Pss|Private_Dirty|Shared_Clean|Private_Clean)' /proc/$s1/smaps_rollup >"$D/shim.smaps"
[[ -n $l1 ]] && grep -E '^(Rss|Pss|Private_Dirty|Shared_Clean|Private_Clean)' /proc/$l1/smaps_rollup >"$D/logger.smaps"
for i in $(curl -s --unix-socket "$D/b.sock" "http://x/v1.41/containers/json?all=1" | jq -r '.[].Id'); do
	curl -s -X DELETE --unix-socket "$D/b.sock" "http://x/v1.41/containers/$i?force=1" >/dev/null
done

log "dockerd: $IDLE idle containers"
for ((i = 0; i < IDLE; i++)); do dk run -d --network none busybox sleep 1000000 >/dev/null; done
settle
dshims=$(by_comm containerd-shim "$D/c.sock")
D_D=$(rss "$DPID")
D_C=$(rss "$CPID")
D_S=$(rss $dshims)
D_NS=$(echo $dshims | wc -w)
D_PSS=$(pss "$DPID" "$CPID" $dshims)
log "dockerd $D_D KiB, containerd $D_C KiB, $D_NS shims $D_S KiB"
# shellcheck disable=SC2046
dk rm -f $(dk ps -aq) >/dev/null

log "podman: $IDLE idle containers"
for ((i = 0; i < IDLE; i++)); do pm run -d --network none $PULIM --cgroup-parent "/$TAG-p" busybox sleep 1000000 >/dev/null; done
settle
conmons=$(by_comm conmon "$D/p/")
P_C=$(rss $conmons)
P_NC=$(echo $conmons | wc -w)
P_PSS=$(pss $conmons)
log "podman: $P_NC conmons $P_C KiB"
pm rm -a -f -t 0 >/dev/null

# --- report ---------------------------------------------------------------------------------------
ms() { printf '%.1f' "$(cat "$D/$1.ms")"; }
minof() { printf '%s\n' "$@" | sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

R_FAST=$(minof "$(cat "$D/run_ctr.ms")" "$(cat "$D/run_docker.ms")" "$(cat "$D/run_podman.ms")")
E_FAST=$(minof "$(cat "$D/exec_docker.ms")" "$(cat "$D/exec_ctr.ms")" "$(cat "$D/exec_podman.ms")")
B_TOT=$((B_D + B_S + B_L))
D_TOT=$((D_D + D_C + D_S))

echo "Host: $(uname -r), $(nproc) CPUs. $(date -u +%Y-%m-%d). hyperfine medians of $RUNS runs after $WARMUP warm-up runs."
echo "Versions: berthd $("$BERTHD" --version | awk '{ print $3 }' | tr -d ,), containerd $(containerd --version | awk '{ print $3 }'), dockerd $(dockerd --version | awk '{ print $3 }' | tr -d ,), podman $(podman --version | awk '{ print $3 }'), runc $(runc --version | awk 'NR == 1 { print $3 }'), conmon $(conmon --version | awk 'NR == 1 { print $3 }')."
echo
echo "| run --rm busybox true | median (ms) | vs fastest peer |"
echo "|---|---:|---:|"
for k in berthctl:run_berthctl "ctr run --rm:run_ctr" "docker run --rm (dockerd):run_docker" "podman run --rm:run_podman"; do
	echo "| ${k%%:*} | $(ms "${k#*:}") | $(ratio "$(cat "$D/${k#*:}.ms")" "$R_FAST")× |"
done
echo
echo "| exec true | median (ms) | vs fastest peer |"
echo "|---|---:|---:|"
for k in "berthctl exec (berthd):exec_berthctl" "docker exec → berthd:exec_docker_berthd" "docker exec → dockerd:exec_docker" "ctr task exec:exec_ctr" "podman exec:exec_podman"; do
	echo "| ${k%%:*} | $(ms "${k#*:}") | $(ratio "$(cat "$D/${k#*:}.ms")" "$E_FAST")× |"
done
echo
echo "| $IDLE idle containers | summed VmRSS (MiB) | per container (KiB) | vs dockerd's stack | summed Pss (MiB) | vs dockerd's stack |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| berthd + $B_NS shims + $B_NL berth-loggers | $(mib $B_TOT) ($(mib $B_D) + $(mib $B_S) + $(mib $B_L)) | $(((B_S + B_L) / IDLE)) | $(ratio $B_TOT $D_TOT)× | $(mib $B_PSS) | $(ratio $B_PSS $D_PSS)× |"
echo "| dockerd + containerd + $D_NS runc shims | $(mib $D_TOT) ($(mib $D_D) + $(mib $D_C) + $(mib $D_S)) | $((D_S / IDLE)) | 1.00× | $(mib $D_PSS) | 1.00× |"
echo "| podman: $P_NC conmons | $(mib $P_C) | $((P_C / IDLE)) | $(ratio $P_C $D_TOT)× | $(mib $P_PSS) | $(ratio $P_PSS $D_PSS)× |"
echo
[[ -s $D/shim.smaps ]] && echo "One berth shim (smaps_rollup, KiB): $(awk '{ printf "%s %s ", $1, $2 }' "$D/shim.smaps")"
[[ -s $D/logger.smaps ]] && echo "One berth-logger (smaps_rollup, KiB): $(awk '{ printf "%s %s ", $1, $2 }' "$D/logger.smaps")"
exit 0
