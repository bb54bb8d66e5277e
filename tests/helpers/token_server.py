#!/usr/bin/python3
"""tests/helpers/token_server.py: a tiny Docker registry token server for berthd_auth.bats.

    token_server.py PORT KEY.pem CERT.pem ISSUER USER:PASSWORD [ACTIONS=USER:PASSWORD]...

GET /token?service=S&scope=repository:NAME:ACTIONS[&scope=...] answers {"token", "access_token",
"expires_in", "issued_at"}: a JWT (RS256) signed with KEY whose certificate goes in the header's
x5c, as docker/distribution's token auth expects (CERT must be in the registry's
rootcertbundle). With right Basic credentials every requested action is granted to the first
USER; a user given as ACTIONS=USER:PASSWORD (e.g. "pull=reader:pw") gets only the requested
actions among ACTIONS (comma-separated), as a real token server grants the intersection;
without credentials the token grants nothing (the registry then refuses); wrong credentials are
401 with a registry-style errcode body. Every request is logged to stdout, one line each.
Needs /usr/bin/python3 with PyJWT and cryptography (Debian: python3-jwt, python3-cryptography).
"""
import base64
import http.server
import json
import sys
import time
import uuid
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

PORT, KEY, CERT, ISSUER, CREDS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
USERS = {CREDS: None}  # credentials -> allowed actions (None: any)
for arg in sys.argv[6:]:
    allowed, creds = arg.split("=", 1)
    USERS[creds] = set(allowed.split(","))
with open(KEY, "rb") as f:
    PRIVATE = serialization.load_pem_private_key(f.read(), password=None)
with open(CERT, "rb") as f:
    DER = x509.load_pem_x509_certificate(f.read()).public_bytes(serialization.Encoding.DER)
X5C = [base64.b64encode(DER).decode()]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stdout.write("%s\n" % (fmt % args))
        sys.stdout.flush()

    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such path"}]})
            return
        q = parse_qs(url.query)
        authz = self.headers.get("Authorization", "")
        user = None
        if authz.startswith("Basic "):
            given = base64.b64decode(authz[6:]).decode()
            if given not in USERS:
                self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                             "message": "incorrect username or password"}]})
                return
            user = given.split(":", 1)[0]
            allowed = USERS[given]
        access = []
        if user is not None:
            for scope in q.get("scope", []):
                parts = scope.split(":")
                if len(parts) >= 3 and parts[0] == "repository":
                    actions = [a for a in parts[-1].split(",")
                               if allowed is None or a in allowed]
                    access.append({"type": "repository", "name": ":".join(parts[1:-1]),
                                   "actions": actions})
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": q.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()),
                  "access": access}
        token = jwt.encode(claims, PRIVATE, algorithm="RS256", headers={"x5c": X5C})
        self.reply(200, {"token": token, "access_token": token, "expires_in": 300,
                         "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
