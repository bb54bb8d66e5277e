#!/usr/bin/env bats
# Process I/O: process.terminal with --console-socket (the pty master sent
# over a UNIX socket), process.consoleSize, /dev/console, --preserve-fds,
# and the runtime's stdin/stdout/stderr being the container's.

load helpers

# A console socket receiver (python3 >= 3.9 for socket.recv_fds): listens on
# $1, accepts one connection, receives the fds sent with it, writes
# "fds=N" and "target=..." (what each received fd is) to $2.meta, then
# copies everything read from the first fd (the pty master) to $2 until the
# pty hangs up (EIO: every slave fd closed). If $3 is given it is written to
# the master once the container has printed READY.
RECEIVER='
import errno, os, socket, sys
sock_path, out_path = sys.argv[1], sys.argv[2]
reply = sys.argv[3].encode() if len(sys.argv) > 3 else b""
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(1)
srv.settimeout(25)
conn, _ = srv.accept()
msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 16)
conn.close()
srv.close()
with open(out_path + ".meta", "w") as meta:
    meta.write("fds=%d\n" % len(fds))
    for fd in fds:
        meta.write("target=%s\n" % os.readlink("/proc/self/fd/%d" % fd))
if not fds:
    sys.exit("receiver: no fd came with the message %r" % msg)
for fd in fds[1:]:
    os.close(fd)
master, seen = fds[0], b""
with open(out_path, "wb") as out:
    while True:
        try:
            data = os.read(master, 4096)
        except OSError as e:
            if e.errno == errno.EIO:
                break
            raise
        if not data:
            break
        out.write(data)
        out.flush()
        seen += data
        if reply and b"READY" in seen:
            os.write(master, reply)
            reply = b""
'

# receiver_start [REPLY]: start the receiver on $SOCK (output $T/console.out)
receiver_start() {
	SOCK=$T/console.sock
	python3 -c 'import socket; socket.recv_fds' 2>/dev/null || {
		echo "the console socket receiver needs python3 >= 3.9 (socket.recv_fds)" >&2
		return 1
	}
	python3 -c "$RECEIVER" "$SOCK" "$T/console.out" "$@" </dev/null >"$T/receiver.log" 2>&1 3>&- &
	RECV_PID=$!
	record_pid "$RECV_PID"
	local i
	for ((i = 0; i < 200; i++)); do
		[[ -S $SOCK ]] && return 0
		pid_alive "$RECV_PID" || break
		sleep 0.025
	done
	echo "console receiver did not come up:" >&2
	cat "$T/receiver.log" >&2
	return 1
}

# receiver_wait: wait for the receiver to finish (the pty hung up), then set
# $output to what the container wrote to its terminal, without the CRs the
# tty adds (onlcr).
receiver_wait() {
	if ! wait_pid_gone "$RECV_PID" 10; then
		echo "console receiver still reading: some process still holds the pty slave open" >&2
		return 1
	fi
	local rc=0
	wait "$RECV_PID" || rc=$?
	if [[ $rc -ne 0 ]]; then
		echo "console receiver failed ($rc):" >&2
		cat "$T/receiver.log" >&2
		return 1
	fi
	output=$(tr -d '\r' <"$T/console.out")
}

# rt_quiet ARGS...: rt with stdio on files, for `run`: should the runtime
# wrongly start a container, it must not hold bats' output pipe open.
rt_quiet() {
	rt "$@" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
}

# tty_bundle: terminal true, process args from the arguments
tty_bundle() {
	bundle_new
	spec_edit '.process.terminal = true'
	set_args "$@"
}

# run_tty [REPLY]: start the receiver, run -d with --console-socket, wait for
# the container to stop and the receiver to finish.
run_tty() {
	receiver_start "$@"
	if ! rt_run_d --console-socket "$SOCK"; then
		echo "run -d --console-socket failed; runtime stderr:" >&2
		cat "$CTR_ERR" >&2
		return 1
	fi
	wait_status stopped
	receiver_wait
}

@test "io: terminal: the pty master comes over --console-socket; stdio are the pty" {
	tty_bundle sh -c 'tty; [ -t 0 ] && echo TTY0; [ -t 1 ] && echo TTY1; [ -t 2 ] && echo TTY2
		echo to-stderr >&2; echo READY; read -r line; echo "got:$line"'
	run_tty $'hello from the master\n'
	# exactly one fd, a pty master (/dev/pts/ptmx or /dev/ptmx)
	assert_eq "$(grep -c '^target=' "$T/console.out.meta")" 1 "number of fds received"
	grep -qE '^target=/dev/(pts/)?ptmx$' "$T/console.out.meta" || {
		echo "received fd is not a pty master:" >&2
		cat "$T/console.out.meta" >&2
		false
	}
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" /dev/pts/0 "tty of the process"
	assert_line '^TTY0$'
	assert_line '^TTY1$'
	assert_line '^TTY2$'
	assert_line '^to-stderr$'
	# input written to the master is read by the process
	assert_line '^got:hello from the master$'
	# nothing went to the runtime's own stdout/stderr
	assert_eq "$(cat "$CTR_OUT")" "" "runtime stdout"
}

@test "io: terminal: the pty is the controlling terminal of a session led by the process" {
	# /proc/PID/stat fields: pid, pgrp, session, tty_nr, tpgid.
	# tty_nr 34816 = major 136 (pts), minor 0
	tty_bundle sh -c 'cut -d" " -f1,5,6,7,8 /proc/$$/stat'
	run_tty
	assert_output '1 1 1 34816 1'
}

@test "io: terminal: /dev/console is the pty and writes to it reach the console socket" {
	tty_bundle sh -c 'stat -c "%t:%T" /dev/console "$(tty)"; echo via-dev-console > /dev/console; grep " /dev/console " /proc/self/mountinfo'
	run_tty
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" 88:0 "/dev/console device (hex major:minor)"
	assert_eq "${lines[1]}" 88:0 "tty device (hex major:minor)"
	assert_line '^via-dev-console$'
	# a bind of the container's pts/0 (root /0 of a devpts mount)
	assert_line ' /0 /dev/console .* - devpts '
}

@test "io: terminal: no fd besides 0, 1, 2 reaches the process (no master, no socket)" {
	# ls opens the directory it lists: that is the 4th fd (3)
	tty_bundle ls -1 /proc/self/fd
	run_tty
	assert_output $'0\n1\n2\n3'
}

@test "io: terminal: process.consoleSize sets the window size" {
	tty_bundle stty size
	spec_edit '.process.consoleSize = {"height": 33, "width": 101}'
	run_tty
	assert_output '33 101'
}

@test "io: terminal true without --console-socket fails for create and run -d" {
	bundle_new
	spec_edit '.process.terminal = true'
	set_args true
	run rt_quiet create --bundle "$BUNDLE" "$ID"
	assert_fail
	assert_no_container
	run rt_quiet run -d --bundle "$BUNDLE" "$ID"
	assert_fail
	assert_no_container
}

@test "io: --console-socket with terminal false fails" {
	bundle_new
	set_args true
	receiver_start
	run rt_quiet create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_fail
	assert_no_container
	run rt_quiet run --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_fail
	assert_no_container
}

@test "io: --preserve-fds N passes fds 3..N+2 and no other fd of the caller" {
	bundle_new
	echo three >"$T/fd3"
	echo seven >"$T/fd7"
	: >"$T/fd4"
	# fd 3 is read, fd 4 written; ls opens the directory it lists, which
	# must get the lowest free fd, 5: any other fd would show up as well
	set_args sh -c 'cat <&3; echo via-fd4 >&4; ls -1 /proc/self/fd | tr "\n" " "'
	run --separate-stderr rt run --preserve-fds 2 --bundle "$BUNDLE" "$ID" \
		</dev/null 3<"$T/fd3" 4>>"$T/fd4" 5<"$T/fd7" 7<"$T/fd7" 9<"$T/fd7"
	assert_status 0
	assert_output $'three\n0 1 2 3 4 5 '
	assert_eq "$(cat "$T/fd4")" via-fd4 "written through fd 4"

	# without --preserve-fds: only 0, 1, 2 (and ls' directory, 3)
	set_args sh -c 'ls -1 /proc/self/fd | tr "\n" " "'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" \
		</dev/null 3<"$T/fd3" 4>>"$T/fd4" 5<"$T/fd7" 7<"$T/fd7"
	assert_status 0
	assert_output '0 1 2 3 '
}

@test "io: --preserve-fds given to create reaches the process at start" {
	bundle_new
	echo three >"$T/fd3"
	set_args sh -c 'cat <&3; ls -1 /proc/self/fd | tr "\n" " "'
	# (not under `run`: the container must not hold bats' output pipe)
	local rc=0
	rt create --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
		</dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" 3<"$T/fd3" 4<"$T/fd3" || rc=$?
	assert_eq "$rc" 0 "exit status of create (stderr: $(cat "$CTR_ERR"))"
	# start is called without any extra fd
	run rt start "$ID" 3>&-
	assert_status 0
	wait_status stopped
	assert_eq "$(cat "$CTR_OUT")" $'three\n0 1 2 3 4 ' "container output"
}

@test "io: foreground run: stdin piped in, stdout and stderr kept apart" {
	bundle_new
	head -c 1048576 /dev/urandom | base64 >"$T/in"
	set_args sh -c 'cat; echo err-line >&2; echo out-end'
	# stdin EOF must reach the process (or cat never ends)
	local rc=0
	rt run --bundle "$BUNDLE" "$ID" <"$T/in" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$rc" 0 "exit status of run (stderr: $(head -c 2000 "$T/err"))"
	assert_eq "$(head -c -8 "$T/out" | md5sum)" "$(md5sum <"$T/in")" "stdout data (1 MiB through stdin)"
	assert_eq "$(tail -n 1 "$T/out")" out-end "last stdout line"
	assert_eq "$(cat "$T/err")" err-line "stderr"
	assert_no_container
}

@test "io: detached: stdin/stdout/stderr of the runtime are the process' own (same open files)" {
	# runc passes them through for create / run -d (docs/terminals.md,
	# "pass-through"): the process holds the caller's files themselves
	bundle_new
	echo in-data >"$T/in"
	# (pid 1 is the shell; stat runs in a command substitution so that no
	# redirection of the shell's own fds is in effect while it looks)
	set_args sh -c 'cat; s=$(stat -L -c %d:%i /proc/1/fd/0 /proc/1/fd/1 /proc/1/fd/2); echo "$s" >&2'
	local rc=0
	rt run -d --bundle "$BUNDLE" "$ID" <"$T/in" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$rc" 0 "exit status of run -d (stderr: $(head -c 2000 "$T/err"))"
	wait_status stopped
	assert_eq "$(cat "$T/out")" in-data "stdout"
	assert_eq "$(cat "$T/err")" "$(stat -c %d:%i "$T/in" "$T/out" "$T/err")" "stdio files of the process (dev:inode)"
}
