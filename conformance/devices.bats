#!/usr/bin/env bats
# /dev: default devices and links, linux.devices, device cgroup rules.

load helpers

@test "devices: default device nodes with the right type and major:minor" {
	bundle_new
	# busybox stat: %t/%T = major/minor in hex (all < 10 here)
	ctr_run sh -c 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T %a" /dev/$d)"; done'
	assert_status 0
	assert_output "null character special file 1:3 666
zero character special file 1:5 666
full character special file 1:7 666
random character special file 1:8 666
urandom character special file 1:9 666
tty character special file 5:0 666"
}

@test "devices: default devices work (null, zero, full, urandom)" {
	bundle_new
	ctr_run sh -c 'echo x > /dev/null && echo null-ok
		[ "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 ] && echo zero-ok
		echo x > /dev/full 2>/dev/null || echo full-enospc
		[ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] && echo urandom-ok'
	assert_status 0
	assert_output $'null-ok\nzero-ok\nfull-enospc\nurandom-ok'
}

@test "devices: /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/ptmx links" {
	bundle_new
	ctr_run sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
	assert_status 0
	assert_output "fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2
ptmx -> pts/ptmx"
}

@test "devices: /dev/pts is a devpts mount with a ptmx; /dev/shm is a writable tmpfs" {
	bundle_new
	ctr_run sh -c 'stat -c "%F %t:%T" /dev/pts/ptmx; echo x > /dev/shm/f && echo shm-ok; stat -f -c %T /dev/pts /dev/shm'
	assert_status 0
	assert_output $'character special file 5:2\nshm-ok\ndevpts\ntmpfs'
}

@test "devices: linux.devices creates nodes with the given type, numbers, mode, uid, gid" {
	bundle_new
	spec_edit '.linux.devices = [
		{"path": "/dev/conf-null", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1000, "gid": 1000},
		{"path": "/dev/conf/nested-zero", "type": "c", "major": 1, "minor": 5, "fileMode": 384, "uid": 0, "gid": 65534},
		{"path": "/dev/conf-loop", "type": "b", "major": 7, "minor": 0, "fileMode": 432, "uid": 0, "gid": 0},
		{"path": "/dev/conf-fifo", "type": "p", "fileMode": 420, "uid": 0, "gid": 0}]'
	ctr_run sh -c 'for d in conf-null conf/nested-zero conf-loop conf-fifo; do echo "$d $(stat -c "%F %t:%T %a %u %g" /dev/$d)"; done; echo x > /dev/conf/nested-zero && echo zero-works'
	assert_status 0
	assert_output "conf-null character special file 1:3 640 1000 1000
conf/nested-zero character special file 1:5 600 0 65534
conf-loop block special file 7:0 660 0 0
conf-fifo fifo 0:0 644 0 0
zero-works"
	# nodes are made on the container's /dev tmpfs, never in the rootfs
	[[ ! -e $BUNDLE/rootfs/dev/conf-null ]]
}

@test "devices: device cgroup denies a node not allowed by linux.resources.devices" {
	bundle_new
	# /dev/fuse (10:229) is not in runc's default allow list
	spec_edit '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	ctr_run sh -c 'if (exec 3<>/dev/fuse) 2>/dev/null; then echo OPENED; else echo denied; fi'
	assert_status 0
	assert_output denied
	spec_edit '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	ctr_run sh -c 'if (exec 3<>/dev/fuse) 2>/dev/null; then echo opened; else echo DENIED; fi'
	assert_status 0
	assert_output opened
}
