#!/usr/bin/env bats
# tests/integration/berthd_run.bats: berthd runs containers (issue 8): start through the shim,
# exit statuses, json-file logs (berth-logger), stop/kill/wait/restart/pause/top, rm -f, --rm,
# a start failure (127/126), live restore after kill -9 of berthd, restart policies; with
# berthctl, curl and the stock docker CLIs (20.10 and 28).
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown: every container is removed; at the end berthd is stopped by its PID, then any shim
# whose command line names $PD (started by our berthd only) is killed by PID, and peers_teardown
# unmounts what is under $PD. Checks after each test: no shim, mount, cgroup, FIFO or socket of
# a removed container is left.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file run; }

teardown_file() { bdc_teardown_file; }

setup() { bdc_setup; }

teardown() { bdc_remove_containers; }

state_of() { api "/v1.41/containers/$1/json" | jq -r .State.Status; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
restarts_at_least() { (($(api "/v1.41/containers/$1/json" | jq -r .RestartCount) >= $2)); }

@test "run: run -d, ps Up, logs, stop (SIGTERM then SIGKILL), ps Exited (N), rm, nothing left" {
	local id
	id=$("${C[@]}" run -d --name web busybox sh -c 'echo out; echo err >&2; trap "exit 3" TERM; while :; do sleep 0.1; done')
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	run "${C[@]}" ps
	[[ $output == *"Up "*" web"* ]]
	[ "$(api "/v1.41/containers/$id/json" | jq -r '.State.Running, (.State.Pid > 0)')" = $'true\ntrue' ]
	wait_for 5 test -s "$BD/data/containers/$id/$id-json.log"
	# docker's json-file format
	run jq -r '.stream + " " + .log' "$BD/data/containers/$id/$id-json.log"
	[[ $output == *"stdout out"* && $output == *"stderr err"* ]]
	jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\\.[0-9]+)?Z$")' "$BD/data/containers/$id/$id-json.log"
	# demultiplexed by berthctl
	[ "$("${C[@]}" logs web 2>/dev/null)" = out ]
	[ "$("${C[@]}" logs web 2>&1 >/dev/null)" = err ]
	# raw API framing: [1,0,0,0,0,0,0,4]"out\n"
	api "/v1.41/containers/$id/logs?stdout=1" | od -An -tx1 | tr -d ' \n' | grep -q '^01000000000000046f75740a$'
	# stop: the trap answers SIGTERM with exit 3
	run "${C[@]}" stop web
	[ "$status" -eq 0 ] && [ "$output" = web ]
	[ "$(api "/v1.41/containers/$id/json" | jq -r '.State.Status, .State.ExitCode, .State.Pid')" = $'exited\n3\n0' ]
	run "${C[@]}" ps -a
	[[ $output == *"Exited (3) "* ]]
	# logs after the exit
	[ "$("${C[@]}" logs web 2>/dev/null)" = out ]
	# a second stop is docker's 304
	[ "$(api_status -X POST "/v1.41/containers/$id/stop")" = 304 ]
	nothing_left "$id"
	# sh ignores SIGTERM as pid 1: SIGKILL after t
	id=$("${C[@]}" run -d busybox sleep 100)
	SECONDS=0
	"${C[@]}" stop -t 1 "$id"
	((SECONDS < 5))
	[ "$(api "/v1.41/containers/$id/json" | jq -r .State.ExitCode)" = 137 ]
	"${C[@]}" rm "$id"
	nothing_left "$id"
	[[ ! -e $BD/data/containers/$id ]]
}

@test "run: run without -d prints the output and exits with the code; --rm removes; wait" {
	run "${C[@]}" run --name once busybox sh -c 'echo hello; exit 5'
	[ "$status" -eq 5 ]
	[[ $output == *hello* ]]
	[ "$(state_of once)" = exited ]
	run "${C[@]}" run --rm busybox sh -c 'echo gone; exit 2'
	[ "$status" -eq 2 ]
	[[ $output == *gone* ]]
	# A --rm container's overlay is volatile (no sync of the data-root's filesystem at its
	# unmount); a kept container's is not.
	[ "$("${C[@]}" run --rm busybox grep -c 'overlay.*volatile' /proc/mounts)" = 1 ]
	run "${C[@]}" run --name kept busybox grep -c 'overlay.*volatile' /proc/mounts
	[ "$output" = 0 ]
	"${C[@]}" rm kept
	[ "$(api /v1.41/containers/json?all=1 | jq -r '[.[].Names[0]] | join(",")')" = /once ]
	local id
	id=$("${C[@]}" run -d --rm busybox sh -c 'sleep 1; exit 4')
	run "${C[@]}" wait "$id"
	[ "$output" = 4 ]
	wait_for 5 bash -c "! curl -sf --unix-socket $BD/s.sock http://x/v1.41/containers/$id/json >/dev/null"
	nothing_left "$id"
	# wait streams: headers first, the body at the exit
	id=$("${C[@]}" run -d busybox sh -c 'sleep 1; exit 9')
	[ "$(api -X POST "/v1.41/containers/$id/wait")" = '{"StatusCode":9,"Error":null}' ]
	# not-running on a stopped container answers at once; bad condition 400
	[ "$(api -X POST "/v1.41/containers/$id/wait?condition=not-running" | jq -c .)" = '{"StatusCode":9,"Error":null}' ]
	[ "$(api_status -X POST "/v1.41/containers/$id/wait?condition=bogus")" = 400 ]
	[ "$(api_status -X POST "/v1.41/containers/nosuch/wait")" = 404 ]
}

@test "run: a --rm whose removal fails ends with docker's error (125) instead of waiting forever" {
	local cid=$BATS_TEST_TMPDIR/cid id rc=0 dir
	"${C[@]}" run --rm --cidfile "$cid" busybox sleep 1 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local job=$!
	wait_for 5 test -s "$cid"
	id=$(cat "$cid")
	dir=$BD/data/containers/$id
	# An immutable directory: the removal cannot delete what is in it.
	chattr +i "$dir"
	wait "$job" || rc=$?
	chattr -i "$dir"
	cat "$BATS_TEST_TMPDIR/err"
	[ "$rc" = 125 ]
	grep -q "Error waiting for container: Could not remove container" "$BATS_TEST_TMPDIR/err"
	# The record went first; what is left of the files is swept (here by hand).
	[ "$(api_status "/v1.41/containers/$id/json")" = 404 ]
	rm -rf "$dir"
	nothing_left "$id"
}

@test "run: start failures: 127/126 with docker's text, nothing left" {
	local id
	id=$("${C[@]}" create busybox nosuch)
	[ "$(api_status -X POST "/v1.41/containers/$id/start")" = 400 ]
	run jq -r .message "$BATS_TEST_TMPDIR/body"
	[[ $output == 'OCI runtime create failed: '*'exec: "nosuch": executable file not found in $PATH: unknown' ]]
	[ "$(api "/v1.41/containers/$id/json" | jq -r '.State.Status, .State.ExitCode')" = $'created\n127' ]
	nothing_left "$id"
	id=$("${C[@]}" create busybox /etc/passwd)
	[ "$(api_status -X POST "/v1.41/containers/$id/start")" = 400 ]
	[ "$(api "/v1.41/containers/$id/json" | jq -r .State.ExitCode)" = 126 ]
	nothing_left "$id"
	run -127 "${C[@]}" run busybox nosuch
	[[ $output == *"executable file not found"* ]]
}

@test "run: kill -s, pause/unpause (freezer), top, restart, rm -f of a running container, events" {
	local id since
	since=$(date +%s)
	id=$("${C[@]}" run -d --name kk busybox sh -c 'trap "exit 10" USR1; while :; do sleep 0.1; done')
	run "${C[@]}" top kk
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == UID*PID*CMD ]]
	[[ $output == *"sleep 0.1"* || $output == *"sh -c"* ]]
	api "/v1.41/containers/$id/top?ps_args=-o%20pid,comm" | jq -e '.Titles == ["PID","COMMAND"]'
	"${C[@]}" pause kk
	[ "$(state_of kk)" = paused ]
	run "${C[@]}" ps
	[[ $output == *"(Paused)"* ]]
	[ "$(api_status -X POST "/v1.41/containers/$id/pause")" = 409 ]
	"${C[@]}" unpause kk
	[ "$(state_of kk)" = running ]
	# sh (pid 1) ignores SIGTERM: kill 15, then kill 9 after 1 s, as dockerd
	"${C[@]}" restart -t 1 kk
	[ "$(state_of kk)" = running ]
	"${C[@]}" kill -s USR1 kk
	wait_for 5 is_state kk exited
	[ "$(api "/v1.41/containers/$id/json" | jq -r .State.ExitCode)" = 10 ]
	[ "$(api_status -X POST "/v1.41/containers/$id/kill")" = 409 ]
	[ "$(api_status -X POST "/v1.41/containers/$id/kill?signal=FOO")" = 400 ]
	"${C[@]}" start kk
	[ "$(api_status -X POST "/v1.41/containers/$id/start")" = 304 ]
	[ "$(api_status -X DELETE "/v1.41/containers/$id")" = 409 ]
	[ "$(api_status -X DELETE "/v1.41/containers/$id?force=1")" = 204 ]
	nothing_left "$id"
	run api "/v1.41/events?since=$since&until=$(($(date +%s) + 1))&filters=%7B%22container%22%3A%5B%22$id%22%5D%7D"
	# docker's shape: Actor.Attributes name and image on every event, exitCode on die
	jq -e -s 'all(.Type == "container" and .Actor.Attributes.name == "kk" and .Actor.Attributes.image == "busybox")' <<<"$output"
	jq -e -s '[.[] | select(.Action == "die")][0].Actor.Attributes.exitCode == "137"' <<<"$output"
	run jq -r .Action <<<"$output"
	local acts
	acts=$(echo "$output" | tr '\n' ' ')
	[[ $acts == "create start pause unpause kill kill die stop start restart kill die start kill die destroy " ]] || {
		echo "events: $acts" >&2
		false
	}
}

@test "run: live restore: kill -9 berthd, the container keeps running and logging; exits meanwhile" {
	local a b pid
	a=$("${C[@]}" run -d --name alive busybox sh -c 'i=0; while :; do echo line$i; i=$((i+1)); sleep 0.2; done')
	b=$("${C[@]}" run -d --name dies busybox sh -c 'sleep 1; exit 7')
	pid=$(api "/v1.41/containers/$a/json" | jq -r .State.Pid)
	bd_stop "$BD" KILL
	sleep 2
	kill -0 "$pid"
	bd_start "$BD"
	# The exit that happened meanwhile is recorded by the restore (give a loaded host time).
	wait_for 5 is_state "$b" exited
	run "${C[@]}" ps -a
	echo "$output"
	[[ $output == *"Up "*" alive"* ]]
	[[ $output == *"Exited (7) "*" dies"* ]]
	[ "$(api "/v1.41/containers/$a/json" | jq -r .State.Pid)" = "$pid" ]
	# lines written while berthd was down are in the log
	(($("${C[@]}" logs alive | wc -l) >= 8))
	"${C[@]}" stop -t 1 alive
	[ "$(state_of alive)" = exited ]
	nothing_left "$a" "$b"
}

@test "run: restart policies: on-failure:2 with backoff, always, no restart after stop" {
	local id
	id=$("${C[@]}" run -d --restart on-failure:2 busybox sh -c 'exit 1')
	wait_for 10 restarts_at_least "$id" 2
	wait_for 5 is_state "$id" exited
	sleep 1
	[ "$(api "/v1.41/containers/$id/json" | jq -r '.RestartCount, .State.ExitCode')" = $'2\n1' ]
	id=$("${C[@]}" run -d --restart always busybox sh -c 'sleep 0.3; exit 0')
	wait_for 10 restarts_at_least "$id" 2
	"${C[@]}" stop -t 1 "$id"
	sleep 1
	[ "$(state_of "$id")" = exited ]
	# a container in its backoff (Restarting) goes with rm -f, and is not started again
	id=$("${C[@]}" run -d --restart always busybox sh -c 'exit 1')
	wait_for 10 restarts_at_least "$id" 3
	"${C[@]}" rm -f "$id"
	sleep 2
	[ "$(api_status "/v1.41/containers/$id/json")" = 404 ]
	nothing_left "$id"
}

@test "run: docker CLI 20.10 and 28: run -d, logs, top, pause, restart, kill, wait, ps, stop, rm -f" {
	local cli id n=0
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || continue
		n=$((n + 1))
		id=$(timeout 30 "$cli" run -d --name dk busybox sh -c 'echo hi; echo e >&2; sleep 100')
		[[ $id =~ ^[0-9a-f]{64}$ ]]
		wait_for 5 bash -c "[[ \$($cli logs dk 2>&1 | tr '\n' ' ') == 'hi e ' ]]"
		[ "$("$cli" logs dk 2>/dev/null)" = hi ]
		"$cli" top dk | grep -q 'sleep 100'
		"$cli" pause dk
		"$cli" ps | grep -q 'Up .*(Paused).*dk'
		"$cli" unpause dk
		"$cli" restart -t 1 dk
		"$cli" ps | grep -q 'Up .*dk'
		"$cli" kill -s KILL dk
		[ "$(timeout 10 "$cli" wait dk)" = 137 ]
		"$cli" ps -a --format '{{.Names}} {{.Status}}' | grep -q '^dk Exited (137) '
		"$cli" start dk
		"$cli" stop -t 1 dk
		"$cli" rm -f dk
		nothing_left "$id"
		# rm -f of a running container
		id=$(timeout 30 "$cli" run -d busybox sleep 100)
		"$cli" rm -f "$id"
		nothing_left "$id"
	done
	((n > 0)) || skip "no docker CLI on this host"
}

@test "run: exec -d (detached): create, start, inspect with the exit code; docker exec -d" {
	local id e cli
	id=$("${C[@]}" run -d busybox sleep 100)
	e=$(api -X POST -H 'Content-Type: application/json' \
		-d '{"Cmd":["sh","-c","echo $A > /tmp/x; exit 3"],"Env":["A=fromexec"]}' "/v1.41/containers/$id/exec" | jq -r .Id)
	[[ $e =~ ^[0-9a-f]{64}$ ]]
	[ "$(api "/v1.41/exec/$e/json" | jq -c '[.Running, .ExitCode, .ContainerID == "'"$id"'", .ProcessConfig.entrypoint]')" = '[false,null,true,"sh"]' ]
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' "/v1.41/exec/$e/start")" = 200 ]
	wait_for 5 bash -c "[[ \$(curl -s --unix-socket $BD/s.sock http://x/v1.41/exec/$e/json | jq -r .ExitCode) == 3 ]]"
	[ "$(cat "$BD/exec/containers/$id/rootfs/tmp/x")" = fromexec ]
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' "/v1.41/exec/$e/start")" = 409 ]
	[ "$(api_status "/v1.41/exec/nosuch/json")" = 404 ]
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || continue
		"$cli" exec -d "$id" touch "/tmp/by-${cli//\//-}"
		wait_for 5 test -e "$BD/exec/containers/$id/rootfs/tmp/by-${cli//\//-}"
	done
	"${C[@]}" stop -t 0 "$id"
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Cmd":["true"]}' "/v1.41/containers/$id/exec")" = 409 ]
	"${C[@]}" rm "$id"
	nothing_left "$id"
}

@test "run: restart policies at berthd start: always comes back, unless-stopped stopped by hand does not" {
	local a u
	a=$("${C[@]}" run -d --restart always busybox sleep 100)
	u=$("${C[@]}" run -d --restart unless-stopped busybox sleep 100)
	"${C[@]}" stop -t 0 "$a" "$u"
	[ "$(state_of "$a")" = exited ] && [ "$(state_of "$u")" = exited ]
	bd_stop "$BD"
	bd_start "$BD"
	wait_for 5 is_state "$a" running
	[ "$(state_of "$u")" = exited ]
	"${C[@]}" rm -f "$a" "$u"
	nothing_left "$a" "$u"
}

@test "run: at berthd start a --rm container that is not running is removed (as dockerd)" {
	local id kept
	id=$("${C[@]}" create --rm busybox true)
	kept=$("${C[@]}" create busybox true)
	bd_stop "$BD"
	bd_start "$BD"
	[ "$(api_status "/v1.41/containers/$id/json")" = 404 ]
	[ "$(state_of "$kept")" = created ]
	"${C[@]}" rm "$kept"
	nothing_left "$id" "$kept"
	[[ ! -e $BD/data/containers/$id ]]
}

@test "run: logs: rotation (--log-opt), --tail, --since/--until, -t, -f until the exit, tty raw" {
	local id log n
	id=$("${C[@]}" run -d --log-opt max-size=1k --log-opt max-file=3 busybox sh -c 'i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done')
	run "${C[@]}" wait "$id"
	[ "$output" = 0 ]
	log=$BD/data/containers/$id/$id-json.log
	[[ -s $log && -s $log.1 && -s $log.2 && ! -e $log.3 ]]
	(($(stat -c %s "$log") <= 1024))
	# every file is json-file; logs reads the rotated files oldest first
	cat "$log.2" "$log.1" "$log" | jq -e -s 'all(.stream == "stdout")'
	run "${C[@]}" logs "$id"
	[ "${lines[-1]}" = line199 ]
	n=${#lines[@]}
	[ "$(sed -n 's/line//p' <<<"$output" | sort -n | uniq | wc -l)" = "$n" ]
	[ "$("${C[@]}" logs --tail 2 "$id" | tr '\n' ' ')" = 'line198 line199 ' ]
	[ -z "$("${C[@]}" logs --tail 0 "$id")" ]
	"${C[@]}" logs -t --tail 1 "$id" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z line199$'
	[ -z "$("${C[@]}" logs --since "$(($(date +%s) + 60))" "$id")" ]
	[ -z "$("${C[@]}" logs --until 1h "$id")" ]
	"${C[@]}" logs --since 1h "$id" | grep -qx line199
	[ "$(api_status "/v1.41/containers/$id/logs")" = 400 ]
	"${C[@]}" rm "$id"
	# -f follows until the exit
	id=$("${C[@]}" run -d busybox sh -c 'for i in 1 2 3; do echo f$i; sleep 0.3; done')
	run timeout 10 "${C[@]}" logs -f "$id"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr '\n' ' ')" = 'f1 f2 f3 ' ]
	"${C[@]}" rm "$id"
	# a tty: raw bytes, no framing
	id=$("${C[@]}" run -d -t busybox sh -c 'echo tty-out; echo tty-err >&2')
	"${C[@]}" wait "$id"
	api "/v1.41/containers/$id/logs?stdout=1&stderr=1" | od -c | head -1 | grep -q 't   t   y   -'
	"${C[@]}" logs "$id" | grep -q tty-err
	"${C[@]}" rm "$id"
	nothing_left "$id"
}

@test "run: live restore: a shim that died while berthd was down: Exited (255), cleaned up" {
	local id pid shim
	id=$("${C[@]}" run -d busybox sleep 100)
	pid=$(api "/v1.41/containers/$id/json" | jq -r .State.Pid)
	shim=$(our_shims)
	[[ $shim =~ ^[0-9]+$ ]]
	bd_stop "$BD" KILL
	kill -KILL "$shim"
	bd_start "$BD"
	wait_for 10 is_state "$id" exited
	[ "$(api "/v1.41/containers/$id/json" | jq -r .State.ExitCode)" = 255 ]
	wait_for 5 bash -c "! kill -0 $pid 2>/dev/null"
	nothing_left "$id"
	"${C[@]}" rm "$id"
}
