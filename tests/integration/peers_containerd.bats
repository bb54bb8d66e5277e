#!/usr/bin/env bats
# tests/integration/peers_containerd.bats: berth as the runc binary under containerd 1.6's own
# io.containerd.runc.v2 shim (ctr run --runc-binary), against a private containerd.
#
# The shim runs berth as `--root <runc-root>/<ns> --log <bundle>/log.json --log-format json` with
# create/start/exec --detach/ps --format json/pause/resume/kill/delete (interfaces.md §6.3).

load helpers
load peers

setup_file() {
	peers_need containerd ctr script
	peers_new ctd
	containerd_start "$PD/ctd"
	ctr -a "$PD/ctd/c.sock" -n "$PEERS_TAG" images import --all-platforms "$PD/img.tar" >&2
}

teardown_file() {
	local t
	if [[ -S ${PD:-}/ctd/c.sock ]]; then
		for t in $(c task ls -q 2>/dev/null); do
			c task kill -s SIGKILL "$t" >/dev/null 2>&1
			c task delete -f "$t" >/dev/null 2>&1
		done
		for t in $(c containers ls -q 2>/dev/null); do
			c containers delete "$t" >/dev/null 2>&1
		done
	fi
	peers_stop containerd
	peers_teardown
}

setup() {
	CID="t$BATS_TEST_NUMBER"
	RROOT=$PD/runc-root
}

teardown() {
	c task kill -s SIGKILL "$CID" >/dev/null 2>&1
	c task delete -f "$CID" >/dev/null 2>&1
	c containers delete "$CID" >/dev/null 2>&1
	if [[ $BATS_TEST_COMPLETED != 1 ]]; then
		peers_log containerd
	fi
	return 0
}

# c ARGS...: ctr against the private containerd, in this file's namespace.
c() {
	timeout "$PEERS_TIMEOUT" ctr -a "$PD/ctd/c.sock" -n "$PEERS_TAG" "$@"
}

# c_run ARGS...: ctr run with berth as the runc binary, its state under $RROOT.
c_run() {
	c run --runc-binary "$BERTH" --runc-root "$RROOT" --fifo-dir "$PD/fifo" "$@"
}

# task_status ID: RUNNING, PAUSED, STOPPED, ... from `ctr task ls`.
task_status() {
	c task ls | awk -v id="$1" '$1 == id { print $3 }'
}

# task_is ID STATUS: for peers_wait, which runs it again each time.
task_is() {
	[[ $(task_status "$1") == "$2" ]]
}

@test "containerd: run --rm prints the process's output, as uid 0, with berth's state" {
	run -0 c_run --rm "$PEERS_IMAGE" "$CID" echo hi
	assert_eq "$output" "hi" "output"
	run -0 c_run --rm "$PEERS_IMAGE" "$CID" id
	assert_eq "$output" "uid=0(root) gid=0(root) groups=0(root)" "id"
	# The shim gave berth --root <runc-root>/<namespace>; delete removed the container's state.
	[[ -d $RROOT/$PEERS_TAG ]]
	[[ ! -e $RROOT/$PEERS_TAG/$CID ]]
}

@test "containerd: the exit status reaches ctr" {
	run -3 c_run --rm "$PEERS_IMAGE" "$CID" sh -c 'exit 3'
}

@test "containerd: a missing executable fails create with runc's words" {
	run -1 c_run --rm "$PEERS_IMAGE" "$CID" /nosuch
	assert_contains "$output" 'OCI runtime create failed: exec: "/nosuch": stat /nosuch: no such file or directory' "ctr's error"
	[[ ! -e $RROOT/$PEERS_TAG/$CID ]]
}

@test "containerd: run -d, task exec, task ps, pause and resume, kill, delete" {
	local pid
	run -0 c_run -d "$PEERS_IMAGE" "$CID" sleep 1000
	assert_eq "$(task_status "$CID")" "RUNNING" "status after run -d"
	peers_berth_state "$RROOT/$PEERS_TAG/$CID/state.json"
	pid=$(c task ls | awk -v id="$CID" '$1 == id { print $2 }')
	assert_eq "$(jq -r .pid "$RROOT/$PEERS_TAG/$CID/state.json")" "$pid" "init pid"

	run -0 c task exec --exec-id e1 --fifo-dir "$PD/fifo" "$CID" sh -c 'echo from exec; id -u'
	assert_eq "$output" "$(printf 'from exec\n0')" "exec output"
	run -5 c task exec --exec-id e2 --fifo-dir "$PD/fifo" "$CID" sh -c 'exit 5'
	run -0 c task exec --exec-id e3 --fifo-dir "$PD/fifo" --user 65534 "$CID" id -u
	assert_eq "$output" "65534" "exec --user"
	run -1 c task exec --exec-id e4 --fifo-dir "$PD/fifo" "$CID" /nosuch
	assert_contains "$output" 'OCI runtime exec failed: exec: "/nosuch": stat /nosuch: no such file or directory' "exec error"

	# ps: the shim runs `berth ps --format json`
	run -0 c task ps "$CID"
	assert_eq "$(awk 'NR > 1 { print $1 }' <<<"$output")" "$pid" "task ps"

	run -0 c task pause "$CID"
	assert_eq "$(task_status "$CID")" "PAUSED" "status after pause"
	assert_eq "$("$BERTH" --root "$RROOT/$PEERS_TAG" state "$CID" | jq -r .status)" "paused" "berth state"
	run -0 c task resume "$CID"
	assert_eq "$(task_status "$CID")" "RUNNING" "status after resume"

	# sleep is pid 1: SIGTERM has no handler there, SIGKILL ends it.
	run -0 c task kill -s SIGKILL "$CID"
	peers_wait 10 task_is "$CID" STOPPED
	run -0 c task delete "$CID"
	[[ ! -e $RROOT/$PEERS_TAG/$CID ]]
	run -0 c containers delete "$CID"
}

@test "containerd: kill with the default SIGTERM reaches a handler; delete of a running task is refused" {
	run -0 c_run -d "$PEERS_IMAGE" "$CID" sh -c 'trap "exit 7" TERM; touch /ready; while :; do sleep 0.1; done'
	# SIGTERM before the trap is set would be ignored (pid 1 has no default action).
	peers_wait 10 c task exec --exec-id ready --fifo-dir "$PD/fifo" "$CID" test -e /ready
	run -1 c task delete "$CID"
	assert_contains "$output" "task must be stopped before deletion" "delete of a running task"
	run -0 c task kill "$CID"
	peers_wait 10 task_is "$CID" STOPPED
	run -0 c task delete "$CID"
	assert_contains "$output" "exit code 7" "exit status"
}

@test "containerd: run -t and task exec -t get a terminal" {
	run -0 script -qec "ctr -a $PD/ctd/c.sock -n $PEERS_TAG run -t --rm --runc-binary $BERTH --runc-root $RROOT --fifo-dir $PD/fifo $PEERS_IMAGE $CID sh -c 'tty; echo tt'" /dev/null
	assert_contains "$output" "/dev/pts/0" "tty in run -t"
	assert_contains "$output" "tt" "output"

	run -0 c_run -d "$PEERS_IMAGE" "$CID" sleep 1000
	run -0 script -qec "ctr -a $PD/ctd/c.sock -n $PEERS_TAG task exec -t --exec-id x --fifo-dir $PD/fifo $CID sh -c 'tty; stty size'" /dev/null
	assert_match "$output" "/dev/pts/[0-9]+" "tty in exec -t"
	run -1 c task exec --exec-id y --fifo-dir "$PD/fifo" "$CID" tty
	assert_contains "$output" "not a tty" "exec without -t"
}
