"""Bulk import and export end to end: `crm-client import-customers`, `import-orders`
and `export-customers` as subprocesses against the live server, once per transport,
as the integration user; plus what that user may not do."""

import csv
import json
import threading
import uuid
from datetime import date, timedelta

import pytest
from cli_checks import as_json
from crm_client import Connection, RetryPolicy, errors

PAST = (date.today() - timedelta(days=30)).isoformat()
ORDERS_EACH = 150


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def refs_found(conn, model, refs):
    rows = conn.search_read(model, [("crm_external_ref", "in", list(refs))], ["crm_external_ref"])
    return sorted(row["crm_external_ref"] for row in rows)


@pytest.fixture
def tag():
    return uuid.uuid4().hex[:8].upper()


@pytest.fixture(scope="session")
def product_code(rpc):
    code = f"PYT-{uuid.uuid4().hex[:8].upper()}"
    rpc("admin", "xmlrpc").create("product.product", {
        "name": f"Pytest Import {code}", "type": "service", "list_price": 40.0,
        "default_code": code, "taxes_id": [(6, 0, [])],
    })
    return code


def test_customers_import_rerun_update_and_export(run_cli, rpc, users, transport, tmp_path, tag):
    refs = [f"{tag}-1", f"{tag}-2", f"{tag}-3"]
    path = write_csv(tmp_path / "customers.csv",
                     ["ref", "name", "email", "country_code", "is_company"], [
                         [refs[0], f"Pytest Shop {tag} A", "a@example.com", "CN", "yes"],
                         [refs[1], f"Pytest Shop {tag} B", "", "DE", ""],
                         [refs[2], f"Pytest Person {tag} C", "c@example.com", "", "no"],
                     ])
    process = run_cli(users.integration, transport, "import-customers", path, "--format", "json")
    assert process.returncode == 0, process.stderr
    summary = as_json(process)
    assert (summary["rows"], summary["created"], summary["error"]) == (3, 3, 0)
    assert "3/3 rows" in process.stderr  # progress on stderr
    admin = rpc("admin", transport)
    assert refs_found(admin, "res.partner", refs) == refs

    again = as_json(run_cli(users.integration, transport, "import-customers", path, "-f", "json"))
    assert (again["created"], again["unchanged"]) == (0, 3)
    assert refs_found(admin, "res.partner", refs) == refs

    write_csv(tmp_path / "update.csv", ["ref", "city"], [[refs[0], "Chengdu"]])
    updated = as_json(run_cli(users.integration, transport, "import-customers",
                              str(tmp_path / "update.csv"), "-f", "json"))
    assert updated["updated"] == 1
    record = admin.search_read("res.partner", [("crm_external_ref", "=", refs[0])],
                               ["city", "name", "is_company", "email"])[0]
    assert record == record | {"city": "Chengdu", "name": f"Pytest Shop {tag} A",
                               "is_company": True, "email": "a@example.com"}

    exported = as_json(run_cli(users.integration, transport, "export-customers",
                               "--search", f"Pytest Shop {tag}", "--format", "json"))
    assert [row["external_ref"] for row in exported] == refs[:2]
    assert exported[0]["blacklisted"] is False
    out = tmp_path / "segment.csv"
    process = run_cli(users.integration, transport, "export-customers", "--search",
                      f"Pytest Shop {tag}", "--output", str(out))
    assert process.returncode == 0, process.stderr
    with open(out, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["external_ref"] for row in rows] == refs[:2]
    assert rows[0]["currency"]


def test_orders_import_is_idempotent_and_classifies(run_cli, rpc, users, transport, tmp_path,
                                                    tag, product_code):
    customer_ref = f"{tag}-C"
    write_csv(tmp_path / "c.csv", ["ref", "name"], [[customer_ref, f"Pytest Buyer {tag}"]])
    assert run_cli(users.integration, transport, "import-customers",
                   str(tmp_path / "c.csv")).returncode == 0
    header = ["order_ref", "customer_ref", "date_order", "state", "product_code", "quantity",
              "price_unit"]
    path = write_csv(tmp_path / "orders.csv", header, [
        [f"{tag}-SO1", customer_ref, PAST, "done", product_code, "2", "15.5"],
        [f"{tag}-SO1", customer_ref, PAST, "done", product_code, "1", ""],
        [f"{tag}-SO2", customer_ref, PAST, "sale", product_code, "3", "10"],
    ])
    process = run_cli(users.integration, transport, "import-orders", path, "--format", "json")
    assert process.returncode == 0, process.stderr
    summary = as_json(process)
    assert (summary["orders"], summary["created"], summary["lines_created"]) == (2, 2, 3)

    admin = rpc("admin", transport)
    orders = admin.search_read("sale.order", [("crm_external_ref", "like", f"{tag}-SO")],
                               ["crm_external_ref", "amount_untaxed", "state", "locked"],
                               order="crm_external_ref")
    assert [(o["crm_external_ref"], o["amount_untaxed"], o["state"], o["locked"])
            for o in orders] == [(f"{tag}-SO1", 71.0, "sale", True),
                                 (f"{tag}-SO2", 30.0, "sale", False)]

    again = as_json(run_cli(users.integration, transport, "import-orders", path, "-f", "json"))
    assert (again["created"], again["unchanged"], again["error"]) == (0, 2, 0)
    assert admin.search_count("sale.order", [("crm_external_ref", "like", f"{tag}-SO")]) == 2

    exported = as_json(run_cli(users.integration, transport, "export-customers",
                               "--search", f"Pytest Buyer {tag}", "-f", "json"))
    assert exported[0]["order_count"] == 2
    assert exported[0]["lifecycle_stage"] == "new"
    assert exported[0]["value_grade"] in ("A", "B", "C")


def _foreign_currency(admin):
    """A currency other than the company's, active, with a rate on PAST (2.5
    per company unit) and a later one (4.0: today's), and a pricelist in it."""
    company_id = admin.read("res.users", [admin.uid], ["company_id"])[0]["company_id"][0]
    company = admin.read("res.company", [company_id], ["currency_id"])[0]
    currency = admin.search_read("res.currency", [
        ("name", "in", ["EUR", "CHF"]), ("id", "!=", company["currency_id"][0]),
        ("active", "in", [True, False])], ["name"], order="name desc", limit=1)[0]
    admin.write("res.currency", [currency["id"]], {"active": True})
    later = (date.today() - timedelta(days=1)).isoformat()
    for day, rate in ((PAST, 2.5), (later, 4.0)):
        if not admin.search_count("res.currency.rate", [
                ("currency_id", "=", currency["id"]), ("name", "=", day),
                ("company_id", "=", company["id"])]):
            admin.create("res.currency.rate", {"currency_id": currency["id"], "name": day,
                                               "rate": rate, "company_id": company["id"]})
    if not admin.search_count("product.pricelist", [("currency_id", "=", currency["id"])]):
        admin.create("product.pricelist", {"name": f"Pytest {currency['name']}",
                                           "currency_id": currency["id"]})
    return currency


def test_orders_in_a_foreign_currency_and_to_deliver(run_cli, rpc, users, transport, tmp_path,
                                                     tag):
    admin = rpc("admin", transport)
    currency = _foreign_currency(admin)
    code = f"PYT-GOODS-{tag}"
    admin.create("product.product", {"name": f"Pytest Goods {tag}", "type": "consu",
                                     "list_price": 10.0, "default_code": code,
                                     "taxes_id": [(6, 0, [])]})
    write_csv(tmp_path / "c.csv", ["ref", "name"], [[f"{tag}-FX", f"Pytest FX {tag}"]])
    assert run_cli(users.integration, transport, "import-customers",
                   str(tmp_path / "c.csv")).returncode == 0
    path = write_csv(tmp_path / "orders.csv", [
        "order_ref", "customer_ref", "date_order", "state", "currency", "product_code",
        "quantity", "price_unit"], [
        [f"{tag}-FX1", f"{tag}-FX", PAST, "sale", currency["name"], code, "3", "20"],
        [f"{tag}-FX2", f"{tag}-FX", PAST, "done", "", code, "1", "7"],
    ])
    process = run_cli(users.integration, transport, "import-orders", path, "-f", "json")
    assert process.returncode == 0, process.stderr
    assert as_json(process)["created"] == 2
    fx, home = admin.search_read(
        "sale.order", [("crm_external_ref", "in", [f"{tag}-FX1", f"{tag}-FX2"])],
        ["currency_id", "currency_rate", "amount_untaxed", "date_order", "picking_ids",
         "locked", "invoice_status"], order="crm_external_ref")
    assert fx["currency_id"][0] == currency["id"]
    assert (fx["amount_untaxed"], fx["currency_rate"]) == (60.0, 2.5)  # the rate of PAST
    assert fx["date_order"].startswith(PAST)
    assert fx["invoice_status"] == "to invoice" and not fx["locked"]
    moves = admin.search_read("stock.move", [("picking_id", "in", fx["picking_ids"])],
                              ["product_uom_qty", "state"])
    assert [m["product_uom_qty"] for m in moves] == [3.0]  # still to deliver: a delivery
    assert home["currency_id"][0] != currency["id"]
    assert home["locked"] and not home["picking_ids"]  # closed history: locked, no delivery


def test_products_then_orders_from_scratch(run_cli, rpc, users, transport, tmp_path, tag):
    """The integration user alone builds a history: products (with a vendor),
    customers, then orders in a foreign currency naming those products."""
    admin = rpc("admin", transport)
    vendor_ref = f"{tag}-V"
    write_csv(tmp_path / "c.csv", ["ref", "name"],
              [[vendor_ref, f"Pytest Vendor {tag}"], [f"{tag}-B", f"Pytest Buyer {tag}"]])
    assert run_cli(users.integration, transport, "import-customers",
                   str(tmp_path / "c.csv")).returncode == 0
    header = ["ref", "name", "price", "cost", "category", "uom", "type", "supplier_ref",
              "supplier_price"]
    path = write_csv(tmp_path / "products.csv", header, [
        [f"{tag}-P1", f"Pytest Pump {tag}", "120", "70", "goods", "Units", "goods", vendor_ref,
         "65"],
        [f"{tag}-P2", f"Pytest Hour {tag}", "90", "", "", "", "service", "", ""],
        [f"{tag}-P3", f"Pytest Bad {tag}", "NaN", "", "", "", "", "", ""],
        [f"{tag}-P4", f"Pytest Bad {tag}", "-5", "", "", "", "", "", ""],
    ])
    process = run_cli(users.integration, transport, "import-products", path, "-f", "json")
    summary = as_json(process)
    assert process.returncode == errors.EXIT_ROWS_FAILED, process.stderr
    assert (summary["created"], summary["error"]) == (2, 2), summary["failures"]
    assert [f["line"] for f in summary["failures"]] == [4, 5]
    products = admin.search_read("product.template", [("default_code", "like", f"{tag}-P")],
                                 ["default_code", "list_price", "standard_price", "type",
                                  "seller_ids"], order="default_code")
    assert [(p["default_code"], p["list_price"], p["type"]) for p in products] == [
        (f"{tag}-P1", 120.0, "consu"), (f"{tag}-P2", 90.0, "service")]
    assert products[0]["standard_price"] == 70.0 and len(products[0]["seller_ids"]) == 1
    again = as_json(run_cli(users.integration, transport, "import-products", path, "-f", "json"))
    assert (again["created"], again["unchanged"]) == (0, 2)

    currency = _foreign_currency(admin)
    orders = write_csv(tmp_path / "orders.csv", [
        "order_ref", "customer_ref", "date_order", "currency", "product_code", "quantity",
        "price_unit"], [[f"{tag}-SO", f"{tag}-B", PAST, currency["name"], f"{tag}-P2", "2", "50"]])
    process = run_cli(users.integration, transport, "import-orders", orders, "-f", "json")
    assert process.returncode == 0, process.stderr
    order = admin.search_read("sale.order", [("crm_external_ref", "=", f"{tag}-SO")],
                              ["currency_id", "amount_untaxed"])[0]
    assert (order["currency_id"][1], order["amount_untaxed"]) == (currency["name"], 100.0)


def test_concurrent_imports_get_distinct_names(odoo_server, rpc, users, transport, tag,
                                               product_code):
    """Two imports at the same moment, in two server transactions: every order
    gets its own name from the sequence (big enough batches for the two
    transactions to overlap)."""
    integration = rpc("integration", transport)
    integration.call("res.partner", "crm_api_upsert_customers", rows=[
        {"ref": f"{tag}-K{n}", "name": f"Pytest Concurrent {tag} {n}"} for n in range(2)])
    batches = [[{
        "ref": f"{tag}-K{n}-{i:03d}", "customer_ref": f"{tag}-K{n}", "date_order": PAST,
        "lines": [{"product_code": product_code, "quantity": q, "price_unit": 5.0}
                  for q in (1, 2, 3)],
    } for i in range(ORDERS_EACH)] for n in range(2)]
    # One connection per thread, logged in before the start; no retry: each
    # import is sent once.
    user = users.integration
    connections = [
        Connection(odoo_server.url, odoo_server.db, login=user.login,
                   password=user.password if transport == "xmlrpc" else None,
                   api_key=user.api_key, transport=transport, timeout=300,
                   retry=RetryPolicy(retries=0))
        for _n in range(2)
    ]
    for conn in connections:
        conn.search_count("res.partner", [("id", "=", 0)])
    barrier = threading.Barrier(2)
    answers, failures = {}, []

    def run(n):
        barrier.wait()
        try:
            answers[n] = connections[n].call("sale.order", "crm_api_import_orders",
                                             orders=batches[n])
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    assert {r["status"] for n in range(2) for r in answers[n]} == {"created"}
    names = [row["name"] for row in rpc("admin", transport).search_read(
        "sale.order", [("crm_external_ref", "like", f"{tag}-K")], ["name"])]
    assert len(names) == 2 * ORDERS_EACH
    assert len(set(names)) == 2 * ORDERS_EACH, sorted(names)


def test_bad_customer_rows_are_reported_and_not_written(run_cli, rpc, users, transport,
                                                        tmp_path, tag):
    path = tmp_path / "bad.csv"
    path.write_text(
        "ref,name,email,is_company,country_code\n"
        f"{tag}-OK,Pytest Good {tag},ok@example.com,yes,\n"
        f"{tag}-NONAME,,x@example.com,,\n"
        f"{tag}-MAIL,Pytest Mail {tag},not-an-address,,\n"
        f"{tag}-TYPE,Pytest Type {tag},,maybe,\n"
        f"{tag}-LAND,Pytest Land {tag},,,XX\n"
        f"{tag}-WIDE,Pytest Wide {tag},,,,surplus\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    process = run_cli(users.integration, transport, "import-customers", str(path),
                      "--errors", str(report), "-f", "json")
    assert process.returncode == errors.EXIT_ROWS_FAILED, process.stderr
    assert "error: 5 row(s) refused" in process.stderr
    assert "Traceback" not in process.stderr
    failures = json.loads(report.read_text(encoding="utf-8"))
    assert [(f["line"], f["ref"]) for f in failures] == [
        (3, f"{tag}-NONAME"), (4, f"{tag}-MAIL"), (5, f"{tag}-TYPE"), (6, f"{tag}-LAND"),
        (7, f"{tag}-WIDE"),
    ]
    messages = [f["message"] for f in failures]
    assert "name is required" in messages[0]
    assert "not a valid e-mail address" in messages[1]
    assert "is_company must be true or false" in messages[2]
    assert "Unknown country code XX" in messages[3]
    assert "more cells than the header" in messages[4]
    assert as_json(process)["created"] == 1
    assert refs_found(rpc("admin", transport), "res.partner",
                      [f"{tag}-{s}" for s in ("OK", "NONAME", "MAIL", "TYPE", "LAND", "WIDE")]) \
        == [f"{tag}-OK"]


def test_bad_orders_write_nothing(run_cli, rpc, users, transport, tmp_path, tag, product_code):
    write_csv(tmp_path / "c.csv", ["ref", "name"], [[f"{tag}-C", f"Pytest Orders {tag}"]])
    assert run_cli(users.integration, transport, "import-customers",
                   str(tmp_path / "c.csv")).returncode == 0
    header = ["order_ref", "customer_ref", "date_order", "product_code", "quantity"]
    path = write_csv(tmp_path / "orders.csv", header, [
        [f"{tag}-X1", "NO-SUCH-CUSTOMER", PAST, product_code, "1"],
        [f"{tag}-X2", f"{tag}-C", PAST, product_code, "abc"],
        [f"{tag}-X3", f"{tag}-C", PAST, product_code, "1"],
        [f"{tag}-X3", f"{tag}-C", PAST, "NO-SUCH-PRODUCT", "1"],  # one bad line: whole order out
        [f"{tag}-X4", f"{tag}-C", "2999-01-01", product_code, "1"],
        [f"{tag}-X5", f"{tag}-C", PAST, "", "1"],
    ])
    process = run_cli(users.integration, transport, "import-orders", path, "-f", "json",
                      "--errors", str(tmp_path / "errors.csv"))
    assert process.returncode == errors.EXIT_ROWS_FAILED, process.stderr
    summary = as_json(process)
    assert (summary["created"], summary["error"]) == (0, 5)
    messages = {f["ref"]: f["message"] for f in summary["failures"]}
    assert "Unknown customer NO-SUCH-CUSTOMER" in messages[f"{tag}-X1"]
    assert "quantity must be a number" in messages[f"{tag}-X2"]
    assert "unknown product NO-SUCH-PRODUCT" in messages[f"{tag}-X3"]
    assert "in the future" in messages[f"{tag}-X4"]
    assert "product_code is required" in messages[f"{tag}-X5"]
    with open(tmp_path / "errors.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 5
    admin = rpc("admin", transport)
    assert admin.search_count("sale.order", [("crm_external_ref", "like", f"{tag}-X")]) == 0


def test_dry_run_writes_nothing(run_cli, rpc, users, transport, tmp_path, tag):
    path = write_csv(tmp_path / "c.csv", ["ref", "name"], [[f"{tag}-DRY", f"Pytest Dry {tag}"]])
    process = run_cli(users.integration, transport, "import-customers", path, "--dry-run", "-f",
                      "json")
    assert process.returncode == 0, process.stderr
    assert as_json(process)["created"] == 1
    assert "dry run: nothing was written" in process.stderr
    assert refs_found(rpc("admin", transport), "res.partner", [f"{tag}-DRY"]) == []


@pytest.mark.parametrize("content, text", [
    ("ref,name,colour\nX,Y,red\n", "unknown column(s) colour"),
    ("name,email\nY,y@example.com\n", "missing column(s) ref"),
    ("", "the file is empty"),
])
def test_malformed_csv_is_refused_before_sending(run_cli, users, transport, tmp_path, content,
                                                 text):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    process = run_cli(users.integration, transport, "import-customers", str(path))
    assert process.returncode == errors.EXIT_USAGE, process.stderr
    assert process.stderr.startswith("error: ") and text in process.stderr
    assert process.stdout == ""


def test_not_utf8_and_missing_file(run_cli, users, transport, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("ref,name\nX,Caf\xe9 M\xfcller\n".encode("latin-1"))
    process = run_cli(users.integration, transport, "import-customers", str(path))
    assert process.returncode == errors.EXIT_USAGE
    assert "not a UTF-8 text file" in process.stderr
    process = run_cli(users.integration, transport, "import-orders", str(tmp_path / "nope.csv"))
    assert process.returncode == errors.EXIT_USAGE
    assert "no such file" in process.stderr


def test_wrong_credentials_import(run_cli, users, transport, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["ref", "name"], [["NEVER", "Never"]])
    process = run_cli(users.integration, transport, "import-customers", path, extra_env={
        "CRM_PASSWORD": "wrong" if transport == "xmlrpc" else users.integration.password,
        "CRM_API_KEY": "0123456789abcdef0123456789abcdef01234567" if transport == "json2" else "",
    })
    assert process.returncode == errors.EXIT_AUTH, process.stderr
    assert "Authentication failed" in process.stderr


def test_salesman_may_not_import_history(run_cli, users, transport, tmp_path, product_code):
    path = write_csv(tmp_path / "o.csv",
                     ["order_ref", "customer_ref", "date_order", "product_code", "quantity"],
                     [["NEVER-SO", "NEVER-C", PAST, product_code, "1"]])
    process = run_cli(users.salesman, transport, "import-orders", path)
    assert process.returncode == errors.EXIT_ACCESS, process.stderr
    assert "integration users and sales or CRM managers" in process.stderr


def test_integration_user_may_not(rpc, transport, make_customer):
    partner_id = make_customer()
    conn = rpc("integration", transport)
    with pytest.raises(errors.AccessDenied):
        conn.write("res.partner", [partner_id], {"crm_commercial_blacklist": True})
    with pytest.raises(errors.AccessDenied):
        conn.write("res.partner", [partner_id], {"crm_value_grade": "a"})
    with pytest.raises(errors.AccessDenied):
        conn.call("res.partner", "unlink", [partner_id])
    with pytest.raises(errors.AccessDenied):
        conn.search_count("account.move", [])
    with pytest.raises(errors.AccessDenied):
        conn.create("res.users", {"name": "Intruder", "login": f"intruder-{uuid.uuid4().hex}"})
    with pytest.raises(errors.AccessDenied):
        conn.call("res.partner", "crm_recompute_classification")
    admin = rpc("admin", transport)
    record = admin.read("res.partner", [partner_id], ["crm_commercial_blacklist", "active"])[0]
    assert record == record | {"crm_commercial_blacklist": False, "active": True}
    # What it is for does work: the summary, with open invoices it cannot read directly.
    summary = conn.call("res.partner", "crm_api_customer_summary", partner_ids=[partner_id])
    assert [c["id"] for c in summary["customers"]] == [partner_id]
    assert summary["customers"][0]["open_invoice_count"] == 0
