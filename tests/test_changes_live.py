"""Incremental sync under concurrent writes (crm.change.log crm_api_changes,
`crm-client changes`).

Writers commit in an order different from the order they started in: JSON-2
clients creating complaints in threads, and transactions opened directly on the
database that change records with SQL (as the classification's fast paths do)
and commit only after a pause, while later transactions have already committed.
A reader loops `crm-client changes --state FILE` meanwhile. Every record is
changed by exactly one transaction after the starting watermark, so it must
come back exactly once, with the value that transaction wrote; a watermark on
ids or write dates misses the late commits (the second test shows such a case
step by step).
"""

import configparser
import os
import random
import threading
import time
import uuid

import psycopg2
import pytest
from cli_checks import ok_json

from conftest import ROOT, connect

WRITER_THREADS = 3
COMPLAINTS_PER_WRITER = 12
SQL_UPDATES = 12


def db_connect(server):
    """A direct connection to the test database, with Odoo's own settings
    (odoo.conf; the libpq variables override them, as they do for Odoo)."""
    conf = configparser.ConfigParser()
    conf.read(os.path.join(ROOT, os.environ.get("CRM_ODOO_CONF", "odoo.conf")))
    options = conf["options"] if conf.has_section("options") else {}
    return psycopg2.connect(
        dbname=server.db,
        host=os.environ.get("PGHOST") or options.get("db_host") or "127.0.0.1",
        port=os.environ.get("PGPORT") or options.get("db_port") or 5432,
        user=os.environ.get("PGUSER") or options.get("db_user") or "odoo",
        password=os.environ.get("PGPASSWORD") or options.get("db_password") or None,
    )


def drain(call, since):
    """Every page from ``since``: (pages, next watermark)."""
    pages = []
    while True:
        answer = call(since)
        pages.append(answer)
        since = answer["watermark"]
        if not answer["more"]:
            return pages, since


@pytest.fixture
def integration(odoo_server, users):
    return connect(odoo_server, users.integration, "json2")


def changes_call(conn, **kwargs):
    return lambda since: conn.call("crm.change.log", "crm_api_changes", since=since,
                                   limit=kwargs.pop("limit", 10000), **kwargs)


def test_every_change_once_under_concurrent_writes(odoo_server, users, rpc, integration,
                                                   run_cli, tmp_path):
    admin = rpc("admin", "json2")
    tag = uuid.uuid4().hex[:8]
    customer = admin.create("res.partner", {"name": f"Sync customer {tag}", "is_company": True})
    # Records changed later by SQL transactions and deleted by the manager:
    # created (and drained) before the starting watermark.
    to_update = [admin.create("crm.complaint", {"name": f"sql {tag} {n}", "partner_id": customer})
                 for n in range(SQL_UPDATES)]
    to_delete = [admin.create("crm.complaint", {"name": f"del {tag} {n}", "partner_id": customer})
                 for n in range(4)]
    state = tmp_path / "watermark"
    first = run_cli(users.integration, "json2", "changes", "--state", str(state),
                    "--models", "complaints,customers", "--limit", "10000", "--format", "json")
    ok_json(first)
    assert state.read_text().strip()

    expected = {}  # complaint id -> subject its one transaction wrote
    errors = []
    lock = threading.Lock()

    def write_complaints(index):
        conn = connect(odoo_server, users.integration, "json2")
        try:
            for n in range(COMPLAINTS_PER_WRITER):
                subject = f"rpc {tag} {index}-{n}"
                complaint_id = conn.create("crm.complaint",
                                           {"name": subject, "partner_id": customer})
                with lock:
                    expected[complaint_id] = subject
                time.sleep(random.uniform(0, 0.05))
        except Exception as error:  # reported by the main thread
            errors.append(error)

    def write_sql():
        """Each transaction takes its id and change-log row first, then waits
        while other writers commit, then commits."""
        connection = db_connect(odoo_server)
        try:
            for n, complaint_id in enumerate(to_update):
                subject = f"sql {tag} late {n}"
                with connection, connection.cursor() as cr:
                    cr.execute("UPDATE crm_complaint SET name = %s, write_date = now() "
                               "AT TIME ZONE 'UTC' WHERE id = %s", (subject, complaint_id))
                    if n == 0:
                        # The classification's fast path: a jsonb grade by SQL.
                        cr.execute("UPDATE res_partner SET crm_value_grade = jsonb_build_object("
                                   "(SELECT company_id FROM res_users WHERE id = %s)::text, 'a') "
                                   "WHERE id = %s", (users.integration.uid, customer))
                    time.sleep(random.uniform(0.1, 0.4))
                with lock:
                    expected[complaint_id] = subject
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def delete_some():
        manager = connect(odoo_server, users.admin, "json2")
        try:
            for complaint_id in to_delete:
                manager.call("crm.complaint", "unlink", ids=[complaint_id])
                time.sleep(0.1)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=write_complaints, args=(i,)) for i in range(WRITER_THREADS)]
    threads += [threading.Thread(target=write_sql), threading.Thread(target=delete_some)]
    for thread in threads:
        thread.start()
    seen, deleted, customers_seen, calls = {}, [], [], 0

    def read_once():
        process = run_cli(users.integration, "json2", "changes", "--state", str(state),
                          "--models", "complaints,customers", "--limit", "7",
                          "--format", "json")
        answer = ok_json(process)
        for record in answer["changes"]["complaints"]:
            seen.setdefault(record["id"], []).append(record["name"])
        deleted.extend(answer["deleted"]["complaints"])
        customers_seen.extend(record["id"] for record in answer["changes"]["customers"])
        return answer

    while any(thread.is_alive() for thread in threads):
        read_once()
        calls += 1
    for thread in threads:
        thread.join()
    assert not errors, errors
    # Everything has committed: one more run reads the rest, then nothing is left.
    read_once()
    last = read_once()
    assert not any(last["changes"].values()) and not any(last["deleted"].values())
    assert calls >= 2, "the reader ran only once during the writes"

    ours = {cid: names for cid, names in seen.items() if cid in expected}
    assert {cid: len(names) for cid, names in ours.items()} == dict.fromkeys(expected, 1)
    assert {cid: names[0] for cid, names in ours.items()} == expected
    assert sorted(deleted) == sorted(to_delete)
    assert customers_seen.count(customer) == 1


def test_late_commit_is_returned_by_the_next_call(odoo_server, rpc, integration):
    """A transaction that made its change first but commits last: not in the
    call made while it runs, in the next one, then never again. A watermark
    taken from the highest id or write date seen would have skipped it."""
    admin = rpc("admin", "json2")
    early = admin.create("crm.complaint", {"name": f"early {uuid.uuid4().hex[:8]}"})
    call = changes_call(integration, models=["complaints"])
    __, watermark = drain(call, "")
    connection = db_connect(odoo_server)
    try:
        cr = connection.cursor()
        cr.execute("UPDATE crm_complaint SET priority = '3' WHERE id = %s", (early,))
        cr.execute("SELECT max(id) FROM crm_change_log WHERE xid = pg_current_xact_id()")
        early_row = cr.fetchone()[0]
        later = admin.create("crm.complaint", {"name": f"later {uuid.uuid4().hex[:8]}"})
        pages, watermark = drain(call, watermark)
        ids = [c["id"] for page in pages for c in page["changes"]["complaints"]]
        assert ids == [later]
        connection.commit()
        cr.execute("SELECT max(id) FROM crm_change_log WHERE kind = 'complaints' AND res_id = %s",
                   (later,))
        # The case a watermark on ids (or write dates) gets wrong: the change
        # committed last has the lower id.
        assert early_row < cr.fetchone()[0]
    finally:
        connection.close()
    pages, watermark = drain(call, watermark)
    records = [c for page in pages for c in page["changes"]["complaints"]]
    assert [(c["id"], c["priority"]) for c in records] == [(early, "3")]
    pages, __ = drain(call, watermark)
    assert not pages[0]["changes"]["complaints"]


@pytest.mark.parametrize("since", ["nonsense", "5:3:", "1:1:/x", "1:99999999999999:"])
def test_bad_watermark_is_a_clear_error(run_cli, users, since):
    process = run_cli(users.integration, "json2", "changes", "--since", since)
    assert process.returncode != 0
    assert "watermark" in process.stderr and "Traceback" not in process.stderr


def test_only_integration_and_managers(rpc):
    from crm_client import errors as client_errors
    with pytest.raises(client_errors.AccessDenied):
        rpc("salesman", "json2").call("crm.change.log", "crm_api_changes")
    answer = rpc("manager", "json2").call("crm.change.log", "crm_api_changes",
                                          models=["contracts"], limit=1)
    assert set(answer) == {"changes", "deleted", "watermark", "more"}
