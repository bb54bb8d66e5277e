#!/bin/sh
# contrib/install-deps.sh: every Debian 12 package berth needs to build, test and benchmark.
# Idempotent; run as root. Used by the README's first command and by .ci/run.
set -eu
export DEBIAN_FRONTEND=noninteractive
packages="
  build-essential autoconf automake pkg-config clang git
  libjson-c-dev libcap-dev libseccomp-dev libbpf-dev libcmocka-dev libssl-dev
  bats jq busybox-static python3 iproute2 util-linux procps time
  runc crun containerd hyperfine golang-github-docker-docker-dev
  golang-1.19-go golang-github-containerd-ttrpc-dev golang-github-gogo-protobuf-dev
  golang-github-containerd-containerd-dev golang-github-containerd-cgroups-dev
  protobuf-compiler protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev nanopb libnanopb-dev
  python3-protobuf python3-grpcio python3-grpc-tools
  podman docker.io slirp4netns skopeo docker-registry
  liblmdb-dev libmicrohttpd-dev libcurl4-openssl-dev libarchive-dev
  python3-jwt python3-cryptography openssl
  zstd
  python3-docker
"
missing=""
for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
