#!/usr/bin/env bash
# busybox-image.sh OUTDIR
#
# Package the busybox rootfs built by busybox-bundle.sh as container images:
#   OUTDIR/busybox-oci.tar     OCI image-layout archive (oci-layout, index.json,
#                              blobs/sha256/{layer.tar.gz,config,manifest});
#                              index annotation org.opencontainers.image.ref.name
#                              = "busybox:latest"
#   OUTDIR/busybox-docker.tar  `docker save` archive (manifest.json,
#                              repositories, <config-hex>.json,
#                              <layerid>/{layer.tar,VERSION,json})
#
# Output is byte-for-byte deterministic for a given busybox binary and
# tar/gzip version: fixed mtimes (SOURCE_DATE_EPOCH, default 0), sorted
# names, uid/gid 0 numeric, gzip -n.
#
# Needs: bash, tar (GNU), gzip, sha256sum, jq. Optional env:
#   ROOTFS=dir   use an existing rootfs instead of building a fresh one
#   BUSYBOX=...  passed through to busybox-bundle.sh
set -euo pipefail

die() { echo "busybox-image.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $0 OUTDIR"
for tool in tar gzip sha256sum jq; do
	command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found"
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
epoch=${SOURCE_DATE_EPOCH:-0}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
export LC_ALL=C

work=$(mktemp -d "${TMPDIR:-/tmp}/busybox-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "${ROOTFS:-}" ]; then
	[ -x "$ROOTFS/bin/busybox" ] || die "ROOTFS=$ROOTFS does not contain bin/busybox"
	rootfs=$ROOTFS
else
	"$here/busybox-bundle.sh" "$work/bundle" >/dev/null
	rootfs=$work/bundle/rootfs
fi

# Deterministic tar of a directory's *contents* (no leading "./" entries).
dtar() { # dtar OUTFILE DIR
	local dir=$2 entries
	entries=$(cd "$dir" && ls -A | sort)
	[ -n "$entries" ] || die "$dir is empty"
	# shellcheck disable=SC2086  # entry names are simple (no spaces)
	tar -C "$dir" --format=gnu --sort=name --mtime="@$epoch" \
		--owner=0 --group=0 --numeric-owner -cf "$1" $entries
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# ---- layer -------------------------------------------------------------
dtar "$work/layer.tar" "$rootfs"
diff_id=$(sha "$work/layer.tar")
gzip -n -9 -c "$work/layer.tar" > "$work/layer.tar.gz"
layer_digest=$(sha "$work/layer.tar.gz")
layer_size=$(size "$work/layer.tar.gz")

# ---- image config (valid as both OCI and docker image config) -----------
jq -cnS --arg created "$created" --arg diff "sha256:$diff_id" '{
	created: $created,
	architecture: "amd64",
	os: "linux",
	config: {
		Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		Cmd: ["sh"],
		WorkingDir: "/"
	},
	rootfs: { type: "layers", diff_ids: [$diff] },
	history: [ { created: $created, created_by: "contrib/busybox-image.sh" } ]
}' | tr -d '\n' > "$work/config.json"
config_digest=$(sha "$work/config.json")
config_size=$(size "$work/config.json")

# ---- OCI image layout ---------------------------------------------------
oci=$work/oci
mkdir -p "$oci/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"
cp "$work/layer.tar.gz" "$oci/blobs/sha256/$layer_digest"
cp "$work/config.json" "$oci/blobs/sha256/$config_digest"
jq -cn \
	--arg cd "sha256:$config_digest" --argjson cs "$config_size" \
	--arg ld "sha256:$layer_digest" --argjson ls "$layer_size" '{
	schemaVersion: 2,
	mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs },
	layers: [ { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls } ]
}' | tr -d '\n' > "$work/manifest.json"
manifest_digest=$(sha "$work/manifest.json")
manifest_size=$(size "$work/manifest.json")
cp "$work/manifest.json" "$oci/blobs/sha256/$manifest_digest"
jq -cn --arg md "sha256:$manifest_digest" --argjson ms "$manifest_size" '{
	schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [ {
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $md, size: $ms,
		platform: { architecture: "amd64", os: "linux" },
		annotations: {
			"org.opencontainers.image.ref.name": "busybox:latest",
			"io.containerd.image.name": "docker.io/library/busybox:latest"
		}
	} ]
}' | tr -d '\n' > "$oci/index.json"
chmod -R u=rwX,go=rX "$oci"

# ---- docker save layout -------------------------------------------------
# The legacy v1 layer id only has to be a unique 64-hex string; derive it
# from the layer and config digests so it is stable.
layer_id=$(printf '%s\n%s\n' "$diff_id" "$config_digest" | sha256sum | cut -d' ' -f1)
dock=$work/docker
mkdir -p "$dock/$layer_id"
cp "$work/layer.tar" "$dock/$layer_id/layer.tar"
printf '1.0' > "$dock/$layer_id/VERSION"
jq -cn --arg id "$layer_id" --arg created "$created" '{
	id: $id, created: $created, os: "linux", architecture: "amd64",
	container_config: { Cmd: null, Env: null }
}' | tr -d '\n' > "$dock/$layer_id/json"
cp "$work/config.json" "$dock/$config_digest.json"
jq -cn --arg c "$config_digest.json" --arg l "$layer_id/layer.tar" \
	'[ { Config: $c, RepoTags: ["busybox:latest"], Layers: [$l] } ]' \
	| tr -d '\n' > "$dock/manifest.json"
jq -cn --arg id "$layer_id" '{ busybox: { latest: $id } }' | tr -d '\n' > "$dock/repositories"
chmod -R u=rwX,go=rX "$dock"

# ---- archives (written atomically) ---------------------------------------
dtar "$out/.busybox-oci.tar.tmp" "$oci"
dtar "$out/.busybox-docker.tar.tmp" "$dock"
mv -f "$out/.busybox-oci.tar.tmp" "$out/busybox-oci.tar"
mv -f "$out/.busybox-docker.tar.tmp" "$out/busybox-docker.tar"
echo "$out/busybox-oci.tar"
echo "$out/busybox-docker.tar"
