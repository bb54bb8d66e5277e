#!/usr/bin/env bats
# tests/integration/berthd_cp.bats: docker cp, diff, export and commit through berthd (issue 8):
# the archive endpoints (HEAD/GET/PUT /containers/{id}/archive) on running and stopped
# containers, the symlink escape guard, /changes, /export, /commit; with berthctl, curl and the
# stock docker CLIs (20.10 and 28).
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown: every container and committed image is removed; berthd is stopped by its PID, any
# shim naming $BD/s.sock is killed by PID, and peers_teardown unmounts what is under $PD. Files
# on the host live under $PD only.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file cp; }

teardown_file() { bdc_teardown_file; }

setup() {
	bdc_setup
	W=$PD/w.$BATS_TEST_NUMBER
	rm -rf "$W"
	mkdir -p "$W"
}

teardown() {
	local img
	bdc_remove_containers
	for img in $(api /v1.41/images/json | jq -r '.[] | select((.RepoTags // []) | index("busybox:latest") | not) | .Id'); do
		api -X DELETE "/v1.41/images/$img?force=1" >/dev/null
	done
	rm -rf "$W"
}

# no_temp_mounts: the stopped-container mounts made for cp are gone (a streamed tar's mount
# goes once berthd has finished the response, a moment after the client saw its end).
no_temp_mounts() {
	local i
	for ((i = 0; i < 30; i++)); do
		[[ -z $(ls -d "$BD"/exec/cp-* 2>/dev/null) ]] && break
		sleep 0.1
	done
	[[ -z $(ls -d "$BD"/exec/cp-* 2>/dev/null) ]] || { echo "cp mount dirs left" >&2; return 1; }
	! grep -q "$BD/exec/cp-" /proc/self/mountinfo || { echo "cp mount left" >&2; return 1; }
}

@test "cp: HEAD archive gives docker's stat header; GET of a missing path is docker's 404" {
	local id hdr
	id=$("${C[@]}" create busybox true)
	hdr=$(api -I "/v1.41/containers/$id/archive?path=/bin/sh" | tr -d '\r' | sed -n 's/^X-Docker-Container-Path-Stat: //Ip')
	[ "$(echo "$hdr" | base64 -d | jq -r .name)" = sh ]
	hdr=$(api -I "/v1.41/containers/$id/archive?path=/etc" | tr -d '\r' | sed -n 's/^X-Docker-Container-Path-Stat: //Ip')
	# Go's os.ModeDir | 0755
	[ "$(echo "$hdr" | base64 -d | jq -r .mode)" = $(((1 << 31) | 0755)) ]
	run api -w '%{http_code}' "/v1.41/containers/$id/archive?path=/nope"
	[[ $output == *'"Could not find the file /nope in container '$id'"'*404 ]]
	for cli in $(clis); do
		run "$cli" cp "$id:/nope" "$W/x"
		[ "$status" -ne 0 ]
		[[ $output == *"Could not find the file /nope in container"* || $output == *"No such container:path"* ]]
	done
	no_temp_mounts
}

cp_roundtrip() { # cp_roundtrip CLI ID: a file and a directory in and out
	local cli=$1 id=$2 out=$W/out.$RANDOM
	mkdir -p "$W/src/dir/sub" "$out"
	printf 'hello %s\n' "$cli" >"$W/src/file"
	chmod 0640 "$W/src/file"
	echo deep >"$W/src/dir/sub/deep"
	chmod 0711 "$W/src/dir/sub"
	"$cli" cp "$W/src/file" "$id:/tmp/"
	"$cli" cp "$W/src/dir" "$id:/tmp/"
	"$cli" cp "$id:/tmp/file" "$out/file"
	"$cli" cp "$id:/tmp/dir" "$out/"
	cmp "$W/src/file" "$out/file"
	[ "$(stat -c %a "$out/file")" = 640 ]
	[ "$(cat "$out/dir/sub/deep")" = deep ]
	[ "$(stat -c %a "$out/dir/sub")" = 711 ]
	rm -rf "$out" "$W/src"
}

@test "cp: a file and a directory in and out of a running container (both docker CLIs)" {
	local id cli
	id=$("${C[@]}" run -d busybox sleep 100)
	for cli in $(clis); do
		cp_roundtrip "$cli" "$id"
	done
	# the running container sees what was copied in
	[[ $("${C[@]}" exec "$id" cat /tmp/file) == hello* ]]
	no_temp_mounts
}

@test "cp: a file and a directory in and out of a stopped container; nothing stays mounted" {
	local id cli
	id=$("${C[@]}" create busybox cat /tmp/file)
	for cli in $(clis); do
		cp_roundtrip "$cli" "$id"
	done
	no_temp_mounts
	"${C[@]}" start "$id"
	"${C[@]}" wait "$id"
	[[ $("${C[@]}" logs "$id") == hello* ]]
}

@test "cp: berthctl cp both ways, - for a tar, -a keeps owners" {
	local id
	id=$("${C[@]}" run -d busybox sleep 100)
	echo one >"$W/f"
	"${C[@]}" cp "$W/f" "$id:/f"
	[ "$("${C[@]}" exec "$id" cat /f)" = one ]
	"${C[@]}" cp "$id:/f" "$W/g"
	[ "$(cat "$W/g")" = one ]
	"${C[@]}" cp "$id:/etc" - | tar -t | grep -qx 'etc/passwd'
	mkdir "$W/t" && echo two >"$W/t/x" && chown 1234:1234 "$W/t/x"
	tar -C "$W/t" -c x | "${C[@]}" cp - "$id:/tmp"
	[ "$("${C[@]}" exec "$id" stat -c %u /tmp/x)" = 0 ]
	"${C[@]}" cp -a "$W/t/x" "$id:/tmp/y"
	[ "$("${C[@]}" exec "$id" stat -c %u:%g /tmp/y)" = 1234:1234 ]
}

@test "cp: a symlink to / in the container never reaches the host" {
	local id cli
	mkdir -p "$W/host"
	echo secret >"$W/host/secret"
	id=$("${C[@]}" run -d busybox sh -c "ln -s / /esc && mkdir -p /tmp/t && sleep 100")
	sleep 0.3
	echo payload >"$W/payload"
	for cli in $(clis); do
		# reading through the link stays inside the container: the host file is not there
		run "$cli" cp "$id:/esc$W/host/secret" "$W/got"
		[ "$status" -ne 0 ]
		[[ ! -e $W/got ]]
		# writing through it lands in the container's /tmp, not the host's
		"$cli" cp "$W/payload" "$id:/esc/tmp/t/"
		[[ ! -e /tmp/t/payload ]]
		[ "$("${C[@]}" exec "$id" cat /tmp/t/payload)" = payload ]
		run "$cli" cp "$W/payload" "$id:/esc$W/host/"
		[ "$status" -ne 0 ]
	done
	[[ ! -e $W/host/payload ]]
	[ "$(cat "$W/host/secret")" = secret ]
	# a tar entry with .. stays inside too
	tar -C "$W" -c -P --transform 's|^|../../..|' payload 2>/dev/null | api -X PUT -H 'Content-Type: application/x-tar' --data-binary @- "/v1.41/containers/$id/archive?path=/tmp" >/dev/null || true
	[[ ! -e /payload ]]
}

@test "diff: added, changed and deleted files (berthctl and both docker CLIs)" {
	local id cli out
	id=$("${C[@]}" run -d busybox sh -c 'touch /new; rm /bin/ls; echo x >> /etc/passwd; sleep 100')
	sleep 0.5
	out=$("${C[@]}" diff "$id")
	echo "$out"
	# docker's list: the bind-mounted /etc files and other mountpoints are not changes
	[ "$out" = "$(printf 'C /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /new')" ]
	for cli in $(clis); do
		out=$("$cli" diff "$id")
		echo "$out" | grep -qx 'A /new'
		echo "$out" | grep -qx 'D /bin/ls'
		echo "$out" | grep -qx 'C /etc/passwd'
	done
	[ "$(api "/v1.41/containers/$id/changes" | jq -c '[.[] | select(.Path == "/new")][0]')" = '{"Path":"/new","Kind":1}' ]
	# a stopped container's diff is the same
	"${C[@]}" kill "$id"
	[ "$("${C[@]}" diff "$id")" = "$out" ]
}

@test "export: the tar holds the container's files (running and stopped)" {
	local id cli
	id=$("${C[@]}" run -d busybox sh -c 'echo mark > /marker; sleep 100')
	sleep 0.3
	"${C[@]}" export "$id" | tar -t >"$W/list"
	grep -qx marker "$W/list"
	grep -qx 'bin/sh' "$W/list"
	"${C[@]}" export -o "$W/e.tar" "$id"
	[ "$(tar -xOf "$W/e.tar" marker)" = mark ]
	"${C[@]}" kill "$id"
	for cli in $(clis); do
		"$cli" export "$id" >"$W/d.tar"
		[ "$(tar -xOf "$W/d.tar" marker)" = mark ]
	done
	no_temp_mounts
}

@test "commit: the new image runs with the committed file; --change CMD" {
	local id img cli
	id=$("${C[@]}" run -d busybox sh -c 'echo committed > /c.txt; rm /bin/ls; sleep 100')
	sleep 0.3
	img=$("${C[@]}" commit -m msg -a me "$id" cptest:one)
	[[ $img == sha256:* ]]
	[ "$("${C[@]}" run --rm cptest:one cat /c.txt)" = committed ]
	run "${C[@]}" run --rm cptest:one ls /
	[ "$status" -ne 0 ]
	[ "$(api /v1.41/images/cptest:one/json | jq -r .Comment)" = msg ]
	[ "$(api /v1.41/images/cptest:one/json | jq -r .Author)" = me ]
	# the container was paused for the commit and runs again
	[ "$(api "/v1.41/containers/$id/json" | jq -r .State.Status)" = running ]
	for cli in $(clis); do
		"$cli" commit --change 'CMD ["echo","hi"]' "$id" cptest:two
		[ "$("$cli" run --rm cptest:two)" = hi ]
		[ "$("$cli" run --rm cptest:two cat /c.txt)" = committed ]
	done
}
