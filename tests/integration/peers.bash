# shellcheck shell=bash
# tests/integration/peers.bash: private peer daemons (containerd, podman's storage, dockerd) that
# run berth as their low-level runtime, for the peers_*.bats files (load helpers first).
#
#     setup_file()    { peers_new containerd; containerd_start "$PD/ctd"; ... }
#     teardown_file() { ...; peers_teardown; }
#
# Everything a file makes lives under one mktemp -d directory, $PD (short: unix socket paths are
# limited to 108 bytes), and every cgroup under /sys/fs/cgroup/<controller>/$PEERS_TAG.
# peers_teardown stops the daemons by the PIDs peers_spawn recorded (never by name), kills what is
# left in $PEERS_TAG's cgroups (only our daemons put processes there), unmounts everything under
# $PD, removes the cgroups and $PD. It runs on failure too and reports what it had to clean.

PEERS_IMAGE=docker.io/library/busybox:latest
# Seconds one peer command may take before it is killed.
: "${PEERS_TIMEOUT:=60}"

# peers_new NAME: fresh $PD and $PEERS_TAG (unique per run and file), the image tar at $PD/img.tar.
peers_new() {
	PD=$(mktemp -d "/tmp/bp-$1.XXXXXX")
	PEERS_TAG="bp-${IT_RUN:-x$RANDOM}-$1"
	: >"$PD/.pids"
	export PD PEERS_TAG
	python3 "$IT_HELPERS/mkimage.py" "$PD/img.tar" "$PEERS_IMAGE" >&2
}

# peers_need TOOL...: skip the file's tests when a peer is not installed (the reason names it).
peers_need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed on this host (contrib/install-deps.sh)"
	done
}

# peers_spawn NAME CMD...: start a daemon in its own session, output in $PD/NAME.log, pid in
# $PD/NAME.pid and in $PD/.pids. fd 3 is closed: bats waits for whoever holds it.
peers_spawn() {
	local name=$1
	shift
	setsid "$@" >"$PD/$name.log" 2>&1 </dev/null 3>&- &
	echo $! >"$PD/$name.pid"
	echo $! >>"$PD/.pids"
}

# peers_wait SECONDS CMD...: run CMD every 0.1 s until it succeeds.
peers_wait() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# peers_stop NAME [SECONDS]: SIGTERM the daemon peers_spawn started as NAME, wait, then SIGKILL.
peers_stop() {
	local pid i n=$((${2:-20} * 10))
	[[ -s $PD/$1.pid ]] || return 0
	pid=$(<"$PD/$1.pid")
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < n; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "peers: $1 (pid $pid) ignored SIGTERM for ${2:-20}s, killing it" >&2
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# peers_log NAME: the last lines of a daemon's log, on stderr (shown when a test fails).
peers_log() {
	[[ -f $PD/$1.log ]] || return 0
	echo "--- $1.log (tail)" >&2
	tail -n 30 "$PD/$1.log" >&2
}

# peers_cgroup_dirs: our cgroup trees, one per hierarchy.
peers_cgroup_dirs() {
	local d
	for d in /sys/fs/cgroup/*/"$PEERS_TAG" /sys/fs/cgroup/"$PEERS_TAG"; do
		[[ -d $d ]] && echo "$d"
	done
	return 0
}

# peers_teardown: see the file's head. Stops the daemons recorded in $PD/.pids first.
peers_teardown() {
	local pid d m left=0
	[[ -n ${PD:-} && -d $PD ]] || return 0
	while read -r pid; do
		[[ -n $pid ]] || continue
		if kill -0 "$pid" 2>/dev/null; then
			echo "peers: daemon $pid still running at teardown, killing it" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	done <"$PD/.pids"
	# Processes left in our cgroups were started by our daemons (container inits, conmon, shims).
	for d in $(peers_cgroup_dirs); do
		while read -r pid; do
			echo "peers: process $pid left in $d, killing it" >&2
			kill -KILL "$pid" 2>/dev/null
			left=1
		done < <(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
	done
	((left)) && sleep 0.5
	while read -r m; do
		[[ -n $m ]] || continue
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "peers: cannot unmount $m" >&2
	done < <(findmnt -rn -o TARGET | grep -F "$PD/" | sort -r)
	for d in $(peers_cgroup_dirs); do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		[[ ! -d $d ]] || echo "peers: cannot remove cgroup $d" >&2
	done
	rm -rf "$PD"
}

# peers_berth_state FILE: FILE is a state.json that berth wrote (runc's has none of these keys).
peers_berth_state() {
	jq -e 'has("cgroupDirs") and has("pidStartTime") and has("ownPidNamespace")' "$1" >/dev/null
}

# ---------------------------------------------------------------------------
# containerd

# containerd_start DIR: a private containerd (root, state, sockets in DIR; CRI off), as daemon
# "containerd" ($PD/containerd.pid). Its shims still put their sockets in /run/containerd/s (a
# fixed path in 1.6) and remove them when they exit.
containerd_start() {
	local dir=$1
	mkdir -p "$dir"
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$dir/c.sock"
		[ttrpc]
		  address = "$dir/c.sock.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$dir/opt"
	EOF
	peers_spawn containerd containerd --config "$dir/config.toml"
	peers_wait 20 ctr -a "$dir/c.sock" version || {
		peers_log containerd
		echo "peers: containerd did not come up on $dir/c.sock" >&2
		return 1
	}
}
