#!/usr/bin/env python3
"""Benchmark the cross-selling rule mining and the analytics SQL reports.

    python3 tools/bench_crosssell.py --template crm_tmpl_base             # 100,000 customers, 1,000,000 lines
    python3 tools/bench_crosssell.py --reuse                              # keep the database and its data
    python3 tools/bench_crosssell.py --customers 20000 --lines 200000 --database crm_bench_xs_small

Creates the database (from --template if given) with crm_extended and crm_analytics,
writes the customers and confirmed order lines with crm.demo.generator.generate_bulk()
(the same data as tools/bench_classification.py), then times:

1. mining the cross-selling rules of the company (bought together and bought next,
   old rules replaced), twice;
2. recommendations for 1,000 customers (one query);
3. the first pivot level of each analytics report (formatted_read_group on the view,
   grouped by its pivot row field).

Prints seconds and rows with the machine it ran on.
"""

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from bench_classification import machine, say, timed  # noqa: E402
from bench_common import open_database  # noqa: E402

# model -> (first pivot level group by, measures): what the report opens with
REPORTS = {
    "crm.classification.report": (["lifecycle_stage"], ["__count", "revenue_12m:sum"]),
    "crm.cohort.report": (["cohort_month:month"], ["customer_count:sum", "revenue:sum"]),
    "crm.contract.report": (["state"], ["__count", "fee_amount:sum"]),
}


def generate_contracts(env, contracts):
    """``contracts`` service contracts on the generated customers, in all states,
    half with a done and a planned visit, one in ten renewed (SQL, like
    tools/bench_contracts.py)."""
    from odoo.tools import SQL  # noqa: PLC0415

    cr = env.cr
    cr.execute("SELECT array_agg(id) FROM res_partner WHERE is_company AND customer_rank > 0")
    partners = cr.fetchone()[0] or []
    if not partners:
        cr.execute("SELECT array_agg(id) FROM res_partner WHERE id = commercial_partner_id")
        partners = cr.fetchone()[0]
    company = env.company
    cr.execute(SQL(
        """
        INSERT INTO crm_service_contract (
            name, partner_id, user_id, company_id, state, date_start, date_end,
            visit_interval_months, included_visits, included_cases, included_hours,
            first_response_hours, resolution_hours, resource_calendar_id, fee_amount,
            create_uid, create_date, write_uid, write_date)
        SELECT 'XSBENCH/' || lpad(n::text, 6, '0'),
               (%(partners)s::int[])[1 + (n %% array_length(%(partners)s::int[], 1))],
               %(uid)s, %(company)s,
               CASE WHEN end_date < CURRENT_DATE THEN 'expired'
                    WHEN end_date < CURRENT_DATE + 30 THEN 'expiring'
                    WHEN n %% 50 = 0 THEN 'draft' ELSE 'active' END,
               end_date - 364, end_date,
               CASE WHEN n %% 2 = 0 THEN 3 ELSE 0 END, 4, 10, 8,
               4, 24, %(calendar)s, 1200,
               %(uid)s, now(), %(uid)s, now()
          FROM (SELECT n, (CURRENT_DATE - 200 + (n %% 560))::date AS end_date
                  FROM generate_series(1, %(contracts)s) n) g
        """,
        partners=partners, uid=env.uid, company=company.id,
        calendar=company.resource_calendar_id.id, contracts=contracts,
    ))
    cr.execute(SQL(
        "UPDATE crm_service_contract r SET previous_contract_id = p.id "
        "FROM crm_service_contract p WHERE r.name LIKE %(names)s AND p.name LIKE %(names)s "
        "AND mod(r.id, 10) = 0 AND p.id = r.id - 1 AND p.state = 'expired'",
        names="XSBENCH/%"))
    cr.execute(SQL(
        """
        INSERT INTO crm_service_visit (name, contract_id, partner_id, company_id, date,
                                       duration, state, cost, billable,
                                       create_uid, create_date, write_uid, write_date)
        SELECT 'XSV/' || c.id || '/' || v.kind, c.id, c.partner_id, c.company_id,
               CASE v.kind WHEN 'done' THEN now() - interval '1 month' * (1 + c.id %% 3)
                           ELSE now() + interval '1 month' * (1 - c.id %% 3) END,
               1.5, v.kind, 80, false, %(uid)s, now(), %(uid)s, now()
          FROM crm_service_contract c
          CROSS JOIN (VALUES ('done'), ('planned')) v(kind)
         WHERE c.visit_interval_months > 0 AND c.name LIKE 'XSBENCH/%%'
        """,
        uid=env.uid,
    ))
    cr.commit()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="crm_bench_xsell")
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--lines", type=int, default=1000000, help="confirmed order lines")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lines-per-order", type=int, default=10)
    parser.add_argument("--contracts", type=int, default=50000,
                        help="service contracts to generate when there are none")
    parser.add_argument("--reuse", action="store_true",
                        help="keep an existing database and its generated data")
    parser.add_argument("--template", help="copy this database instead of installing "
                        "the dependencies from scratch (e.g. crm_tmpl_base)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    os.chdir(ROOT)

    import odoo  # noqa: PLC0415
    import odoo.tools  # noqa: PLC0415

    info = machine()
    registry = open_database(args.database, args.template, args.reuse)
    results = []

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT version()")
        info["postgresql"] = cr.fetchone()[0].split(" on ")[0]
        cr.execute("SELECT count(*) FROM sale_order_line WHERE state = 'sale'")
        existing_lines = cr.fetchone()[0]
        if existing_lines < args.lines:
            say(f"generating {args.customers:,} customers and {args.lines:,} order lines")
            summary = env["crm.demo.generator"].generate_bulk(
                customers=args.customers, order_lines=args.lines, seed=args.seed,
                lines_per_order=args.lines_per_order)
            cr.commit()
            say(f"generated in {summary['seconds']}s: {summary}")
        else:
            say(f"reusing {existing_lines:,} confirmed order lines")
        cr.execute("SELECT count(*) FROM crm_service_contract")
        if not cr.fetchone()[0] and args.contracts:
            started = time.monotonic()
            generate_contracts(env, args.contracts)
            say(f"generated {args.contracts:,} contracts in {time.monotonic() - started:.1f}s")
        cr.execute(
            "SELECT (SELECT count(*) FROM res_partner), (SELECT count(*) FROM sale_order "
            "WHERE state = 'sale'), (SELECT count(*) FROM sale_order_line WHERE state = 'sale'), "
            "(SELECT count(DISTINCT product_id) FROM sale_order_line WHERE state = 'sale'), "
            "(SELECT count(*) FROM crm_service_contract), (SELECT count(*) FROM crm_service_visit)"
        )
        partners, orders, lines, products, contracts, visits = cr.fetchone()
        info.update(partners=partners, confirmed_orders=orders, confirmed_lines=lines,
                    products_sold=products, contracts=contracts, visits=visits)
        say(f"database: {partners:,} partners, {orders:,} confirmed orders, {lines:,} lines, "
            f"{products} products sold, {contracts:,} contracts, {visits:,} visits")
        company = env.company
        say(f"thresholds: support {company.crm_xsell_min_support}%, confidence "
            f"{company.crm_xsell_min_confidence}%, lift {company.crm_xsell_min_lift}, "
            f"window {company.crm_xsell_sequence_days} days")
        Rule = env["crm.cross.sell.rule"]

        def mine():
            counts = Rule._mine_rules(company)
            cr.commit()
            say(f"  {counts['together']:,} bought together, {counts['sequence']:,} bought next")
            return counts["together"] + counts["sequence"]

        timed(results, "rule mining, first run", "rules", mine)
        timed(results, "rule mining, second run (replaces the rules)", "rules", mine)

        cr.execute(
            "SELECT DISTINCT p.commercial_partner_id FROM sale_order o "
            "JOIN res_partner p ON p.id = o.partner_id WHERE o.state = 'sale' LIMIT 1000")
        customers = env["res.partner"].browse([row[0] for row in cr.fetchall()])

        def recommend():
            return sum(len(ids) for ids in customers._crm_xsell_recommendations().values())

        timed(results, f"recommendations for {len(customers)} customers", "recommendations",
              recommend)

        for model, (groupby, aggregates) in REPORTS.items():
            if model not in env:
                continue
            Report = env[model]

            def first_level(Report=Report, groupby=groupby, aggregates=aggregates):
                env.invalidate_all()
                groups = Report.formatted_read_group([], groupby, aggregates)
                return len(groups)

            timed(results, f"{model}: first pivot level by {groupby[0]}", "groups",
                  first_level)

    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": results, "args": vars(args)}, out, indent=2,
                      default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
