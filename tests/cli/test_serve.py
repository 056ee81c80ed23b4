#!/usr/bin/python3
"""test_serve.py RECSIM MODEL - `recsim serve` through a real HTTP client.

Starts the server on an ephemeral port over a copy of MODEL (a built demo
model) and checks its answers against the command line's own JSON, its
errors on malformed requests, a reload after a rebuild, POST /observe in
read-write mode and a clean exit on SIGTERM.  Prints one line per failure
and "serve: N passed, N failed"; exits 1 when a check failed.
"""
import http.client
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

RECSIM, MODEL = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: serve: {name} {detail}"[:600])


def cli_json(*args):
    out = subprocess.run([RECSIM, "-q", *args], check=True, capture_output=True).stdout
    return json.loads(out)


class Server:
    def __init__(self, model, *options):
        self.proc = subprocess.Popen([RECSIM, "serve", "--port", "0", "--threads", "4",
                                      "--reload-interval", "0.2", *options, model],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("listening on http://127.0.0.1:"):
            self.proc.kill()
            raise SystemExit(f"serve did not start: {line!r} {self.proc.stderr.read()!r}")
        self.port = int(line.rstrip().rstrip("/").rsplit(":", 1)[1])

    def request(self, method, target, body=None, headers=None):
        """(status, parsed JSON or raw bytes, response headers)"""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = raw
        return response.status, doc, dict(response.getheaders())

    def get(self, target):
        return self.request("GET", target)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def expect_error(server, name, method, target, status, body=None, headers=None):
    got, doc, hdrs = server.request(method, target, body, headers)
    ok = got == status and (method == "HEAD" or (isinstance(doc, dict) and
                                                 doc.get("status") == status and
                                                 isinstance(doc.get("error"), str)))
    check(f"{name}: {status} with a JSON error", ok, f"got {got} {doc!r:.200}")
    return hdrs


work = tempfile.mkdtemp()
try:
    served = os.path.join(work, "served.rsm")
    shutil.copy(MODEL, served)
    server = Server(served)

    # the answers equal the command line's JSON
    users = ["13705", "nobody", "12347", "17850", "-dash"]
    expected = cli_json("recommend", "--json", "-k", "5", served, "--", *users)
    for user, want in zip(users, expected):
        status, doc, _ = server.get(f"/recommend?user={user}&k=5")
        check(f"/recommend {user} equals recommend --json", status == 200 and doc == want,
              f"{status} {doc!r:.200}")
    want = cli_json("recommend", "--json", "--explain", "--interests", "-k", "3",
                    "--exclude", "84946", "--exclude", "85123A", served, "13705")[0]
    status, doc, _ = server.get("/recommend?user=13705&k=3&explain=1&interests=true"
                                "&exclude=84946&exclude=85123A")
    check("/recommend with explain, interests, exclude", status == 200 and doc == want,
          f"{doc!r:.300}")
    only = [i["item"] for i in expected[0]["items"]][2:5]
    want = cli_json("recommend", "--json", "-k", "2", *sum((["--only", i] for i in only), []),
                    served, "13705")[0]
    status, doc, _ = server.get("/recommend?user=13705&k=2&" + "&".join(f"only={i}" for i in only))
    check("/recommend with only", status == 200 and doc == want and len(doc["items"]) == 2)
    status, doc, _ = server.get("/recommend?user=caf%C3%A9+au+lait")
    check("/recommend: a percent-encoded UTF-8 user, cold-started",
          status == 200 and doc["user"] == "café au lait" and doc["cold_start"] is True)
    want = cli_json("similar", "--json", "-k", "4", served, "71053")
    status, doc, _ = server.get("/similar?item=71053&k=4")
    check("/similar equals similar --json", status == 200 and doc == want)
    status, doc, _ = server.get("/explain?user=13705&item=84946")
    full = cli_json("recommend", "--json", "--explain", "-k", "1", served, "13705")[0]["items"][0]
    check("/explain: the explanation of recommend --explain",
          status == 200 and full["item"] == "84946" and
          doc["explanation"] == full["explanation"] and doc["path"] == full["path"],
          f"{doc!r:.300}")
    status, doc, _ = server.get("/healthz")
    check("/healthz", status == 200 and doc["status"] == "ok" and doc["items"] > 0 and
          doc["generation"] == 1 and doc["read_write"] is False, f"{doc!r}")
    status, doc, hdrs = server.request("HEAD", "/healthz")
    check("HEAD /healthz: 200 without a body", status == 200 and doc is None)

    # malformed requests: 4xx with a JSON error, never 5xx
    expect_error(server, "missing user", "GET", "/recommend?k=3", 400)
    expect_error(server, "user twice", "GET", "/recommend?user=a&user=b", 400)
    for k in ["0", "-1", "1001", "abc", "", "5x", "99999999999999999999"]:
        expect_error(server, f"k={k!r}", "GET", f"/recommend?user=13705&k={k}", 400)
    expect_error(server, "bad percent-encoding", "GET", "/recommend?user=%zz", 400)
    expect_error(server, "truncated percent-encoding", "GET", "/recommend?user=ab%4", 400)
    expect_error(server, "invalid UTF-8", "GET", "/recommend?user=%ff%fe", 400)
    expect_error(server, "overlong UTF-8", "GET", "/recommend?user=%c0%af", 400)
    expect_error(server, "a NUL byte", "GET", "/recommend?user=a%00b", 400)
    expect_error(server, "unknown parameter", "GET", "/recommend?user=a&kk=3", 400)
    expect_error(server, "bad flag", "GET", "/recommend?user=a&explain=maybe", 400)
    expect_error(server, "unknown route", "GET", "/recommendations?user=a", 404)
    expect_error(server, "root", "GET", "/", 404)
    expect_error(server, "unknown item (similar)", "GET", "/similar?item=no-such-item", 404)
    expect_error(server, "unknown item (explain)", "GET", "/explain?user=13705&item=nope", 404)
    expect_error(server, "explain without item", "GET", "/explain?user=13705", 400)
    hdrs = expect_error(server, "POST /recommend", "POST", "/recommend?user=a", 405, b"{}")
    check("405 names the methods allowed", hdrs.get("Allow") == "GET, HEAD")
    expect_error(server, "DELETE /healthz", "DELETE", "/healthz", 405)
    expect_error(server, "GET /observe", "GET", "/observe", 405)
    expect_error(server, "POST /observe read-only", "POST", "/observe",
                 403, b'{"user": "a", "item": "71053"}', {"Content-Type": "application/json"})
    expect_error(server, "a 10 KB target", "GET", "/recommend?user=" + "a" * 10000, 414)
    status, _, _ = server.get("/recommend?user=" + "a" * 200000)
    check("a 200 KB target: refused with a 4xx", 400 <= status < 500, f"got {status}")
    expect_error(server, "300 exclude parameters", "GET",
                 "/recommend?user=a" + "&exclude=x" * 300, 400)
    status, doc, _ = server.get("/healthz")
    check("still healthy after the malformed requests", status == 200)

    # many clients at once, on every read route: each answer is the one the
    # route gives alone (a read-only model is documented thread-safe for
    # recommend, explain and similar)
    targets = [f"/recommend?user={u}" for u in users] + \
              [f"/recommend?user={u}&k=4&explain=1&interests=1" for u in users[:3]] + \
              ["/similar?item=71053", "/similar?item=22423&k=7",
               "/explain?user=13705&item=84946", "/explain?user=nobody&item=22423"]
    alone = {t: server.get(t) for t in targets}
    errors = []

    def client(seed):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for i in range(40):
            target = targets[(seed * 5 + i) % len(targets)]
            conn.request("GET", target)
            response = conn.getresponse()
            doc = json.loads(response.read())
            if response.status != alone[target][0] or doc != alone[target][1]:
                errors.append((target, response.status))
        conn.close()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("8 keep-alive clients x 40 requests on every route: the same answers",
          not errors and all(v[0] == 200 for v in alone.values()), f"{errors[:3]}")

    # a rebuild of the file is picked up; the lists are the new model's
    before = server.get("/recommend?user=13705&k=5")[1]
    subprocess.run([RECSIM, "-q", "build", "--no-tune", "--cf", "knn", served], check=True,
                   capture_output=True)
    generation, deadline = 1, time.time() + 60
    while generation < 2 and time.time() < deadline:
        time.sleep(0.2)
        generation = server.get("/healthz")[1]["generation"]
    check("reload after a rebuild: generation 2", generation == 2, f"got {generation}")
    after = server.get("/recommend?user=13705&k=5")[1]
    want = cli_json("recommend", "--json", "-k", "5", served, "13705")[0]
    check("reload: the lists of the rebuilt model", after == want, f"{after!r:.200}")
    check("reload: the rebuilt model answers differently", after != before)

    # a file that does not load (not a model) leaves the last one serving;
    # the next good file is loaded
    good = os.path.join(work, "good.rsm")
    shutil.copy(served, good)
    with open(os.path.join(work, "garbage"), "w") as f:
        f.write("this is not a model file\n" * 100)
    os.replace(os.path.join(work, "garbage"), served)
    failed_loads, deadline = 0, time.time() + 60
    while failed_loads < 1 and time.time() < deadline:
        time.sleep(0.2)
        failed_loads = server.get("/healthz")[1]["failed_loads"]
    status, doc, _ = server.get("/recommend?user=13705&k=5")
    check("a file that does not load: counted, the old model serves on",
          failed_loads == 1 and status == 200 and doc == after and
          server.get("/healthz")[1]["generation"] == 2, f"{failed_loads} {status}")
    os.replace(good, served)
    generation, deadline = 2, time.time() + 60
    while generation < 3 and time.time() < deadline:
        time.sleep(0.2)
        generation = server.get("/healthz")[1]["generation"]
    check("the next good file is loaded", generation == 3, f"got {generation}")

    code = server.stop(signal.SIGTERM)
    check("SIGTERM: exit status 0", code == 0, f"got {code}")

    # read-write: POST /observe
    rw_model = os.path.join(work, "rw.rsm")
    shutil.copy(MODEL, rw_model)
    rw = Server(rw_model, "--read-write")
    status, doc, _ = rw.request("POST", "/observe",
                                json.dumps({"user": "newcomer", "item": "71053",
                                            "event": "bought", "time": 1323000000}).encode())
    check("POST /observe", status == 200 and doc["status"] == "ok" and doc["history"] == 1,
          f"{status} {doc!r}")
    status, doc, _ = rw.get("/recommend?user=newcomer&k=3")
    check("/recommend after observe: the user has a history",
          status == 200 and doc["history"] == 1 and doc["cold_start"] is False, f"{doc!r:.200}")
    check("/recommend after observe: the item observed is not recommended",
          all(i["item"] != "71053" for i in doc["items"]))
    status, doc, _ = rw.get("/healthz")
    check("observe does not reload the model", doc["generation"] == 1 and doc["read_write"])
    expect_error(rw, "observe: malformed JSON", "POST", "/observe", 400, b'{"user": ')
    expect_error(rw, "observe: missing item", "POST", "/observe", 400, b'{"user": "a"}')
    expect_error(rw, "observe: unknown key", "POST", "/observe", 400,
                 b'{"user": "a", "item": "71053", "colour": 1}')
    expect_error(rw, "observe: weight not a number", "POST", "/observe", 400,
                 b'{"user": "a", "item": "71053", "weight": "x"}')
    expect_error(rw, "observe: weight out of range", "POST", "/observe", 400,
                 b'{"user": "a", "item": "71053", "weight": -1}')
    expect_error(rw, "observe: unknown item", "POST", "/observe", 404,
                 b'{"user": "a", "item": "no-such-item"}')
    expect_error(rw, "observe: a body over 64 KiB", "POST", "/observe", 413,
                 b'{"user": "' + b"a" * 100000 + b'", "item": "71053"}')
    expect_error(rw, "observe: parameters", "POST", "/observe?user=a", 400,
                 b'{"user": "a", "item": "71053"}')
    code = rw.stop(signal.SIGINT)
    check("SIGINT: exit status 0", code == 0, f"got {code}")
    doc = cli_json("recommend", "--json", rw_model, "newcomer")[0]
    check("the observed event is in the file", doc["history"] == 1, f"{doc!r:.200}")
finally:
    shutil.rmtree(work, ignore_errors=True)

print(f"serve: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
