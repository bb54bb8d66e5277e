#!/usr/bin/env bats
# --pid-file (interfaces.md 6.4): exactly the decimal pid, no trailing newline (go-runc and conmon
# parse it strictly), written atomically in the same directory, relative paths against the cwd.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() {
	bundle_new
	set_args sleep 100
	mkdir -p "$T/pids"
}
teardown() { bundle_cleanup; }

# assert_pid_file FILE: FILE holds exactly the container's pid, nothing else.
assert_pid_file() {
	local want
	want=$(state_field pid)
	assert_match "$want" '^[1-9][0-9]*$' "pid in state"
	assert_eq "$(od -An -c "$1" | tr -d ' \n')" "$want" "bytes of $1"
	assert_eq "$(stat -c %s "$1")" "${#want}" "size of $1 (no trailing newline)"
}

@test "pidfile: create --pid-file holds the exact pid, no newline" {
	ctr_create --pid-file "$T/pids/ctr.pid"
	assert_pid_file "$T/pids/ctr.pid"
	[[ -d /proc/$(cat "$T/pids/ctr.pid") ]]
}

@test "pidfile: written atomically: appears by rename, no temporary file left" {
	local pid
	python3 "$IT_HELPERS/dirwatch.py" "$T/pids" "$T/events" &
	pid=$!
	record_pid "$pid"
	wait_file "$T/events.ready"
	ctr_create --pid-file "$T/pids/ctr.pid"
	sleep 0.1
	kill "$pid"
	wait "$pid" || true
	assert_eq "$(ls -A "$T/pids")" "ctr.pid" "files in the pid file's directory"
	# the final name is only ever published by rename(2), never created or written in place (a
	# CLOSE_WRITE after the rename is the temporary fd being closed: harmless)
	assert_eq "$(grep ' ctr.pid$' "$T/events" | head -n1)" "MOVED_TO ctr.pid" "first inotify event for ctr.pid"
	assert_eq "$(grep -E '^(CREATE|MODIFY) ctr.pid$' "$T/events")" "" "CREATE/MODIFY events for ctr.pid"
}

@test "pidfile: relative path is resolved against the caller's cwd, not the bundle" {
	mkdir -p "$T/cwd/sub"
	it_capture sh -c 'cd "$1" && shift && exec "$@"' sh "$T/cwd" \
		timeout -k 5 "$IT_TIMEOUT" "$BERTH" --root "$ROOT" create --bundle "$BUNDLE" --pid-file sub/ctr.pid "$ID"
	assert_status 0
	assert_pid_file "$T/cwd/sub/ctr.pid"
	[[ ! -e $BUNDLE/sub/ctr.pid ]]
	assert_eq "$(ls -A "$T/cwd/sub")" "ctr.pid" "files in the pid file's directory"
}

@test "pidfile: run -d --pid-file" {
	ctr_run_d --pid-file "$T/pids/ctr.pid"
	assert_eq "$(state_field status)" running "status"
	assert_pid_file "$T/pids/ctr.pid"
}

@test "pidfile: an existing pid file is replaced" {
	printf 'garbage\n12345\n' >"$T/pids/ctr.pid"
	ctr_create --pid-file "$T/pids/ctr.pid"
	assert_pid_file "$T/pids/ctr.pid"
}

@test "pidfile: a pid file in a missing directory fails create and leaves nothing" {
	brun create --bundle "$BUNDLE" --pid-file "$T/nodir/ctr.pid" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "$T/nodir/"
	assert_no_container
	[[ -z $(ls -A "$ROOT") ]]
}
