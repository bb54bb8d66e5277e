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
