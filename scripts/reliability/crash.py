#!/usr/bin/env python3
"""Crash safety of drmock: SIGKILL at random moments, restart, check that nothing acknowledged is lost.

Runs the built drmock on a file catalog with a fast system clock (--speed), drives it with clients
(token requests, backup creates, restores, store registrations, reads), kills it with SIGKILL at a random moment -- while it serves,
while it starts, in the middle of a write -- and starts it again on the same file. After every kill:

  * the catalog passes PRAGMA integrity_check (Python's sqlite3, read-only, before drmock reopens it);
  * the rows agree: a job recorded COMPLETED has its backup row, every backup row beyond the fixture's
    belongs to a COMPLETED job, at most one job is unfinished;
  * nothing acknowledged is lost: every backup answered SUBMITTED, every restore answered success
    (as a restore job), every store registered and every token handed out is there;

and after every restart, over HTTP:

  * /admin/jobs lists every acknowledged job; each job is COMPLETED with its backup listed, FAILED with
    a message and no backup, or still running (then it must finish later);
  * backup names are unique and each backup beyond the fixture's belongs to a COMPLETED job;
  * the status resource agrees with the last job; tokens from earlier runs still work;
  * with "onRestart": "fail" no job is left running after a restart (it failed with the documented message).

At the end drmock is started once more and every job must finish: with "resume" every acknowledged
backup completes. Exit status 0 when all checks pass; the last line reads "N passed, M failed".
"""
import argparse, hashlib, http.client, json, os, random, signal, sqlite3, subprocess, sys, tempfile, threading, time, urllib.parse

SEED_BACKUPS = {"backup_first", "schedule1-2021-10-22-20-00-09"}
FINISHED = {"COMPLETED", "FAILED", "TIMED OUT"}
INTERRUPTED = "The backup job was interrupted because drmock restarted while it ran."
STATE_OF = {"SUBMITTED": "in_progress", "EXECUTING": "in_progress", "COMPLETED": "success", "FAILED": "failed", "TIMED OUT": "failed"}
DR = "/arcgis/admin/system/disasterrecovery"


class Failure(Exception):
    pass


class Client:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, fields=None, timeout=5):
        body = urllib.parse.urlencode(fields or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if method == "GET":
                conn.request("GET", path + ("?" + body if body else ""))
            else:
                conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        return json.loads(data)


class Run:
    """One drmock process on the catalog."""

    def __init__(self, binary, db, fixture, speed, log):
        self.proc = subprocess.Popen(
            # 11.5: a completed backup job carries result.stages there, which the checks read (real 12.0
            # leaves result out: Esri/arcgis-gitops#263).
            [binary, "serve", "--port", "0", "--db", db, "--fixture", fixture, "--speed", str(speed), "--release", "11.5"],
            stdout=subprocess.PIPE, stderr=log, text=True)
        self.port = None

    def wait_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        line = self.proc.stdout.readline()
        if not line.startswith("drmock listening on "):
            self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            raise Failure(f"drmock did not start (exit {self.proc.returncode}): {line.strip()!r}")
        self.port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        return Client(self.port)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


class Ledger:
    """What drmock acknowledged to the clients: jobs answered SUBMITTED and tokens handed out."""

    def __init__(self):
        self.lock = threading.Lock()
        self.jobs = {}      # jobid -> backup name, for backups answered SUBMITTED
        self.restores = 0   # restores answered {"status": "success"}
        self.stores = []    # stores whose registration was answered success
        self.tokens = []    # tokens handed out
        self.counter = 0

    def name(self, cycle):
        with self.lock:
            self.counter += 1
            return f"crash-{cycle}-{self.counter}"


def check_catalog(db, ledger, policy, totals):
    """Integrity and row-level consistency of the catalog file, read-only, drmock not running."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise Failure(f"integrity_check: {result}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "jobs" not in tables:   # killed before the schema was made: nothing can have been acknowledged
            if ledger.jobs or ledger.tokens:
                raise Failure("catalog has no schema but jobs/tokens were acknowledged")
            return
        jobs = {}
        for jobid, status, body in conn.execute("SELECT jobid, status, body FROM jobs"):
            jobs[jobid] = (status, json.loads(body))
        backups = {name for (name,) in conn.execute("SELECT name FROM backups WHERE store='default'")}
        digests = {d for (d,) in conn.execute("SELECT digest FROM tokens")}
        stores = {name for (name,) in conn.execute("SELECT name FROM stores")}
    finally:
        conn.close()
    for jobid, name in list(ledger.jobs.items()):
        if jobid not in jobs:
            raise Failure(f"acknowledged job {jobid} ({name}) is not in the catalog")
    for token in ledger.tokens:
        if hashlib.sha256(token.encode()).hexdigest() not in digests:
            raise Failure("an acknowledged token is not in the catalog")
    for store in ledger.stores:
        if store not in stores:
            raise Failure(f"acknowledged store {store} is not in the catalog")
    restores = [j for j, (_, b) in jobs.items() if b.get("operation") == "Restore"]
    if len(restores) < ledger.restores:
        raise Failure(f"{ledger.restores} restores acknowledged but {len(restores)} restore jobs recorded")
    unfinished = [j for j, (s, _) in jobs.items() if s not in FINISHED]
    if len(unfinished) > 1:
        raise Failure(f"more than one unfinished job recorded: {unfinished}")
    totals["kills_with_job_in_flight"] += len(unfinished)
    by_name = {}
    for jobid, (status, body) in jobs.items():
        if body.get("operation") not in ("Backup", "Restore") and status != "COMPLETED":
            raise Failure(f"instant job {jobid} ({body.get('operation')}) recorded {status}")
        if body.get("operation") != "Backup":
            continue
        if body.get("recordedStatus") != status:
            raise Failure(f"job {jobid}: status column {status} but body says {body.get('recordedStatus')}")
        by_name[body["backupName"]] = status
        if status == "COMPLETED" and body["backupName"] not in backups:
            raise Failure(f"job {jobid} recorded COMPLETED without its backup {body['backupName']}")
        if status != "COMPLETED" and body["backupName"] in backups and body["backupName"] not in SEED_BACKUPS:
            raise Failure(f"job {jobid} recorded {status} but its backup {body['backupName']} exists (half-made)")
    for name in backups - SEED_BACKUPS:
        if by_name.get(name) != "COMPLETED":
            raise Failure(f"backup {name} has no COMPLETED job")


def check_api(client, token, ledger, policy, fresh_restart):
    """What clients see right after a restart (before anything new is asked)."""
    q = {"f": "json", "token": token}
    ids = client.call("GET", "/arcgis/admin/jobs", q)["jobs"]
    if len(set(ids)) != len(ids):
        raise Failure("/admin/jobs lists a job twice")
    missing = set(ledger.jobs) - set(ids)
    if missing:
        raise Failure(f"acknowledged jobs missing from /admin/jobs: {sorted(missing)}")
    backups = [b["backupName"] for b in client.call("GET", f"{DR}/stores/default/backups", q)["backups"]]
    if len(set(backups)) != len(backups):
        raise Failure(f"duplicate backup names: {backups}")
    jobs, restores = {}, {}
    for jid in ids:
        j = client.call("GET", f"/arcgis/admin/jobs/{jid}", q)
        if "error" in j:
            raise Failure(f"job {jid}: {j}")
        uri = j["operationURI"]
        if uri.endswith("/backups/create"):
            jobs[jid] = j
        elif uri.endswith("/restore"):
            restores[jid] = j
        elif j["status"] != "COMPLETED":
            raise Failure(f"instant job {jid} ({uri}) is {j['status']}")
    if len(restores) < ledger.restores:
        raise Failure(f"{ledger.restores} restores acknowledged but /admin/jobs lists {len(restores)}")
    stores = {st["name"] for st in client.call("GET", f"{DR}/stores", q)["backupStores"]}
    if set(ledger.stores) - stores:
        raise Failure(f"acknowledged stores missing: {sorted(set(ledger.stores) - stores)}")
    for jid, j in restores.items():
        if j["status"] in FINISHED and j["status"] != "COMPLETED":
            if policy == "resume":
                raise Failure(f"restore {jid} {j['status']} under onRestart=resume")
            if j["messages"][-1] != INTERRUPTED.replace("backup job", "restore job"):
                raise Failure(f"restore {jid} failed with {j['messages'][-1]!r}")
    running = [jid for jid, j in list(jobs.items()) + list(restores.items()) if j["status"] not in FINISHED]
    if len(running) > 1:
        raise Failure(f"more than one job running: {running}")
    if policy == "fail" and fresh_restart and running:
        raise Failure(f"onRestart=fail but job {running[0]} is still running after the restart")
    # Re-read the backups after the jobs: a job seen COMPLETED must have its backup listed now.
    backups = {b["backupName"] for b in client.call("GET", f"{DR}/stores/default/backups", q)["backups"]}
    completed_names = set()
    for jid, j in jobs.items():
        name = j["messages"][0].split("'")[1]
        if j["status"] == "COMPLETED":
            completed_names.add(name)
            if name not in backups:
                raise Failure(f"job {jid} COMPLETED but backup {name} is not listed")
            if not j.get("result", {}).get("stages"):
                raise Failure(f"job {jid} COMPLETED without result.stages")
        elif j["status"] in FINISHED:
            if name in backups:
                raise Failure(f"job {jid} {j['status']} but backup {name} is listed (half-made)")
            if not j["messages"] or not j["messages"][-1]:
                raise Failure(f"job {jid} {j['status']} without a message")
            if policy == "fail" and j["messages"][-1] != INTERRUPTED:
                raise Failure(f"job {jid} failed with {j['messages'][-1]!r}, not the interruption message")
            if policy == "resume":
                raise Failure(f"job {jid} {j['status']} under onRestart=resume (nothing should fail)")
    for name in backups - SEED_BACKUPS:
        if name not in completed_names:
            # It may have completed between the two reads; the job must say so now.
            owner = [jid for jid, j in jobs.items() if j["messages"][0].split("'")[1] == name]
            if not owner or client.call("GET", f"/arcgis/admin/jobs/{owner[0]}", q)["status"] != "COMPLETED":
                raise Failure(f"backup {name} is listed without a COMPLETED job")
    dr_ids = [jid for jid in ids if jid in jobs or jid in restores]
    if dr_ids:
        last = dr_ids[-1]
        before = client.call("GET", f"/arcgis/admin/jobs/{last}", q)["status"]
        status = client.call("GET", f"{DR}/status", q)["status"]
        after = client.call("GET", f"/arcgis/admin/jobs/{last}", q)["status"]
        if status["state"] not in (STATE_OF[before], STATE_OF[after]):
            raise Failure(f"status says {status['state']} but the last job went {before} -> {after}")
        if status["backupName"] != {**jobs, **restores}[last]["messages"][0].split("'")[1]:
            raise Failure(f"status names backup {status['backupName']}, not the last job's")
    return running


def traffic(client, ledger, cycle, stop, totals):
    """A client doing what clients do until drmock dies under it."""
    rng = random.Random()
    try:
        while not stop.is_set():
            token = ledger.tokens[-1]
            r = rng.random()
            totals["requests"] += 1
            if r < 0.05:
                t = client.call("POST", "/arcgis/sharing/rest/generateToken",
                                {"username": "admin", "password": "drmock-admin-1", "client": "referer",
                                 "referer": "x", "expiration": "20160", "f": "json"})
                with ledger.lock:
                    ledger.tokens.append(t["token"])
            elif r < 0.12:
                totals["restores"] += 1
                a = client.call("POST", f"{DR}/stores/default/backups/backup_first/restore",
                                {"passcode": "backup-passcode", "f": "json", "token": token})
                if a.get("status") == "success":
                    with ledger.lock:
                        ledger.restores += 1
                elif a.get("error", {}).get("code") == 409:
                    totals["restores_refused_409"] += 1
                else:
                    raise Failure(f"restore answered {a}")
            elif r < 0.15:
                name = "crash-store-" + ledger.name(cycle)
                a = client.call("POST", f"{DR}/stores/register",
                                {"storeName": name, "isDefault": "false", "f": "json", "token": token,
                                 "settings": json.dumps({"type": "HOSTED", "storageConfig": {
                                     "provisioningType": "DYNAMIC", "storageClass": "backups", "size": "64Gi"}})})
                if a.get("status") == "success":
                    with ledger.lock:
                        ledger.stores.append(name)
                else:
                    raise Failure(f"store registration answered {a}")
            elif r < 0.55:
                totals["creates"] += 1
                name = ledger.name(cycle)
                a = client.call("POST", f"{DR}/stores/default/backups/create",
                                {"name": name, "passcode": "crash-pass-1", "f": "json", "token": token})
                if a.get("status") == "SUBMITTED":
                    with ledger.lock:
                        ledger.jobs[a["jobid"]] = name
                elif a.get("error", {}).get("code") == 409:
                    totals["creates_refused_409"] += 1
                else:
                    raise Failure(f"create answered {a}")
            elif r < 0.75:
                client.call("GET", f"{DR}/status", {"f": "json", "token": token})
            else:
                client.call("GET", "/arcgis/admin/jobs", {"f": "json", "token": token})
    except (OSError, http.client.HTTPException, json.JSONDecodeError):
        pass  # drmock was killed mid-request: that answer was never acknowledged


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--fixture", required=True, help="the default fixture to derive from")
    ap.add_argument("--cycles", type=int, default=200, help="kill/restart cycles with onRestart=resume")
    ap.add_argument("--fail-cycles", type=int, default=40, help="kill/restart cycles with onRestart=fail")
    ap.add_argument("--speed", type=float, default=400, help="clock speed of the resume cycles (a backup takes 66 s / speed)")
    ap.add_argument("--fail-speed", type=float, default=100,
                    help="clock speed of the fail cycles: slower, so that jobs are still running when drmock comes back")
    ap.add_argument("--max-window", type=float, default=0.35, help="longest time (s) drmock serves before the kill")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    print(f"crash test: seed {seed}, {args.cycles} cycles at speed {args.speed} + {args.fail_cycles} at speed {args.fail_speed}", flush=True)
    passed = failed = 0
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="drmock-crash-")
    totals = {"kills": 0, "killed_starting": 0, "kills_with_job_in_flight": 0, "requests": 0, "creates": 0,
              "creates_refused_409": 0, "restores": 0, "restores_refused_409": 0, "acknowledged_jobs": 0,
              "acknowledged_restores": 0, "acknowledged_stores": 0, "tokens": 0, "completed": 0, "failed": 0}
    for policy, cycles, speed in (("resume", args.cycles, args.speed), ("fail", args.fail_cycles, args.fail_speed)):
        if cycles <= 0:
            continue
        with open(args.fixture) as f:
            fixture = json.load(f)
        fixture["name"] = f"crash-{policy}"
        fixture["onRestart"] = policy
        fixture_path = os.path.join(work, f"crash-{policy}.json")
        with open(fixture_path, "w") as f:
            json.dump(fixture, f)
        db = os.path.join(work, f"{policy}.sqlite")
        log = open(os.path.join(work, f"{policy}.log"), "w")
        ledger = Ledger()
        t0 = time.monotonic()
        try:
            for cycle in range(cycles + 1):
                run = Run(args.binary, db, fixture_path, speed, log)
                if 0 < cycle < cycles and random.random() < 0.1:
                    # Kill while it opens the catalog (migrations, profile write, onRestart).
                    time.sleep(random.uniform(0, 0.03))
                    run.kill()
                    totals["kills"] += 1
                    totals["killed_starting"] += 1
                    check_catalog(db, ledger, policy, totals)
                    continue
                client = run.wait_ready()
                if not ledger.tokens:
                    t = client.call("POST", "/arcgis/sharing/rest/generateToken",
                                    {"username": "admin", "password": "drmock-admin-1", "client": "referer",
                                     "referer": "x", "expiration": "20160", "f": "json"})
                    ledger.tokens.append(t["token"])
                # Every token handed out before still works.
                for token in ledger.tokens[-3:]:
                    s = client.call("GET", f"{DR}/status", {"f": "json", "token": token})
                    if "error" in s:
                        raise Failure(f"an acknowledged token was refused after the restart: {s}")
                running = check_api(client, ledger.tokens[-1], ledger, policy, fresh_restart=cycle > 0)
                if cycle == cycles:
                    # Last start: every job must finish on the clock; then the final checks.
                    deadline = time.monotonic() + 30
                    while running and time.monotonic() < deadline:
                        time.sleep(0.05)
                        running = check_api(client, ledger.tokens[-1], ledger, policy, fresh_restart=False)
                    if running:
                        raise Failure(f"job {running} never finished")
                    q = {"f": "json", "token": ledger.tokens[-1]}
                    states = [client.call("GET", f"/arcgis/admin/jobs/{j}", q)["status"] for j in ledger.jobs]
                    totals["completed"] += states.count("COMPLETED")
                    totals["failed"] += states.count("FAILED")
                    last_messages = [client.call("GET", f"/arcgis/admin/jobs/{j}", q)["messages"][-1]
                                     for j in client.call("GET", "/arcgis/admin/jobs", q)["jobs"]]
                    interrupted = [m for m in last_messages if m.endswith("interrupted because drmock restarted while it ran.")]
                    totals[f"interrupted_{policy}"] = len(interrupted)
                    if policy == "fail" and not interrupted:
                        raise Failure("no job was ever interrupted by a restart: the fail cycles tested nothing")
                    if policy == "resume" and set(states) - {"COMPLETED"}:
                        raise Failure(f"under resume not every acknowledged backup completed: {set(states)}")
                    run.stop()
                    check_catalog(db, ledger, policy, totals)
                    break
                if policy == "fail":
                    # Start a backup first, so that the kill below lands while a job runs (under load the
                    # random traffic alone may not get one going in time).
                    name = ledger.name(cycle)
                    a = client.call("POST", f"{DR}/stores/default/backups/create",
                                    {"name": name, "passcode": "crash-pass-1", "f": "json", "token": ledger.tokens[-1]})
                    if a.get("status") != "SUBMITTED":
                        raise Failure(f"create after a restart under onRestart=fail answered {a}")
                    ledger.jobs[a["jobid"]] = name
                stop = threading.Event()
                worker = threading.Thread(target=traffic, args=(client, ledger, cycle, stop, totals))
                worker.start()
                time.sleep(random.uniform(0, args.max_window))
                run.kill()
                stop.set()
                worker.join()
                totals["kills"] += 1
                check_catalog(db, ledger, policy, totals)
            passed += 1
            print(f"  {policy}: {cycles} kill/restart cycles in {time.monotonic() - t0:.1f} s, "
                  f"{len(ledger.jobs)} acknowledged jobs, {len(ledger.tokens)} tokens: ok", flush=True)
        except Failure as e:
            failed += 1
            print(f"  {policy}: FAILED in cycle {cycle}: {e} (catalog and log kept in {work})", flush=True)
            try:
                run.kill()
            except Exception:
                pass
        totals["acknowledged_jobs"] += len(ledger.jobs)
        totals["acknowledged_restores"] += ledger.restores
        totals["acknowledged_stores"] += len(ledger.stores)
        totals["tokens"] += len(ledger.tokens)
        log.close()
    print(f"  totals: {json.dumps(totals)}; {time.monotonic() - started:.1f} s", flush=True)
    if failed == 0:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
