"""The command line end to end: `python3 -m crm_client` as a subprocess against the
live server, once per transport (--transport xmlrpc|json2)."""

import csv
import io
import uuid

from cli_checks import as_json, assert_clean_failure
from crm_client import errors
from crm_client.cli import CUSTOMER_COLUMNS


def test_check(run_cli, users, odoo_server, transport):
    process = run_cli(users.salesman, transport, "check", "--format", "json")
    assert process.returncode == 0, process.stderr
    result = as_json(process)
    assert result["transport"] == transport
    assert result["database"] == odoo_server.db
    assert result["server_version"].startswith("19.0")
    assert result["uid"] == users.salesman.uid
    assert result["crm_extended"].startswith("19.0.")
    assert result["crm_analytics"].startswith("19.0.")


def test_customers_json_csv_and_filters(run_cli, rpc, users, transport, make_customer):
    name = f"Pytest CLI {uuid.uuid4().hex[:10]}"
    graded = make_customer(name=f"{name} graded")
    make_customer(name=f"{name} ungraded", customer_rank=1)
    rpc("admin", transport).write("res.partner", [graded], {
        "crm_value_grade": "a", "crm_lifecycle_stage": "loyal", "crm_credit_rating": "aa",
    })

    rows = as_json(run_cli(users.salesman, transport, "customers", "--search", name, "--format", "json"))
    assert [row["name"] for row in rows] == [f"{name} graded", f"{name} ungraded"]
    assert rows[0] | {"revenue_12m": None} == {
        "id": graded, "name": f"{name} graded", "ref": None, "grade": "A", "stage": "loyal",
        "tier": None, "credit_rating": "AA", "blacklisted": False, "revenue_12m": None,
    }

    only_a = as_json(run_cli(users.salesman, transport, "customers", "--search", name,
                             "--grade", "a", "--stage", "LOYAL", "--format", "json"))
    assert [row["id"] for row in only_a] == [graded]
    none_c = as_json(run_cli(users.salesman, transport, "customers", "--search", name,
                             "--grade", "C", "--format", "json"))
    assert none_c == []

    process = run_cli(users.salesman, transport, "customers", "--search", name, "--format", "csv")
    assert process.returncode == 0, process.stderr
    table = list(csv.DictReader(io.StringIO(process.stdout)))
    assert list(table[0]) == CUSTOMER_COLUMNS
    assert [(row["name"], row["grade"]) for row in table] == [
        (f"{name} graded", "A"), (f"{name} ungraded", ""),
    ]


def test_customers_rejects_an_unknown_stage(run_cli, users, transport):
    process = run_cli(users.salesman, transport, "customers", "--stage", "sleepy")
    assert_clean_failure(process, errors.EXIT_USAGE, "--stage 'sleepy' is not valid")
    assert "at_risk" in process.stderr


def test_customer_360(run_cli, rpc, users, transport, make_customer, make_order):
    admin = rpc("admin", transport)
    ref = f"PYT-{uuid.uuid4().hex[:8]}"
    partner_id = make_customer(ref=ref)
    contact_id = admin.create("res.partner", {"name": "Pytest Contact", "parent_id": partner_id})
    confirmed = make_order(contact_id)
    admin.call("sale.order", "action_confirm", [confirmed])
    make_order(partner_id)  # a quotation

    for ident in (str(partner_id), ref, str(contact_id)):
        result = as_json(run_cli(users.manager, transport, "customer", ident, "--format", "json"))
        assert result["id"] == partner_id
        assert result["ref"] == ref
        assert result["sale_orders"] == 2
        assert result["confirmed_orders"] == 1
        assert result["quotations"] == 1
        assert result["invoices"] == 0
        assert result["orders_all_time"] == 1
        assert result["grade"] in ("A", "B", "C")  # confirming reclassifies the customer
        assert result["blacklisted"] is False
    assert result["asked_for_contact_id"] == contact_id

    text = run_cli(users.manager, transport, "customer", ref)
    assert text.returncode == 0, text.stderr
    assert f"ref                 {ref}" in text.stdout


def test_customer_not_found(run_cli, users, transport):
    process = run_cli(users.salesman, transport, "customer", f"NOPE-{uuid.uuid4().hex}")
    assert_clean_failure(process, errors.EXIT_REFUSED, "No customer with id or reference")


def test_reclassify(run_cli, users, transport, make_customer, make_order, rpc):
    partner_id = make_customer()
    order_id = make_order(partner_id)
    rpc("admin", transport).call("sale.order", "action_confirm", [order_id])

    process = run_cli(users.manager, transport, "reclassify", "--format", "json")
    assert process.returncode == 0, process.stderr
    result = as_json(process)
    assert result["status"] == "done"
    assert result["customers"] >= 1
    assert "customers classified" in result["message"]

    refused = run_cli(users.salesman, transport, "reclassify")
    assert_clean_failure(refused, errors.EXIT_ACCESS, "Only CRM managers may recompute")


def test_blacklist_check(run_cli, rpc, users, transport, make_customer):
    admin = rpc("admin", transport)
    clean = make_customer()
    listed = make_customer()
    admin.write("res.partner", [listed], {"crm_commercial_blacklist": True, "crm_blacklist_reason": "fraud"})
    contact = admin.create("res.partner", {"name": "Pytest Buyer", "parent_id": listed})

    ok = run_cli(users.salesman, transport, "blacklist-check", str(clean), "--format", "json")
    assert ok.returncode == errors.EXIT_OK, ok.stderr
    assert as_json(ok)["blacklisted"] is False

    for partner_id in (listed, contact):
        process = run_cli(users.salesman, transport, "blacklist-check", str(partner_id), "--format", "json")
        assert process.returncode == errors.EXIT_BLACKLISTED, process.stderr
        result = as_json(process)
        assert result["blacklisted"] is True
        assert result["reason"] == "fraud"
        assert result["commercial_partner_id"] == listed
        assert "commercial blacklist" in process.stderr


def test_wrong_password_or_key(run_cli, users, transport):
    user = users.salesman
    wrong = {"CRM_PASSWORD": "wrong-password", "CRM_API_KEY": "f" * 40}
    process = run_cli(user, transport, "check", extra_env=wrong)
    assert_clean_failure(process, errors.EXIT_AUTH, "Authentication failed")


def test_wrong_database(run_cli, users, odoo_server, transport):
    process = run_cli(users.salesman, transport, "--db", f"{odoo_server.db}_nope", "customers")
    assert_clean_failure(process, errors.EXIT_DATABASE, f"Database '{odoo_server.db}_nope' does not exist")


def test_unknown_server_url(run_cli, users, odoo_server, transport):
    """A URL that is a web server but not Odoo's RPC root."""
    process = run_cli(users.salesman, transport, "--url", f"{odoo_server.url}/web/static", "check")
    assert process.returncode == errors.EXIT_SERVER_ERROR, process.stderr
    assert "Traceback" not in process.stderr


def test_json2_first_and_one_xmlrpc_note(run_cli, users, rpc):
    """No --transport: JSON-2 with an API key (a password besides changes
    nothing); with a password only /xmlrpc, and the deprecation note once per
    run however many calls it makes."""
    both = run_cli(users.salesman, None, "check", "--format", "json")
    assert as_json(both)["transport"] == "json2"
    assert both.stderr == ""
    name = f"Pytest Note {uuid.uuid4().hex[:10]}"
    rpc("admin", "json2").create("res.partner", {"name": name, "is_company": True,
                                                 "customer_rank": 1})
    password_only = run_cli(users.salesman, None, "customers", "--search", name,
                            "--format", "json", extra_env={"CRM_API_KEY": ""})
    assert password_only.returncode == 0, password_only.stderr
    assert [row["name"] for row in as_json(password_only)] == [name]
    assert password_only.stderr.count("deprecates") == 1
    assert "New API Key" in password_only.stderr
    checked = run_cli(users.salesman, None, "check", "--format", "json",
                      extra_env={"CRM_API_KEY": ""})
    assert as_json(checked)["transport"] == "xmlrpc"
