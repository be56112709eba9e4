"""Benchmark reading customer value scores over the API (`crm-client scores list`).

    python3 tools/dev.py bench scores_read           # 10,000 scored customers
    python3 tools/dev.py bench scores_read --reuse   # keep the database and its scores

1. Copies the template database (default crm_tmpl_base, built when missing),
   installs crm_extended, crm_analytics and the demo data generator and writes the
   customers and confirmed orders with set-based SQL (COPY,
   crm.demo.generator.generate_bulk_purchases() as the scoring benchmark), then runs the full score
   recompute once (Odoo as a library, from the repository root with odoo.conf).
2. Starts `python3 -m odoo` on it (--port) and makes an API key of admin.
3. Times `scores list --limit 0` - the very function the CLI runs (one call of
   crm.customer.score.crm_api_read_scores: rows as lists, with the customers'
   names and external references) - over XML-RPC and over JSON-2, --repeat times
   each, and prints the best and the median of the runs. Target: 10,000 scores in under 2 seconds.
"""

import argparse
import json
import statistics
import sys
import time

from crm_client import Connection
from crm_client.cli import cmd_scores_list

import odoo

from tools.common import TEMPLATE, make_api_key, open_registry, say, start_server, stop_server


def prepare(args):
    """The database with ``args.customers`` customers scored; returns the count."""
    registry = open_registry(args.database, args.template, args.reuse)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})
        cr.execute("SELECT count(*) FROM crm_customer_score")
        if cr.fetchone()[0] < args.customers:
            say(f"generating {args.customers:,} customers and {args.orders:,} orders")
            summary = env["crm.demo.generator"].generate_bulk_purchases(
                args.customers, args.orders, args.seed)
            say(f"generated: {summary}")
            cr.commit()
            started = time.monotonic()
            result = env["crm.customer.score"]._crm_score_company(env.company)
            env.flush_all()
            cr.commit()
            say(f"scored {result['customers']:,} customers in {time.monotonic() - started:.1f}s")
        cr.execute("SELECT count(*) FROM crm_customer_score WHERE company_id = %s", (env.company.id,))
        return cr.fetchone()[0]


def timed_list(conn, repeat, expected):
    listing = argparse.Namespace(customer_id=None, customer_ref=None, segment=None,
                                 churn_risk=None, min_score=None, limit=0, quiet=True)
    runs = []
    for _ in range(repeat):
        started = time.monotonic()
        rows = cmd_scores_list(conn, listing).result
        runs.append(time.monotonic() - started)
        if len(rows) != expected:
            raise SystemExit(f"[bench] read {len(rows)} scores, expected {expected}")
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="scores_read_bench")
    parser.add_argument("--template", default=TEMPLATE)
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--orders", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=18460)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database and its scores")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    scores = prepare(args)
    say(f"{scores:,} scores in {args.database!r}")
    api_key = make_api_key(args.database)
    process, url = start_server(args.database, args.port, f"bench_scores_read_{args.database}")
    figures = {"scores": scores}
    try:
        for transport in ("xmlrpc", "json2"):
            conn = Connection(url, args.database, login="admin",
                              password="admin" if transport == "xmlrpc" else None,
                              api_key=api_key, transport=transport, timeout=120)
            conn.uid  # log in (and warm up) outside the timed runs
            runs = timed_list(conn, args.repeat, scores)
            figures[transport] = {"best": min(runs), "median": statistics.median(runs), "runs": runs}
            say(f"scores list --limit 0 over {transport}: {scores:,} scores, best {min(runs):.2f}s, "
                f"median {statistics.median(runs):.2f}s over {args.repeat} runs "
                f"({scores / statistics.median(runs):,.0f} scores/s)")
    finally:
        stop_server(process)
    worst = max(figures[t]["median"] for t in ("xmlrpc", "json2"))
    say(f"target: under 2 s -> {'met' if worst < 2 else 'NOT met'} (slowest median {worst:.2f}s)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"figures": figures, "args": vars(args)}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
