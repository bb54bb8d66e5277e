#!/usr/bin/env bats
# The container's stdio and extra fds: --console-socket (pty master over SCM_RIGHTS), --preserve-fds,
# LISTEN_FDS socket activation, and no leak of the runtime's own fds (runc 1.1.5 behaviour).

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() {
	bundle_new
	echo three >"$T/f3"
	echo four >"$T/f4"
	echo five >"$T/f5"
	echo seven >"$T/f7"
}
teardown() { bundle_cleanup; }

# start_receiver [INPUT]: recvtty.py on $T/console.sock; output in $T/tty.out
start_receiver() {
	python3 "$IT_HELPERS/recvtty.py" "$T/console.sock" "$T/tty.out" "$@" &
	RECV_PID=$!
	record_pid "$RECV_PID"
	wait_file "$T/tty.out.ready"
}

# wait_receiver: wait for the receiver to see the slave closed; fail if it failed.
wait_receiver() {
	local rc=0
	wait "$RECV_PID" || rc=$?
	if ((rc != 0)); then
		echo "recvtty.py exited $rc; got: $(cat "$T/tty.out" 2>/dev/null)" >&2
		return 1
	fi
}

# with_fds CMD...: run CMD with fds 3, 4, 5 and 7 open on $T/f3, f4, f5, f7 (in a subshell: fd 3 is
# bats' own output channel in the test itself).
with_fds() {
	(
		exec 3<"$T/f3" 4<"$T/f4" 5<"$T/f5" 7<"$T/f7"
		exec "$@"
	)
}

# FDS_SCRIPT: shell that reports which of fds 3..9 the container got and reads 3 and 4
FDS_SCRIPT='for i in 3 4 5 6 7 8 9; do [ -e /proc/self/fd/$i ] && printf "%s " $i; done; echo;
	env | grep ^LISTEN_ | sort; [ -e /proc/self/fd/3 ] && cat <&3; [ -e /proc/self/fd/4 ] && cat <&4; true'

@test "io: --console-socket receives the pty master; the container's stdio is /dev/pts/0" {
	spec_edit '.process.terminal = true'
	set_args sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; [ -t 1 ] && echo stdout-is-tty; read x; echo "got=$x"'
	start_receiver $'hello\n'
	brun run -d --console-socket "$T/console.sock" --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_receiver
	output=$(tr -d '\r' <"$T/tty.out")
	grep -qx /dev/pts/0 <<<"$output"
	grep -qx stdin-is-tty <<<"$output"
	grep -qx stdout-is-tty <<<"$output"
	grep -qx got=hello <<<"$output"
	wait_status stopped
}

@test "io: create --console-socket, then start" {
	spec_edit '.process.terminal = true'
	set_args sh -c 'tty'
	start_receiver
	brun create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$(state_field status)" created "status"
	brun start "$ID"
	assert_status 0
	wait_receiver
	assert_eq "$(tr -d '\r' <"$T/tty.out")" /dev/pts/0 "tty output"
}

@test "io: terminal true and detached without --console-socket is refused" {
	spec_edit '.process.terminal = true'
	local cmd
	for cmd in "run -d" create; do
		# shellcheck disable=SC2086
		brun $cmd --bundle "$BUNDLE" "$ID"
		assert_status 1
		assert_contains "$(errmsg)" "cannot allocate tty if runc will detach without setting console socket"
		assert_no_container
	done
}

@test "io: --console-socket without terminal is refused" {
	brun run -d --console-socket "$T/console.sock" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "cannot use console socket if runc will not detach or allocate tty"
	assert_no_container
}

@test "io: foreground run passes stdin, stdout and stderr through" {
	set_args sh -c 'read x; echo "out:$x"; echo "err:$x" >&2; exit 5'
	local rc=0
	echo piped | rt run --bundle "$BUNDLE" "$ID" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$rc" 5 "exit status"
	assert_eq "$(cat "$T/out")" "out:piped" "stdout"
	assert_eq "$(cat "$T/err")" "err:piped" "stderr"
}

@test "io: --preserve-fds 2 passes fds 3 and 4, not 5; the runtime's fd 7 stays out" {
	set_args sh -c "$FDS_SCRIPT"
	it_capture with_fds timeout -k 5 "$IT_TIMEOUT" "$BERTH" --root "$ROOT" run --preserve-fds 2 --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" $'3 4 \nthree\nfour' "container output"
}

@test "io: without --preserve-fds only stdio reaches the container" {
	set_args sh -c "$FDS_SCRIPT"
	it_capture with_fds timeout -k 5 "$IT_TIMEOUT" "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "" "container output"
}

@test "io: LISTEN_FDS=1 for berth's pid passes fd 3 and sets LISTEN_FDS=1, LISTEN_PID=1" {
	set_args sh -c "$FDS_SCRIPT"
	# LISTEN_PID must name the runtime itself (sd_listen_fds protocol): exec keeps the pid
	it_capture with_fds timeout -k 5 "$IT_TIMEOUT" env LISTEN_FDS=1 sh -c 'LISTEN_PID=$$ exec "$@"' sh \
		"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	local berth_out=$output berth_status=$status
	it_capture with_fds timeout -k 5 "$IT_TIMEOUT" env LISTEN_FDS=1 sh -c 'LISTEN_PID=$$ exec "$@"' sh \
		"$RUNC" --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc"
	assert_status 0
	assert_eq "$output" $'3 \nLISTEN_FDS=1\nLISTEN_PID=1\nthree' "runc's container output"
	assert_eq "$berth_status" 0 "berth's exit status"
	assert_eq "$berth_out" "$output" "berth's container output (vs runc)"
}

@test "io: LISTEN_FDS with --preserve-fds: listen fds first, then the preserved ones" {
	set_args sh -c "$FDS_SCRIPT"
	it_capture with_fds timeout -k 5 "$IT_TIMEOUT" env LISTEN_FDS=1 sh -c 'LISTEN_PID=$$ exec "$@"' sh \
		"$BERTH" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" $'3 4 \nLISTEN_FDS=1\nLISTEN_PID=1\nthree\nfour' "container output"
}

@test "io: LISTEN_FDS meant for another process (LISTEN_PID not berth's) is ignored, as runc does" {
	set_args sh -c "$FDS_SCRIPT"
	it_capture with_fds timeout -k 5 "$IT_TIMEOUT" env LISTEN_FDS=1 LISTEN_PID=1 "$RUNC" --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc"
	assert_status 0
	assert_eq "$output" "" "runc's container output"
	it_capture with_fds timeout -k 5 "$IT_TIMEOUT" env LISTEN_FDS=1 LISTEN_PID=1 "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "" "berth's container output"
}

@test "io: the caller's blocked signals do not reach the process (runc 1.1.5 passes SIGUSR1 on)" {
	set_args sh -c 'grep ^SigBlk: /proc/self/status'
	it_capture python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR1}); os.execvp(sys.argv[1], sys.argv[1:])' \
		"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" $'SigBlk:\t0000000000000000' "blocked signals in the container"
}
