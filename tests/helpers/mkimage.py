#!/usr/bin/env python3
"""Write an OCI image layout, as one tar, holding a busybox-static image.

usage: mkimage.py [--cmd JSON] OUT.tar [NAME]   (NAME default: docker.io/library/busybox:latest)

--cmd sets the image config's Cmd (a JSON array, default ["sh"]), e.g. a pause-like sandbox image
for the CRI tests: --cmd '["sleep", "2147483647"]'.

One gzip layer: /bin/busybox and a symlink per applet the tests use, /etc/passwd and
/etc/group for root and nobody, /tmp. The index names the manifest with
io.containerd.image.name (ctr import) and org.opencontainers.image.ref.name (the tag).
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import time

APPLETS = ["sh", "echo", "cat", "sleep", "true", "false", "ls", "id", "env", "ps", "kill",
           "mkdir", "rm", "touch", "head", "tail", "wc", "grep", "hostname", "stat", "dd",
           "printf", "test", "seq", "tr", "readlink", "sync", "uname", "pwd", "top", "tty",
           "stty", "nc", "wget", "ip", "ifconfig", "mount", "df"]


def add_bytes(tar, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    ti.mtime = 0
    tar.addfile(ti, io.BytesIO(data))


def add_dir(tar, name, mode=0o755):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE
    ti.mode = mode
    ti.mtime = 0
    tar.addfile(ti)


def layer_tar():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for d in ["bin", "etc", "root", "proc", "sys", "dev"]:
            add_dir(t, d)
        add_dir(t, "tmp", 0o1777)
        with open("/bin/busybox", "rb") as f:
            add_bytes(t, "bin/busybox", f.read(), 0o755)
        for a in APPLETS:
            ti = tarfile.TarInfo("bin/" + a)
            ti.type = tarfile.SYMTYPE
            ti.linkname = "busybox"
            ti.mtime = 0
            t.addfile(ti)
        add_bytes(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
        add_bytes(t, "etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    return raw.getvalue()


def main():
    argv = sys.argv[1:]
    cmd = ["sh"]
    if argv[:1] == ["--cmd"] and len(argv) >= 2:
        cmd = json.loads(argv[1])
        if not isinstance(cmd, list) or not all(isinstance(c, str) for c in cmd):
            sys.exit("mkimage.py: --cmd: want a JSON array of strings")
        argv = argv[2:]
    if not argv:
        sys.exit("usage: mkimage.py [--cmd JSON] OUT.tar [NAME]")
    out = argv[0]
    name = argv[1] if len(argv) > 1 else "docker.io/library/busybox:latest"
    blobs = {}

    def blob(data, media):
        d = hashlib.sha256(data).hexdigest()
        blobs[d] = data
        return {"mediaType": media, "digest": "sha256:" + d, "size": len(data)}

    tar = layer_tar()
    diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
    layer = blob(gzip.compress(tar, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip")
    config = {
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine),
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": cmd},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "tests/helpers/mkimage.py"}],
        "created": "1970-01-01T00:00:00Z",
    }
    cfg = blob(json.dumps(config, sort_keys=True).encode(), "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cfg, "layers": [layer]}
    man = blob(json.dumps(manifest, sort_keys=True).encode(), "application/vnd.oci.image.manifest.v1+json")
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
    man["annotations"] = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [man]}
    with tarfile.open(out, "w") as t:
        add_bytes(t, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add_bytes(t, "index.json", json.dumps(index).encode())
        add_dir(t, "blobs")
        add_dir(t, "blobs/sha256")
        for d, data in blobs.items():
            add_bytes(t, "blobs/sha256/" + d, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
