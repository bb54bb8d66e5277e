#!/usr/bin/env bats
# root: readonly, path, --no-pivot; maskedPaths; readonlyPaths.

load helpers

@test "rootfs: root.readonly=true makes / read-only" {
	bundle_new
	ctr_run sh -c 'touch /newfile 2>/dev/null && echo WROTE; grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	refute_line WROTE
	assert_line ' / ro[, ]'
	[[ ! -e $BUNDLE/rootfs/newfile ]]
}

@test "rootfs: root.readonly=false allows writes that land in the bundle rootfs" {
	bundle_new
	spec_edit '.root.readonly = false'
	ctr_run sh -c 'echo data > /newfile && echo wrote'
	assert_status 0
	assert_output wrote
	assert_eq "$(cat "$BUNDLE/rootfs/newfile")" data "file in rootfs"
}

@test "rootfs: absolute root.path outside the bundle" {
	bundle_new
	mv "$BUNDLE/rootfs" "$T/elsewhere"
	spec_edit '.root.path = $p' --arg p "$T/elsewhere"
	ctr_run sh -c 'cat /etc/hostname'
	assert_status 0
	assert_output busybox
	run --separate-stderr rt state "$ID"
	assert_fail # run removed it
}

@test "rootfs: nonexistent root.path fails" {
	bundle_new
	spec_edit '.root.path = "no-such-rootfs"'
	ctr_run true
	assert_fail
	assert_no_container
}

@test "rootfs: --no-pivot runs the container with the same view of the rootfs" {
	bundle_new
	set_args sh -c 'cat /etc/hostname; ls /; touch /x 2>/dev/null && echo WROTE; true'
	run --separate-stderr rt run --no-pivot --bundle "$BUNDLE" "$ID" </dev/null
	assert_status 0
	assert_line '^busybox$'
	assert_line '^bin$'
	assert_line '^proc$'
	refute_line WROTE
	assert_no_container
}

@test "rootfs: maskedPaths hide files (read empty) and directories (empty)" {
	bundle_new
	echo top-secret >"$BUNDLE/rootfs/secret"
	mkdir "$BUNDLE/rootfs/secretdir"
	echo hidden >"$BUNDLE/rootfs/secretdir/inner"
	spec_edit '.linux.maskedPaths += ["/secret", "/secretdir", "/does/not/exist"]'
	ctr_run sh -c 'echo "file:[$(cat /secret)]"; echo "dir:[$(ls -A /secretdir)]"; echo "keys:[$(cat /proc/keys)]"; echo "fw:[$(ls -A /sys/firmware)]"'
	assert_status 0
	assert_line '^file:\[\]$'
	assert_line '^dir:\[\]$'
	# default maskedPaths that exist on this kernel
	assert_line '^keys:\[\]$'
	assert_line '^fw:\[\]$'
	# host-side content untouched
	assert_eq "$(cat "$BUNDLE/rootfs/secret")" top-secret "rootfs file"
}

@test "rootfs: masked file cannot be written, masked dir is read-only" {
	bundle_new
	spec_edit '.root.readonly = false'
	echo top-secret >"$BUNDLE/rootfs/secret"
	mkdir "$BUNDLE/rootfs/secretdir"
	spec_edit '.linux.maskedPaths += ["/secret", "/secretdir"]'
	ctr_run sh -c 'echo x > /secret; echo "file:[$(cat /secret)]"; touch /secretdir/new 2>/dev/null && echo DIR-WRITTEN; true'
	assert_status 0
	assert_line '^file:\[\]$'
	refute_line DIR-WRITTEN
	assert_eq "$(cat "$BUNDLE/rootfs/secret")" top-secret "rootfs file"
}

@test "rootfs: readonlyPaths cannot be written, other paths can" {
	bundle_new
	spec_edit '.root.readonly = false'
	mkdir -p "$BUNDLE/rootfs/rodir" "$BUNDLE/rootfs/rwdir"
	spec_edit '.linux.readonlyPaths += ["/rodir", "/does/not/exist"]'
	ctr_run sh -c 'touch /rodir/f 2>/dev/null && echo RO-WRITTEN; touch /rwdir/f && echo rw-ok; echo 1 > /proc/sys/kernel/shm_rmid_forced 2>/dev/null && echo PROCSYS-WRITTEN; true'
	assert_status 0
	refute_line RO-WRITTEN
	refute_line PROCSYS-WRITTEN
	assert_line '^rw-ok$'
	[[ ! -e $BUNDLE/rootfs/rodir/f ]]
	[[ -e $BUNDLE/rootfs/rwdir/f ]]
}

@test "rootfs: readonlyPaths are ro mounts in mountinfo" {
	bundle_new
	ctr_run cat /proc/self/mountinfo
	assert_status 0
	local p
	for p in /proc/sys /proc/sysrq-trigger /proc/bus /proc/fs /proc/irq; do
		[[ -e /$p ]] || continue
		grep -qE "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ $p ro[, ]" <<<"$output" || {
			echo "$p is not a ro mount" >&2
			false
		}
	done
}
