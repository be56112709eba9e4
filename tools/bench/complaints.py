"""Benchmark the complaint SLA escalation and the complaint views on a large database.

    python3 tools/dev.py bench complaints                  # 100,000 complaints
    python3 tools/dev.py bench complaints --reuse          # keep database and data
    python3 tools/dev.py bench complaints --complaints 20000 --database crm_bench_cmp_small

Copies the template database (--template, default crm_tmpl_base, built when
missing) and installs crm_extended, crm_analytics and the demo data generator,
writes the complaints with crm.demo.generator.generate_bulk_complaints() (one
INSERT ... SELECT: a year of
intake: 80% closed; of the open ones most already escalated, about 1% newly
past a deadline since the last hourly run, some waiting on the customer), then
times:

1. the escalation scheduled action in its hourly steady state;
2. the same action again (nothing new: no notification may be sent twice);
3. the first page of the list view with the default filter (web_search_read);
4. the kanban view with the default filter (web_read_group by stage with the
   first 40 cards of each column, plus the SLA progress bars);
5. the escalation action catching up after an outage (every breach new;
   --no-catch-up skips it).

Server time is the time of these ORM calls, the ones the web client's RPCs
run. Runs Odoo as a library from the repository root with odoo.conf.
"""

import json
import sys

import odoo

from tools.common import bench_parser, describe_database, machine, open_registry, say, timed

LIST_SPEC = {
    "code": {}, "name": {}, "complaint_type": {}, "priority": {},
    "stage_id": {"fields": {"display_name": {}}},
    "partner_id": {"fields": {"display_name": {}}}, "category_id": {"fields": {"display_name": {}}},
    "team_id": {"fields": {"display_name": {}}}, "user_id": {"fields": {"display_name": {}}},
    "resolution_deadline": {}, "sla_status": {}, "escalation_level": {},
    "company_id": {"fields": {"display_name": {}}},
}
KANBAN_SPEC = {
    "name": {}, "code": {}, "color": {}, "priority": {}, "sla_status": {},
    "partner_id": {"fields": {"display_name": {}}}, "category_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "activity_ids": {}, "activity_state": {}, "activity_exception_decoration": {},
}
DEFAULT_DOMAIN = [("is_closed", "=", False)]  # the action's search_default_open


def prepare_scenario(env):
    """The state before an hourly run, also on a reused database: open
    complaints breached long ago are escalated to the manager; the others are
    recent and on time, except about 1% of the open ones that passed their
    first-response deadline in the last hour."""
    cr = env.cr
    cr.execute(
        """
        UPDATE crm_complaint
           SET escalation_level = CASE WHEN substring(code from 7)::int % 100 BETWEEN 83 AND 94
                                       THEN '2' ELSE '0' END,
               sla_status = CASE WHEN substring(code from 7)::int % 100 BETWEEN 83 AND 94
                                 THEN 'breached' ELSE 'on_time' END
         WHERE is_closed = false AND code LIKE 'BENCH/%'
        """
    )
    cr.execute("DELETE FROM mail_activity WHERE res_model = 'crm.complaint'")
    cr.execute(
        """
        WITH fresh AS (
            SELECT id, row_number() OVER (ORDER BY id) AS r
              FROM crm_complaint
             WHERE is_closed = false AND escalation_level = '0' AND sla_paused_since IS NULL
        ), total AS (SELECT count(*) AS c FROM crm_complaint WHERE is_closed = false)
        UPDATE crm_complaint c
           SET sla_start = now() AT TIME ZONE 'UTC' - interval '2 hours',
               first_response_deadline = now() AT TIME ZONE 'UTC'
                   + CASE WHEN f.r <= (SELECT c FROM total) / 100 THEN interval '-30 minutes'
                          ELSE interval '6 hours' END,
               resolution_deadline = now() AT TIME ZONE 'UTC' + interval '38 hours',
               escalation_deadline = now() AT TIME ZONE 'UTC' + interval '46 hours'
          FROM fresh f WHERE c.id = f.id
        """
    )
    cr.execute("ANALYZE crm_complaint")
    cr.commit()
    env.invalidate_all()


def main(argv=None):
    parser = bench_parser(__doc__, "crm_bench_complaints",
                          reuse_help="keep an existing database and its generated complaints")
    parser.add_argument("--complaints", type=int, default=100000)
    parser.add_argument("--no-catch-up", action="store_true",
                        help="skip step 5 (about 90 s on 100,000 complaints)")
    args = parser.parse_args(argv)

    info = machine()
    registry = open_registry(args.database, args.template, args.reuse)
    results = []

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        describe_database(cr, info)
        cr.execute("SELECT count(*) FROM crm_complaint")
        if cr.fetchone()[0] < args.complaints:
            say(f"generating {args.complaints:,} complaints")
            seconds = env["crm.demo.generator"].generate_bulk_complaints(args.complaints)
            cr.commit()
            env.invalidate_all()
            say(f"generated in {seconds:.1f}s")
        prepare_scenario(env)
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT is_closed), "
            "count(*) FILTER (WHERE NOT is_closed AND escalation_level = '0' "
            "AND sla_paused_since IS NULL AND first_response_deadline < now() AT TIME ZONE 'UTC') "
            "FROM crm_complaint"
        )
        total, open_count, due = cr.fetchone()
        info.update(complaints=total, open_complaints=open_count, newly_breached=due)
        say(f"database: {total:,} complaints, {open_count:,} open, {due:,} newly breached")

        # The list and kanban run as a plain complaint user (record rules apply).
        Complaint = env["crm.complaint"]
        user = env["res.users"].search([("login", "=", "bench_cmp_agent_1")])

        def escalate():
            level_1, level_2 = Complaint._cron_escalate()
            env.flush_all()
            cr.commit()
            say(f"  escalated {level_1} to the team leader, {level_2} to the manager")
            return level_1 + level_2

        timed(results, "escalation job, hourly steady state", "escalations", escalate)
        timed(results, "escalation job, run again (nothing new)", "escalations", escalate)

        as_user = Complaint.with_user(user).with_context(lang="en_US", tz="UTC")

        def list_view():
            as_user.env.invalidate_all()
            result = as_user.web_search_read(DEFAULT_DOMAIN, LIST_SPEC, limit=80,
                                             count_limit=10001)
            return len(result["records"])

        def kanban_view():
            as_user.env.invalidate_all()
            groups = as_user.web_read_group(
                DEFAULT_DOMAIN, ["stage_id"], aggregates=["__count"], auto_unfold=True,
                unfold_read_specification=KANBAN_SPEC, unfold_read_default_limit=40,
            )
            as_user.read_progress_bar(DEFAULT_DOMAIN, "stage_id", {
                "field": "sla_status",
                "colors": {"on_time": "success", "at_risk": "warning", "breached": "danger"},
            })
            return sum(len(group.get("__records", [])) for group in groups["groups"])

        for _ in range(2):  # the second run is the warm one users see
            timed(results, "list view, first page (80 rows, default filter)", "rows", list_view)
            timed(results, "kanban view (40 cards per column, progress bars)", "cards", kanban_view)

        if args.no_catch_up:
            cr.commit()
            return finish(info, results, args)
        # Catch-up after an outage: every open breach is new.
        cr.execute(
            "UPDATE crm_complaint SET escalation_level = '0', escalated_date = NULL "
            "WHERE is_closed = false AND escalation_level != '0'"
        )
        cr.execute("DELETE FROM mail_activity WHERE res_model = 'crm.complaint'")
        cr.commit()
        env.invalidate_all()
        timed(results, "escalation job, catch-up (every breach new)", "escalations", escalate)

    return finish(info, results, args)


def finish(info, results, args):
    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": results, "args": vars(args)}, out, indent=2,
                      default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
