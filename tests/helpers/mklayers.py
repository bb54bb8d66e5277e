#!/usr/bin/env python3
"""Write an OCI image layout directory with made-up layers, for pull tests and bench/pull.sh.

usage: mklayers.py [--seed N] [--platforms linux/amd64,linux/arm64,...] OUT_DIR LAYER...

LAYER is COMPRESSION:SIZE (COMPRESSION one of gzip, zstd, none; SIZE in bytes, or with a k/M
suffix): one layer holding the directory lN/ and the file lN/data of SIZE pseudo-random bytes
(seeded, so the same arguments give the same digests; half of each 4 KiB block repeats, so it
compresses about 2:1 as real layers do). zstd layers use the zstd program.

Without --platforms: index.json names one manifest (linux, this host's architecture).
With it: one image per platform (each with an extra small layer naming its platform), listed
in an image index that index.json points at (push it with skopeo copy --all).
"""
import gzip
import hashlib
import io
import json
import os
import platform as pyplatform
import random
import subprocess
import sys
import tarfile


def blob(out, data, media_type):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return {"mediaType": media_type, "digest": "sha256:" + d, "size": len(data)}


def tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            if data is None:
                ti = tarfile.TarInfo(name)
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                t.addfile(ti)
            else:
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                ti.mode = 0o644
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def compress(raw, how):
    if how == "gzip":
        return gzip.compress(raw, compresslevel=1, mtime=0), \
            "application/vnd.oci.image.layer.v1.tar+gzip"
    if how == "zstd":
        z = subprocess.run(["zstd", "-q", "-1", "-c"], input=raw, stdout=subprocess.PIPE,
                           check=True).stdout
        return z, "application/vnd.oci.image.layer.v1.tar+zstd"
    if how == "none":
        return raw, "application/vnd.oci.image.layer.v1.tar"
    sys.exit("mklayers.py: unknown compression " + how)


def size_of(s):
    mult = {"k": 1024, "K": 1024, "M": 1024 * 1024}
    if s[-1] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s)


def pseudo(rng, n):
    out = bytearray()
    while len(out) < n:
        half = rng.randbytes(2048)
        out += half + half[:1024] + half[:1024]
    return bytes(out[:n])


def image(out, rng, specs, os_name, arch, variant, extra):
    layers, diff_ids = [], []
    for i, spec in enumerate(specs):
        how, size = spec.split(":")
        raw = tar_of([("l%d" % i, None), ("l%d/data" % i, pseudo(rng, size_of(size)))])
        data, mt = compress(raw, how)
        layers.append(blob(out, data, mt))
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    if extra:
        raw = tar_of([("platform", extra.encode())])
        data, mt = compress(raw, "gzip")
        layers.append(blob(out, data, mt))
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    config = {"architecture": arch, "os": os_name,
              "created": "2024-01-01T00:00:00Z",
              "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "mklayers.py"}
                          for _ in diff_ids]}
    if variant:
        config["variant"] = variant
    cdesc = blob(out, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": layers}
    return blob(out, json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")


def main():
    args = sys.argv[1:]
    seed, plats = 1, None
    while args and args[0].startswith("--"):
        if args[0] == "--seed":
            seed = int(args[1])
        elif args[0] == "--platforms":
            plats = args[1].split(",")
        else:
            sys.exit(__doc__)
        args = args[2:]
    if len(args) < 1:
        sys.exit(__doc__)
    out, specs = args[0], args[1:]
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    rng = random.Random(seed)
    if plats is None:
        arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(pyplatform.machine(),
                                                           pyplatform.machine())
        top = image(out, rng, specs, "linux", arch, None, None)
    else:
        ms = []
        for p in plats:
            parts = p.split("/")
            d = image(out, rng, specs, parts[0], parts[1], parts[2] if len(parts) > 2 else None,
                      p)
            d["platform"] = {"os": parts[0], "architecture": parts[1]}
            if len(parts) > 2:
                d["platform"]["variant"] = parts[2]
            ms.append(d)
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": ms}
        top = blob(out, json.dumps(idx).encode(), "application/vnd.oci.image.index.v1+json")
    top["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [top]}, f)


main()
