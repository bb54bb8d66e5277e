#!/usr/bin/python3
"""tests/helpers/proto_oracle.py: compare berth's .proto files with the ones Debian ships.

berth writes its own copies of containerd's shim v2 protocol files (proto/); this script is the
oracle that keeps them wire-compatible. Both sides are compiled with protoc to descriptor sets
(--descriptor_set_out --include_imports) and compared by full name: for every message, enum and
service of each pair of files below, every field's number, name, label, type, type_name (and
the few other descriptor attributes that change the wire: packed, oneof, proto3 optional,
map entries), every enum value and every method's input and output types. Anything defined on
one side and not the other is a difference too.

Usage: proto_oracle.py [--ours DIR] [--debian DIR] [--protoc PROTOC] [--include DIR]
Exit status: 0 when identical, 1 with one line per difference on stderr, 2 on a setup error.
Needs python3-protobuf (Debian's /usr/bin/python3) and protoc.
"""

import argparse
import os
import subprocess
import sys
import tempfile

try:
    from google.protobuf import descriptor_pb2
except ImportError:
    sys.stderr.write("proto_oracle: python module google.protobuf missing (install python3-protobuf, "
                     "run with /usr/bin/python3)\n")
    sys.exit(2)

# berth's file (relative to proto/) -> the Debian file it must match (relative to --debian).
# containerd: golang-github-containerd-containerd-dev 1.6.20; cgroups: golang-github-containerd-
# cgroups-dev 1.0.4.
PAIRS = [
    ("containerd/types/mount.proto", "github.com/containerd/containerd/api/types/mount.proto"),
    ("containerd/types/process.proto", "github.com/containerd/containerd/api/types/task/task.proto"),
    ("containerd/task/v2/shim.proto", "github.com/containerd/containerd/runtime/v2/task/shim.proto"),
    ("containerd/events/task.proto", "github.com/containerd/containerd/api/events/task.proto"),
    ("containerd/services/events/ttrpc/v1/events.proto",
     "github.com/containerd/containerd/api/services/ttrpc/events/v1/events.proto"),
    ("containerd/runc/v1/options.proto",
     "github.com/containerd/containerd/runtime/v2/runc/options/oci.proto"),
    ("runtimeoptions/v1/options.proto",
     "github.com/containerd/containerd/pkg/runtimeoptions/v1/api.proto"),
    ("cgroups/v1/metrics.proto", "github.com/containerd/cgroups/stats/v1/metrics.proto"),
    ("cgroups/v2/metrics.proto", "github.com/containerd/cgroups/v2/stats/metrics.proto"),
]

# Directories under proto/ whose .proto files have no Debian counterpart: ttrpc's own
# Request/Response (Debian's ttrpc 1.1.1 has Go struct tags only; shared/docs/interfaces.md §8).
UNCHECKED_DIRS = ("ttrpc/",)

FIELD_TYPES = {v: k[len("TYPE_"):].lower()
               for k, v in descriptor_pb2.FieldDescriptorProto.Type.items()}
FIELD_LABELS = {v: k[len("LABEL_"):].lower()
                for k, v in descriptor_pb2.FieldDescriptorProto.Label.items()}


class Setup(Exception):
    pass


def compile_set(protoc, includes, files):
    """FileDescriptorSet of FILES (and their imports), compiled with protoc."""
    with tempfile.NamedTemporaryFile(suffix=".pb") as out:
        cmd = [protoc] + ["-I" + d for d in includes] + [
            "--include_imports", "--descriptor_set_out=" + out.name] + files
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # protoc warns about Debian's unused gogo imports; only the exit status counts
        if r.returncode != 0:
            raise Setup("%s failed:\n%s" % (" ".join(cmd), r.stdout))
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(out.read())
        return fds


def find_file(fds, name):
    for f in fds.file:
        if f.name == name:
            return f
    raise Setup("protoc output lacks %s" % name)


def field_attrs(f):
    """The attributes of a field that the wire format and the Any type_urls depend on."""
    a = {
        "name": f.name,
        "number": f.number,
        "label": FIELD_LABELS.get(f.label, f.label),
        "type": FIELD_TYPES.get(f.type, f.type),
        "type_name": f.type_name or "-",
        "oneof_index": f.oneof_index if f.HasField("oneof_index") else "-",
        "proto3_optional": f.proto3_optional,
        "default_value": f.default_value or "-",
        "packed": f.options.packed if f.options.HasField("packed") else "default",
    }
    return a


class Diff:
    def __init__(self):
        self.lines = []
        self.counts = {"messages": 0, "fields": 0, "enums": 0, "values": 0, "services": 0,
                       "methods": 0}

    def add(self, where, what):
        self.lines.append("%s: %s" % (where, what))

    def compare_attrs(self, where, ours, theirs):
        for k in ours:
            if ours[k] != theirs[k]:
                self.add(where, "%s: berth %s, containerd %s" % (k, ours[k], theirs[k]))

    def compare_sets(self, where, kind, ours, theirs):
        """Report names on one side only; return the names on both."""
        for n in sorted(set(theirs) - set(ours)):
            self.add(where + "." + n if where else n, "%s missing in berth" % kind)
        for n in sorted(set(ours) - set(theirs)):
            self.add(where + "." + n if where else n, "%s not in containerd's file" % kind)
        return [n for n in ours if n in theirs]

    def enum(self, full, ours, theirs):
        self.counts["enums"] += 1
        ov = {v.name: v.number for v in ours.value}
        tv = {v.name: v.number for v in theirs.value}
        for n in self.compare_sets(full, "enum value", ov, tv):
            self.counts["values"] += 1
            if ov[n] != tv[n]:
                self.add(full + "." + n, "number: berth %d, containerd %d" % (ov[n], tv[n]))
        if ours.options.allow_alias != theirs.options.allow_alias:
            self.add(full, "allow_alias differs")

    def message(self, full, ours, theirs):
        self.counts["messages"] += 1
        if ours.options.map_entry != theirs.options.map_entry:
            self.add(full, "map_entry: berth %s, containerd %s"
                     % (ours.options.map_entry, theirs.options.map_entry))
        # Fields are matched by name (so a renumbered field reads as "number: x, y") and then
        # checked by number too (so a renamed field cannot take another's number unnoticed).
        of = {f.name: f for f in ours.field}
        tf = {f.name: f for f in theirs.field}
        for n in self.compare_sets(full, "field", of, tf):
            self.counts["fields"] += 1
            self.compare_attrs(full + "." + n, field_attrs(of[n]), field_attrs(tf[n]))
        on = sorted(f.number for f in ours.field)
        tn = sorted(f.number for f in theirs.field)
        if on != tn:
            self.add(full, "field numbers: berth %s, containerd %s" % (on, tn))
        oo = [o.name for o in ours.oneof_decl]
        to = [o.name for o in theirs.oneof_decl]
        if oo != to:
            self.add(full, "oneofs: berth %s, containerd %s" % (oo, to))
        self.types(full, ours.nested_type, theirs.nested_type, ours.enum_type, theirs.enum_type)

    def types(self, scope, ours_msgs, theirs_msgs, ours_enums, theirs_enums):
        om = {m.name: m for m in ours_msgs}
        tm = {m.name: m for m in theirs_msgs}
        for n in self.compare_sets(scope, "message", om, tm):
            self.message(scope + "." + n, om[n], tm[n])
        oe = {e.name: e for e in ours_enums}
        te = {e.name: e for e in theirs_enums}
        for n in self.compare_sets(scope, "enum", oe, te):
            self.enum(scope + "." + n, oe[n], te[n])

    def service(self, full, ours, theirs):
        self.counts["services"] += 1
        om = {m.name: m for m in ours.method}
        tm = {m.name: m for m in theirs.method}
        for n in self.compare_sets(full, "method", om, tm):
            self.counts["methods"] += 1
            for k in ("input_type", "output_type", "client_streaming", "server_streaming"):
                a, b = getattr(om[n], k), getattr(tm[n], k)
                if a != b:
                    self.add("%s/%s" % (full, n), "%s: berth %s, containerd %s" % (k, a, b))

    def file(self, ours, theirs):
        if ours.package != theirs.package:
            self.add(ours.name, "package: berth %s, containerd %s" % (ours.package, theirs.package))
            return
        if (ours.syntax or "proto2") != (theirs.syntax or "proto2"):
            self.add(ours.name, "syntax: berth %s, containerd %s" % (ours.syntax, theirs.syntax))
        scope = ours.package
        self.types(scope, ours.message_type, theirs.message_type, ours.enum_type, theirs.enum_type)
        os_ = {s.name: s for s in ours.service}
        ts = {s.name: s for s in theirs.service}
        for n in self.compare_sets(scope, "service", os_, ts):
            self.service(scope + "." + n, os_[n], ts[n])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ours", default=os.path.join(here, "..", "..", "proto"),
                    help="berth's proto/ directory")
    ap.add_argument("--debian", default="/usr/share/gocode/src",
                    help="Debian's Go source root (golang-github-containerd-*-dev)")
    ap.add_argument("--gogo", default="/usr/share/gocode/src/github.com/gogo/protobuf",
                    help="the directory holding gogoproto/gogo.proto")
    ap.add_argument("--include", default="/usr/include",
                    help="the directory holding google/protobuf/*.proto (libprotobuf-dev)")
    ap.add_argument("--protoc", default="protoc")
    args = ap.parse_args()
    ours_dir = os.path.abspath(args.ours)

    try:
        for _, deb in PAIRS:
            if not os.path.isfile(os.path.join(args.debian, deb)):
                raise Setup("%s missing (install golang-github-containerd-containerd-dev and "
                            "golang-github-containerd-cgroups-dev)" % os.path.join(args.debian, deb))
        # Every .proto berth has must be in the table, so a new file cannot escape the oracle.
        known = {o for o, _ in PAIRS}
        for root, _, files in os.walk(ours_dir):
            for fn in files:
                rel = os.path.relpath(os.path.join(root, fn), ours_dir)
                if (fn.endswith(".proto") and rel not in known
                        and not rel.startswith(UNCHECKED_DIRS)):
                    raise Setup("proto/%s has no counterpart in the oracle's table (PAIRS)" % rel)

        ours = compile_set(args.protoc, [ours_dir, args.include], [o for o, _ in PAIRS])
        diff = Diff()
        for o, deb in PAIRS:
            # One protoc run per Debian file: runtimeoptions imports gogo.proto under another
            # path than the rest, and protoc refuses the same extensions defined twice.
            theirs = compile_set(args.protoc, [args.debian, args.gogo, args.include], [deb])
            diff.file(find_file(ours, o), find_file(theirs, deb))
    except Setup as e:
        sys.stderr.write("proto_oracle: %s\n" % e)
        return 2

    c = diff.counts
    summary = ("%d files, %d messages, %d fields, %d enums (%d values), %d services (%d methods)"
               % (len(PAIRS), c["messages"], c["fields"], c["enums"], c["values"], c["services"],
                  c["methods"]))
    if diff.lines:
        sys.stderr.write("proto_oracle: berth's proto/ differs from containerd's files:\n")
        for line in diff.lines:
            sys.stderr.write("  %s\n" % line)
        sys.stderr.write("proto_oracle: %d differences (%s compared)\n" % (len(diff.lines), summary))
        return 1
    print("proto_oracle: no differences: %s" % summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
