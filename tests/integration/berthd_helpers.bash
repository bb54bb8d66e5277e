# shellcheck shell=bash
# tests/integration/berthd_helpers.bash: starting, stopping and inspecting private berthd daemons,
# for berthd.bats, berthd_images.bats and berthd_pull.bats (`load berthd_helpers`). A daemon lives
# in a directory DIR: DIR/{data,exec} are its roots, DIR/s.sock its socket, DIR/pid its PID (the
# only way it is ever stopped), DIR/log its output.

# bd_resolve NAME: NAME beside $BERTH (the build tree), else on PATH (installed: berthctl is in
# bin/, berth and berthd in sbin/).
bd_resolve() {
	local d
	d=$(dirname -- "$BERTH")
	if [[ -x $d/$1 ]]; then echo "$d/$1"; else command -v -- "$1"; fi
}

# bd_start DIR [berthd flags...]: start $BERTHD on DIR and wait until it answers /_ping.
bd_start() {
	local dir=$1 i
	shift
	mkdir -p "$dir"
	[[ -e $dir/daemon.json ]] || echo '{}' >"$dir/daemon.json"
	"$BERTHD" --data-root "$dir/data" --exec-root "$dir/exec" -H "unix://$dir/s.sock" \
		--config-file "$dir/daemon.json" "$@" >>"$dir/log" 2>&1 3>&- &
	echo $! >"$dir/pid"
	for ((i = 0; i < 100; i++)); do
		if curl -sf --unix-socket "$dir/s.sock" http://x/_ping >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	echo "berthd did not come up; its log:" >&2
	cat "$dir/log" >&2
	return 1
}

# bd_gone PID: true once PID has exited (a zombie counts: run.sh's subreaper reaps it later).
bd_gone() {
	local st
	[[ -r /proc/$1/stat ]] || return 0
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
	[[ $st == Z ]]
}

# bd_stop DIR [SIGNAL]: signal the PID recorded in DIR/pid (TERM by default) and wait until it is
# gone (SIGKILL after 10 s).
bd_stop() {
	local dir=$1 sig=${2:-TERM} pid i
	[[ -f $dir/pid ]] || return 0
	pid=$(cat "$dir/pid")
	kill -s "$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 200; i++)); do
		bd_gone "$pid" && break
		sleep 0.05
	done
	if ! bd_gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/pid"
}

# bd_store_empty DIR: the daemon on DIR lists no image, and its data-root holds no blob, ingest or
# snapshot (temporary ones included).
bd_store_empty() {
	local dir=$1 data=$1/data
	[ "$(curl -s --unix-socket "$dir/s.sock" http://localhost/v1.41/images/json)" = "[]" ] || {
		echo "images left" >&2
		return 1
	}
	[ -z "$(ls -A "$data/content/blobs/sha256")" ] || { ls -l "$data/content/blobs/sha256" >&2; return 1; }
	[ -z "$(ls -A "$data/content/ingest")" ] || { ls -l "$data/content/ingest" >&2; return 1; }
	[ -z "$(ls -A "$data/snapshots")" ] || { ls -la "$data/snapshots" >&2; return 1; }
}

# --- One private berthd per file that runs containers (berthd_{run,stats,health,attach,cp}.bats) ---
# setup_file calls bdc_setup_file NAME: berthd on $PD/bd (peers_new NAME makes $PD and the busybox
# image $PD/img.tar, loaded into it). teardown_file calls bdc_teardown_file: berthd stopped by its
# PID, then any shim our berthd started (our_shims) killed by PID, then peers_teardown unmounts
# what is under $PD. setup calls bdc_setup (BERTH_HOST, DOCKER_HOST, C=(berthctl -H …)); teardown
# calls bdc_remove_containers.

bdc_setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	peers_new "$1"
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
	"$BERTHCTL" -H "unix://$BD/s.sock" load -q -i "$PD/img.tar" >&2
}

# Shims started by our berthd: their -address names $BD/s.sock. Listed by PID from /proc.
our_shims() {
	local p
	for p in /proc/[0-9]*; do
		if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "containerd-shim-berth-v2 .*-address $BD/s.sock"; then
			echo "${p#/proc/}"
		fi
	done
}

bdc_teardown_file() {
	local pid
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	for pid in $(our_shims); do
		echo "teardown: shim $pid left, killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	done
	peers_teardown
}

bdc_setup() {
	export BERTH_HOST=unix://$BD/s.sock DOCKER_HOST=unix://$BD/s.sock
	C=("$BERTHCTL" -H "unix://$BD/s.sock")
}

bdc_remove_containers() {
	local id
	for id in $(api /v1.41/containers/json?all=1 | jq -r '.[].Id'); do
		api -X DELETE "/v1.41/containers/$id?force=1" >/dev/null
	done
}

api() { # api [curl args...] PATH
	local path=${*: -1}
	curl -gs --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

api_status() { # api_status [curl args...] PATH: the HTTP status only
	local path=${*: -1}
	curl -gs -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

# nothing_left ID...: no shim, bundle, mount, cgroup or socket of these containers.
nothing_left() {
	local id
	for id in "$@"; do
		[[ ! -e $BD/exec/containers/$id ]] || { echo "bundle of $id left" >&2; ls -la "$BD/exec/containers/$id" >&2; return 1; }
		! grep -q "$id" /proc/self/mountinfo || { echo "mount of $id left" >&2; return 1; }
		! ls -d /sys/fs/cgroup/*/berth/"$id" 2>/dev/null | grep -q . || { echo "cgroup of $id left" >&2; return 1; }
		[[ ! -e $BD/exec/runtime/berth/$id ]] || { echo "runtime state of $id left" >&2; return 1; }
	done
	[[ -z $(our_shims) ]] || { echo "shims left: $(our_shims)" >&2; return 1; }
	[[ -z $(ls -A "$BD/exec/s" 2>/dev/null) ]] || { echo "shim sockets left" >&2; ls -la "$BD/exec/s" >&2; return 1; }
}

wait_for() { # wait_for SECONDS CMD...: retry CMD every 0.1 s
	local n=$(($1 * 10))
	shift
	while ((n-- > 0)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

clis() { # the docker CLIs present
	local c
	for c in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $c ]] && echo "$c"
	done
	return 0
}
