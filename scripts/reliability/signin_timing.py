#!/usr/bin/env python3
"""Sign-in timing: median time of generateToken for a known user with a wrong password and for an
unknown user, interleaved. Usage: signin_timing.py PORT [ROUNDS]. Equal medians mean the answer's
timing does not tell which user names exist (docs/security-review.md, finding 1)."""
import http.client, statistics, sys, time, urllib.parse

port = int(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 60


def once(user):
    body = urllib.parse.urlencode({"username": user, "password": "wrong-password", "f": "json"})
    c = http.client.HTTPConnection("127.0.0.1", port)
    start = time.perf_counter()
    c.request("POST", "/arcgis/sharing/rest/generateToken", body, {"Content-Type": "application/x-www-form-urlencoded"})
    c.getresponse().read()
    c.close()
    return (time.perf_counter() - start) * 1000


known, unknown = [], []
for _ in range(rounds):
    known.append(once("admin"))
    unknown.append(once("nobody-here"))
print(f"median ms over {rounds} interleaved: known user, wrong password {statistics.median(known):.1f}; "
      f"unknown user {statistics.median(unknown):.1f}")
