#!/usr/bin/env bats
# linux.resources where berth goes beyond runc 1.1, so only berth is checked: hugetlb and unified
# keys on the cgroup2 mount of a hybrid host (runc 1.1 refuses both there), cpu burst and idle
# (runtime-spec 1.2), `update --resources` of every resource (runc's update applies only some),
# berth's messages, and the hugetlb part of `events --stats`. The container's cgroup files are
# found from its init's /proc/<pid>/cgroup and the cgroup mounts visible here.

# shellcheck disable=SC2016,SC2154 # jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() {
	bundle_new
	set_args sleep 100
}
teardown() { bundle_cleanup; }

# cgf_locate CONTROLLER PID: "1 DIR" or "2 DIR": the directory of PID's cgroup that holds
# CONTROLLER's files (the v1 hierarchy carrying it if one is mounted here, else the cgroup2 one)
# and that hierarchy's version. A later mount at or above a mountpoint hides it.
cgf_locate() {
	awk -v want="$1" '
	function under(p, mp) { return p == mp || mp == "/" || substr(p, 1, length(mp) + 1) == mp "/" }
	function join(mp, r, p) {
		if (r != "/" && substr(p, 1, length(r)) == r) p = substr(p, length(r) + 1)
		if (p == "/") p = ""
		return (mp == "/" ? "" : mp) p
	}
	FNR == NR {
		sep = 0
		for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
		if (!sep) next
		for (k = 1; k <= n; k++) if (alive[k] && under(mpt[k], $5)) alive[k] = 0
		fs = $(sep + 1)
		if (fs != "cgroup" && fs != "cgroup2") next
		n++; alive[n] = 1; mpt[n] = $5; root[n] = $4
		ver[n] = fs == "cgroup2" ? 2 : 1
		opts[n] = "," $(sep + 3) ","
		next
	}
	{
		c1 = index($0, ":"); rest = substr($0, c1 + 1); c2 = index(rest, ":")
		ctrls = substr(rest, 1, c2 - 1); path = substr(rest, c2 + 1)
		if (ctrls == "") v2path = path
		else if (index("," ctrls ",", "," want ",")) v1path = path
	}
	END {
		for (k = 1; k <= n; k++)
			if (alive[k] && ver[k] == 1 && v1path != "" && index(opts[k], "," want ",")) { print 1, join(mpt[k], root[k], v1path); exit 0 }
		for (k = 1; k <= n; k++)
			if (alive[k] && ver[k] == 2 && v2path != "") { print 2, join(mpt[k], root[k], v2path); exit 0 }
		exit 1
	}' /proc/self/mountinfo "/proc/$2/cgroup"
}

cgf_dir() {
	local v d
	read -r v d < <(cgf_locate "$1" "$2") && [[ -n $d ]] && echo "$d"
}
cgf_ver() {
	local v d
	read -r v d < <(cgf_locate "$1" "$2") && [[ -n $v ]] && echo "$v"
}

# run_ctr: run -d the bundle and set PID.
run_ctr() {
	ctr_run_d
	PID=$(state_field pid)
}

# cg_read CONTROLLER FILE: FILE of the container's cgroup for CONTROLLER.
cg_read() {
	local d
	d=$(cgf_dir "$1" "$PID") || {
		echo "no $1 cgroup for pid $PID" >&2
		return 1
	}
	cat "$d/$2"
}

# self_has CONTROLLER FILE: this process' own cgroup for CONTROLLER has FILE.
self_has() {
	local d
	d=$(cgf_dir "$1" "$BASHPID") && [[ -e $d/$2 ]]
}

has_2mb_pages() { [[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]]; }

# hugetlb_reachable: a hugetlb controller is mounted here, on v1 or in the cgroup2 hierarchy.
hugetlb_reachable() {
	[[ $(cgf_ver hugetlb "$BASHPID") == 1 ]] && return 0
	local root
	root=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	[[ -n $root ]] && grep -qw hugetlb "$root/cgroup.controllers"
}

# expect_create_error MSG: create fails with exactly MSG on stderr and leaves nothing behind.
expect_create_error() {
	brun create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "$1" "create: error"
	assert_no_container
}

@test "cgroups: hugepageLimits go to the host's hugetlb controller, on the cgroup2 mount of a hybrid host" {
	has_2mb_pages || skip "this host has no 2MB huge pages"
	hugetlb_reachable || skip "this host has no hugetlb cgroup controller"
	spec_edit '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	run_ctr
	local d
	d=$(cgf_dir hugetlb "$PID")
	if [[ $(cgf_ver hugetlb "$PID") == 2 ]]; then
		assert_eq "$(<"$d/hugetlb.2MB.max")" 4194304 hugetlb.2MB.max
		# reservations too, where the kernel has them (runc 1.2)
		[[ ! -e $d/hugetlb.2MB.rsvd.max ]] || assert_eq "$(<"$d/hugetlb.2MB.rsvd.max")" 4194304 hugetlb.2MB.rsvd.max
	else
		assert_eq "$(<"$d/hugetlb.2MB.limit_in_bytes")" 4194304 hugetlb.2MB.limit_in_bytes
	fi
}

@test "cgroups: a huge page size the host lacks is an error naming the JSON path" {
	local sizes
	hugetlb_reachable || skip "this host has no hugetlb cgroup controller"
	# 3MB pages exist on no architecture
	sizes=$(for d in /sys/kernel/mm/hugepages/hugepages-*kB; do
		[[ -d $d ]] || continue
		kb=${d##*-}
		kb=${kb%kB}
		if ((kb >= 1 << 20)); then echo "$((kb >> 20))GB $kb"; elif ((kb >= 1 << 10)); then echo "$((kb >> 10))MB $kb"; else echo "${kb}KB $kb"; fi
	done | sort -k2 -n | cut -d' ' -f1 | paste -sd, - | sed 's/,/, /g')
	spec_edit '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 4194304}]'
	expect_create_error "config.json: linux.resources.hugepageLimits[0].pageSize: this host has no \"3MB\" huge pages (it has ${sizes:-none})"
}

@test "cgroups: unified keys are written verbatim into the container's cgroup2 directory" {
	grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "this host has no cgroup v2 hierarchy"
	spec_edit '.linux.resources.unified = {"cgroup.max.descendants": "3"}'
	if has_2mb_pages && hugetlb_reachable && [[ $(cgf_ver hugetlb "$BASHPID") == 2 ]]; then
		spec_edit '.linux.resources.unified += {"hugetlb.2MB.max": "2097152"}'
	fi
	run_ctr
	local d
	# a name no v1 hierarchy carries: the cgroup2 directory
	d=$(cgf_dir "(cgroup2)" "$PID")
	assert_eq "$(<"$d/cgroup.max.descendants")" 3 cgroup.max.descendants
	if [[ -e $d/hugetlb.2MB.max ]]; then
		assert_eq "$(<"$d/hugetlb.2MB.max")" 2097152 hugetlb.2MB.max
	fi
}

@test "cgroups: unified: a key with a slash, a controller cgroup2 does not offer" {
	grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "this host has no cgroup v2 hierarchy"
	spec_edit '.linux.resources.unified = {"../cgroup.procs": "1"}'
	expect_create_error 'config.json: linux.resources.unified.../cgroup.procs: "../cgroup.procs" must be a file name (no "/" or "..")'
	spec_edit '.linux.resources.unified = {"nosuch.max": "1"}'
	expect_create_error 'config.json: linux.resources.unified.nosuch.max: unified resource "nosuch.max" can'"'"'t be set: controller "nosuch" not available'
}

@test "cgroups: unified on a host without cgroup2 is an error naming the JSON path" {
	if grep -q ' - cgroup2 ' /proc/self/mountinfo; then
		# the other side of the same rule: accepted where there is a cgroup2 hierarchy
		spec_edit '.linux.resources.unified = {"cgroup.max.depth": "2"}'
		run_ctr
		return
	fi
	spec_edit '.linux.resources.unified = {"cgroup.max.depth": "2"}'
	expect_create_error "config.json: linux.resources.unified: this host has no cgroup v2 hierarchy"
}

@test "cgroups: cpu burst and idle" {
	local v
	v=$(cgf_ver cpu "$BASHPID")
	if [[ $v == 2 ]]; then
		self_has cpu cpu.max.burst || skip "this kernel has no cpu.max.burst (Linux 5.14+)"
		self_has cpu cpu.idle || skip "this kernel has no cpu.idle (Linux 5.15+)"
	else
		self_has cpu cpu.cfs_burst_us || skip "this kernel has no cpu.cfs_burst_us (Linux 5.14+)"
		self_has cpu cpu.idle || skip "this kernel has no v1 cpu.idle (Linux 5.15+)"
	fi
	spec_edit '.linux.resources.cpu = {"quota": 50000, "period": 100000, "burst": 20000, "idle": 1}'
	run_ctr
	assert_eq "$(cg_read cpu cpu.idle)" 1 cpu.idle
	if [[ $v == 2 ]]; then
		assert_eq "$(cg_read cpu cpu.max.burst)" 20000 cpu.max.burst
		assert_eq "$(cg_read cpu cpu.max)" "50000 100000" cpu.max
	else
		assert_eq "$(cg_read cpu cpu.cfs_burst_us)" 20000 cpu.cfs_burst_us
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 50000 cpu.cfs_quota_us
	fi
}

@test "cgroups: network without net_cls names the JSON path" {
	spec_edit '.linux.resources.network = {"classID": 1048577}'
	if [[ $(cgf_ver net_cls "$BASHPID") == 1 ]]; then
		run_ctr
		assert_eq "$(cg_read net_cls net_cls.classid)" 1048577 net_cls.classid
	elif [[ $(cgf_ver memory "$BASHPID") == 1 ]]; then
		expect_create_error "config.json: linux.resources.network.classID: this host has no net_cls cgroup controller"
	else
		# unified: ignored, as runc's fs2 driver does
		run_ctr
	fi
}

@test "cgroups: kernel memory limits are ignored with one warning" {
	spec_edit '.linux.resources.memory = {"kernel": 67108864, "kernelTCP": 33554432}'
	brun run -d --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$(errmsg)" "config.json: linux.resources.memory.kernel: kernel memory limits are obsolete, ignoring" warning
}

@test "cgroups: update --resources applies every resource, also those runc's update leaves" {
	local dev
	dev=$(stat -c '%Hd:%Ld' "$BUNDLE/rootfs")
	spec_edit '.linux.resources = {"pids": {"limit": 64}, "memory": {"limit": 67108864}}'
	run_ctr
	jq -n --arg dev "$dev" '{
		"pids": {"limit": 32},
		"memory": {"limit": 33554432},
		"cpu": {"shares": 256, "cpus": "0"},
		"unified": {}
	} + (if ($dev | startswith("0:")) then {} else {"blockIO": {
		"throttleReadBpsDevice": [{"major": ($dev | split(":")[0] | tonumber), "minor": ($dev | split(":")[1] | tonumber), "rate": 1048576}]}} end)' \
		>"$T/res.json"
	if has_2mb_pages && hugetlb_reachable; then
		jq '.hugepageLimits = [{"pageSize": "2MB", "limit": 2097152}]' "$T/res.json" >"$T/res2.json"
		mv "$T/res2.json" "$T/res.json"
	fi
	if [[ $(cgf_ver memory "$BASHPID") == 1 ]]; then
		jq '.memory.swappiness = 30' "$T/res.json" >"$T/res2.json"
		mv "$T/res2.json" "$T/res.json"
	fi
	brun update --resources "$T/res.json" "$ID"
	assert_status 0
	assert_eq "$(cg_read pids pids.max)" 32 pids.max
	assert_eq "$(cg_read cpuset cpuset.cpus)" 0 cpuset.cpus
	if [[ $(cgf_ver memory "$PID") == 1 ]]; then
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 33554432 memory.limit_in_bytes
		assert_eq "$(cg_read memory memory.swappiness)" 30 memory.swappiness
	else
		assert_eq "$(cg_read memory memory.max)" 33554432 memory.max
	fi
	if [[ $dev != 0:* ]]; then
		if [[ $(cgf_ver blkio "$PID") == 1 ]]; then
			assert_eq "$(cg_read blkio blkio.throttle.read_bps_device)" "$dev 1048576" read_bps_device
		else
			grep -q "^$dev rbps=1048576 " <(cg_read io io.max)
		fi
	fi
	if jq -e .hugepageLimits "$T/res.json" >/dev/null; then
		if [[ $(cgf_ver hugetlb "$PID") == 2 ]]; then
			assert_eq "$(cg_read hugetlb hugetlb.2MB.max)" 2097152 hugetlb.2MB.max
		else
			assert_eq "$(cg_read hugetlb hugetlb.2MB.limit_in_bytes)" 2097152 hugetlb.2MB.limit_in_bytes
		fi
	fi
}

@test "cgroups: update: bad values name the flag or the JSON path, and change nothing" {
	spec_edit '.linux.resources.pids = {"limit": 64}'
	run_ctr
	brun update --memory 12x --pids-limit 5 "$ID"
	assert_status 1
	assert_eq "$(errmsg)" '--memory: invalid size "12x"' "--memory 12x"
	brun update --cpu-quota 1k "$ID"
	assert_status 1
	assert_eq "$(errmsg)" '--cpu-quota: invalid value "1k"' "--cpu-quota 1k"
	brun update --cpu-share -2 "$ID"
	assert_status 1
	assert_eq "$(errmsg)" '--cpu-share: invalid value "-2"' "--cpu-share -2"
	echo '{"memory": {"limit": "64m"}}' >"$T/bad.json"
	brun update --resources "$T/bad.json" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" '--resources: linux.resources.memory.limit: expected integer, got string' "--resources"
	# a value the plan refuses names the flag that set it
	brun update --blkio-weight 5 "$ID"
	assert_status 1
	assert_eq "$(errmsg)" '--blkio-weight: 5 is below 10' "--blkio-weight 5"
	if [[ $(cgf_ver cpu "$PID") == 1 ]]; then
		# and so does one the kernel refuses (v1 clamps cpu.shares)
		brun update --cpu-share 1 "$ID"
		assert_status 1
		assert_eq "$(errmsg)" '--cpu-share: the minimum allowed cpu-shares is 2' "--cpu-share 1"
		echo '{"cpu": {"shares": 1}}' >"$T/shares.json"
		brun update --resources "$T/shares.json" "$ID"
		assert_status 1
		assert_eq "$(errmsg)" '--resources: linux.resources.cpu.shares: the minimum allowed cpu-shares is 2' "--resources shares 1"
	fi
	assert_eq "$(cg_read pids pids.max)" 64 pids.max
}

@test "cgroups: update sizes are runc's: binary units, fractions, an optional i and b" {
	run_ctr
	local want v
	for v in 64m:67108864 64MiB:67108864 "64 MB:67108864" 1.5g:1610612736 1048576:1048576 512k:524288; do
		brun update --memory "${v%:*}" "$ID"
		assert_status 0
		want=${v##*:}
		if [[ $(cgf_ver memory "$PID") == 1 ]]; then
			assert_eq "$(cg_read memory memory.limit_in_bytes)" "$want" "--memory ${v%:*}"
		else
			assert_eq "$(cg_read memory memory.max)" "$want" "--memory ${v%:*}"
		fi
	done
}

@test "cgroups: update --kernel-memory warns and is ignored; --l3-cache-schema needs Intel RDT" {
	run_ctr
	brun update --kernel-memory 64m --pids-limit 20 "$ID"
	assert_status 0
	assert_eq "$(errmsg)" "$ID: --kernel-memory: kernel memory limits are obsolete, ignoring" warning
	assert_eq "$(cg_read pids pids.max)" 20 pids.max
	if ! grep -q ' /sys/fs/resctrl ' /proc/self/mountinfo; then
		brun update --l3-cache-schema 'L3:0=f' "$ID"
		assert_status 1
		assert_eq "$(errmsg)" "Intel RDT/CAT: l3 cache schema is not enabled" "--l3-cache-schema"
		brun update --mem-bw-schema 'MB:0=50' "$ID"
		assert_status 1
		assert_eq "$(errmsg)" "Intel RDT/MBA: memory bandwidth schema is not enabled" "--mem-bw-schema"
	fi
}

@test "events --stats: hugetlb has each of the host's page sizes; v1 memory has kernel and kernelTCP" {
	local names
	hugetlb_reachable || skip "this host has no hugetlb cgroup controller"
	run_ctr
	brun events --stats "$ID"
	assert_status 0
	names=$(for d in /sys/kernel/mm/hugepages/hugepages-*kB; do
		[[ -d $d ]] || continue
		kb=${d##*-}
		kb=${kb%kB}
		if ((kb >= 1 << 20)); then echo "$((kb >> 20))GB"; elif ((kb >= 1 << 10)); then echo "$((kb >> 10))MB"; else echo "${kb}KB"; fi
	done | jq -R . | jq -sc 'sort')
	jq -e --argjson names "$names" '.data.hugetlb | (keys | sort) == $names
		and all(.[]; (.usage | type == "number") and (.max | type == "number") and (.failcnt | type == "number"))' \
		<<<"$output" >/dev/null || {
		echo "hugetlb: $(jq -c .data.hugetlb <<<"$output"), want keys $names" >&2
		false
	}
	if [[ $(cgf_ver memory "$PID") == 1 ]]; then
		jq -e '.data.memory.kernel.usage > 0 and (.data.memory.kernelTCP.limit | type == "number")' <<<"$output" >/dev/null
	fi
}
