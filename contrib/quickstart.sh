#!/bin/sh
# contrib/quickstart.sh: the README's first command. Installs the dependencies, builds and installs
# berth, then runs a container from the bundled busybox image with it.
set -eu
cd "$(dirname "$0")/.."
contrib/install-deps.sh
./autogen.sh
./configure --prefix=/usr/local -q
make -j"$(nproc)" -s
make install -s
bundle=$(mktemp -d /tmp/berth-quickstart.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
contrib/busybox-bundle.sh "$bundle" >/dev/null
cd "$bundle"
tmp=$(mktemp) && jq '.process.args = ["sh", "-c", "echo hello from a berth container: $(hostname), pid $$, $(id)"]' config.json >"$tmp" && mv "$tmp" config.json
berth run "quickstart-$$"
