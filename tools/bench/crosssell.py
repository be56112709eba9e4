"""Benchmark the cross-selling rule mining and the analytics SQL reports.

    python3 tools/dev.py bench crosssell           # 100,000 customers, 1,000,000 lines
    python3 tools/dev.py bench crosssell --reuse   # keep the database and its data
    python3 tools/dev.py bench crosssell --customers 20000 --lines 200000 \\
        --database crm_bench_xs_small

Copies the template database (--template, default crm_tmpl_base, built when
missing) and installs crm_extended, crm_analytics and the demo data generator,
writes the customers and confirmed order lines with crm.demo.generator.generate_bulk()
(the same data as the classification benchmark) and service contracts in every
state with generate_bulk_contract_history(), then times:

1. mining the cross-selling rules of the company (bought together and bought next,
   old rules replaced), twice;
2. recommendations for 1,000 customers (one query);
3. the first pivot level of each analytics report (formatted_read_group on the view,
   grouped by its pivot row field).

Prints seconds and rows with the machine it ran on.
"""

import json
import sys

import odoo

from tools.common import bench_parser, describe_database, machine, open_registry, say, timed

# model -> (first pivot level group by, measures): what the report opens with
REPORTS = {
    "crm.classification.report": (["lifecycle_stage"], ["__count", "revenue_12m:sum"]),
    "crm.cohort.report": (["cohort_month:month"], ["customer_count:sum", "revenue:sum"]),
    "crm.contract.report": (["state"], ["__count", "fee_amount:sum"]),
}


def main(argv=None):
    parser = bench_parser(__doc__, "crm_bench_xsell")
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--lines", type=int, default=1000000, help="confirmed order lines")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lines-per-order", type=int, default=10)
    parser.add_argument("--contracts", type=int, default=50000,
                        help="service contracts to generate when there are none")
    args = parser.parse_args(argv)

    info = machine()
    registry = open_registry(args.database, args.template, args.reuse)
    results = []

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        describe_database(cr, info)
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
            seconds = env["crm.demo.generator"].generate_bulk_contract_history(args.contracts)
            cr.commit()
            say(f"generated {args.contracts:,} contracts in {seconds:.1f}s")
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
