#!/usr/bin/env bats
# tests/integration/berthd_volumes.bats: volumes through berthd (issue 8): named and anonymous
# volumes, the image's Volumes with copy-up, rm -v, in-use removal refused, prune, the local
# driver's tmpfs and bind options, berthd kill -9; with berthctl, curl and the stock docker
# CLIs (20.10 and 28).
#
# setup_file starts one berthd on a private data-root under $PD, loads the busybox image and
# commits "volimg" (busybox with VOLUME /data holding a file owned by nobody). Teardown: every
# container is removed, then every volume; at the end berthd is stopped by its PID, any shim of
# ours killed by PID, and peers_teardown unmounts what is under $PD. After each test: no shim,
# bundle, mount or cgroup of its containers, and nothing mounted under the volumes directory.

load helpers
load peers
load berthd_helpers

setup_file() {
	bdc_setup_file volumes
	local c=("$BERTHCTL" -H "unix://$BD/s.sock")
	"${c[@]}" run --name seedc busybox sh -c 'mkdir -p /data/sub && echo seeded >/data/seed && chown 65534:65534 /data/seed && chmod 0750 /data' >&2
	"${c[@]}" commit -c 'VOLUME /data' seedc volimg >&2
	"${c[@]}" rm seedc >&2
}

teardown_file() { bdc_teardown_file; }

setup() { bdc_setup; }

remove_volumes() {
	local v
	for v in $(api /v1.41/volumes | jq -r '.Volumes[]?.Name'); do
		api -X DELETE "/v1.41/volumes/$v?force=1" >/dev/null
	done
}

teardown() {
	bdc_remove_containers
	remove_volumes
}

# no_volume_mounts: nothing is mounted under the data-root's volumes directory.
no_volume_mounts() {
	! grep -q " $BD/data/volumes/" /proc/self/mountinfo || {
		echo "volume mounts left:" >&2
		grep " $BD/data/volumes/" /proc/self/mountinfo >&2
		return 1
	}
}

vol_names() { api /v1.41/volumes | jq -r '[.Volumes[]?.Name] | sort | join(" ")'; }

@test "volumes: berthctl volume create/ls/inspect/rm; data written by one container is read by the next" {
	local a b
	run "${C[@]}" volume create --label team=a --label tier data1
	[ "$status" -eq 0 ] && [ "$output" = data1 ]
	# the same name again: the existing volume, as dockerd
	run "${C[@]}" volume create data1
	[ "$status" -eq 0 ] && [ "$output" = data1 ]
	[ -d "$BD/data/volumes/data1/_data" ]
	run "${C[@]}" volume ls
	[ "${lines[0]}" = "DRIVER    VOLUME NAME" ]
	[ "${lines[1]}" = "local     data1" ]
	[ "$("${C[@]}" volume ls -q)" = data1 ]
	[ "$("${C[@]}" volume ls --format '{{.Name}} {{.Driver}} {{.Labels}}')" = "data1 local team=a,tier=" ]
	run "${C[@]}" volume inspect -f '{{.Name}} {{.Mountpoint}} {{.Scope}}' data1
	[ "$output" = "data1 $BD/data/volumes/data1/_data local" ]
	api /v1.41/volumes/data1 | jq -e '.Labels == {"team":"a","tier":""} and .Options == null and .Driver == "local" and (.CreatedAt | test("^[0-9-]{10}T[0-9:]{8}Z$"))'
	a=$("${C[@]}" run -d -v data1:/data busybox sh -c 'echo hello >/data/f')
	"${C[@]}" wait "$a"
	run "${C[@]}" run --rm -v data1:/mnt:ro busybox sh -c 'cat /mnt/f; touch /mnt/x 2>/dev/null || echo read-only'
	[ "$output" = $'hello\nread-only' ]
	# inspect's Mounts in docker's shape
	api "/v1.41/containers/$a/json" | jq -e --arg src "$BD/data/volumes/data1/_data" \
		'.Mounts == [{"Type":"volume","Name":"data1","Source":$src,"Destination":"/data","Driver":"local","Mode":"z","RW":true,"Propagation":""}]'
	api "/v1.41/containers/json?all=1" | jq -e --arg id "$a" '.[] | select(.Id == $id) | .Mounts[0].Name == "data1"'
	# rm -v never removes a named volume
	"${C[@]}" rm -v "$a"
	[ "$(vol_names)" = data1 ]
	b=$("${C[@]}" run -d -v data1:/d busybox cat /d/f)
	"${C[@]}" wait "$b"
	[ "$("${C[@]}" logs "$b")" = hello ]
	"${C[@]}" rm "$b"
	run "${C[@]}" volume rm data1
	[ "$status" -eq 0 ] && [ "$output" = data1 ]
	[ ! -e "$BD/data/volumes/data1" ]
	run "${C[@]}" volume inspect data1
	[ "$status" -eq 1 ] && [[ $output == *"No such volume: data1"* ]]
	nothing_left "$a" "$b"
	no_volume_mounts
}

@test "volumes: the image's Volumes become anonymous volumes with the image's content copied up; rm -v" {
	local a b c src
	a=$("${C[@]}" create --name withvol volimg sh -c 'ls -ln /data; stat -c "%a" /data; cat /data/seed; echo more >>/data/seed')
	src=$(api "/v1.41/containers/$a/json" | jq -r '.Mounts[0].Source')
	api "/v1.41/containers/$a/json" | jq -e '.Mounts | length == 1 and .[0].Type == "volume" and .[0].Destination == "/data" and .[0].Mode == "" and (.[0].Name | test("^[0-9a-f]{64}$"))'
	# made at create, filled at start
	[ -d "$src" ] && [ -z "$(ls -A "$src")" ]
	"${C[@]}" start "$a"
	"${C[@]}" wait "$a"
	run "${C[@]}" logs "$a"
	[[ $output == *"65534"*"seed"* && $output == *"sub"* ]]
	[[ $output == *$'\n750\nseeded'* ]]
	[ "$(cat "$src/seed")" = $'seeded\nmore' ]
	[ "$(stat -c '%u %a' "$src/seed" "$src")" = $'65534 644\n0 750' ]
	# a second start does not copy again over what is there
	"${C[@]}" start "$a"
	"${C[@]}" wait "$a"
	[ "$(cat "$src/seed")" = $'seeded\nmore\nmore' ]
	# nocopy: an empty named volume stays empty
	run "${C[@]}" run --rm -v empty1:/data:nocopy volimg ls -A /data
	[ "$status" -eq 0 ] && [ -z "$output" ]
	# a named volume over the image's path gets the copy too, and no anonymous one is made
	run "${C[@]}" run --rm -v filled:/data volimg cat /data/seed
	[ "$output" = seeded ]
	# -v /dst: anonymous, empty (busybox has nothing there)
	b=$("${C[@]}" create -v /scratch busybox true)
	api "/v1.41/containers/$b/json" | jq -e '.Mounts[0].Destination == "/scratch" and .Mounts[0].Mode == ""'
	c=$("${C[@]}" create -v /scratch busybox true)
	# rm without -v keeps the anonymous volume; rm -v removes it; named ones stay
	local va vb vc
	va=$(api "/v1.41/containers/$a/json" | jq -r '.Mounts[0].Name')
	vb=$(api "/v1.41/containers/$b/json" | jq -r '.Mounts[0].Name')
	vc=$(api "/v1.41/containers/$c/json" | jq -r '.Mounts[0].Name')
	"${C[@]}" rm "$a"
	api "/v1.41/volumes/$va" | jq -e '.Name'
	"${C[@]}" rm -v "$b"
	[ "$(api_status "/v1.41/volumes/$vb")" = 404 ]
	[ ! -e "$BD/data/volumes/$vb" ]
	# --rm removes its anonymous volumes (docker's AutoRemove with RemoveVolume)
	local before
	before=$(vol_names)
	"${C[@]}" run --rm -v /tmpvol busybox true
	[ "$(vol_names)" = "$before" ]
	# container prune keeps the volumes
	"${C[@]}" container prune -f >/dev/null
	api "/v1.41/volumes/$vc" | jq -e '.Name'
	[ "$(vol_names)" = "$(echo "$va empty1 filled $vc" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" ]
	nothing_left "$a" "$b" "$c"
	no_volume_mounts
}

@test "volumes: a volume in use cannot be removed (409 naming the container); 404 for an unknown one; force" {
	local a
	a=$("${C[@]}" create --name user1 -v busy:/b busybox true)
	[ "$(api_status -X DELETE /v1.41/volumes/busy)" = 409 ]
	jq -e --arg id "$a" '.message == "remove busy: volume is in use - [\($id)]"' "$BATS_TEST_TMPDIR/body"
	[ "$(api_status -X DELETE '/v1.41/volumes/busy?force=1')" = 409 ]
	run "${C[@]}" volume rm busy
	[ "$status" -eq 1 ] && [[ $output == *"Error response from daemon: remove busy: volume is in use - [$a]"* ]]
	[ "$(api_status -X DELETE /v1.41/volumes/nosuch)" = 404 ]
	jq -e '.message == "get nosuch: no such volume"' "$BATS_TEST_TMPDIR/body"
	[ "$(api_status /v1.41/volumes/nosuch)" = 404 ]
	[ "$(api_status -X DELETE '/v1.41/volumes/nosuch?force=1')" = 204 ]
	# once the container is gone, it can go
	"${C[@]}" rm "$a"
	[ "$(api_status -X DELETE /v1.41/volumes/busy)" = 204 ]
	nothing_left "$a"
}

@test "volumes: prune removes every unused volume (API 1.41), label filters; ls filters; system df" {
	local a
	"${C[@]}" volume create --label keep=yes kept >/dev/null
	"${C[@]}" volume create --label env=test t1 >/dev/null
	"${C[@]}" volume create unl >/dev/null
	a=$("${C[@]}" create -v used:/u -v /anon busybox true)
	local anon
	anon=$(api "/v1.41/containers/$a/json" | jq -r '.Mounts[] | select(.Destination == "/anon") | .Name')
	echo data >"$BD/data/volumes/t1/_data/f"
	# ls filters
	[ "$("${C[@]}" volume ls -q --filter dangling=true | sort | tr '\n' ' ')" = "kept t1 unl " ]
	[ "$("${C[@]}" volume ls -q --filter dangling=false | sort | tr '\n' ' ')" = "$(echo "$anon used" | tr ' ' '\n' | sort | tr '\n' ' ')" ]
	[ "$("${C[@]}" volume ls -q --filter label=env=test)" = t1 ]
	[ "$("${C[@]}" volume ls -q --filter name=^un)" = unl ]
	[ "$("${C[@]}" volume ls -q --filter driver=local | wc -l)" = 5 ]
	[ "$(api_status '/v1.41/volumes?filters={"bogus":{"x":true}}')" = 400 ]
	jq -e '.message == "Invalid filter '\''bogus'\''"' "$BATS_TEST_TMPDIR/body"
	# system df: sizes and reference counts
	api /v1.41/system/df | jq -e '[.Volumes[] | select(.Name == "t1")][0].UsageData == {"RefCount":0,"Size":5}'
	api /v1.41/system/df | jq -e '[.Volumes[] | select(.Name == "used")][0].UsageData.RefCount == 1'
	# prune with a label filter, then label!, then everything unused
	run "${C[@]}" volume prune -f --filter label=env=test
	[ "$output" = $'Deleted Volumes:\nt1\n\nTotal reclaimed space: 5B' ]
	api -X POST '/v1.41/volumes/prune?filters={"label!":{"keep":true}}' | jq -e '.VolumesDeleted == ["unl"] and .SpaceReclaimed == 0'
	api -X POST /v1.41/volumes/prune | jq -e '.VolumesDeleted == ["kept"]'
	api -X POST /v1.41/volumes/prune | jq -e '.VolumesDeleted == null and .SpaceReclaimed == 0'
	# without -f berthctl asks, and "n" keeps everything
	run bash -c "echo n | ${C[*]} volume prune"
	[[ $output == *"Are you sure you want to continue? [y/N] Total reclaimed space: 0B"* ]]
	[ "$(vol_names)" = "$(echo "$anon used" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" ]
	"${C[@]}" rm -v "$a"
	[ "$(vol_names)" = used ]
	nothing_left "$a"
}

@test "volumes: the local driver's options: tmpfs mounted while used, unmounted after the last user; bind" {
	local a b host
	"${C[@]}" volume create -d local -o type=tmpfs -o device=tmpfs -o o=size=4m,mode=1777 tv >/dev/null
	api /v1.41/volumes/tv | jq -e '.Options == {"type":"tmpfs","device":"tmpfs","o":"size=4m,mode=1777"}'
	no_volume_mounts
	a=$("${C[@]}" run -d -v tv:/t busybox sh -c 'echo x >/t/y; df -k /t | tail -1; sleep 100')
	b=$("${C[@]}" run -d -v tv:/t busybox sleep 100)
	wait_for 5 bash -c "\"${C[0]}\" -H \"unix://$BD/s.sock\" logs $a | grep -q tmpfs"
	[[ $("${C[@]}" logs "$a") == *"4096"* ]]
	grep -q " $BD/data/volumes/tv/_data .*tmpfs" /proc/self/mountinfo
	[ "$(cat "$BD/data/volumes/tv/_data/y")" = x ]
	# one user left: still mounted, still shared
	"${C[@]}" stop -t 0 "$a" >/dev/null
	grep -q " $BD/data/volumes/tv/_data " /proc/self/mountinfo
	"${C[@]}" stop -t 0 "$b" >/dev/null
	no_volume_mounts
	# a tmpfs volume starts empty again
	run "${C[@]}" run --rm -v tv:/t busybox ls -A /t
	[ -z "$output" ]
	no_volume_mounts
	# mount and unmount events in docker's shape
	api "/v1.41/events?since=0&until=$(($(date +%s) + 1))&filters=%7B%22type%22%3A%7B%22volume%22%3Atrue%7D%7D" >"$BATS_TEST_TMPDIR/ev"
	jq -se --arg id "$a" 'map(select(.Action == "mount" and .Actor.Attributes.container == $id))[0].Actor == {"ID":"tv","Attributes":{"container":$id,"destination":"/t","driver":"local","propagation":"","read/write":"true"}}' "$BATS_TEST_TMPDIR/ev"
	jq -se --arg id "$a" 'map(select(.Action == "unmount" and .Actor.Attributes.container == $id)) | length == 1' "$BATS_TEST_TMPDIR/ev"
	jq -se 'map(select(.Action == "create" and .Actor.ID == "tv")) | length == 1' "$BATS_TEST_TMPDIR/ev"
	# a bind through the driver's options: the host directory is seen, and survives volume rm
	host=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$host"
	echo fromhost >"$host/h"
	"${C[@]}" volume create -o type=none -o device="$host" -o o=bind bv >/dev/null
	run "${C[@]}" run --rm -v bv:/b busybox sh -c 'cat /b/h; echo back >/b/w'
	[ "$output" = fromhost ]
	[ "$(cat "$host/w")" = back ]
	no_volume_mounts
	"${C[@]}" rm "$a" "$b" >/dev/null
	"${C[@]}" volume rm bv tv
	[ "$(cat "$host/h")" = fromhost ]
	# a mount that fails fails the start and leaves nothing mounted
	"${C[@]}" volume create -o type=nosuchfs -o device=x badmnt >/dev/null
	local c
	c=$("${C[@]}" create -v badmnt:/x busybox true)
	run "${C[@]}" start "$c"
	[ "$status" -ne 0 ] && [[ $output == *"error while mounting volume '$BD/data/volumes/badmnt/_data': failed to mount local volume"* ]]
	no_volume_mounts
	"${C[@]}" rm "$c" >/dev/null
	"${C[@]}" volume rm badmnt >/dev/null
	nothing_left "$c"
	# bad options are refused at create with dockerd's texts
	run "${C[@]}" volume create -o foo=bar badopt
	[ "$status" -eq 1 ] && [[ $output == *'create badopt: invalid option: "foo"'* ]]
	run "${C[@]}" volume create -o type=tmpfs badopt
	[[ $output == *'create badopt: missing required option: "device"'* ]]
	run "${C[@]}" volume create 'bad@name'
	[[ $output == *'"bad@name" includes invalid characters for a local volume name'* ]]
	[ "$(vol_names)" = "" ]
	nothing_left "$a" "$b"
}

@test "volumes: --mount type=volume: readonly, volume-nocopy, volume-opt, volume-label; bad specs leave nothing" {
	local a n
	run "${C[@]}" run --rm --mount type=volume,src=mo,dst=/m,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-label=made=bymount busybox sh -c 'grep " /m " /proc/mounts | cut -d" " -f3'
	[ "$output" = tmpfs ]
	api /v1.41/volumes/mo | jq -e '.Labels == {"made":"bymount"} and .Options == {"type":"tmpfs","device":"tmpfs"}'
	run "${C[@]}" run --rm --mount type=volume,src=mro,dst=/data,readonly volimg sh -c 'cat /data/seed; touch /data/x 2>/dev/null || echo read-only'
	[ "$output" = $'seeded\nread-only' ]
	run "${C[@]}" run --rm --mount type=volume,src=mnc,dst=/data,volume-nocopy volimg ls -A /data
	[ -z "$output" ]
	a=$("${C[@]}" create --mount type=volume,dst=/anon busybox true)
	api "/v1.41/containers/$a/json" | jq -e '.Mounts[0].Destination == "/anon" and .Mounts[0].Mode == "z" and (.Mounts[0].Name | length == 64)'
	"${C[@]}" rm -v "$a"
	n=$(vol_names)
	[ "$n" = "mnc mo mro" ]
	# bad specs: 400 with dockerd's texts, no container and no new volume
	body='{"Image":"busybox","HostConfig":{"Binds":["newvol:/x","other:/x"]}}'
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d "$body" /v1.41/containers/create)" = 400 ]
	jq -e '.message == "Duplicate mount point: /x"' "$BATS_TEST_TMPDIR/body"
	body='{"Image":"busybox","HostConfig":{"Binds":["okvol:/x:bogus"]}}'
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d "$body" /v1.41/containers/create)" = 400 ]
	jq -e '.message == "invalid mode: bogus"' "$BATS_TEST_TMPDIR/body"
	body='{"Image":"busybox","HostConfig":{"Binds":["good1:/g"],"Mounts":[{"Type":"volume","Source":"good2","Target":"/h","VolumeOptions":{"DriverConfig":{"Options":{"bogus":"1"}}}}]}}'
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d "$body" /v1.41/containers/create)" = 400 ]
	jq -e '.message == "create good2: invalid option: \"bogus\""' "$BATS_TEST_TMPDIR/body"
	run "${C[@]}" create -v 'b@d:/x' busybox true
	[ "$status" -ne 0 ] && [[ $output == *'includes invalid characters for a local volume name'* ]]
	[ "$(vol_names)" = "$n" ]
	[ "$(api '/v1.41/containers/json?all=1' | jq length)" = 0 ]
	nothing_left "$a"
	no_volume_mounts
}

@test "volumes: --volumes-from shares another container's volumes (:ro), rm -v keeps what the source uses" {
	local src a b cli
	src=$("${C[@]}" create --name vsrc -v shared:/s -v /anon volimg true)
	"${C[@]}" start "$src" >/dev/null
	"${C[@]}" wait "$src" >/dev/null
	a=$("${C[@]}" run -d --volumes-from vsrc busybox sh -c 'echo from-a >/s/a; cat /data/seed; ls /anon && echo anon-ok')
	"${C[@]}" wait "$a" >/dev/null
	run "${C[@]}" logs "$a"
	[[ $output == *seeded* && $output == *anon-ok* ]]
	[ "$(cat "$BD/data/volumes/shared/_data/a")" = from-a ]
	# the source's Mounts, same names; Mode "" as dockerd's copies
	[ "$(api "/v1.41/containers/$a/json" | jq -r '[.Mounts[] | .Name] | sort | join(" ")')" = "$(api "/v1.41/containers/$src/json" | jq -r '[.Mounts[] | .Name] | sort | join(" ")')" ]
	api "/v1.41/containers/$a/json" | jq -e '[.Mounts[].Mode] | unique == [""]'
	run "${C[@]}" run --rm --volumes-from vsrc:ro busybox sh -c 'touch /s/x 2>/dev/null || echo read-only'
	[ "$output" = read-only ]
	# rm -v of the borrower leaves the source's anonymous volumes (still referred to)
	local n
	n=$(vol_names)
	"${C[@]}" rm -v "$a" >/dev/null
	[ "$(vol_names)" = "$n" ]
	for cli in $(clis); do
		b=$("$cli" run -d --volumes-from vsrc busybox cat /s/a)
		"$cli" wait "$b" >/dev/null
		[ "$("$cli" logs "$b")" = from-a ]
		"$cli" rm "$b" >/dev/null
	done
	# an unknown source is 404; a bad mode 400; nothing is made
	run "${C[@]}" create --volumes-from nosuch busybox true
	[ "$status" -ne 0 ] && [[ $output == *"No such container: nosuch"* ]]
	run "${C[@]}" create --volumes-from vsrc:bogus busybox true
	[[ $output == *"invalid mode: bogus"* ]]
	[ "$(vol_names)" = "$n" ]
	"${C[@]}" rm -v "$src" >/dev/null
	[ "$(vol_names)" = shared ]
	nothing_left "$src" "$a"
	no_volume_mounts
}

@test "volumes: berthd kill -9: volumes intact, a running container's tmpfs volume kept, crash leftovers swept" {
	local a
	"${C[@]}" volume create keepme >/dev/null
	echo kept >"$BD/data/volumes/keepme/_data/f"
	"${C[@]}" volume create -o type=tmpfs -o device=tmpfs live >/dev/null
	a=$("${C[@]}" run -d -v live:/l -v keepme:/k busybox sh -c 'echo in-tmpfs >/l/f; sleep 100')
	wait_for 5 test -e "$BD/data/volumes/live/_data/f"
	bd_stop "$BD" KILL
	# what a crash mid-create (directory, no record) or mid-remove leaves
	mkdir -p "$BD/data/volumes/halfmade/_data" "$BD/data/volumes/.tmp-x"
	bd_start "$BD"
	[ ! -e "$BD/data/volumes/halfmade" ] && [ ! -e "$BD/data/volumes/.tmp-x" ]
	[ "$(vol_names)" = "keepme live" ]
	[ "$(cat "$BD/data/volumes/keepme/_data/f")" = kept ]
	# the running container still uses its volumes: the tmpfs stays, removal is refused
	[ "$(cat "$BD/data/volumes/live/_data/f")" = in-tmpfs ]
	[ "$(api_status -X DELETE /v1.41/volumes/live)" = 409 ]
	"${C[@]}" stop -t 0 "$a" >/dev/null
	no_volume_mounts
	"${C[@]}" rm "$a"
	"${C[@]}" volume rm live keepme
	[ -z "$(ls -A "$BD/data/volumes")" ]
	nothing_left "$a"
}

@test "volumes: docker CLI 20.10 and 28: volume create/ls/inspect/rm/prune, run -v, --mount, rm -v" {
	local cli n=0 id anon
	for cli in $(clis); do
		n=$((n + 1))
		run "$cli" volume create "dv$n"
		[ "$status" -eq 0 ] && [ "$output" = "dv$n" ]
		run "$cli" volume create --label a=b -o type=tmpfs -o device=tmpfs -o o=size=1m "dt$n"
		[ "$status" -eq 0 ]
		run "$cli" volume ls
		[[ ${lines[0]} == "DRIVER"*"VOLUME NAME" ]]
		[[ $output == *"local     dv$n"* && $output == *"local     dt$n"* ]]
		[ "$("$cli" volume ls -q --filter label=a=b)" = "dt$n" ]
		[ "$("$cli" volume inspect -f '{{.Mountpoint}}' "dv$n")" = "$BD/data/volumes/dv$n/_data" ]
		[ "$("$cli" volume inspect -f '{{.Options.type}}' "dt$n")" = tmpfs ]
		"$cli" run --rm -v "dv$n:/d" busybox sh -c 'echo via-cli >/d/f'
		[ "$("$cli" run --rm -v "dv$n:/d:ro" busybox cat /d/f)" = via-cli ]
		[ "$("$cli" run --rm --mount "type=volume,src=dt$n,dst=/t" busybox sh -c 'grep " /t " /proc/mounts | cut -d" " -f3')" = tmpfs ]
		[ "$("$cli" run --rm volimg cat /data/seed)" = seeded ]
		id=$("$cli" run -d --name "dk$n" -v "dv$n:/d" -v /anon busybox sleep 100)
		[ "$("$cli" inspect -f '{{range .Mounts}}{{.Type}}:{{.Destination}} {{end}}' "$id")" = "volume:/d volume:/anon " ]
		anon=$("$cli" inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' "$id")
		run "$cli" volume rm "dv$n"
		[ "$status" -ne 0 ] && [[ $output == *"volume is in use"* ]]
		"$cli" rm -f -v "$id"
		[ "$(api_status "/v1.41/volumes/$anon")" = 404 ]
		run "$cli" volume prune -f
		[ "$status" -eq 0 ]
		[[ $output == *"dv$n"* && $output == *"dt$n"* && $output == *"Total reclaimed space:"* ]]
		[ "$(vol_names)" = "" ]
		nothing_left "$id"
		no_volume_mounts
	done
	((n > 0)) || skip "no docker CLI on this host (/usr/bin/docker, /usr/local/bin/docker)"
}
