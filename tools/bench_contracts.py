#!/usr/bin/env python3
"""Benchmark the daily service contract scheduled action on 50,000 contracts.

    python3 tools/bench_contracts.py --template crm_tmpl_base   # fresh database
    python3 tools/bench_contracts.py                            # again on the same data

Creates the database (from scratch, or a copy of --template that has sale_crm,
sale_stock, account and portal) with crm_extended and crm_analytics, writes
--customers customers with the ORM and --contracts active contracts and their
maintenance visits with set-based SQL, then times
``crm.service.contract._cron_crm_service_contracts()`` twice: on the benchmark day
(states, reminders, activities and visits to generate) and on the next day (the
steady state: only the contracts that changed since). Prints seconds and counts.

Contract end dates are spread evenly from 30 days ago to two years ahead, so the
first run expires about 4% and flags about 4% as expiring (30-day window, one
activity and one reminder email each); half of the contracts have a visit every
3 months, 90% of those already have their next visit planned and the others get
it generated.
"""

import argparse
import json
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, "odoo.conf")
MODULES = "crm_extended,crm_analytics"

from bench_common import create_database, database_exists, say  # noqa: E402


def generate(env, customers, contracts):
    """Customers with the ORM (batched), contracts and visits with SQL."""
    from odoo.tools import SQL  # noqa: PLC0415

    cr = env.cr
    started = time.monotonic()
    Partner = env["res.partner"].with_context(tracking_disable=True)
    partner_ids = []
    for offset in range(0, customers, 5000):
        partner_ids += Partner.create([
            {"name": f"Bench Contract Customer {i}", "is_company": True,
             "email": f"bench{i}@example.com"}
            for i in range(offset, min(offset + 5000, customers))
        ]).ids
    company = env.company
    calendar = company.resource_calendar_id
    cr.execute(SQL(
        """
        INSERT INTO crm_service_contract (
            name, partner_id, user_id, company_id, state, date_start, date_end,
            visit_interval_months, included_visits, included_cases, included_hours,
            first_response_hours, resolution_hours, resource_calendar_id, fee_amount,
            create_uid, create_date, write_uid, write_date)
        SELECT 'BENCH/' || lpad(n::text, 6, '0'),
               (%(partners)s::int[])[1 + (n %% array_length(%(partners)s::int[], 1))],
               %(uid)s, %(company)s, 'active',
               LEAST(end_date - 729, CURRENT_DATE - 100), end_date,
               CASE WHEN n %% 2 = 0 THEN 3 ELSE 0 END, 4, 10, 0,
               4, 24, %(calendar)s, 1200,
               %(uid)s, now(), %(uid)s, now()
          FROM (SELECT n, (CURRENT_DATE - 30 + (n %% 760))::date AS end_date
                  FROM generate_series(1, %(contracts)s) n) g
        """,
        partners=partner_ids, uid=env.uid, company=company.id, calendar=calendar.id,
        contracts=contracts,
    ))
    # Every contract with visits had one done visit 1 to 3 months ago; 90% of them
    # already have their next visit planned.
    cr.execute(SQL(
        """
        INSERT INTO crm_service_visit (name, contract_id, partner_id, company_id, date,
                                       duration, state, cost, billable,
                                       create_uid, create_date, write_uid, write_date)
        SELECT 'BV/' || c.id || '/' || v.kind, c.id, c.partner_id, c.company_id,
               CASE v.kind WHEN 'done' THEN now() - interval '1 month' * (1 + c.id %% 3)
                           ELSE now() + interval '1 month' * (2 - c.id %% 3) END,
               1.5, v.kind, 80, false, %(uid)s, now(), %(uid)s, now()
          FROM crm_service_contract c
          CROSS JOIN (VALUES ('done'), ('planned')) v(kind)
         WHERE c.visit_interval_months > 0 AND c.name LIKE 'BENCH/%%'
           AND (v.kind = 'done' OR c.id %% 10 != 0)
        """,
        uid=env.uid,
    ))
    cr.commit()
    return time.monotonic() - started


def reset(cr, scenario):
    """Put the generated data in its state before the first timed run.

    daily: as the previous day's run left it (contracts that ended before
    yesterday expired, those ending within the 30-day window flagged and
    reminded, a planned visit for every contract except those whose visit was
    done yesterday, about 1 in 90): day 1 is an ordinary day.
    go-live: every contract active, no reminder sent, 10% of the contracts with
    visits lack their planned visit: the backlog of the first run ever."""
    cr.execute("DELETE FROM mail_activity WHERE res_model = 'crm.service.contract'")
    cr.execute("DELETE FROM mail_mail WHERE mail_message_id IN (SELECT id FROM "
               "mail_message WHERE model = 'crm.service.contract')")
    cr.execute("DELETE FROM crm_service_visit WHERE name NOT LIKE 'BV/%%'")
    cr.execute("DELETE FROM ir_cron_trigger")
    if scenario == "go-live":
        cr.execute("UPDATE crm_service_contract SET state = 'active', "
                   "date_reminder_sent = NULL WHERE name LIKE 'BENCH/%%'")
    else:
        cr.execute("""
            UPDATE crm_service_contract
               SET state = CASE WHEN date_end < CURRENT_DATE - 1 THEN 'expired'
                                WHEN date_end <= CURRENT_DATE + 29 THEN 'expiring'
                                ELSE 'active' END,
                   date_reminder_sent = CASE WHEN date_end BETWEEN CURRENT_DATE - 1
                                             AND CURRENT_DATE + 29 THEN CURRENT_DATE - 1 END
             WHERE name LIKE 'BENCH/%%'
        """)
        cr.execute("""
            INSERT INTO crm_service_visit (name, contract_id, partner_id, company_id, date,
                                           duration, state, cost, billable)
            SELECT 'BVS/' || c.id, c.id, c.partner_id, c.company_id,
                   now() + interval '2 months', 1.5, 'planned', 0, false
              FROM crm_service_contract c
             WHERE c.visit_interval_months > 0 AND c.name LIKE 'BENCH/%%'
               AND mod(c.id, 10) = 0 AND mod(c.id, 90) != 0
        """)
    cr.commit()


def counts(cr):
    cr.execute("""
        SELECT (SELECT count(*) FROM crm_service_contract),
               (SELECT count(*) FROM crm_service_contract WHERE state = 'expiring'),
               (SELECT count(*) FROM crm_service_contract WHERE state = 'expired'),
               (SELECT count(*) FROM crm_service_visit WHERE state = 'planned'),
               (SELECT count(*) FROM mail_activity WHERE res_model = 'crm.service.contract'),
               (SELECT count(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
                 WHERE m.model = 'crm.service.contract')
    """)
    keys = ("contracts", "expiring", "expired", "planned_visits", "activities", "emails")
    return dict(zip(keys, cr.fetchone()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="crm_bench_contracts")
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--contracts", type=int, default=50000)
    parser.add_argument("--template", help="(re)create the database as a copy of this one "
                        "(e.g. crm_tmpl_base) instead of reusing it")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    os.chdir(ROOT)

    import odoo  # noqa: PLC0415
    import odoo.tools  # noqa: PLC0415
    from dateutil.relativedelta import relativedelta  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", CONF, "-d", args.database, "--log-level=warn"])
    from odoo.modules.registry import Registry  # noqa: PLC0415

    if not database_exists(args.database) or args.template:
        create_database(args.database, args.template)
    registry = Registry(args.database)
    results = {"cpus": os.cpu_count()}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT count(*) FROM crm_service_contract WHERE name LIKE 'BENCH/%%'")
        if cr.fetchone()[0] < args.contracts:
            say(f"generating {args.customers:,} customers and {args.contracts:,} contracts")
            results["generate_seconds"] = round(generate(env, args.customers, args.contracts), 1)
            say(f"generated in {results['generate_seconds']}s")
        Contract = env["crm.service.contract"]
        today = odoo.fields.Date.today()
        for scenario in ("daily", "go-live"):
            reset(cr, scenario)
            env.invalidate_all()
            say(f"{scenario}, before: {counts(cr)}")
            runs = [("day 1", today), ("day 2", today + relativedelta(days=1))]
            for label, day in runs:
                env.invalidate_all()
                started = time.monotonic()
                Contract._cron_crm_service_contracts(today=day)
                env.flush_all()
                cr.commit()
                seconds = time.monotonic() - started
                after = counts(cr)
                results[f"{scenario}, {label}"] = {"seconds": round(seconds, 2), **after}
                say(f"daily cron, {scenario}, {label}: {seconds:.2f}s -> {after}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
