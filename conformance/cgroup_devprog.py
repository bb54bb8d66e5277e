#!/usr/bin/env python3
"""cgroup_devprog.py: the cgroup v2 device programs of a cgroup, through bpf(2) itself (no bpftool).

  cgroup_devprog.py count DIR     print how many BPF_CGROUP_DEVICE programs DIR has attached
  cgroup_devprog.py deny-all DIR  attach (BPF_F_ALLOW_MULTI) a program refusing every device
  cgroup_devprog.py probe         exit 0 if this kernel loads cgroup device programs, else 77

Used by devices_v2.bats inside a private mount namespace with cgroup2 on /sys/fs/cgroup.
"""
import ctypes
import os
import platform
import struct
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280, "ppc64le": 361, "s390x": 351, "riscv64": 280}
BPF_PROG_LOAD, BPF_PROG_ATTACH, BPF_PROG_QUERY = 5, 8, 16
BPF_PROG_TYPE_CGROUP_DEVICE = 15
BPF_CGROUP_DEVICE = 6
BPF_F_ALLOW_MULTI = 2

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    nr = SYS_BPF.get(platform.machine())
    if nr is None:
        raise OSError(0, "no bpf(2) number known for " + platform.machine())
    r = libc.syscall(ctypes.c_long(nr), ctypes.c_int(cmd), buf, ctypes.c_uint(128))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r, buf.raw


def load_deny_all():
    # mov32 r0, 0 ; exit
    insns = struct.pack("<BBhi", 0xB4, 0, 0, 0) + struct.pack("<BBhi", 0x95, 0, 0, 0)
    ibuf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = struct.pack("<IIQQ", BPF_PROG_TYPE_CGROUP_DEVICE, 2,
                       ctypes.addressof(ibuf), ctypes.addressof(lic))
    fd, _ = bpf(BPF_PROG_LOAD, attr)
    return fd


def count(path):
    dfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        ids = (ctypes.c_uint32 * 64)()
        attr = struct.pack("<IIIIQI", dfd, BPF_CGROUP_DEVICE, 0, 0, ctypes.addressof(ids), 64)
        _, out = bpf(BPF_PROG_QUERY, attr)
        return struct.unpack_from("<I", out, 24)[0]
    finally:
        os.close(dfd)


def deny_all(path):
    dfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    pfd = load_deny_all()
    try:
        bpf(BPF_PROG_ATTACH, struct.pack("<IIII", dfd, pfd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI))
    finally:
        os.close(pfd)
        os.close(dfd)


def main(argv):
    if len(argv) == 3 and argv[1] == "count":
        print(count(argv[2]))
    elif len(argv) == 3 and argv[1] == "deny-all":
        deny_all(argv[2])
    elif len(argv) == 2 and argv[1] == "probe":
        try:
            os.close(load_deny_all())
        except OSError as e:
            print("cannot load a cgroup device program: %s" % e.strerror, file=sys.stderr)
            return 77
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
