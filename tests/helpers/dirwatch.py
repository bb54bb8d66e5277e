#!/usr/bin/env python3
"""dirwatch.py DIR OUT: record inotify events in DIR to OUT, one "EVENT NAME" a line.

Used to check that a file is published atomically (only ever appears by rename: MOVED_TO, never
CREATE/CLOSE_WRITE under its final name). Writes OUT.ready once the watch is in place; runs until
killed or 20 s pass.
"""
import ctypes
import os
import signal
import struct
import sys

IN_CREATE = 0x100
IN_MOVED_TO = 0x80
IN_CLOSE_WRITE = 0x8
IN_MODIFY = 0x2
NAMES = {IN_CREATE: "CREATE", IN_MOVED_TO: "MOVED_TO", IN_CLOSE_WRITE: "CLOSE_WRITE", IN_MODIFY: "MODIFY"}


def main():
    path, out = sys.argv[1], sys.argv[2]
    signal.alarm(20)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(0)
    if fd < 0:
        sys.exit("dirwatch: inotify_init1: " + os.strerror(ctypes.get_errno()))
    mask = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY
    if libc.inotify_add_watch(fd, path.encode(), mask) < 0:
        sys.exit("dirwatch: inotify_add_watch: " + os.strerror(ctypes.get_errno()))
    open(out + ".ready", "w").close()
    with open(out, "a") as f:
        while True:
            buf = os.read(fd, 65536)
            off = 0
            while off < len(buf):
                _wd, ev, _cookie, n = struct.unpack_from("iIII", buf, off)
                name = buf[off + 16:off + 16 + n].rstrip(b"\0").decode()
                off += 16 + n
                for bit, word in NAMES.items():
                    if ev & bit:
                        f.write("%s %s\n" % (word, name))
                f.flush()


if __name__ == "__main__":
    main()
