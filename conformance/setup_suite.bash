# shellcheck shell=bash
# Suite-wide setup for the conformance tests (bats >= 1.5 picks this file up
# automatically for `bats conformance/` and for `bats conformance/x.bats`).
#
# Builds the busybox bundle template ONCE per run; every test copies it.
# Any problem here is a hard failure ("not ok 1 setup_suite"), never a skip.

setup_suite() {
	local here repo
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	repo=$(dirname "$here")

	# --- runtime under test ------------------------------------------------
	: "${RUNTIME:=berth}"
	local rt
	if [[ $RUNTIME == */* ]]; then
		rt=$(readlink -f -- "$RUNTIME") || rt=
	else
		rt=$(command -v -- "$RUNTIME") || rt=
	fi
	if [[ -z $rt || ! -x $rt || -d $rt ]]; then
		echo "setup_suite: runtime '$RUNTIME' not found or not executable (set RUNTIME=/path/to/runtime)" >&2
		return 1
	fi
	export CONF_RT=$rt

	# --- host tools the tests rely on ----------------------------------------
	local tool missing=()
	for tool in jq unshare findmnt stat cp timeout; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	if ((${#missing[@]})); then
		echo "setup_suite: missing host tools: ${missing[*]}" >&2
		return 1
	fi
	if [[ $(id -u) != 0 ]]; then
		echo "setup_suite: the conformance suite must run as root" >&2
		return 1
	fi

	# --- bundle template, built once ------------------------------------------
	export CONF_TEMPLATE="$BATS_RUN_TMPDIR/template"
	if ! "$repo/contrib/busybox-bundle.sh" "$CONF_TEMPLATE" >&2; then
		echo "setup_suite: contrib/busybox-bundle.sh failed" >&2
		return 1
	fi
	if [[ ! -x $CONF_TEMPLATE/rootfs/bin/busybox || ! -L $CONF_TEMPLATE/rootfs/bin/sh ]] ||
		! jq -e '.process.args == ["sh"]' "$CONF_TEMPLATE/config.json" >/dev/null; then
		echo "setup_suite: bundle template at $CONF_TEMPLATE is incomplete" >&2
		return 1
	fi

	# --- per-run token: every container id / cgroup of this run contains it ---
	# (run.sh makes it, so that its cleanup knows this run's cgroups)
	if [[ ! ${CONF_RUN:-} =~ ^[0-9a-f]{6}$ ]]; then
		CONF_RUN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	fi
	export CONF_RUN
	CONF_HOST_HOSTNAME=$(hostname)
	export CONF_HOST_HOSTNAME

	if [[ ${CONF_SUBREAPER:-} != 1 ]]; then
		# Not fatal: the suite works without it, but detached containers get
		# reparented to PID 1, which on some hosts never reaps them.
		echo "# note: not running under conformance/run.sh (no child subreaper)" >&3
	fi
	# --- cgroup view ------------------------------------------------------------
	if [[ ${CONF_CGROUP_VIEW:-} == v2 && $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]]; then
		echo "setup_suite: CONF_CGROUP_VIEW=v2 but /sys/fs/cgroup is not a cgroup2 mount (run through conformance/run.sh)" >&2
		return 1
	fi
	echo "# /sys/fs/cgroup: $(stat -f -c %T /sys/fs/cgroup)${CONF_CGROUP_VIEW:+ (CONF_CGROUP_VIEW=$CONF_CGROUP_VIEW)}" >&3
	echo "# runtime under test: $CONF_RT ($("$CONF_RT" --version 2>/dev/null | head -n1)); ids: bconf-$CONF_RUN-N" >&3
}

teardown_suite() {
	# Suite-wide leak check: anything named after this run's container ids.
	local leaks=""
	[[ -n ${CONF_RUN:-} ]] || return 0
	leaks+=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*bconf-$CONF_RUN-*" 2>/dev/null || true)
	leaks+=${leaks:+$'\n'}$(findmnt -rn -o TARGET | grep -F -e "$BATS_RUN_TMPDIR" -e "bconf-$CONF_RUN-" || true)
	leaks=${leaks%$'\n'}
	if [[ -n $leaks ]]; then
		echo "teardown_suite: leftovers from this run:" >&2
		echo "$leaks" >&2
		return 1
	fi
}
