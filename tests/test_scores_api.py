"""Customer value scores from external systems, end to end against the live
server over both transports: `scores recompute` (CRM managers only) and
`scores list` (plain search_read on crm.customer.score), and what the
integration user may and may not do with the scores."""

import csv
import datetime
import io
import json
import uuid

import pytest
from cli_checks import assert_clean_failure, ok_json
from crm_client import errors
from crm_client.cli import SCORE_COLUMNS

REFUSED = "Only CRM managers may recompute the customer scores."


@pytest.fixture
def scored_customer(rpc, transport, product_id):
    """A customer (with a contact) and two confirmed orders, created over the
    transport under test; no score yet."""
    admin = rpc("admin", transport)
    ref = f"SCO-{uuid.uuid4().hex[:10]}"
    partner_id = admin.create("res.partner", {
        "name": f"Pytest Scored {ref}", "is_company": True, "crm_external_ref": ref,
    })
    contact_id = admin.create("res.partner", {"name": f"Contact of {ref}", "parent_id": partner_id})
    for quantity in (3, 5):
        order_id = admin.create("sale.order", {
            "partner_id": contact_id,
            "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": quantity})],
        })
        admin.call("sale.order", "action_confirm", [order_id])
    return {"id": partner_id, "contact_id": contact_id, "ref": ref}


def test_recompute_then_list(run_cli, rpc, users, transport, scored_customer):
    admin = rpc("admin", transport)
    # Confirming an order may already score its customer: the recompute must
    # rewrite every score of the company, this one included.
    started = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None)
    done = run_cli(users.manager, transport, "scores", "recompute", "--format", "json")
    result = ok_json(done)
    assert result["status"] == "done"
    assert result["customers_scored"] >= 1
    assert f"{result['customers_scored']} customers scored." in done.stderr
    computed = admin.search_read("crm.customer.score", [("partner_id", "=", scored_customer["id"])],
                                 ["computed_at"])
    assert len(computed) == 1
    assert datetime.datetime.fromisoformat(computed[0]["computed_at"]) >= started

    # The integration user reads the score by external reference...
    rows = ok_json(run_cli(users.integration, transport, "scores", "list",
                           "--customer-ref", scored_customer["ref"], "--format", "json"))
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == SCORE_COLUMNS
    stored = admin.search_read("crm.customer.score", [("partner_id", "=", scored_customer["id"])], [
        "value_score", "rfm_code", "rfm_segment", "churn_risk", "p_alive", "predicted_clv"])[0]
    assert (row["partner_id"], row["name"], row["external_ref"]) == (
        scored_customer["id"], f"Pytest Scored {scored_customer['ref']}", scored_customer["ref"])
    for key in ("value_score", "rfm_code", "rfm_segment", "churn_risk", "p_alive", "predicted_clv"):
        assert row[key] == stored[key], key
    assert row["value_score"] > 0
    assert len(row["rfm_code"]) == 3 and row["rfm_code"].isdigit()
    assert 0 <= row["p_alive"] <= 1

    # ... by the id of a contact (the score is the company's) ...
    by_contact = ok_json(run_cli(users.integration, transport, "scores", "list",
                                 "--customer-id", str(scored_customer["contact_id"]), "--format", "json"))
    assert [r["partner_id"] for r in by_contact] == [scored_customer["id"]]

    # ... and by segment (key or label, any case), churn risk and minimum score.
    segment_label = dict(admin.fields_get("crm.customer.score", ["rfm_segment"],
                                          attributes=["selection"])["rfm_segment"]["selection"])
    filtered = ok_json(run_cli(
        users.integration, transport, "scores", "list", "--customer-ref", scored_customer["ref"],
        "--segment", segment_label[row["rfm_segment"]].upper(), "--churn-risk", row["churn_risk"],
        "--min-score", str(row["value_score"]), "--format", "json"))
    assert [r["partner_id"] for r in filtered] == [scored_customer["id"]]
    above = ok_json(run_cli(users.integration, transport, "scores", "list",
                            "--customer-ref", scored_customer["ref"],
                            "--min-score", str(round(row["value_score"] + 0.1, 1)), "--format", "json"))
    assert above == []
    other_risk = next(risk for risk in ("low", "medium", "high") if risk != row["churn_risk"])
    assert ok_json(run_cli(users.integration, transport, "scores", "list", "--customer-ref",
                           scored_customer["ref"], "--churn-risk", other_risk, "--format", "json")) == []

    # The whole list is ordered by value score, best first, and honours --limit.
    top = ok_json(run_cli(users.integration, transport, "scores", "list", "--limit", "5",
                          "--format", "json"))
    assert 1 <= len(top) <= 5
    assert [r["value_score"] for r in top] == sorted((r["value_score"] for r in top), reverse=True)

    # CSV: a header with the documented columns, then the row.
    out = run_cli(users.integration, transport, "scores", "list", "--customer-ref",
                  scored_customer["ref"], "--format", "csv")
    assert out.returncode == 0, out.stderr
    table = list(csv.reader(io.StringIO(out.stdout)))
    assert table[0] == SCORE_COLUMNS
    assert len(table) == 2
    assert table[1][:3] == [str(scored_customer["id"]), row["name"], scored_customer["ref"]]
    assert float(table[1][3]) == pytest.approx(row["value_score"])
    assert table[1][4:6] == [row["rfm_code"], row["rfm_segment"]]


@pytest.mark.parametrize("role", ["salesman", "integration"])
def test_recompute_refused(run_cli, rpc, users, transport, role):
    admin = rpc("admin", transport)
    before = admin.search_read("crm.customer.score", [], ["computed_at"], limit=1,
                               order="computed_at desc")
    refused = run_cli(getattr(users, role), transport, "scores", "recompute", "--format", "json")
    assert_clean_failure(refused, errors.EXIT_ACCESS, REFUSED)
    after = admin.search_read("crm.customer.score", [], ["computed_at"], limit=1,
                              order="computed_at desc")
    assert after == before


def test_integration_reads_but_cannot_change_scores(rpc, transport):
    admin = rpc("admin", transport)
    integration = rpc("integration", transport)
    score_ids = integration.search("crm.customer.score", [], limit=1)
    config_ids = admin.search("crm.score.config", [], limit=1)
    if not score_ids:
        admin.call("crm.customer.score", "action_crm_recompute_scores")
        score_ids = integration.search("crm.customer.score", [], limit=1)
    assert score_ids, "the admin's recompute scored nobody"
    assert integration.read("crm.customer.score", score_ids, ["value_score"])[0]["id"] == score_ids[0]
    with pytest.raises(errors.AccessDenied):
        integration.write("crm.customer.score", score_ids, {"value_score": 99.0})
    with pytest.raises(errors.AccessDenied):
        integration.call("crm.customer.score", "unlink", score_ids)
    assert config_ids, "no scoring settings"
    with pytest.raises(errors.AccessDenied):
        integration.read("crm.score.config", config_ids, ["id"])
    with pytest.raises(errors.AccessDenied):
        integration.write("crm.score.config", config_ids, {"weight_rfm": 1.0})


def test_list_bad_input(run_cli, users, transport):
    bad_segment = run_cli(users.integration, transport, "scores", "list", "--segment", "vip")
    assert_clean_failure(bad_segment, errors.EXIT_USAGE, "--segment 'vip' is not valid: use one of")
    assert "champions" in bad_segment.stderr
    bad_risk = run_cli(users.integration, transport, "scores", "list", "--churn-risk", "extreme")
    assert_clean_failure(bad_risk, errors.EXIT_USAGE, "low, medium, high")
    bad_limit = run_cli(users.integration, transport, "scores", "list", "--limit", "-1")
    assert_clean_failure(bad_limit, errors.EXIT_USAGE, "--limit must be 0 (all) or more.")


def test_read_scores_table(rpc, transport, scored_customer):
    """crm_api_read_scores: the rows scores list reads, as lists, paged, in the
    order of the value score, equal to what search_read gives."""
    admin = rpc("admin", transport)
    integration = rpc("integration", transport)
    admin.call("crm.customer.score", "action_crm_recompute_scores")
    domain = [("value_score", ">", 0)]
    expected = admin.search_read("crm.customer.score", domain, [
        "partner_id", "value_score", "rfm_code", "p_alive", "predicted_clv"],
        order="value_score desc, id")
    assert len(expected) >= 2, "too few scored customers to page"
    columns = ["partner_id", "value_score", "rfm_code", "p_alive", "predicted_clv"]
    pages = []
    for offset in range(0, len(expected), 2):
        answer = integration.call("crm.customer.score", "crm_api_read_scores", domain=domain,
                                  offset=offset, limit=2, columns=columns)
        assert answer["columns"] == columns
        assert answer["total"] == len(expected)
        assert all(isinstance(row, list) and len(row) == len(columns) for row in answer["rows"])
        pages.extend(answer["rows"])
    packed = integration.call("crm.customer.score", "crm_api_read_scores", domain=domain,
                              columns=columns, rows_as_json=True)
    assert json.loads(packed["rows"]) == pages
    assert pages == [[rec["partner_id"][0], rec["value_score"], rec["rfm_code"], rec["p_alive"],
                      rec["predicted_clv"]] for rec in expected]
    # The customer's name and external reference come in the same call.
    mine = integration.call("crm.customer.score", "crm_api_read_scores",
                            domain=[("partner_id", "=", scored_customer["id"])],
                            columns=["partner_id", "name", "external_ref"])
    assert mine["rows"] == [[scored_customer["id"], f"Pytest Scored {scored_customer['ref']}",
                             scored_customer["ref"]]]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"limit": -1}, "limit must be a whole number, 0 or more."),
    ({"offset": "10"}, "offset must be a whole number, 0 or more."),
    ({"limit": 100_001}, "At most 100000 scores per call."),
    ({"columns": ["partner_id", "password"]}, "columns must be a list of: partner_id, name"),
    ({"columns": []}, "columns must be a list of"),
    ({"domain": "all"}, "domain must be a list of conditions."),
    ({"domain": [("no_such_field", "=", 1)]}, "Invalid domain"),
    ({"rows_as_json": 1}, "rows_as_json must be true or false."),
])
def test_read_scores_bad_input(rpc, transport, kwargs, message):
    integration = rpc("integration", transport)
    with pytest.raises(errors.ServerRefused) as refused:
        integration.call("crm.customer.score", "crm_api_read_scores", **kwargs)
    assert message in str(refused.value.message)
