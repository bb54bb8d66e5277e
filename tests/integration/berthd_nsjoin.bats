#!/usr/bin/env bats
# tests/integration/berthd_nsjoin.bats: `--pid/--ipc/--network container:X` and the IPC modes
# (issue 8) as dockerd 20.10 has them (checked against a private dockerd 20.10): the target is
# resolved to its full ID at create, joined at start through /proc/<its init>/ns/*; a stopped or
# unknown target is dockerd's error and leaves nothing; shareable, private, none and host IPC
# with --shm-size; with berthctl, curl and the stock docker CLIs (20.10 and 28).
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image;
# teardown removes every container, teardown_file stops berthd and any shim of ours by PID and
# unmounts what is under $PD.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file nsjoin; }

teardown_file() { bdc_teardown_file; }

setup() { bdc_setup; }

teardown() { bdc_remove_containers; }

ns_of() { # ns_of CONTAINER TYPE: the inode of its init's namespace, seen from the host
	readlink "/proc/$(api "/v1.41/containers/$1/json" | jq -r .State.Pid)/ns/$2"
}

create_json() { # create_json NAME HOSTCONFIG-JSON: POST /containers/create, the body in $BATS_TEST_TMPDIR/body
	api_status -X POST -H 'Content-Type: application/json' \
		-d "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"100\"],\"HostConfig\":$2}" \
		"/v1.41/containers/create?name=$1"
}

@test "nsjoin: --pid, --network container:A share A's namespaces; inspect shows container:<id>" {
	local a p n
	a=$("${C[@]}" run -d --name aa busybox sleep 1000)
	# ps in the joiner shows A's sleep as pid 1
	run "${C[@]}" run --rm --pid container:aa busybox ps -o pid,args
	[ "$status" -eq 0 ]
	[[ ${lines[1]} =~ ^\ *1\ +sleep\ 1000$ ]]
	p=$("${C[@]}" run -d --name pj --pid container:aa busybox sleep 1000)
	[ "$(ns_of pj pid)" = "$(ns_of aa pid)" ]
	[ "$(ns_of pj net)" != "$(ns_of aa net)" ]
	# the network: A's namespace, hostname, HOSTNAME and /etc files (dockerd's initializeNetworking)
	n=$("${C[@]}" run -d --name nj --network container:aa busybox sleep 1000)
	[ "$(ns_of nj net)" = "$(ns_of aa net)" ]
	[ "$("${C[@]}" exec nj readlink /proc/self/ns/net)" = "$("${C[@]}" exec aa readlink /proc/self/ns/net)" ]
	[ "$("${C[@]}" exec nj sh -c 'hostname; echo $HOSTNAME; cat /etc/hostname')" = "$(printf '%s\n' "${a:0:12}" "${a:0:12}" "${a:0:12}")" ]
	# a joiner of a joiner ends up in A's namespaces
	run "${C[@]}" run --rm --pid container:pj --network container:nj busybox sh -c 'ps -o pid,args; readlink /proc/self/ns/net'
	[[ $output == *"1 sleep 1000"* ]]
	[[ $output == *"$(ns_of aa net)"* ]]
	# inspect: the full ID, as dockerd stores it; the network joiner shows A's files
	[ "$(api "/v1.41/containers/$p/json" | jq -r '.HostConfig.PidMode, .HostConfig.NetworkMode')" = "container:$a"$'\n'default ]
	api "/v1.41/containers/$n/json" | jq -e --arg a "$a" '.HostConfig.NetworkMode == "container:\($a)" and .Config.Hostname == ($a[:12]) and .HostsPath == "'"$BD"'/data/containers/\($a)/hosts" and .ResolvConfPath == "'"$BD"'/data/containers/\($a)/resolv.conf"'
	# A stops: its PID namespace ends, so does the PID joiner; the network joiner keeps running
	"${C[@]}" stop -t 0 aa
	wait_for 10 bash -c "[ \"\$(curl -s --unix-socket $BD/s.sock http://x/v1.41/containers/$p/json | jq -r .State.Status)\" = exited ]"
	[ "$(api "/v1.41/containers/$n/json" | jq -r .State.Status)" = running ]
	"${C[@]}" rm -f aa pj nj
	nothing_left "$a" "$p" "$n"
}

@test "nsjoin: --ipc shareable, container:A (same namespace and /dev/shm), private, none, host, --shm-size" {
	local a j pr j2
	a=$("${C[@]}" run -d --name sh1 --ipc shareable --shm-size 2m busybox sh -c 'echo hi > /dev/shm/from-a; sleep 1000')
	# the donor's shm is a tmpfs berthd mounted under its bundle, of the asked size
	grep -q " $BD/exec/containers/$a/shm .* - tmpfs shm rw,.*size=2048k" /proc/self/mountinfo
	wait_for 5 "${C[@]}" exec sh1 test -e /dev/shm/from-a
	j=$("${C[@]}" run -d --name ij --ipc container:sh1 busybox sleep 1000)
	[ "$(ns_of ij ipc)" = "$(ns_of sh1 ipc)" ]
	[ "$("${C[@]}" exec ij cat /dev/shm/from-a)" = hi ]
	"${C[@]}" exec ij sh -c 'echo back > /dev/shm/from-j'
	[ "$("${C[@]}" exec sh1 cat /dev/shm/from-j)" = back ]
	[ "$("${C[@]}" exec ij df -k /dev/shm | awk 'NR == 2 {print $2}')" = 2048 ]
	[ "$(api "/v1.41/containers/$j/json" | jq -r .HostConfig.IpcMode)" = "container:$a" ]
	[ "$(api "/v1.41/containers/$a/json" | jq -r '.HostConfig.IpcMode, .HostConfig.ShmSize')" = $'shareable\n2097152' ]
	# a private donor (the default) is refused with dockerd's hint; nothing is left of the joiner
	pr=$("${C[@]}" run -d --name pr busybox sleep 1000)
	[ "$(api "/v1.41/containers/$pr/json" | jq -r .HostConfig.IpcMode)" = private ]
	[ "$(create_json ij2 '{"IpcMode":"container:pr"}')" = 201 ]
	[ "$(api_status -X POST /v1.41/containers/ij2/start)" = 500 ]
	jq -e --arg a "$pr" '.message == "can'"'"'t join IPC of container \($a): non-shareable IPC (hint: use IpcMode:shareable for the donor container)"' "$BATS_TEST_TMPDIR/body"
	j2=$(api /v1.41/containers/ij2/json | jq -r .Id)
	[[ ! -e $BD/exec/containers/$j2 ]]
	# private with --shm-size: its own tmpfs of that size; none: no /dev/shm; host: the host's
	[ "$("${C[@]}" run --rm --ipc private --shm-size 1m busybox df -k /dev/shm | awk 'NR == 2 {print $2}')" = 1024 ]
	[ "$("${C[@]}" run --rm --shm-size 3m busybox df -k /dev/shm | awk 'NR == 2 {print $2}')" = 3072 ]
	run "${C[@]}" run --rm --ipc none busybox ls /dev/shm
	[ "$status" -ne 0 ]
	[[ $output == *"No such file or directory"* ]]
	[ "$("${C[@]}" run --rm --ipc host busybox readlink /proc/self/ns/ipc)" = "$(readlink /proc/self/ns/ipc)" ]
	[ "$("${C[@]}" run --rm --ipc host --shm-size 1m busybox df -k /dev/shm | awk 'NR == 2 {print $2}')" = "$(df -k /dev/shm | awk 'NR == 2 {print $2}')" ]
	# the donor stops: its shm is unmounted; the joiner keeps running with its own reference
	"${C[@]}" stop -t 0 sh1
	! grep -q "$BD/exec/containers/$a/shm" /proc/self/mountinfo || false
	[ "$("${C[@]}" exec ij cat /dev/shm/from-a)" = hi ]
	"${C[@]}" rm -f sh1 ij pr ij2
	nothing_left "$a" "$j" "$pr" "$j2"
}

@test "nsjoin: stopped and unknown targets: dockerd's errors and status codes, nothing left" {
	local st id m
	st=$("${C[@]}" create --name st busybox sleep 100)
	# create: an unknown PID or IPC target is 400 at once; the network's is looked up at start
	[ "$(create_json '' '{"PidMode":"container:nope"}')" = 400 ]
	jq -e '.message == "No such container: nope"' "$BATS_TEST_TMPDIR/body"
	[ "$(create_json '' '{"IpcMode":"container:nope"}')" = 400 ]
	jq -e '.message == "No such container: nope"' "$BATS_TEST_TMPDIR/body"
	[ "$(create_json '' '{"NetworkMode":"container:"}')" = 400 ]
	jq -e '.message == "Invalid network mode: invalid container format container:<name|id>"' "$BATS_TEST_TMPDIR/body"
	[ "$(create_json nn '{"NetworkMode":"container:nope"}')" = 201 ]
	[ "$(api "/v1.41/containers/nn/json" | jq -r .HostConfig.NetworkMode)" = container:nope ]
	[ "$(api_status -X POST /v1.41/containers/nn/start)" = 404 ]
	jq -e '.message == "No such container: nope"' "$BATS_TEST_TMPDIR/body"
	# start with a stopped target: dockerd's texts, 500 (PID, IPC) and 409 (network)
	for m in PidMode:500:"container $st is not running" \
		IpcMode:500:"can't join IPC of container $st: container $st is not running" \
		NetworkMode:409:"cannot join network of a non running container: $st"; do
		[ "$(create_json "x${m%%:*}" "{\"${m%%:*}\":\"container:st\"}")" = 201 ]
		id=$(jq -r .Id "$BATS_TEST_TMPDIR/body")
		[ "$(api "/v1.41/containers/$id/json" | jq -r ".HostConfig.${m%%:*}")" = "container:$st" ]
		m=${m#*:}
		[ "$(api_status -X POST "/v1.41/containers/$id/start")" = "${m%%:*}" ]
		jq -e --arg m "${m#*:}" '.message == $m' "$BATS_TEST_TMPDIR/body"
		# recorded as dockerd does: still created, exit code 128, the error
		api "/v1.41/containers/$id/json" | jq -e --arg m "${m#*:}" '.State.Status == "created" and .State.ExitCode == 128 and .State.Error == $m'
		nothing_left "$id"
	done
	# --rm: a container whose start failed is removed (the docker CLI waits for that)
	run "${C[@]}" run --rm --network container:st busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"cannot join network of a non running container: $st"* ]]
	[ "$(api '/v1.41/containers/json?all=1' | jq length)" = 5 ]
	# the target removed after create: the joiner's start says so
	"${C[@]}" rm st
	[ "$(api_status -X POST /v1.41/containers/xPidMode/start)" = 500 ]
	jq -e --arg a "$st" '.message == "cannot join PID of a non running container: \($a): No such container: \($a)"' "$BATS_TEST_TMPDIR/body"
	nothing_left "$st"
}

@test "nsjoin: a container network mode conflicts with hostname, dns, add-host, publish, expose (400)" {
	"${C[@]}" create --name tg busybox true >/dev/null
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","Hostname":"foo","HostConfig":{"NetworkMode":"container:tg"}}' /v1.41/containers/create)" = 400 ]
	jq -e '.message == "conflicting options: hostname and the network mode"' "$BATS_TEST_TMPDIR/body"
	[ "$(create_json '' '{"NetworkMode":"container:tg","Dns":["1.1.1.1"]}')" = 400 ]
	jq -e '.message == "conflicting options: dns and the network mode"' "$BATS_TEST_TMPDIR/body"
	[ "$(create_json '' '{"NetworkMode":"container:tg","ExtraHosts":["a:1.2.3.4"]}')" = 400 ]
	jq -e '.message == "conflicting options: custom host-to-IP mapping and the network mode"' "$BATS_TEST_TMPDIR/body"
	[ "$(create_json '' '{"NetworkMode":"container:tg","PortBindings":{"80/tcp":[{"HostPort":"80"}]}}')" = 400 ]
	jq -e '.message == "conflicting options: port publishing and the container type network mode"' "$BATS_TEST_TMPDIR/body"
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"container:tg"}}' /v1.41/containers/create)" = 400 ]
	jq -e '.message == "conflicting options: port exposing and the container type network mode"' "$BATS_TEST_TMPDIR/body"
	[ "$(api '/v1.41/containers/json?all=1' | jq length)" = 1 ]
}

@test "nsjoin: the stock docker CLIs: run --pid/--ipc/--network container:A, errors, --rm leaves nothing" {
	local cli a out
	for cli in $(clis); do
		a=$("$cli" run -d --name da --ipc shareable busybox sleep 1000)
		out=$("$cli" run --rm --pid container:da --ipc container:da --network container:da busybox \
			sh -c 'ps -o pid,args | grep -c "^ *1 sleep 1000"; readlink /proc/self/ns/ipc; readlink /proc/self/ns/net')
		[ "$out" = "$(printf '1\n%s\n%s' "$(ns_of da ipc)" "$(ns_of da net)")" ]
		[ "$("$cli" inspect --format '{{.HostConfig.IpcMode}}' da)" = shareable ]
		"$cli" create --name dj --pid container:da busybox true >/dev/null
		[ "$("$cli" inspect --format '{{.HostConfig.PidMode}}' dj)" = "container:$a" ]
		"$cli" stop -t 0 da >/dev/null
		run timeout 30 "$cli" run --rm --network container:da busybox true
		[ "$status" -eq 125 ]
		[[ $output == *"Error response from daemon: cannot join network of a non running container: $a"* ]]
		run timeout 30 "$cli" start dj
		[ "$status" -ne 0 ]
		[[ $output == *"container $a is not running"* ]]
		run timeout 30 "$cli" run --rm --ipc container:nope busybox true
		[ "$status" -eq 125 ]
		[[ $output == *"No such container: nope"* ]]
		"$cli" rm -f da dj >/dev/null
		[ "$(api '/v1.41/containers/json?all=1' | jq length)" = 0 ]
		nothing_left "$a"
	done
}
