"""Every public ``crm_api_*`` method against a catalogue of bad values.

The methods are found in the add-ons' source (``def crm_api_*`` in a class
with ``_name`` or ``_inherit``), so a new one is covered without touching this
file. Each argument, and each key of the rows or values a method takes, gets
each bad value of the catalogue over JSON-2 and XML-RPC, as the integration
user (the least-privileged user these methods are for). Asserted: the server
answers with a clean Odoo error (ServerRefused or AccessDenied in crm_client:
a ValidationError, UserError or AccessError with its message), never a
server error (an HTTP 500 / a traceback fault), and no record is written.

What a transport cannot carry is not sent over it: XML-RPC has no integers
beyond 32 bits (xmlrpc.client refuses to encode them) and XML cannot hold a
NUL character; both are sent over JSON-2.
"""

import ast
import datetime
import math
import pathlib

import pytest
from crm_client import errors

from conftest import unique

ADDONS = pathlib.Path(__file__).resolve().parent.parent / "addons"
NAN, INF = float("nan"), float("inf")
# (label, value, transports)
BOTH, JSON2 = ("xmlrpc", "json2"), ("json2",)
CATALOGUE = [
    ("nan", NAN, BOTH),
    ("infinity", INF, BOTH),
    ("-infinity", -INF, BOTH),
    ("huge float", 1e300, BOTH),
    ("negative", -1, BOTH),
    ("true", True, BOTH),
    ("int64", 2**40, JSON2),
    ("beyond bigint", 10**20, JSON2),
    ("nul text", "bad\x00text", JSON2),
    ("long text", "x" * 70000, BOTH),
    ("list of lists", [[[]]], BOTH),
    ("mapping", {"a": 1}, BOTH),
    ("date 1800", "1800-01-01", BOTH),
    # A domain whose value does not fit its field (a text for the ids).
    ("bad domain", [["id", "in", "abc"]], BOTH),
    ("huge id domain", [["id", "=", 2**40]], JSON2),
]
# A value the argument legitimately takes is not "bad" there.
VALID_THERE = {
    ("dry_run", "true"), ("rows_as_json", "true"), ("is_company", "true"),
    # A reference given as a number is read as its digits.
    ("ref", "int64"), ("ref", "beyond bigint"),
}
# Row keys: the text-like values are valid text for most of them; only the
# values no key of a row accepts are thrown at each key.
ROW_CATALOGUE = ("nan", "infinity", "-infinity", "huge float", "true", "int64",
                 "beyond bigint", "nul text", "long text", "list of lists", "mapping")
COUNTED = {
    "sale.order": [],
    "sale.order.line": [],
    "res.partner": [("active", "in", [True, False])],
    "crm.complaint": [],
    "mail.message": [("model", "=", "crm.complaint")],
    "crm.customer.segment": [],
    "product.template": [("active", "in", [True, False])],
    "product.supplierinfo": [],
}


def discover():
    """(model, method, [(argument, has default)], is a model method) of every
    public crm_api_* method in the add-ons' models."""
    found = []
    for path in sorted(ADDONS.glob("*/models/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            model = None
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                    names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
                    if "_name" in names or ("_inherit" in names and model is None):
                        model = stmt.value.value
            for func in cls.body:
                if isinstance(func, ast.FunctionDef) and func.name.startswith("crm_api_"):
                    args = [a.arg for a in func.args.args[1:]]
                    defaults = len(func.args.defaults)
                    decorated = any(
                        isinstance(d, ast.Attribute) and d.attr == "model"
                        for d in func.decorator_list)
                    found.append((model, func.name, [
                        (arg, index >= len(args) - defaults) for index, arg in enumerate(args)
                    ], decorated))
    return found


METHODS = discover()


def test_discovery_finds_the_known_methods():
    names = {(model, method) for model, method, _args, _is_model in METHODS}
    assert {
        ("sale.order", "crm_api_import_orders"),
        ("res.partner", "crm_api_upsert_customers"),
        ("res.partner", "crm_api_customer_summary"),
        ("crm.complaint", "crm_api_create_complaint"),
        ("crm.complaint", "crm_api_update"),
        ("crm.customer.score", "crm_api_read_scores"),
        ("crm.customer.segment", "crm_api_segment_export"),
        ("product.template", "crm_api_import_products"),
        ("crm.change.log", "crm_api_changes"),
    } <= names
    assert all(model for model, *_rest in METHODS), "every method has its model"


@pytest.fixture(scope="module")
def fixture_records(rpc):
    """A customer, a product, a segment and a complaint to aim the calls at."""
    admin = rpc("admin", "xmlrpc")
    tag = unique("CAT").replace(" ", "-")
    partner_id = admin.create("res.partner", {
        "name": f"{tag} customer", "is_company": True, "crm_external_ref": tag})
    product_id = admin.create("product.product", {"name": f"{tag} product", "default_code": tag,
                                                  "type": "service", "list_price": 10.0})
    segment_id = admin.create("crm.customer.segment", {
        "name": f"{tag} segment", "partner_domain": repr([("id", "=", partner_id)])})
    complaint = rpc("integration", "xmlrpc").call(
        "crm.complaint", "crm_api_create_complaint",
        values={"subject": f"{tag} complaint", "customer_id": partner_id})
    day = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
    company_id = admin.read("res.users", [admin.uid], ["company_id"])[0]["company_id"][0]
    currency = admin.read("res.company", [company_id], ["currency_id"])[0]["currency_id"][1]
    return {
        "ref": tag, "partner_id": partner_id, "past_day": day, "segment_id": segment_id,
        "product_id": product_id, "complaint_id": complaint["id"],
        "order": {"ref": f"{tag}-O", "customer_ref": tag, "date_order": day, "currency": currency,
                  "lines": [{"product_code": tag, "quantity": 1, "price_unit": 5.0}]},
        "customer": {"ref": f"{tag}-C", "name": f"{tag} new customer"},
        "product": {"ref": f"{tag}-P", "name": f"{tag} new product", "price": 5.0, "cost": 1.0,
                    "type": "goods", "uom": "Units", "supplier_ref": tag, "supplier_price": 2.0},
        "complaint": {"subject": f"{tag} new complaint", "customer_id": partner_id},
    }


def baseline(method, records):
    """Valid arguments of each known method, so that a bad value in one
    argument is what the method refuses. A method not listed here gets its
    defaults (and None for an argument without one)."""
    return {
        # Not dry runs: a bad value let through would write, and be seen.
        "crm_api_import_orders": {"orders": [records["order"]], "dry_run": False},
        "crm_api_upsert_customers": {"rows": [records["customer"]], "dry_run": False},
        "crm_api_customer_summary": {"partner_ids": [records["partner_id"]]},
        "crm_api_create_complaint": {"values": records["complaint"]},
        "crm_api_update": {"message": "catalogue"},
        "crm_api_read_scores": {"domain": [], "limit": 1},
        "crm_api_score_as_of": {"as_of": records["past_day"], "horizon_days": 30},
        "crm_api_score_backtest": {"as_of": records["past_day"], "horizon_days": 1},
        "crm_api_segment_export": {"segment": records["segment_id"], "limit": 10},
        "crm_api_import_products": {"rows": [records["product"]], "dry_run": False},
        "crm_api_changes": {"since": "", "models": ["complaints"], "limit": 10},
    }.get(method, {})


def counts(admin):
    return {model: admin.search_count(model, domain) for model, domain in COUNTED.items()}


def slots(method, args, records):
    """(name, kwargs builder) for each argument and each key of the first row
    (or of the values) a method takes."""
    base = baseline(method, records)
    for arg, _has_default in args:
        yield arg, None, lambda value, arg=arg: {**base, arg: value}
        sample = base.get(arg)
        if isinstance(sample, list) and sample and isinstance(sample[0], dict):
            for key in sample[0]:
                yield f"{arg}[0].{key}", key, lambda value, arg=arg, key=key: {
                    **base, arg: [{**base[arg][0], key: value}]}
                lines = sample[0].get("lines")
                if key == "lines" and lines:
                    for line_key in lines[0]:
                        yield f"{arg}[0].lines[0].{line_key}", line_key, (
                            lambda value, arg=arg, line_key=line_key: {**base, arg: [
                                {**base[arg][0],
                                 "lines": [{**base[arg][0]["lines"][0], line_key: value}]}]})
        elif isinstance(sample, dict):
            for key in sample:
                yield f"{arg}.{key}", key, lambda value, arg=arg, key=key: {
                    **base, arg: {**base[arg], key: value}}


def shown(value):
    text = repr(value)
    return text if len(text) < 60 else text[:60] + "..."


@pytest.mark.parametrize("model,method,args,is_model", METHODS,
                         ids=[f"{m}.{f}" for m, f, _a, _i in METHODS])
def test_bad_values_are_refused_cleanly(rpc, transport, fixture_records, model, method, args,
                                        is_model):
    admin = rpc("admin", "xmlrpc")
    caller = rpc("integration", transport)
    ids = None if is_model else [fixture_records["complaint_id"]]
    before = counts(admin)
    calls, failures = 0, []
    targets = list(slots(method, args, fixture_records))
    if not is_model:
        targets.append(("ids", "ids", None))
    base = baseline(method, fixture_records)
    accepted = []
    for name, key, build in targets:
        for label, value, transports in CATALOGUE:
            if transport not in transports or ((key or name), label) in VALID_THERE:
                continue
            if key and key != "ids" and label not in ROW_CATALOGUE and name != key:
                continue
            # A date-like text is bad for a date, valid for a free text.
            if label == "date 1800" and isinstance(base.get(name), str):
                continue
            if name == "ids":
                call_ids, kwargs = [value], baseline(method, fixture_records)
            else:
                call_ids, kwargs = ids, build(value)
            calls += 1
            try:
                caller.call(model, method, call_ids, **kwargs)
                accepted.append(f"{name}={label}")
            except (errors.ServerRefused, errors.AccessDenied) as refused:
                if not refused.message.strip():
                    failures.append(f"{name}={label}: refused without a message")
            except errors.ClientError as error:
                failures.append(f"{name}={label} ({shown(value)}): {type(error).__name__}: "
                                f"{error}")
            # An accepted call is fine only if it wrote nothing (checked below):
            # e.g. a list of lists is a valid list of ids to read a summary of.
    assert calls, f"{model}.{method}: no bad value sent"
    assert not failures, f"{model}.{method} over {transport}:\n" + "\n".join(failures)
    assert counts(admin) == before, (
        f"{model}.{method} wrote records for bad values; accepted: {accepted}")


def test_catalogue_values_are_what_they_claim():
    # A NaN is a float Python's json and xmlrpc modules both send as such.
    assert math.isnan(CATALOGUE[0][1]) and math.isinf(CATALOGUE[1][1])
    assert {label for label, _value, _t in CATALOGUE} >= set(ROW_CATALOGUE)


@pytest.mark.parametrize("value", [NAN, INF, -INF, 1e13], ids=["nan", "inf", "-inf", "1e13"])
def test_plain_orm_refuses_non_finite_numbers(rpc, transport, fixture_records, value):
    """create/write are public too: a NaN never reaches the database."""
    admin = rpc("admin", transport)
    integration = rpc("integration", transport)
    before = counts(rpc("admin", "xmlrpc"))
    with pytest.raises(errors.ServerRefused) as refused:
        integration.write("crm.complaint", [fixture_records["complaint_id"]],
                          {"compensation_cost": value})
    assert "Compensation Cost" in refused.value.message
    with pytest.raises(errors.ServerRefused):
        admin.create("sale.order", {
            "partner_id": fixture_records["partner_id"],
            "order_line": [(0, 0, {"product_id": fixture_records["product_id"],
                                   "product_uom_qty": 1, "price_unit": value})],
        })
    assert counts(rpc("admin", "xmlrpc")) == before
    assert admin.read("crm.complaint", [fixture_records["complaint_id"]],
                      ["compensation_cost"])[0]["compensation_cost"] == 0.0
