"""Benchmark the bulk import API over XML-RPC against a real local server.

    python3 tools/dev.py bench import_api                # 10,000 customers, 100,000 order lines
    python3 tools/dev.py bench import_api --customers 2000 --lines 20000 \\
        --database api_bench_small

1. Creates the database from the template with the modules' dependencies
   (--template, default crm_tmpl_base, built when missing) and installs
   crm_extended and crm_analytics (or, with --reuse, keeps an existing one and
   imports under fresh references).
2. Starts `python3 -m odoo` on it (--port), logs in over XML-RPC as admin.
3. Times, over XML-RPC with crm_client (the same code as the CLI):
   - the bulk upsert of N customers (res.partner.crm_api_upsert_customers, batches);
   - the bulk import of the historical orders with M lines in total
     (sale.order.crm_api_import_orders, about ten lines per order, batches);
   - the same two imports again (a re-run: nothing created);
   - one call per record, the plain ORM way, on a sample: `create` of a customer,
     and `create` of an order with its lines plus `action_confirm`; the rate is
     extrapolated to N customers and N/10 orders and compared;
   - reading all N customers' classification (crm_api_customer_summary with
     keys=grade, stage, tier, credit rating, blacklist) and their full 360
     summary, over XML-RPC and JSON-2 (an API key of admin), and the
     classification with one plain search_read for comparison.
Prints the figures and, with --json FILE, writes them there.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import datetime, timedelta

from crm_client import Connection, RetryPolicy

from tools.common import (
    TEMPLATE,
    create_database,
    make_api_key,
    say,
    start_server,
    stop_server,
)

PRODUCTS = 50
CLASSIFICATION_KEYS = ["value_grade", "lifecycle_stage", "tier", "credit_rating", "blacklisted"]


def make_data(rng, tag, customers, lines, codes):
    countries = ["CN", "DE", "US", "FR", "JP", "GB"]
    customer_rows = [
        {"ref": f"{tag}-C{n:06d}", "name": f"Bench Customer {tag} {n}",
         "email": f"c{n}.{tag.lower()}@example.com", "city": rng.choice(["Beijing", "Berlin", "Austin"]),
         "country_code": rng.choice(countries), "is_company": n % 5 != 0}
        for n in range(customers)
    ]
    now = datetime.utcnow()
    orders, n = [], 0
    while n < lines:
        count = min(rng.randint(5, 15), lines - n)
        n += count
        orders.append({
            "ref": f"{tag}-SO{len(orders):07d}",
            "customer_ref": customer_rows[rng.randrange(customers)]["ref"],
            "date_order": (now - timedelta(days=rng.randint(1, 1000), minutes=rng.randint(0, 1440)))
            .strftime("%Y-%m-%d %H:%M:%S"),
            "state": "done",
            "lines": [{"product_code": rng.choice(codes), "quantity": rng.randint(1, 20),
                       "price_unit": round(rng.uniform(5, 500), 2)} for _ in range(count)],
        })
    return customer_rows, orders


def batches(items, size, weight=lambda item: 1):
    batch, total = [], 0
    for item in items:
        if batch and total + weight(item) > size:
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += weight(item)
    if batch:
        yield batch


def timed_import(conn, customer_rows, orders, customer_batch, line_batch):
    counts = {}
    started = time.monotonic()
    for batch in batches(customer_rows, customer_batch):
        for result in conn.call("res.partner", "crm_api_upsert_customers", rows=batch):
            counts[f"customers_{result['status']}"] = counts.get(f"customers_{result['status']}", 0) + 1
    customers_s = time.monotonic() - started
    started = time.monotonic()
    for batch in batches(orders, line_batch, weight=lambda order: len(order["lines"])):
        for result in conn.call("sale.order", "crm_api_import_orders", orders=batch):
            counts[f"orders_{result['status']}"] = counts.get(f"orders_{result['status']}", 0) + 1
    orders_s = time.monotonic() - started
    return customers_s, orders_s, counts


def per_record(conn, rng, tag, codes, sample_customers, sample_orders):
    """The plain ORM way: one call per customer, two per order (create with its
    lines, confirm)."""
    product_ids = {row["default_code"]: row["id"] for row in conn.search_read(
        "product.product", [("default_code", "in", codes)], ["default_code"])}
    started = time.monotonic()
    partner_ids = [
        conn.create("res.partner", {"name": f"Bench Single {tag} {n}", "is_company": True,
                                    "crm_external_ref": f"{tag}-S{n:05d}",
                                    "email": f"s{n}@example.com", "customer_rank": 1})
        for n in range(sample_customers)
    ]
    per_customer = (time.monotonic() - started) / sample_customers
    started = time.monotonic()
    for n in range(sample_orders):
        order_id = conn.create("sale.order", {
            "partner_id": partner_ids[n % len(partner_ids)],
            "order_line": [(0, 0, {"product_id": product_ids[rng.choice(codes)],
                                   "product_uom_qty": rng.randint(1, 20),
                                   "price_unit": round(rng.uniform(5, 500), 2)})
                           for _ in range(10)],
        })
        conn.call("sale.order", "action_confirm", [order_id])
    per_order = (time.monotonic() - started) / sample_orders
    return per_customer, per_order


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="api_bench")
    parser.add_argument("--template", default=TEMPLATE)
    parser.add_argument("--reuse", action="store_true", help="keep the database, import fresh refs")
    parser.add_argument("--port", type=int, default=18450)
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--lines", type=int, default=100000)
    parser.add_argument("--customer-batch", type=int, default=5000)
    parser.add_argument("--line-batch", type=int, default=20000)
    parser.add_argument("--sample-customers", type=int, default=200)
    parser.add_argument("--sample-orders", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    if not args.reuse:
        create_database(args.database, args.template)
    api_key = make_api_key(args.database)
    server, url = start_server(args.database, args.port, f"bench_import_{args.database}")
    try:
        conn = Connection(url, args.database, login="admin", password="admin",
                          transport="xmlrpc", timeout=600, retry=RetryPolicy(retries=0))
        rng = random.Random(args.seed)
        tag = f"B{int(time.time()) % 100000:05d}"
        codes = [f"{tag}-P{n:03d}" for n in range(PRODUCTS)]
        conn.call("product.product", "create", vals_list=[
            {"name": f"Bench Product {code}", "default_code": code, "type": "consu",
             "list_price": 10.0 + n} for n, code in enumerate(codes)])
        customer_rows, orders = make_data(rng, tag, args.customers, args.lines, codes)
        line_count = sum(len(order["lines"]) for order in orders)
        say(f"{len(customer_rows)} customers, {len(orders)} orders, {line_count} lines, tag {tag}")

        customers_s, orders_s, counts = timed_import(
            conn, customer_rows, orders, args.customer_batch, args.line_batch)
        total_s = customers_s + orders_s
        say(f"bulk import: customers {customers_s:.1f}s + orders {orders_s:.1f}s = {total_s:.1f}s "
            f"{counts}")
        re_customers_s, re_orders_s, re_counts = timed_import(
            conn, customer_rows, orders, args.customer_batch, args.line_batch)
        say(f"re-run: customers {re_customers_s:.1f}s + orders {re_orders_s:.1f}s {re_counts}")

        per_customer, per_order = per_record(
            conn, rng, tag, codes, args.sample_customers, args.sample_orders)
        extrapolated = per_customer * len(customer_rows) + per_order * len(orders)
        say(f"one call per record: {per_customer * 1000:.1f} ms per customer, "
            f"{per_order * 1000:.1f} ms per order of 10 lines -> {extrapolated:.0f}s extrapolated, "
            f"{extrapolated / total_s:.1f}x the bulk import")

        ids = conn.search("res.partner", [("crm_external_ref", "in", [r["ref"] for r in customer_rows])])
        json2 = Connection(url, args.database, api_key=api_key, transport="json2", timeout=600,
                           retry=RetryPolicy(retries=0))
        reads = {}
        for label, connection, keys in (
            ("xmlrpc_classification", conn, CLASSIFICATION_KEYS),
            ("json2_classification", json2, CLASSIFICATION_KEYS),
            ("xmlrpc_full_360", conn, None),
            ("json2_full_360", json2, None),
        ):
            started = time.monotonic()
            answer = connection.call("res.partner", "crm_api_customer_summary", partner_ids=ids,
                                     keys=keys)
            reads[label] = round(time.monotonic() - started, 3)
            assert len(answer["customers"]) == len(ids), label
        started = time.monotonic()
        conn.search_read("res.partner", [("id", "in", ids)],
                         ["crm_value_grade", "crm_lifecycle_stage", "crm_tier_id", "crm_credit_rating"])
        reads["xmlrpc_search_read_classification"] = round(time.monotonic() - started, 3)
        say(f"read {len(ids)} customers: " + ", ".join(f"{k} {v:.2f}s" for k, v in reads.items()))
        # The read target: the full 360 summary of every customer, over the
        # recommended transport; the XML-RPC figures are printed beside it.
        summary_s = reads["json2_full_360"]

        figures = {
            "database": args.database, "customers": len(customer_rows), "orders": len(orders),
            "lines": line_count, "customers_seconds": round(customers_s, 2),
            "orders_seconds": round(orders_s, 2), "import_seconds": round(total_s, 2),
            "counts": counts, "rerun_customers_seconds": round(re_customers_s, 2),
            "rerun_orders_seconds": round(re_orders_s, 2), "rerun_counts": re_counts,
            "per_record_customer_ms": round(per_customer * 1000, 2),
            "per_record_order_ms": round(per_order * 1000, 2),
            "per_record_sample": [args.sample_customers, args.sample_orders],
            "per_record_extrapolated_seconds": round(extrapolated, 1),
            "speedup": round(extrapolated / total_s, 1),
            "read_seconds": reads, "read_customers": len(ids),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        }
        print(json.dumps(figures, indent=2))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump(figures, handle, indent=2)
        ok = total_s < 60 and extrapolated / total_s >= 10 and summary_s < 2
        say("targets met" if ok else
            "TARGETS MISSED (import < 60 s, >= 10x, 10,000 summaries < 2 s)")
        return 0 if ok else 1
    finally:
        stop_server(server)


if __name__ == "__main__":
    sys.exit(main())
