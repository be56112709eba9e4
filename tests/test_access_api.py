"""Access rights of the public API methods over JSON-2, against the live server
(docs/SECURITY.md): what an employee without sales or accounting rights learns
from the customer summary, and what a complaint update on someone else's (or a
missing) complaint answers."""

import json
import urllib.error
import urllib.request
import uuid

import pytest
from crm_client import errors


def post_json2(server, user, model, method, payload):
    """(HTTP status, decoded JSON body) of one raw JSON-2 call."""
    request = urllib.request.Request(
        f"{server.url}/json/2/{model}/{method}", data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"bearer {user.api_key}",
                 "X-Odoo-Database": server.db},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def customer_with_invoice(rpc, product_id):
    """A customer with one posted open invoice of 250 (made by admin)."""
    admin = rpc("admin", "json2")
    partner_id = admin.create("res.partner", {
        "name": f"Pytest Debtor {uuid.uuid4().hex[:8]}", "is_company": True})
    move_id = admin.create("account.move", {
        "move_type": "out_invoice", "partner_id": partner_id,
        "invoice_line_ids": [(0, 0, {"product_id": product_id, "quantity": 1,
                                     "price_unit": 250.0, "tax_ids": [(6, 0, [])]})],
    })
    admin.call("account.move", "action_post", [move_id])
    return partner_id


def test_summary_of_an_employee_without_sales_rights(odoo_server, users, rpc,
                                                     customer_with_invoice):
    keys = ["open_invoice_count", "open_invoice_amount", "overdue_invoice_count",
            "overdue_invoice_amount"]
    status, body = post_json2(odoo_server, users.employee, "res.partner",
                              "crm_api_customer_summary",
                              {"partner_ids": [customer_with_invoice]})
    assert status == 200, body
    [row] = body["customers"]
    assert [row[key] for key in keys] == [False] * 4, "no balance for an employee"
    # The same answer as the 360 field the employee reads.
    employee = rpc("employee", "json2")
    assert employee.read("res.partner", [customer_with_invoice],
                         ["crm_360_open_invoice_amount"])[0]["crm_360_open_invoice_amount"] == 0
    # A CRM manager (who reads invoices) and the integration user (its two
    # documented aggregates) get the balance.
    for role in ("manager", "integration"):
        summary = rpc(role, "json2").call("res.partner", "crm_api_customer_summary",
                                          partner_ids=[customer_with_invoice])
        assert (summary["customers"][0]["open_invoice_count"],
                summary["customers"][0]["open_invoice_amount"]) == (1, 250.0), role


def test_complaint_update_on_someone_elses_id(odoo_server, users, rpc):
    """A salesperson updating someone else's complaint, and one that does not
    exist: the same AccessError, HTTP 403 not 500, nothing written."""
    admin = rpc("admin", "json2")
    partner_id = admin.create("res.partner", {
        "name": f"Pytest Complainer {uuid.uuid4().hex[:8]}", "is_company": True})
    # Assigned to the manager, no team (no team is created: other tests route
    # complaints to the company's first team): not the salesperson's.
    complaint_id = admin.create("crm.complaint", {
        "name": "Pytest not yours", "partner_id": partner_id, "team_id": False,
        "user_id": users.manager.uid})
    missing_id = complaint_id + 10_000_000
    answers = {}
    for target in (complaint_id, missing_id):
        status, body = post_json2(odoo_server, users.salesman, "crm.complaint", "crm_api_update",
                                  {"ids": [target], "priority": "3", "message": "mine now"})
        assert status == 403, body
        assert body["name"] == "odoo.exceptions.AccessError"
        answers[target] = body["message"].replace(str(target), "<id>")
    assert answers[complaint_id] == answers[missing_id]
    assert "No complaint with id <id> that you may update." in answers[complaint_id]
    after = admin.read("crm.complaint", [complaint_id], ["priority", "message_ids"])[0]
    assert after["priority"] == "0"
    assert not [m for m in admin.read("mail.message", after["message_ids"], ["body"])
                if "mine now" in (m["body"] or "")]
    # Through the client, the same refusal with the access exit code.
    with pytest.raises(errors.AccessDenied):
        rpc("salesman", "json2").call("crm.complaint", "crm_api_update", [missing_id],
                                      priority="3")
