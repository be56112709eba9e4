"""Bulk import and export: CSV files <-> the server's API methods.

The server validates every row (``res.partner.crm_api_upsert_customers``,
``sale.order.crm_api_import_orders``, see docs/API.md); the client reads the
file, checks its shape (encoding, header, cells per row), turns the cells into
typed values, sends them in batches and collects the row-level report.
"""

import csv
import json
import os
import time

from . import errors

CUSTOMER_COLUMNS = (
    "ref", "name", "is_company", "email", "phone", "street", "street2", "city", "zip",
    "website", "vat", "country_code", "state_code",
)
PRODUCT_COLUMNS = ("ref", "name", "price", "cost", "category", "uom", "type", "sale_ok",
                   "purchase_ok", "supplier_ref", "supplier_price")
PRODUCT_NUMBERS = ("price", "cost", "supplier_price")
PRODUCT_BOOLEANS = ("sale_ok", "purchase_ok")
ORDER_HEADER_COLUMNS = ("order_ref", "customer_ref", "date_order", "state", "client_order_ref",
                        "currency")
ORDER_LINE_COLUMNS = ("product_code", "quantity", "price_unit", "description")
ORDER_COLUMNS = ORDER_HEADER_COLUMNS + ORDER_LINE_COLUMNS
ORDER_REQUIRED = ("order_ref", "customer_ref", "date_order", "product_code", "quantity")
TRUE_WORDS = {"1", "true", "yes", "y", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "f"}

EXPORT_COLUMNS = [
    "id", "external_ref", "name", "value_grade", "lifecycle_stage", "tier", "credit_rating",
    "blacklisted", "revenue_12m", "order_count", "order_count_12m", "first_order", "last_order",
    "open_invoice_count", "open_invoice_amount", "overdue_invoice_count",
    "overdue_invoice_amount", "currency",
]
SUMMARY_CHUNK = 5000


def read_csv(path, known, required):
    """Rows of a UTF-8 CSV file as ``(line number, {column: text})``. A file that
    cannot be read, has no header, lacks a required column or has an unknown
    one is a usage error (nothing is sent). A row with more cells than the
    header is returned with the key ``None`` (reported as a row error)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            if not header:
                raise errors.UsageError(f"{path}: the file is empty (no header line).")
            header = [name.strip() for name in header]
            reader.fieldnames = header
            unknown = [name for name in header if name not in known]
            if unknown:
                raise errors.UsageError(
                    f"{path}: unknown column(s) {', '.join(unknown)}; "
                    f"known columns: {', '.join(known)}."
                )
            missing = [name for name in required if name not in header]
            if missing:
                raise errors.UsageError(f"{path}: missing column(s) {', '.join(missing)}.")
            rows = []
            for row in reader:
                rows.append((reader.line_num, row))
            return rows
    except FileNotFoundError:
        raise errors.UsageError(f"{path}: no such file.") from None
    except UnicodeDecodeError:
        raise errors.UsageError(f"{path}: not a UTF-8 text file.") from None
    except csv.Error as error:
        raise errors.UsageError(f"{path}: malformed CSV ({error}).") from None


def _shape_error(row):
    if None in row:
        return "the row has more cells than the header"
    if any(value is None for value in row.values()):
        return "the row has fewer cells than the header"
    return None


def _bool(text):
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return text  # the server says what is wrong with it


def _number(text):
    try:
        return float(text.strip().replace(",", "")) if text.strip() else None
    except ValueError:
        return text  # the server says what is wrong with it


class Progress:
    """One line on stderr per batch: done/total and the counts so far."""

    def __init__(self, stream, total, unit, quiet=False):
        self.stream, self.total, self.unit, self.quiet = stream, total, unit, quiet
        self.started = time.monotonic()

    def update(self, done, counts):
        if self.quiet:
            return
        elapsed = time.monotonic() - self.started
        detail = ", ".join(f"{key} {value}" for key, value in counts.items() if value)
        self.stream.write(
            f"{done}/{self.total} {self.unit} ({detail or 'nothing yet'}) in {elapsed:.1f}s\n"
        )
        self.stream.flush()


def write_report(path, failures):
    """The row-level error report: JSON, or CSV when the name ends in .csv."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if path.lower().endswith(".csv"):
            writer = csv.DictWriter(handle, fieldnames=["line", "ref", "message"],
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(failures)
        else:
            json.dump(failures, handle, indent=2, ensure_ascii=False)
            handle.write("\n")


def _summary(path, counts, dry_run, failures, seconds, **extra):
    return {
        "file": path,
        **extra,
        **counts,
        "dry_run": dry_run,
        "seconds": round(seconds, 2),
        "failures": failures,
    }


def _upsert_file(conn, path, columns, model, method, to_payload, batch_size, dry_run, progress):
    """Send the rows of the CSV ``path`` to ``model.method`` (an upsert by
    ``ref`` answering one status per row), ``batch_size`` rows a call; rows of
    the wrong shape are failures without a call. Returns the summary."""
    rows = read_csv(path, columns, ("ref",))
    started = time.monotonic()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
    failures = []
    pending = []  # (line, payload)
    for line, row in rows:
        shape = _shape_error(row)
        if shape:
            counts["error"] += 1
            failures.append({"line": line, "ref": (row.get("ref") or "").strip(), "message": shape})
            continue
        pending.append((line, to_payload(row)))
    meter = progress or Progress(None, 0, "", quiet=True)
    meter.total = len(rows)
    done = len(rows) - len(pending)
    for start in range(0, len(pending), batch_size):
        batch = pending[start:start + batch_size]
        results = conn.call(
            model, method, rows=[payload for _line, payload in batch], dry_run=dry_run,
        )
        for (line, _payload), result in zip(batch, results, strict=True):
            counts[result["status"]] += 1
            if result["status"] == "error":
                failures.append({"line": line, "ref": result.get("ref") or "",
                                 "message": result["message"]})
        done += len(batch)
        meter.update(done, counts)
    failures.sort(key=lambda failure: failure["line"])
    return _summary(path, counts, dry_run, failures, time.monotonic() - started,
                    rows=len(rows))


def _customer_payload(row):
    payload = {}
    for column, text in row.items():
        payload[column] = _bool(text) if column == "is_company" and text.strip() else text
    if "is_company" in payload and payload["is_company"] == "":
        del payload["is_company"]
    return payload


def _product_payload(row):
    """An empty cell leaves the field alone: it is not sent."""
    payload = {}
    for column, text in row.items():
        if not text.strip():
            continue
        if column in PRODUCT_NUMBERS:
            payload[column] = _number(text)
        elif column in PRODUCT_BOOLEANS:
            payload[column] = _bool(text)
        else:
            payload[column] = text
    return payload


def import_customers(conn, path, batch_size=1000, dry_run=False, progress=None):
    """Upsert the customers of ``path``; returns the summary (failures included)."""
    return _upsert_file(conn, path, CUSTOMER_COLUMNS, "res.partner", "crm_api_upsert_customers",
                        _customer_payload, batch_size, dry_run, progress)


def import_products(conn, path, batch_size=1000, dry_run=False, progress=None):
    """Upsert the products of ``path`` by internal reference; returns the
    summary (failures included). An empty cell leaves the field alone."""
    return _upsert_file(conn, path, PRODUCT_COLUMNS, "product.template",
                        "crm_api_import_products", _product_payload, batch_size, dry_run,
                        progress)


def _group_orders(rows):
    """CSV lines (one per order line) -> orders in order of first appearance,
    plus the failures of lines that cannot belong to any order."""
    orders, failures = {}, []
    for line, row in rows:
        shape = _shape_error(row)
        ref = (row.get("order_ref") or "").strip()
        if shape or not ref:
            failures.append({"line": line, "ref": ref, "message": shape or "order_ref is required"})
            continue
        header = {column: (row.get(column) or "").strip() for column in ORDER_HEADER_COLUMNS}
        order = orders.get(ref)
        if order is None:
            order = orders[ref] = {"line": line, "header": header, "lines": [], "problem": None}
        elif order["header"] != header and not order["problem"]:
            differing = [c for c in ORDER_HEADER_COLUMNS if order["header"][c] != header[c]]
            order["problem"] = (
                f"line {line}: {', '.join(differing)} differ(s) from the order's first line "
                f"{order['line']}"
            )
        payload = {}
        for column in ORDER_LINE_COLUMNS:
            text = row.get(column) or ""
            if column in ("quantity", "price_unit"):
                value = _number(text)
                if value is None and column == "price_unit":
                    continue
                payload[column] = "" if value is None else value
            elif text.strip():
                payload[column] = text
        order["lines"].append(payload)
    return list(orders.values()), failures


def _order_payload(order):
    header = order["header"]
    payload = {
        "ref": header["order_ref"],
        "customer_ref": header["customer_ref"],
        "date_order": header["date_order"],
        "lines": order["lines"],
    }
    if header.get("state"):
        payload["state"] = header["state"]
    if header.get("client_order_ref"):
        payload["client_order_ref"] = header["client_order_ref"]
    if header.get("currency"):
        # An ISO 4217 code; empty: the company's currency.
        payload["currency"] = header["currency"]
    return payload


def import_orders(conn, path, batch_size=5000, dry_run=False, progress=None):
    """Import the historical orders of ``path`` (one CSV line per order line,
    grouped by order_ref); batches of whole orders with at most ``batch_size``
    lines (an order longer than that goes alone)."""
    rows = read_csv(path, ORDER_COLUMNS, ORDER_REQUIRED)
    started = time.monotonic()
    orders, failures = _group_orders(rows)
    counts = {"created": 0, "unchanged": 0, "error": len(failures)}
    sendable = []
    for order in orders:
        if order["problem"]:
            counts["error"] += 1
            failures.append({"line": order["line"], "ref": order["header"]["order_ref"],
                             "message": order["problem"]})
        else:
            sendable.append(order)
    batches, batch, size = [], [], 0
    for order in sendable:
        if batch and size + len(order["lines"]) > batch_size:
            batches.append(batch)
            batch, size = [], 0
        batch.append(order)
        size += len(order["lines"])
    if batch:
        batches.append(batch)
    meter = progress or Progress(None, 0, "", quiet=True)
    meter.total = len(orders)
    done = len(orders) - len(sendable)
    lines_created = 0
    for batch in batches:
        results = conn.call(
            "sale.order", "crm_api_import_orders",
            orders=[_order_payload(order) for order in batch], dry_run=dry_run,
        )
        for order, result in zip(batch, results, strict=True):
            counts[result["status"]] += 1
            if result["status"] == "created":
                lines_created += result.get("lines") or 0
            if result["status"] == "error":
                failures.append({"line": order["line"], "ref": order["header"]["order_ref"],
                                 "message": result["message"]})
        done += len(batch)
        meter.update(done, counts)
    failures.sort(key=lambda failure: failure["line"])
    return _summary(path, counts, dry_run, failures, time.monotonic() - started,
                    orders=len(orders), lines=len(rows), lines_created=lines_created)


def export_rows(conn, partner_ids):
    """The 360 summaries of ``partner_ids`` in chunks, as flat output rows."""
    rows = []
    for start in range(0, len(partner_ids), SUMMARY_CHUNK):
        answer = conn.call("res.partner", "crm_api_customer_summary",
                           partner_ids=partner_ids[start:start + SUMMARY_CHUNK])
        for customer in answer["customers"]:
            row = {key: (None if customer.get(key) is False and key != "blacklisted"
                         else customer.get(key)) for key in EXPORT_COLUMNS}
            for key in ("value_grade", "credit_rating"):
                if row[key]:
                    row[key] = row[key].upper()
            rows.append(row)
    return rows


SEGMENT_PAGE = 2000


def export_segment(conn, segment, page_size=SEGMENT_PAGE, progress_factory=None):
    """The customers of a segment (id or exact name), page by page through
    ``crm.customer.segment.crm_api_segment_export``, as flat output rows.
    ``progress_factory(total)`` gives a :class:`Progress`, updated per page.
    Returns ``(segment info, header, rows)``."""
    rows, header, offset, total, progress, info = [], None, 0, None, None, None
    while total is None or offset < total:
        # Over XML-RPC the rows come as one JSON text (see cmd_scores_list).
        as_json = conn.transport_name == "xmlrpc"
        answer = conn.call("crm.customer.segment", "crm_api_segment_export",
                           segment=segment, offset=offset, limit=page_size,
                           rows_as_json=as_json)
        info, header, total = answer["segment"], answer["header"], answer["total"]
        if as_json:
            answer["rows"] = json.loads(answer["rows"])
        if progress is None and progress_factory:
            progress = progress_factory(total)
        for values in answer["rows"]:
            row = {key: (None if value is False else value)
                   for key, value in zip(header, values, strict=True)}
            if row.get("value_grade"):
                row["value_grade"] = row["value_grade"].upper()
            rows.append(row)
        offset += len(answer["rows"])
        if progress:
            progress.update(offset, {"pages": -(-offset // page_size)})
        if len(answer["rows"]) < page_size:
            # The last page (or the segment shrank while exporting).
            break
    return info, header, rows
