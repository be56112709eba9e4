"""Scores an analyst can trust and an integrator can sync, end to end against
the live server over both transports: `scores recompute --as-of` (scores as of
a past date, nothing stored), `scores model` (the fitted parameters and their
units), `scores list --horizon` (the forecast over a horizon of the call) and
`--company`."""

import datetime
import importlib.util
import pathlib
import uuid

import numpy as np
import pytest
from cli_checks import assert_clean_failure, ok_json
from crm_client import errors
from crm_client.cli import SCORE_AS_OF_COLUMNS, SCORE_COLUMNS

# The add-on's statistics, loaded by path (the package itself imports Odoo).
_BTYD = pathlib.Path(__file__).resolve().parent.parent / "addons/crm_analytics/scoring/btyd.py"
_spec = importlib.util.spec_from_file_location("crm_btyd", _BTYD)
btyd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(btyd)

TODAY = datetime.datetime.now(datetime.UTC).date()
AS_OF = TODAY - datetime.timedelta(days=100)
# Days ago and untaxed amount of each order; only those 100 days ago or more
# count as of AS_OF.
# Six customers: on fewer, the as-of fit (on these alone when the database
# holds no older orders) has no finite optimum.
HISTORIES = [
    [(400, 100.0), (300, 120.0), (200, 80.0), (50, 500.0), (10, 700.0)],
    [(380, 200.0), (250, 210.0), (120, 190.0)],
    [(350, 50.0), (340, 60.0), (20, 900.0)],
    [(500, 300.0), (150, 320.0), (110, 310.0), (105, 305.0)],
    [(260, 80.0), (30, 90.0)],
    [(450, 150.0), (420, 140.0), (200, 160.0), (130, 170.0)],
]


@pytest.fixture
def histories(rpc, transport, product_id):
    """Six customers with dated confirmed orders (moved to 10:00 UTC of
    their day after confirmation), scored today by a full recompute."""
    admin = rpc("admin", transport)
    made = []
    for history in HISTORIES:
        ref = f"ASOF-{uuid.uuid4().hex[:10]}"
        partner_id = admin.create("res.partner", {
            "name": f"Pytest As Of {ref}", "is_company": True, "crm_external_ref": ref})
        for days_ago, amount in history:
            order_id = admin.create("sale.order", {
                "partner_id": partner_id,
                "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 1,
                                       "price_unit": amount, "tax_ids": [(6, 0, [])]})],
            })
            admin.call("sale.order", "action_confirm", [order_id])
            day = TODAY - datetime.timedelta(days=days_ago)
            admin.write("sale.order", [order_id], {"date_order": f"{day} 10:00:00"})
        made.append({"id": partner_id, "ref": ref, "history": history})
    rpc("manager", "xmlrpc").call("crm.customer.score", "crm_api_recompute_scores")
    return made


def _stored(admin, ids):
    return admin.search_read("crm.customer.score", [("partner_id", "in", ids)], [
        "partner_id", "value_score", "p_alive", "expected_purchases", "recency_days",
        "frequency", "monetary", "computed_at"], order="partner_id")


def test_recompute_as_of_a_past_date(run_cli, rpc, users, transport, histories):
    admin = rpc("admin", transport)
    ids = [customer["id"] for customer in histories]
    before = _stored(admin, ids)
    model_before = rpc("integration", transport).call("crm.customer.score", "crm_api_score_model")
    done = run_cli(users.manager, transport, "scores", "recompute", "--as-of", AS_OF.isoformat(),
                   "--horizon", "90", "--format", "json")
    rows = ok_json(done)
    assert f"as of {AS_OF.isoformat()} (horizon 90 days; nothing stored)" in done.stderr
    assert all(list(row) == SCORE_AS_OF_COLUMNS for row in rows)
    by_id = {row["partner_id"]: row for row in rows}
    for customer in histories:
        # By hand: the purchase days up to the date, x = days - 1, t_x from
        # the first to the last, T from the first to the date.
        days = sorted((d for d, _amount in customer["history"] if d >= 100), reverse=True)
        row = by_id[customer["id"]]
        assert row["external_ref"] == customer["ref"]
        assert (row["repeat_purchases"], row["t_x_days"], row["T_days"], row["recency_days"]) == (
            len(days) - 1, days[0] - days[-1], days[0] - 100, days[-1] - 100)
        # Frequency and monetary: the 12 months up to the date (no order lies
        # near the window's start).
        window = [(d, a) for d, a in customer["history"] if 100 <= d < 100 + 365]
        assert row["frequency"] == len(window)
        assert row["monetary"] == pytest.approx(sum(a for _d, a in window), abs=0.01)
    # Today's scores and fit are untouched: nothing was stored.
    assert _stored(admin, ids) == before
    assert rpc("integration", transport).call("crm.customer.score",
                                              "crm_api_score_model") == model_before

    # The forecast is the as-of fit's BG/NBD over the requested horizon.
    manager = rpc("manager", transport)
    answer = manager.call("crm.customer.score", "crm_api_score_as_of", as_of=AS_OF.isoformat(),
                          horizon_days=90, partner_ids=[ids[1]])
    assert answer["time_unit"] == "days" and answer["total"] == 1
    row = dict(zip(answer["columns"], answer["rows"][0], strict=True))
    params = btyd.BGNBDParams(**answer["model"]["bgnbd"])
    expected = btyd.expected_purchases(params, 90, np.array([float(row["repeat_purchases"])]),
                                       np.array([float(row["t_x_days"])]),
                                       np.array([float(row["T_days"])]))[0]
    assert row["expected_purchases"] == pytest.approx(expected, rel=1e-5)
    assert row == by_id[ids[1]]


def test_model_and_forecast_horizon(run_cli, rpc, users, transport, histories):
    listed = ok_json(run_cli(users.integration, transport, "scores", "model", "--format", "json"))
    values = {(row["model"], row["parameter"]): row for row in listed}
    assert values["bgnbd", "alpha"]["unit"] == "days"
    assert values["fit", "horizon_days"]["unit"] == "days"
    # The server scored today (UTC); a run across midnight may see the next day.
    assert values["fit", "as_of"]["value"] in {
        TODAY.isoformat(), datetime.datetime.now(datetime.UTC).date().isoformat()}
    assert values["fit", "customers"]["value"] >= len(histories)
    assert values["fit", "bgnbd_log_likelihood"]["value"] < 0
    params = btyd.BGNBDParams(*(values["bgnbd", key]["value"] for key in ("r", "alpha", "a", "b")))

    ref = histories[0]["ref"]
    stored = ok_json(run_cli(users.integration, transport, "scores", "list",
                             "--customer-ref", ref, "--format", "json"))
    month = ok_json(run_cli(users.integration, transport, "scores", "list",
                            "--customer-ref", ref, "--horizon", "30", "--format", "json"))
    assert list(month[0]) == SCORE_COLUMNS
    # x, t_x, T of today's score: 5 purchase days, 400 to 10 days ago.
    expected = btyd.expected_purchases(params, 30, np.array([4.0]), np.array([390.0]),
                                       np.array([400.0]))[0]
    assert month[0]["expected_purchases"] == pytest.approx(expected, rel=1e-4)
    assert month[0]["expected_purchases"] < stored[0]["expected_purchases"]
    assert month[0]["value_score"] == stored[0]["value_score"]

    # --company names the user's current company: the same rows.
    company = rpc("admin", transport).read("res.users", [users.integration.uid],
                                           ["company_id"])[0]["company_id"]
    named = ok_json(run_cli(users.integration, transport, "scores", "list", "--customer-ref", ref,
                            "--company", company[1], "--format", "json"))
    assert named == stored


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["--as-of", "2101-01-01"], errors.EXIT_REFUSED, "as_of must not be in the future"),
    (["--as-of", "1850-06-01"], errors.EXIT_REFUSED, "as_of must be between 1900 and 2100"),
    (["--as-of", "2025-02-30"], errors.EXIT_USAGE, "--as-of must be a date YYYY-MM-DD"),
    (["--as-of", "2025-01-01", "--horizon", "0"], errors.EXIT_REFUSED,
     "horizon_days must be between 1 and 36500"),
    (["--as-of", "2025-01-01", "--horizon", "99999999"], errors.EXIT_REFUSED,
     "horizon_days must be between 1 and 36500"),
    (["--as-of", "2025-01-01", "--company", "No Such Company"], errors.EXIT_REFUSED,
     "is not one of your companies"),
    (["--horizon", "30"], errors.EXIT_USAGE, "--horizon and --customer-id go with --as-of."),
])
def test_as_of_bad_input(run_cli, users, transport, argv, code, message):
    refused = run_cli(users.manager, transport, "scores", "recompute", *argv)
    assert_clean_failure(refused, code, message)


def test_as_of_is_for_managers(run_cli, users, transport):
    refused = run_cli(users.integration, transport, "scores", "recompute",
                      "--as-of", AS_OF.isoformat())
    assert_clean_failure(refused, errors.EXIT_ACCESS,
                         "Only CRM managers may recompute the customer scores.")


def test_list_bad_horizon(run_cli, users, transport):
    for horizon in ("0", "-3", "40000"):
        refused = run_cli(users.integration, transport, "scores", "list", "--horizon", horizon)
        assert_clean_failure(refused, errors.EXIT_REFUSED, "horizon_days must be between 1")


def test_backtest(run_cli, rpc, users, transport, histories):
    """scores backtest as of 100 days ago over 90 days: the actual purchase
    days and spend of each customer by hand, the predictions those of the
    as-of run, the summary their totals and mean absolute errors."""
    done = run_cli(users.manager, transport, "scores", "backtest", "--as-of", AS_OF.isoformat(),
                   "--horizon", "90", "--format", "json")
    rows = {row["partner_id"]: row for row in ok_json(done)}
    assert "purchases predicted" in done.stderr
    forecast = rpc("manager", transport).call(
        "crm.customer.score", "crm_api_score_as_of", as_of=AS_OF.isoformat(), horizon_days=90)
    predicted = {row[0]: dict(zip(forecast["columns"], row, strict=True))
                 for row in forecast["rows"]}
    for customer in histories:
        window = [(d, a) for d, a in customer["history"] if 10 <= d < 100]
        row = rows[customer["id"]]
        assert (row["actual_purchases"], row["actual_spend"]) == (
            len(window), pytest.approx(sum(a for _d, a in window)))
        assert row["predicted_purchases"] == pytest.approx(
            predicted[customer["id"]]["expected_purchases"], abs=1e-6)
    summary = ok_json(run_cli(users.manager, transport, "scores", "backtest", "--as-of",
                              AS_OF.isoformat(), "--horizon", "90", "--summary", "--format", "json"))
    assert summary["customers"] == len(rows)
    assert summary["actual_purchases"] == sum(r["actual_purchases"] for r in rows.values())
    assert summary["mae_purchases"] == pytest.approx(sum(
        abs(r["predicted_purchases"] - r["actual_purchases"]) for r in rows.values()) / len(rows),
        abs=1e-5)
    # The period must be over; managers only.
    too_late = run_cli(users.manager, transport, "scores", "backtest", "--as-of",
                       AS_OF.isoformat(), "--horizon", "101")
    assert_clean_failure(too_late, errors.EXIT_REFUSED, "must not be after today")
    refused = run_cli(users.integration, transport, "scores", "backtest", "--as-of",
                      AS_OF.isoformat(), "--horizon", "90")
    assert_clean_failure(refused, errors.EXIT_ACCESS, "Only CRM managers")
