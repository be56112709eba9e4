"""Benchmark the data behind the crm_analytics dashboards on a large database.

    python3 tools/dev.py bench dashboards           # dash_bench: create, fill, time
    python3 tools/dev.py bench dashboards --reuse   # time again on the same data

Fills a database copied from the template (default crm_tmpl_base, built when
missing) with the data of the other benchmarks (crm.demo.generator): customers
and confirmed orders (generate_bulk_purchases, as the scoring benchmark),
complaints (generate_bulk_complaints), service contracts and visits
(generate_bulk_contracts); then classifies and scores the customers and mines the
cross-selling rules. Then it times, as the administrator (a CRM manager), every
pivot, chart and list of the Customer Value and Customer Service dashboards the
way the spreadsheet asks for them (``formatted_read_group`` / ``search_read``),
twice: the first run is the one a user opening the dashboard waits for.
"""

import argparse
import json
import os
import sys
import time

import odoo

from tools.common import ROOT, TEMPLATE, database_exists, db_settings, machine, open_registry, say

FILES = os.path.join(ROOT, "addons", "crm_analytics", "data", "files")
DASHBOARDS = {"Customer Value": "customer_value_dashboard.json",
              "Customer Service": "customer_service_dashboard.json"}


def data_sources(data):
    """(kind, name, model, call) of every pivot, chart and list of a dashboard."""
    for pivot in data["pivots"].values():
        groupby = [row["fieldName"] + (f":{row['granularity']}" if "granularity" in row else "")
                   for row in pivot["rows"]]
        aggregates = ["__count" if m["fieldName"] == "__count"
                      else f"{m['fieldName']}:{m['aggregator']}" for m in pivot["measures"]]
        yield "pivot", pivot["name"], pivot["model"], (
            "formatted_read_group", (pivot["domain"], groupby, aggregates))
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            chart = figure["data"]
            if not chart.get("type", "").startswith("odoo_"):
                continue
            meta = chart["metaData"]
            measure = meta["measure"] if meta["measure"] == "__count" else f"{meta['measure']}:sum"
            domain = chart["searchParams"]["domain"]
            yield "chart", figure["id"], meta["resModel"], (
                "formatted_read_group", (domain, meta["groupBy"], [measure]))
    for list_def in data["lists"].values():
        order = ", ".join(f"{o['name']} {'asc' if o['asc'] else 'desc'}"
                          for o in list_def["orderBy"])
        yield "list", list_def["name"], list_def["model"], (
            "search_read", (list_def["domain"], list_def["columns"], 0, 10, order))


def fill(env, args):
    cr = env.cr
    Generator = env["crm.demo.generator"]
    steps = {}
    started = time.monotonic()
    Generator.generate_bulk_purchases(args.customers, args.orders, args.seed)
    cr.commit()
    steps["customers and orders"] = time.monotonic() - started
    steps["complaints"] = Generator.generate_bulk_complaints(args.complaints)
    cr.commit()
    steps["contracts and visits"] = Generator.generate_bulk_contracts(2000, args.contracts)
    cr.commit()
    for name, call in (
        ("classification", lambda: env["res.partner"].crm_recompute_classification()),
        ("scores", lambda: env["crm.customer.score"]._crm_score_company(env.company)),
        ("cross-selling rules", lambda: env["crm.cross.sell.rule"]._cron_mine_rules()),
    ):
        started = time.monotonic()
        call()
        env.flush_all()
        cr.commit()
        steps[name] = time.monotonic() - started
    for name, seconds in steps.items():
        say(f"filled {name} in {seconds:.1f}s")
    return steps


def time_dashboards(env):
    results = {}
    admin = env.ref("base.user_admin")
    for title, filename in DASHBOARDS.items():
        with open(os.path.join(FILES, filename), encoding="utf-8") as f:
            data = json.load(f)
        rows = []
        for kind, name, model, (method, call_args) in data_sources(data):
            Model = env[model].with_user(admin).with_context(
                allowed_company_ids=admin.company_ids.ids)
            runs = []
            for _run in range(2):
                env.invalidate_all()
                started = time.monotonic()
                result = getattr(Model, method)(*call_args)
                runs.append(time.monotonic() - started)
            rows.append({"kind": kind, "name": name, "model": model, "first": runs[0],
                         "second": runs[1], "rows": len(result)})
        first = sum(row["first"] for row in rows)
        second = sum(row["second"] for row in rows)
        slowest = max(rows, key=lambda row: row["first"])
        say(f"{title}: {len(rows)} data sources, {first:.2f}s in all on the first run, "
            f"{second:.2f}s on the second; slowest {slowest['kind']} {slowest['name']!r} "
            f"({slowest['model']}) {slowest['first']:.2f}s")
        for row in sorted(rows, key=lambda row: -row["first"])[:5]:
            say(f"    {row['first']:.3f}s / {row['second']:.3f}s  {row['kind']} {row['name']} "
                f"({row['model']}, {row['rows']} groups/rows)")
        results[title] = {"first": first, "second": second, "sources": rows}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="dash_bench")
    parser.add_argument("--template", default=TEMPLATE)
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--orders", type=int, default=1000000)
    parser.add_argument("--complaints", type=int, default=100000)
    parser.add_argument("--contracts", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true",
                        help="keep an existing database and its generated data")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    info = machine()
    fresh = not (args.reuse and database_exists(db_settings(), args.database))
    registry = open_registry(args.database, args.template, reuse=not fresh)
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})
        cr.execute("SELECT version()")
        info["postgresql"] = cr.fetchone()[0].split(" on ")[0]
        if fresh:
            results["fill"] = fill(env, args)
        for table in ("crm_customer_score", "crm_complaint", "crm_service_contract",
                      "crm_service_visit", "crm_cross_sell_rule"):
            cr.execute(f"SELECT count(*) FROM {table}")
            info[table] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale'")
        info["confirmed_orders"] = cr.fetchone()[0]
        say("data: " + ", ".join(f"{k}={v:,}" for k, v in info.items() if isinstance(v, int)
                                 and k not in ("cpus", "nproc")))
        results["dashboards"] = time_dashboards(env)
        cr.rollback()
    say("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"machine": info, "results": results, "args": vars(args)}, out,
                      indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
