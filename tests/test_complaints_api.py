"""Complaints and contracts from external systems, end to end against the live
server: the CLI (`complaints create|list|update`, `contracts expiring`) and the
API methods (`crm.complaint.crm_api_create_complaint`, `crm_api_update`) over both
transports, bad input, and what the integration user may not do."""

import csv
import datetime
import io
import uuid

import pytest
from cli_checks import assert_clean_failure, ok_json
from crm_client import errors
from crm_client.cli import COMPLAINT_COLUMNS, CONTRACT_COLUMNS


@pytest.fixture
def customer(rpc, transport):
    """A customer with an external reference and no e-mail (no mail is sent)."""
    ref = f"CMP-{uuid.uuid4().hex[:10]}"
    partner_id = rpc("admin", transport).create("res.partner", {
        "name": f"Pytest Complainer {ref}", "is_company": True, "crm_external_ref": ref,
    })
    return {"id": partner_id, "ref": ref}


def count_complaints(admin, subject):
    return admin.search_count("crm.complaint", [("name", "=", subject)])


# ---------------------------------------------------------------------------
# The command line, as the integration user
# ---------------------------------------------------------------------------


def test_cli_create_list_update(run_cli, rpc, users, transport, customer, product_id):
    admin = rpc("admin", transport)
    code = f"PYT-{uuid.uuid4().hex[:8]}"
    admin.write("product.product", [product_id], {"default_code": code})
    order_id = admin.create("sale.order", {
        "partner_id": customer["id"],
        "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 1})],
    })
    order_name = admin.read("sale.order", [order_id], ["name"])[0]["name"]
    subject = f"Lid broken {uuid.uuid4().hex[:8]}"

    created = ok_json(run_cli(
        users.integration, transport, "complaints", "create", "--customer-ref", customer["ref"],
        "--subject", subject, "--type", "complaint", "--channel", "email", "--priority", "high",
        "--category", "pricing", "--description", "The lid cracked <b>twice</b>.",
        "--order", order_name, "--product", code, "--format", "json",
    ))
    complaint_id = created["id"]
    assert created["code"].startswith("CMP/")
    assert (created["subject"], created["customer_ref"], created["channel"], created["priority"],
            created["category"], created["stage"], created["sale_order"]) == (
        subject, customer["ref"], "email", "high", "Pricing", "Assigned", order_name)
    # No configuration needed: the Customer Service team the module ships took
    # it in and assigned it.
    assert created["assignee"]
    stored = admin.read("crm.complaint", [complaint_id], [
        "partner_id", "create_uid", "description", "product_id", "sale_order_id", "priority"])[0]
    assert stored["partner_id"][0] == customer["id"]
    assert stored["create_uid"][0] == users.integration.uid
    assert stored["product_id"][0] == product_id
    assert stored["priority"] == "1"
    # Plain text is escaped, not taken as HTML.
    assert "&lt;b&gt;twice&lt;/b&gt;" in stored["description"]

    # By customer id, defaults from the server.
    second = ok_json(run_cli(users.integration, transport, "complaints", "create",
                             "--customer-id", str(customer["id"]), "--subject", subject + " 2",
                             "--format", "json"))
    assert (second["channel"], second["priority"], second["complaint_type"]) == (
        "phone", "normal", "complaint")

    listed = ok_json(run_cli(users.integration, transport, "complaints", "list",
                             "--customer-ref", customer["ref"], "--format", "json"))
    assert [row["id"] for row in listed] == [second["id"], complaint_id]
    assert listed[1]["customer_ref"] == customer["ref"]

    updated = ok_json(run_cli(
        users.integration, transport, "complaints", "update", str(complaint_id),
        "--stage", "in progress", "--priority", "3", "--assignee", users.manager.login,
        "--message", "Called the customer back.", "--format", "json",
    ))
    assert (updated["stage"], updated["priority"], updated["assignee"]) == (
        "In Progress", "critical", f"Pytest Manager {users.manager.login.rsplit('_', 1)[1]}")
    stored = admin.read("crm.complaint", [complaint_id], ["stage_id", "priority", "user_id"])[0]
    assert (stored["stage_id"][1], stored["priority"], stored["user_id"][0]) == (
        "In Progress", "3", users.manager.uid)
    notes = admin.search_read("mail.message", [
        ("model", "=", "crm.complaint"), ("res_id", "=", complaint_id),
        ("body", "ilike", "Called the customer back."),
    ], ["author_id", "subtype_id"])
    assert len(notes) == 1
    assert notes[0]["subtype_id"][1] == "Note"

    # Stage by XML id; filters by stage, open, since and CSV output.
    ok_json(run_cli(users.integration, transport, "complaints", "update", str(second["id"]),
                    "--stage", "crm_extended.crm_complaint_stage_closed", "--format", "json"))
    by_stage = ok_json(run_cli(users.integration, transport, "complaints", "list",
                               "--customer-id", str(customer["id"]), "--stage", "In Progress",
                               "--format", "json"))
    assert [row["id"] for row in by_stage] == [complaint_id]
    still_open = ok_json(run_cli(users.integration, transport, "complaints", "list",
                                 "--customer-ref", customer["ref"], "--open", "--format", "json"))
    assert [row["id"] for row in still_open] == [complaint_id]
    tomorrow = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).date().isoformat()
    assert ok_json(run_cli(users.integration, transport, "complaints", "list",
                           "--customer-ref", customer["ref"], "--since", tomorrow,
                           "--format", "json")) == []
    process = run_cli(users.integration, transport, "complaints", "list",
                      "--customer-ref", customer["ref"], "--sla", "on_time", "--format", "csv")
    assert process.returncode == 0, process.stderr
    table = list(csv.DictReader(io.StringIO(process.stdout)))
    assert list(table[0]) == COMPLAINT_COLUMNS
    assert {row["code"] for row in table} == {created["code"], second["code"]}


def test_cli_bad_input_writes_nothing(run_cli, rpc, users, transport, customer):
    admin = rpc("admin", transport)
    subject = f"Never filed {uuid.uuid4().hex[:8]}"
    cases = [
        (("--customer-ref", f"NOPE-{uuid.uuid4().hex[:6]}"), errors.EXIT_REFUSED,
         "No customer with the external reference"),
        (("--customer-id", "999999999"), errors.EXIT_REFUSED, "No customer with id 999999999"),
        (("--customer-ref", customer["ref"], "--priority", "sky-high"), errors.EXIT_REFUSED,
         "priority 'sky-high' is not valid"),
        (("--customer-ref", customer["ref"], "--channel", "pigeon"), errors.EXIT_REFUSED,
         "channel 'pigeon' is not valid"),
        (("--customer-ref", customer["ref"], "--category", "Weather"), errors.EXIT_REFUSED,
         "Unknown category 'Weather'"),
        (("--customer-ref", customer["ref"], "--order", "S-NOPE-1"), errors.EXIT_REFUSED,
         "No sales order S-NOPE-1"),
        (("--customer-ref", customer["ref"], "--product", "NO-SUCH-CODE"), errors.EXIT_REFUSED,
         "No product with the internal reference NO-SUCH-CODE"),
    ]
    for extra, exit_code, text in cases:
        process = run_cli(users.integration, transport, "complaints", "create",
                          "--subject", subject, *extra)
        assert_clean_failure(process, exit_code, text)
    # Missing required options stop in the client already.
    process = run_cli(users.integration, transport, "complaints", "create", "--subject", subject)
    assert process.returncode == errors.EXIT_USAGE
    assert "--customer-id" in process.stderr
    assert count_complaints(admin, subject) == 0

    created = ok_json(run_cli(users.integration, transport, "complaints", "create",
                              "--customer-ref", customer["ref"], "--subject", subject,
                              "--format", "json"))
    before = admin.read("crm.complaint", [created["id"]], ["stage_id", "priority", "user_id",
                                                           "message_ids"])[0]
    for extra, text in (
        (("--stage", "Sleeping", "--priority", "2", "--message", "lost"), "Unknown stage 'Sleeping'"),
        (("--priority", "2", "--assignee", "nobody-here", "--message", "lost"),
         "Unknown assignee 'nobody-here'"),
        (("--priority", "9",), "priority '9' is not valid"),
    ):
        process = run_cli(users.integration, transport, "complaints", "update",
                          str(created["id"]), *extra)
        assert_clean_failure(process, errors.EXIT_REFUSED, text)
    assert admin.read("crm.complaint", [created["id"]], ["stage_id", "priority", "user_id",
                                                         "message_ids"])[0] == before
    assert_clean_failure(
        run_cli(users.integration, transport, "complaints", "update", "999999999",
                "--priority", "1"), errors.EXIT_ACCESS, "No complaint with id 999999999")
    assert_clean_failure(
        run_cli(users.integration, transport, "complaints", "update", str(created["id"])),
        errors.EXIT_USAGE, "Nothing to update")
    assert_clean_failure(
        run_cli(users.integration, transport, "complaints", "list", "--stage", "Sleeping"),
        errors.EXIT_USAGE, "--stage 'Sleeping' is not valid")
    assert_clean_failure(
        run_cli(users.integration, transport, "complaints", "list", "--since", "last week"),
        errors.EXIT_USAGE, "--since 'last week' is not a date")


# ---------------------------------------------------------------------------
# The API methods directly: wrong types and missing fields
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("values, text", [
    ({"customer_ref": "{ref}"}, "subject is required"),
    ({"subject": "s"}, "Give the customer as customer_id or customer_ref"),
    ({"subject": "s", "customer_id": 1, "customer_ref": "X"}, "customer_id or customer_ref"),
    ({"subject": "s", "customer_id": "12"}, "customer_id must be a whole number"),
    ({"subject": 42, "customer_ref": "{ref}"}, "subject must be text"),
    ({"subject": "s", "customer_ref": "{ref}", "priority": 1.5}, "priority 1.5 is not valid"),
    ({"subject": "s", "customer_ref": "{ref}", "category": ["Pricing"]},
     "category must be a name or an id"),
    ({"subject": "s", "customer_ref": "{ref}", "sujet": "typo"}, "Unknown key(s): sujet"),
])
def test_api_create_refuses_bad_values(rpc, transport, customer, values, text):
    integration = rpc("integration", transport)
    admin = rpc("admin", transport)
    values = {key: value.format(ref=customer["ref"]) if isinstance(value, str) else value
              for key, value in values.items()}
    before = admin.search_count("crm.complaint", [])
    with pytest.raises(errors.ServerRefused) as refused:
        integration.call("crm.complaint", "crm_api_create_complaint", values=values)
    assert text in refused.value.message
    assert admin.search_count("crm.complaint", []) == before


def test_api_update_refuses_wrong_types(rpc, transport, customer):
    integration = rpc("integration", transport)
    created = integration.call("crm.complaint", "crm_api_create_complaint",
                               values={"subject": "Types", "customer_ref": customer["ref"]})
    for kwargs, text in (
        ({"stage": ["New"]}, "stage must be a name, an id or an XML id"),
        ({"assignee": 3.5}, "assignee must be a login or a user id"),
        ({"message": "hi", "message_type": "shout"}, "message_type must be one of note, comment"),
        ({"message": {"text": "hi"}}, "message must be text"),
        ({}, "Nothing to update"),
    ):
        with pytest.raises(errors.ServerRefused) as refused:
            integration.call("crm.complaint", "crm_api_update", [created["id"]], **kwargs)
        assert text in refused.value.message


# ---------------------------------------------------------------------------
# The integration user's limits
# ---------------------------------------------------------------------------


def test_integration_user_limits(rpc, transport, customer):
    integration = rpc("integration", transport)
    created = integration.call("crm.complaint", "crm_api_create_complaint",
                               values={"subject": "Limits", "customer_ref": customer["ref"]})
    # Plain ORM reads and writes of complaints are allowed ...
    integration.write("crm.complaint", [created["id"]], {"channel": "social"})
    assert integration.read("crm.complaint", [created["id"]], ["channel"])[0]["channel"] == "social"
    # ... deleting them, and changing the workflow's configuration, are not.
    with pytest.raises(errors.AccessDenied):
        integration.call("crm.complaint", "unlink", [created["id"]])
    stage_id = integration.search("crm.complaint.stage", [], limit=1)[0]
    with pytest.raises(errors.AccessDenied):
        integration.write("crm.complaint.stage", [stage_id], {"name": "Hijacked"})
    with pytest.raises(errors.AccessDenied):
        integration.create("crm.complaint.stage", {"name": "Shortcut", "is_closed": True})
    with pytest.raises(errors.AccessDenied):
        integration.create("crm.complaint.category", {"name": "Made up"})
    with pytest.raises(errors.AccessDenied):
        integration.create("crm.complaint.team", {"name": "Shadow team"})
    with pytest.raises(errors.AccessDenied):
        integration.create("crm.service.contract", {"partner_id": customer["id"]})
    assert rpc("admin", transport).read("crm.complaint", [created["id"]], ["active"])[0]["active"]


def test_salesman_cannot_see_other_teams_complaints(rpc, transport, customer):
    """The integration rule opens every complaint to the integration group only."""
    admin = rpc("admin", transport)
    team_id = admin.create("crm.complaint.team", {"name": f"Pytest Team {uuid.uuid4().hex[:6]}",
                                                  "assignment_mode": "manual"})
    complaint_id = admin.create("crm.complaint", {
        "name": "Team only", "partner_id": customer["id"], "team_id": team_id})
    assert rpc("salesman", transport).search("crm.complaint", [("id", "=", complaint_id)]) == []
    assert rpc("integration", transport).search("crm.complaint", [("id", "=", complaint_id)]) == [
        complaint_id]


# ---------------------------------------------------------------------------
# Contracts expiring
# ---------------------------------------------------------------------------


def test_contracts_expiring(run_cli, rpc, users, transport, customer):
    admin = rpc("admin", transport)
    today = datetime.date.today()

    def contract(days, activate=True, **vals):
        contract_id = admin.create("crm.service.contract", {
            "partner_id": customer["id"],
            "date_start": (today - datetime.timedelta(days=300)).isoformat(),
            "date_end": (today + datetime.timedelta(days=days)).isoformat(),
            **vals,
        })
        if activate:
            admin.call("crm.service.contract", "action_activate", [contract_id])
        return contract_id

    soon = contract(10, included_cases=5, included_visits=2, included_hours=8.0)
    later = contract(50)
    contract(5, activate=False)  # a draft does not expire

    rows = ok_json(run_cli(users.integration, transport, "contracts", "expiring", "--days", "30",
                           "--format", "json"))
    mine = [row for row in rows if row["customer_ref"] == customer["ref"]]
    assert [row["id"] for row in mine] == [soon]
    row = mine[0]
    assert row["days_left"] == 10
    assert row["date_end"] == (today + datetime.timedelta(days=10)).isoformat()
    assert (row["included_cases"], row["remaining_cases"], row["included_visits"],
            row["remaining_visits"], row["included_hours"], row["remaining_hours"]) == (
        5, 5, 2, 2, 8.0, 8.0)
    assert row["state"] in ("active", "expiring")

    wider = ok_json(run_cli(users.integration, transport, "contracts", "expiring", "--days", "60",
                            "--format", "json"))
    assert [r["id"] for r in wider if r["customer_ref"] == customer["ref"]] == [soon, later]

    process = run_cli(users.integration, transport, "contracts", "expiring", "--format", "csv")
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines()[0] == ",".join(CONTRACT_COLUMNS)
    assert_clean_failure(run_cli(users.integration, transport, "contracts", "expiring",
                                 "--days", "-1"), errors.EXIT_USAGE, "--days must be 0 or more")
