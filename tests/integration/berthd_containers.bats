#!/usr/bin/env bats
# tests/integration/berthd_containers.bats: berthd's containers without tasks (issue 8, first
# part): create from a loaded busybox image, the merged config and the written config.json,
# ps with filters and formats, inspect, rename, rm, container prune, name conflicts, unknown
# images, rmi of an image in use, a berthd restart; the same through the stock docker CLIs
# (20.10 and 28); and runc accepting the built config.json with the container's snapshot as
# rootfs (runc create, then delete -f), which proves the spec before berthd starts anything.
#
# setup_file starts one berthd on a private data-root under $PD and loads the image; every
# daemon is stopped by its recorded PID, and peers_teardown removes the cgroups (all under
# $PEERS_TAG), mounts (all under $PD) and processes left, failures included.

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
	peers_new ctrs
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
	"$BERTHCTL" -H "unix://$BD/s.sock" load -q -i "$PD/img.tar" >&2
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	peers_teardown
}

setup() {
	export BERTH_HOST=unix://$BD/s.sock DOCKER_HOST=unix://$BD/s.sock
}

teardown() {
	local id
	# runc's container of the spec test, then its mount (the cgroups go with delete -f).
	if [[ -n ${RUNC_ROOT_T:-} ]]; then
		runc --root "$RUNC_ROOT_T" delete -f "ctr-$PEERS_TAG" >/dev/null 2>&1 || true
		umount "$PD/bundle/rootfs" 2>/dev/null || true
	fi
	# Every test starts without containers.
	for id in $(api /v1.41/containers/json?all=1 | jq -r '.[].Id'); do
		api -X DELETE "/v1.41/containers/$id?force=1" >/dev/null
	done
}

api() { # api [curl args...] PATH
	local path=${*: -1}
	curl -gs --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

api_status() { # api_status [curl args...] PATH: the HTTP status only
	local path=${*: -1}
	curl -gs -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

@test "containers: create merges the image config and writes a spec" {
	run "$BERTHCTL" create --name web -e FOO=bar -w /srv -u 1000:1000 -h box --label tier=web \
		-m 64m --cpus 0.5 --pids-limit 99 --cap-add NET_ADMIN --cap-drop MKNOD --read-only \
		--tmpfs /run:size=1m --ulimit nofile=100:200 --security-opt no-new-privileges \
		--add-host db:10.1.2.3 --sysctl net.ipv4.ip_forward=1 --shm-size 8m busybox sh -c 'echo hi'
	[ "$status" -eq 0 ]
	id=$output
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	run "$BERTHCTL" inspect -f '{{.Name}} {{.State.Status}} {{.Path}} {{json .Args}} {{.Config.User}} {{.Config.WorkingDir}} {{.Config.Hostname}}' web
	[ "$output" = '/web created sh ["-c","echo hi"] 1000:1000 /srv box' ]
	run "$BERTHCTL" inspect -f '{{json .Config.Env}} {{json .Config.Labels}} {{.HostConfig.NetworkMode}} {{.GraphDriver.Name}}' web
	[ "$output" = '["FOO=bar","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] {"tier":"web"} default overlay2' ]
	cfg=$BD/data/containers/$id/config.json
	[ -f "$cfg" ]
	jq -e --arg id "$id" '
		.process.args == ["sh","-c","echo hi"] and .process.cwd == "/srv"
		and .process.user.uid == 1000 and .process.user.gid == 1000
		and (.process.env | index("HOSTNAME=box")) and (.process.env | index("FOO=bar"))
		and .process.noNewPrivileges == true
		and .process.rlimits == [{"type":"RLIMIT_NOFILE","hard":200,"soft":100}]
		and (.process.capabilities.bounding | index("CAP_NET_ADMIN"))
		and ((.process.capabilities.bounding | index("CAP_MKNOD")) | not)
		and .root.readonly == true and .hostname == "box"
		and .linux.resources.memory.limit == 67108864
		and .linux.resources.cpu.quota == 50000 and .linux.resources.pids.limit == 99
		and .linux.cgroupsPath == "/berth/\($id)"
		and .linux.sysctl["net.ipv4.ip_forward"] == "1"
		and ([.linux.namespaces[].type] | sort) == ["ipc","mount","network","pid","uts"]
		and (.mounts | map(select(.destination == "/dev/shm"))[0].options | index("size=8388608"))
		and (.mounts | map(select(.destination == "/run"))[0].type == "tmpfs")
		and (.mounts | map(select(.destination == "/etc/hosts"))[0].source | endswith("/\($id)/hosts"))
		and (.linux.maskedPaths | index("/proc/kcore"))' "$cfg"
	grep -qx $'10.1.2.3\tdb' "$BD/data/containers/$id/hosts"
	grep -qx $'127.0.0.1\tbox' "$BD/data/containers/$id/hosts"
	[ "$(cat "$BD/data/containers/$id/hostname")" = box ]
	! grep -q '^nameserver 127\.' "$BD/data/containers/$id/resolv.conf"
	[ -d "$BD/data/snapshots/active/$id/upper" ]
}

@test "containers: ps with -a, -q, -n, filters and formats" {
	a=$("$BERTHCTL" create --name one --label env=prod busybox true)
	b=$("$BERTHCTL" create --name two --label env=dev busybox sleep 1)
	run "$BERTHCTL" ps -q
	[ "$output" = "" ]
	run "$BERTHCTL" ps -aq
	[ "$output" = "$(printf '%s\n%s' "${b:0:12}" "${a:0:12}")" ]
	run "$BERTHCTL" ps -a --format '{{.Names}} {{.Status}} {{.Command}}'
	[ "$output" = "$(printf 'two Created "sleep 1"\none Created "true"')" ]
	run "$BERTHCTL" ps -a --filter label=env=prod --format '{{.ID}}'
	[ "$output" = "${a:0:12}" ]
	run "$BERTHCTL" ps --filter name=two --filter status=created -q
	[ "$output" = "${b:0:12}" ]
	run "$BERTHCTL" ps -a --filter ancestor=busybox -q
	[ "${#lines[@]}" -eq 2 ]
	run "$BERTHCTL" ps -a --filter before=two -q
	[ "$output" = "${a:0:12}" ]
	run "$BERTHCTL" ps -a --filter since=one -q
	[ "$output" = "${b:0:12}" ]
	run "$BERTHCTL" ps -l -q
	[ "$output" = "${b:0:12}" ]
	run "$BERTHCTL" ps -n 5 --no-trunc -q
	[ "${lines[1]}" = "$a" ]
	run "$BERTHCTL" ps -a --format 'table {{.Names}}\t{{.State}}'
	[ "${lines[0]}" = "NAMES     STATE" ]
	[ "${lines[1]}" = "two       created" ]
	# Tables line up as the docker CLI's (tabwriter: minimum width 10, padding 3).
	if [[ -x /usr/bin/docker ]]; then
		fmt='table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.State}}'
		diff <("$BERTHCTL" ps -a --format "$fmt") <(/usr/bin/docker ps -a --format "$fmt")
	fi
	run "$BERTHCTL" ps -a --format '{{json .}}' --filter name=one
	echo "$output" | jq -e '.Names == "one" and .Labels == "env=prod" and .State == "created"'
	run api_status '/v1.41/containers/json?filters={"colour":{"x":true}}'
	[ "$output" = 400 ]
	run api /v1.41/containers/json?all=1
	echo "$output" | jq -e --arg a "$a" '.[1] | .Id == $a and .Names == ["/one"] and .Image == "busybox"
		and (.ImageID | startswith("sha256:")) and .Command == "true" and .State == "created"
		and .Status == "Created" and .HostConfig.NetworkMode == "default" and .Ports == []
		and .Labels == {"env":"prod"} and .Mounts == []'
	run api '/v1.41/containers/json?all=1&size=1'
	echo "$output" | jq -e '.[0] | has("SizeRw") and .SizeRootFs > 0'
}

@test "containers: name conflicts, bad names, unknown images, bad values" {
	"$BERTHCTL" create --name dup busybox true
	run api_status -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' '/v1.41/containers/create?name=dup'
	[ "$output" = 409 ]
	jq -e '.message | test("^Conflict. The container name \"/dup\" is already in use by container \"[0-9a-f]{64}\". You have to remove \\(or rename\\) that container to be able to reuse that name.$")' "$BATS_TEST_TMPDIR/body"
	run api_status -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox"}' '/v1.41/containers/create?name=bad%20name'
	[ "$output" = 400 ]
	jq -e '.message == "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"' "$BATS_TEST_TMPDIR/body"
	run api_status -X POST -H 'Content-Type: application/json' -d '{"Image":"nosuch"}' /v1.41/containers/create
	[ "$output" = 404 ]
	jq -e '.message == "No such image: nosuch:latest"' "$BATS_TEST_TMPDIR/body"
	run api_status -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","HostConfig":{"Memory":1024}}' /v1.41/containers/create
	[ "$output" = 400 ]
	jq -e '.message == "Minimum memory limit allowed is 6MB"' "$BATS_TEST_TMPDIR/body"
	run "$BERTHCTL" create --cap-add BOGUS busybox
	[ "$status" -ne 0 ]
	[[ $output == *'unknown capability: "BOGUS"'* ]]
	run "$BERTHCTL" create -u nosuchuser busybox
	[[ $output == *'unable to find user nosuchuser: no matching entries in passwd file'* ]]
	run "$BERTHCTL" inspect nosuch
	[ "$status" -eq 1 ]
	[[ $output == *'No such object: nosuch'* ]]
	# Nothing of the failed creates is left: one record, one snapshot, one directory.
	[ "$(api /v1.41/containers/json?all=1 | jq length)" = 1 ]
	[ "$(ls "$BD/data/snapshots/active" | wc -l)" = 1 ]
	[ "$(ls "$BD/data/containers" | wc -l)" = 1 ]
}

@test "containers: rename, rm and prune remove record, snapshot and files" {
	id=$("$BERTHCTL" create --name old busybox true)
	run "$BERTHCTL" rename old new
	[ "$status" -eq 0 ]
	run "$BERTHCTL" inspect -f '{{.Name}}' "${id:0:8}"
	[ "$output" = /new ]
	run "$BERTHCTL" rename new new
	[[ $output == *"Renaming a container with the same name as its current name"* ]]
	run "$BERTHCTL" rm new
	[ "$output" = new ]
	[ ! -e "$BD/data/containers/$id" ]
	[ ! -e "$BD/data/snapshots/active/$id" ]
	[ ! -e "$BD/exec/containers/$id" ]
	run api_status "/v1.41/containers/$id/json"
	[ "$output" = 404 ]
	jq -e --arg id "$id" '.message == "No such container: \($id)"' "$BATS_TEST_TMPDIR/body"
	"$BERTHCTL" create busybox true
	"$BERTHCTL" create busybox true
	[ "$(api /info | jq .Containers)" = 2 ]
	[ "$(api /info | jq .ContainersStopped)" = 2 ]
	[ "$(api /v1.41/system/df | jq '.Containers | length')" = 2 ]
	run "$BERTHCTL" container prune
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Deleted Containers:" ]]
	[ "$(api /v1.41/containers/json?all=1)" = "[]" ]
	[ -z "$(ls -A "$BD/data/snapshots/active")" ]
	[ -z "$(ls -A "$BD/data/containers")" ]
}

@test "containers: rmi of an image a container uses is 409; prune keeps it" {
	"$BERTHCTL" tag busybox keep:1
	id=$("$BERTHCTL" create --name user busybox true)
	run api_status -X DELETE /v1.41/images/keep:1
	[ "$output" = 200 ]
	run api_status -X DELETE /v1.41/images/busybox
	[ "$output" = 409 ]
	jq -e --arg s "${id:0:12}" '.message | test("^conflict: unable to remove repository reference \"busybox\" \\(must force\\) - container \($s) is using its referenced image [0-9a-f]{12}$")' "$BATS_TEST_TMPDIR/body"
	img=$(api /v1.41/images/busybox/json | jq -r .Id)
	run api_status -X DELETE "/v1.41/images/$img"
	[ "$output" = 409 ]
	jq -e '.message | test("image is being used by stopped container")' "$BATS_TEST_TMPDIR/body"
	run api_status -X POST '/v1.41/images/prune?filters={"dangling":{"false":true}}'
	[ "$output" = 200 ]
	[ "$(api /v1.41/images/json | jq length)" = 1 ]
	[ -n "$img" ] && [ "$img" != null ]
	# With force, as dockerd 20.10 (checked against it): untag and delete the image; the
	# stopped container keeps its snapshot, and ps names the image by its ID.
	run api_status -X DELETE '/v1.41/images/busybox?force=1'
	[ "$output" = 200 ]
	jq -e --arg img "$img" '. == [{"Untagged":"busybox:latest"},{"Deleted":$img}]' "$BATS_TEST_TMPDIR/body"
	run "$BERTHCTL" ps -a --format '{{.Image}} {{.Names}}'
	[ "$output" = "${img:7:12} user" ]
	[ -d "$BD/data/snapshots/active/$id" ]
	[ -n "$(ls "$BD/data/snapshots" | grep -v active)" ]
	"$BERTHCTL" rm user
	# With the last user gone, nothing is held: the layers are collected by the next sweep.
	run api_status -X POST /v1.41/images/prune
	[ "$output" = 200 ]
	[ -z "$(ls "$BD/data/snapshots" | grep -v '^active$')" ]
	# The image is back for the next tests.
	"$BERTHCTL" load -q -i "$PD/img.tar"
}

@test "containers: a berthd restart keeps containers" {
	id=$("$BERTHCTL" create --name survivor busybox true)
	bd_stop "$BD"
	bd_start "$BD"
	run "$BERTHCTL" ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.Status}}'
	[ "$output" = "$id survivor Created" ]
	[ -d "$BD/data/snapshots/active/$id" ]
	# And kill -9: the record and snapshot are there after the next start too, while what a
	# create or remove cut short left (files and snapshots without a record) is swept.
	bd_stop "$BD" KILL
	mkdir -p "$BD/data/containers/deadbeef" "$BD/data/snapshots/active/deadbeef/upper" \
		"$BD/data/snapshots/active/.tmp-deadbeef.x"
	bd_start "$BD"
	run "$BERTHCTL" inspect -f '{{.Id}}' survivor
	[ "$output" = "$id" ]
	[ "$(ls -A "$BD/data/containers")" = "$id" ]
	[ "$(ls -A "$BD/data/snapshots/active")" = "$id" ]
}

@test "containers: docker CLI 20.10 and 28 create, ps -a, inspect, rm" {
	local cli
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || skip "$cli is not installed on this host (contrib/install-deps.sh)"
	done
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		run "$cli" create --name "d-${cli//\//_}" -e A=1 --label k=v busybox echo hi
		[ "$status" -eq 0 ]
		id=$output
		run "$cli" ps -a --format '{{.ID}} {{.Names}} {{.Status}}'
		[ "$output" = "${id:0:12} d-${cli//\//_} Created" ]
		run "$cli" inspect -f '{{.State.Status}} {{index .Config.Labels "k"}} {{.Config.Cmd}}' "d-${cli//\//_}"
		[ "$output" = "created v [echo hi]" ]
		run "$cli" create --name "d-${cli//\//_}" busybox
		[ "$status" -ne 0 ]
		[[ $output == *"is already in use by container"* ]]
		run "$cli" rm "d-${cli//\//_}"
		[ "$status" -eq 0 ]
		run "$cli" ps -aq
		[ "$output" = "" ]
	done
}

@test "containers: runc accepts the built config.json with the snapshot as rootfs" {
	command -v runc >/dev/null || skip "runc is not installed on this host (contrib/install-deps.sh)"
	id=$("$BERTHCTL" create --cgroup-parent "/$PEERS_TAG" -m 32m --pids-limit 20 -w /made/here \
		-e X=1 busybox sh -c 'echo "$X $(hostname) $(pwd)"')
	gd=$(api "/v1.41/containers/$id/json" | jq -r '.GraphDriver.Data | "lowerdir=\(.LowerDir),upperdir=\(.UpperDir),workdir=\(.WorkDir)"')
	mkdir -p "$PD/bundle/rootfs"
	cp "$BD/data/containers/$id/config.json" "$PD/bundle/config.json"
	mount -t overlay overlay -o "index=off,$gd" "$PD/bundle/rootfs"
	# docker makes the working directory at start; the bundle function does it, here by hand.
	mkdir -p "$PD/bundle/rootfs/made/here"
	RUNC_ROOT_T=$PD/runc
	# Not under `run`: the container's init would hold bats' capture pipe open.
	runc --root "$RUNC_ROOT_T" create --bundle "$PD/bundle" "ctr-$PEERS_TAG" </dev/null >"$PD/runc.out" 2>&1 || {
		cat "$PD/runc.out" >&2
		false
	}
	run runc --root "$RUNC_ROOT_T" state "ctr-$PEERS_TAG"
	[ "$(echo "$output" | jq -r .status)" = created ]
	[ -d "/sys/fs/cgroup/memory/$PEERS_TAG/$id" ]
	[ "$(cat "/sys/fs/cgroup/memory/$PEERS_TAG/$id/memory.limit_in_bytes")" = 33554432 ]
	run runc --root "$RUNC_ROOT_T" delete -f "ctr-$PEERS_TAG"
	[ "$status" -eq 0 ]
	umount "$PD/bundle/rootfs"
	RUNC_ROOT_T=
	# The container wrote nothing through the mount into berthd's snapshot but the workdir.
	[ -d "$BD/data/snapshots/active/$id/upper/made/here" ]
}

@test "containers: the template evaluator also serves images --format" {
	"$BERTHCTL" tag busybox other/name:v2
	run "$BERTHCTL" images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	[ "${#lines[@]}" -eq 2 ]
	if [[ -x /usr/bin/docker ]]; then
		fmt='table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'
		diff <("$BERTHCTL" images --format "$fmt" | sort) <(/usr/bin/docker images --format "$fmt" | sort)
		diff <("$BERTHCTL" images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort) \
			<(/usr/bin/docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort)
	fi
	"$BERTHCTL" rmi other/name:v2
}
