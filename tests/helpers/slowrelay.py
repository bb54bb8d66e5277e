#!/usr/bin/env python3
"""An HTTP relay in front of a registry, for pull tests: blob bodies are sent slowly, and the
requests are logged so a test can see how many blob downloads ran at once.

usage: slowrelay.py UPSTREAM_PORT PORT_FILE LOG_FILE [RATE]

Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and forwards GET and
HEAD requests to 127.0.0.1:UPSTREAM_PORT. Blob bodies (paths with /blobs/) go out at RATE
bytes per second (default 1048576) in 16 KiB pieces. LOG_FILE gets a line per blob request:
"start PATH ACTIVE" (ACTIVE: blob requests running then, this one included) and "end PATH".
"""
import http.client
import http.server
import sys
import threading
import time

UP = int(sys.argv[1])
PORT_FILE, LOG_FILE = sys.argv[2], sys.argv[3]
RATE = int(sys.argv[4]) if len(sys.argv) > 4 else 1 << 20
lock = threading.Lock()
active = 0


def log(line):
    with lock:
        with open(LOG_FILE, "a") as f:
            f.write(line + "\n")


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def relay(self, head):
        global active
        conn = http.client.HTTPConnection("127.0.0.1", UP, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, headers=hdrs)
        resp = conn.getresponse()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding"):
                self.send_header(k, v)
        self.end_headers()
        blob = "/blobs/" in self.path and not head
        counted = blob
        if blob:
            with lock:
                active += 1
                n = active
            log("start %s %d" % (self.path, n))
        try:
            chunk = b"" if head else resp.read(16384)
            while chunk:
                nxt = resp.read(16384)
                if blob:
                    time.sleep(len(chunk) / RATE)
                if not nxt and counted:
                    # Not running any more once the client can have the last byte: it may
                    # send its next request at once.
                    with lock:
                        active -= 1
                    counted = False
                self.wfile.write(chunk)
                self.wfile.flush()
                chunk = nxt
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            if counted:
                with lock:
                    active -= 1
            if blob:
                log("end %s" % self.path)
            conn.close()

    def do_GET(self):
        self.relay(False)

    def do_HEAD(self):
        self.relay(True)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
srv.daemon_threads = True
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402
os.rename(PORT_FILE + ".tmp", PORT_FILE)
srv.serve_forever()
