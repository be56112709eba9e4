#!/usr/bin/env python3
"""Benchmark the customer value scoring (crm_analytics) on a large database.

    python3 tools/bench_scoring.py                       # 100,000 customers, 1,000,000 orders
    python3 tools/bench_scoring.py --reuse               # keep the database and its data
    python3 tools/bench_scoring.py --customers 5000 --orders 50000 --database scr_bench_small

Copies the template database (default crm_tmpl_base), installs crm_extended and
crm_analytics, then writes customers and confirmed orders with set-based SQL
(COPY): purchase histories drawn from a BG/NBD process with Gamma-Gamma order
values, some orders in a foreign currency (EUR), margins on every order, posted
credit notes for some customers and some archived customers.

Then, in one run, it times:

1. the full recompute of crm_analytics (one SQL aggregate, BG/NBD and
   Gamma-Gamma fit, RFM, churn, loyalty, value score, one bulk upsert, the
   monthly snapshot) - the same method as the daily cron and the button;
2. the baseline: export the same orders and credit notes with SQL into pandas,
   build the per-customer summary with pandas, fit and predict with the
   ``lifetimes`` package and compute the RFM quintiles with pandas (no write);
3. the full recompute again (rows exist: updates; the fit starts from the
   previous parameters, as the daily cron does);
4. an incremental update of one customer (what an order confirmation runs).

Prints seconds, the ratio baseline / engine and the fitted parameters of both.
Runs Odoo as a library from the repository root with odoo.conf.
"""

import argparse
import io
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, "odoo.conf")
MODULES = "crm_extended,crm_analytics"

from bench_common import create_database, database_exists, machine, say  # noqa: E402


def simulate(customers, orders, seed, days=1095):
    """Purchase days and values of ``customers`` customers drawn from BG/NBD
    (r=1.2, alpha=20 days, a=0.7, b=5) and Gamma-Gamma (p=4, q=3, v=200),
    thinned or topped up to exactly ``orders`` orders. Returns arrays
    (customer index, days before today, amount)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(1, days, customers)  # days since the first purchase
    lam = rng.gamma(1.2, 1 / 20.0, customers)
    p = rng.beta(0.7, 5.0, customers)
    nu = rng.gamma(3.0, 1 / 200.0, customers)
    cap = 60
    drop_after = np.minimum(rng.geometric(p), cap)  # purchases before dropping out
    idx = np.repeat(np.arange(customers), drop_after)
    gaps = rng.exponential(1.0, idx.size) / lam[idx]
    csum = np.cumsum(gaps)
    starts = np.concatenate([[0], np.cumsum(drop_after)[:-1]])
    offset = np.repeat(csum[starts] - gaps[starts], drop_after)
    t = csum - offset  # time of the repeat purchase after the first one
    keep = t < age[idx]
    idx, t = idx[keep], t[keep]
    cust = np.concatenate([np.arange(customers), idx])
    when = np.concatenate([np.zeros(customers), t])
    extra = cust.size - orders
    if extra > 0:  # drop random repeat purchases (never a first one)
        drop = rng.choice(np.arange(customers, cust.size), extra, replace=False)
        mask = np.ones(cust.size, bool)
        mask[drop] = False
        cust, when = cust[mask], when[mask]
    elif extra < 0:  # more repeat purchases of random customers, within their age
        more = rng.integers(0, customers, -extra)
        cust = np.concatenate([cust, more])
        when = np.concatenate([when, rng.random(-extra) * age[more]])
    days_ago = np.maximum(age[cust] - np.floor(when).astype(int), 0)
    amount = np.round(rng.gamma(4.0, 1.0, cust.size) / nu[cust], 2)
    return cust, days_ago, amount


def generate(env, customers, orders, seed):
    """Write the customers and orders with COPY; returns counts."""
    cr = env.cr
    company = env.company
    started = time.monotonic()
    cr.execute("UPDATE res_currency SET active = true WHERE name = 'EUR' RETURNING id")
    eur = cr.fetchone()[0]
    usd = company.currency_id.id
    cr.execute("SELECT id FROM product_pricelist LIMIT 1")
    row = cr.fetchone()
    pricelist = row[0] if row else None
    cr.execute("SELECT id FROM stock_warehouse WHERE company_id = %s LIMIT 1", [company.id])
    row = cr.fetchone()
    warehouse = row[0] if row else None

    cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
    base = cr.fetchone()[0] + 1
    buffer = io.StringIO()
    for i in range(customers):
        pid = base + i
        active = "f" if i % 100 == 99 else "t"
        buffer.write(f"{pid}\tBench Customer {i + 1}\tBench Customer {i + 1}\t{pid}\t"
                     f"{active}\tt\tcontact\task\tdefault\tdefault\t1\tt\n")
    buffer.seek(0)
    cr.copy_expert(
        "COPY res_partner (id, name, complete_name, commercial_partner_id, active, is_company,"
        " type, autopost_bills, group_rfq, group_on, customer_rank, partner_share) FROM STDIN",
        buffer,
    )
    cr.execute("SELECT setval('res_partner_id_seq', (SELECT MAX(id) FROM res_partner))")

    cust, days_ago, amount = simulate(customers, orders, seed)
    rng = np.random.default_rng(seed + 1)
    foreign = rng.random(cust.size) < 0.1
    rate = np.where(foreign, 0.9, 1.0)
    amount_doc = np.round(amount * rate, 2)
    margin = np.round(amount_doc * rng.uniform(0.1, 0.4, cust.size), 2)
    second = rng.integers(0, 86400, cust.size)
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM sale_order")
    order_base = cr.fetchone()[0] + 1
    today = np.datetime64("today", "s")
    stamps = (today - days_ago.astype("timedelta64[D]") + second.astype("timedelta64[s]"))
    stamps = np.minimum(stamps, np.datetime64("now", "s") - np.timedelta64(60, "s"))
    buffer = io.StringIO()
    partner_ids = cust + base
    pl = str(pricelist) if pricelist else r"\N"
    wh = str(warehouse) if warehouse else r"\N"
    for k in range(cust.size):
        oid = order_base + k
        pid = partner_ids[k]
        cur = eur if foreign[k] else usd
        buffer.write(
            f"{oid}\tBENCH{oid}\t{pid}\t{pid}\t{pid}\t{company.id}\t{stamps[k]}\tsale\t"
            f"{amount_doc[k]}\t{amount_doc[k]}\t0\t{rate[k]}\t{margin[k]}\t{cur}\t{pl}\t{wh}\tdirect\n"
        )
    buffer.seek(0)
    cr.copy_expert(
        "COPY sale_order (id, name, partner_id, partner_invoice_id, partner_shipping_id,"
        " company_id, date_order, state, amount_untaxed, amount_total, amount_tax,"
        " currency_rate, margin, currency_id, pricelist_id, warehouse_id, picking_policy)"
        " FROM STDIN",
        buffer,
    )
    cr.execute("SELECT setval('sale_order_id_seq', (SELECT MAX(id) FROM sale_order))")

    # Posted credit notes for 2% of the customers, within the last year.
    refunded = rng.choice(customers, max(customers // 50, 1), replace=False)
    cr.execute("SELECT id FROM account_journal WHERE type = 'sale' AND company_id = %s LIMIT 1",
               [company.id])
    journal = cr.fetchone()[0]
    buffer = io.StringIO()
    for j, c in enumerate(refunded):
        value = round(float(rng.uniform(50, 800)), 2)
        day = np.datetime64("today", "D") - np.timedelta64(int(rng.integers(0, 360)), "D")
        buffer.write(f"RBENCH{j}\t{journal}\t{usd}\t{company.id}\tposted\tout_refund\tno\t{day}\t"
                     f"{day}\t{base + c}\t{base + c}\t{-value}\t{value}\n")
    buffer.seek(0)
    cr.copy_expert(
        "COPY account_move (name, journal_id, currency_id, company_id, state, move_type,"
        " auto_post, date, invoice_date, partner_id, commercial_partner_id,"
        " amount_untaxed_signed, amount_untaxed) FROM STDIN",
        buffer,
    )
    cr.execute("ANALYZE res_partner; ANALYZE sale_order; ANALYZE account_move")
    env.invalidate_all()
    return {"customers": customers, "orders": int(cust.size), "refunds": int(refunded.size),
            "seconds": round(time.monotonic() - started, 1)}


def baseline(cr, company_id, today, config):
    """Export with SQL into pandas, score with pandas + lifetimes."""
    import pandas as pd  # noqa: PLC0415
    from lifetimes import BetaGeoFitter, GammaGammaFitter  # noqa: PLC0415

    timings = {}
    started = time.monotonic()
    cr.execute(
        """SELECT rp.commercial_partner_id AS partner_id, so.date_order,
                  so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount,
                  COALESCE(so.margin, 0) / COALESCE(NULLIF(so.currency_rate, 0), 1) AS margin
             FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
            WHERE so.company_id = %s AND so.state = 'sale'""",
        [company_id],
    )
    orders = pd.DataFrame(cr.fetchall(), columns=["partner_id", "date_order", "amount", "margin"])
    cr.execute(
        """SELECT commercial_partner_id, invoice_date, -amount_untaxed_signed
             FROM account_move WHERE company_id = %s AND move_type = 'out_refund'
              AND state = 'posted'""",
        [company_id],
    )
    refunds = pd.DataFrame(cr.fetchall(), columns=["partner_id", "date", "amount"])
    timings["export"] = time.monotonic() - started

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="scr_bench")
    parser.add_argument("--template", default="crm_tmpl_base")
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--orders", type=int, default=1000000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true",
                        help="keep an existing database and its generated data")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    os.chdir(ROOT)

    import odoo  # noqa: PLC0415
    import odoo.tools  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", CONF, "-d", args.database, "--log-level=warn"])
    from odoo.modules.registry import Registry  # noqa: PLC0415

    info = machine()
    if not (args.reuse and database_exists(args.database)):
        create_database(args.database, args.template)
    registry = Registry(args.database)
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})
        cr.execute("SELECT version()")
        info["postgresql"] = cr.fetchone()[0].split(" on ")[0]
        cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale' AND name LIKE 'BENCH%%'")
        if cr.fetchone()[0] < args.orders:
            say(f"generating {args.customers:,} customers and {args.orders:,} orders")
            summary = generate(env, args.customers, args.orders, args.seed)
            cr.commit()
            say(f"generated: {summary}")
            results["generate"] = summary
        cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale'")
        info["confirmed_orders"] = cr.fetchone()[0]
        # A cold start: no scores, no snapshot, no previous fit to start from.
        cr.execute("DELETE FROM crm_customer_score; DELETE FROM crm_customer_score_snapshot")
        cr.execute("DELETE FROM crm_score_config")
        cr.commit()
        env.invalidate_all()
        Score = env["crm.customer.score"]

        started = time.monotonic()
        engine = Score._crm_score_company(env.company)
        env.flush_all()
        cr.commit()
        engine_seconds = time.monotonic() - started
        config = env["crm.score.config"]._get_for_company(env.company)
        say(f"engine full recompute: {engine_seconds:.2f}s for {engine['customers']:,} customers "
            f"(read {engine['read_seconds']:.2f}s, fit {engine['fit_seconds']:.2f}s, "
            f"score+write+snapshot {engine['write_seconds']:.2f}s)")
        engine_params = {name: config[name] for name in (
            "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "gamma_p", "gamma_q", "gamma_v")}
        say(f"engine parameters: {engine_params}")

        today = Score._crm_score_today()
        timings, params, n = baseline(cr, env.company.id, today, {
            "months": config.rfm_window_months, "horizon": config.horizon_days,
            "discount": config.discount_rate, "clv_months": config.clv_months,
        })
        baseline_seconds = sum(timings.values())
        say(f"baseline pandas + lifetimes: {baseline_seconds:.2f}s for {n:,} customers ("
            + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()) + ")")
        say(f"lifetimes parameters: {params}")
        ratio = baseline_seconds / engine_seconds
        say(f"ratio baseline / engine: {ratio:.1f}x")

        started = time.monotonic()
        again = Score._crm_score_company(env.company)
        cr.commit()
        warm_seconds = time.monotonic() - started
        say(f"engine full recompute again (rows exist, fit starts from the last one): "
            f"{warm_seconds:.2f}s (read {again['read_seconds']:.2f}s, fit "
            f"{again['fit_seconds']:.2f}s, score+write+snapshot {again['write_seconds']:.2f}s)")

        cr.execute("SELECT partner_id FROM crm_customer_score ORDER BY purchase_days DESC LIMIT 1")
        top = env["res.partner"].browse(cr.fetchone()[0])
        started = time.monotonic()
        Score._crm_score_partners(top)
        cr.commit()
        incremental = time.monotonic() - started
        say(f"incremental update of one customer: {incremental:.3f}s")
        cr.execute("SELECT rfm_segment, count(*) FROM crm_customer_score GROUP BY 1 ORDER BY 2 DESC")
        segments = dict(cr.fetchall())
        say(f"segments: {segments}")
        results.update(engine_seconds=engine_seconds, engine=engine, warm_seconds=warm_seconds, engine_params=engine_params,
                       baseline_seconds=baseline_seconds, baseline=timings,
                       lifetimes_params=params, ratio=ratio, incremental_seconds=incremental,
                       segments=segments)
    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": results, "args": vars(args)}, out,
                      indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
