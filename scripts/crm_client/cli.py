"""The ``crm-client`` command line (``python3 -m crm_client``)."""

import argparse
import datetime
import json
import os
import sys
from typing import NamedTuple

from . import __version__, errors, importer
from .config import ENV_VARS, TRANSPORTS, load_settings
from .connection import Connection
from .output import render

MODULES = ("crm_extended", "crm_analytics")
CUSTOMER_COLUMNS = [
    "id", "name", "ref", "grade", "stage", "tier", "credit_rating", "blacklisted", "revenue_12m",
]
CUSTOMER_FIELDS = [
    "name", "ref", "crm_value_grade", "crm_lifecycle_stage", "crm_tier_id", "crm_credit_rating",
    "crm_commercial_blacklist", "crm_revenue_12m",
]
DETAIL_FIELDS = CUSTOMER_FIELDS + [
    "commercial_partner_id", "crm_blacklist_reason", "crm_key_account", "crm_account_manager_id",
    "crm_order_count", "crm_order_count_12m", "crm_first_order_date", "crm_last_order_date",
    "crm_classified_at", "crm_tier_valid_until", "user_id",
]
BLACKLIST_FIELDS = [
    "name", "crm_commercial_blacklist", "crm_blacklist_reason", "crm_blacklist_date",
    "crm_blacklist_user_id",
]

XMLRPC_NOTICE = (
    "note: no API key, so crm-client uses /xmlrpc, which Odoo 19 deprecates (removed in "
    "Odoo 20). Create an API key in Odoo (user menu, top right > Preferences > Account "
    "Security > New API Key) and set CRM_API_KEY, --api-key or api_key= in "
    "~/.config/crm-client.ini: crm-client then uses JSON-2 (see scripts/README.md)."
)

EPILOG = "exit codes:\n" + "\n".join(
    f"  {code}  {meaning}" for code, meaning in sorted(errors.EXIT_CODES.items())
) + (
    "\n\nsettings come from the flags, else the environment ("
    + ", ".join(ENV_VARS[name] for name in ("url", "db", "login", "password", "api_key"))
    + "), else the config file ~/.config/crm-client.ini (see scripts/README.md)."
)


# ---------------------------------------------------------------------------
# Value helpers
# ---------------------------------------------------------------------------


def _m2o(value):
    """[id, name] (or False) from read() -> name (or None)."""
    return value[1] if isinstance(value, list | tuple) and len(value) > 1 else None


def _opt(value):
    """Odoo reads an empty field as False: None is clearer in JSON and CSV."""
    return None if value is False else value


def _key(value, upper=False):
    if not value:
        return None
    return value.upper() if upper else value


def customer_row(record):
    return {
        "id": record["id"],
        "name": record["name"],
        "ref": _opt(record.get("ref")),
        "grade": _key(record.get("crm_value_grade"), upper=True),
        "stage": _key(record.get("crm_lifecycle_stage")),
        "tier": _m2o(record.get("crm_tier_id")),
        "credit_rating": _key(record.get("crm_credit_rating"), upper=True),
        "blacklisted": bool(record.get("crm_commercial_blacklist")),
        "revenue_12m": record.get("crm_revenue_12m") or 0.0,
    }


def selection_key(conn, field, value, option, model="res.partner"):
    """Turn a --grade/--stage value into the selection key the server knows,
    case-insensitively (key or label), or stop with the list of valid values."""
    selection = conn.fields_get(model, [field], attributes=["selection"])[field]["selection"]
    wanted = value.strip().lower()
    for key, label in selection:
        if wanted in (key.lower(), label.lower()):
            return key
    valid = ", ".join(key.upper() if field in UPPER_KEYS else key for key, _label in selection)
    raise errors.UsageError(f"{option} {value!r} is not valid: use one of {valid}.")


UPPER_KEYS = ("crm_value_grade", "crm_credit_rating")


def resolve_partner(conn, ident):
    """A partner by database id or, failing that, by its internal reference."""
    ident = str(ident).strip()
    if ident.isdigit():
        found = conn.search("res.partner", [("id", "=", int(ident))], limit=1)
        if found:
            return found[0]
    found = conn.search("res.partner", [("ref", "=", ident)], limit=2)
    if len(found) > 1:
        raise errors.UsageError(f"Several customers have the reference {ident!r}: use the id.")
    if not found:
        raise errors.NotFound(f"No customer with id or reference {ident!r}.")
    return found[0]


def _count(conn, model, domain):
    """A count, or None when this user may not read the model."""
    try:
        return conn.search_count(model, domain)
    except errors.AccessDenied:
        return None


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


class Outcome(NamedTuple):
    """What a command printed (result), in which column order, its exit code and
    an optional line for stderr."""

    result: dict | list
    columns: list | None = None
    code: int = errors.EXIT_OK
    message: str | None = None


def cmd_check(conn, args):
    info = conn.version()
    uid = conn.uid
    modules = {
        module["name"]: module
        for module in conn.search_read(
            "ir.module.module", [("name", "in", list(MODULES))], ["name", "state", "latest_version"]
        )
    }
    result = {
        "url": conn.url,
        "database": conn.db,
        "transport": conn.transport_name,
        "server_version": info.get("server_version"),
        "uid": uid,
    }
    missing = []
    for name in MODULES:
        module = modules.get(name)
        if module and module["state"] == "installed":
            result[name] = module["latest_version"]
        else:
            result[name] = f"not installed ({module['state']})" if module else "not available"
            missing.append(name)
    if missing:
        return Outcome(result, code=errors.EXIT_CHECK_FAILED,
                       message=f"not installed on {conn.db!r}: {', '.join(missing)}")
    return Outcome(result)


def customer_domain(conn, args):
    """The domain of the customer filters shared by customers and export-customers."""
    # Customers are commercial entities (companies and individuals without a
    # parent): classification lives there.
    domain = [("parent_id", "=", False)]
    if not args.all:
        domain += [
            "|", "|",
            ("customer_rank", ">", 0),
            ("sale_order_ids", "!=", False),
            ("crm_lifecycle_stage", "!=", False),
        ]
    if args.grade:
        domain.append(("crm_value_grade", "=", selection_key(conn, "crm_value_grade", args.grade, "--grade")))
    if args.stage:
        domain.append(
            ("crm_lifecycle_stage", "=", selection_key(conn, "crm_lifecycle_stage", args.stage, "--stage"))
        )
    if args.tier:
        domain.append(("crm_tier_id.name", "ilike", args.tier))
    if getattr(args, "credit_rating", None):
        domain.append(("crm_credit_rating", "=", selection_key(
            conn, "crm_credit_rating", args.credit_rating, "--credit-rating")))
    if args.blacklisted:
        domain.append(("crm_commercial_blacklist", "=", True))
    if args.search:
        domain.append(("name", "ilike", args.search))
    return domain


def cmd_customers(conn, args):
    domain = customer_domain(conn, args)
    records = conn.search_read(
        "res.partner", domain, CUSTOMER_FIELDS, limit=args.limit or None, order="name, id"
    )
    return Outcome([customer_row(record) for record in records], columns=CUSTOMER_COLUMNS)


def cmd_customer(conn, args):
    partner_id = resolve_partner(conn, args.customer)
    record = conn.read("res.partner", [partner_id], ["commercial_partner_id"])[0]
    commercial_id = record["commercial_partner_id"][0]
    record = conn.read("res.partner", [commercial_id], DETAIL_FIELDS)[0]
    result = customer_row(record)
    if commercial_id != partner_id:
        result["asked_for_contact_id"] = partner_id
    result.update({
        "blacklist_reason": _opt(record.get("crm_blacklist_reason")),
        "key_account": _opt(record.get("crm_key_account")),
        "account_manager": _m2o(record.get("crm_account_manager_id")),
        "salesperson": _m2o(record.get("user_id")),
        "tier_valid_until": _opt(record.get("crm_tier_valid_until")),
        "first_order": _opt(record.get("crm_first_order_date")),
        "last_order": _opt(record.get("crm_last_order_date")),
        "classified_at": _opt(record.get("crm_classified_at")),
        "orders_all_time": record.get("crm_order_count") or 0,
        "orders_12m": record.get("crm_order_count_12m") or 0,
    })
    family = [("partner_id", "child_of", commercial_id)]
    result.update({
        "sale_orders": _count(conn, "sale.order", family),
        "confirmed_orders": _count(conn, "sale.order", family + [("state", "=", "sale")]),
        "quotations": _count(conn, "sale.order", family + [("state", "in", ["draft", "sent"])]),
        "invoices": _count(conn, "account.move", family + [
            ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
        ]),
        "credit_notes": _count(conn, "account.move", family + [
            ("move_type", "=", "out_refund"), ("state", "=", "posted"),
        ]),
        "open_opportunities": _count(conn, "crm.lead", family + [("type", "=", "opportunity")]),
    })
    return Outcome(result)


def cmd_reclassify(conn, args):
    answer = conn.call("res.partner", "crm_recompute_classification")
    result = {"database": conn.db, "status": "done"}
    if isinstance(answer, dict):
        # A notification action (for the button) carries the counts in params.
        params = answer.get("params") if answer.get("type") == "ir.actions.client" else answer
        for key, value in (params or {}).items():
            if key not in ("type", "sticky", "title", "next") and isinstance(value, str | int | float):
                result[key] = value
    elif answer not in (None, True):
        result["result"] = answer
    return Outcome(result)


def cmd_blacklist_check(conn, args):
    partner_id = resolve_partner(conn, args.customer)
    partner = conn.read("res.partner", [partner_id], ["name", "commercial_partner_id"])[0]
    commercial_id = partner["commercial_partner_id"][0]
    entity = conn.read("res.partner", [commercial_id], BLACKLIST_FIELDS)[0]
    blacklisted = bool(entity["crm_commercial_blacklist"])
    result = {
        "id": partner_id,
        "name": partner["name"],
        "commercial_partner_id": commercial_id,
        "commercial_partner": entity["name"],
        "blacklisted": blacklisted,
        "reason": _opt(entity["crm_blacklist_reason"]),
        "since": _opt(entity["crm_blacklist_date"]),
        "by": _m2o(entity["crm_blacklist_user_id"]),
    }
    if blacklisted:
        return Outcome(result, code=errors.EXIT_BLACKLISTED,
                       message=f"{entity['name']} is on the commercial blacklist.")
    return Outcome(result)


def _import_outcome(summary, args, stderr_note):
    failures = summary.pop("failures")
    if args.errors:
        importer.write_report(args.errors, failures)
    if getattr(args, "format", "text") == "json":
        summary["failures"] = failures
    if failures:
        shown = "; ".join(f"line {f['line']} ({f['ref'] or 'no ref'}): {f['message']}"
                          for f in failures[:3])
        more = f" and {len(failures) - 3} more" if len(failures) > 3 else ""
        where = f", see {args.errors}" if args.errors else ""
        return Outcome(summary, code=errors.EXIT_ROWS_FAILED,
                       message=f"{len(failures)} row(s) refused{where}: {shown}{more}")
    return Outcome(summary, message=stderr_note)


def _progress(args, unit):
    return importer.Progress(sys.stderr, 0, unit, quiet=args.quiet)


def cmd_import_customers(conn, args):
    summary = importer.import_customers(
        conn, args.csv, batch_size=args.batch_size, dry_run=args.dry_run,
        progress=_progress(args, "rows"),
    )
    return _import_outcome(summary, args, "dry run: nothing was written" if args.dry_run else None)


def cmd_import_products(conn, args):
    summary = importer.import_products(
        conn, args.csv, batch_size=args.batch_size, dry_run=args.dry_run,
        progress=_progress(args, "rows"),
    )
    return _import_outcome(summary, args, "dry run: nothing was written" if args.dry_run else None)


def cmd_import_orders(conn, args):
    summary = importer.import_orders(
        conn, args.csv, batch_size=args.batch_size, dry_run=args.dry_run,
        progress=_progress(args, "orders"),
    )
    return _import_outcome(summary, args, "dry run: nothing was written" if args.dry_run else None)


def cmd_export_customers(conn, args):
    ids = conn.search("res.partner", customer_domain(conn, args),
                      limit=args.limit or None, order="name, id")
    rows = importer.export_rows(conn, ids)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            fmt = getattr(args, "format", "csv")
            render(rows, "json" if fmt == "json" else "csv", handle,
                   importer.EXPORT_COLUMNS)
        return Outcome({"file": args.output, "customers": len(rows)})
    return Outcome(rows, columns=importer.EXPORT_COLUMNS)


# ---------------------------------------------------------------------------
# Complaints and contracts
# ---------------------------------------------------------------------------

PRIORITY_NAMES = {"0": "normal", "1": "high", "2": "urgent", "3": "critical"}
SLA_STATUSES = ("on_time", "at_risk", "breached")
COMPLAINT_COLUMNS = [
    "id", "code", "subject", "customer", "customer_ref", "complaint_type", "channel",
    "priority", "category", "stage", "team", "assignee", "sla_status", "created",
]
COMPLAINT_FIELDS = [
    "code", "name", "commercial_partner_id", "complaint_type", "channel", "priority",
    "category_id", "stage_id", "team_id", "user_id", "sla_status", "create_date",
]
CONTRACT_COLUMNS = [
    "id", "reference", "customer", "customer_ref", "date_end", "days_left", "state",
    "included_cases", "remaining_cases", "included_visits", "remaining_visits",
    "included_hours", "remaining_hours",
]
CONTRACT_FIELDS = [
    "name", "partner_id", "date_end", "state", "included_cases", "remaining_cases",
    "included_visits", "remaining_visits", "included_hours", "remaining_hours",
]


def _priority_name(value):
    return PRIORITY_NAMES.get(value, _opt(value))


def complaint_api_row(record):
    """A complaint as crm_api_create_complaint / crm_api_update return it."""
    row = {key: _opt(record.get(key)) for key in COMPLAINT_COLUMNS if key != "created"}
    row["priority"] = _priority_name(record.get("priority"))
    row["deadline_first_response"] = _opt(record.get("first_response_deadline"))
    row["deadline_resolution"] = _opt(record.get("resolution_deadline"))
    row["sale_order"] = _opt(record.get("sale_order"))
    row["product"] = _opt(record.get("product"))
    row["message_count"] = record.get("message_count")
    return row


def _by_name(conn, model, value, option, domain=None):
    """The id of a stage or team given by name (case-insensitive), id or XML id,
    or stop with the list of valid names."""
    value = value.strip()
    records = conn.search_read(model, domain or [], ["name"])
    if value.isdigit() and any(rec["id"] == int(value) for rec in records):
        return int(value)
    for record in records:
        if record["name"].lower() == value.lower():
            return record["id"]
    if "." in value:
        module, name = value.split(".", 1)
        found = conn.search_read("ir.model.data", [
            ("module", "=", module), ("name", "=", name), ("model", "=", model)], ["res_id"])
        if found:
            return found[0]["res_id"]
    valid = ", ".join(record["name"] for record in records)
    raise errors.UsageError(f"{option} {value!r} is not valid: use one of {valid}.")


def _since(value):
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise errors.UsageError(
            f"--since {value!r} is not a date: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS' (UTC)."
        ) from None
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def complaint_domain(conn, args):
    domain = []
    if args.customer_id:
        domain.append(("partner_id", "child_of", args.customer_id))
    if args.customer_ref:
        domain.append(("commercial_partner_id.crm_external_ref", "=", args.customer_ref))
    if args.stage:
        domain.append(("stage_id", "=", _by_name(conn, "crm.complaint.stage", args.stage, "--stage")))
    if args.team:
        domain.append(("team_id", "=", _by_name(conn, "crm.complaint.team", args.team, "--team")))
    if args.sla:
        domain.append(("sla_status", "=", args.sla))
    if args.since:
        domain.append(("create_date", ">=", _since(args.since)))
    if args.open:
        domain.append(("is_closed", "=", False))
    return domain


def cmd_complaints_list(conn, args):
    records = conn.search_read("crm.complaint", complaint_domain(conn, args), COMPLAINT_FIELDS,
                               limit=args.limit or None, order="id desc")
    customer_ids = sorted({rec["commercial_partner_id"][0] for rec in records
                           if rec["commercial_partner_id"]})
    refs = {
        rec["id"]: _opt(rec["crm_external_ref"])
        for rec in (conn.read("res.partner", customer_ids, ["crm_external_ref"]) if customer_ids else [])
    }
    rows = [{
        "id": rec["id"],
        "code": rec["code"],
        "subject": rec["name"],
        "customer": _m2o(rec["commercial_partner_id"]),
        "customer_ref": refs.get(rec["commercial_partner_id"][0]) if rec["commercial_partner_id"] else None,
        "complaint_type": rec["complaint_type"],
        "channel": rec["channel"],
        "priority": _priority_name(rec["priority"]),
        "category": _m2o(rec["category_id"]),
        "stage": _m2o(rec["stage_id"]),
        "team": _m2o(rec["team_id"]),
        "assignee": _m2o(rec["user_id"]),
        "sla_status": _opt(rec["sla_status"]),
        "created": rec["create_date"],
    } for rec in records]
    return Outcome(rows, columns=COMPLAINT_COLUMNS)


def cmd_complaints_create(conn, args):
    values = {"subject": args.subject}
    if args.customer_id is not None:
        values["customer_id"] = args.customer_id
    if args.customer_ref is not None:
        values["customer_ref"] = args.customer_ref
    for key, option in (("complaint_type", "type"), ("channel", "channel"),
                        ("priority", "priority"), ("category", "category"),
                        ("description", "description"), ("order_ref", "order"),
                        ("product_code", "product")):
        value = getattr(args, option)
        if value is not None:
            values[key] = value
    record = conn.call("crm.complaint", "crm_api_create_complaint", values=values)
    return Outcome(complaint_api_row(record))


def _int_or_text(value):
    value = value.strip()
    return int(value) if value.isdigit() else value


def cmd_complaints_update(conn, args):
    kwargs = {}
    if args.stage is not None:
        kwargs["stage"] = _int_or_text(args.stage)
    if args.priority is not None:
        kwargs["priority"] = args.priority
    if args.assignee is not None:
        kwargs["assignee"] = _int_or_text(args.assignee)
    if args.message is not None:
        kwargs["message"] = args.message
        kwargs["message_type"] = "comment" if args.send_to_customer else "note"
    if not kwargs:
        raise errors.UsageError(
            "Nothing to update: give --stage, --priority, --assignee or --message.")
    record = conn.call("crm.complaint", "crm_api_update", [args.id], **kwargs)
    return Outcome(complaint_api_row(record))


def cmd_contracts_expiring(conn, args):
    if args.days < 0:
        raise errors.UsageError("--days must be 0 or more.")
    today = datetime.date.today()
    until = today + datetime.timedelta(days=args.days)
    records = conn.search_read("crm.service.contract", [
        ("state", "in", ["active", "expiring"]),
        ("date_end", ">=", today.isoformat()), ("date_end", "<=", until.isoformat()),
    ], CONTRACT_FIELDS, limit=args.limit or None, order="date_end, id")
    customer_ids = sorted({rec["partner_id"][0] for rec in records})
    refs = {
        rec["id"]: _opt(rec["crm_external_ref"])
        for rec in (conn.read("res.partner", customer_ids, ["crm_external_ref"]) if customer_ids else [])
    }
    rows = []
    for rec in records:
        row = {key: rec[key] for key in CONTRACT_COLUMNS if key in rec}
        row.update({
            "reference": rec["name"],
            "customer": _m2o(rec["partner_id"]),
            "customer_ref": refs.get(rec["partner_id"][0]),
            "days_left": (datetime.date.fromisoformat(rec["date_end"]) - today).days,
        })
        rows.append(row)
    return Outcome(rows, columns=CONTRACT_COLUMNS)


# ---------------------------------------------------------------------------
# Value scores (crm_analytics)
# ---------------------------------------------------------------------------

SCORE_COLUMNS = [
    "partner_id", "name", "external_ref", "value_score", "rfm_code", "rfm_segment",
    "churn_risk", "p_alive", "predicted_clv", "expected_purchases", "predicted_spend",
]
# Columns of a recompute as of a past date (crm_api_score_as_of).
SCORE_AS_OF_COLUMNS = [
    "partner_id", "name", "external_ref", "value_score", "rfm_code", "rfm_segment",
    "churn_risk", "p_alive", "expected_purchases", "expected_avg_value", "predicted_spend",
    "predicted_clv", "recency_days", "frequency", "monetary", "repeat_purchases",
    "t_x_days", "T_days",
]
SCORE_MODEL_COLUMNS = ["model", "parameter", "value", "unit"]
SCORE_BACKTEST_COLUMNS = [
    "partner_id", "name", "external_ref", "predicted_purchases", "actual_purchases",
    "predicted_spend", "actual_spend",
]
SCORE_BACKTEST_SUMMARY = [
    "as_of", "until", "horizon_days", "customers", "predicted_purchases", "actual_purchases",
    "mae_purchases", "predicted_spend", "actual_spend", "mae_spend",
]
# Scores per call of crm_api_read_scores: one page of a large read.
SCORE_PAGE = 20_000


def score_domain(conn, args):
    domain = []
    if args.customer_id is not None:
        # Scores belong to the commercial partner: a contact finds its company's.
        domain.append(("partner_id", "parent_of", args.customer_id))
    if args.customer_ref:
        domain.append(("partner_id.crm_external_ref", "=", args.customer_ref.strip()))
    if args.segment:
        domain.append(("rfm_segment", "=", selection_key(
            conn, "rfm_segment", args.segment, "--segment", model="crm.customer.score")))
    if args.churn_risk:
        domain.append(("churn_risk", "=", selection_key(
            conn, "churn_risk", args.churn_risk, "--churn-risk", model="crm.customer.score")))
    if args.min_score is not None:
        domain.append(("value_score", ">=", args.min_score))
    return domain


def cmd_scores_list(conn, args):
    if args.limit < 0:
        raise errors.UsageError("--limit must be 0 (all) or more.")
    # crm_api_read_scores answers rows as lists with the customer's name and
    # external reference: half the XML of search_read, and one call a page.
    domain, rows, total = score_domain(conn, args), [], None
    # Several companies: each row says which one it is of.
    columns = SCORE_COLUMNS + (["company"] if len(args.company or []) > 1 else [])
    progress = _progress(args, "scores")
    while total is None or len(rows) < min(total, args.limit or total):
        page = min(SCORE_PAGE, (args.limit or SCORE_PAGE) - len(rows)) if args.limit else SCORE_PAGE
        # Over XML-RPC the rows come as one JSON text: parsing 20,000 x 9 XML
        # values costs the client more than the server's whole answer.
        as_json = conn.transport_name == "xmlrpc"
        extra = {} if args.horizon is None else {"horizon_days": args.horizon}
        if args.company:
            extra["companies"] = [_int_or_text(value) for value in args.company]
        answer = conn.call("crm.customer.score", "crm_api_read_scores", domain=domain,
                           offset=len(rows), limit=page, columns=columns,
                           rows_as_json=as_json, **extra)
        total = answer["total"]
        if as_json:
            answer["rows"] = json.loads(answer["rows"])
        rows.extend({key: _opt(value) for key, value in zip(answer["columns"], row, strict=True)}
                    for row in answer["rows"])
        if not answer["rows"]:
            break
        if total > SCORE_PAGE:
            progress.total = min(total, args.limit or total)
            progress.update(len(rows), {"calls": -(-len(rows) // SCORE_PAGE)})
    return Outcome(rows, columns=columns)


def _check_day(value, option):
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise errors.UsageError(f"{option} must be a date YYYY-MM-DD, not {value!r}.") from None


def cmd_scores_recompute(conn, args):
    if args.as_of is not None:
        # A past date: computed and answered, nothing stored on the server.
        kwargs = {"as_of": _check_day(args.as_of, "--as-of"), "rows_as_json": True}
        if args.horizon is not None:
            kwargs["horizon_days"] = args.horizon
        if args.customer_id is not None:
            kwargs["partner_ids"] = [args.customer_id]
        if args.company is not None:
            kwargs["company"] = _int_or_text(args.company)
        answer = conn.call("crm.customer.score", "crm_api_score_as_of", **kwargs)
        rows = [{key: _opt(value) for key, value in zip(answer["columns"], row, strict=True)}
                for row in json.loads(answer["rows"])]
        return Outcome(rows, columns=SCORE_AS_OF_COLUMNS, message=(
            f"{answer['customers']} customers scored as of {answer['as_of']} "
            f"(horizon {answer['horizon_days']} days; nothing stored)."))
    if args.horizon is not None or args.customer_id is not None:
        raise errors.UsageError("--horizon and --customer-id go with --as-of.")
    if args.company is not None:
        answer = conn.call("crm.customer.score", "crm_api_recompute_scores",
                           company=_int_or_text(args.company))
        return Outcome({"database": conn.db, "status": "done", "company": answer["company"],
                        "customers_scored": answer["customers"]},
                       message=f"{answer['customers']} customers scored.")
    answer = conn.call("crm.customer.score", "action_crm_recompute_scores")
    params = answer.get("params", {}) if isinstance(answer, dict) else {}
    customers = params.get("customers")
    return Outcome({"database": conn.db, "status": "done", "customers_scored": customers},
                   message=params.get("message"))


def cmd_scores_backtest(conn, args):
    kwargs = {"as_of": _check_day(args.as_of, "--as-of"), "horizon_days": args.horizon,
              "rows_as_json": True}
    if args.customer_id is not None:
        kwargs["partner_ids"] = [args.customer_id]
    if args.company is not None:
        kwargs["company"] = _int_or_text(args.company)
    answer = conn.call("crm.customer.score", "crm_api_score_backtest", **kwargs)
    summary = {"as_of": answer["as_of"], "until": answer["until"],
               "horizon_days": answer["horizon_days"], **answer["summary"]}
    message = (f"{summary['customers']} customers: {summary['predicted_purchases']:.1f} purchases "
               f"predicted, {summary['actual_purchases']} made (MAE {summary['mae_purchases']:.3f}); "
               f"spend {summary['predicted_spend']:.2f} predicted, {summary['actual_spend']:.2f} "
               f"made (MAE {summary['mae_spend']:.2f}), {answer['as_of']} to {answer['until']}.")
    if args.summary:
        return Outcome(summary, columns=SCORE_BACKTEST_SUMMARY)
    rows = [{key: _opt(value) for key, value in zip(answer["columns"], row, strict=True)}
            for row in json.loads(answer["rows"])]
    return Outcome(rows, columns=SCORE_BACKTEST_COLUMNS, message=message)


def cmd_scores_model(conn, args):
    kwargs = {} if args.company is None else {"company": _int_or_text(args.company)}
    model = conn.call("crm.customer.score", "crm_api_score_model", **kwargs)
    unit = model["time_unit"]
    rows = []
    for name, params, units in (
        ("bgnbd", model["bgnbd"], {"r": "", "alpha": unit, "a": "", "b": ""}),
        ("gamma_gamma", model["gamma_gamma"], {"p": "", "q": "", "v": "currency"}),
    ):
        for key, value in (params or {}).items():
            rows.append({"model": name, "parameter": key, "value": value, "unit": units[key]})
        if not params:
            rows.append({"model": name, "parameter": "(not fitted)", "value": None, "unit": ""})
    for key, label_unit in (("bgnbd_log_likelihood", ""), ("gamma_log_likelihood", ""),
                            ("customers", "customers"), ("as_of", "date"),
                            ("fitted_at", "UTC"), ("horizon_days", unit),
                            ("clv_months", "months of 30 days"), ("discount_rate", "% a year")):
        rows.append({"model": "fit", "parameter": key, "value": _opt(model[key]),
                     "unit": label_unit})
    return Outcome(rows, columns=SCORE_MODEL_COLUMNS, message=_opt(model["message"]))


# ---------------------------------------------------------------------------
# Incremental sync
# ---------------------------------------------------------------------------

CHANGE_KINDS = ("customers", "scores", "complaints", "contracts")
CHANGE_COLUMNS = ["kind", "id", "status", "company_id", "name"]
MAX_CHANGE_PAGES = 100_000


def _read_state(path):
    """The watermark stored in ``path`` by a previous run ('' when the file
    does not exist yet: from the start)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise errors.UsageError(f"--state {path}: {error.strerror}.") from None


def _write_state(path, watermark):
    """Replace the file in one step: a run stopped half-way keeps the old one."""
    temporary = f"{path}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(watermark + "\n")
        os.replace(temporary, path)
    except OSError as error:
        raise errors.UsageError(f"--state {path}: {error.strerror}.") from None


def _merge_changes(total, page):
    """Add a page to what the previous pages gave: a record changed again
    keeps its later state; a deleted one leaves the changes."""
    for kind, records in page["changes"].items():
        known = total["changes"].setdefault(kind, [])
        fresh = {(r.get("id") or r.get("partner_id"), r.get("company_id")) for r in records}
        known[:] = [r for r in known
                    if (r.get("id") or r.get("partner_id"), r.get("company_id")) not in fresh]
        known += records
    for kind, ids in page["deleted"].items():
        gone = set(ids)
        total["changes"][kind] = [r for r in total["changes"].get(kind, [])
                                  if (r.get("id") or r.get("partner_id")) not in gone]
        total["deleted"][kind] = sorted(set(total["deleted"].get(kind, [])) | gone)
    total["watermark"] = page["watermark"]
    total["more"] = page["more"]


def cmd_changes(conn, args):
    if args.since is not None and args.state:
        raise errors.UsageError("Give --since or --state, not both.")
    if not 1 <= args.limit <= 10000:
        raise errors.UsageError("--limit must be between 1 and 10000.")
    since = _read_state(args.state) if args.state else (args.since or "")
    kwargs = {"limit": args.limit}
    if args.models:
        models = [name.strip() for name in args.models.split(",") if name.strip()]
        unknown = sorted(set(models) - set(CHANGE_KINDS))
        if unknown or not models:
            raise errors.UsageError(
                f"--models takes a comma-separated list of {', '.join(CHANGE_KINDS)}.")
        kwargs["models"] = models
    if args.company:
        kwargs["companies"] = [_int_or_text(value) for value in args.company]
    total = {"changes": {}, "deleted": {}, "watermark": since, "more": True}
    pages = 0
    while total["more"]:
        page = conn.call("crm.change.log", "crm_api_changes", since=total["watermark"], **kwargs)
        _merge_changes(total, page)
        pages += 1
        if args.one_page or pages >= MAX_CHANGE_PAGES:
            break
    if args.state and not args.dry_run:
        _write_state(args.state, total["watermark"])
    changed = sum(len(records) for records in total["changes"].values())
    deleted = sum(len(ids) for ids in total["deleted"].values())
    message = (f"{changed} changed, {deleted} deleted in {pages} call(s); next watermark: "
               f"{total['watermark']}" + (" (more to read)" if total["more"] else ""))
    if getattr(args, "format", "text") == "json":
        return Outcome(total, message=message)
    rows = [{"kind": kind, "id": record.get("id") or record.get("partner_id"),
             "status": "changed", "company_id": record.get("company_id"),
             "name": record.get("name") or record.get("code") or record.get("external_ref")}
            for kind, records in total["changes"].items() for record in records]
    rows += [{"kind": kind, "id": record_id, "status": "deleted", "company_id": None,
              "name": None}
             for kind, ids in total["deleted"].items() for record_id in ids]
    return Outcome(rows, columns=CHANGE_COLUMNS, message=message)


# ---------------------------------------------------------------------------
# Customer segments (crm_analytics)
# ---------------------------------------------------------------------------

SEGMENT_COLUMNS = ["id", "name", "customers", "company"]


def _segment_ident(value):
    """An all-digit argument is a segment id, anything else its exact name."""
    value = value.strip()
    if not value:
        raise errors.UsageError("Give a segment name or id.")
    return int(value) if value.isdigit() else value


def cmd_segments_list(conn, args):
    records = conn.search_read("crm.customer.segment", [],
                               ["name", "customer_count", "company_id"], order="sequence, name, id")
    rows = [{
        "id": rec["id"],
        "name": rec["name"],
        "customers": rec["customer_count"],
        "company": _m2o(rec["company_id"]),
    } for rec in records]
    return Outcome(rows, columns=SEGMENT_COLUMNS)


def cmd_segments_export(conn, args):
    if not 1 <= args.page_size <= 10000:
        raise errors.UsageError("--page-size must be between 1 and 10000.")
    segment = _segment_ident(args.segment)
    info, header, rows = importer.export_segment(
        conn, segment, page_size=args.page_size,
        progress_factory=lambda total: importer.Progress(
            sys.stderr, total, "customers", quiet=args.quiet),
    )
    if args.output:
        fmt = getattr(args, "format", "csv")
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            render(rows, "json" if fmt == "json" else "csv", handle, header)
        return Outcome({"file": args.output, "segment": info["name"], "customers": len(rows)})
    return Outcome(rows, columns=header)


COMMANDS = {
    "check": cmd_check,
    "customers": cmd_customers,
    "customer": cmd_customer,
    "reclassify": cmd_reclassify,
    "blacklist-check": cmd_blacklist_check,
    "import-customers": cmd_import_customers,
    "import-products": cmd_import_products,
    "import-orders": cmd_import_orders,
    "export-customers": cmd_export_customers,
    "complaints list": cmd_complaints_list,
    "complaints create": cmd_complaints_create,
    "complaints update": cmd_complaints_update,
    "contracts expiring": cmd_contracts_expiring,
    "scores list": cmd_scores_list,
    "scores recompute": cmd_scores_recompute,
    "scores model": cmd_scores_model,
    "scores backtest": cmd_scores_backtest,
    "changes": cmd_changes,
    "segments list": cmd_segments_list,
    "segments export": cmd_segments_export,
}


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------


def _common_options():
    """Options accepted before and after the command name (SUPPRESS keeps a value
    given before the command when the subcommand does not repeat it)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection")
    S = argparse.SUPPRESS
    group.add_argument("--url", default=S, help="server URL, e.g. http://localhost:8069 (CRM_URL)")
    group.add_argument("--db", "-d", default=S, help="database name (CRM_DB)")
    group.add_argument("--login", "-u", default=S, help="login, for XML-RPC (CRM_LOGIN)")
    group.add_argument("--password", default=S,
                       help="password or API key, for XML-RPC (CRM_PASSWORD; prefer the "
                            "environment or the config file to the command line)")
    group.add_argument("--api-key", default=S, help="API key, for JSON-2 (CRM_API_KEY)")
    group.add_argument("--transport", "-t", choices=TRANSPORTS, default=S,
                       help="json2 (Odoo 19's JSON API, needs an API key) or xmlrpc "
                            "(deprecated in Odoo 19; default: json2 whenever there is an API "
                            "key, else xmlrpc with a note on stderr)")
    group.add_argument("--config", default=S, help="config file (default ~/.config/crm-client.ini)")
    group.add_argument("--profile", default=S, help="section of the config file (default: default)")
    group.add_argument("--timeout", type=float, default=S, help="seconds per request (default 60)")
    group.add_argument("--retries", type=int, default=S,
                       help="retries on refused/reset connections and 502/503/504 (default 3)")
    group.add_argument("--retry-delay", type=float, default=S,
                       help="first back-off delay in seconds, doubled each retry (default 0.5)")
    out = common.add_argument_group("output")
    out.add_argument("--format", "-f", choices=("text", "json", "csv"), default=S,
                     help="output format (default text)")
    out.add_argument("--debug", action="store_true", default=S,
                     help="on a server error, also print the server's traceback")
    return common


def build_parser():
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="crm-client",
        description="Command-line client for the CRM extension of Odoo 19 "
                    "(crm_extended, crm_analytics), over XML-RPC or JSON-2.",
        epilog=EPILOG,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, help_text):
        return sub.add_parser(name, parents=[common], help=help_text, description=help_text,
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)

    add("check", "check the connection, the server version and the installed CRM modules")
    customers = add("customers", "list customers with grade, stage, tier, credit rating, blacklist")
    customers.add_argument("--grade", help="value grade: A, B or C")
    customers.add_argument("--stage", help="lifecycle stage, e.g. new, loyal, at_risk")
    customers.add_argument("--tier", help="tier name (contains)")
    customers.add_argument("--blacklisted", action="store_true", help="only blacklisted customers")
    customers.add_argument("--search", help="name contains")
    customers.add_argument("--limit", type=int, default=100, help="at most this many (0: all; default 100)")
    customers.add_argument("--all", action="store_true",
                           help="every commercial partner, not only those that are customers")
    customer = add("customer", "360-degree summary of one customer")
    customer.add_argument("customer", help="partner id or internal reference")
    add("reclassify", "recompute grades, stages and tiers on the server (CRM managers)")
    check = add("blacklist-check",
                f"is the customer on the commercial blacklist? (exit {errors.EXIT_BLACKLISTED} if so)")
    check.add_argument("customer", help="partner id or internal reference")

    def import_options(command, batch_default, unit):
        command.add_argument("--dry-run", action="store_true",
                             help="validate every row on the server and report, write nothing")
        command.add_argument("--batch-size", type=int, default=batch_default,
                             help=f"{unit} per call (default {batch_default})")
        command.add_argument("--errors", metavar="FILE",
                             help="write the refused rows (line, ref, message) to FILE: "
                                  "JSON, or CSV when FILE ends in .csv")
        command.add_argument("--quiet", "-q", action="store_true",
                             help="no progress lines on stderr")

    customers_in = add(
        "import-customers",
        "create or update customers from a CSV file, by their external reference "
        f"(exit {errors.EXIT_ROWS_FAILED} if a row was refused)",
    )
    customers_in.add_argument(
        "csv", help="UTF-8 CSV with a header; columns: " + ", ".join(importer.CUSTOMER_COLUMNS)
        + " (ref required; name required for new customers; an empty cell clears the field)")
    import_options(customers_in, 1000, "rows")
    products_in = add(
        "import-products",
        "create or update products from a CSV file, by their internal reference "
        f"(exit {errors.EXIT_ROWS_FAILED} if a row was refused)",
    )
    products_in.add_argument(
        "csv", help="UTF-8 CSV with a header; columns: " + ", ".join(importer.PRODUCT_COLUMNS)
        + " (ref required; name required for new products; type: goods or service; category: "
        "full name such as 'Goods / Spares'; uom: unit name such as Units or kg; supplier_ref: "
        "the vendor's external reference; an empty cell leaves the field alone)")
    import_options(products_in, 1000, "rows")
    orders_in = add(
        "import-orders",
        "import historical sale orders from a CSV file, one line per order line, by "
        f"external order reference: a re-run creates no duplicates (exit {errors.EXIT_ROWS_FAILED} "
        "if an order was refused)",
    )
    orders_in.add_argument(
        "csv", help="UTF-8 CSV with a header; columns: " + ", ".join(importer.ORDER_COLUMNS)
        + " (required: " + ", ".join(importer.ORDER_REQUIRED) + "; state: done (default) or sale; "
        "date_order: YYYY-MM-DD[ HH:MM:SS] UTC, in the past; currency: ISO 4217 code of "
        "the order's amounts, default the company's)")
    import_options(orders_in, 5000, "order lines")
    export = add("export-customers",
                 "export a customer segment with its 360 summary (CSV or JSON with --format)")
    export.add_argument("--grade", help="value grade: A, B or C")
    export.add_argument("--stage", help="lifecycle stage, e.g. new, loyal, at_risk")
    export.add_argument("--tier", help="tier name (contains)")
    export.add_argument("--credit-rating", help="credit rating, e.g. AAA, BB")
    export.add_argument("--blacklisted", action="store_true", help="only blacklisted customers")
    export.add_argument("--search", help="name contains")
    export.add_argument("--limit", type=int, default=0, help="at most this many (default 0: all)")
    export.add_argument("--all", action="store_true",
                        help="every commercial partner, not only those that are customers")
    export.add_argument("--output", "-o", metavar="FILE",
                        help="write to FILE (CSV unless --format json) instead of stdout")
    complaints = add("complaints", "create, list and update complaints")
    complaint_sub = complaints.add_subparsers(dest="action", required=True, metavar="ACTION")

    def add_action(group, name, help_text):
        return group.add_parser(name, parents=[common], help=help_text, description=help_text,
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)

    create = add_action(complaint_sub, "create",
                        "file a complaint for a customer given by id or external reference")
    who = create.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer-id", type=int, help="partner id (a contact is fine)")
    who.add_argument("--customer-ref", help="the customer's external reference (crm_external_ref)")
    create.add_argument("--subject", required=True, help="one line saying what happened")
    create.add_argument("--type", help="complaint (default), suggestion, praise or inquiry")
    create.add_argument("--channel", help="email, phone (default), portal, in_person, social, other")
    create.add_argument("--priority", help="normal, high, urgent, critical or 0-3 "
                                           "(default: from the customer's tier)")
    create.add_argument("--category", help="root cause, by name or id")
    create.add_argument("--description", help="what the customer reported (plain text)")
    create.add_argument("--order", help="the sales order concerned: name or external reference")
    create.add_argument("--product", help="the product concerned: internal reference")
    listing = add_action(complaint_sub, "list", "list complaints, newest first")
    listing.add_argument("--customer-id", type=int, help="of this customer (and its contacts)")
    listing.add_argument("--customer-ref", help="of the customer with this external reference")
    listing.add_argument("--stage", help="stage name, id or XML id")
    listing.add_argument("--sla", choices=SLA_STATUSES, help="service level status")
    listing.add_argument("--team", help="team name or id")
    listing.add_argument("--since", help="created at or after: YYYY-MM-DD[ HH:MM:SS] (UTC)")
    listing.add_argument("--open", action="store_true", help="only complaints not closed")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (0: all; default 100)")
    update = add_action(complaint_sub, "update",
                        "change a complaint's stage, priority or assignee and/or add a message, "
                        "in one transaction")
    update.add_argument("id", type=int, help="complaint id")
    update.add_argument("--stage", help="stage name, id or XML id "
                                        "(e.g. 'In Progress', crm_extended.crm_complaint_stage_closed)")
    update.add_argument("--priority", help="normal, high, urgent, critical or 0-3")
    update.add_argument("--assignee", help="login or user id of an internal user")
    update.add_argument("--message", help="text added to the chatter (an internal note)")
    update.add_argument("--send-to-customer", action="store_true",
                        help="post --message as a comment sent to the followers, customer included")
    contracts = add("contracts", "service contracts")
    contract_sub = contracts.add_subparsers(dest="action", required=True, metavar="ACTION")
    expiring = add_action(contract_sub, "expiring",
                          "active contracts ending within --days days, with remaining entitlements")
    expiring.add_argument("--days", type=int, default=30, help="window in days from today (default 30)")
    expiring.add_argument("--limit", type=int, default=0, help="at most this many (default 0: all)")
    scores = add("scores", "customer value scores (crm_analytics)")
    score_sub = scores.add_subparsers(dest="action", required=True, metavar="ACTION")
    recompute = add_action(
        score_sub, "recompute",
        "recompute the value scores of the user's current company now, or with --as-of "
        "compute them as of a past date and print them without storing anything (CRM managers)")
    recompute.add_argument("--as-of", metavar="YYYY-MM-DD",
                           help="only orders and credit notes dated up to this day count; the "
                                "scores are printed, today's stay as they are")
    recompute.add_argument("--horizon", type=int, metavar="DAYS",
                           help="with --as-of: forecast horizon in days (default: the settings')")
    recompute.add_argument("--customer-id", type=int,
                           help="with --as-of: print this customer only (all are fitted)")
    recompute.add_argument("--company", help="of this company of yours, by id or exact name "
                                             "(default: your current company)")
    model = add_action(score_sub, "model",
                       "the fitted BG/NBD and Gamma-Gamma parameters with their units (time in days)")
    model.add_argument("--company", help="of this company of yours, by id or exact name "
                                         "(default: your current company)")
    backtest = add_action(
        score_sub, "backtest",
        "score as of a past date and compare each customer's predicted purchases and spend "
        "over the horizon with what happened (CRM managers; nothing stored)")
    backtest.add_argument("--as-of", metavar="YYYY-MM-DD", required=True,
                          help="score with the history up to this day")
    backtest.add_argument("--horizon", type=int, metavar="DAYS", required=True,
                          help="compare over the next DAYS days (as-of + DAYS must be past)")
    backtest.add_argument("--customer-id", type=int, help="print this customer only")
    backtest.add_argument("--company", help="of this company of yours, by id or exact name "
                                            "(default: your current company)")
    backtest.add_argument("--summary", action="store_true",
                          help="print the totals and mean absolute errors instead of the customers")
    score_list = add_action(score_sub, "list",
                            "list customer value scores, best first, with RFM segment and churn risk")
    score_list.add_argument("--customer-id", type=int, help="of this customer (a contact finds its company)")
    score_list.add_argument("--customer-ref", help="of the customer with this external reference")
    score_list.add_argument("--segment",
                            help="RFM segment, key or label, e.g. champions, at_risk, 'Cannot Lose'")
    score_list.add_argument("--churn-risk", help="low, medium or high")
    score_list.add_argument("--min-score", type=float,
                            help="value score at least this (0-100; the server rounds it to one decimal)")
    score_list.add_argument("--limit", type=int, default=100, help="at most this many (0: all; default 100)")
    score_list.add_argument("--company", action="append",
                            help="of this company of yours, by id or exact name; repeat for "
                                 "several (a company column is added); default: your current company")
    score_list.add_argument("--horizon", type=int, metavar="DAYS",
                            help="expected_purchases and predicted_spend over this many days "
                                 "(default: the settings' horizon)")
    score_list.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    changes = add(
        "changes",
        "what changed since a watermark: customer classification, scores, complaints, "
        "contracts, deleted ids, and the next watermark (integration users, CRM managers)")
    changes.add_argument("--since", metavar="WATERMARK",
                         help="the watermark of the previous run (default: from the start)")
    changes.add_argument("--state", metavar="FILE",
                         help="read the watermark from FILE (if it exists) and write the next "
                              "one to it after a successful run")
    changes.add_argument("--models", metavar="KINDS",
                         help="comma-separated: " + ",".join(CHANGE_KINDS) + " (default all)")
    changes.add_argument("--company", action="append",
                         help="of this company of yours, by id or exact name; repeat for "
                              "several (default: your current company)")
    changes.add_argument("--limit", type=int, default=1000,
                         help="change-log rows per call (1-10000, default 1000)")
    changes.add_argument("--one-page", action="store_true",
                         help="one call only (the watermark then may say there is more)")
    changes.add_argument("--dry-run", action="store_true",
                         help="with --state: print the changes but keep the file as it is")
    segments = add("segments", "saved customer segments (crm_analytics)")
    segment_sub = segments.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_action(segment_sub, "list", "list the customer segments with their current customer count")
    segment_export = add_action(
        segment_sub, "export",
        "export the customers of a segment: id, name, ref, external_ref, email, value_grade, "
        "lifecycle_stage, rfm_segment, churn_risk, value_score (CSV or JSON with --format; "
        "progress on stderr)")
    segment_export.add_argument("segment", help="segment id (all digits) or exact name")
    segment_export.add_argument("--output", "-o", metavar="FILE",
                                help="write to FILE (CSV unless --format json) instead of stdout")
    segment_export.add_argument("--page-size", type=int, default=importer.SEGMENT_PAGE,
                                help=f"customers per call (default {importer.SEGMENT_PAGE}, "
                                     "at most 10000)")
    segment_export.add_argument("--quiet", "-q", action="store_true",
                                help="no progress lines on stderr")
    return parser


def main(argv=None, environ=None, stdout=None, stderr=None):
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    options = vars(args)
    debug = options.get("debug", False)
    try:
        settings = load_settings(
            {name: options.get(name) for name in (*ENV_VARS, "config", "profile")}, environ
        )
        if settings.xmlrpc_fallback:
            # Once per run, before any call: a run makes many.
            print(XMLRPC_NOTICE, file=stderr)
        conn = Connection.from_settings(settings)
        command = args.command
        if getattr(args, "action", None):
            command = f"{command} {args.action}"
        outcome = COMMANDS[command](conn, args)
    except errors.ClientError as error:
        print(f"error: {error.message}", file=stderr)
        if debug and error.debug:
            print(error.debug, file=stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    render(outcome.result, options.get("format", "text"), stdout, outcome.columns)
    if outcome.message:
        failed = outcome.code in (errors.EXIT_CHECK_FAILED, errors.EXIT_ROWS_FAILED)
        print(f"{'error' if failed else 'note'}: {outcome.message}", file=stderr)
    return outcome.code
