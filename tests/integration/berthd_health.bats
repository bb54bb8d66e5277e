#!/usr/bin/env bats
# tests/integration/berthd_health.bats: healthchecks and --init through berthd (issue 8):
# State.Health (starting → healthy / unhealthy, FailingStreak, Log, the timeout's -1), the
# health_status events, ps "(healthy)" and the health= filter, probes resuming after a berthd
# restart; --init: berth-init as PID 1, orphans reaped, signal exit codes, a fast stop; with
# berthctl, curl and the docker CLIs (20.10 and 28).
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown as berthd_run.bats: every container removed; berthd stopped by its PID, any shim
# naming $BD's socket killed by PID, peers_teardown unmounts what is under $PD.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file health; }

teardown_file() { bdc_teardown_file; }

setup() { bdc_setup; }

teardown() {
	bdc_remove_containers
	[[ -z ${EVPID:-} ]] || { kill "$EVPID" 2>/dev/null; wait "$EVPID" 2>/dev/null || true; }
}

health_of() { api "/v1.41/containers/$1/json" | jq -r '.State.Health.Status // "none"'; }
is_health() { [ "$(health_of "$1")" = "$2" ]; }

@test "health: --health-cmd true becomes healthy (inspect, ps, filter), event health_status: healthy" {
	local id since
	since=$(date +%s)
	id=$("${C[@]}" run -d --name hok --health-cmd true --health-interval 1s busybox sleep 100)
	[ "$(health_of "$id")" = starting ]
	"${C[@]}" ps --format '{{.Status}}' | grep -q '(health: starting)'
	wait_for 10 is_health "$id" healthy
	api "/v1.41/containers/$id/json" | jq -e '.State.Health.FailingStreak == 0 and (.State.Health.Log | length) >= 1 and .State.Health.Log[-1].ExitCode == 0 and (.State.Health.Log[-1].Start | test("^[0-9]{4}-"))'
	"${C[@]}" ps --format '{{.Names}} {{.Status}}' | grep -q '^hok Up .* (healthy)$'
	api '/v1.41/containers/json?filters=%7B%22health%22%3A%5B%22healthy%22%5D%7D' | jq -e 'length == 1'
	api '/v1.41/containers/json?filters=%7B%22health%22%3A%5B%22unhealthy%22%5D%7D' | jq -e 'length == 0'
	api "/v1.41/events?since=$since&until=$(($(date +%s) + 1))&filters=%7B%22container%22%3A%5B%22$id%22%5D%7D" >"$BATS_TEST_TMPDIR/ev"
	grep -q '"Action":"health_status: healthy"' "$BATS_TEST_TMPDIR/ev"
	# at most five results kept
	sleep 6
	api "/v1.41/containers/$id/json" | jq -e '(.State.Health.Log | length) == 5'
	# no exec record or FIFO left per probe
	[ "$(api "/v1.41/containers/$id/json" | jq -r '.ExecIDs | length')" -le 1 ]
	[[ -z $(ls "$BD/exec/containers/$id" | grep health-) ]] || sleep 1
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

threads_of_berthd() { ls "/proc/$(cat "$BD/pid")/task" | wc -l; }

@test "health: false with --health-retries 2 becomes unhealthy; output kept; probes stop with the container" {
	local id n1 n2 t0
	t0=$(threads_of_berthd)
	id=$("${C[@]}" run -d --health-cmd 'echo failing; exit 1' --health-interval 1s --health-retries 2 busybox sleep 100)
	wait_for 10 is_health "$id" unhealthy
	api "/v1.41/containers/$id/json" | jq -e '.State.Health.FailingStreak >= 2 and (.State.Health.Log | length) >= 2 and .State.Health.Log[-1].ExitCode == 1 and .State.Health.Log[-1].Output == "failing\n"'
	"${C[@]}" ps --format '{{.Status}}' | grep -q '(unhealthy)'
	"${C[@]}" stop -t 1 "$id"
	n1=$(api "/v1.41/containers/$id/json" | jq -r '.State.Health.Log | length')
	sleep 2.5
	n2=$(api "/v1.41/containers/$id/json" | jq -r '.State.Health.Log | length')
	[ "$n1" = "$n2" ]
	"${C[@]}" rm "$id"
	nothing_left "$id"
	# no thread left per container or probe
	wait_for 5 bash -c "(( \$(ls /proc/$(cat "$BD/pid")/task | wc -l) <= $t0 ))"
}

@test "health: --health-timeout 1s kills a probe that sleeps: exit code -1 and dockerd's text" {
	local id
	id=$("${C[@]}" run -d --health-cmd 'sleep 5' --health-interval 1s --health-timeout 1s --health-retries 1 busybox sleep 100)
	wait_for 15 is_health "$id" unhealthy
	api "/v1.41/containers/$id/json" | jq -e '.State.Health.Log[0].ExitCode == -1 and .State.Health.Log[0].Output == "Health check exceeded timeout (1s)"'
	# the probe's sleep was killed: none is left in the container
	! "${C[@]}" top "$id" | grep -q 'sleep 5'
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

@test "health: --no-healthcheck and an image without one have no State.Health; health=none" {
	local id
	id=$("${C[@]}" run -d --no-healthcheck busybox sleep 100)
	sleep 1.5
	[ "$(health_of "$id")" = none ]
	api '/v1.41/containers/json?filters=%7B%22health%22%3A%5B%22none%22%5D%7D' | jq -e 'length == 1'
	[ "$(curl -gs -o /dev/null -w '%{http_code}' --unix-socket "$BD/s.sock" 'http://localhost/v1.41/containers/json?filters=%7B%22health%22%3A%5B%22x%22%5D%7D')" = 400 ]
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

@test "health: probes resume after a berthd restart (live restore)" {
	local id n1
	id=$("${C[@]}" run -d --health-cmd true --health-interval 1s busybox sleep 100)
	wait_for 10 is_health "$id" healthy
	bd_stop "$BD"
	bd_start "$BD"
	[ "$(health_of "$id")" = healthy ]
	n1=$(api "/v1.41/containers/$id/json" | jq -r '.State.Health.Log[-1].End')
	wait_for 10 bash -c "[ \"\$(curl -gs --unix-socket $BD/s.sock http://localhost/v1.41/containers/$id/json | jq -r '.State.Health.Log[-1].End')\" != '$n1' ]"
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

@test "health: docker CLI 20.10 and 28: run --health-cmd, inspect .State.Health.Status" {
	local cli id n=0
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || continue
		n=$((n + 1))
		id=$(timeout 30 "$cli" run -d --health-cmd 'test -e /etc/hostname' --health-interval 1s busybox sleep 100)
		wait_for 10 bash -c "[ \"\$($cli inspect --format '{{.State.Health.Status}}' $id)\" = healthy ]"
		"$cli" ps --format '{{.Status}}' | grep -q '(healthy)'
		"$cli" ps --filter health=healthy -q | grep -q "${id:0:12}"
		"$cli" rm -f "$id"
		nothing_left "$id"
	done
	((n > 0)) || skip "no docker CLI on this host"
}

@test "init: --init runs berth-init as PID 1 with the command as its child" {
	local out cli
	out=$("${C[@]}" run --rm --init busybox ps -o pid,ppid,args)
	echo "$out"
	echo "$out" | grep -Eq '^ +1 +0 +/sbin/docker-init -- ps'
	echo "$out" | grep -Eq '^ +[0-9]+ +1 +ps -o pid,ppid,args'
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || continue
		out=$(timeout 30 "$cli" run --rm --init busybox ps -o pid,args)
		echo "$out" | grep -Eq '^ +1 +/sbin/docker-init -- ps'
	done
	# read-only bind mount
	! "${C[@]}" run --rm --init busybox sh -c 'echo x > /sbin/docker-init' 2>/dev/null
}

@test "init: orphans are reaped, signal exit codes propagate, stop is fast" {
	local id code
	id=$("${C[@]}" run -d --init busybox sh -c '(sleep 0.2 &); (sleep 0.3 &); sleep 100')
	sleep 1.5
	run "${C[@]}" exec "$id" ps -o pid,stat,args
	echo "$output"
	[[ $output != *" Z "* ]]
	[[ $output == *"sleep 100"* ]]
	# SIGTERM forwarded: sh as a child (not PID 1) dies at once; 143
	SECONDS=0
	"${C[@]}" stop -t 10 "$id"
	((SECONDS < 5))
	[ "$(api "/v1.41/containers/$id/json" | jq -r .State.ExitCode)" = 143 ]
	"${C[@]}" rm "$id"
	nothing_left "$id"
	# the child's own signal death is 128+N
	run "${C[@]}" run --rm --init busybox sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	run "${C[@]}" run --rm --init busybox sh -c 'exit 7'
	[ "$status" -eq 7 ]
	if [[ -x /usr/local/bin/docker ]]; then
		run timeout 30 /usr/local/bin/docker run --rm --init busybox sh -c 'kill -KILL $$'
		[ "$status" -eq 137 ]
	fi
}
