"""Benchmark the customer classification on a large database.

    python3 tools/dev.py bench classification          # 100,000 customers, 1,000,000 lines
    python3 tools/dev.py bench classification --reuse  # keep the database and its data
    python3 tools/dev.py bench classification --customers 20000 --lines 200000 \\
        --database crm_bench_small

Copies the template database (--template, default crm_tmpl_base, built when
missing) and installs crm_extended, crm_analytics and the demo data generator,
writes the customers and confirmed order lines with
crm.demo.generator.generate_bulk(), then times:

1. the full classification recompute on customers without any classification
   (every value written, history rows inserted);
2. the same full recompute again (nothing changed: only the comparison);
3. the incremental recompute of one customer (what an order confirmation runs);
4. the credit rating recompute;
5. reading the classification analysis report (count and one grouping).

Prints seconds, rows and rows per second with the machine it ran on. Runs Odoo
as a library from the repository root with odoo.conf (PGHOST, PGPORT, PGUSER and
PGPASSWORD override it).
"""

import json
import sys

import odoo
from odoo.tools import SQL

from tools.common import bench_parser, describe_database, machine, open_registry, say, timed

# Company-dependent columns the classification writes (reset before the first run).
CLASSIFICATION_COLUMNS = [
    "crm_value_grade", "crm_lifecycle_stage", "crm_tier_id", "crm_tier_valid_until",
    "crm_revenue_12m", "crm_order_count", "crm_order_count_12m", "crm_first_order_date",
    "crm_last_order_date", "crm_avg_order_interval", "crm_classified_at",
]


def main(argv=None):
    parser = bench_parser(__doc__, "crm_bench")
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--lines", type=int, default=1000000, help="confirmed order lines")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lines-per-order", type=int, default=10,
                        help="average lines per order (3 gives ~333,000 orders and "
                        "more customers with orders)")
    args = parser.parse_args(argv)

    info = machine()
    registry = open_registry(args.database, args.template, args.reuse)
    results = []

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        describe_database(cr, info)
        cr.execute("SHOW shared_buffers")
        info["shared_buffers"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM sale_order_line WHERE state = 'sale'")
        existing_lines = cr.fetchone()[0]
        if existing_lines < args.lines:
            say(f"generating {args.customers:,} customers and {args.lines:,} order lines")
            summary = env["crm.demo.generator"].generate_bulk(
                customers=args.customers, order_lines=args.lines, seed=args.seed,
                lines_per_order=args.lines_per_order)
            cr.commit()
            results.append({"step": "generate_bulk", "seconds": summary["seconds"],
                            "rows": summary["order_lines"], "rows_label": "lines",
                            "rows_per_second": round(summary["order_lines"] / summary["seconds"])})
            say(f"generated in {summary['seconds']}s: {summary}")
        else:
            say(f"reusing {existing_lines:,} confirmed order lines")
        cr.execute(
            "SELECT (SELECT count(*) FROM res_partner), (SELECT count(*) FROM sale_order "
            "WHERE state = 'sale'), (SELECT count(*) FROM sale_order_line WHERE state = 'sale')"
        )
        partners, orders, lines = cr.fetchone()
        info.update(partners=partners, confirmed_orders=orders, confirmed_lines=lines)
        say(f"database: {partners:,} partners, {orders:,} confirmed orders, {lines:,} lines")

        # A cold start: nobody classified yet, no history.
        cr.execute(
            "UPDATE res_partner SET " + ", ".join(f"{c} = NULL" for c in CLASSIFICATION_COLUMNS)
            + " WHERE " + " OR ".join(f"{c} IS NOT NULL" for c in CLASSIFICATION_COLUMNS)
        )
        cr.execute("DELETE FROM crm_classification_history")
        cr.execute("UPDATE res_company SET crm_classified_at = NULL")
        cr.commit()
        env.invalidate_all()
        Partner = env["res.partner"]

        def full():
            result = Partner.crm_recompute_classification()
            env.flush_all()
            cr.commit()
            params = result["params"]
            say(f"  {params['customers']:,} customers, {params['changed']:,} updated, "
                f"{params['history']:,} history rows")
            return params["customers"]

        timed(results, "full recompute, first run (writes everything)", "customers", full)
        timed(results, "full recompute, second run (nothing changed)", "customers", full)

        cr.execute(
            "SELECT rp.commercial_partner_id FROM sale_order so "
            "JOIN res_partner rp ON rp.id = so.partner_id WHERE so.state = 'sale' "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        top = Partner.browse(cr.fetchone()[0])

        def one():
            top.with_company(env.company)._crm_recompute_classification_partners()
            env.flush_all()
            cr.commit()
            return 1

        timed(results, f"incremental recompute of the biggest customer ({top.id})",
              "customers", one)

        if hasattr(Partner, "crm_recompute_credit_rating"):
            def credit():
                Partner.crm_recompute_credit_rating()
                env.flush_all()
                cr.commit()
                cr.execute("SELECT count(*) FROM res_partner WHERE crm_credit_rating IS NOT NULL")
                return cr.fetchone()[0]

            timed(results, "credit rating recompute", "rated customers", credit)

        Report = env["crm.classification.report"]

        def report():
            count = Report.search_count([])
            Report._read_group([], ["value_grade", "lifecycle_stage"],
                               ["__count", "revenue_12m:sum"])
            return count

        timed(results, "classification report: count + grade x stage pivot", "rows", report)

        # Importable once the registry has set the addons path.
        from odoo.addons.crm_extended.tools import company_values

        cr.execute(SQL(
            "SELECT %s, count(*) FROM res_partner p WHERE %s GROUP BY 1 ORDER BY 2 DESC",
            company_values.company_value("p", "crm_lifecycle_stage", env.company.id),
            company_values.company_value_exists("p", "crm_lifecycle_stage", env.company.id),
        ))
        stages = dict(cr.fetchall())
        say(f"lifecycle stages: {stages}")
        info["stages"] = stages

    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items() if k != "stages"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": results, "args": vars(args)}, out, indent=2,
                      default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
