"""The CSV side of the bulk import, without a server: shape checks, typed cells,
grouping of order lines into orders, batching."""

import pytest
from crm_client import errors, importer


def write(tmp_path, text, name="in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


class Recorder:
    """Stands in for the connection: records the batches, answers like the server."""

    def __init__(self):
        self.calls = []

    def call(self, model, method, **kwargs):
        self.calls.append((model, method, kwargs))
        items = kwargs.get("rows") or kwargs.get("orders")
        return [{"index": i, "ref": item.get("ref"), "id": i + 1, "status": "created",
                 "lines": len(item.get("lines", [])), "message": ""}
                for i, item in enumerate(items)]


def test_customer_cells_are_typed_and_bad_shapes_reported(tmp_path):
    path = write(tmp_path, "ref,name,is_company\nA,Alpha,yes\nB,Beta,\nC,Gamma,no,extra\nD\n")
    conn = Recorder()
    summary = importer.import_customers(conn, path, batch_size=1)
    sent = [kwargs["rows"][0] for _m, _f, kwargs in conn.calls]
    assert sent == [{"ref": "A", "name": "Alpha", "is_company": True},
                    {"ref": "B", "name": "Beta"}]
    assert [(f["line"], f["message"]) for f in summary["failures"]] == [
        (4, "the row has more cells than the header"),
        (5, "the row has fewer cells than the header"),
    ]
    assert (summary["created"], summary["error"]) == (2, 2)


def test_order_lines_are_grouped_and_inconsistent_orders_refused(tmp_path):
    path = write(tmp_path, (
        "order_ref,customer_ref,date_order,product_code,quantity,price_unit\n"
        "O1,C1,2024-01-01,P1,2,9.5\n"
        "O2,C1,2024-01-02,P1,1,\n"
        "O1,C1,2024-01-01,P2,3,1\n"
        "O3,C1,2024-01-03,P1,x,\n"
        "O4,C1,2024-01-04,P1,1,\n"
        "O4,C2,2024-01-04,P2,1,\n"
    ))
    conn = Recorder()
    summary = importer.import_orders(conn, path, batch_size=3)
    batches = [[order["ref"] for order in kwargs["orders"]] for _m, _f, kwargs in conn.calls]
    assert batches == [["O1", "O2"], ["O3"]]  # whole orders, at most 3 lines a batch
    orders = {o["ref"]: o for _m, _f, kwargs in conn.calls for o in kwargs["orders"]}
    assert orders["O1"]["lines"] == [
        {"product_code": "P1", "quantity": 2.0, "price_unit": 9.5},
        {"product_code": "P2", "quantity": 3.0, "price_unit": 1.0},
    ]
    assert orders["O2"]["lines"] == [{"product_code": "P1", "quantity": 1.0}]
    assert orders["O3"]["lines"][0]["quantity"] == "x"  # the server explains what is wrong
    assert summary["failures"] == [{"line": 6, "ref": "O4", "message":
                                    "line 7: customer_ref differ(s) from the order's first line 6"}]
    assert (summary["orders"], summary["created"], summary["error"]) == (4, 3, 1)


def test_header_problems_stop_before_sending(tmp_path):
    with pytest.raises(errors.UsageError, match="missing column"):
        importer.read_csv(write(tmp_path, "order_ref,customer_ref\nO1,C1\n"),
                          importer.ORDER_COLUMNS, importer.ORDER_REQUIRED)
    with pytest.raises(errors.UsageError, match="unknown column"):
        importer.read_csv(write(tmp_path, "ref,nmae\nA,B\n"), importer.CUSTOMER_COLUMNS, ("ref",))


def test_order_currency_is_an_order_column(tmp_path):
    path = write(tmp_path, (
        "order_ref,customer_ref,date_order,currency,product_code,quantity\n"
        "O1,C1,2024-01-01,EUR,P1,2\n"
        "O1,C1,2024-01-01,EUR,P2,1\n"
        "O2,C1,2024-01-02,,P1,1\n"
        "O3,C1,2024-01-03,EUR,P1,1\n"
        "O3,C1,2024-01-03,USD,P2,1\n"
    ))
    conn = Recorder()
    summary = importer.import_orders(conn, path)
    orders = {o["ref"]: o for _m, _f, kwargs in conn.calls for o in kwargs["orders"]}
    assert orders["O1"]["currency"] == "EUR"
    assert "currency" not in orders["O2"]  # empty: the company's currency
    assert "O3" not in orders
    assert summary["failures"] == [{"line": 5, "ref": "O3", "message":
                                    "line 6: currency differ(s) from the order's first line 5"}]
