#!/usr/bin/env bats
# linux.resources as runc 1.1 applies them, read back from the host's cgroup files: memory, cpu,
# cpuset, pids, blockIO, network, kernel memory, and `update` of what runc's update changes; and
# the blkio part of `events --stats`. The container's cgroup directory is found from its init's
# /proc/<pid>/cgroup and the cgroup mounts visible here (never a fixed path), so the tests read
# the right files on v1, hybrid and v2 hosts and in a private cgroup2-only view alike. Settings
# whose spelling depends on the layout are checked in the layout the host has.

# shellcheck disable=SC2016 # jq programs in single quotes
load helpers

# cgf_locate CONTROLLER PID: "1 DIR" or "2 DIR": the directory of PID's cgroup that holds
# CONTROLLER's files, and the version of its hierarchy: the v1 hierarchy carrying CONTROLLER if
# one is mounted here, else the cgroup2 one. A later mount at or above a mountpoint hides it.
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

# cgf_dir CONTROLLER PID / cgf_ver CONTROLLER PID: the two halves of cgf_locate.
cgf_dir() {
	local v d
	read -r v d < <(cgf_locate "$1" "$2") && [[ -n $d ]] && echo "$d"
}
cgf_ver() {
	local v d
	read -r v d < <(cgf_locate "$1" "$2") && [[ -n $v ]] && echo "$v"
}

# cgf_need CONTROLLER...: skip unless each CONTROLLER can be used here: a v1 hierarchy carries
# it, or the cgroup2 hierarchy's root offers it in cgroup.controllers (blkio is "io" there). A
# cgroup2-only view of a hybrid host offers only what v1 does not hold.
cgf_need() {
	local c v d mp name
	mp=$(awk '{ for (i = 7; i <= NF && $i != "-"; i++) ; if ($(i + 1) == "cgroup2") m = $5 } END { print m }' /proc/self/mountinfo)
	for c; do
		read -r v d < <(cgf_locate "$c" "$BASHPID") || skip "this host has no cgroup hierarchy for the $c controller"
		[[ $v == 1 ]] && continue
		name=$c
		[[ $name == blkio ]] && name=io
		grep -qw -- "$name" "$mp/cgroup.controllers" 2>/dev/null ||
			skip "this host has no $c cgroup controller (its cgroup2 hierarchy offers \"$(cat "$mp/cgroup.controllers" 2>/dev/null)\")"
	done
}

# cgf_unified: /sys/fs/cgroup here is a cgroup2 mount (a unified host, or a cgroup2-only view).
cgf_unified() { [[ $(stat -f -c %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; }

# page_size: the kernel's name of this host's smallest huge page size ("2MB"), and its size in
# bytes after a space; nothing without huge pages.
page_size() {
	local d kb best=
	for d in /sys/kernel/mm/hugepages/hugepages-*kB; do
		[[ -d $d ]] || continue
		kb=${d##*-}
		kb=${kb%kB}
		[[ -z $best ]] || ((kb < best)) && best=$kb
	done
	[[ -n $best ]] || return 1
	if ((best >= 1 << 20)); then
		echo "$((best >> 20))GB $((best << 10))"
	elif ((best >= 1 << 10)); then
		echo "$((best >> 10))MB $((best << 10))"
	else
		echo "${best}KB $((best << 10))"
	fi
}

# res_bundle [ARG...]: a bundle whose cgroup is /res-$ID (removed by delete), running ARGS
# (default: sleep 100) on a writable rootfs.
res_bundle() {
	bundle_new
	CG=/res-$ID
	spec_edit '.linux.cgroupsPath = $cg | .root.readonly = false' --arg cg "$CG"
	if (($#)); then set_args "$@"; else set_args sleep 100; fi
}

# res_run: run -d the bundle, wait until it runs, set PID.
res_run() {
	rt_run_d || {
		echo "run -d failed: $(cat "$CTR_ERR")" >&2
		return 1
	}
	wait_status running
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

# self_has CONTROLLER FILE: this process' own cgroup for CONTROLLER has FILE (what the kernel
# offers, asked before a container exists).
self_has() {
	local d
	d=$(cgf_dir "$1" "$BASHPID") && [[ -e $d/$2 ]]
}

# v2 CONTROLLER: CONTROLLER is spelled the cgroup v2 way on this host.
v2() { [[ $(cgf_ver "$1" "$BASHPID") == 2 ]]; }

# block_dev: "major:minor" of a block device of this host: one that is not a loop, ram or zram
# device if there is one.
block_dev() {
	local d any=
	for d in /sys/block/*; do
		[[ -r $d/dev ]] || continue
		any=${any:-$(<"$d/dev")}
		case ${d##*/} in loop* | ram* | zram*) continue ;; esac
		cat "$d/dev"
		return 0
	done
	[[ -n $any ]] && echo "$any"
}

# run_fails: `run -d` fails and leaves no container behind.
run_fails() {
	run --separate-stderr rt run -d --bundle "$BUNDLE" "$ID" </dev/null
	assert_fail
	assert_no_container
}

@test "resources: memory limit, reservation, swap, swappiness and disableOOMKiller are written" {
	cgf_need memory
	local swap=0
	res_bundle
	if v2 memory; then
		self_has memory memory.swap.max && swap=134217728
	else
		self_has memory memory.memsw.limit_in_bytes && swap=134217728
	fi
	spec_edit '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swappiness": 20,
		"disableOOMKiller": true} | if $swap > 0 then .linux.resources.memory.swap = $swap else . end' --argjson swap "$swap"
	res_run
	if v2 memory; then
		assert_eq "$(cg_read memory memory.max)" 67108864 memory.max
		assert_eq "$(cg_read memory memory.low)" 33554432 memory.low
		# v2's swap.max is v1's memory+swap minus memory
		((swap == 0)) || assert_eq "$(cg_read memory memory.swap.max)" 67108864 memory.swap.max
	else
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 67108864 memory.limit_in_bytes
		assert_eq "$(cg_read memory memory.soft_limit_in_bytes)" 33554432 memory.soft_limit_in_bytes
		((swap == 0)) || assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" 134217728 memory.memsw.limit_in_bytes
		assert_eq "$(cg_read memory memory.swappiness)" 20 memory.swappiness
		grep -qx 'oom_kill_disable 1' <(cg_read memory memory.oom_control)
	fi
}

@test "resources: kernel memory limits are accepted and ignored" {
	res_bundle
	spec_edit '.linux.resources.memory = {"kernel": 67108864, "kernelTCP": 33554432}'
	res_run
	# runc 1.1 ignores both with a warning, on every kernel; where the files still exist they
	# keep the limit they were created with
	if ! v2 memory; then
		if self_has memory memory.kmem.tcp.limit_in_bytes; then
			[[ $(cg_read memory memory.kmem.tcp.limit_in_bytes) != 33554432 ]]
		fi
		if self_has memory memory.kmem.limit_in_bytes; then
			[[ $(cg_read memory memory.kmem.limit_in_bytes) != 67108864 ]]
		fi
	fi
}

@test "resources: cpu shares, quota, period and realtime are written" {
	cgf_need cpu
	local rt=0
	res_bundle
	if ! v2 cpu && self_has cpu cpu.rt_runtime_us; then
		rt=1
	fi
	spec_edit '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 200000}
		| if $rt == 1 then .linux.resources.cpu += {"realtimePeriod": 1000000, "realtimeRuntime": 10000} else . end' \
		--argjson rt "$rt"
	res_run
	if v2 cpu; then
		# shares [2, 262144] -> weight [1, 10000]: 1 + (512 - 2) * 9999 / 262142
		assert_eq "$(cg_read cpu cpu.weight)" 20 cpu.weight
		assert_eq "$(cg_read cpu cpu.max)" "50000 200000" cpu.max
	else
		assert_eq "$(cg_read cpu cpu.shares)" 512 cpu.shares
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 50000 cpu.cfs_quota_us
		assert_eq "$(cg_read cpu cpu.cfs_period_us)" 200000 cpu.cfs_period_us
		if ((rt)); then
			assert_eq "$(cg_read cpu cpu.rt_period_us)" 1000000 cpu.rt_period_us
			assert_eq "$(cg_read cpu cpu.rt_runtime_us)" 10000 cpu.rt_runtime_us
		fi
	fi
}

@test "resources: cpu shares the kernel clamps are an error" {
	cgf_need cpu
	v2 cpu && skip "this host has no cgroup v1 cpu controller (cpu.shares clamping is v1's)"
	res_bundle
	spec_edit '.linux.resources.cpu = {"shares": 1}'
	run_fails
	[[ $stderr == *"the minimum allowed cpu-shares is 2"* ]] || {
		echo "stderr: $stderr" >&2
		false
	}
	spec_edit '.linux.resources.cpu = {"shares": 300000}'
	run_fails
	[[ $stderr == *"the maximum allowed cpu-shares is 262144"* ]] || {
		echo "stderr: $stderr" >&2
		false
	}
}

@test "resources: cpuset cpus and mems are written" {
	cgf_need cpuset
	res_bundle
	spec_edit '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	res_run
	assert_eq "$(cg_read cpuset cpuset.cpus)" 0 cpuset.cpus
	assert_eq "$(cg_read cpuset cpuset.mems)" 0 cpuset.mems
}

@test "resources: blockIO throttles are written for a block device of the host" {
	cgf_need blkio
	local dev
	dev=$(block_dev)
	[[ -n $dev ]] || skip "this host has no block device"
	res_bundle
	spec_edit '.linux.resources.blockIO = {
		"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}],
		"throttleWriteBpsDevice": [{"major": $ma, "minor": $mi, "rate": 2097152}],
		"throttleReadIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 100}],
		"throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 200}]}' \
		--argjson ma "${dev%:*}" --argjson mi "${dev#*:}"
	res_run
	if v2 blkio; then
		assert_eq "$(grep "^$dev " <(cg_read io io.max))" "$dev rbps=1048576 wbps=2097152 riops=100 wiops=200" io.max
	else
		assert_eq "$(cg_read blkio blkio.throttle.read_bps_device)" "$dev 1048576" read_bps_device
		assert_eq "$(cg_read blkio blkio.throttle.write_bps_device)" "$dev 2097152" write_bps_device
		assert_eq "$(cg_read blkio blkio.throttle.read_iops_device)" "$dev 100" read_iops_device
		assert_eq "$(cg_read blkio blkio.throttle.write_iops_device)" "$dev 200" write_iops_device
	fi
}

@test "resources: a blockIO write throttle holds the container's direct writes back" {
	cgf_need blkio
	local dev start end
	res_bundle sh -c 'dd if=/dev/zero of=/f bs=64k count=64 oflag=direct 2>/dev/null && echo WROTE'
	dev=$(stat -c '%Hd:%Ld' "$BUNDLE/rootfs")
	[[ ${dev%:*} != 0 ]] || skip "the bundle is on no block device (major 0), so there is nothing to throttle"
	# 4 MiB at 1 MiB/s: about 3 s beyond the first second's budget
	spec_edit '.linux.resources.blockIO = {"throttleWriteBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}]}' \
		--argjson ma "${dev%:*}" --argjson mi "${dev#*:}"
	start=$(date +%s%N)
	ctr_run
	end=$(date +%s%N)
	assert_status 0
	assert_line '^WROTE$'
	(((end - start) / 1000000 >= 2000)) || {
		echo "4 MiB written in $(((end - start) / 1000000)) ms under a 1 MiB/s throttle" >&2
		false
	}
}

@test "resources: blockIO weight is written where the I/O scheduler has weights" {
	cgf_need blkio
	res_bundle
	spec_edit '.linux.resources.blockIO = {"weight": 500}'
	# CFQ's blkio.weight went with CFQ (Linux 5.0); BFQ's weight exists once bfq is registered
	if v2 blkio || [[ -d /sys/module/bfq ]] || grep -qw bfq /sys/block/*/queue/scheduler 2>/dev/null; then
		res_run
		if v2 blkio; then
			local d
			d=$(cgf_dir io "$PID")
			if [[ -e $d/io.bfq.weight ]]; then
				grep -qx 'default 500' "$d/io.bfq.weight" || grep -qx 500 "$d/io.bfq.weight"
			else
				# [10, 1000] -> [1, 10000]
				grep -qx 'default 4950' "$d/io.weight"
			fi
		else
			local d w=
			d=$(cgf_dir blkio "$PID")
			for f in blkio.weight blkio.bfq.weight; do
				[[ -e $d/$f ]] && w=$(<"$d/$f") && break
			done
			assert_eq "$w" 500 "blkio weight"
		fi
	else
		run_fails
	fi
}

@test "resources: blockIO weightDevice needs bfq on the device" {
	cgf_need blkio
	local dev name
	dev=$(block_dev)
	[[ -n $dev ]] || skip "this host has no block device"
	name=$(basename "$(dirname "$(grep -lx "$dev" /sys/block/*/dev | head -n1)")")
	res_bundle
	spec_edit '.linux.resources.blockIO = {"weightDevice": [{"major": $ma, "minor": $mi, "weight": 600}]}' \
		--argjson ma "${dev%:*}" --argjson mi "${dev#*:}"
	if grep -q '\[bfq\]' "/sys/block/$name/queue/scheduler" 2>/dev/null; then
		res_run
		if v2 blkio; then
			grep -qx "$dev 600" <(cg_read io io.bfq.weight)
		else
			grep -qx "$dev 600" <(cg_read blkio blkio.bfq.weight_device)
		fi
	elif ! v2 blkio; then
		# the kernel refuses a weight for a device another scheduler drives
		run_fails
	fi
}

@test "resources: network classID and priorities need net_cls and net_prio" {
	local self_cls
	self_cls=$(cgf_ver net_cls "$BASHPID")
	res_bundle
	spec_edit '.linux.resources.network = {"classID": 1048577, "priorities": [{"name": "lo", "priority": 5}]}'
	if [[ $self_cls == 1 ]]; then
		res_run
		assert_eq "$(cg_read net_cls net_cls.classid)" 1048577 net_cls.classid
		grep -qx 'lo 5' <(cg_read net_prio net_prio.ifpriomap)
	elif [[ $(cgf_ver memory "$BASHPID") == 1 ]]; then
		# v1 hierarchies without net_cls: runc's fs driver cannot set it
		run_fails
	else
		# a unified host: runc's fs2 driver ignores network
		res_run
	fi
}

@test "resources: hugepageLimits are written for a huge page size of the host" {
	local size bytes
	cgf_need hugetlb
	read -r size bytes < <(page_size) || skip "this host has no huge pages"
	# runc 1.1's cgroupfs driver fails ("cannot set hugetlb limit") on a host whose hugetlb is only
	# on the cgroup2 mount beside v1 hierarchies; tests/integration/cgroups.bats covers berth there
	[[ $(cgf_ver hugetlb "$BASHPID") == 1 ]] || cgf_unified ||
		skip "this host has hugetlb only on the cgroup2 mount of a hybrid layout, not on a v1 hierarchy"
	res_bundle
	# two pages: the kernel rounds a limit down to whole pages
	spec_edit '.linux.resources.hugepageLimits = [{"pageSize": $s, "limit": $l}]' --arg s "$size" --argjson l $((bytes * 2))
	res_run
	if v2 hugetlb; then
		assert_eq "$(cg_read hugetlb "hugetlb.$size.max")" $((bytes * 2)) "hugetlb.$size.max"
	else
		assert_eq "$(cg_read hugetlb "hugetlb.$size.limit_in_bytes")" $((bytes * 2)) "hugetlb.$size.limit_in_bytes"
	fi
}

@test "resources: unified keys are written verbatim on a cgroup2 host" {
	# runc 1.1 takes unified only when /sys/fs/cgroup is cgroup2; tests/integration/cgroups.bats
	# covers berth on a hybrid host's cgroup2 mount
	cgf_unified || skip "/sys/fs/cgroup is not a cgroup2 mount on this host"
	res_bundle
	spec_edit '.linux.resources.unified = {"cgroup.max.descendants": "3", "cgroup.max.depth": "2"}'
	res_run
	assert_eq "$(cg_read "(cgroup2)" cgroup.max.descendants)" 3 cgroup.max.descendants
	assert_eq "$(cg_read "(cgroup2)" cgroup.max.depth)" 2 cgroup.max.depth
}

@test "resources: update --resources sets unified keys on a cgroup2 host" {
	cgf_unified || skip "/sys/fs/cgroup is not a cgroup2 mount on this host"
	res_bundle
	res_run
	run rt update --resources - "$ID" <<<'{"unified": {"cgroup.max.descendants": "5"}}'
	assert_status 0
	assert_eq "$(cg_read "(cgroup2)" cgroup.max.descendants)" 5 cgroup.max.descendants
}

@test "resources: update changes memory, cpu, cpuset and pids of a running container" {
	cgf_need memory cpu cpuset pids
	res_bundle
	spec_edit '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"shares": 512, "quota": 50000, "period": 100000},
		"pids": {"limit": 64}}'
	res_run
	run rt update --memory 32m --memory-reservation 16M --cpu-share 256 --cpu-quota 30000 --cpu-period 60000 \
		--cpuset-cpus 0 --pids-limit 32 "$ID"
	assert_status 0
	assert_eq "$(cg_read pids pids.max)" 32 pids.max
	assert_eq "$(cg_read cpuset cpuset.cpus)" 0 cpuset.cpus
	if v2 memory; then
		assert_eq "$(cg_read memory memory.max)" 33554432 memory.max
		assert_eq "$(cg_read memory memory.low)" 16777216 memory.low
	else
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 33554432 memory.limit_in_bytes
		assert_eq "$(cg_read memory memory.soft_limit_in_bytes)" 16777216 memory.soft_limit_in_bytes
	fi
	if v2 cpu; then
		assert_eq "$(cg_read cpu cpu.max)" "30000 60000" cpu.max
	else
		assert_eq "$(cg_read cpu cpu.shares)" 256 cpu.shares
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 30000 cpu.cfs_quota_us
		assert_eq "$(cg_read cpu cpu.cfs_period_us)" 60000 cpu.cfs_period_us
	fi
	# -1: no limit
	run rt update --pids-limit -1 "$ID"
	assert_status 0
	assert_eq "$(cg_read pids pids.max)" max "pids.max after -1"
}

@test "resources: update --resources ignores the other resource flags" {
	cgf_need pids
	res_bundle
	spec_edit '.linux.resources.pids = {"limit": 64}'
	res_run
	run rt update --resources - --pids-limit 7 "$ID" <<<'{"pids": {"limit": 9}}'
	assert_status 0
	assert_eq "$(cg_read pids pids.max)" 9 pids.max
	# zero means "leave it"
	run rt update --resources - "$ID" <<<'{"pids": {"limit": 0}, "memory": {"limit": 0}}'
	assert_status 0
	assert_eq "$(cg_read pids pids.max)" 9 "pids.max after 0"
}

@test "resources: update of the quota alone keeps the period, and of the period alone the quota" {
	cgf_need cpu
	res_bundle
	spec_edit '.linux.resources.cpu = {"quota": 50000, "period": 250000}'
	res_run
	run rt update --cpu-quota 20000 "$ID"
	assert_status 0
	if v2 cpu; then
		assert_eq "$(cg_read cpu cpu.max)" "20000 250000" cpu.max
	else
		assert_eq "$(cg_read cpu cpu.cfs_period_us)" 250000 cpu.cfs_period_us
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 20000 cpu.cfs_quota_us
	fi
	run rt update --cpu-period 125000 "$ID"
	assert_status 0
	if v2 cpu; then
		assert_eq "$(cg_read cpu cpu.max)" "20000 125000" cpu.max
	else
		assert_eq "$(cg_read cpu cpu.cfs_period_us)" 125000 cpu.cfs_period_us
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 20000 cpu.cfs_quota_us
	fi
}

@test "resources: update --memory -1 lifts the memory+swap limit too" {
	cgf_need memory
	local swap=0 unlimited
	res_bundle
	if v2 memory; then
		self_has memory memory.swap.max && swap=134217728
	else
		self_has memory memory.memsw.limit_in_bytes && swap=134217728
	fi
	spec_edit '.linux.resources.memory = {"limit": 67108864} | if $swap > 0 then .linux.resources.memory.swap = $swap else . end' \
		--argjson swap "$swap"
	res_run
	run rt update --memory -1 "$ID"
	assert_status 0
	if v2 memory; then
		assert_eq "$(cg_read memory memory.max)" max memory.max
		((swap == 0)) || assert_eq "$(cg_read memory memory.swap.max)" max memory.swap.max
	else
		unlimited=$(cg_read memory memory.limit_in_bytes)
		((unlimited > 1 << 62)) || {
			echo "memory.limit_in_bytes after -1: $unlimited" >&2
			false
		}
		((swap == 0)) || assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" "$unlimited" memory.memsw.limit_in_bytes
	fi
}

@test "resources: update with a bad size is an error and changes nothing" {
	cgf_need pids
	res_bundle
	spec_edit '.linux.resources.pids = {"limit": 64}'
	res_run
	run rt update --memory 12x --pids-limit 5 "$ID"
	assert_fail
	assert_eq "$(cg_read pids pids.max)" 64 pids.max
}

@test "events --stats: blkio counts the container's direct writes" {
	cgf_need blkio
	local dev
	res_bundle sh -c 'dd if=/dev/zero of=/f bs=64k count=16 oflag=direct 2>/dev/null; echo WROTE; sleep 100'
	dev=$(stat -c '%Hd:%Ld' "$BUNDLE/rootfs")
	[[ ${dev%:*} != 0 ]] || skip "the bundle is on no block device (major 0), so no block I/O to count"
	# the v1 throttle layer counts I/O only on devices it has a rule for: a generous one
	spec_edit '.linux.resources.blockIO = {"throttleWriteBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1073741824}]}' \
		--argjson ma "${dev%:*}" --argjson mi "${dev#*:}"
	res_run
	wait_file "$CTR_OUT" '^WROTE$'
	run --separate-stderr rt events --stats "$ID"
	assert_status 0
	# runc leaves zero-valued members out: read them as 0
	jq -e --argjson ma "${dev%:*}" --argjson mi "${dev#*:}" '.data.blkio
		| (.ioServiceBytesRecursive | any(.op == "Write" and (.major // 0) == $ma and (.minor // 0) == $mi
			and (.value // 0) >= 1048576))
		and (.ioServicedRecursive | any(.op == "Write" and (.major // 0) == $ma and (.value // 0) >= 1))' \
		<<<"$output" >/dev/null || {
		echo "blkio: $(jq -c .data.blkio <<<"$output")" >&2
		false
	}
	# hugetlb: an object of page sizes, each {usage, max, failcnt} (zeros may be left out)
	jq -e '.data.hugetlb | type == "object" and all(.[]; (.failcnt | type == "number")
		and ((.usage // 0) | type == "number") and ((.max // 0) | type == "number"))' <<<"$output" >/dev/null || {
		echo "hugetlb: $(jq -c .data.hugetlb <<<"$output")" >&2
		false
	}
}
