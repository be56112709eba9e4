"""Benchmark the first pivot level of every crm_analytics report on a large database.

    python3 tools/dev.py bench reports                   # 100,000 customers, 1,000,000 orders
    python3 tools/dev.py bench reports --reuse           # keep the database and its data
    python3 tools/dev.py bench reports --reuse --update  # upgrade crm_analytics first
    python3 tools/dev.py bench reports --customers 5000 --orders 50000 --complaints 5000 \\
        --database h_rep_bench_small

Copies the template database (default crm_tmpl_base, built when missing) and
installs crm_extended, crm_analytics and the demo data generator, then, for
whatever is missing on a reused database (crm.demo.generator):

1. customers and confirmed orders with generate_bulk_purchases() (COPY; BG/NBD
   purchase histories, margins, credit notes), spread over ten salespeople;
2. complaints with generate_bulk_complaints() (one INSERT ... SELECT),
   completed with products, response and resolution hours, reopenings,
   satisfaction, ratings and compensation costs, and service contracts with
   visits with generate_bulk_contract_history();
3. three years of lifecycle stage changes in the classification history (four
   per customer on average), then the classification and the value scoring run
   once (they add the current grades, stages and scores).

Then it times, server side as a web client's RPC runs it and as a user of the
Analytics group (record rules apply), ``formatted_read_group``
of the first pivot level (the row group-by of the action's pivot view, with its
measures) of every report of crm_analytics, and the whole opening of the pivot
(total, rows, columns, cells), first run (cache invalidated) and best of --rounds,
and prints a table. Target: under 2 seconds each.
"""

import argparse
import json
import subprocess
import sys
import time

import odoo

from tools.common import (
    ROOT,
    TEMPLATE,
    database_exists,
    db_settings,
    machine,
    odoo_command,
    open_registry,
    say,
    vacuum,
)

# (action, model, pivot rows, pivot columns, measures): what each action opens with.
REPORTS = [
    ("Customer Classification", "crm.classification.report", "lifecycle_stage", "value_grade",
     ["revenue_12m:sum"]),
    ("Customer Value Scores", "crm.customer.score", "rfm_segment", "churn_risk",
     ["predicted_clv:sum"]),
    ("Value Score History", "crm.customer.score.snapshot", "rfm_segment", "month:month",
     ["predicted_clv:sum"]),
    ("Cohort Retention", "crm.cohort.report", "cohort_month:month", "months_since",
     ["customer_count:sum", "retention_rate:avg", "revenue:sum"]),
    ("Service Contract Analysis", "crm.contract.report", "state", None,
     ["__count", "fee_amount:sum"]),
    ("RFM Matrix", "crm.rfm.report", "r_score", "f_score",
     ["customer_count:sum", "monetary:sum", "predicted_clv:sum"]),
    ("RFM Segments by Value Grade", "crm.rfm.report", "rfm_segment", "value_grade",
     ["customer_count:sum", "monetary:sum", "predicted_clv:sum"]),
    ("Revenue and Margin Pareto", "crm.pareto.report", "in_top_80", None,
     ["customer_count:sum", "customer_share:sum", "revenue:sum", "revenue_share:sum",
      "margin:sum", "margin_share:sum"]),
    ("Customer Equity", "crm.customer.equity.report", "value_grade", None,
     ["customer_count:sum", "predicted_clv:sum", "equity_share:sum"]),
    ("Lifecycle Flow", "crm.lifecycle.flow.report", "month:month", "to_stage",
     ["customer_count:sum"]),
    ("Complaint Analysis", "crm.complaint.report", "category_id", "channel",
     ["__count", "first_response_hours:avg", "resolution_hours:avg", "sla_compliance:avg",
      "reopen_rate:avg", "satisfaction:avg", "compensation_cost:sum"]),
]

VACUUMED_TABLES = [
    "res_partner", "sale_order", "account_move", "crm_complaint", "crm_classification_history",
    "crm_customer_score", "crm_service_contract", "crm_service_visit",
]
STAGES = ["potential", "new", "regular", "loyal", "old", "at_risk", "lost"]


def enrich_complaints(env, seed):
    """What the complaint generator leaves empty: products, working hours to the
    first response and to the resolution, reopenings, satisfaction, ratings and
    compensation costs, all deterministic from the complaint id."""
    cr = env.cr
    cr.execute("SELECT array_agg(id) FROM (SELECT id FROM product_product "
               "WHERE active ORDER BY id LIMIT 50) p")
    products = cr.fetchone()[0]
    if not products:
        products = env["product.product"].create([
            {"name": f"Bench Product {i}", "type": "consu", "list_price": 10.0 * (i + 1)}
            for i in range(50)
        ]).ids
        env.flush_all()
    cr.execute(
        """
        UPDATE crm_complaint c
           SET product_id = (%(products)s::int[])[1 + (c.id * 7 + %(seed)s) %% %(nproducts)s],
               time_to_first_response_hours = CASE WHEN c.first_response_date IS NOT NULL
                   THEN ((c.id * 13) %% 160) / 10.0 END,
               time_to_resolution_hours = CASE WHEN c.resolved_date IS NOT NULL
                   THEN ((c.id * 17) %% 600) / 10.0 END,
               reopen_count = CASE WHEN c.id %% 20 = 0 THEN 1 WHEN c.id %% 97 = 0 THEN 2
                                   ELSE 0 END,
               followup_satisfaction = CASE WHEN c.is_closed AND c.id %% 3 > 0
                   THEN (1 + (c.id * 11) %% 5)::text END,
               rating_last_value = CASE WHEN c.is_closed AND c.id %% 4 = 0
                   THEN (ARRAY[1, 3, 5, 5])[1 + (c.id / 4) %% 4] ELSE 0 END,
               compensation_cost = CASE WHEN c.complaint_type = 'complaint' AND c.id %% 5 = 0
                   THEN ((c.id * 31) %% 50000) / 100.0 ELSE 0 END
         WHERE c.code LIKE 'BENCH/%%'
        """,
        {"products": products, "nproducts": len(products), "seed": seed},
    )
    cr.execute("ANALYZE crm_complaint")


def generate_history(env, customers_prefix="Bench Customer "):
    """Lifecycle stage changes over the last three years: for each generated
    customer a path potential -> new -> regular -> loyal/at risk -> ... of
    0 to 6 steps, one INSERT ... SELECT."""
    cr = env.cr
    cr.execute(
        """
        WITH customers AS (
            SELECT id, (id * 2654435761) %% 7 AS steps
              FROM res_partner WHERE name LIKE %(prefix)s AND id = commercial_partner_id
        ), steps AS (
            SELECT c.id, s.n,
                   (%(stages)s::text[])[1 + LEAST(s.n - 1, 6)] AS old_value,
                   (%(stages)s::text[])[1 + LEAST(s.n + (c.id %% 2), 6)] AS new_value,
                   now() AT TIME ZONE 'UTC'
                   - interval '1 day' * (1095 - s.n * 150 - (c.id %% 140)) AS date
              FROM customers c
              CROSS JOIN LATERAL generate_series(1, c.steps) s(n)
        )
        INSERT INTO crm_classification_history (
            partner_id, company_id, classification, old_value, new_value, date, user_id,
            rule, create_uid, create_date, write_uid, write_date)
        SELECT id, %(company)s, 'lifecycle_stage', old_value, new_value, date, 1, 'bench',
               1, date, 1, date
          FROM steps WHERE date < now() AT TIME ZONE 'UTC'
        """,
        {"prefix": customers_prefix + "%", "stages": STAGES, "company": env.company.id},
    )
    rows = cr.rowcount
    cr.execute("ANALYZE crm_classification_history")
    return rows


def prepare(env, args, info):
    cr = env.cr
    cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale' AND name LIKE 'BENCH%%'")
    if cr.fetchone()[0] < args.orders:
        say(f"generating {args.customers:,} customers and {args.orders:,} orders")
        summary = env["crm.demo.generator"].generate_bulk_purchases(
            args.customers, args.orders, args.seed)
        cr.commit()
        say(f"generated: {summary}")
    cr.execute("SELECT count(*) FROM crm_complaint WHERE code LIKE 'BENCH/%%'")
    if cr.fetchone()[0] < args.complaints:
        say(f"generating {args.complaints:,} complaints")
        seconds = env["crm.demo.generator"].generate_bulk_complaints(args.complaints)
        cr.commit()
        say(f"generated in {seconds:.1f}s")
    cr.execute("SELECT count(*) FROM crm_complaint WHERE product_id IS NOT NULL")
    if not cr.fetchone()[0]:
        enrich_complaints(env, args.seed)
        cr.commit()
    cr.execute("SELECT count(*) FROM crm_service_contract")
    if not cr.fetchone()[0] and args.contracts:
        seconds = env["crm.demo.generator"].generate_bulk_contract_history(args.contracts)
        cr.commit()
        say(f"generated {args.contracts:,} contracts in {seconds:.1f}s")
    # Salespeople of the generated customers: the agents of the complaint team.
    cr.execute(
        """
        UPDATE res_partner p SET user_id = u.ids[1 + p.id % array_length(u.ids, 1)]
          FROM (SELECT array_agg(id ORDER BY id) AS ids FROM res_users
                 WHERE login LIKE 'bench_cmp_agent_%%') u
         WHERE p.name LIKE 'Bench Customer %%' AND p.user_id IS NULL
           AND u.ids IS NOT NULL
        """
    )
    cr.commit()
    company = env.company
    if not company.crm_classified_at:
        cr.execute("SELECT count(*) FROM crm_classification_history WHERE rule = 'bench'")
        if not cr.fetchone()[0]:
            started = time.monotonic()
            rows = generate_history(env)
            say(f"generated {rows:,} lifecycle history rows in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        total = env["res.partner"]._crm_classify_companies(company)
        cr.commit()
        say(f"classification: {total} in {time.monotonic() - started:.1f}s")
    cr.execute("SELECT count(*) FROM crm_customer_score")
    if not cr.fetchone()[0]:
        started = time.monotonic()
        env["crm.customer.score"]._crm_score_company(company)
        env.flush_all()
        cr.commit()
        say(f"scoring in {time.monotonic() - started:.1f}s")
    cr.execute(
        "SELECT (SELECT count(*) FROM res_partner), "
        "(SELECT count(*) FROM sale_order WHERE state = 'sale'), "
        "(SELECT count(*) FROM crm_complaint), "
        "(SELECT count(*) FROM crm_classification_history), "
        "(SELECT count(*) FROM crm_customer_score), "
        "(SELECT count(*) FROM crm_service_contract)"
    )
    names = ["partners", "confirmed_orders", "complaints", "history_rows", "scores", "contracts"]
    info.update(zip(names, cr.fetchone(), strict=False))
    say("database: " + ", ".join(f"{k} {info[k]:,}" for k in names))


def analyst(env):
    """A user of the Analytics group, so that the record rules apply as for a
    real user (created once)."""
    user = env["res.users"].search([("login", "=", "bench_reports_analyst")])
    if not user:
        user = env["res.users"].create({
            "name": "Bench Analyst", "login": "bench_reports_analyst",
            "group_ids": [(6, 0, [env.ref("crm_analytics.group_crm_analytics_user").id])],
        })
    return user


def bench_reports(env, rounds):
    """Per action: the first pivot level alone (rows), and everything the pivot
    view reads when it opens: the total, the rows, the columns and the cells,
    one formatted_read_group each, as the web client calls them, as a user of
    the Analytics group (record rules included)."""
    user = analyst(env)
    env.cr.commit()
    rows = []
    for action, model, row, col, measures in REPORTS:
        if model not in env:
            say(f"{model}: not installed (run with --update)")
            continue
        Report = env[model].with_user(user).with_context(lang="en_US", tz="UTC")
        groupbys = [[], [row]] + ([[col], [row, col]] if col else [])
        first, opened = [], []
        for _ in range(rounds):
            env.invalidate_all()
            started = time.monotonic()
            groups = Report.formatted_read_group([], [row], measures)
            first.append(time.monotonic() - started)
            env.invalidate_all()
            started = time.monotonic()
            for groupby in groupbys:
                Report.formatted_read_group([], groupby, measures)
            opened.append(time.monotonic() - started)
        rows.append({"action": action, "model": model, "groupby": row, "col": col,
                     "groups": len(groups), "first": first[0], "first_best": min(first),
                     "open": opened[0], "open_best": min(opened)})
        say(f"{action} ({model}) by {row}: first level {first[0]:.3f}s (best "
            f"{min(first):.3f}s), pivot open {opened[0]:.3f}s (best {min(opened):.3f}s), "
            f"{len(groups)} groups")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="h_rep_bench")
    parser.add_argument("--template", default=TEMPLATE)
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--orders", type=int, default=1000000)
    parser.add_argument("--complaints", type=int, default=100000)
    parser.add_argument("--contracts", type=int, default=50000,
                        help="service contracts (as the crosssell benchmark) when there are none")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="timings per report")
    parser.add_argument("--reuse", action="store_true",
                        help="keep an existing database and its generated data")
    parser.add_argument("--update", action="store_true",
                        help="upgrade crm_analytics in the database first (new reports)")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    info = machine()
    if args.reuse and args.update and database_exists(db_settings(), args.database):
        say("upgrading crm_analytics")
        subprocess.run(odoo_command(args.database, "-u", "crm_analytics", "--stop-after-init",
                                    "--log-level=warn", "--no-http"), cwd=ROOT, check=True)
    registry = open_registry(args.database, args.template, args.reuse)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})
        cr.execute("SELECT version()")
        info["postgresql"] = cr.fetchone()[0].split(" on ")[0]
        info["odoo"] = odoo.release.version
        prepare(env, args, info)
        cr.commit()
        if args.generate_only:
            return 0
    vacuum(args.database, VACUUMED_TABLES)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})
        # The cohort retention is a materialized view refreshed by a nightly
        # job: time that job, then the reports read what it wrote.
        started = time.monotonic()
        env["crm.cohort.report"]._crm_refresh()
        cr.commit()
        info["cohort_refresh_seconds"] = round(time.monotonic() - started, 2)
        say(f"cohort retention refresh (nightly job): {info['cohort_refresh_seconds']:.2f}s")
        rows = bench_reports(env, args.rounds)
        cr.rollback()

    print(f"\n| Action (model) | Rows x columns | Groups | First level (s) | "
          f"First level, best of {args.rounds} (s) | Pivot open (s) | "
          f"Pivot open, best of {args.rounds} (s) | First level < 2 s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        ok = "yes" if row["first"] < 2 else "NO"
        print(f"| {row['action']} (`{row['model']}`) | {row['groupby']} x {row['col'] or '-'} "
              f"| {row['groups']} | {row['first']:.3f} | {row['first_best']:.3f} | "
              f"{row['open']:.3f} | {row['open_best']:.3f} | {ok} |")
    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": rows, "args": vars(args)}, out, indent=2,
                      default=str)
    return 0 if all(row["first"] < 2 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
