"""Benchmark the customer value scoring (crm_analytics) on a large database.

    python3 tools/dev.py bench scoring           # 100,000 customers, 1,000,000 orders
    python3 tools/dev.py bench scoring --reuse   # keep the database and its data
    python3 tools/dev.py bench scoring --customers 5000 --orders 50000 --database scr_bench_small

Copies the template database (default crm_tmpl_base, built when missing),
installs crm_extended, crm_analytics and the demo data generator, then writes
customers and confirmed orders with set-based SQL
(COPY, crm.demo.generator.generate_bulk_purchases()): purchase histories drawn
from a BG/NBD process with Gamma-Gamma order values, some orders in a foreign
currency (EUR), margins on every order, posted credit notes for some customers
and some archived customers.

Then, in one run, it times:

1. the cold full recompute of crm_analytics (no scores, no purchase aggregate,
   no previous fit: the aggregate is rebuilt from the 1,000,000 orders, BG/NBD
   and Gamma-Gamma fitted from scratch, RFM, churn, loyalty, value score, the
   bulk write, the monthly snapshot) - the method of the daily cron and the
   button;
2. baseline 1: export the same orders and credit notes with SQL into pandas,
   build the per-customer summary with pandas, fit and predict with the
   ``lifetimes`` package and compute the RFM quintiles with pandas (no write);
3. baseline 2: the same export the way an analyst without database access does
   it: ``search_read`` over XML-RPC against a server started by the script, in
   batches of --batch records paged by id (partners for their commercial
   entity, orders, credit notes), then the same pandas + ``lifetimes`` scoring;
4. an incremental update of the biggest customer (what an order confirmation
   runs);
5. the daily full recompute the next day (the aggregate moves one day
   forward, every score changes, the fit starts from the previous one), and the
   same again (nothing changed since).

Prints seconds, the ratios baseline / engine (cold and daily) and the fitted
parameters of the engine and of ``lifetimes``.
Runs Odoo as a library from the repository root with odoo.conf.
"""

import argparse
import datetime
import json
import os
import sys
import time

import numpy as np

import odoo
from odoo.tools import SQL

from tools.common import TEMPLATE, machine, open_registry, say, start_server, stop_server, vacuum


def export_sql(cr, company_id):
    """Baseline 1 (an analyst with database access): the confirmed orders and
    posted credit notes with SQL into pandas."""
    import pandas as pd

    # Importable once the registry has set the addons path.
    from odoo.addons.crm_extended.tools import revenue

    # The modules' own revenue rule (crm_extended/tools/revenue.py), so that the
    # baseline reads the same orders and amounts as the scoring.
    cr.execute(SQL(
        "SELECT partner_id, date_order, amount, margin FROM (%s) orders",
        revenue.confirmed_orders(company_id=company_id, columns={
            "margin": revenue.in_company_currency(SQL("COALESCE(so.margin, 0)")),
        }),
    ))
    orders = pd.DataFrame(cr.fetchall(), columns=["partner_id", "date_order", "amount", "margin"])
    cr.execute(SQL(
        "SELECT partner_id, invoice_date, -amount FROM (%s) refunds",
        revenue.posted_refunds(company_id=company_id),
    ))
    refunds = pd.DataFrame(cr.fetchall(), columns=["partner_id", "date", "amount"])
    return orders, refunds


def search_read_all(models, database, uid, password, model, domain, fields, batch, context):
    """Every record of ``model`` matching ``domain``, ``batch`` per call, paged
    by id (offsets get slower the further they go)."""
    records, last_id = [], 0
    while True:
        page = models.execute_kw(database, uid, password, model, "search_read",
                                 [domain + [("id", ">", last_id)]],
                                 {"fields": fields, "order": "id", "limit": batch,
                                  "context": context})
        records += page
        if len(page) < batch:
            return records
        last_id = page[-1]["id"]


def export_rpc(url, database, login, password, company_id, batch):
    """Baseline 2 (an analyst without database access): the same orders and
    credit notes through Odoo's external API, search_read over XML-RPC in
    batches, then into pandas. Amounts in company currency are the untaxed
    amount divided by the order's currency rate, as Odoo's own reports do."""
    import xmlrpc.client

    import pandas as pd

    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    uid = common.authenticate(database, login, password, {})
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    context = {"active_test": False}
    args = (models, database, uid, password)
    # Orders are placed by contacts: their commercial entity is the customer.
    partners = search_read_all(*args, "res.partner", [], ["commercial_partner_id"], batch,
                               context)
    commercial = {p["id"]: p["commercial_partner_id"][0] for p in partners
                  if p["commercial_partner_id"]}
    orders = search_read_all(
        *args, "sale.order", [("company_id", "=", company_id), ("state", "=", "sale")],
        ["partner_id", "date_order", "amount_untaxed", "currency_rate", "margin"], batch, context)
    refunds = search_read_all(
        *args, "account.move", [("company_id", "=", company_id),
                                ("move_type", "=", "out_refund"), ("state", "=", "posted")],
        ["commercial_partner_id", "invoice_date", "amount_untaxed_signed"], batch, context)
    frame = pd.DataFrame.from_records(orders)
    rate = frame["currency_rate"].where(frame["currency_rate"] != 0, 1.0)
    orders = pd.DataFrame({
        "partner_id": frame["partner_id"].str[0].map(commercial),
        "date_order": frame["date_order"],
        "amount": frame["amount_untaxed"] / rate,
        "margin": frame["margin"].fillna(0.0) / rate,
    })
    frame = pd.DataFrame.from_records(refunds)
    refunds = pd.DataFrame({
        "partner_id": frame["commercial_partner_id"].str[0] if len(frame) else [],
        "date": frame["invoice_date"] if len(frame) else [],
        "amount": -frame["amount_untaxed_signed"] if len(frame) else [],
    })
    return orders, refunds, {"orders": len(orders), "refunds": len(refunds),
                             "partners": len(partners)}


def score_pandas(orders, refunds, today, config):
    """The per-customer summary, RFM quintiles, BG/NBD and Gamma-Gamma fits,
    predictions and CLV with pandas and ``lifetimes`` (no write back)."""
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    timings = {}
    started = time.monotonic()
    orders["amount"] = orders["amount"].astype(float)
    orders["margin"] = orders["margin"].astype(float)
    orders["day"] = pd.to_datetime(orders["date_order"]).dt.normalize()
    ref = pd.Timestamp(today)
    window = ref - pd.DateOffset(months=config["months"]) + pd.Timedelta(days=1)
    daily = orders.groupby(["partner_id", "day"], as_index=False)["amount"].sum()
    daily = daily.sort_values(["partner_id", "day"])
    grouped = daily.groupby("partner_id")
    summary = pd.DataFrame({
        "first": grouped["day"].min(),
        "last": grouped["day"].max(),
        "days": grouped["day"].count(),
        "total": grouped["amount"].sum(),
    })
    first_amount = daily.drop_duplicates("partner_id").set_index("partner_id")["amount"]
    summary["frequency"] = summary["days"] - 1
    summary["recency"] = (summary["last"] - summary["first"]).dt.days
    summary["T"] = (ref - summary["first"]).dt.days
    summary["monetary_value"] = np.where(
        summary["frequency"] > 0,
        (summary["total"] - first_amount) / summary["frequency"].clip(lower=1), 0.0)
    recent = orders[orders["day"] >= window]
    rgroup = recent.groupby("partner_id")
    summary["f"] = rgroup.size().reindex(summary.index, fill_value=0)
    refund_window = refunds[pd.to_datetime(refunds["date"]) >= window]
    summary["m"] = (rgroup["amount"].sum().reindex(summary.index, fill_value=0.0)
                    - refund_window.groupby("partner_id")["amount"].sum().astype(float)
                    .reindex(summary.index, fill_value=0.0))
    summary["margin"] = rgroup["margin"].sum().reindex(summary.index, fill_value=0.0)
    summary["recency_days"] = (ref - summary["last"]).dt.days
    for col, asc in (("recency_days", False), ("f", True), ("m", True)):
        pct = summary[col].rank(method="average", ascending=asc)
        summary[col + "_score"] = np.clip(np.floor((pct - 1) / len(summary) * 5) + 1, 1, 5)
    timings["pandas summary and RFM"] = time.monotonic() - started

    started = time.monotonic()
    f = summary["frequency"].to_numpy(float)
    r = summary["recency"].to_numpy(float)
    T = summary["T"].to_numpy(float)
    m = summary["monetary_value"].to_numpy(float)
    bgf = BetaGeoFitter()
    bgf.fit(f, r, T)
    ggf = GammaGammaFitter()
    ggf.fit(f[(f > 0) & (m > 0)], m[(f > 0) & (m > 0)])
    timings["lifetimes fit"] = time.monotonic() - started

    started = time.monotonic()
    summary["p_alive"] = bgf.conditional_probability_alive(f, r, T)
    summary["expected"] = bgf.conditional_expected_number_of_purchases_up_to_time(
        config["horizon"], f, r, T)
    value = ggf.conditional_expected_average_profit(f, m)
    # GammaGammaFitter.customer_lifetime_value needs pandas Series that the
    # current pandas cannot pass to scipy's hyp2f1: the same sum, by hand.
    monthly = (1 + config["discount"] / 100.0) ** (1 / 12) - 1
    clv = np.zeros(len(f))
    previous = np.zeros(len(f))
    for i in range(1, config["clv_months"] + 1):
        current = bgf.conditional_expected_number_of_purchases_up_to_time(30 * i, f, r, T)
        clv += (current - previous) * value / (1 + monthly) ** i
        previous = current
    summary["clv"] = clv
    timings["lifetimes predictions"] = time.monotonic() - started
    params = {**bgf.params_.to_dict(), **ggf.params_.to_dict()}
    return timings, params, len(summary)


SCORE_TABLES = ("crm_customer_score", "crm_customer_score_aggregate",
                "crm_customer_score_snapshot")


def engine_line(label, seconds, result):
    return (f"{label}: {seconds:.2f}s for {result['customers']:,} customers (aggregate "
            f"{result['aggregate']} of {result['aggregated_customers']:,} customers "
            f"{result['aggregate_seconds']:.2f}s, read {result['read_seconds']:.2f}s, fit "
            f"{result['fit_seconds']:.2f}s, score+write+snapshot {result['write_seconds']:.2f}s)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="scr_bench")
    parser.add_argument("--template", default=TEMPLATE)
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--orders", type=int, default=1000000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true",
                        help="keep an existing database and its generated data")
    parser.add_argument("--port", type=int, default=8169,
                        help="HTTP port of the server for the API baseline (gevent: +50)")
    parser.add_argument("--batch", type=int, default=20000,
                        help="records per search_read call in the API baseline")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--skip-api-baseline", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    info = machine()
    info["load_average_start"] = os.getloadavg()
    registry = open_registry(args.database, args.template, args.reuse)
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})
        cr.execute("SELECT version()")
        info["postgresql"] = cr.fetchone()[0].split(" on ")[0]
        cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale' AND name LIKE 'BENCH%%'")
        if cr.fetchone()[0] < args.orders:
            say(f"generating {args.customers:,} customers and {args.orders:,} orders")
            summary = env["crm.demo.generator"].generate_bulk_purchases(
                args.customers, args.orders, args.seed)
            cr.commit()
            say(f"generated: {summary}")
            results["generate"] = summary
        cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale'")
        info["confirmed_orders"] = cr.fetchone()[0]
        # A cold start: no scores, no snapshot, no aggregate, no previous fit.
        cr.execute("DELETE FROM crm_customer_score; DELETE FROM crm_customer_score_snapshot; "
                   "DELETE FROM crm_customer_score_aggregate; "
                   "DELETE FROM crm_customer_score_aggregate_state")
        cr.execute("DELETE FROM crm_score_config")
        cr.commit()
        vacuum(args.database, SCORE_TABLES)
        env.invalidate_all()
        Score = env["crm.customer.score"]

        started = time.monotonic()
        engine = Score._crm_score_company(env.company)
        env.flush_all()
        cr.commit()
        cold_seconds = time.monotonic() - started
        say(engine_line("engine cold full recompute (aggregate rebuilt, fit from scratch)",
                        cold_seconds, engine))
        config = env["crm.score.config"]._get_for_company(env.company)
        engine_params = {name: config[name] for name in (
            "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "gamma_p", "gamma_q", "gamma_v")}
        say(f"engine parameters: {engine_params}")

        today = Score._crm_score_today()
        settings = {
            "months": config.rfm_window_months, "horizon": config.horizon_days,
            "discount": config.discount_rate, "clv_months": config.clv_months,
        }
        baselines = {}
        started = time.monotonic()
        orders, refunds = export_sql(cr, env.company.id)
        export_seconds = time.monotonic() - started
        timings, params, n = score_pandas(orders, refunds, today, settings)
        timings = {"SQL export": export_seconds, **timings}
        baselines["sql"] = timings
        say(f"baseline 1, SQL export + pandas + lifetimes: {sum(timings.values()):.2f}s for "
            f"{n:,} customers (" + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()) + ")")
        say(f"lifetimes parameters: {params}")
        del orders, refunds
        cr.commit()

        if not args.skip_api_baseline:
            process, url = start_server(args.database, args.port, f"bench_scoring_{args.database}")
            try:
                started = time.monotonic()
                orders, refunds, counts = export_rpc(url, args.database, args.login,
                                                     args.password, env.company.id, args.batch)
                export_seconds = time.monotonic() - started
            finally:
                stop_server(process)
            timings, params_rpc, n = score_pandas(orders, refunds, today, settings)
            timings = {f"XML-RPC export ({args.batch:,} per call)": export_seconds, **timings}
            baselines["api"] = timings
            say(f"baseline 2, XML-RPC search_read export + pandas + lifetimes: "
                f"{sum(timings.values()):.2f}s for {n:,} customers ("
                + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()) + f"; read {counts})")
            say(f"lifetimes parameters (API export): {params_rpc}")
            del orders, refunds

        # What confirming an order runs: the customer's aggregate and scores.
        cr.execute("SELECT partner_id FROM crm_customer_score ORDER BY purchase_days DESC LIMIT 1")
        top = env["res.partner"].browse(cr.fetchone()[0])
        started = time.monotonic()
        Score._crm_score_partners(top)
        cr.commit()
        incremental = time.monotonic() - started
        say(f"incremental update of the biggest customer: {incremental:.3f}s")

        # The daily cron the next day: the aggregate moves one day forward,
        # every score changes (recency, age), the fit starts from yesterday's.
        # Autovacuum has had the night to clean up after the runs of the day.
        vacuum(args.database, SCORE_TABLES)
        tomorrow = today + datetime.timedelta(days=1)
        started = time.monotonic()
        daily = Score.with_context(crm_score_today=tomorrow)._crm_score_company(env.company)
        cr.commit()
        daily_seconds = time.monotonic() - started
        say(engine_line("engine daily full recompute (next day, warm fit)", daily_seconds, daily))
        cr.execute("SELECT rfm_segment, count(*) FROM crm_customer_score GROUP BY 1 ORDER BY 2 DESC")
        segments = dict(cr.fetchall())
        say(f"segments (next day): {segments}")
        # The same day again: scores unchanged, nothing to re-aggregate.
        started = time.monotonic()
        again = Score.with_context(crm_score_today=tomorrow)._crm_score_company(env.company)
        cr.commit()
        again_seconds = time.monotonic() - started
        say(engine_line("engine full recompute again the same day", again_seconds, again))

        ratios = {}
        for key, timings in baselines.items():
            total = sum(timings.values())
            ratios[key] = {"cold": total / cold_seconds, "daily": total / daily_seconds}
            say(f"ratio baseline {'1 (SQL)' if key == 'sql' else '2 (XML-RPC)'} / engine: "
                f"{ratios[key]['cold']:.1f}x against the cold run, "
                f"{ratios[key]['daily']:.1f}x against the daily run")
        results.update(
            cold_seconds=cold_seconds, cold=engine, daily_seconds=daily_seconds, daily=daily,
            again_seconds=again_seconds, again=again, incremental_seconds=incremental,
            engine_params=engine_params, lifetimes_params=params, baselines=baselines,
            ratios=ratios, segments=segments,
        )
    info["load_average_end"] = os.getloadavg()
    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": results, "args": vars(args)}, out,
                      indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
