"""Public API: import historical sale orders from another system (see docs/API.md)."""

from collections import defaultdict
from datetime import datetime

from psycopg2 import IntegrityError

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import api_validation as check
from .res_partner_api import MAX_BATCH

ORDER_KEYS = ("ref", "customer_ref", "date_order", "state", "client_order_ref", "currency",
              "lines")
LINE_KEYS = ("product_code", "quantity", "price_unit", "description")
# Historical states: 'done' is a closed order (delivered, invoiced and locked in
# the other system), 'sale' a confirmed order still to deliver and invoice.
IMPORT_STATES = ("done", "sale")
MAX_LINES = MAX_BATCH * 10
# Orders per create() and action_confirm() call: big enough for the ORM to
# batch its computations, small enough to keep its cache (and a failing chunk
# redone order by order) small.
ORDER_CHUNK = 200
# What an import leaves out of the chatter: no "order created" note, no
# tracking of the confirmation, no follower subscriptions. crm_import_keep_date:
# the confirmation keeps the historical order date (see _prepare_confirmation_values);
# crm_skip_reclassify: the customers are reclassified once, after all batches.
IMPORT_CONTEXT = {
    "tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True,
    "mail_create_nosubscribe": True, "crm_import_keep_date": True, "crm_skip_reclassify": True,
}


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
        """Historical orders are created and confirmed on the caller's behalf
        (deliveries included, closed ones locked): reserved to integration
        users and sales or CRM managers."""
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
    def _crm_api_import_orders_parse(self, orders):
        """The rows of crm_api_import_orders checked one by one: the result of
        every row (an error until imported) and ``(result, vals)`` of the valid
        ones."""
        now = fields.Datetime.now()
        results, valid = [], []
        for index, order in enumerate(orders):
            result = {"index": index, "ref": False, "id": False, "status": "error",
                      "lines": 0, "message": ""}
            results.append(result)
            if not isinstance(order, dict):
                result["message"] = self.env._("An order must be a mapping of field names to values.")
                continue
            result["ref"] = check.echo(order.get("ref"))
            try:
                vals = self._crm_api_order_vals(order, now)
                vals["currency"] = self._crm_api_order_currency_code(order)
                valid.append((result, vals))
            except ValidationError as error:
                result["message"] = error.args[0]
        if sum(len(vals["lines"]) for _result, vals in valid) > MAX_LINES:
            raise ValidationError(self.env._("At most %(max)s order lines per call.", max=MAX_LINES))
        return results, valid

    @api.model
    def _crm_api_import_orders_lookups(self, company, valid):
        """What the valid rows refer to, read in bulk: the orders already
        imported (by reference), the customers (by external reference), the
        products (by internal reference), the currencies and pricelists."""
        Partner = self.env["res.partner"]
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
                ["crm_external_ref", "crm_commercial_blacklist", "company_id"],
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
        currencies, pricelists = self._crm_api_order_pricelists(
            company, valid, list(customers.values()))
        return existing, customers, products, currencies, pricelists

    @api.model
    def crm_api_import_orders(self, orders, dry_run=False):
        """Import historical sale orders of the current company, upserted by their
        external reference ``ref``: an order already imported is left as it is
        and reported ``unchanged``, so a re-run creates no duplicates.

        ``orders``: list of dicts with ``ref`` (required), ``customer_ref`` (the
        customer's ``crm_external_ref``, required), ``date_order`` (required,
        ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS`` UTC, not in the future),
        ``state`` (``done``, the default: delivered, invoiced and locked; or
        ``sale``: confirmed, to deliver and invoice), ``client_order_ref``,
        ``currency`` (ISO 4217 code of the order's amounts, default the
        company's currency), and ``lines``: a non-empty list of
        ``{product_code, quantity, price_unit, description}`` (``product_code``
        is the product's internal reference, ``quantity`` > 0, ``price_unit``
        >= 0 defaults to the pricelist's price).

        Row-level: invalid orders are reported and nothing of them is written;
        the valid ones are made the way a salesperson makes them: ``create()``
        then ``action_confirm()`` (in batches), so taxes, fiscal position,
        pricelist, amounts, deliveries of the orders still to deliver, invoice
        status and names (from the order sequence) are Odoo's own; the order
        keeps its historical date. ``done`` orders are confirmed without
        delivery (delivered elsewhere: their delivered quantity is the ordered
        one) and locked. Their customers are reclassified. Blacklisted
        customers are refused. With ``dry_run`` nothing is written.

        Returns one dict per order: ``{index, ref, id, status, lines, message}``
        with status ``created``, ``unchanged`` or ``error``.
        """
        self.env["res.partner"]._crm_api_check_rows(orders, self.env._("Orders"))
        check.boolean(self.env, dry_run, "dry_run")
        self._crm_api_check_import_rights()
        company = self.env.company
        results, valid = self._crm_api_import_orders_parse(orders)
        existing, customers, products, currencies, pricelists = \
            self._crm_api_import_orders_lookups(company, valid)

        seen = set()
        to_import = []
        for result, vals in valid:
            ref = vals["ref"]
            result["ref"] = ref
            if ref in seen:
                result["message"] = self.env._("The reference %(ref)s appears more than once in this batch.",
                                      ref=ref)
                continue
            seen.add(ref)
            if ref in existing:
                result.update(id=existing[ref], status="unchanged",
                              message=self.env._("Already imported: left unchanged."))
                continue
            customer = customers.get(vals["customer_ref"])
            if not customer:
                result["message"] = self.env._("Unknown customer %(ref)s (no customer with this "
                                      "external reference in this company).",
                                      ref=vals["customer_ref"])
                continue
            if customer.crm_commercial_blacklist:
                result["message"] = self.env._("%(customer)s is on the commercial blacklist.",
                                      customer=customer.display_name)
                continue
            currency = currencies.get(vals["currency"] or company.currency_id.name)
            pricelist = pricelists.get((customer.id, currency))
            if not currency or pricelist is None:
                result["message"] = (
                    self.env._("Unknown currency %(code)s (an active currency's ISO 4217 code, "
                      "e.g. EUR, CNY).", code=vals["currency"])
                    if not currency else
                    self.env._("No pricelist in %(currency)s for this company: create one "
                      "(Sales > Products > Pricelists) to import orders in this currency.",
                      currency=currency.name)
                )
                continue
            lines = []
            for number, line in enumerate(vals["lines"], start=1):
                found = products.get(line["product_code"], [])
                if len(found) != 1:
                    result["message"] = (
                        self.env._("Line %(line)s: unknown product %(code)s (no product that can be "
                          "sold with this internal reference).", line=number,
                          code=line["product_code"])
                        if not found else
                        self.env._("Line %(line)s: several products have the internal reference "
                          "%(code)s.", line=number, code=line["product_code"])
                    )
                    break
                lines.append((found[0], line))
            else:
                result.update(status="created", lines=len(lines))
                to_import.append((result, vals, customer, lines, pricelist))
        if to_import and not dry_run:
            self._crm_api_create_orders(company, to_import)
        return results

    @api.model
    def _crm_api_order_currency_code(self, order):
        """The upper-cased ISO code of ``order["currency"]``, or None (the
        company's currency)."""
        code = order.get("currency")
        if code in (None, False, ""):
            return None
        if not isinstance(code, str):
            raise ValidationError(self.env._("currency must be text (an ISO 4217 code, "
                                             "e.g. EUR)."))
        check.check_text(self.env, code, "currency")
        return code.strip().upper() or None

    @api.model
    def _crm_api_order_pricelists(self, company, valid, customers):
        """The currencies the orders name (code -> active currency, the
        company's included) and the pricelist of each (customer id, currency):
        the customer's own pricelist when it is in that currency (what create()
        would take), else the company's first pricelist in that currency, else
        none (False) for the company currency; a foreign currency without any
        pricelist is missing from the result (the order is refused)."""
        codes = {vals["currency"] for _result, vals in valid if vals["currency"]}
        codes.add(company.currency_id.name)
        currencies = {
            currency.name: currency
            for currency in self.env["res.currency"].search_fetch(
                [("name", "in", list(codes))], ["name"])
        }
        first = {}
        for pricelist in self.env["product.pricelist"].search_fetch(
            [("currency_id", "in", [c.id for c in currencies.values()]),
             ("company_id", "in", [company.id, False])],
            ["currency_id"],
        ):
            first.setdefault(pricelist.currency_id, pricelist)
        first.setdefault(company.currency_id, self.env["product.pricelist"])
        result = {}
        # The customers' pricelists, computed for all of them at once.
        partners = self.env["res.partner"].browse([p.id for p in customers]).with_company(company)
        for partner in partners:
            own = partner.property_product_pricelist
            for currency in currencies.values():
                pricelist = own if own and own.currency_id == currency else first.get(currency)
                if pricelist is not None:
                    result[(partner.id, currency)] = pricelist
        return currencies, result

    @api.model
    def _crm_api_order_vals(self, order, now):
        """Checked and normalised values of one order, or ValidationError."""
        Partner = self.env["res.partner"]
        unknown = sorted(set(order) - set(ORDER_KEYS))
        if unknown:
            raise ValidationError(self.env._("Unknown field(s): %(fields)s.",
                                    fields=", ".join(map(str, unknown))))
        ref, error = Partner._crm_api_ref(order)
        customer_ref, customer_error = Partner._crm_api_ref(order, "customer_ref")
        if error or customer_error:
            raise ValidationError(error or customer_error)
        date_value = order.get("date_order")
        if not date_value:
            raise ValidationError(self.env._("date_order is required."))
        date_order = check.date_value(self.env, date_value, "date_order", check_years=False)
        if not isinstance(date_order, datetime):
            date_order = datetime.combine(date_order, datetime.min.time())
        if date_order > now:
            raise ValidationError(self.env._("date_order %(value)s is in the future: only past "
                                    "orders can be imported.", value=date_value))
        check.year_in_range(self.env, date_order, "date_order", date_value)
        state = order.get("state") or "done"
        if not isinstance(state, str) or state not in IMPORT_STATES:
            raise ValidationError(self.env._("state must be done or sale, not %(value)s.", value=state))
        client_ref = order.get("client_order_ref")
        if client_ref not in (None, False) and not isinstance(client_ref, str):
            raise ValidationError(self.env._("client_order_ref must be text."))
        client_ref = check.text(self.env, client_ref, "client_order_ref")
        raw_lines = order.get("lines")
        if not isinstance(raw_lines, list | tuple) or not raw_lines:
            raise ValidationError(self.env._("An order needs at least one line."))
        if len(raw_lines) > MAX_LINES:
            raise ValidationError(self.env._("At most %(max)s order lines per call.", max=MAX_LINES))
        lines = []
        for number, line in enumerate(raw_lines, start=1):
            if not isinstance(line, dict):
                raise ValidationError(self.env._("Line %(line)s must be a mapping.", line=number))
            where = self.env._("Line %(line)s", line=number)
            unknown = sorted(set(line) - set(LINE_KEYS))
            if unknown:
                raise ValidationError(self.env._("Line %(line)s: unknown field(s) %(fields)s.",
                                        line=number, fields=", ".join(map(str, unknown))))
            code = line.get("product_code")
            if not isinstance(code, str) or not code.strip():
                raise ValidationError(self.env._("Line %(line)s: product_code is required.", line=number))
            check.check_text(self.env, code, "product_code", where=where)
            quantity = line.get("quantity")
            price = line.get("price_unit")
            # NaN, Infinity and huge numbers are numbers to Python: named as such.
            for key, value in (("quantity", quantity), ("price_unit", price)):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    check.number(self.env, value, key, where=where)
            if not _number(quantity) or quantity <= 0:
                raise ValidationError(self.env._("Line %(line)s: quantity must be a number greater "
                                        "than 0, not %(value)s.", line=number, value=quantity))
            if price is not None and price is not False and (not _number(price) or price < 0):
                raise ValidationError(self.env._("Line %(line)s: price_unit must be a number of 0 or "
                                        "more, not %(value)s.", line=number, value=price))
            description = line.get("description")
            if description not in (None, False) and not isinstance(description, str):
                raise ValidationError(self.env._("Line %(line)s: description must be text.", line=number))
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
    def _crm_api_create_orders(self, company, to_import):
        """Create and confirm the orders through the ORM, ORDER_CHUNK at a time,
        in order of date (the sequence numbers them as they happened). A chunk
        is written inside a savepoint; if anything refuses it (a constraint, an
        order that another import created at the same moment), it is rolled
        back and redone order by order, so that only the refused orders are
        reported as errors and none is half-written."""
        # sudo: the rights were checked in _crm_api_check_import_rights;
        # confirming writes the order and runs the procurement (deliveries),
        # which the integration group may not do by itself. The user stays the
        # creator of the orders.
        SaleOrder = self.sudo().with_company(company).with_context(**IMPORT_CONTEXT)
        if not self.env["account.analytic.distribution.model"].sudo().search_count([], limit=1):
            SaleOrder = SaleOrder.with_context(crm_import_no_analytic_model=True)
        items = sorted(to_import, key=lambda item: (item[1]["date_order"], item[0]["index"]))
        for start in range(0, len(items), ORDER_CHUNK):
            chunk = items[start:start + ORDER_CHUNK]
            try:
                with self.env.cr.savepoint():
                    SaleOrder._crm_api_create_chunk(company, chunk)
            except AccessError:
                raise
            except (UserError, ValidationError, IntegrityError):
                self.env.invalidate_all()
                for item in chunk:
                    try:
                        with self.env.cr.savepoint():
                            SaleOrder._crm_api_create_chunk(company, [item])
                    except AccessError:
                        raise
                    except (UserError, ValidationError, IntegrityError) as error:
                        self.env.invalidate_all()
                        item[0].update(id=False, status="error", lines=0,
                                       message=self._crm_api_refusal(error))
            # The next chunk starts with an empty cache.
            self.env.invalidate_all()
        created = [item for item in items if item[0]["status"] == "created"]
        customers = self.env["res.partner"].browse({item[2].id for item in created})
        customers.with_company(company)._crm_recompute_classification_partners()

    @api.model
    def _crm_api_refusal(self, error):
        """The message of an order Odoo refused while creating or confirming it."""
        if not isinstance(error, IntegrityError):
            return error.args[0]
        if "crm_external_ref" in str(error):
            # Another import created it since this one looked.
            return self.env._("Another order of this company already has this external "
                              "reference.")
        return str(error).strip().splitlines()[0]

    def _crm_api_create_chunk(self, company, items):
        """create() then action_confirm() for these (result, vals, customer,
        lines, pricelist) items; closed (``done``) orders are confirmed
        without delivery and locked."""
        vals_list = []
        for _result, vals, customer, lines, pricelist in items:
            closed = vals["state"] == "done"
            order_lines = []
            for product, line in lines:
                line_vals = {"product_id": product.id, "product_uom_qty": line["quantity"]}
                if line["price_unit"] is not None:
                    line_vals["price_unit"] = line["price_unit"]
                if line["description"]:
                    line_vals["name"] = line["description"]
                if closed:
                    # Delivered outside this database.
                    line_vals["qty_delivered"] = line["quantity"]
                order_lines.append(Command.create(line_vals))
            vals_list.append({
                "partner_id": customer.id,
                "company_id": company.id,
                "pricelist_id": pricelist.id,
                "date_order": vals["date_order"],
                "client_order_ref": vals["client_order_ref"] or False,
                "crm_external_ref": vals["ref"],
                "order_line": order_lines,
            })
        orders = self.create(vals_list)
        closed = orders.browse([
            order.id for order, item in zip(orders, items, strict=True)
            if item[1]["state"] == "done"
        ])
        # Closed orders were delivered elsewhere: no procurement, no picking.
        closed.with_context(skip_procurement=True).action_confirm()
        (orders - closed).action_confirm()
        closed.action_lock()
        self.env.flush_all()
        for order, item in zip(orders, items, strict=True):
            item[0]["id"] = order.id
        return orders

    def _prepare_confirmation_values(self):
        values = super()._prepare_confirmation_values()
        if self.env.context.get("crm_import_keep_date"):
            # An imported order keeps its historical date (confirmation would
            # date it now), so its deliveries, currency rate and the customer's
            # statistics follow the date it was really ordered.
            values.pop("date_order", None)
        return values


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _compute_analytic_distribution(self):
        if self.env.context.get("crm_import_no_analytic_model"):
            # The order import, in a database without any analytic distribution
            # model: Odoo's search per line (two per imported line) would find
            # none and keep the line's distribution.
            for line in self:
                line.analytic_distribution = line.analytic_distribution
            return
        super()._compute_analytic_distribution()
