"""The CRM extension seen from outside, over XML-RPC and over JSON-2.

Every test runs once per transport (the ``transport`` fixture) against the live
server of conftest.py, through the crm_client connection layer.
"""

import pytest
from crm_client import Connection, RetryPolicy, errors

CLASSIFICATION_FIELDS = [
    "crm_value_grade", "crm_lifecycle_stage", "crm_tier_id", "crm_credit_rating",
    "crm_commercial_blacklist", "crm_order_count",
]


def test_both_modules_installed(rpc, transport):
    conn = rpc("admin", transport)
    modules = conn.search_read(
        "ir.module.module", [("name", "in", ["crm_extended", "crm_analytics"])],
        ["name", "state", "latest_version"],
    )
    assert {m["name"]: m["state"] for m in modules} == {
        "crm_extended": "installed", "crm_analytics": "installed",
    }
    assert all(m["latest_version"].startswith("19.0.") for m in modules)


def test_json2_and_xmlrpc_are_the_same_user(rpc, users, transport):
    assert rpc("salesman", transport).uid == users.salesman.uid
    assert rpc("manager", transport).uid == users.manager.uid


def test_salesman_reads_classification(rpc, transport, make_customer):
    admin = rpc("admin", transport)
    tier_ids = admin.search("crm.customer.tier", [], limit=1)
    assert tier_ids, "crm_extended ships default tiers"
    partner_id = make_customer()
    admin.write("res.partner", [partner_id], {
        "crm_value_grade": "b", "crm_lifecycle_stage": "at_risk",
        "crm_tier_id": tier_ids[0], "crm_credit_rating": "bbb",
    })

    record = rpc("salesman", transport).read("res.partner", [partner_id], CLASSIFICATION_FIELDS)[0]
    assert record["crm_value_grade"] == "b"
    assert record["crm_lifecycle_stage"] == "at_risk"
    assert record["crm_tier_id"][0] == tier_ids[0]
    assert record["crm_credit_rating"] == "bbb"
    assert record["crm_commercial_blacklist"] is False


def test_manager_recompute_grades_a_customer_with_orders(rpc, transport, make_customer, make_order):
    admin = rpc("admin", transport)
    partner_id = make_customer()
    order_id = make_order(partner_id)
    admin.call("sale.order", "action_confirm", [order_id])
    assert admin.read("sale.order", [order_id], ["state"])[0]["state"] == "sale"

    # Confirmation already classified the customer: make the values stale so
    # that only the manager's recompute can bring them back.
    admin.write("res.partner", [partner_id], {
        "crm_lifecycle_stage": "lost", "crm_value_grade": False,
    })
    manager = rpc("manager", transport)
    result = manager.call("res.partner", "crm_recompute_classification")
    assert result["params"]["customers"] >= 1

    record = manager.read("res.partner", [partner_id], CLASSIFICATION_FIELDS)[0]
    assert record["crm_lifecycle_stage"] == "new"  # first order today
    assert record["crm_value_grade"] in ("a", "b", "c")
    assert record["crm_order_count"] == 1


def blacklist(admin, partner_id, reason):
    admin.write("res.partner", [partner_id], {
        "crm_commercial_blacklist": True, "crm_blacklist_reason": reason,
    })


def test_blacklisted_customer_order_cannot_be_confirmed(rpc, transport, make_customer, make_order):
    admin = rpc("admin", transport)
    partner_id = make_customer()
    order_id = make_order(partner_id)
    blacklist(admin, partner_id, "unpaid invoices since 2023")

    with pytest.raises(errors.ServerRefused) as error:
        admin.call("sale.order", "action_confirm", [order_id])
    message = str(error.value)
    assert "commercial blacklist" in message
    assert "unpaid invoices since 2023" in message
    assert "Traceback" not in message
    assert error.value.exit_code == errors.EXIT_REFUSED
    assert admin.read("sale.order", [order_id], ["state"])[0]["state"] == "draft"


def test_salesman_cannot_lift_the_blacklist(rpc, transport, make_customer):
    admin = rpc("admin", transport)
    partner_id = make_customer()
    blacklist(admin, partner_id, "fraud")

    with pytest.raises(errors.AccessDenied) as error:
        rpc("salesman", transport).write("res.partner", [partner_id], {"crm_commercial_blacklist": False})
    assert "CRM managers" in str(error.value)
    assert error.value.exit_code == errors.EXIT_ACCESS
    record = admin.read("res.partner", [partner_id], ["crm_commercial_blacklist", "crm_blacklist_reason"])[0]
    assert record["crm_commercial_blacklist"] is True
    assert record["crm_blacklist_reason"] == "fraud"


def test_wrong_credentials(odoo_server, users, transport):
    conn = Connection(
        odoo_server.url, odoo_server.db, login=users.salesman.login,
        password="not-the-password" if transport == "xmlrpc" else None,
        api_key="0123456789abcdef0123456789abcdef01234567" if transport == "json2" else None,
        transport=transport, retry=RetryPolicy(retries=0),
    )
    with pytest.raises(errors.AuthenticationError) as error:
        conn.search_count("res.partner", [])
    assert error.value.exit_code == errors.EXIT_AUTH
    assert "Authentication failed" in str(error.value)


def test_wrong_database(odoo_server, users, transport):
    user = users.salesman
    conn = Connection(
        odoo_server.url, f"{odoo_server.db}_missing", login=user.login, password=user.password,
        api_key=user.api_key, transport=transport, retry=RetryPolicy(retries=0),
    )
    with pytest.raises(errors.DatabaseNotFound) as error:
        conn.search_count("res.partner", [])
    assert error.value.exit_code == errors.EXIT_DATABASE
    assert f"{odoo_server.db}_missing" in str(error.value)


def test_unknown_method_is_a_server_error_not_a_traceback(rpc, transport):
    with pytest.raises(errors.ServerError) as error:
        rpc("salesman", transport).call("res.partner", "crm_no_such_method")
    assert "crm_no_such_method" in str(error.value)
    assert "Traceback" not in str(error.value)
    assert error.value.exit_code == errors.EXIT_SERVER_ERROR


def test_api_key_belongs_to_its_owner(odoo_server, transport, users):
    """An API key is a password for XML-RPC and the bearer token for JSON-2; either
    way it authenticates its owner and no one else."""
    manager_key = users.manager.api_key
    if transport == "xmlrpc":
        own = Connection(odoo_server.url, odoo_server.db, login=users.manager.login,
                         password=manager_key, transport="xmlrpc", retry=RetryPolicy(retries=0))
        assert own.uid == users.manager.uid
        borrowed = Connection(odoo_server.url, odoo_server.db, login=users.salesman.login,
                              password=manager_key, transport="xmlrpc", retry=RetryPolicy(retries=0))
        with pytest.raises(errors.AuthenticationError):
            borrowed.uid
    else:
        conn = Connection(odoo_server.url, odoo_server.db, login=users.salesman.login,
                          api_key=manager_key, transport="json2", retry=RetryPolicy(retries=0))
        assert conn.uid == users.manager.uid
