#!/usr/bin/env bats
# tests/integration/berthd_stats.bats: docker stats and docker update through berthd (issue 8):
# GET /containers/{id}/stats (once, streamed, a stopped container), POST /containers/{id}/update
# (running: the cgroup files change; stopped: the record, applied at start; docker's 400s), with
# berthctl, curl and the stock docker CLIs (20.10 and 28).
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown: every container is removed; at the end berthd is stopped by its PID, then any shim
# whose command line names $PD (started by our berthd only) is killed by PID, and peers_teardown
# unmounts what is under $PD. Checks after each test: nothing of a removed container is left.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file stats; }

teardown_file() { bdc_teardown_file; }

setup() { bdc_setup; }

teardown() { bdc_remove_containers; }

# cg CTRL ID FILE: a cgroup v1 file of container ID (cgroupsPath /berth/ID on this hybrid host).
cg() { cat "/sys/fs/cgroup/$1/berth/$2/$3"; }

@test "stats: stream=false of a running busybox: memory usage and pids match its cgroup" {
	local id out
	id=$("${C[@]}" run -d --name st busybox sh -c 'sleep 1000 & sleep 1000')
	wait_for 5 test -e "/sys/fs/cgroup/memory/berth/$id/memory.usage_in_bytes"
	out=$(api "/v1.41/containers/$id/stats?stream=false")
	echo "$out" | jq -e --arg id "$id" '.id == $id and .name == "/st"'
	echo "$out" | jq -e '.read != "0001-01-01T00:00:00Z" and .preread != "0001-01-01T00:00:00Z"'
	echo "$out" | jq -e '.pids_stats.current >= 2'
	[ "$(echo "$out" | jq .pids_stats.current)" = "$(cg pids "$id" pids.current)" ]
	echo "$out" | jq -e '.memory_stats.usage > 0 and .memory_stats.limit > 0 and (.memory_stats.stats | has("total_rss"))'
	# the usage is within 1 MiB of the cgroup's (it moves a little between the two reads)
	local u c
	u=$(echo "$out" | jq .memory_stats.usage)
	c=$(cg memory "$id" memory.usage_in_bytes)
	(( u - c < 1048576 && c - u < 1048576 ))
	echo "$out" | jq -e '.cpu_stats.cpu_usage.total_usage > 0 and .cpu_stats.system_cpu_usage > 0 and .cpu_stats.online_cpus >= 1'
	echo "$out" | jq -e '.precpu_stats.cpu_usage.total_usage > 0 and .precpu_stats.system_cpu_usage > 0'
	echo "$out" | jq -e '.cpu_stats.throttling_data | has("periods")'
	echo "$out" | jq -e '.blkio_stats | has("io_service_bytes_recursive")'
	echo "$out" | jq -e '(.networks == null) and .num_procs == 0 and .storage_stats == {}'
	echo "$out" | jq -e 'keys_unsorted == ["read","preread","pids_stats","blkio_stats","num_procs","storage_stats","cpu_stats","precpu_stats","memory_stats","name","id"]'
	# one-shot: no second sample, precpu empty
	api "/v1.41/containers/$id/stats?stream=false&one-shot=true" | jq -e '.precpu_stats.cpu_usage.total_usage == 0'
	# unknown container: 404
	[ "$(api_status "/v1.41/containers/nosuch/stats?stream=false")" = 404 ]
	jq -e '.message == "No such container: nosuch"' "$BATS_TEST_TMPDIR/body"
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

@test "stats: streaming yields an object a second until the client hangs up" {
	local id n
	id=$("${C[@]}" run -d busybox sleep 1000)
	# curl stops after 3.5 s: the client hanging up must not disturb berthd
	timeout 3.5 curl -gsN --unix-socket "$BD/s.sock" "http://localhost/v1.41/containers/$id/stats" >"$BATS_TEST_TMPDIR/stream" || true
	n=$(jq -s length "$BATS_TEST_TMPDIR/stream")
	((n >= 2))
	# the second object's precpu_stats is the first's cpu_stats
	[ "$(jq -s '.[0].cpu_stats.cpu_usage.total_usage == .[1].precpu_stats.cpu_usage.total_usage' "$BATS_TEST_TMPDIR/stream")" = true ]
	[ "$(jq -s '.[0].read == .[1].preread' "$BATS_TEST_TMPDIR/stream")" = true ]
	api /_ping | grep -q OK
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

@test "stats: a stopped container gives docker's zeroed answer" {
	local id out
	id=$("${C[@]}" create --name stopped busybox true)
	out=$(api "/v1.41/containers/$id/stats?stream=false")
	echo "$out" | jq -e '.read == "0001-01-01T00:00:00Z" and .pids_stats == {} and .memory_stats == {}'
	echo "$out" | jq -e '.cpu_stats.cpu_usage.total_usage == 0 and .blkio_stats.io_service_bytes_recursive == null and .name == "/stopped"'
	"${C[@]}" rm "$id"
}

@test "update: a running container: memory and pids limits in its cgroups, the record, 400s" {
	local id
	id=$("${C[@]}" run -d --name up busybox sleep 1000)
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Memory":67108864,"PidsLimit":50}' "/v1.41/containers/$id/update")" = 200 ]
	jq -e '.Warnings == []' "$BATS_TEST_TMPDIR/body"
	[ "$(cg memory "$id" memory.limit_in_bytes)" = 67108864 ]
	[ "$(cg pids "$id" pids.max)" = 50 ]
	api "/v1.41/containers/$id/json" | jq -e '.HostConfig.Memory == 67108864 and .HostConfig.PidsLimit == 50'
	# cpu shares and the restart policy
	[ "$(api_status -X POST -d '{"CpuShares":512,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}}' "/v1.41/containers/$id/update")" = 200 ]
	[ "$(cg cpu "$id" cpu.shares)" = 512 ]
	api "/v1.41/containers/$id/json" | jq -e '.HostConfig.CpuShares == 512 and .HostConfig.RestartPolicy.Name == "on-failure" and .HostConfig.RestartPolicy.MaximumRetryCount == 3'
	# the limits still show in stats
	api "/v1.41/containers/$id/stats?stream=false&one-shot=true" | jq -e '.memory_stats.limit == 67108864 and .pids_stats.limit == 50'
	# docker's 400s; nothing changes
	[ "$(api_status -X POST -d '{"Memory":1024}' "/v1.41/containers/$id/update")" = 400 ]
	jq -e '.message == "Minimum memory limit allowed is 6MB"' "$BATS_TEST_TMPDIR/body"
	[ "$(api_status -X POST -d '{"BlkioWeight":5}' "/v1.41/containers/$id/update")" = 400 ]
	jq -e '.message == "Range of blkio weight is from 10 to 1000"' "$BATS_TEST_TMPDIR/body"
	[ "$(api_status -X POST -d '{"Memory":"lots"}' "/v1.41/containers/$id/update")" = 400 ]
	[ "$(api_status -X POST -d '{"NanoCpus":1000}' "/v1.41/containers/$id/update")" = 400 ]
	jq -e '.message | startswith("Range of CPUs is from 0.01 to")' "$BATS_TEST_TMPDIR/body"
	[ "$(api_status -X POST -d '{"Memory":67108864}' "/v1.41/containers/nosuch/update")" = 404 ]
	[ "$(cg memory "$id" memory.limit_in_bytes)" = 67108864 ]
	api "/v1.41/containers/$id/json" | jq -e '.HostConfig.Memory == 67108864'
	# --rm containers refuse a restart policy
	local rmid
	rmid=$(api -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"AutoRemove":true}}' /v1.41/containers/create | jq -r .Id)
	[ "$(api_status -X POST -d '{"RestartPolicy":{"Name":"always"}}' "/v1.41/containers/$rmid/update")" = 400 ]
	jq -e '.message == "Restart policy cannot be updated because AutoRemove is enabled for the container"' "$BATS_TEST_TMPDIR/body"
	"${C[@]}" rm -f "$id" "$rmid"
	nothing_left "$id" "$rmid"
}

@test "update: a stopped container: only the record; start applies it" {
	local id
	id=$("${C[@]}" create --name later busybox sleep 1000)
	[ "$(api_status -X POST -d '{"Memory":33554432,"PidsLimit":20}' "/v1.41/containers/$id/update")" = 200 ]
	api "/v1.41/containers/$id/json" | jq -e '.HostConfig.Memory == 33554432 and .HostConfig.PidsLimit == 20'
	"${C[@]}" start "$id"
	wait_for 5 test -e "/sys/fs/cgroup/memory/berth/$id/memory.limit_in_bytes"
	[ "$(cg memory "$id" memory.limit_in_bytes)" = 33554432 ]
	[ "$(cg pids "$id" pids.max)" = 20 ]
	# a restart keeps it
	"${C[@]}" restart -t 0 "$id"
	wait_for 5 test -e "/sys/fs/cgroup/pids/berth/$id/pids.max"
	[ "$(cg pids "$id" pids.max)" = 20 ]
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

@test "stats and update: docker 20.10 and 28 CLIs" {
	local cli id out
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		id=$("${C[@]}" run -d --name dk busybox sleep 1000)
		run "$cli" stats --no-stream dk
		echo "$cli: $output"
		[ "$status" -eq 0 ]
		[[ ${lines[0]} == "CONTAINER ID"*"NAME"*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*"NET I/O"*"BLOCK I/O"*"PIDS" ]]
		[[ ${lines[1]} == "${id:0:12}"*" dk "*"%"*"iB / "*"iB"*" 1" ]]
		run "$cli" update -m 64m --pids-limit 50 dk
		echo "$cli: $output"
		[ "$status" -eq 0 ]
		[ "$(cg memory "$id" memory.limit_in_bytes)" = 67108864 ]
		[ "$(cg pids "$id" pids.max)" = 50 ]
		[ "$("$cli" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' dk)" = "67108864 50" ]
		run "$cli" update -m 1k dk
		[ "$status" -ne 0 ]
		[[ $output == *"Minimum memory limit allowed is 6MB"* ]]
		run "$cli" stats --no-stream --format '{{.Name}} {{.PIDs}}' dk
		[ "$output" = "dk 1" ]
		"${C[@]}" rm -f "$id"
		nothing_left "$id"
	done
}

@test "stats and update: berthctl" {
	local id id2 out
	id=$("${C[@]}" run -d --name bc busybox sleep 1000)
	id2=$("${C[@]}" run -d --name bc2 busybox sleep 1000)
	run "${C[@]}" stats --no-stream bc
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "CONTAINER ID   NAME"*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*"NET I/O"*"BLOCK I/O"*"PIDS" ]]
	[[ ${lines[1]} =~ ^${id:0:12}\ +bc\ +[0-9]+\.[0-9]{2}%\ +[0-9.]+[KMG]?i?B\ /\ [0-9.]+[KMGT]?i?B\ +[0-9]+\.[0-9]{2}%\ +0B\ /\ 0B\ +.*\ 1$ ]]
	# no container named: every running one
	run "${C[@]}" stats --no-stream --no-trunc --format '{{.ID}} {{.Name}} {{.PIDs}}'
	echo "$output"
	[[ $output == *"$id bc 1"* && $output == *"$id2 bc2 1"* ]]
	run "${C[@]}" stats --no-stream nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"No such container: nosuch"* ]]
	# streaming redraws until interrupted
	run timeout 3.5 "${C[@]}" stats bc
	(( $(grep -c "CONTAINER ID" <<<"$output") >= 2 ))
	# update
	run "${C[@]}" update -m 48m --memory-swap 96m --pids-limit 30 --cpu-shares 256 --restart on-failure:2 bc
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = bc ]
	[ "$(cg memory "$id" memory.limit_in_bytes)" = 50331648 ]
	[ "$(cg pids "$id" pids.max)" = 30 ]
	[ "$(cg cpu "$id" cpu.shares)" = 256 ]
	api "/v1.41/containers/$id/json" | jq -e '.HostConfig.Memory == 50331648 and .HostConfig.MemorySwap == 100663296 and .HostConfig.RestartPolicy.Name == "on-failure"'
	run "${C[@]}" update --cpus 0.5 bc
	[ "$status" -eq 0 ]
	[ "$(cg cpu "$id" cpu.cfs_quota_us)" = 50000 ]
	run "${C[@]}" update --blkio-weight 1 bc
	[ "$status" -eq 1 ]
	[[ $output == "Error response from daemon: Range of blkio weight is from 10 to 1000" ]]
	run "${C[@]}" update bc
	[ "$status" -eq 125 ]
	"${C[@]}" rm -f "$id" "$id2"
	nothing_left "$id" "$id2"
}
