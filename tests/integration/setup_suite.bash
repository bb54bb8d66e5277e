# shellcheck shell=bash
# tests/integration/setup_suite.bash: builds the busybox bundle template once per run (bats >= 1.5
# picks this file up for `bats tests/integration` and for a single .bats file). Any problem here
# fails the run ("not ok 1 setup_suite"); nothing is skipped silently.

setup_suite() {
	local here repo berth tool missing=()
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	repo=$(cd "$here/../.." && pwd)

	if [[ $(id -u) != 0 ]]; then
		echo "setup_suite: the integration suite must run as root" >&2
		return 1
	fi
	if [[ ${BERTH:-berth} == */* ]]; then
		berth=$(readlink -f -- "$BERTH") || berth=
	else
		berth=$(command -v -- "${BERTH:-berth}") || berth=
	fi
	if [[ -z $berth || ! -x $berth || -d $berth ]]; then
		echo "setup_suite: berth '${BERTH:-berth}' not found or not executable (set BERTH=/path/to/berth)" >&2
		return 1
	fi
	export BERTH=$berth

	for tool in jq python3 timeout findmnt od; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	if ((${#missing[@]})); then
		echo "setup_suite: missing host tools: ${missing[*]}" >&2
		return 1
	fi

	export IT_TEMPLATE=$BATS_RUN_TMPDIR/template
	if ! "$repo/contrib/busybox-bundle.sh" "$IT_TEMPLATE" >&2; then
		echo "setup_suite: contrib/busybox-bundle.sh failed" >&2
		return 1
	fi
	if [[ ! -x $IT_TEMPLATE/rootfs/bin/busybox || ! -L $IT_TEMPLATE/rootfs/bin/sh ]] ||
		! jq -e '.process.args == ["sh"] and .process.terminal == false' "$IT_TEMPLATE/config.json" >/dev/null; then
		echo "setup_suite: bundle template at $IT_TEMPLATE is incomplete" >&2
		return 1
	fi

	# Every container id (and so every cgroup) of this run carries this token.
	IT_RUN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	export IT_RUN

	if [[ ${IT_SUBREAPER:-} != 1 ]]; then
		echo "# note: not running under tests/integration/run.sh (no child subreaper)" >&3
	fi
	if ! command -v "${RUNC:-runc}" >/dev/null 2>&1; then
		echo "# note: runc not found: the tests that compare with runc will fail" >&3
	fi
	echo "# berth under test: $BERTH ($("$BERTH" --version 2>/dev/null | head -n1))" >&3
}

teardown_suite() {
	local leaks
	[[ -n ${IT_RUN:-} ]] || return 0
	leaks=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 10 -type d -name "bit-$IT_RUN-*" 2>/dev/null || true)
	leaks+=$(findmnt -rn -o TARGET | grep -F -e "$BATS_RUN_TMPDIR" -e "bit-$IT_RUN-" || true)
	if [[ -n $leaks ]]; then
		echo "teardown_suite: leftovers from this run:" >&2
		echo "$leaks" >&2
		return 1
	fi
}
