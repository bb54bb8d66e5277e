#!/usr/bin/env bats
# tests/integration/berthd_storage.bats: berthd's storage drivers (issue 7's fallback
# snapshotter): --storage-driver vfs loads, lists, saves and removes images with docker's names
# in /info and image inspect; a data-root where overlay mounts fail (on an overlayfs: overlay is
# no upper layer) falls back to vfs by itself; overlay2 asked for there, a driver other than the
# one existing snapshots were made by, and an unknown driver are clear errors.
#
# Each test starts its own berthd under $PD and stops it by its PID; the overlay mount a test
# makes is unmounted in teardown, failures included.

# shellcheck disable=SC2030,SC2031 # each test points DOCKER_HOST at its own daemon
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
	peers_new storage
	export BERTHD BERTHCTL
}

teardown_file() {
	peers_teardown
}

teardown() {
	bd_stop "$PD/a"
	bd_stop "$PD/o/m/b"
	if mountpoint -q "$PD/o/m"; then umount "$PD/o/m"; fi
	rm -rf "$PD/a" "$PD/o"
}

@test "storage: --storage-driver vfs loads, lists, inspects, saves and removes; /info says vfs" {
	local d=$PD/a
	bd_start "$d" --storage-driver vfs
	export DOCKER_HOST=unix://$d/s.sock
	run -0 docker info --format '{{.Driver}}'
	[ "$output" = vfs ]
	run -0 docker load -i "$PD/img.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
	run -0 /usr/local/bin/docker images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = busybox:latest ]
	run -0 docker image inspect busybox --format '{{.GraphDriver.Name}} {{.GraphDriver.Data.Dir}}'
	[[ $output == "vfs $d/data/snapshots/"*/fs ]]
	# A vfs snapshot is the whole tree (busybox's /bin/sh is in it).
	[ -e "${output#vfs }/bin/busybox" ]
	run -0 docker save -o "$d/s.tar" busybox
	run -0 docker rmi busybox
	bd_store_empty "$d"
	run -0 docker load -i "$d/s.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
	[ "$(cat "$d/data/storage-driver")" = vfs ]
	# Restarted without the flag, the data-root keeps its driver.
	bd_stop "$d"
	bd_start "$d"
	run -0 docker info --format '{{.Driver}}'
	[ "$output" = vfs ]
	run -0 docker image inspect busybox --format '{{.GraphDriver.Name}}'
	[ "$output" = vfs ]
	# Another driver over vfs snapshots is refused, and changes nothing.
	bd_stop "$d"
	run "$BERTHD" --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/s.sock" --config-file "$d/daemon.json" --storage-driver overlay2
	[ "$status" -eq 1 ]
	[[ $output == *'storage-driver \"overlay2\": data-root holds vfs snapshots (start with --storage-driver vfs, or use another data-root)'* ]]
	[ "$(cat "$d/data/storage-driver")" = vfs ]
	run "$BERTHD" --data-root "$d/data" --storage-driver zfs
	[ "$status" -eq 125 ]
	[[ $output == *'storage-driver "zfs": driver not supported (berthd has overlay2 and vfs)'* ]]
	echo '{"storage-driver": "aufs"}' >"$d/bad.json"
	run "$BERTHD" --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/s.sock" --config-file "$d/bad.json"
	[ "$status" -eq 1 ]
	[[ $output == *'storage-driver: driver "aufs" not supported'* ]]
}

@test "storage: overlay2 by default where overlay works; daemon.json storage-driver is read" {
	local d=$PD/a
	bd_start "$d"
	run -0 curl -s --unix-socket "$d/s.sock" http://x/v1.41/info
	[ "$(jq -r .Driver <<<"$output")" = overlay2 ]
	DOCKER_HOST=unix://$d/s.sock docker load -q -i "$PD/img.tar"
	run -0 env DOCKER_HOST="unix://$d/s.sock" docker image inspect busybox --format '{{.GraphDriver.Name}} {{.GraphDriver.Data.UpperDir}}'
	[[ $output == "overlay2 $d/data/snapshots/"*/fs ]]
	DOCKER_HOST=unix://$d/s.sock docker rmi -f busybox
	bd_stop "$d"
	# No snapshots left: the driver may change (daemon.json this time).
	echo '{"storage-driver": "vfs"}' >"$d/daemon.json"
	bd_start "$d"
	run -0 env DOCKER_HOST="unix://$d/s.sock" docker info --format '{{.Driver}}'
	[ "$output" = vfs ]
}

@test "storage: a data-root on overlayfs (no overlay upper layer) falls back to vfs" {
	local b=$PD/o/m/b
	mkdir -p "$PD/o/l" "$PD/o/u" "$PD/o/w" "$PD/o/m"
	mount -t overlay overlay -o "lowerdir=$PD/o/l,upperdir=$PD/o/u,workdir=$PD/o/w" "$PD/o/m"
	echo "{}" >"$PD/o/none.json"
	run "$BERTHD" --data-root "$b/data" --exec-root "$PD/o/exec" -H "unix://$PD/o/x.sock" --config-file "$PD/o/none.json" --storage-driver overlay2
	[ "$status" -eq 1 ]
	[[ $output == *'storage-driver \"overlay2\": overlay mounts do not work on this data-root'* ]]
	bd_start "$b"
	grep -q 'overlay mounts do not work in .*: using vfs' "$b/log"
	export DOCKER_HOST=unix://$b/s.sock
	run -0 docker info --format '{{.Driver}}'
	[ "$output" = vfs ]
	run -0 docker load -i "$PD/img.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
	run -0 docker images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = busybox:latest ]
	run -0 docker save -o "$PD/o-save.tar" busybox
	run -0 docker image prune -af
	bd_store_empty "$b"
	# No overlay probe mount is left behind.
	run grep -F "$PD/o/m/" /proc/self/mountinfo
	[ "$status" -ne 0 ]
}
