#!/usr/bin/env bats
# berthd's task layer (supervisor/tasks/) driving the real containerd-shim-berth-v2 with the built
# berth as its runtime, as containerd 1.6 does: start action, Task API over ttrpc, events
# forwarded to our Events/Forward server, reconnect through <bundle>/address, teardown and the
# delete action. tests/helpers/berth-task-test is the driver: one process per step, so a test
# can kill it between steps as a berthd crash would.
#
# Everything lives under a temporary exec-root ($TK): shim sockets in $TK/s, runtime state in
# $TK/runtime/berth, the events socket $TK/events.sock (served by one `berth-task-test events`
# per file, stopped by its PID in teardown_file).

load helpers

tk_resolve() {
	local d
	d=$(dirname -- "$BERTH")
	if [[ -x $d/$1 ]]; then echo "$d/$1"; else command -v -- "$1"; fi
}

setup_file() {
	SHIM=$(tk_resolve containerd-shim-berth-v2)
	DRIVER=$(tk_resolve tests/helpers/berth-task-test)
	[[ -x $SHIM && -x $DRIVER ]] || {
		echo "containerd-shim-berth-v2 or tests/helpers/berth-task-test not found beside $BERTH (make check builds it)" >&2
		return 1
	}
	TK=$(mktemp -d /tmp/berth-tasks.XXXXXX)
	export SHIM DRIVER TK
	"$DRIVER" events "$TK/events.sock" >"$TK/events.log" 2>&1 &
	echo $! >"$TK/events.pid"
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q '^listening' "$TK/events.log" && return 0
		sleep 0.05
	done
	echo "the events server did not start: $(cat "$TK/events.log")" >&2
	return 1
}

teardown_file() {
	[[ -n ${TK:-} ]] || return 0
	local pid p
	pid=$(cat "$TK/events.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.05; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# shims of this file that a failed test may have left (started by us: this exec-root only)
	for p in $(pgrep -f "containerd-shim-berth-v2 .*-address $TK/berth.sock" || true); do
		kill -9 "$p" 2>/dev/null || true
	done
	findmnt -rn -o TARGET | grep "^$TK/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$TK"
}

setup() {
	bundle_new
	spec_edit '.linux.cgroupsPath = "/" + $id' --arg id "$ID"
}

# drv CMD [ARGS]: the driver on $ID and $BUNDLE, bounded by a timeout.
drv() {
	local cmd=$1
	shift
	timeout -k 5 30 "$DRIVER" --exec-root "$TK" --shim "$SHIM" --runtime "$BERTH" --events "$TK/events.sock" \
		"$cmd" "$ID" "$BUNDLE" "$@"
}

# drv_hold: the driver's `hold` in the background, without timeout(1) so that $hold is the
# driver itself (the process a test kills -9 as a berthd crash).
drv_hold() {
	"$DRIVER" --exec-root "$TK" --shim "$SHIM" --runtime "$BERTH" --events "$TK/events.sock" \
		hold "$ID" "$BUNDLE" >"$T/hold.out" 2>&1 &
}

# The shim socket of $ID: the shim's rule (interfaces.md §2.3) with -address $TK/berth.sock.
shim_socket() {
	printf '%s/s/%s' "$TK" "$(printf '%s/berth/%s' "$TK/berth.sock" "$ID" | sha256sum | cut -c1-64)"
}

shim_pids() {
	pgrep -f "containerd-shim-berth-v2 .*-id $ID -address $TK/berth.sock" || true
}

teardown() {
	local p
	if [[ -n $(shim_pids) ]]; then
		drv teardown >/dev/null 2>&1 || true
	fi
	for p in $(shim_pids); do
		kill -9 "$p" 2>/dev/null || true
	done
	# a killed shim's container: the delete action kills it and unmounts
	if [[ -e $BUNDLE/address ]]; then
		drv recover >/dev/null 2>&1 || true
	fi
	bundle_cleanup
}

# events_of ID: the events the server printed for ID, one word each ("create start exit delete").
events_of() {
	grep " container=$1 " "$TK/events.log" | awk '{ printf "%s%s", sep, $1; sep = " " }'
}

# wait_events ID WANT: until the events of ID are WANT (the shim forwards asynchronously).
wait_events() {
	local got
	for _ in $(seq 100); do
		got=$(events_of "$1")
		[[ $got == "$2" ]] && return 0
		sleep 0.05
	done
	assert_eq "$got" "$2" "events of $1"
}

# Nothing of $ID may remain: shim process, socket, runtime state, mounts, cgroups, processes.
assert_gone() {
	local sock
	sock=$(shim_socket)
	for _ in $(seq 50); do
		[[ -z $(shim_pids) && ! -e $sock ]] && break
		sleep 0.1
	done
	[[ -z $(shim_pids) ]] || {
		echo "a shim for $ID still runs: $(shim_pids)" >&2
		return 1
	}
	[[ ! -e $sock ]] || {
		echo "shim socket $sock left behind" >&2
		return 1
	}
	[[ ! -e $TK/runtime/berth/$ID ]] || {
		echo "runtime state $TK/runtime/berth/$ID left behind" >&2
		return 1
	}
	if findmnt -rn -o TARGET | grep -qF "$BUNDLE/rootfs"; then
		echo "a mount under $BUNDLE/rootfs is left" >&2
		return 1
	fi
	assert_no_cgroup "$ID"
	assert_no_process "$ID"
}

@test "tasks: run: output to a file, the exit status, events in order, nothing left" {
	set_args sh -c 'echo out-line; echo err-line >&2; exit 3'
	it_capture drv run --stdout "file://$T/log.txt"
	assert_status 3
	assert_eq "$(cat "$T/log.txt")" $'out-line\nerr-line' "the file"
	wait_events "$ID" "create start exit delete"
	assert_match "$(grep "^exit .* container=$ID " "$TK/events.log")" " exec= pid=[1-9][0-9]* status=3 exited=1$" "TaskExit"
	assert_match "$(grep "^create .* container=$ID " "$TK/events.log")" "ns=berth topic=/tasks/create " "TaskCreate"
	assert_gone
}

@test "tasks: stdio through FIFOs the caller made (stdin, stdout, stderr)" {
	set_args sh -c 'read x; echo got:$x; echo to-stderr >&2; exit 4'
	mkfifo "$T/in" "$T/out" "$T/err"
	cat "$T/out" >"$T/out.txt" &
	record_pid $!
	cat "$T/err" >"$T/err.txt" &
	record_pid $!
	(echo hello >"$T/in") &
	record_pid $!
	it_capture drv run --stdin "$T/in" --stdout "$T/out" --stderr "$T/err"
	assert_status 4
	for _ in $(seq 50); do [[ -s $T/err.txt && -s $T/out.txt ]] && break; sleep 0.05; done
	assert_eq "$(cat "$T/out.txt")" "got:hello" "stdout"
	assert_eq "$(cat "$T/err.txt")" "to-stderr" "stderr"
	assert_gone
}

@test "tasks: a terminal: the process has a tty and its output comes through" {
	set_args sh -c 'tty; echo on-tty'
	spec_edit '.process.terminal = true'
	it_capture drv run --tty --stdout "file://$T/tty.txt"
	assert_status 0
	assert_match "$(tr -d '\r' <"$T/tty.txt")" $'^/dev/pts/[0-9]+\non-tty$' "terminal output"
	assert_gone
}

@test "tasks: create, start, exec, pids, pause/resume, stats, update, kill, wait, teardown" {
	set_args sleep 1000
	run -0 drv create --stdout "file://$T/init.txt"
	local pid=$output
	assert_match "$pid" '^[1-9][0-9]*$' "init pid"
	run -0 drv state
	assert_eq "$output" "created $pid 0" "state after create"
	run -0 drv start
	assert_eq "$output" "$pid" "start"
	run -0 drv state
	assert_eq "$output" "running $pid 0" "state after start"

	mkfifo "$T/eo"
	cat "$T/eo" >"$T/eo.txt" &
	record_pid $!
	run -0 drv exec e1 --stdout "$T/eo" -- sh -c 'echo from-exec; exit 5'
	local epid=$output
	it_capture drv wait e1
	assert_status 5
	run -0 drv delete-exec e1
	assert_eq "$output" "$epid 5" "delete of the exec"
	for _ in $(seq 50); do [[ -s $T/eo.txt ]] && break; sleep 0.05; done
	assert_eq "$(cat "$T/eo.txt")" "from-exec" "exec output"

	run -0 drv pids
	assert_eq "$output" "$pid" "pids"
	run -0 drv pause
	run -0 drv state
	assert_eq "$output" "paused $pid 0" "state after pause"
	run -0 drv resume
	run -0 drv state
	assert_eq "$output" "running $pid 0" "state after resume"
	run -0 drv stats
	assert_match "$output" '^io\.containerd\.cgroups\.v[12]\.Metrics [1-9][0-9]*$' "stats"
	run -0 drv update '{"pids":{"limit":123}}'
	if [[ -e /sys/fs/cgroup/pids/$ID/pids.max ]]; then
		assert_eq "$(cat "/sys/fs/cgroup/pids/$ID/pids.max")" 123 "pids.max after update"
	fi

	# (SIGTERM would be ignored: sleep is the pid namespace's init and has no handler)
	run -0 drv kill 9
	it_capture drv wait
	assert_status 137
	run -0 drv teardown
	assert_eq "$output" "$pid 137" "teardown"
	wait_events "$ID" "create start exec-added exec-started exit paused resumed exit delete"
	assert_gone
}

@test "tasks: Wait pending on one thread while State and Kill go through on others" {
	set_args sleep 1000
	run -0 drv create
	run -0 drv start
	run -0 drv wait-while-kill
	assert_eq "$output" $'state running\nwaited 137' "wait-while-kill"
	run -0 drv teardown
	assert_gone
}

@test "tasks: kill -9 of the driver: reconnect finds the task running and drives it to the end" {
	set_args sleep 1000
	drv_hold
	local hold=$!
	record_pid "$hold"
	for _ in $(seq 100); do [[ -s $T/hold.out ]] && break; sleep 0.05; done
	local pid
	pid=$(cat "$T/hold.out")
	assert_match "$pid" '^[1-9][0-9]*$' "pid from hold"
	kill -9 "$hold"
	wait "$hold" 2>/dev/null || true
	run -0 drv recover
	assert_eq "$output" "alive running $pid 0" "recover"
	pid_alive "$pid"
	run -0 drv kill 9
	it_capture drv wait
	assert_status 137
	run -0 drv recover
	assert_eq "$output" "alive stopped $pid 137" "recover after the exit"
	run -0 drv teardown
	assert_eq "$output" "$pid 137" "teardown"
	assert_gone
}

@test "tasks: a task that exits while no one is connected reports its real exit status" {
	set_args sh -c 'sleep 1; exit 7'
	drv_hold
	local hold=$!
	record_pid "$hold"
	for _ in $(seq 100); do [[ -s $T/hold.out ]] && break; sleep 0.05; done
	local pid
	pid=$(cat "$T/hold.out")
	kill -9 "$hold"
	wait "$hold" 2>/dev/null || true
	wait_pid_gone "$pid" 10
	run -0 drv recover
	assert_eq "$output" "alive stopped $pid 7" "recover"
	it_capture drv wait
	assert_status 7
	run -0 drv teardown
	assert_eq "$output" "$pid 7" "teardown"
	assert_gone
}

@test "tasks: a killed shim: recover runs the delete action, which kills the container and cleans up" {
	set_args sleep 1000
	run -0 drv create
	local pid=$output
	run -0 drv start
	local shim
	shim=$(shim_pids)
	assert_match "$shim" '^[0-9]+$' "one shim"
	kill -9 "$shim"
	wait_pid_gone "$shim" 5
	run -0 drv recover
	assert_eq "$output" "gone stopped $pid 137" "recover"
	wait_pid_gone "$pid" 5
	assert_gone
}

@test "tasks: a failed create is an error with the runtime's message and leaves nothing" {
	set_args /does-not-exist
	it_capture drv create
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "task \"$ID\": Create" "error"
	assert_contains "$stderr" "does-not-exist" "error"
	assert_gone
}

@test "tasks: errors carry the shim's class: unknown exec, kill of a finished process" {
	set_args sh -c 'exit 0'
	run -0 drv create
	run -0 drv start
	it_capture drv wait
	assert_status 0
	it_capture drv kill 9
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "not found" "kill after the exit"
	it_capture drv state nope
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "not found" "state of an unknown exec"
	run -0 drv teardown
	assert_gone
}

@test "tasks: CloseIO: the container sees EOF on stdin only once the shim's own writer is closed" {
	set_args cat
	# stdout through a FIFO: the shim takes stdin only with FIFO stdio for now (with a
	# file:// stdout it ignores stdin, where containerd's runc shim copies it)
	mkfifo "$T/in" "$T/out"
	cat "$T/out" >"$T/out.txt" &
	record_pid $!
	run -0 drv create --stdin "$T/in" --stdout "$T/out"
	run -0 drv start
	# the shim holds a reader (and its own writer) since Create: this open does not block
	timeout 5 sh -c 'echo some-input >"$1"' sh "$T/in"
	sleep 0.3
	run -0 drv state
	assert_match "$output" '^running ' "cat still runs: the shim keeps stdin open"
	run -0 drv closeio
	it_capture drv wait
	assert_status 0
	for _ in $(seq 50); do [[ -s $T/out.txt ]] && break; sleep 0.05; done
	assert_eq "$(cat "$T/out.txt")" "some-input" "cat's output"
	run -0 drv teardown
	assert_gone
}

@test "tasks: ResizePty sets the size of the task's terminal" {
	set_args sh -c 'sleep 1; stty size'
	spec_edit '.process.terminal = true'
	run -0 drv create --tty --stdout "file://$T/tty.txt"
	run -0 drv start
	run -0 drv resize "" 100 40
	it_capture drv wait
	assert_status 0
	assert_eq "$(tr -d '\r' <"$T/tty.txt")" "40 100" "stty size"
	run -0 drv teardown
	assert_gone
}

# move_rootfs: the bundle's rootfs becomes $T/lower and bundle/rootfs an empty directory, for the
# shim to mount (as containerd passes a snapshot's mounts).
move_rootfs() {
	mv "$BUNDLE/rootfs" "$T/lower"
	mkdir "$BUNDLE/rootfs"
}

@test "tasks: rootfs mounts passed in Create are mounted by the shim and gone after teardown" {
	move_rootfs
	set_args sh -c 'echo from-mounted-rootfs'
	run -0 drv create --rootfs-bind "$T/lower" --stdout "file://$T/out.txt"
	findmnt -rn -o TARGET | grep -qxF "$BUNDLE/rootfs"
	run -0 drv start
	it_capture drv wait
	assert_status 0
	assert_eq "$(cat "$T/out.txt")" "from-mounted-rootfs" "output"
	run -0 drv teardown
	assert_gone
	[[ $(cat "$BUNDLE/shim-binary-path") == "$SHIM" ]]
}

@test "tasks: a killed shim's delete action unmounts the rootfs it mounted" {
	move_rootfs
	set_args sleep 1000
	run -0 drv create --rootfs-bind "$T/lower"
	local pid=$output
	run -0 drv start
	local shim
	shim=$(shim_pids)
	kill -9 "$shim"
	wait_pid_gone "$shim" 5
	findmnt -rn -o TARGET | grep -qxF "$BUNDLE/rootfs"
	run -0 drv recover
	assert_eq "$output" "gone stopped $pid 137" "recover"
	wait_pid_gone "$pid" 5
	assert_gone
}

@test "tasks: churn: 10 runs in one process leave no fd, shim, socket or cgroup behind" {
	set_args true
	run -0 drv churn 10
	local before after exits
	read -r _ before after _ exits <<<"$output"
	assert_eq "$after" "$before" "open fds after 10 runs (before: $before)"
	assert_eq "$exits" 10 "TaskExit events received"
	assert_gone
}
