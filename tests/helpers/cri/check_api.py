#!/usr/bin/python3
"""Check tests/helpers/cri/api.proto against the runtime.v1 schema compiled into a containerd binary.

usage: check_api.py [CONTAINERD]   (default: /usr/bin/containerd)

containerd's gogo-generated CRI code registers the gzipped FileDescriptorProto of k8s.io/cri-api's
api.proto in the binary, so the binary itself is the oracle for what containerd serves: this
finds that descriptor (package runtime.v1), compiles api.proto with grpc_tools' protoc, and checks
that every service method, message, field and enum value declared here exists there with the
same number, type, label and message/enum type. Fields and messages that api.proto leaves out
are fine (it is a subset). Prints one line per difference and "ok: ..." at the end; exit status
1 when anything differs, 2 when the oracle is not found.
"""
import os
import re
import sys
import tempfile
import zlib

from google.protobuf import descriptor_pb2

HERE = os.path.dirname(os.path.abspath(__file__))


def oracle(binary):
    data = open(binary, "rb").read()
    for m in re.finditer(b"\x1f\x8b\x08", data):
        try:
            raw = zlib.decompressobj(31).decompress(data[m.start():m.start() + (1 << 20)])
            fd = descriptor_pb2.FileDescriptorProto()
            fd.ParseFromString(raw)
        except Exception:  # not a descriptor: most gzip magics in a binary are not
            continue
        if fd.package == "runtime.v1" and any(s.name == "RuntimeService" for s in fd.service):
            return fd
    return None


def ours():
    from grpc_tools import protoc
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "api.pb")
        if protoc.main(["protoc", "-I" + HERE, "--descriptor_set_out=" + out, os.path.join(HERE, "api.proto")]) != 0:
            sys.exit("check_api.py: protoc failed on api.proto")
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(open(out, "rb").read())
    return fds.file[0]


def index(fd):
    msgs, enums = {}, {}

    def walk(prefix, ms, es):
        for e in es:
            enums[prefix + e.name] = {v.name: v.number for v in e.value}
        for m in ms:
            msgs[prefix + m.name] = m
            walk(prefix + m.name + ".", m.nested_type, m.enum_type)

    walk("." + fd.package + ".", fd.message_type, fd.enum_type)
    return msgs, enums


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/containerd"
    theirs = oracle(binary)
    if theirs is None:
        print("check_api.py: no runtime.v1 descriptor in %s" % binary)
        return 2
    mine = ours()
    tm, te = index(theirs)
    mm, me = index(mine)
    bad = []
    nfields = 0
    for svc in mine.service:
        tsvc = next((s for s in theirs.service if s.name == svc.name), None)
        if tsvc is None:
            bad.append("service %s: missing in containerd" % svc.name)
            continue
        for meth in svc.method:
            tmeth = next((x for x in tsvc.method if x.name == meth.name), None)
            if tmeth is None:
                bad.append("%s/%s: missing in containerd" % (svc.name, meth.name))
            elif (tmeth.input_type, tmeth.output_type) != (meth.input_type, meth.output_type):
                bad.append("%s/%s: types %s -> %s, containerd %s -> %s" % (
                    svc.name, meth.name, meth.input_type, meth.output_type, tmeth.input_type, tmeth.output_type))
    for name, m in mm.items():
        t = tm.get(name)
        if t is None:
            bad.append("%s: missing in containerd" % name)
            continue
        if m.options.map_entry != t.options.map_entry:
            bad.append("%s: map entry mismatch" % name)
        tf = {f.name: f for f in t.field}
        for f in m.field:
            nfields += 1
            g = tf.get(f.name)
            if g is None:
                bad.append("%s.%s: missing in containerd" % (name, f.name))
                continue
            for attr in ("number", "type", "label", "type_name"):
                if getattr(f, attr) != getattr(g, attr):
                    bad.append("%s.%s: %s %r, containerd %r" % (name, f.name, attr, getattr(f, attr), getattr(g, attr)))
    for name, values in me.items():
        t = te.get(name)
        if t is None:
            bad.append("enum %s: missing in containerd" % name)
            continue
        for v, n in values.items():
            if t.get(v) != n:
                bad.append("enum %s.%s: %d, containerd %s" % (name, v, n, t.get(v)))
    for b in bad:
        print(b)
    print("%s: %d messages, %d fields, %d enums checked against %s (%d messages there)" % (
        "ok" if not bad else "MISMATCH", len(mm), nfields, len(me), binary, len(tm)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
