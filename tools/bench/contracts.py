"""Benchmark the daily service contract scheduled action on 50,000 contracts.

    python3 tools/dev.py bench contracts           # fresh database
    python3 tools/dev.py bench contracts --reuse   # again on the same data

Copies the template database (--template, default crm_tmpl_base, built when
missing) and installs crm_extended, crm_analytics and the demo data generator,
writes --customers customers with the ORM and --contracts active contracts and
their maintenance visits with set-based SQL
(crm.demo.generator.generate_bulk_contracts()), then times
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

from dateutil.relativedelta import relativedelta

import odoo

from tools.common import TEMPLATE, open_registry, say


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
    return dict(zip(keys, cr.fetchone(), strict=False))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="crm_bench_contracts")
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--contracts", type=int, default=50000)
    parser.add_argument("--template", default=TEMPLATE,
                        help="the database with the dependencies installed that is copied")
    parser.add_argument("--reuse", action="store_true",
                        help="keep an existing database and its generated data")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    registry = open_registry(args.database, args.template, args.reuse)
    results = {"cpus": os.cpu_count()}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT count(*) FROM crm_service_contract WHERE name LIKE 'BENCH/%%'")
        if cr.fetchone()[0] < args.contracts:
            say(f"generating {args.customers:,} customers and {args.contracts:,} contracts")
            seconds = env["crm.demo.generator"].generate_bulk_contracts(
                args.customers, args.contracts)
            cr.commit()
            results["generate_seconds"] = round(seconds, 1)
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
