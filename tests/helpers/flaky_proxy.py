#!/usr/bin/python3
"""tests/helpers/flaky_proxy.py: an HTTP proxy in front of a registry that misbehaves once per
path, for berthd_auth.bats's retry tests.

    flaky_proxy.py PORT BACKEND_PORT

/v2/ passes through. The first request for each manifest or blob path is answered 503; the second
GET of a blob gets the registry's status line and headers but only half the body, then the
connection is closed; later requests pass through (Range included, so a resume gets 206).
Pushes: the paths of upload sessions (PUT, PATCH, DELETE under /blobs/uploads/<id>) are not
answered 503; instead the very first PUT or PATCH of any upload has half its body read and then
its connection closed, unanswered. The Host header is passed on, so the registry's Location
headers point back at the proxy. Every request is logged to stdout as
"METHOD PATH range=RANGE -> WHAT".
"""
import http.client
import http.server
import sys
import threading

PORT, BACKEND = int(sys.argv[1]), int(sys.argv[2])
SEEN = {}
UPLOADS_CUT = [0]
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, what):
        sys.stdout.write("%s %s range=%s -> %s\n" % (self.command, self.path,
                                                   self.headers.get("Range", "-"), what))
        sys.stdout.flush()

    def forward(self, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", BACKEND, timeout=30)
        # every header as sent, repeated ones (Accept) included
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        return conn, conn.getresponse()

    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        session = "/blobs/uploads/" in self.path and self.command in ("PUT", "PATCH", "DELETE")
        with LOCK:
            n = SEEN.get(self.path, 0) + 1
            SEEN[self.path] = n
            cut_upload = session and self.command != "DELETE" and UPLOADS_CUT[0] == 0
            if cut_upload:
                UPLOADS_CUT[0] = 1
        if cut_upload:
            got = self.rfile.read(length // 2) if length > 1 else b""
            self.close_connection = True
            self.note("cut upload after %d of %d bytes" % (len(got), length))
            return
        body = self.rfile.read(length) if length > 0 else None
        flaky = ("/manifests/" in self.path or "/blobs/" in self.path) and not session
        if flaky and n == 1:
            body = b'{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}'
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.note("503")
            return
        conn, resp = self.forward(body)
        body = resp.read()
        cut = "/blobs/" in self.path and n == 2 and self.command == "GET" and len(body) > 1
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.note("%d cut after %d of %d bytes" % (resp.status, len(body) // 2, len(body)))
        else:
            if self.command != "HEAD":
                self.wfile.write(body)
            self.note("%d" % resp.status)
        conn.close()

    do_GET = handle_any
    do_HEAD = handle_any
    do_POST = handle_any
    do_PUT = handle_any
    do_PATCH = handle_any
    do_DELETE = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
