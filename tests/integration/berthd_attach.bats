#!/usr/bin/env bats
# tests/integration/berthd_attach.bats: hijacked connections (issue 8): attach, exec with and
# without a tty, resize, stdin through attach (CloseWrite → EOF), a client killed mid-attach;
# with the stock docker CLIs (20.10 and 28) and curl.
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown: every container is removed; at the end berthd is stopped by its PID, then any shim
# whose command line names $BD/s.sock (started by our berthd only) is killed by PID, and
# peers_teardown unmounts what is under $PD. Clients started in the background are killed by
# their PID in the test that started them.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file attach; }

teardown_file() { bdc_teardown_file; }

setup() { bdc_setup; }

teardown() { bdc_remove_containers; }

# under_pty ROWS COLS CMD...: run CMD with a pty of that size as its terminal (python's pty),
# its output on stdout; the child's exit status is ours.
under_pty() {
	/usr/bin/python3 - "$@" <<'PY'
import os, pty, sys, fcntl, termios, struct, select
rows, cols, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(argv[0], argv)
out = b""
while True:
    try:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            break
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
sys.stdout.write(out.decode(errors="replace"))
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
PY
}

@test "attach: 101 Upgrade: tcp with docker's headers; 200 raw stream without Upgrade" {
	id=$("${C[@]}" create busybox sh -c 'echo hello; echo oops >&2')
	# the hijack: the 101 headers, then frames once started
	/usr/bin/python3 - "$BD/s.sock" "$id" >"$BATS_TEST_TMPDIR/out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"POST /v1.41/containers/%s/attach?stderr=1&stdout=1&stream=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: text/plain\r\n\r\n" % sys.argv[2].encode())
data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
head, _, body = data.partition(b"\r\n\r\n")
print(head.decode().replace("\r", ""))
print("BODY", body.hex())
PY
	pid=$!
	sleep 0.5
	api -X POST "/v1.41/containers/$id/start"
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/out"
	echo "$output"
	[[ $output == *"HTTP/1.1 101"* ]]
	[[ $output == *"Connection: Upgrade"* ]]
	[[ $output == *"Upgrade: tcp"* ]]
	[[ $output == *"Content-Type: application/vnd.docker.raw-stream"* ]]
	[[ $output == *"0100000000000006"$(printf hello | xxd -p)0a* ]]
	[[ $output == *"0200000000000005"$(printf oops | xxd -p)0a* ]]
	# without Upgrade: a 200 raw-stream, replayed from the log with logs=1
	run curl -gs -D - --unix-socket "$BD/s.sock" -X POST "http://localhost/v1.41/containers/$id/attach?stdout=1&logs=1" -o "$BATS_TEST_TMPDIR/body"
	[[ $output == *"200 OK"* ]]
	[[ $output == *"application/vnd.docker.raw-stream"* ]]
	[ "$(tail -c +9 "$BATS_TEST_TMPDIR/body")" = hello ]
}

@test "attach: docker run with stdin, stdout/stderr split and the exit status (both CLIs)" {
	local cli n=0
	for cli in $(clis); do
		n=$((n + 1))
		run --separate-stderr bash -c "echo hi | $cli run -i --rm busybox cat"
		echo "$cli: $status [$output] [$stderr]"
		[ "$status" -eq 0 ]
		[ "$output" = hi ]
		run --separate-stderr "$cli" run --rm busybox sh -c 'echo out; echo err >&2; exit 3'
		echo "$cli: $status [$output] [$stderr]"
		[ "$status" -eq 3 ]
		[ "$output" = out ]
		[ "$stderr" = err ]
	done
	((n > 0)) || skip "no docker CLI on this host"
}

@test "exec: exit status, output, piped stdin (both CLIs)" {
	local cli n=0
	id=$("${C[@]}" run -d busybox sleep 300)
	for cli in $(clis); do
		n=$((n + 1))
		run "$cli" exec "$id" sh -c 'exit 5'
		[ "$status" -eq 5 ]
		run --separate-stderr "$cli" exec "$id" sh -c 'echo eo; echo ee >&2'
		[ "$status" -eq 0 ]
		[ "$output" = eo ]
		[ "$stderr" = ee ]
		run bash -c "printf 'a\nb\n' | $cli exec -i $id cat"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'a\nb')" ]
	done
	((n > 0)) || skip "no docker CLI on this host"
	# inspect after the end: not running, the code
	eid=$(api -X POST -H 'Content-Type: application/json' -d '{"Cmd":["sh","-c","exit 7"],"AttachStdout":true}' "/v1.41/containers/$id/exec" | jq -r .Id)
	api -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' "/v1.41/exec/$eid/start"
	for ((i = 0; i < 50; i++)); do
		[ "$(api "/v1.41/exec/$eid/json" | jq -r .Running)" = false ] && break
		sleep 0.1
	done
	[ "$(api "/v1.41/exec/$eid/json" | jq -r .ExitCode)" = 7 ]
}

@test "tty: docker run -it and exec -it under a pty see the terminal's size" {
	local cli n=0
	id=$("${C[@]}" run -d busybox sleep 300)
	for cli in $(clis); do
		n=$((n + 1))
		run under_pty 33 101 "$cli" exec -it "$id" sh -c 'sleep 0.5; stty size'
		echo "$cli exec: $status [$output]"
		[ "$status" -eq 0 ]
		[[ $output == *"33 101"* ]]
		run under_pty 41 97 "$cli" run -it --rm busybox sh -c 'sleep 0.5; stty size'
		echo "$cli run: $status [$output]"
		[ "$status" -eq 0 ]
		[[ $output == *"41 97"* ]]
	done
	((n > 0)) || skip "no docker CLI on this host"
}

@test "attach: a running container's output; a client killed mid-attach leaks nothing" {
	local cli bpid fds0 fds1 thr0 thr1
	cli=$(clis | tail -1)
	[[ -n $cli ]] || skip "no docker CLI on this host"
	id=$("${C[@]}" run -d busybox sh -c 'while :; do echo tick; sleep 0.2; done')
	bpid=$(cat "$BD/pid")
	sleep 0.3
	fds0=$(ls /proc/$bpid/fd | wc -l)
	thr0=$(ls /proc/$bpid/task | wc -l)
	"$cli" attach "$id" >"$BATS_TEST_TMPDIR/att" 2>&1 &
	apid=$!
	sleep 1.5
	kill -KILL "$apid"
	wait "$apid" || true
	grep -q tick "$BATS_TEST_TMPDIR/att"
	sleep 1
	[ "$(api "/v1.41/containers/$id/json" | jq -r .State.Running)" = true ]
	fds1=$(ls /proc/$bpid/fd | wc -l)
	thr1=$(ls /proc/$bpid/task | wc -l)
	echo "fds $fds0 -> $fds1, threads $thr0 -> $thr1"
	[ "$fds1" -le "$fds0" ]
	[ "$thr1" -le "$thr0" ]
}

@test "berthctl: run -i/-a/-it, exec [-i] [-t] [-e] [-w] [-u] [-d], attach; exit statuses" {
	run --separate-stderr bash -c "echo hi | ${C[*]} run -i --rm busybox cat"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run --separate-stderr "${C[@]}" run --rm busybox sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
	# -a stdout: stderr not attached
	run --separate-stderr "${C[@]}" run --rm -a stdout busybox sh -c 'echo out; echo err >&2'
	[ "$status" -eq 0 ]
	[ "$output" = out ]
	[ -z "$stderr" ]
	run under_pty 23 78 "${C[@]}" run --rm -it busybox sh -c 'sleep 0.3; stty size; exit 4'
	[ "$status" -eq 4 ]
	[[ $output == *"23 78"* ]]
	id=$("${C[@]}" run -d busybox sleep 300)
	run "${C[@]}" exec "$id" sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run bash -c "printf 'a\nb\n' | ${C[*]} exec -i $id cat"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\nb')" ]
	run "${C[@]}" exec -e FOO=bar -w /tmp -u 1000:1000 "$id" sh -c 'echo $FOO $(pwd) $(id -u):$(id -g)'
	[ "$status" -eq 0 ]
	[ "$output" = "bar /tmp 1000:1000" ]
	run under_pty 22 77 "${C[@]}" exec -it "$id" sh -c 'sleep 0.3; stty size'
	[ "$status" -eq 0 ]
	[[ $output == *"22 77"* ]]
	"${C[@]}" exec -d "$id" sh -c 'echo detached >/tmp/d'
	sleep 0.5
	run "${C[@]}" exec "$id" cat /tmp/d
	[ "$output" = detached ]
	# attach to a running container: its new output; ends with its status
	id2=$("${C[@]}" run -d busybox sh -c 'sleep 1; echo late; exit 6')
	run --separate-stderr "${C[@]}" attach "$id2"
	[ "$status" -eq 6 ]
	[ "$output" = late ]
	run "${C[@]}" attach "$id2"
	[ "$status" -eq 1 ]
	[[ $output == *"cannot attach to a stopped container"* ]]
}

@test "berthctl: --sig-proxy forwards a signal to the container" {
	"${C[@]}" run --rm busybox sh -c 'trap "echo got-term; exit 9" TERM; while :; do sleep 0.1; done' >"$BATS_TEST_TMPDIR/out" 2>&1 &
	cpid=$!
	sleep 1.5
	kill -TERM "$cpid"
	rc=0
	wait "$cpid" || rc=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$rc" -eq 9 ]
	grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "exec: a client killed mid-exec: the process runs to its end, nothing leaks in berthd" {
	local cli bpid fds0 fds1 thr0 thr1 i
	cli=$(clis | tail -1)
	[[ -n $cli ]] || skip "no docker CLI on this host"
	id=$("${C[@]}" run -d busybox sleep 300)
	bpid=$(cat "$BD/pid")
	sleep 0.3
	fds0=$(ls /proc/$bpid/fd | wc -l)
	thr0=$(ls /proc/$bpid/task | wc -l)
	"$cli" exec "$id" sh -c 'echo started; sleep 2; echo x >/tmp/done' >"$BATS_TEST_TMPDIR/ex" 2>&1 &
	epid=$!
	sleep 0.8
	kill -KILL "$epid"
	wait "$epid" || true
	grep -q started "$BATS_TEST_TMPDIR/ex"
	for ((i = 0; i < 50; i++)); do
		[ "$("${C[@]}" exec "$id" cat /tmp/done 2>/dev/null)" = x ] && break
		sleep 0.1
	done
	[ "$("${C[@]}" exec "$id" cat /tmp/done)" = x ]
	sleep 0.5
	fds1=$(ls /proc/$bpid/fd | wc -l)
	thr1=$(ls /proc/$bpid/task | wc -l)
	echo "fds $fds0 -> $fds1, threads $thr0 -> $thr1"
	[ "$fds1" -le "$fds0" ]
	[ "$thr1" -le "$thr0" ]
	# and no exec FIFO is left in the bundle
	! ls "$BD/exec/containers/$id" | grep -q '^exec-'
}
