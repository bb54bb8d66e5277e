#!/usr/bin/env bats
# tests/integration/berthd_events.bats: GET /events (issue 7): image events (load, tag, untag,
# delete, save) in docker's shape, replayed with --since/--until and streamed live, filters, and a
# client that goes away frees its listener; through docker 20.10, docker 28, berthctl and curl.
#
# setup_file starts one berthd on a private data-root; every `events` client started in the
# background is recorded in $PD/bg.pids and killed by that PID in teardown, failures included.

load helpers
load peers
load berthd_helpers

setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	peers_new events
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	peers_teardown
}

setup() {
	export DOCKER_HOST=unix://$BD/s.sock
	: >"$PD/bg.pids"
}

teardown() {
	local pid
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$PD/bg.pids"
	docker image prune -af >/dev/null 2>&1 || true
}

api() { # api [curl args...] PATH
	local path=${*: -1}
	curl -s --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

listeners() {
	api /v1.41/info | jq .NEventsListener
}

# wait_listeners N: until /info counts N listeners (5 s at most).
wait_listeners() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(listeners)" = "$1" ] && return 0
		sleep 0.05
	done
	echo "listeners: $(listeners), want $1" >&2
	return 1
}

@test "events: --since/--until replays a tag, untag and delete done before (docker 20.10 and 28)" {
	local t0 t1 id
	t0=$(date +%s)
	docker load -q -i "$PD/img.tar"
	id=$(docker image inspect busybox --format '{{.Id}}')
	docker tag busybox berthtest/ev:1
	docker rmi berthtest/ev:1
	docker rmi busybox
	sleep 1
	t1=$(date +%s)
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		run -0 "$cli" events --since "$t0" --until "$t1"
		echo "$output"
		[ "$(grep -c . <<<"$output")" -eq 5 ]
		[[ ${lines[0]} == *" image load $id (name=$id)" ]]
		[[ ${lines[1]} == *" image tag $id (name=berthtest/ev:1)" ]]
		[[ ${lines[2]} == *" image untag $id (name=$id)" ]]
		[[ ${lines[3]} == *" image untag $id (name=$id)" ]]
		[[ ${lines[4]} == *" image delete $id (name=$id)" ]]
		run -0 "$cli" events --since "$t0" --until "$t1" --filter event=tag --format '{{json .}}'
		[ "${#lines[@]}" -eq 1 ]
		[ "$(jq -c '[.status, .id, .Type, .Action, .Actor.ID, .Actor.Attributes.name, .scope]' <<<"$output")" = "[\"tag\",\"$id\",\"image\",\"tag\",\"$id\",\"berthtest/ev:1\",\"local\"]" ]
		[ "$(jq '.time == (.timeNano / 1000000000 | floor)' <<<"$output")" = true ]
	done
	# A relative --since as the CLI sends it (--until 0s is this second: the CLI sends whole
	# seconds, so the test waited one), and filters on image and type.
	run -0 docker events --since 5m --until 0s --filter image=berthtest/ev --filter type=image
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *" image tag $id (name=berthtest/ev:1)" ]]
	run -0 docker events --since "$t0" --until 0s --filter container=abc
	[ -z "$output" ]
	run -0 "$BERTHCTL" -H "unix://$BD/s.sock" events --since "$t0" --until "$t1" --filter event=delete
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *" image delete $id (name=$id)" ]]
	# berthctl's other time forms: a duration and RFC 3339.
	run -0 "$BERTHCTL" -H "unix://$BD/s.sock" events --since 10m --until "$(date -u -d "@$t1" +%Y-%m-%dT%H:%M:%SZ)" --filter event=tag --format '{{json .}}'
	[ "$(jq -r .Actor.Attributes.name <<<"$output")" = berthtest/ev:1 ]
	run "$BERTHCTL" -H "unix://$BD/s.sock" events --since yesterday
	[ "$status" -eq 125 ]
	[[ $output == *'invalid --since value "yesterday"'* ]]
}

@test "events: a running docker events sees a tag as it happens, then --until ends it" {
	local cli n=0 t0
	t0=$(date +%s)
	docker load -q -i "$PD/img.tar"
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		n=$((n + 1))
		"$cli" events --format '{{json .}}' >"$PD/live$n.out" 2>&1 &
		echo $! >>"$PD/bg.pids"
		wait_listeners 1
		docker tag busybox "berthtest/live:$n"
		for ((i = 0; i < 100; i++)); do
			grep -q "berthtest/live:$n" "$PD/live$n.out" && break
			sleep 0.05
		done
		[ "$(jq -r '.Action + " " + .Actor.Attributes.name' "$PD/live$n.out")" = "tag berthtest/live:$n" ]
		kill "$(tail -1 "$PD/bg.pids")"
		wait_listeners 0
	done
	# With --until in the future the stream ends by itself then.
	run -0 timeout 10 docker events --since "$t0" --until "$(($(date +%s) + 2))" --filter event=tag
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *"(name=berthtest/live:2)" ]]
}

@test "events: a client that goes away frees its listener (many connects)" {
	local i t0
	t0=$(date +%s)
	[ "$(listeners)" = 0 ]
	for ((i = 0; i < 40; i++)); do
		curl -s --max-time 3 --unix-socket "$BD/s.sock" http://localhost/v1.41/events >/dev/null &
		echo $! >>"$PD/bg.pids"
	done
	wait_listeners 40
	wait
	wait_listeners 0
	# Clients that go away in the middle of a replay too.
	docker load -q -i "$PD/img.tar"
	for ((i = 0; i < 20; i++)); do
		docker tag busybox "berthtest/many:$i"
	done
	for ((i = 0; i < 20; i++)); do
		timeout 0.2 docker events --since "$t0" >/dev/null 2>&1 || true
	done
	wait_listeners 0
	# The daemon still serves.
	run -0 docker events --since "$t0" --until "$(($(date +%s) + 1))" --filter event=tag
	[ "${#lines[@]}" -eq 20 ]
}

@test "events: bad filter JSON, timestamps and since after until are 400; unknown keys are ignored" {
	run api '/v1.41/events?filters=%7B%22type%22%3A%22image%22%7D'
	[ "$output" = '{"message":"invalid filter: {\"type\":\"image\"}"}' ]
	run api -o /dev/null -w '%{http_code}' '/v1.41/events?since=yesterday'
	[ "$output" = 400 ]
	run api '/v1.41/events?since=20&until=10'
	# shellcheck disable=SC2016 # dockerd's message quotes with backticks
	[ "$output" = '{"message":"`since` time (20) cannot be after `until` time (10)"}' ]
	# dockerd 20.10 streams for a key it does not know, and so does berthd.
	run -0 docker events --since 1 --until 2 --filter bogus=1
	[ -z "$output" ]
	# save publishes too; the stream's content type is JSON.
	local t0
	t0=$(date +%s)
	docker load -q -i "$PD/img.tar"
	docker save -o "$PD/s.tar" busybox
	run -0 docker events --since "$t0" --until "$(($(date +%s) + 1))" --filter event=save
	[ "${#lines[@]}" -eq 1 ]
	run -0 api -D - -o /dev/null "/v1.41/events?since=1&until=2"
	[[ $output == *"Content-Type: application/json"* ]]
}
