#!/usr/bin/env bats
# tests/integration/berthd_dockerpy.bats: docker-py (Debian's python3-docker, docker-py 5) as a
# second client of berthd (issue 8). tests/helpers/dockerpy_check.py drives it with
# /usr/bin/python3 (the pyenv python3 first on PATH has no docker module); each check prints
# "ok NAME" or "FAIL NAME: what differed".
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown: every container is removed; at the end berthd is stopped by its PID, then any shim
# whose command line names $BD/s.sock (started by our berthd only) is killed by PID, and
# peers_teardown unmounts what is under $PD. After each test: no shim, bundle, mount or cgroup of
# a container left.

load helpers
load peers
load berthd_helpers

PY=/usr/bin/python3

setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	peers_new dockerpy
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
	"$BERTHCTL" -H "unix://$BD/s.sock" load -q -i "$PD/img.tar" >&2
}

our_shims() {
	local p
	for p in /proc/[0-9]*; do
		if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "containerd-shim-berth-v2 .*-address $BD/s.sock"; then
			echo "${p#/proc/}"
		fi
	done
}

teardown_file() {
	local pid
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	for pid in $(our_shims); do
		echo "teardown: shim $pid left, killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	done
	peers_teardown
}

setup() {
	"$PY" -c 'import docker' 2>/dev/null ||
		skip "python3-docker is not installed for /usr/bin/python3 (contrib/install-deps.sh)"
}

api() {
	local path=${*: -1}
	curl -gs --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

teardown() {
	local id
	for id in $(api /v1.41/containers/json?all=1 | jq -r '.[].Id'); do
		api -X DELETE "/v1.41/containers/$id?force=1" >/dev/null
	done
}

nothing_left() {
	local i
	[ "$(api /v1.41/containers/json?all=1)" = "[]" ] || { echo "containers left" >&2; api /v1.41/containers/json?all=1 >&2; return 1; }
	# a shim exits shortly after its last task is deleted
	for ((i = 0; i < 50; i++)); do
		[[ -z $(our_shims) ]] && break
		sleep 0.1
	done
	[[ -z $(our_shims) ]] || { echo "shims left: $(our_shims)" >&2; return 1; }
	[[ -z $(ls -A "$BD/exec/containers" 2>/dev/null) ]] || { echo "bundles left" >&2; return 1; }
	! grep -q "$BD/" /proc/self/mountinfo || { echo "mounts left" >&2; grep "$BD/" /proc/self/mountinfo >&2; return 1; }
}

pycheck() { # pycheck CHECK: run one check of dockerpy_check.py, show its output on failure
	run timeout 120 "$PY" "$IT_HELPERS/dockerpy_check.py" "$BD/s.sock" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"ok $1"* ]]
	nothing_left
}

@test "docker-py: ping, images.list, images.get (tags, id, Config.Cmd), ImageNotFound" {
	pycheck images
}

@test "docker-py: containers.run('echo hi') returns b'hi\\n'; stderr=True; ContainerError with exit status and stderr" {
	pycheck run
}

@test "docker-py: run(detach=True), list, get by name, logs, exec_run exit_code 3 and output (demux, workdir, 20 in a row), stop, wait, remove" {
	pycheck detach
}

@test "docker-py: run with environment, working_dir, user, labels, mem_limit; inspect and label filter agree" {
	pycheck options
}

@test "docker-py: events(decode=True) sees start and die (exitCode 0), replay with since/until" {
	pycheck events
}

@test "docker-py: stats(stream=False), update(mem_limit), put_archive, get_archive, diff" {
	pycheck more
}
