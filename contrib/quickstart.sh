#!/bin/sh
# contrib/quickstart.sh: the README's first command. Installs the dependencies, builds and installs
# berth, starts berthd (unless one already answers on its default socket), loads the bundled
# busybox image into it and runs a container from that image through berthd, the shim and berth.
set -eu
cd "$(dirname "$0")/.."
contrib/install-deps.sh
./autogen.sh
./configure --prefix=/usr/local -q
make -j"$(nproc)" -s
make install -s

sock=/run/berth/berth.sock
export BERTH_HOST="unix://$sock"
if ! curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
	# berthd is the shims' parent (a child subreaper): it keeps running after this script, as a
	# daemon in its own session, its output in /var/log/berthd.log. Stop it with
	# `kill "$(cat /run/berth/berthd.pid)"`.
	setsid /usr/local/sbin/berthd </dev/null >>/var/log/berthd.log 2>&1 &
	i=0
	until curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 100 ]; then
			echo "quickstart: berthd did not come up; see /var/log/berthd.log" >&2
			exit 1
		fi
		sleep 0.1
	done
fi

images=$(mktemp -d /tmp/berth-quickstart.XXXXXX)
trap 'rm -rf "$images"' EXIT
contrib/busybox-image.sh "$images" >/dev/null
berthctl load -i "$images/busybox-oci.tar"
berthctl run --rm busybox sh -c 'echo "hello from a berth container: $(hostname), pid $$, $(id)"'
