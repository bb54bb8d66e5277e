#!/usr/bin/env bats
# mounts: proc, sysfs, tmpfs options, bind ro/rw, rbind, mount flags,
# symlinks in destinations.

load helpers

# mi MOUNTPOINT: print "PER-MOUNT-OPTS FSTYPE SUPER-OPTS" of the top-most
# mount at MOUNTPOINT in the mountinfo held in $output.
mi() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); line = $6 " " $(i+1) " " $(i+3) } END { print line }' <<<"$output"
}

# has_opt "OPTS" OPT: comma separated OPTS contains OPT
has_opt() { [[ ,$1, == *",$2,"* ]]; }

@test "mounts: default proc, sysfs, /dev tmpfs, devpts, shm, mqueue, cgroup" {
	bundle_new
	ctr_run cat /proc/self/mountinfo
	assert_status 0
	local l
	l=$(mi /proc) && [[ $l == *" proc "* ]] || { echo "/proc: $l" >&2; false; }
	l=$(mi /sys)
	[[ $l == *" sysfs "* ]] || { echo "/sys: $l" >&2; false; }
	has_opt "${l%% *}" ro
	has_opt "${l%% *}" nosuid
	has_opt "${l%% *}" nodev
	has_opt "${l%% *}" noexec
	l=$(mi /dev)
	[[ $l == *" tmpfs "* ]] || { echo "/dev: $l" >&2; false; }
	has_opt "${l%% *}" nosuid
	l=$(mi /dev/pts)
	[[ $l == *" devpts "* ]] || { echo "/dev/pts: $l" >&2; false; }
	l=$(mi /dev/shm)
	[[ $l == *" tmpfs "* ]] || { echo "/dev/shm: $l" >&2; false; }
	l=$(mi /dev/mqueue)
	[[ $l == *" mqueue "* ]] || { echo "/dev/mqueue: $l" >&2; false; }
	# a "cgroup" mount at /sys/fs/cgroup: on cgroup v1 runc puts a tmpfs there
	# with one cgroup mount per hierarchy; on v2 it is a cgroup2 mount
	grep -qE ' /sys/fs/cgroup(/[^ ]*)? .* - (cgroup|cgroup2) ' <<<"$output"
}

@test "mounts: tmpfs with size=, mode= and nosuid,nodev,noexec" {
	bundle_new
	spec_edit '.mounts += [{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "noexec", "size=2m", "mode=1750"]}]'
	ctr_run sh -c 'stat -c %a /mnt/t; df -k /mnt/t | tail -n 1; echo x > /mnt/t/f && echo written; cat /proc/self/mountinfo'
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" 1750 "mode of the tmpfs root"
	assert_eq "$(awk '{print $2}' <<<"${lines[1]}")" 2048 "tmpfs size in KiB"
	assert_eq "${lines[2]}" written "write into a tmpfs on a read-only root"
	local l opts super
	l=$(mi /mnt/t)
	opts=${l%% *}
	super=${l##* }
	[[ $l == *" tmpfs "* ]]
	has_opt "$opts" nosuid
	has_opt "$opts" nodev
	has_opt "$opts" noexec
	has_opt "$opts" rw
	has_opt "$super" size=2048k
	has_opt "$super" mode=1750
	# the mount point was created in the bundle's rootfs, not on the host
	[[ -d $BUNDLE/rootfs/mnt/t ]]
	[[ ! -e /mnt/t ]] || [[ ! -e /mnt/t/f ]]
}

@test "mounts: tmpfs with ro option is read-only" {
	bundle_new
	spec_edit '.mounts += [{"destination": "/mnt/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}]'
	ctr_run sh -c 'touch /mnt/ro/f 2>/dev/null && echo WROTE; grep " /mnt/ro " /proc/self/mountinfo'
	refute_line WROTE
	local l
	l=$(mi /mnt/ro)
	has_opt "${l%% *}" ro
}

@test "mounts: bind rw and bind ro of host directories" {
	bundle_new
	mkdir -p "$T/rw" "$T/ro"
	echo host-rw >"$T/rw/in"
	echo host-ro >"$T/ro/in"
	spec_edit '.mounts += [
		{"destination": "/mnt/rw", "type": "bind", "source": $rw, "options": ["bind", "rw"]},
		{"destination": "/mnt/ro", "type": "bind", "source": $ro, "options": ["bind", "ro"]}]' \
		--arg rw "$T/rw" --arg ro "$T/ro"
	ctr_run sh -c 'cat /mnt/rw/in /mnt/ro/in; echo from-ctr > /mnt/rw/out && echo rw-ok; echo x > /mnt/ro/out 2>/dev/null && echo RO-WRITTEN; cat /proc/self/mountinfo'
	assert_status 0
	assert_line '^host-rw$'
	assert_line '^host-ro$'
	assert_line '^rw-ok$'
	refute_line RO-WRITTEN
	assert_eq "$(cat "$T/rw/out")" from-ctr "file written through rw bind"
	[[ ! -e $T/ro/out ]]
	local l
	l=$(mi /mnt/ro)
	has_opt "${l%% *}" ro
	l=$(mi /mnt/rw)
	has_opt "${l%% *}" rw
}

@test "mounts: bind mount of a single file" {
	bundle_new
	echo file-content >"$T/file"
	spec_edit '.mounts += [{"destination": "/etc/conf-file", "type": "bind", "source": $f, "options": ["rbind", "ro"]}]' \
		--arg f "$T/file"
	ctr_run sh -c 'cat /etc/conf-file; echo x >> /etc/conf-file 2>/dev/null && echo WRITTEN; true'
	assert_status 0
	assert_output file-content
	assert_eq "$(cat "$T/file")" file-content "host file"
	# the mount point is a (created) file, not a directory
	[[ -f $BUNDLE/rootfs/etc/conf-file ]]
}

@test "mounts: rbind carries submounts, bind does not" {
	bundle_new
	mkdir -p "$T/src/sub"
	echo lower >"$T/src/sub/marker"
	mount -t tmpfs -o size=1m conf-sub "$T/src/sub"
	record_mount "$T/src/sub"
	echo upper >"$T/src/sub/marker"
	spec_edit '.mounts += [
		{"destination": "/mnt/bind", "type": "bind", "source": $s, "options": ["bind"]},
		{"destination": "/mnt/rbind", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$T/src"
	ctr_run sh -c 'echo "bind:$(cat /mnt/bind/sub/marker)"; echo "rbind:$(cat /mnt/rbind/sub/marker)"'
	assert_status 0
	assert_output $'bind:lower\nrbind:upper'
}

@test "mounts: bind with nosuid,nodev,noexec flags shows them in mountinfo" {
	bundle_new
	mkdir -p "$T/flags"
	cp "$BUNDLE/rootfs/bin/busybox" "$T/flags/bb"
	spec_edit '.mounts += [{"destination": "/mnt/f", "type": "bind", "source": $s,
		"options": ["rbind", "nosuid", "nodev", "noexec"]}]' --arg s "$T/flags"
	ctr_run sh -c '/mnt/f/bb true 2>/dev/null && echo EXECUTED; cat /proc/self/mountinfo'
	assert_status 0
	refute_line EXECUTED
	local l
	l=$(mi /mnt/f)
	has_opt "${l%% *}" nosuid
	has_opt "${l%% *}" nodev
	has_opt "${l%% *}" noexec
}

@test "mounts: later mounts stack on earlier ones, in order" {
	bundle_new
	echo stacked >"$T/f"
	spec_edit '.mounts += [
		{"destination": "/mnt/s", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/mnt/s/deep/f", "type": "bind", "source": $f, "options": ["bind"]}]' \
		--arg f "$T/f"
	ctr_run sh -c 'cat /mnt/s/deep/f'
	assert_status 0
	assert_output stacked
	# /mnt/s/deep was created inside the tmpfs, not in the rootfs
	[[ -d $BUNDLE/rootfs/mnt/s && ! -e $BUNDLE/rootfs/mnt/s/deep ]]
}

@test "mounts: relative bind source is relative to the bundle" {
	bundle_new
	mkdir -p "$BUNDLE/reldir"
	echo rel >"$BUNDLE/reldir/f"
	spec_edit '.mounts += [{"destination": "/mnt/rel", "type": "bind", "source": "reldir", "options": ["rbind"]}]'
	ctr_run cat /mnt/rel/f
	assert_status 0
	assert_output rel
}

@test "mounts: destination through an absolute symlink in the rootfs stays inside it" {
	bundle_new
	local hostdir=$T/hostdir
	mkdir -p "$hostdir"
	echo untouched >"$hostdir/marker"
	# rootfs/evil -> <absolute host path>; must resolve inside the rootfs
	ln -s "$hostdir" "$BUNDLE/rootfs/evil"
	spec_edit '.mounts += [{"destination": "/evil", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	ctr_run sh -c 'echo pwned > /evil/pwned && echo wrote; ls /evil'
	assert_status 0
	assert_line '^wrote$'
	refute_line marker
	# host dir untouched: same content, nothing mounted on it
	assert_eq "$(ls -A "$hostdir")" marker "host dir content"
	assert_eq "$(cat "$hostdir/marker")" untouched "host marker"
	run findmnt -rn "$hostdir"
	assert_fail
	# the tmpfs went to the path inside the rootfs
	[[ -d $BUNDLE/rootfs/$hostdir ]]
}

@test "mounts: destination through a relative ../ symlink stays inside the rootfs" {
	bundle_new
	local hostdir=$T/hostdir2
	mkdir -p "$hostdir"
	echo untouched >"$hostdir/marker"
	# a relative link climbing far above the rootfs, then to the host dir
	ln -s "../../../../../../../../../../..$hostdir" "$BUNDLE/rootfs/evil2"
	spec_edit '.mounts += [{"destination": "/evil2", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	ctr_run sh -c 'echo pwned > /evil2/pwned && echo wrote'
	assert_status 0
	assert_line '^wrote$'
	assert_eq "$(ls -A "$hostdir")" marker "host dir content"
	run findmnt -rn "$hostdir"
	assert_fail
}
