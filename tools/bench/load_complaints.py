"""Load check: concurrent clients creating and updating complaints over XML-RPC.

    python3 tools/dev.py bench load_complaints --database crm_bench_load --start-server \\
        --workers 4 --clients 20 --seconds 60

Each client is a thread with its own crm_client Connection (own XML-RPC login,
own HTTP requests) and works as a user of the integration group, as an external
call centre would: it files complaints for its customer
(``crm_api_create_complaint``) and updates its complaints at random
(``crm_api_update``: priority, stage and a chatter note in one call), 40% creates
and 60% updates, as fast as the server answers, for ``--seconds``.

Afterwards everything is checked as admin: every created id exists with its
subject, each complaint holds the priority and stage of its last update, and
each has exactly as many load notes as updates were acknowledged. The script
prints throughput and latency (p50/p95/p99 per operation) and exits non-zero on
any error or lost write.

With ``--start-server`` it starts ``python3 -m odoo`` on the database with
``--workers`` worker processes (prefork, as in production) on ``--port`` and
stops it at the end, after creating the database from the template crm_tmpl_base
(built when missing) with both modules when it does not exist; otherwise give
``--url`` of a running server on a database with crm_extended installed.
"""

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict

from crm_client import Connection, RetryPolicy, errors

from tools.common import create_database, database_exists, db_settings, start_server, stop_server

STAGES = ("Assigned", "In Progress", "Waiting on Customer")
PRIORITIES = ("0", "1", "2", "3")
CREATE_SHARE = 0.4


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def in_threads(functions):
    threads = [threading.Thread(target=function) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def warm_up(clients, rounds=3):
    """Before the clock runs: every client logs in (a password hash on the
    server, deliberately slow), then a few rounds of calls from all clients at
    once reach every worker process, which loads the registry and caches the
    checked credentials on its first request."""
    in_threads([lambda client=client: client.conn.uid for client in clients])
    for _round in range(rounds):
        in_threads([lambda client=client: client.conn.search_count("crm.complaint", [])
                    for client in clients])


def setup(admin, tag, clients):
    """An integration user, a complaint team with working hours, one customer
    (with an external reference) per client."""
    group = admin.search_read("ir.model.data", [
        ("module", "=", "crm_extended"), ("name", "=", "group_crm_extended_integration")],
        ["res_id"])[0]["res_id"]
    login, password = f"load_{tag}", f"pw-{tag}"
    admin.create("res.users", {"name": f"Load Call Centre {tag}", "login": login,
                               "password": password, "group_ids": [(6, 0, [group])]})
    admin.create("crm.complaint.team", {
        "name": f"Load Team {tag}", "member_ids": [(6, 0, [admin.uid])], "leader_id": admin.uid,
        "assignment_mode": "least_load", "sequence": 0,
    })
    rows = [{"ref": f"LOAD-{tag}-{i}", "name": f"Load Customer {tag} {i}"} for i in range(clients)]
    results = admin.call("res.partner", "crm_api_upsert_customers", rows=rows)
    assert all(row["status"] == "created" for row in results), results
    return login, password, [row["ref"] for row in rows]


class Client(threading.Thread):
    def __init__(self, index, args, url, login, password, customer_ref, tag):
        super().__init__(name=f"client-{index}")
        self.index = index
        self.conn = Connection(url, args.database, login=login, password=password,
                               timeout=120, retry=RetryPolicy(retries=0))
        self.customer_ref = customer_ref
        self.tag = tag
        self.stop_at = None  # set when the measured run starts
        self.rng = random.Random(index)
        self.latency = defaultdict(list)
        self.errors = []
        self.expected = {}  # complaint id -> {"priority", "stage", "notes"}

    def timed(self, kind, method, ids=None, **kwargs):
        started = time.perf_counter()
        try:
            return self.conn.call("crm.complaint", method, ids, **kwargs)
        finally:
            self.latency[kind].append(time.perf_counter() - started)

    def run(self):
        created = updates = 0
        while time.monotonic() < self.stop_at:
            try:
                if len(self.expected) < 3 or self.rng.random() < CREATE_SHARE:
                    created += 1
                    record = self.timed("create", "crm_api_create_complaint", values={
                        "subject": f"load {self.tag} c{self.index} #{created}",
                        "customer_ref": self.customer_ref,
                        "channel": "phone",
                        "description": "Created by the load check.",
                    })
                    self.expected[record["id"]] = {
                        "subject": f"load {self.tag} c{self.index} #{created}",
                        "priority": record["priority"], "stage": record["stage"], "notes": 0,
                    }
                else:
                    updates += 1
                    complaint_id = self.rng.choice(list(self.expected))
                    priority = self.rng.choice(PRIORITIES)
                    stage = self.rng.choice(STAGES)
                    self.timed("update", "crm_api_update", [complaint_id], priority=priority,
                               stage=stage, message=f"load {self.tag} note c{self.index} u{updates}")
                    state = self.expected[complaint_id]
                    state.update(priority=priority, stage=stage, notes=state["notes"] + 1)
            except errors.ClientError as error:
                self.errors.append(f"{self.name}: {error.message}")
            except Exception as error:
                self.errors.append(f"{self.name}: {error!r}")


def verify(admin, tag, clients):
    """Lost writes: (missing ids, wrong values, wrong note counts, unexpected)."""
    expected = {}
    for client in clients:
        expected.update(client.expected)
    stored = {
        row["id"]: row for row in admin.search_read(
            "crm.complaint", [("name", "like", f"load {tag} c")],
            ["name", "priority", "stage_id"])
    }
    missing = sorted(set(expected) - set(stored))
    unexpected = sorted(set(stored) - set(expected))
    wrong = []
    for complaint_id, state in expected.items():
        row = stored.get(complaint_id)
        if row and (row["name"], row["priority"], row["stage_id"][1]) != (
                state["subject"], state["priority"], state["stage"]):
            wrong.append((complaint_id, state, row))
    notes = Counter(
        row["res_id"] for row in admin.search_read("mail.message", [
            ("model", "=", "crm.complaint"), ("res_id", "in", list(expected)),
            ("body", "like", f"load {tag} note")], ["res_id"])
    )
    bad_notes = [(cid, state["notes"], notes.get(cid, 0)) for cid, state in expected.items()
                 if notes.get(cid, 0) != state["notes"]]
    return missing, wrong, bad_notes, unexpected


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", default="crm_bench_load")
    parser.add_argument("--url", help="a running server (else --start-server)")
    parser.add_argument("--start-server", action="store_true",
                        help="start python3 -m odoo with --workers on --port for the run")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=18790)
    parser.add_argument("--admin-login", default="admin")
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    if not args.url and not args.start_server:
        parser.error("give --url of a running server or --start-server")

    server = None
    url = args.url
    if args.start_server:
        if not database_exists(db_settings(), args.database):
            create_database(args.database)
        server, url = start_server(
            args.database, args.port, f"load_complaints_{args.database}",
            "--workers", str(args.workers), "--limit-time-real", "600",
            "--limit-time-cpu", "600")
    try:
        admin = Connection(url, args.database, login=args.admin_login,
                           password=args.admin_password, timeout=300)
        tag = uuid.uuid4().hex[:8]
        login, password, refs = setup(admin, tag, args.clients)
        clients = [Client(i, args, url, login, password, refs[i], tag)
                   for i in range(args.clients)]
        warm_up(clients)
        started = time.monotonic()
        for client in clients:
            client.stop_at = started + args.seconds
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
        missing, wrong, bad_notes, unexpected = verify(admin, tag, clients)
    finally:
        if server:
            stop_server(server)

    latency = defaultdict(list)
    for client in clients:
        for kind, values in client.latency.items():
            latency[kind].extend(values)
    every = [value for values in latency.values() for value in values]
    failures = [message for client in clients for message in client.errors]
    print(f"server: {url} database {args.database}"
          + (f" (--workers {args.workers})" if args.start_server else ""))
    print(f"clients: {args.clients} threads, own XML-RPC connection each, "
          f"as an integration user; {elapsed:.1f} s")
    print(f"operations: {len(every)} ({len(latency['create'])} creates, "
          f"{len(latency['update'])} updates with a note), {len(every) / elapsed:.1f} ops/s")
    for kind in ("create", "update"):
        values = latency[kind]
        if values:
            print(f"  {kind:6s} p50 {statistics.median(values) * 1000:7.0f} ms   "
                  f"p95 {percentile(values, 0.95) * 1000:7.0f} ms   "
                  f"p99 {percentile(values, 0.99) * 1000:7.0f} ms   "
                  f"max {max(values) * 1000:7.0f} ms")
    print(f"  all    p50 {statistics.median(every) * 1000:7.0f} ms   "
          f"p95 {percentile(every, 0.95) * 1000:7.0f} ms")
    print(f"errors: {len(failures)}")
    for message in failures[:10]:
        print(f"  {message}")
    print(f"verification: {len(missing)} missing, {len(wrong)} with a lost update, "
          f"{len(bad_notes)} with a wrong note count, {len(unexpected)} unexpected")
    for item in (missing + wrong + bad_notes)[:10]:
        print(f"  {item}")
    ok = not (failures or missing or wrong or bad_notes or unexpected)
    print("result: OK, no errors and no lost writes" if ok else "result: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
