#!/usr/bin/env bats
# Mount propagation: linux.rootfsPropagation and the per-mount propagation
# options (rprivate, rslave, rshared) of bind mounts.
#
# Propagation is observed two ways: the optional fields ("shared:N",
# "master:N") of /proc/self/mountinfo inside the container, and whether a
# mount made on one side of a bind mount shows up on the other side.
#
# Host side: the test makes its own $T/prop a mount point (bound on itself),
# makes it private so nothing mounted under it can reach the rest of the
# host, then shared so it has a peer group of its own that bind mounts of it
# can join or follow. Every host mount is under $T/prop and is recorded, so
# teardown unmounts it.
#
# Reference behaviour (runc 1.1.5): without rootfsPropagation every mount of
# the container's mount namespace is made a slave of the host's (rslave);
# with rootfsPropagation the value is applied to the root of the namespace
# before the rootfs is bound, so a bind of a shared host directory stays in
# its peer group. The container's "/" is a bind of the rootfs made from a
# private parent (pivot_root refuses a shared parent), so it has no master;
# runc 1.1.5 does not re-apply "shared" to it after pivot_root (runc 1.2
# does), so the "shared:" field of "/" is not asserted either way.

load helpers

PROBE_SCRIPT='cat /proc/self/mountinfo
echo READY
while [ ! -e /mnt/p/go ]; do sleep 0.05; done
if [ "$1" = mount ]; then
	mount -t tmpfs -o size=1m conf-from-ctr /mnt/p/fromctr && echo CTR-MOUNTED
fi
echo "SUB:$(cat /mnt/p/sub/marker 2>&1)"'

# prop_src: $T/prop = a private-then-shared mount point of its own, with
# empty dirs sub/ (mounted on by the host after the container started),
# pre/ (a tmpfs mounted before the container is created) and fromctr/
# (mounted on by the container in some tests).
prop_src() {
	PROP=$T/prop
	mkdir -p "$PROP"
	record_mount "$PROP"
	mount --bind "$PROP" "$PROP"
	mount --make-private "$PROP"
	mount --make-shared "$PROP"
	mkdir -p "$PROP/sub" "$PROP/pre" "$PROP/fromctr"
	echo lower >"$PROP/sub/marker"
	record_mount "$PROP/pre"
	mount -t tmpfs -o size=1m conf-pre "$PROP/pre"
	# what the container can see happening under fromctr/ on the host
	record_mount "$PROP/fromctr"
}

# prop_bundle 'OPTIONS-JSON' [mount]: bundle with $PROP bind-mounted at
# /mnt/p with options OPTIONS-JSON (a JSON array, "rbind" is added). With
# "mount", the process gets CAP_SYS_ADMIN and mounts a tmpfs on
# /mnt/p/fromctr once the host says go.
prop_bundle() {
	bundle_new
	prop_src
	spec_edit '.mounts += [{"destination": "/mnt/p", "type": "bind", "source": $src, "options": (["rbind"] + $opts)}]' \
		--arg src "$PROP" --argjson opts "$1"
	if [[ ${2:-} == mount ]]; then
		spec_edit '.process.capabilities |= (.bounding += ["CAP_SYS_ADMIN"] | .effective += ["CAP_SYS_ADMIN"] | .permitted += ["CAP_SYS_ADMIN"])'
	fi
	set_args sh -c "$PROBE_SCRIPT" probe "${2:-}"
}

# prop_run: run the probe detached, wait for READY, mount a tmpfs holding
# marker "upper" on the host at $PROP/sub, let the probe go on, wait until
# it has stopped.
prop_run() {
	if ! rt_run_d; then
		echo "run -d failed; runtime stderr:" >&2
		cat "$CTR_ERR" >&2
		return 1
	fi
	wait_file "$CTR_OUT" '^READY$'
	record_mount "$PROP/sub"
	mount -t tmpfs -o size=1m conf-host "$PROP/sub"
	echo upper >"$PROP/sub/marker"
	touch "$PROP/go"
	wait_file "$CTR_OUT" '^SUB:'
	wait_status stopped
}

# prop_fields MOUNTPOINT: the optional fields of the top-most mount at
# MOUNTPOINT in the container's mountinfo ("none" if it has none); fails if
# there is no such mount.
prop_fields() {
	awk -v m="$1" '$0 == "READY" { exit }
		$5 == m { f = ""; for (i = 7; $i != "-"; i++) f = f (f == "" ? "" : " ") $i; last = f; found = 1 }
		END { if (!found) exit 1; print (last == "" ? "none" : last) }' "$CTR_OUT" || {
		echo "no mount at $1 in the container's mountinfo:" >&2
		cat "$CTR_OUT" >&2
		return 1
	}
}

# expect_fields MOUNTPOINT WANT...: each WANT is "shared", "master", "!shared",
# "!master" or "none"; checks the container's mountinfo fields of MOUNTPOINT.
expect_fields() {
	local mp=$1 f w
	shift
	f=$(prop_fields "$mp") || return 1
	for w in "$@"; do
		case $w in
		none) [[ $f == none ]] ;;
		shared | master) [[ " $f " == *" $w:"* ]] ;;
		!shared | !master) [[ " $f " != *" ${w#!}:"* ]] ;;
		esac || {
			echo "mount $mp in the container: propagation fields [$f], expected $w" >&2
			return 1
		}
	done
}

# expect_sub upper|lower: the probe saw the host's tmpfs at /mnt/p/sub
# (upper: it propagated into the container) or the directory under it.
expect_sub() {
	if ! grep -qx "SUB:$1" "$CTR_OUT"; then
		echo "expected the container to see SUB:$1 (upper = the host's mount on $PROP/sub propagated in):" >&2
		grep '^SUB:' "$CTR_OUT" >&2
		return 1
	fi
}

# host_has_mount PATH: PATH is a mount point in the host's (our) namespace
host_has_mount() { findmnt -rn --mountpoint "$1" >/dev/null; }

@test "propagation: default (no rootfsPropagation): binds are slaves, host mounts go in, container mounts stay in" {
	prop_bundle '[]' mount
	prop_run
	expect_fields / '!master' '!shared'
	# runc makes every mount of the new namespace a slave (rslave) before
	# binding, so the bind follows the host's peer group one way
	expect_fields /mnt/p master '!shared'
	expect_fields /mnt/p/pre master '!shared'
	expect_sub upper
	grep -qx CTR-MOUNTED "$CTR_OUT" || {
		echo "the container could not mount on /mnt/p/fromctr" >&2
		cat "$CTR_OUT" >&2
		false
	}
	if host_has_mount "$PROP/fromctr"; then
		echo "a mount made in the container propagated to the host at $PROP/fromctr" >&2
		false
	fi
}

@test "propagation: rootfsPropagation private: / is private" {
	prop_bundle '[]'
	spec_edit '.linux.rootfsPropagation = "private"'
	prop_run
	expect_fields / none
}

@test "propagation: rootfsPropagation slave: / is not shared, host mounts under a bind go in" {
	prop_bundle '[]'
	spec_edit '.linux.rootfsPropagation = "slave"'
	prop_run
	expect_fields / '!shared'
	# the bind keeps a propagation relation with the host's $PROP (runc: it
	# stays in its peer group; a runtime may make it a slave)
	local f
	f=$(prop_fields /mnt/p)
	[[ $f == *shared:* || $f == *master:* ]] || {
		echo "/mnt/p has no propagation relation with the host: [$f]" >&2
		false
	}
	expect_sub upper
}

@test "propagation: rootfsPropagation shared: mounts under a bind propagate both ways" {
	prop_bundle '[]' mount
	spec_edit '.linux.rootfsPropagation = "shared"'
	prop_run
	expect_fields / '!master'
	# nothing made the host's shared $PROP a slave or private: its bind is a
	# peer of it
	expect_fields /mnt/p shared
	expect_sub upper
	grep -qx CTR-MOUNTED "$CTR_OUT" || {
		echo "the container could not mount on /mnt/p/fromctr" >&2
		cat "$CTR_OUT" >&2
		false
	}
	host_has_mount "$PROP/fromctr" || {
		echo "the container's mount on /mnt/p/fromctr did not propagate to the host ($PROP/fromctr)" >&2
		false
	}
	run findmnt -rn -o SOURCE --mountpoint "$PROP/fromctr"
	assert_output conf-from-ctr
}

@test "propagation: rootfsPropagation with an unknown value fails" {
	bundle_new
	spec_edit '.linux.rootfsPropagation = "sideways"'
	ctr_run true
	assert_fail
	assert_no_container
}

@test "propagation: bind option rprivate: no propagation fields, host mounts do not go in" {
	prop_bundle '["rprivate"]'
	prop_run
	# recursive: the submount carried by rbind is private as well
	expect_fields /mnt/p none
	expect_fields /mnt/p/pre none
	expect_sub lower
}

@test "propagation: bind option rslave: slave of the host's mount, host mounts go in" {
	prop_bundle '["rslave"]'
	prop_run
	expect_fields /mnt/p master '!shared'
	expect_fields /mnt/p/pre master '!shared'
	expect_sub upper
}

@test "propagation: bind option rshared: shared, host mounts go in" {
	prop_bundle '["rshared"]'
	prop_run
	expect_fields /mnt/p shared
	expect_fields /mnt/p/pre shared
	expect_sub upper
}

@test "propagation: bind option rslave under rootfsPropagation shared keeps container mounts in" {
	# rootfsPropagation shared leaves the bind a peer of the host's $PROP
	# (previous tests); rslave on the mount must cut the way back out
	prop_bundle '["rslave"]' mount
	spec_edit '.linux.rootfsPropagation = "shared"'
	prop_run
	expect_fields /mnt/p master '!shared'
	expect_sub upper
	grep -qx CTR-MOUNTED "$CTR_OUT" || {
		echo "the container could not mount on /mnt/p/fromctr" >&2
		cat "$CTR_OUT" >&2
		false
	}
	if host_has_mount "$PROP/fromctr"; then
		echo "a mount made in the container propagated through an rslave bind to the host at $PROP/fromctr" >&2
		false
	fi
}
