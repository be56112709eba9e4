"""Public API: import historical sale orders from another system (see docs/API.md)."""

from collections import defaultdict
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..tools import api_validation as check
from .res_partner_api import MAX_BATCH

ORDER_KEYS = ("ref", "customer_ref", "date_order", "state", "client_order_ref", "lines")
LINE_KEYS = ("product_code", "quantity", "price_unit", "description")
# Historical states: 'done' is a closed order (delivered, invoiced and locked in
# the other system), 'sale' a confirmed order still to deliver and invoice.
IMPORT_STATES = ("done", "sale")
MAX_LINES = MAX_BATCH * 10


def _number(value):
    """A finite number within the API's bounds (not a boolean, NaN or Infinity)."""
    return check.is_number(value)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    crm_external_ref = fields.Char(
        string="External Order Reference",
        copy=False,
        index="btree_not_null",
        readonly=True,
        help="The order's key in the system it was imported from: importing it again "
        "finds it instead of creating a duplicate.",
    )

    _crm_external_ref_unique = models.UniqueIndex(
        "(company_id, crm_external_ref) WHERE crm_external_ref IS NOT NULL",
        "Another order of this company already has this external reference.",
    )

    @api.model
    def _crm_api_check_import_rights(self):
        """Historical orders skip the sales workflow (no picking, no invoice
        document): reserved to integration users and sales or CRM managers."""
        user = self.env.user
        if not self.env.su and not any(user.has_group(group) for group in (
            "crm_extended.group_crm_extended_integration",
            "crm_extended.group_crm_extended_manager",
            "sales_team.group_sale_manager",
        )):
            raise AccessError(self.env._(
                "Only integration users and sales or CRM managers may import historical orders."
            ))
        self.check_access("create")
        self.env["sale.order.line"].check_access("create")

    @api.model
    def crm_api_import_orders(self, orders, dry_run=False):
        """Import historical sale orders of the current company, upserted by their
        external reference ``ref``: an order already imported is left as it is
        and reported ``unchanged``, so a re-run creates no duplicates.

        ``orders``: list of dicts with ``ref`` (required), ``customer_ref`` (the
        customer's ``crm_external_ref``, required), ``date_order`` (required,
        ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS`` UTC, not in the future),
        ``state`` (``done``, the default: delivered, invoiced and locked; or
        ``sale``: confirmed, to deliver and invoice), ``client_order_ref``, and
        ``lines``: a non-empty list of ``{product_code, quantity, price_unit,
        description}`` (``product_code`` is the product's internal reference,
        ``quantity`` > 0, ``price_unit`` >= 0 defaults to the sales price).

        Row-level: invalid orders are reported and nothing of them is written;
        the valid ones are written with a few set-based statements, taxes from
        the products, amounts as the ORM computes them, names from the order
        sequence; then their customers are reclassified. Blacklisted customers
        are refused. With ``dry_run`` nothing is written.

        Returns one dict per order: ``{index, ref, id, status, lines, message}``
        with status ``created``, ``unchanged`` or ``error``.
        """
        _ = self.env._
        Partner = self.env["res.partner"]
        Partner._crm_api_check_rows(orders, _("Orders"))
        check.boolean(self.env, dry_run, "dry_run")
        self._crm_api_check_import_rights()
        company = self.env.company
        now = fields.Datetime.now()
        results, valid = [], []
        for index, order in enumerate(orders):
            result = {"index": index, "ref": False, "id": False, "status": "error",
                      "lines": 0, "message": ""}
            results.append(result)
            if not isinstance(order, dict):
                result["message"] = _("An order must be a mapping of field names to values.")
                continue
            result["ref"] = check.echo(order.get("ref"))
            try:
                valid.append((result, self._crm_api_order_vals(order, now)))
            except ValidationError as error:
                result["message"] = error.args[0]
        if sum(len(vals["lines"]) for _result, vals in valid) > MAX_LINES:
            raise ValidationError(_("At most %(max)s order lines per call.", max=MAX_LINES))

        refs = [vals["ref"] for _result, vals in valid]
        existing = dict(self.env["sale.order"].with_context(active_test=False)._read_group(
            [("crm_external_ref", "in", refs), ("company_id", "=", company.id)],
            ["crm_external_ref"], ["id:min"],
        ))
        customers = {
            partner.crm_external_ref: partner
            for partner in Partner.search_fetch(
                [("crm_external_ref", "in", [vals["customer_ref"] for _r, vals in valid]),
                 ("company_id", "in", [company.id, False]), ("parent_id", "=", False)],
                ["crm_external_ref", "crm_commercial_blacklist", "user_id",
                 "property_payment_term_id", "company_id"],
                order="company_id",
            )[::-1]  # reversed: the company's own partner (listed first) wins
        }
        codes = {line["product_code"] for _result, vals in valid for line in vals["lines"]}
        products = defaultdict(list)
        for product in self.env["product.product"].search_fetch(
            [("default_code", "in", list(codes)), ("sale_ok", "=", True),
             ("company_id", "in", [company.id, False])],
            ["default_code", "list_price", "uom_id", "display_name", "type", "taxes_id"],
        ):
            products[product.default_code].append(product)

        seen = set()
        to_import = []
        for result, vals in valid:
            ref = vals["ref"]
            result["ref"] = ref
            if ref in seen:
                result["message"] = _("The reference %(ref)s appears more than once in this batch.",
                                      ref=ref)
                continue
            seen.add(ref)
            if ref in existing:
                result.update(id=existing[ref], status="unchanged",
                              message=_("Already imported: left unchanged."))
                continue
            customer = customers.get(vals["customer_ref"])
            if not customer:
                result["message"] = _("Unknown customer %(ref)s (no customer with this "
                                      "external reference in this company).",
                                      ref=vals["customer_ref"])
                continue
            if customer.crm_commercial_blacklist:
                result["message"] = _("%(customer)s is on the commercial blacklist.",
                                      customer=customer.display_name)
                continue
            lines = []
            for number, line in enumerate(vals["lines"], start=1):
                found = products.get(line["product_code"], [])
                if len(found) != 1:
                    result["message"] = (
                        _("Line %(line)s: unknown product %(code)s (no product that can be "
                          "sold with this internal reference).", line=number,
                          code=line["product_code"])
                        if not found else
                        _("Line %(line)s: several products have the internal reference "
                          "%(code)s.", line=number, code=line["product_code"])
                    )
                    break
                lines.append((found[0], line))
            else:
                result.update(status="created", lines=len(lines))
                to_import.append((result, vals, customer, lines))
        if to_import and not dry_run:
            self._crm_api_insert_orders(company, to_import)
        return results

    @api.model
    def _crm_api_order_vals(self, order, now):
        """Checked and normalised values of one order, or ValidationError."""
        _ = self.env._
        Partner = self.env["res.partner"]
        unknown = sorted(set(order) - set(ORDER_KEYS))
        if unknown:
            raise ValidationError(_("Unknown field(s): %(fields)s.",
                                    fields=", ".join(map(str, unknown))))
        ref, error = Partner._crm_api_ref(order)
        customer_ref, customer_error = Partner._crm_api_ref(order, "customer_ref")
        if error or customer_error:
            raise ValidationError(error or customer_error)
        date_value = order.get("date_order")
        if not date_value:
            raise ValidationError(_("date_order is required."))
        date_order = check.date_value(self.env, date_value, "date_order", check_years=False)
        if not isinstance(date_order, datetime):
            date_order = datetime.combine(date_order, datetime.min.time())
        if date_order > now:
            raise ValidationError(_("date_order %(value)s is in the future: only past "
                                    "orders can be imported.", value=date_value))
        check.year_in_range(self.env, date_order, "date_order", date_value)
        state = order.get("state") or "done"
        if not isinstance(state, str) or state not in IMPORT_STATES:
            raise ValidationError(_("state must be done or sale, not %(value)s.", value=state))
        client_ref = order.get("client_order_ref")
        if client_ref not in (None, False) and not isinstance(client_ref, str):
            raise ValidationError(_("client_order_ref must be text."))
        client_ref = check.text(self.env, client_ref, "client_order_ref")
        raw_lines = order.get("lines")
        if not isinstance(raw_lines, list | tuple) or not raw_lines:
            raise ValidationError(_("An order needs at least one line."))
        if len(raw_lines) > MAX_LINES:
            raise ValidationError(_("At most %(max)s order lines per call.", max=MAX_LINES))
        lines = []
        for number, line in enumerate(raw_lines, start=1):
            if not isinstance(line, dict):
                raise ValidationError(_("Line %(line)s must be a mapping.", line=number))
            where = _("Line %(line)s", line=number)
            unknown = sorted(set(line) - set(LINE_KEYS))
            if unknown:
                raise ValidationError(_("Line %(line)s: unknown field(s) %(fields)s.",
                                        line=number, fields=", ".join(map(str, unknown))))
            code = line.get("product_code")
            if not isinstance(code, str) or not code.strip():
                raise ValidationError(_("Line %(line)s: product_code is required.", line=number))
            check.check_text(self.env, code, "product_code", where=where)
            quantity = line.get("quantity")
            price = line.get("price_unit")
            # NaN, Infinity and huge numbers are numbers to Python: named as such.
            for key, value in (("quantity", quantity), ("price_unit", price)):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    check.number(self.env, value, key, where=where)
            if not _number(quantity) or quantity <= 0:
                raise ValidationError(_("Line %(line)s: quantity must be a number greater "
                                        "than 0, not %(value)s.", line=number, value=quantity))
            if price is not None and price is not False and (not _number(price) or price < 0):
                raise ValidationError(_("Line %(line)s: price_unit must be a number of 0 or "
                                        "more, not %(value)s.", line=number, value=price))
            description = line.get("description")
            if description not in (None, False) and not isinstance(description, str):
                raise ValidationError(_("Line %(line)s: description must be text.", line=number))
            if description:
                check.check_text(self.env, description, "description", where=where,
                                 size=check.TEXT_SIZE)
            lines.append({
                "product_code": code.strip(),
                "quantity": float(quantity),
                "price_unit": None if price is None or price is False else float(price),
                "description": (description or "").strip() or None,
            })
        return {
            "ref": ref,
            "customer_ref": customer_ref,
            "date_order": date_order,
            "state": state,
            "client_order_ref": client_ref or None,
            "lines": lines,
        }

    @api.model
    def _crm_api_insert_orders(self, company, to_import):
        """Write the orders with the demo generator's set-based insert (the same
        values the ORM computes), closed and open ones separately, then set their
        external references and reclassify their customers."""
        cr = self.env.cr
        self.env.flush_all()
        # sudo: the rights were checked in _crm_api_check_import_rights; the
        # insert reads the order sequence, the warehouse and the product taxes.
        writer = self.env["crm.demo.generator"].sudo()
        product_set = {product for _r, _v, _c, lines in to_import for product, _l in lines}
        taxes = writer._demo_product_taxes(company, product_set)
        # Per product what every line of it gets (a few rows), joined in SQL:
        # sending the same values once per line would cost more than the insert.
        products = list(product_set)
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_api_product ON COMMIT DROP AS
               SELECT * FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::int[],
                                    %s::numeric[], %s::varchar[])
                   AS t(id, uom_id, name, tax_id, tax_rate, delivered_method)""",
            [p.id for p in products], [p.uom_id.id for p in products],
            [p.display_name for p in products], [taxes[p][0] for p in products],
            [taxes[p][1] for p in products],
            ["stock_move" if p.type == "consu" else "manual" for p in products],
        ))
        for closed in (True, False):
            batch = [item for item in to_import if (item[1]["state"] == "done") == closed]
            if not batch:
                continue
            cr.execute(SQL("SELECT nextval('sale_order_id_seq') FROM generate_series(1, %s)",
                           len(batch)))
            order_ids = [row[0] for row in cr.fetchall()]
            orders, lines = defaultdict(list), defaultdict(list)
            for order_id, (result, vals, customer, order_lines) in zip(order_ids, batch,
                                                                        strict=True):
                result["id"] = order_id
                for key, value in (
                    ("id", order_id), ("partner_id", customer.id),
                    ("user_id", customer.user_id.id or None),
                    ("team_id", customer.user_id.sale_team_id.id or None),
                    ("payment_term_id", customer.property_payment_term_id.id or None),
                    ("client_order_ref", vals["client_order_ref"]),
                    ("date_order", vals["date_order"]), ("ref", vals["ref"]),
                ):
                    orders[key].append(value)
                for position, (product, line) in enumerate(order_lines, start=1):
                    price = line["price_unit"]
                    lines["order_id"].append(order_id)
                    lines["position"].append(position)
                    lines["product_id"].append(product.id)
                    lines["description"].append(line["description"])
                    lines["qty"].append(line["quantity"])
                    lines["price"].append(product.list_price if price is None else price)
            cr.execute(SQL(
                """CREATE TEMP TABLE crm_demo_order ON COMMIT DROP AS
                   SELECT id, partner_id, partner_id AS invoice_partner_id, user_id, team_id,
                          payment_term_id, client_order_ref, date_order, crm_external_ref
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[],
                                 %s::varchar[], %s::timestamp[], %s::varchar[])
                       AS t(id, partner_id, user_id, team_id, payment_term_id,
                            client_order_ref, date_order, crm_external_ref)""",
                *(orders[key] for key in ("id", "partner_id", "user_id", "team_id",
                                          "payment_term_id", "client_order_ref", "date_order",
                                          "ref")),
            ))
            cr.execute(SQL(
                """CREATE TEMP TABLE crm_demo_line ON COMMIT DROP AS
                   SELECT nextval('sale_order_line_id_seq')::int AS id, l.order_id, l.position,
                          l.product_id, p.uom_id, COALESCE(l.description, p.name) AS name,
                          l.qty, l.price, p.tax_id, p.tax_rate, p.delivered_method
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::varchar[], %s::numeric[],
                                 %s::numeric[])
                          AS l(order_id, position, product_id, description, qty, price)
                     JOIN crm_api_product p ON p.id = l.product_id""",
                *(lines[key] for key in ("order_id", "position", "product_id", "description",
                                         "qty", "price")),
            ))
            writer._sql_insert_orders(company, closed=closed, external_refs=True)
            cr.execute(SQL("DROP TABLE crm_demo_order, crm_demo_line"))
        cr.execute(SQL("DROP TABLE crm_api_product"))
        self.env.invalidate_all()
        customers = self.env["res.partner"].browse({item[2].id for item in to_import})
        customers.with_company(company)._crm_recompute_classification_partners()
