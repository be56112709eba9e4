"""Products for external systems: upsert by internal reference.

Historical orders (sale.order.crm_api_import_orders) name their products by
internal reference; this creates and updates those products so that an
integration user can import a history from scratch. See docs/API.md.
"""

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain

from ..tools import api_validation as check
from .res_partner_api import MAX_BATCH, QUIET_CONTEXT

PRODUCT_KEYS = ("ref", "name", "price", "cost", "category", "uom", "type", "sale_ok",
                "purchase_ok", "supplier_ref", "supplier_price")
# The product types a row may give, and what Odoo calls them.
PRODUCT_TYPES = {"goods": "consu", "consu": "consu", "service": "service"}
PRODUCT_REF_SIZE = 64


class ProductTemplate(models.Model):
    _inherit = "product.template"

    @api.model
    def crm_api_import_products(self, rows, dry_run=False):
        """Create or update products by internal reference (``default_code``).

        Each row is a dict: ``ref`` (required), ``name`` (required for a new
        product), ``price`` (sales price), ``cost``, ``category`` (the full
        name, "Goods / Spares", or a name found once, case-insensitive), ``uom`` (unit of measure
        by name, e.g. "Units", "kg"), ``type`` (goods or service), ``sale_ok``,
        ``purchase_ok``, ``supplier_ref`` (the external reference of the
        vendor) with ``supplier_price`` (its price, default the cost). An
        absent key leaves the field alone. Products are shared by the
        companies (no company), the cost is the current company's.

        Every row is validated first; a refused row changes nothing, the others
        are written. ``dry_run``: nothing is written. Returns one dict per row:
        ``{index, ref, id, status, message}``, status ``created``, ``updated``,
        ``unchanged`` or ``error``. Integration users and product managers."""
        if not isinstance(rows, list | tuple):
            raise ValidationError(self.env._("%(what)s must be a list of rows.", what=self.env._("Products")))
        if len(rows) > MAX_BATCH:
            raise ValidationError(self.env._(
                "At most %(max)s rows per call, not %(count)s: split the import into batches.",
                max=MAX_BATCH, count=len(rows)))
        check.boolean(self.env, dry_run, "dry_run")
        self.check_access("create")
        self.check_access("write")
        company = self.env.company
        results, parsed = self._crm_api_product_rows_parsed(rows)
        refs = [row["ref"] for _result, row in parsed]
        existing = {}
        for product in self.with_context(active_test=False).search_fetch(
            [("default_code", "in", refs), ("company_id", "in", [company.id, False])],
            ["default_code", "name", "list_price", "standard_price", "categ_id", "uom_id",
             "type", "sale_ok", "purchase_ok"],
        ):
            existing.setdefault(product.default_code, []).append(product)
        vendors = self._crm_api_product_vendors(
            {row["supplier_ref"] for _result, row in parsed if row.get("supplier_ref")})
        seen = set()
        to_create, to_write = [], []
        for result, row in parsed:
            ref = row.pop("ref")
            result["ref"] = ref
            if ref in seen:
                result["message"] = self.env._(
                    "The reference %(ref)s appears more than once in this batch.", ref=ref)
                continue
            seen.add(ref)
            matches = existing.get(ref, [])
            if len(matches) > 1:
                result["message"] = self.env._("Several products have the internal reference %(ref)s.",
                                      ref=ref)
                continue
            supplier_ref = row.pop("supplier_ref", None)
            supplier_price = row.pop("supplier_price", None)
            if supplier_ref and supplier_ref not in vendors:
                result["message"] = self.env._(
                    "supplier_ref: no vendor has the external reference %(ref)s.",
                    ref=supplier_ref)
                continue
            product = matches[0] if matches else None
            if product is None and not row.get("name"):
                result["message"] = self.env._("name is required for a new product.")
                continue
            if supplier_ref:
                price = supplier_price if supplier_price is not None else row.get(
                    "standard_price", product.standard_price if product else 0.0)
                row["_vendor"] = (vendors[supplier_ref], price)
            if product is None:
                result["status"] = "created"
                to_create.append((result, row))
                continue
            result["id"] = product.id
            changed = {key: value for key, value in row.items()
                       if key == "_vendor" or self._crm_api_product_differs(product, key, value)}
            if "_vendor" in changed and not self._crm_api_vendor_differs(
                    product, *changed["_vendor"]):
                del changed["_vendor"]
            result["status"] = "updated" if changed else "unchanged"
            if changed:
                to_write.append((result, product, changed))
        if not dry_run:
            self._crm_api_write_products(to_create, to_write)
        return results

    @api.model
    def _crm_api_product_rows_parsed(self, rows):
        """(results, [(result, vals)]): one result per row, in order, with the
        rows refused by their own values already marked."""
        results, parsed = [], []
        lookups = {}  # categories and units by name: one search per name and call
        for index, row in enumerate(rows):
            result = {"index": index, "ref": False, "id": False, "status": "error", "message": ""}
            results.append(result)
            if not isinstance(row, dict):
                result["message"] = self.env._(
                    "A row must be a mapping of field names to values.")
                continue
            result["ref"] = check.echo(row.get("ref"))
            try:
                parsed.append((result, self._crm_api_product_row(row, lookups)))
            except ValidationError as error:
                result["message"] = error.args[0]
        return results, parsed

    @api.model
    def _crm_api_product_row(self, row, lookups):
        """The vals of one row (ValidationError on the first bad value);
        ``lookups`` keeps the categories and units found by earlier rows."""
        env = self.env
        unknown = sorted(str(key) for key in row if key not in PRODUCT_KEYS)
        if unknown:
            raise ValidationError(self.env._("Unknown key(s): %(keys)s. Allowed: %(allowed)s.",
                                    keys=", ".join(unknown)[:200],
                                    allowed=", ".join(PRODUCT_KEYS)))
        vals = {"ref": check.text(env, row.get("ref"), "ref", size=PRODUCT_REF_SIZE,
                                  required=True)}
        if "name" in row:
            vals["name"] = check.text(env, row["name"], "name", required=True)
        for key, field in (("price", "list_price"), ("cost", "standard_price"),
                           ("supplier_price", "supplier_price")):
            if row.get(key) is not None and row.get(key) is not False:
                vals[field] = check.number(env, row[key], key, minimum=0)
        for key in ("sale_ok", "purchase_ok"):
            if key in row:
                vals[key] = check.boolean(env, row[key], key)
        if row.get("type") not in (None, False, ""):
            kind = check.text(env, row["type"], "type")
            if kind.lower() not in PRODUCT_TYPES:
                raise ValidationError(self.env._("type must be goods or service, not %(value)s.",
                                        value=check._shown(kind)))
            vals["type"] = PRODUCT_TYPES[kind.lower()]
        if row.get("category") not in (None, False, ""):
            vals["categ_id"] = self._crm_api_product_lookup(
                lookups, self._crm_api_product_category,
                check.text(env, row["category"], "category"))
        if row.get("uom") not in (None, False, ""):
            vals["uom_id"] = self._crm_api_product_lookup(
                lookups, self._crm_api_product_uom, check.text(env, row["uom"], "uom"))
        if row.get("supplier_ref") not in (None, False, ""):
            vals["supplier_ref"] = check.text(env, row["supplier_ref"], "supplier_ref",
                                              size=PRODUCT_REF_SIZE)
        if "supplier_price" in vals and "supplier_ref" not in vals:
            raise ValidationError(self.env._("supplier_price needs a supplier_ref."))
        return vals

    @api.model
    def _crm_api_product_lookup(self, lookups, find, name):
        """``find(name)`` (an id, or a ValidationError) once per name and call:
        a file names the same few categories and units on every row."""
        key = (find.__name__, name.lower())  # both are found with =ilike
        if key not in lookups:
            try:
                lookups[key] = find(name)
            except ValidationError as error:
                lookups[key] = error
        if isinstance(lookups[key], ValidationError):
            raise lookups[key]
        return lookups[key]

    @api.model
    def _crm_api_product_category(self, name):
        Category = self.env["product.category"]
        found = Category.search([("complete_name", "=ilike", name)], limit=2) or Category.search(
            [("name", "=ilike", name)], limit=2)
        if len(found) != 1:
            raise ValidationError(self.env._(
                "category %(name)s: %(problem)s (give its full name, e.g. Goods / Spares).",
                name=check._shown(name),
                problem=self.env._("several categories have this name") if found
                else self.env._("no such category")))
        return found.id

    @api.model
    def _crm_api_product_uom(self, name):
        found = self.env["uom.uom"].search([("name", "=ilike", name)], limit=2)
        if len(found) != 1:
            raise ValidationError(self.env._("uom %(name)s: no such unit of measure.",
                                             name=check._shown(name)))
        return found.id

    @api.model
    def _crm_api_product_vendors(self, refs):
        """{external reference: vendor id} of the current company's (or shared)
        commercial partners the user may read."""
        if not refs:
            return {}
        vendors = self.env["res.partner"].with_context(active_test=False).search_fetch(
            Domain("crm_external_ref", "in", list(refs)) & Domain("parent_id", "=", False)
            & Domain("company_id", "in", [self.env.company.id, False]),
            ["crm_external_ref"], order="company_id")
        # The company's own partner (listed first) wins over a shared one.
        return {vendor.crm_external_ref: vendor.id for vendor in vendors[::-1]}

    @api.model
    def _crm_api_product_differs(self, product, key, value):
        current = product[key]
        if isinstance(current, models.BaseModel):
            return current.id != value
        if isinstance(current, float):
            return abs(current - value) > 1e-9
        return current != value

    @api.model
    def _crm_api_vendor_differs(self, product, vendor_id, price):
        info = product.seller_ids.filtered(lambda s: s.partner_id.id == vendor_id)[:1]
        return not info or abs(info.price - price) > 1e-9

    @api.model
    def _crm_api_write_products(self, to_create, to_write):
        """One create() of the new products, one write() per group of equal
        changes; each in a savepoint, and redone row by row (each in its own
        savepoint) when it fails, so that only the failing rows are refused."""
        Template = self.with_context(**QUIET_CONTEXT)

        def create(row):
            row = dict(row)
            vendor = row.pop("_vendor", None)
            product = Template.create(row)
            if vendor:
                self._crm_api_set_vendor(product, *vendor)
            return product

        def write(product, row):
            row = dict(row)
            vendor = row.pop("_vendor", None)
            if row:
                product.write(row)
            if vendor:
                self._crm_api_set_vendor(product, *vendor)
            return product

        for result, row in to_create:
            row["default_code"] = result["ref"]
        try:
            with self.env.cr.savepoint():
                plain = [(result, row) for result, row in to_create if "_vendor" not in row]
                products = Template.create([row for _result, row in plain])
                for (result, _row), product in zip(plain, products, strict=True):
                    result["id"] = product.id
                for result, row in to_create:
                    if "_vendor" in row:
                        result["id"] = create(row).id
                self.env.flush_all()
        except AccessError:
            raise
        except Exception:  # redone row by row to find the culprits
            self.env.invalidate_all()
            self._crm_api_product_rows([(result, lambda row=row: create(row))
                                        for result, row in to_create])
        groups = {}
        for result, product, row in to_write:
            groups.setdefault(repr(sorted(row.items())), []).append((result, product, row))
        for members in groups.values():
            row = members[0][2]
            try:
                with self.env.cr.savepoint():
                    products = self.browse([product.id for _result, product, _row in members])
                    write(products.with_context(**QUIET_CONTEXT), row)
                    self.env.flush_all()
            except AccessError:
                raise
            except Exception:  # redone row by row
                self.env.invalidate_all()
                self._crm_api_product_rows([
                    (result, lambda p=product, r=row: write(p.with_context(**QUIET_CONTEXT), r))
                    for result, product, _row in members])

    @api.model
    def _crm_api_set_vendor(self, products, vendor_id, price):
        Info = self.env["product.supplierinfo"]
        for product in products:
            info = product.seller_ids.filtered(lambda s, v=vendor_id: s.partner_id.id == v)[:1]
            if info:
                info.price = price
            else:
                Info.create({"product_tmpl_id": product.id, "partner_id": vendor_id,
                             "price": price})

    @api.model
    def _crm_api_product_rows(self, items):
        for result, run in items:
            try:
                with self.env.cr.savepoint():
                    result["id"] = run().id
                    self.env.flush_all()
            except AccessError:
                raise
            except Exception as error:  # a constraint of that row
                message = (error.args[0] if isinstance(error, ValidationError | ValueError)
                           and error.args else str(error).strip().splitlines()[0])
                result.update(status="error", message=message, id=False)
                self.env.invalidate_all()
