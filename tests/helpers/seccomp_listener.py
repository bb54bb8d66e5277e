#!/usr/bin/env python3
"""seccomp_listener.py SOCKET OUT ANSWER: a linux.seccomp.listenerPath agent for the tests.

Listens on the unix socket SOCKET and accepts one connection. The runtime sends the container
process state (runtime-spec "containerProcessState", JSON) with the seccomp notify fd attached
(SCM_RIGHTS); the message goes to OUT.json and the number of fds received to OUT.nfds. Then it
answers every notification on that fd until the filter's last user is gone (POLLHUP) or 20 s
pass, one line per notification to OUT: "NR PID ARG0 ARG1 -> ANSWER".

ANSWER is what a mkdir or mkdirat gets: "ok" (fake success: val 0, error 0), "errno:N" (fails
with errno N), or "continue" (the kernel runs the syscall). Any other syscall gets "continue".
Writes OUT.ready once SOCKET exists.
"""
import ctypes
import errno
import fcntl
import json
import os
import select
import signal
import socket
import struct
import sys

# include/uapi/linux/seccomp.h
SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes
SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1

# x86_64
NR_MKDIR = 83
NR_MKDIRAT = 258


class SeccompData(ctypes.Structure):
    _fields_ = [("nr", ctypes.c_int32), ("arch", ctypes.c_uint32),
                ("instruction_pointer", ctypes.c_uint64), ("args", ctypes.c_uint64 * 6)]


class SeccompNotif(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("pid", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("data", SeccompData)]


class SeccompNotifResp(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("val", ctypes.c_int64), ("error", ctypes.c_int32),
                ("flags", ctypes.c_uint32)]


assert ctypes.sizeof(SeccompNotif) == 80 and ctypes.sizeof(SeccompNotifResp) == 24


def answer_for(nr, answer):
    """(val, error, flags) for syscall NR."""
    if nr not in (NR_MKDIR, NR_MKDIRAT) or answer == "continue":
        return 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE, "continue"
    if answer == "ok":
        return 0, 0, 0, "ok"
    if answer.startswith("errno:"):
        n = int(answer[6:])
        return 0, -n, 0, "errno %d" % n
    sys.exit("seccomp_listener: bad ANSWER %r" % answer)


def serve(fd, out, answer):
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    with open(out, "a") as log:
        while True:
            events = poll.poll()
            if any(ev & (select.POLLHUP | select.POLLERR) for _fd, ev in events):
                return
            req = SeccompNotif()  # RECV wants it zeroed
            try:
                fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req, True)
            except OSError as e:
                if e.errno in (errno.EINTR, errno.ENOENT):
                    continue  # interrupted, or the task went away before we looked
                raise
            val, err, flags, what = answer_for(req.data.nr, answer)
            resp = SeccompNotifResp(id=req.id, val=val, error=err, flags=flags)
            try:
                fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp, True)
            except OSError as e:
                if e.errno != errno.ENOENT:
                    raise
                what += " (gone)"
            log.write("%d %d %d %d -> %s\n" % (req.data.nr, req.pid, req.data.args[0],
                                                req.data.args[1], what))
            log.flush()


def main():
    path, out, answer = sys.argv[1], sys.argv[2], sys.argv[3]
    signal.alarm(20)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    open(out, "w").close()
    open(out + ".ready", "w").close()
    conn, _ = srv.accept()
    msg, fds, _flags, _addr = socket.recv_fds(conn, 65536, 8)
    # The whole message, should it come in pieces.
    conn.settimeout(0.2)
    try:
        while True:
            more = conn.recv(65536)
            if not more:
                break
            msg += more
    except (socket.timeout, BlockingIOError):
        pass
    conn.close()
    srv.close()
    with open(out + ".nfds", "w") as f:
        f.write("%d\n" % len(fds))
    with open(out + ".json", "wb") as f:
        f.write(msg)
    json.loads(msg)  # fail loudly on a malformed message
    if len(fds) != 1:
        sys.exit("seccomp_listener: expected one fd, got %d" % len(fds))
    serve(fds[0], out, answer)
    os.close(fds[0])


if __name__ == "__main__":
    main()
