"""Benchmark customer segments: live counts, the export API, the activity action
and the birthday / contract anniversary job.

    python3 tools/dev.py bench segments           # 20,000 customers, 200,000 lines
    python3 tools/dev.py bench segments --reuse   # keep the database and its data

Copies the template database (--template, default crm_tmpl_base, built when
missing) and installs crm_extended, crm_analytics and the demo data generator,
writes customers and confirmed order lines with crm.demo.generator.generate_bulk(),
classifies and scores them, gives a third of the customers an account manager, a
fifth of them a birthday in the coming year and writes service contracts
(generate_bulk_contract_history(), as the crosssell benchmark), then times, in one transaction rolled
back at the end (a --reuse run measures the same work again):

1. the daily event job (birthdays and contract anniversaries, 30 days ahead),
   then its re-run (nothing new);
2. the live count of six segments (every criterion kind), read together;
3. exporting the biggest segment through crm_api_segment_export, 2,000 per page;
4. the *Schedule Activities* action on the at-risk segment, then its re-run
   (everything skipped).

With --port, it then saves the segment of every customer, starts `python3 -m odoo`
on that port and times `crm-client segments export` of it into a CSV file (3 runs
per transport, the command as a user runs it: a new process each time).

Prints seconds and rows with the machine it ran on.
"""

import json
import os
import statistics
import subprocess
import sys
import time

import odoo
from odoo.fields import Command

from tools.common import (
    ROOT,
    bench_parser,
    describe_database,
    machine,
    make_api_key,
    open_registry,
    say,
    start_server,
    stop_server,
    timed,
)

EVERYONE = "Bench: every customer"


def time_cli(args, results):
    """`crm-client segments export` of every customer, over both transports."""
    api_key = make_api_key(args.database)
    process, url = start_server(args.database, args.port, f"bench_segments_{args.database}")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts"), CRM_URL=url,
               CRM_DB=args.database, CRM_LOGIN="admin", CRM_PASSWORD="admin",
               CRM_API_KEY=api_key, HOME=os.path.join(ROOT, "var"))
    output = os.path.join(ROOT, "var", "bench_segments_export.csv")
    try:
        for transport in ("json2", "xmlrpc"):
            runs = []
            for _ in range(3):
                started = time.monotonic()
                done = subprocess.run(
                    [sys.executable, "-m", "crm_client", "--transport", transport, "segments",
                     "export", EVERYONE, "--output", output, "--format", "json", "--quiet"],
                    env=env, capture_output=True, text=True, cwd=ROOT)
                runs.append(time.monotonic() - started)
                if done.returncode:
                    raise SystemExit(f"[bench] crm-client failed: {done.stderr}")
            rows = json.loads(done.stdout)["customers"]
            median = statistics.median(runs)
            results.append({"step": f"crm-client segments export over {transport}",
                            "seconds": round(median, 3), "best": round(min(runs), 3),
                            "rows": rows, "rows_label": "customers"})
            say(f"crm-client segments export over {transport}: {rows:,} customers, best "
                f"{min(runs):.2f}s, median {median:.2f}s ({rows / median:,.0f} customers/s)")
    finally:
        stop_server(process)


def prepare(env, args):
    """Generate the data once (a --reuse run finds it)."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM sale_order_line WHERE state = 'sale'")
    if cr.fetchone()[0] < args.lines:
        say(f"generating {args.customers:,} customers and {args.lines:,} order lines")
        summary = env["crm.demo.generator"].generate_bulk(
            customers=args.customers, order_lines=args.lines, seed=args.seed)
        cr.commit()
        say(f"generated in {summary['seconds']}s")
        started = time.monotonic()
        env["res.partner"].crm_recompute_classification()
        env["crm.customer.score"]._crm_score_company(env.company)
        cr.commit()
        say(f"classified and scored in {time.monotonic() - started:.0f}s")
    cr.execute("SELECT count(*) FROM crm_service_contract")
    if not cr.fetchone()[0]:
        env["crm.demo.generator"].generate_bulk_contract_history(args.contracts)
        cr.commit()
    # Account managers for a third of the customers, birthdays for a fifth of
    # the partners (spread over the year), idempotent.
    user_ids = env["res.users"].search([("share", "=", False)], limit=5).ids
    cr.execute(
        """UPDATE res_partner SET crm_account_manager_id = (%s::int[])[1 + id %% %s]
            WHERE id = commercial_partner_id AND customer_rank > 0 AND id %% 3 = 0
              AND crm_account_manager_id IS NULL""",
        (user_ids, len(user_ids)))
    cr.execute(
        "UPDATE res_partner SET crm_birthday = DATE '1970-01-01' + (id * 7919 %% 18000) "
        "WHERE id %% 5 = 0 AND crm_birthday IS NULL", ())
    cr.commit()
    env.invalidate_all()


def main(argv=None):
    parser = bench_parser(__doc__, "crm_bench_segments")
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--lines", type=int, default=200000, help="confirmed order lines")
    parser.add_argument("--contracts", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int,
                        help="also time `crm-client segments export` on a server on this port")
    args = parser.parse_args(argv)

    info = machine()
    registry = open_registry(args.database, args.template, args.reuse)
    results = []

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        describe_database(cr, info)
        prepare(env, args)
        cr.execute(
            "SELECT (SELECT count(*) FROM res_partner WHERE id = commercial_partner_id "
            "AND customer_rank > 0), (SELECT count(*) FROM sale_order_line WHERE state = 'sale'), "
            "(SELECT count(*) FROM crm_customer_score), (SELECT count(*) FROM res_partner "
            "WHERE crm_birthday IS NOT NULL), (SELECT count(*) FROM crm_service_contract)")
        customers, lines, scores, birthdays, contracts = cr.fetchone()
        info.update(customers=customers, confirmed_lines=lines, scores=scores,
                    birthdays=birthdays, contracts=contracts)
        say(f"database: {customers:,} customers, {lines:,} lines, {scores:,} scores, "
            f"{birthdays:,} birthdays, {contracts:,} contracts")

        env.company.crm_event_days_ahead = 30
        Event = env["crm.customer.event"]

        def events():
            return len(Event._crm_create_events(env.company))

        timed(results, "event job, 30 days ahead", "activities", events)
        timed(results, "event job again (nothing new)", "activities", events)

        Option = env["crm.customer.segment.option"]

        def options(kind, *codes):
            return [Command.set(Option.search([("kind", "=", kind), ("code", "in", codes)]).ids)]

        cr.execute(
            "SELECT product_id FROM sale_order_line WHERE state = 'sale' "
            "GROUP BY product_id ORDER BY count(*) DESC LIMIT 2")
        top, second = (row[0] for row in cr.fetchall())
        Segment = env["crm.customer.segment"]
        segments = Segment.create([
            {"name": EVERYONE},
            {"name": "Bench: grade A", "value_grade_ids": options("value_grade", "a")},
            {"name": "Bench: at risk", "churn_risk_ids": options("churn_risk", "high"),
             "rfm_segment_ids": options("rfm_segment", "at_risk", "cannot_lose",
                                        "hibernating", "about_to_sleep")},
            {"name": "Bench: A and B at risk", "value_grade_ids": options("value_grade", "a", "b"),
             "lifecycle_stage_ids": options("lifecycle_stage", "at_risk", "old")},
            {"name": "Bench: bought top, not second", "bought_product_ids": [Command.set([top])],
             "not_bought_product_ids": [Command.set([second])]},
            {"name": "Bench: score 60+, with e-mail", "min_value_score": 60,
             "partner_domain": "[('email', '!=', False)]"},
        ])

        def count():
            env.invalidate_all()
            counts = segments.mapped("customer_count")
            say("  " + ", ".join(f"{s.name[7:]}: {n:,}" for s, n in zip(segments, counts, strict=False)))
            return sum(counts)

        timed(results, "live count of 6 segments", "customers counted", count)
        timed(results, "live count of 6 segments, again", "customers counted", count)

        biggest = segments[0]

        def export():
            offset, total, rows = 0, None, 0
            while total is None or offset < total:
                page = Segment.crm_api_segment_export(biggest.id, offset=offset, limit=2000)
                total, offset = page["total"], offset + len(page["rows"])
                rows += len(page["rows"])
                if not page["rows"]:
                    break
            return rows

        timed(results, "export every customer, 2,000 per page", "customers", export)

        at_risk = segments[2]
        wizard = env["crm.customer.segment.activity"].create({
            "segment_id": at_risk.id,
            "activity_type_id": env.ref("mail.mail_activity_data_call").id,
            "summary": "Call", "fallback_user_id": env.ref("base.user_admin").id,
        })

        def schedule():
            result = wizard._crm_schedule()
            say(f"  created {result['created']:,}, skipped {result['skipped']:,}")
            return result["created"] + result["skipped"]

        timed(results, "schedule activities on the at-risk segment", "customers", schedule)
        timed(results, "schedule activities again (all skipped)", "customers", schedule)

        cr.rollback()
        if args.port:
            if not Segment.search([("name", "=", EVERYONE)]):
                Segment.create({"name": EVERYONE})
                cr.commit()

    if args.port:
        time_cli(args, results)
    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": results, "args": vars(args)}, out, indent=2,
                      default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
