#!/usr/bin/env python3
"""recvtty.py SOCKET OUT [INPUT]: a --console-socket receiver for the integration tests.

Listens on the unix socket SOCKET, accepts one connection, takes the pty master
the runtime sends with SCM_RIGHTS, optionally writes INPUT to it, and copies
everything the container writes on its terminal to the file OUT until the
slave side is closed (read() gives EIO) or 20 s pass.  The name the runtime
sent along with the fd goes to OUT.name.
"""
import errno
import os
import signal
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    data = sys.argv[3].encode() if len(sys.argv) > 3 else b""
    signal.alarm(20)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    # The socket exists now: tell the test it may start the runtime.
    open(out + ".ready", "w").close()
    conn, _ = srv.accept()
    msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 4)
    conn.close()
    srv.close()
    with open(out + ".name", "wb") as f:
        f.write(msg)
    if len(fds) != 1:
        sys.exit("recvtty: expected 1 fd, got %d" % len(fds))
    master = fds[0]
    if data:
        os.write(master, data)
    with open(out, "wb") as f:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError as e:
                if e.errno == errno.EIO:
                    break
                raise
            if not chunk:
                break
            f.write(chunk)
            f.flush()
    os.close(master)


if __name__ == "__main__":
    main()
